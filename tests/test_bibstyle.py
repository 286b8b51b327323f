"""references.bib's `description` field: shown to readers in reference lists
(kb.sphinxext.bibstyle), and readable outside Sphinx (kb.bib.description_for)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from kb import bib

DESCRIPTION = "News report (outlet not recorded) on a made-up clinical piece, 2025."


def entries(app) -> dict[str, str]:
    html = BeautifulSoup((Path(app.outdir) / "index.html").read_text(), "html.parser")
    found = {}
    for item in html.select(".citation"):
        text = " ".join(item.get_text(" ", strip=True).split())
        found["plain" if "second" in text else "described"] = text
    return found


@pytest.mark.sphinx("html", testroot="bib-description")
def test_the_reference_list_says_what_each_source_is(app):
    app.build()
    assert app.warning.getvalue() == ""
    found = entries(app)
    assert found["described"].endswith(DESCRIPTION)
    # A record without a description prints as unsrt prints it.
    assert "News report" not in found["plain"]
    assert found["plain"].endswith("A second made-up report. 2024.")


@pytest.mark.sphinx("latex", testroot="bib-description")
def test_the_printed_reference_list_has_it_too(app):
    app.build()
    tex = next(Path(app.outdir).glob("*.tex")).read_text(encoding="utf-8")
    tex = tex.replace(r"\sphinxhyphen{}", "-")
    assert "2025. " + DESCRIPTION in tex


def test_code_outside_sphinx_reads_the_description(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text(
        "@misc{a,\n  title = {T},\n  description = {Blog post by a\n   patient group, 2020}\n}\n"
        "@misc{b,\n  title = {U}\n}\n",
        encoding="utf-8",
    )
    assert bib.description_for("a", path) == "Blog post by a patient group, 2020"
    assert bib.description_for("A", path) == "Blog post by a patient group, 2020"
    assert bib.description_for("b", path) is None
    assert bib.description_for("missing", path) is None

"""Nothing printed or published points to a placeholder address.

docs/conf.py takes the site's address and the repository from the deployment
(KB_BASE_URL, KB_REPOSITORY_URL; README "How a deployment sets the address")
and defaults to none. The real site, built without them, names no address at
all: no canonical link, og:url, JSON-LD url or sitemap, and no "Report a
problem" link; with them, it names exactly those.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from kb import paths

#: Placeholder domains (RFC 2606) that must never reach a reader.
PLACEHOLDER = re.compile(rb"example\.(?:org|com)", re.I)


def conf(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict:
    for name in ("KB_BASE_URL", "KB_REPOSITORY_URL", "READTHEDOCS_CANONICAL_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    namespace: dict = {"__file__": str(paths.DOCS / "conf.py")}
    exec((paths.DOCS / "conf.py").read_text(encoding="utf-8"), namespace)
    return namespace


def test_the_defaults_are_empty_not_a_placeholder(monkeypatch):
    namespace = conf(monkeypatch)
    assert namespace["kb_base_url"] == ""
    assert namespace["kb_repository_url"] == ""
    assert namespace["html_baseurl"] == ""


def test_a_deployment_sets_the_addresses(monkeypatch):
    namespace = conf(
        monkeypatch,
        KB_BASE_URL="https://kb.clinic.test/",
        KB_REPOSITORY_URL="https://git.clinic.test/org/kb",
    )
    assert namespace["kb_base_url"] == namespace["html_baseurl"] == "https://kb.clinic.test/"
    assert namespace["kb_repository_url"] == "https://git.clinic.test/org/kb"
    rtd = conf(monkeypatch, READTHEDOCS_CANONICAL_URL="https://kb.readthedocs.test/en/latest/")
    assert rtd["kb_base_url"] == "https://kb.readthedocs.test/en/latest/"


def test_no_output_file_names_a_placeholder_domain(site):
    files = [p for p in site.html.rglob("*") if p.is_file()]
    assert len(files) > 20
    named = [
        p.relative_to(site.html).as_posix() for p in files if PLACEHOLDER.search(p.read_bytes())
    ]
    assert named == []


def test_without_an_address_no_page_names_one(site):
    if conf_has_addresses():
        pytest.skip("this build was given KB_BASE_URL or KB_REPOSITORY_URL")
    assert not (site.html / "sitemap.xml").exists()
    pages = site.pages()
    assert len(pages) > 10, site.warnings
    for page in pages:
        html = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        where = page.relative_to(site.html).as_posix()
        assert html.find("link", rel="canonical") is None, where
        assert html.find("meta", attrs={"property": "og:url"}) is None, where
        assert html.select_one(".kb-report-problem") is None, where
        for script in html.find_all("script", type="application/ld+json"):
            assert '"url"' not in script.get_text(), where


def conf_has_addresses() -> bool:
    return bool(
        os.environ.get("KB_BASE_URL")
        or os.environ.get("KB_REPOSITORY_URL")
        or os.environ.get("READTHEDOCS_CANONICAL_URL")
    )


@pytest.mark.sphinx("latex", testroot="review-record", confoverrides={"kb_base_url": ""})
def test_without_an_address_the_printed_pages_still_build(app):
    """A handout cannot link to another article online without an address: lists of
    articles print the titles alone instead of failing the build (NoUri)."""
    app.build()
    out = Path(app.outdir)
    assert (out / "handout-checked.tex").is_file()
    assert (out / "handout-draft.tex").is_file()
    assert "Traceback" not in app.warning.getvalue()
    for tex in out.glob("*.tex"):
        assert not PLACEHOLDER.search(tex.read_bytes()), tex.name

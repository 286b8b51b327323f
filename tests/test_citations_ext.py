"""A citation's preview names the source it links to, on every page."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup


@pytest.mark.sphinx("html", testroot="citation-previews")
def test_each_page_previews_its_own_source(app):
    app.build()
    titles = {}
    for page in ("one", "two"):
        html = BeautifulSoup((app.outdir / f"{page}.html").read_text(), "html.parser")
        (link,) = html.select("a.kb-cite")
        target = html.find(id=link["href"].lstrip("#"))
        assert target is not None, "the citation links to this page's own list"
        titles[page] = (link["href"], link["title"])
    # The same node id on both pages, each with its own description.
    assert titles["one"][0] == titles["two"][0]
    assert titles["one"][1] == "Made-up survey of clinics, 2020"
    assert titles["two"][1] == "Made-up news report, 2021"

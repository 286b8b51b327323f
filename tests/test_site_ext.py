"""The site module of kb.sphinxext with the real furo templates: report link,
disclaimer, accessible markup, the 404 page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from kb import paths
from kb.sphinxext import site


def soup(app, docname: str) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / f"{docname}.html").read_text(), "html.parser")


@pytest.mark.sphinx("html", testroot="site")
def test_report_link_prefills_the_issue_form(app):
    app.build()
    assert app.warning.getvalue() == ""
    link = soup(app, "folder/page").select_one("footer .kb-report-problem a")
    assert link.get_text() == "Report a problem with this page"
    url = urlsplit(link["href"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == (
        "https://git.example.test/org/repo/issues/new"
    )
    assert parse_qs(url.query) == {
        "template": ["page-problem.yml"],
        "page": ["folder/page.html"],
        "version": ["9.9.9"],
    }
    # Not on pages that are not content: search, index, 404.
    for page in ("search", "genindex", "404"):
        assert soup(app, page).select_one(".kb-report-problem") is None


@pytest.mark.sphinx("html", testroot="site")
def test_every_page_has_the_crisis_notice_and_the_disclaimer(app):
    app.build()
    for page in ("index", "folder/page", "search", "genindex", "404"):
        html = soup(app, page)
        notice = html.select_one("aside.announcement-content")
        assert notice.get_text(strip=True) == "Test crisis notice."
        assert notice["aria-label"] == "Crisis support"
        assert "Not medical advice." in html.select_one("footer .kb-disclaimer").get_text()


@pytest.mark.sphinx("html", testroot="site")
def test_landmarks_have_names_and_search_has_a_heading(app):
    app.build()
    page = soup(app, "folder/page")
    labels = [aside.get("aria-label") for aside in page.find_all("aside")]
    assert labels == ["Crisis support", "Site navigation", "Contents of this page"]
    assert soup(app, "search").select_one("article h1").get_text() == "Search"


@pytest.mark.sphinx("html", testroot="site")
def test_toctree_captions_have_a_heading_level(app):
    app.build()
    captions = soup(app, "index").select('p.caption[role="heading"]')
    assert captions  # in the sidebar and in the page's own toctree
    assert all(c.get("aria-level") == "2" for c in captions)


@pytest.mark.sphinx("html", testroot="site")
def test_citations_are_a_list_of_list_items(app):
    app.build()
    cited = soup(app, "index").select_one(".citation-list")
    assert cited["role"] == "list"
    entries = cited.select(".citation")
    assert [e["role"] for e in entries] == ["listitem"]
    assert "doc-biblioentry" not in (app.outdir / "index.html").read_text()


@pytest.mark.sphinx("html", testroot="site")
def test_404_links_work_from_any_depth(app):
    app.build()
    html = (app.outdir / "404.html").read_text()
    page = BeautifulSoup(html, "html.parser")
    assert page.html["data-content_root"] == "/sub/"
    hrefs = [a["href"] for a in page.select("article a")]
    assert hrefs[-2:] == ["/sub/index.html", "/sub/folder/page.html"]
    for tag, attribute in (("link", "href"), ("script", "src"), ("form", "action")):
        for node in page.find_all(tag, attrs={attribute: True}):
            url = node[attribute]
            assert url.startswith(("/sub/", "https://")), url
    # Links within the page itself keep working as they are.
    assert page.select_one("a.skip-to-content")["href"] == "#furo-main-content"


def test_root_absolute_leaves_absolute_and_fragment_urls_alone():
    html = '<a href="a/b.html#x"></a><a href="#y"></a><a href="https://e.test/"></a>'
    html += '<a href="mailto:a@e.test"></a><img src="./_static/i.png"><a href="/c.html"></a>'
    assert site.root_absolute(html, "/r/") == (
        '<a href="/r/a/b.html#x"></a><a href="#y"></a><a href="https://e.test/"></a>'
        '<a href="mailto:a@e.test"></a><img src="/r/_static/i.png"><a href="/c.html"></a>'
    )
    assert site.site_root("https://e.test") == "/"
    assert site.site_root("https://e.test/kb") == "/kb/"


def test_issue_form_has_the_fields_the_link_fills_in():
    """The link and the repository's issue form agree on the form's file and ids."""
    form = yaml.safe_load(
        (paths.ROOT / ".github" / "ISSUE_TEMPLATE" / site.ISSUE_TEMPLATE).read_text()
    )
    ids = {field.get("id") for field in form["body"]}
    assert {"page", "version"} <= ids

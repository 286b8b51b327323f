"""The real site, built once, read as HTML: what every reader gets.

Browser behaviour (tooltips shown, search, dark mode, axe) is in
test_browser.py; the Nu checker and the link checker in test_html_validity.py.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from sphinx.search.en import SearchEnglish

import kb
from kb import glossary, paths, schema
from kb.sphinxext.articles import format_date

pytestmark = pytest.mark.slow

#: Smart quotes in the HTML, straight ones in the glossary's source.
STRAIGHT = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


@dataclass(frozen=True)
class Source:
    docname: str
    article: schema.Article


def articles() -> list[Source]:
    found = []
    for path in sorted(paths.ARTICLES.glob("*.md")):
        docname = f"{schema.ARTICLES_DIR}/{path.stem}"
        if not schema.is_article_docname(docname):
            continue
        article, _ = schema.load_article(path.read_text(encoding="utf-8"))
        assert article is not None, path
        found.append(Source(docname, article))
    return found


ARTICLES = articles()


@pytest.fixture(scope="module")
def html(site):
    """docname -> parsed page, for every page of the site (parsed once)."""

    @functools.cache
    def parse(docname: str) -> BeautifulSoup:
        return BeautifulSoup(site.page(docname), "html.parser")

    return parse


def all_docnames(site) -> list[str]:
    return [p.relative_to(site.html).with_suffix("").as_posix() for p in site.pages()]


def resolve(page_docname: str, href: str) -> tuple[str, str]:
    """(docname, fragment) that a relative link on a page points to."""
    path, _, fragment = href.partition("#")
    if not path:
        return page_docname, fragment
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page_docname), path))
    return target.removesuffix(".html"), fragment


def test_build_has_no_warnings(site):
    assert site.warnings == ""


def test_there_are_articles_to_check():
    assert len(ARTICLES) >= 2


@pytest.mark.parametrize("source", ARTICLES, ids=lambda s: s.docname)
def test_article_shows_its_metadata(html, source):
    article = source.article
    header = html(source.docname).select_one("article .kb-article-header")
    assert header.select_one(".kb-summary").get_text() == article.summary
    fact = {
        dt["class"][0]: dt.find_next_sibling("dd").get_text(" ", strip=True)
        for dt in header.select("dl.kb-facts > dt")
    }
    assert fact["kb-fact-evidence"] == article.evidence_label
    assert fact["kb-fact-audience"] == article.audience_label
    assert fact["kb-fact-topics"] == " , ".join(article.topic_labels)
    assert fact["kb-fact-review"] == article.review_status_label
    last, due = article.last_reviewed, article.next_review
    assert fact["kb-fact-last-reviewed"] == (format_date(last) if last else "Not yet reviewed")
    assert fact.get("kb-fact-next-review") == (format_date(due) if due else None)


@pytest.mark.parametrize("source", ARTICLES, ids=lambda s: s.docname)
def test_article_has_both_admonitions_and_references(html, source):
    page = html(source.docname)
    titles = [t.get_text() for t in page.select("article .admonition > .admonition-title")]
    assert "Key takeaway" in titles
    assert "Evidence quality note" in titles
    assert page.select(".kb-key-takeaway p:not(.admonition-title)")
    assert page.select(".kb-evidence-note p:not(.admonition-title)")
    references = page.select("article .citation-list > .citation")
    assert len(references) >= len(source.article.sources)


@pytest.mark.parametrize("source", ARTICLES, ids=lambda s: s.docname)
def test_article_has_a_prefilled_report_link(html, source):
    link = html(source.docname).select_one("footer .kb-report-problem a")
    assert link.get_text() == "Report a problem with this page"
    url = urlsplit(link["href"])
    assert url.path.endswith("/issues/new")
    assert parse_qs(url.query) == {
        "template": ["page-problem.yml"],
        "page": [f"{source.docname}.html"],
        "version": [kb.__version__],
    }


@pytest.mark.parametrize("source", ARTICLES, ids=lambda s: s.docname)
def test_article_links_its_related_articles(html, source):
    shared = sorted(
        other.article.title
        for other in ARTICLES
        if other is not source and set(other.article.topics) & set(source.article.topics)
    )
    related = html(source.docname).select(".kb-related .kb-article-item-title a")
    assert sorted(a.get_text() for a in related) == shared


def test_topic_pages_list_their_articles_with_summary_and_badge(html):
    index = html("topics/index")
    assert [a.get_text() for a in index.select(".kb-topic-list a")] == [
        t.label for t in schema.TOPICS.values()
    ]
    for slug in schema.TOPICS:
        page = html(f"topics/{slug}")
        expected = sorted(
            (s for s in ARTICLES if slug in s.article.topics),
            key=lambda s: s.article.title.casefold(),
        )
        items = page.select("article .kb-article-item")
        assert [i.select_one(".kb-article-item-title a").get_text() for i in items] == [
            s.article.title for s in expected
        ]
        for item, source in zip(items, expected, strict=True):
            assert item.select_one(".kb-article-item-summary").get_text() == source.article.summary
            assert item.select_one(".kb-evidence").get_text() == source.article.evidence_label


def test_evidence_page_lists_every_article_strongest_first(html):
    page = html("topics/by-evidence")
    headings = [h.get_text() for h in page.select(".kb-evidence-heading")]
    ranks = {b.label: b.rank for b in schema.EVIDENCE_BASES.values()}
    assert headings == sorted(headings, key=ranks.__getitem__)
    listed = [a.get_text() for a in page.select(".kb-evidence-group .kb-article-item-title a")]
    assert sorted(listed) == sorted(s.article.title for s in ARTICLES)


def test_every_term_link_lands_on_a_glossary_entry_with_its_definition(site, html):
    source = glossary.load()
    entries = {term_id for ids, _ in glossary_groups(html("glossary")) for term_id in ids}
    checked = 0
    for docname in all_docnames(site):
        page = html(docname)
        for link in page.select("a:has(> .std-term)"):
            target, fragment = resolve(docname, link["href"])
            assert target == "glossary", (docname, link["href"])
            assert fragment in entries, (docname, link["href"])
            # The tooltip says what the glossary's source says.
            term = html("glossary").find(id=fragment).get_text()
            tip = page.find(id=link["aria-describedby"])
            assert tip["role"] == "tooltip"
            expected = source.find(term.removesuffix("¶")).plain_definition
            assert tip.get_text().translate(STRAIGHT) == expected
            checked += 1
    assert checked >= 10


def glossary_groups(page: BeautifulSoup) -> list[tuple[list[str], BeautifulSoup]]:
    """Each entry of the glossary: (its terms' ids, headword first; its <dd>)."""
    groups, ids = [], []
    for child in page.select("dl.glossary > dt, dl.glossary > dd"):
        if child.name == "dt":
            ids.append(child["id"])
        else:
            groups.append((ids, child))
            ids = []
    return groups


def test_used_in_lists_link_back_to_every_page_using_a_term(site, html):
    groups = glossary_groups(html("glossary"))
    headword = {term_id: ids[0] for ids, _ in groups for term_id in ids}
    listed = {}
    for ids, dd in groups:
        used = dd.select_one(".kb-used-in")
        links = used.select("a") if used else []
        listed[ids[0]] = {resolve("glossary", a["href"])[0] for a in links}
    expected: dict[str, set[str]] = {ids[0]: set() for ids, _ in groups}
    for docname in all_docnames(site):
        if docname == "glossary":
            continue
        for link in html(docname).select("a:has(> .std-term)"):
            expected[headword[resolve(docname, link["href"])[1]]].add(docname)
    assert listed == expected
    assert any(listed.values())


def test_every_citation_lands_on_a_reference_entry(site, html):
    checked = 0
    for docname in all_docnames(site):
        for link in html(docname).select(".bibtex-citation a[href]"):
            target, fragment = resolve(docname, link["href"])
            entry = html(target).find(id=fragment)
            assert entry is not None and "citation" in entry.get("class", []), link
            checked += 1
    assert checked >= len(ARTICLES)


def test_search_index_has_the_key_terms(site):
    text = (site.html / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(re.search(r"Search\.setIndex\((.*)\)\s*$", text, re.S).group(1))
    stem = SearchEnglish({}).stem
    article_ids = {i for i, d in enumerate(index["docnames"]) if schema.is_article_docname(d)}
    for word in ("esketamine", "remission", "dissociation"):
        found = index["terms"].get(stem(word))
        assert found is not None, word
        pages = {found} if isinstance(found, int) else set(found)
        assert pages & article_ids, word


@pytest.mark.parametrize("source", ARTICLES, ids=lambda s: s.docname)
def test_article_has_description_opengraph_and_json_ld(html, source):
    article = source.article
    head = html(source.docname).head

    def meta(attribute: str, key: str) -> str:
        return head.find("meta", attrs={attribute: key})["content"]

    url = f"{kb_base_url()}{source.docname}.html"
    assert meta("name", "description") == article.summary
    assert meta("property", "og:description") == article.summary
    assert meta("property", "og:title") == article.title
    assert meta("property", "og:type") == "article"
    assert meta("property", "og:url") == url
    (script,) = head.find_all("script", type="application/ld+json")
    data = json.loads(script.string)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["name"] == article.title
    assert data["description"] == article.summary
    assert data.get("lastReviewed") == article.last_reviewed_text
    assert data["creativeWorkStatus"] == article.review_status_label
    assert data["url"] == url
    kinds = {a["audienceType"] for a in data["audience"]}
    assert {a["@type"] for a in data["audience"]} == {"MedicalAudience"}
    assert kinds == {"patient": {"Patient"}, "clinician": {"Clinician"}}.get(
        article.audience, {"Patient", "Clinician"}
    )


def test_every_page_has_a_description(site, html):
    for docname in all_docnames(site):
        if docname in ("search", "genindex"):
            continue
        tag = html(docname).head.find("meta", attrs={"name": "description"})
        assert tag is not None and tag["content"].strip(), docname


def kb_base_url() -> str:
    namespace: dict = {"__file__": str(paths.DOCS / "conf.py")}
    exec((paths.DOCS / "conf.py").read_text(encoding="utf-8"), namespace)
    return namespace["kb_base_url"].rstrip("/") + "/"


def test_sitemap_lists_every_page(site):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(site.html / "sitemap.xml").getroot()
    locs = [u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)]
    assert locs == sorted(locs)
    base = kb_base_url()
    assert all(loc.startswith(base) for loc in locs)
    listed = {loc.removeprefix(base) for loc in locs}
    pages = {
        p.relative_to(site.html).as_posix()
        for p in site.pages()
        if p.stem not in ("404", "search", "genindex")
    }
    assert listed == pages


def test_404_page_works_from_any_depth(site, html):
    page = html("404")
    assert page.head.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert page.h1.get_text(strip=True).removesuffix("¶") == "Page not found"
    for tag in page.find_all(["a", "link", "script", "form"]):
        url = tag.get("href") or tag.get("src") or tag.get("action")
        if url and not url.startswith(("#", "https:", "http:", "tel:", "mailto:")):
            assert url.startswith("/"), url
            local = site.html / urlsplit(url).path.lstrip("/")
            assert local.is_file(), url


def test_crisis_notice_and_disclaimer_on_every_page(site, html):
    for docname in all_docnames(site):
        page = html(docname)
        notice = page.select_one("aside.announcement-content")
        assert notice is not None, docname
        assert "988" in notice.get_text() and "In crisis?" in notice.get_text(), docname
        disclaimer = page.select_one("footer .kb-disclaimer")
        assert disclaimer is not None, docname
        assert "Not medical advice." in disclaimer.get_text(), docname


def test_site_loads_only_its_own_scripts_and_styles(site):
    for path in site.pages():
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for tag in page.find_all(["script", "link", "img", "iframe", "source"]):
            if tag.name == "link" and tag.get("rel") not in (["stylesheet"], ["icon"], ["preload"]):
                continue
            url = tag.get("src") or tag.get("href")
            if url:
                assert not urlsplit(url).netloc, f"{path.name}: {url}"


def test_kb_js_and_css_are_on_every_page(site):
    for path in site.pages():
        text = path.read_text(encoding="utf-8")
        assert re.search(r'<script src="[^"]*_static/kb\.js', text), path
        assert re.search(r'href="[^"]*_static/kb\.css', text), path
    assert (site.html / "_static" / "kb.js").is_file()

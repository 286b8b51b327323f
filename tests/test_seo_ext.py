"""The seo module of kb.sphinxext: meta description, OpenGraph, JSON-LD, sitemap."""

from __future__ import annotations

import json
import types
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from kb import bib, schema
from kb.sphinxext import seo

SUMMARY = 'A one-sentence summary written for these tests, with "quotes" & an ampersand.'
BASE = "https://kb.example.test/docs/"


def head(app, docname: str) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / f"{docname}.html").read_text(), "html.parser").head


def meta(page: BeautifulSoup, attribute: str, key: str) -> str | None:
    tag = page.find("meta", attrs={attribute: key})
    return tag["content"] if tag else None


@pytest.mark.sphinx("html", testroot="seo")
def test_article_meta_and_opengraph_come_from_front_matter(app):
    app.build()
    assert app.warning.getvalue() == ""
    page = head(app, "articles/sample")
    assert meta(page, "name", "description") == SUMMARY
    assert meta(page, "property", "og:description") == SUMMARY
    assert meta(page, "property", "og:title") == "A sample article"
    assert meta(page, "property", "og:type") == "article"
    assert meta(page, "property", "og:url") == BASE + "articles/sample.html"
    assert meta(page, "property", "og:site_name") == "Test site"
    assert meta(page, "property", "og:locale") == "en_US"


@pytest.mark.sphinx("html", testroot="seo")
def test_other_pages_are_described_by_their_first_paragraph(app):
    app.build()
    page = head(app, "index")
    description = "The first paragraph of the home page describes the site."
    assert meta(page, "name", "description") == description
    assert meta(page, "property", "og:type") == "website"
    assert page.find("script", type="application/ld+json") is None


@pytest.mark.sphinx("html", testroot="seo")
def test_articles_carry_a_medical_web_page(app):
    app.build()
    scripts = head(app, "articles/sample").find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    data = json.loads(scripts[0].string)
    assert data == {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": "A sample article",
        "headline": "A sample article",
        "description": SUMMARY,
        "creativeWorkStatus": "Draft: not yet reviewed",
        "lastReviewed": "2026-03-04",
        "audience": [
            {"@type": "MedicalAudience", "audienceType": "Patient"},
            {"@type": "MedicalAudience", "audienceType": "Clinician"},
        ],
        "inLanguage": "en",
        "url": BASE + "articles/sample.html",
        "isPartOf": {"@type": "WebSite", "name": "Test site", "url": BASE},
        "publisher": {"@type": "Organization", "name": "Test site", "url": BASE},
        "about": [
            {"@type": "MedicalCondition", "name": "Treatment-resistant depression"},
            {"@type": "Thing", "name": "Maintenance treatment"},
        ],
        # No bibliography in this root: no citation; not in git: no dates.
    }


@pytest.mark.sphinx("html", testroot="seo")
def test_one_viewport_tag_robots_txt_and_noindex(app):
    app.build()
    for page in ("index", "articles/sample", "search", "genindex"):
        assert len(head(app, page).find_all("meta", attrs={"name": "viewport"})) == 1, page
    for page in ("search", "genindex"):
        assert head(app, page).find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert head(app, "index").find("meta", attrs={"name": "robots"}) is None
    robots = (app.outdir / "robots.txt").read_text()
    assert robots == f"User-agent: *\nAllow: /\nSitemap: {BASE}sitemap.xml\n"


def test_citations_say_what_the_source_is(tmp_path):
    bibfile = tmp_path / "refs.bib"
    bibfile.write_text(
        "@misc{a, title = {A {TRD} study}, year = {2026}, howpublished = {A journal},\n"
        "  description = {News report on a study, 2026}, doi = {10.1/x}}\n"
        "@misc{b, note = {Title not recorded}}\n",
        encoding="utf-8",
    )
    # The records as sphinxcontrib-bibtex's domain holds them (its bibdata).
    parsed = bib.load(bibfile)
    domain = types.SimpleNamespace(bibdata=types.SimpleNamespace(data=parsed.data))
    app = types.SimpleNamespace(env=types.SimpleNamespace(get_domain=lambda name: domain))
    assert seo._citation(app, "a") == {
        "@type": "CreativeWork",
        "name": "A TRD study",
        "datePublished": "2026",
        "sameAs": "https://doi.org/10.1/x",
        "publisher": {"@type": "Organization", "name": "A journal"},
        "description": "News report on a study, 2026",
    }
    assert seo._citation(app, "b") == {
        "@type": "CreativeWork",
        "description": "Title not recorded",
    }
    assert seo._citation(app, "missing") is None


def test_og_locale_is_a_full_locale():
    assert seo.og_locale("en") == "en_US"
    assert seo.og_locale("pt-BR") == "pt_BR"


@pytest.mark.sphinx("html", testroot="seo")
def test_sitemap_lists_every_page_but_404(app):
    app.build()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    tree = ET.parse(app.outdir / "sitemap.xml")
    urls = [
        (u.findtext("s:loc", namespaces=ns), u.findtext("s:lastmod", namespaces=ns))
        for u in tree.getroot().findall("s:url", ns)
    ]
    assert urls == [
        (BASE + "articles/sample.html", "2026-03-04"),
        (BASE + "index.html", None),
        (BASE + "topics/maintenance.html", None),
    ]
    assert head(app, "404").find("meta", attrs={"name": "robots"})["content"] == "noindex"


def test_every_audience_has_a_schema_org_audience():
    assert set(seo.SCHEMA_ORG_AUDIENCES) == set(schema.AUDIENCES)


def test_long_descriptions_are_cut_at_a_word():
    text = "word " * 100
    short = seo.shorten(text)
    assert len(short) <= seo.MAX_DESCRIPTION
    assert short.endswith("word…")

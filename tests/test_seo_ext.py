"""The seo module of kb.sphinxext: meta description, OpenGraph, JSON-LD, sitemap."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from kb import schema
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
    assert meta(page, "property", "og:locale") == "en"


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
    }


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

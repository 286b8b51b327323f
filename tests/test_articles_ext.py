"""The articles module of kb.sphinxext: header, admonitions, lists, warnings."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup


def soup(app, docname: str) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / f"{docname}.html").read_text(), "html.parser")


@pytest.mark.sphinx("html", testroot="article-header")
def test_header_shows_every_field(app):
    app.build()
    assert app.warning.getvalue() == ""
    page = soup(app, "articles/nasal-spray-basics")
    header = page.select_one(".kb-article-header")
    foot = page.select_one(".kb-article-foot")
    text = header.get_text(" ", strip=True) + " " + foot.get_text(" ", strip=True)
    assert "A made-up page about a nasal spray, for tests." in text
    assert header.select_one(".kb-evidence-rct").get_text() == "Randomised controlled trial"
    assert "Patients and families" in text
    assert [a.get_text() for a in foot.select(".kb-fact-topics a")] == [
        "Esketamine (Spravato)",
        "Maintenance treatment",
    ]
    assert "Draft: not yet reviewed" in text
    assert "Last reviewed : 2 March 2026" in text
    assert "Next review due : 2 March 2027" in text


@pytest.mark.sphinx("html", testroot="article-header")
def test_admonitions_have_titles_and_classes(app):
    app.build()
    page = soup(app, "articles/nasal-spray-basics")
    takeaway = page.select_one(".admonition.kb-key-takeaway")
    note = page.select_one(".admonition.kb-evidence-note")
    assert takeaway.select_one(".admonition-title").get_text() == "Key points"
    assert [li.get_text(strip=True) for li in takeaway.select("li")] == [
        "first point",
        "second point",
    ]
    assert note.select_one(".admonition-title").get_text() == "Evidence quality note"


@pytest.mark.sphinx("html", testroot="article-header")
def test_lists_come_from_front_matter(app):
    app.build()
    index = soup(app, "articles/index")
    assert [a.get_text() for a in index.select(".kb-article-list .kb-article-item-title a")] == [
        "Nasal spray basics",
        "Staying well",
    ]
    esketamine = soup(app, "topics/esketamine")
    assert [a.get_text() for a in esketamine.select(".kb-article-item-title a")] == [
        "Nasal spray basics"
    ]
    evidence = soup(app, "topics/by-evidence")
    headings = [h.get_text() for h in evidence.select(".kb-evidence-heading")]
    assert headings == ["Randomised controlled trial", "Expert opinion"]  # strongest first


@pytest.mark.sphinx("html", testroot="article-header")
def test_related_articles_share_a_topic(app):
    app.build()
    related = soup(app, "articles/staying-well").select(".kb-related a")
    assert [a.get_text() for a in related] == ["Nasal spray basics"]


@pytest.mark.sphinx("html", testroot="bad-frontmatter")
def test_bad_front_matter_warns_with_file_line_and_subtype(app):
    app.build()
    warnings = app.warning.getvalue()
    assert "broken.md:4: WARNING: unknown audience 'everyone'" in warnings
    assert "[FM005] [kb.frontmatter]" in warnings
    assert "broken.md:8: WARNING: 'last_reviewed' must be an ISO date" in warnings
    assert "broken.md:11: WARNING: unknown front-matter key 'colour'" in warnings
    # No header is shown for metadata that did not validate.
    assert soup(app, "articles/broken").select_one(".kb-article-header") is None

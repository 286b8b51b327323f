"""The review ladder on the page: the header, the JSON-LD and the printed page
show the honest status, the review record, the disclosures, and "Not yet
reviewed" on a draft; the build warns about a status no record backs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup


def soup(app, docname: str) -> BeautifulSoup:
    return BeautifulSoup((Path(app.outdir) / f"{docname}.html").read_text(), "html.parser")


def facts(page: BeautifulSoup) -> dict[str, str]:
    # On HTML pages the facts list sits at the article's foot (kb.sphinxext.layout).
    header = page.select_one(".kb-article-foot")
    return {
        dt["class"][0]: dt.find_next_sibling("dd").get_text(" ", strip=True)
        for dt in header.select("dl.kb-facts > dt")
    }


@pytest.mark.sphinx("html", testroot="review-record")
def test_a_checked_page_shows_who_checked_what_and_when(app):
    app.build()
    assert app.warning.getvalue() == ""
    page = soup(app, "articles/checked")
    fact = facts(page)
    assert fact["kb-fact-review"] == (
        "Checked against its sources by the author; not yet reviewed by an editor or a clinician"
    )
    assert fact["kb-fact-author"] == "A made-up writer"
    assert fact["kb-fact-last-reviewed"] == "2 March 2026"
    assert fact["kb-fact-next-review"] == "2 March 2027"
    (record,) = page.select(".kb-fact-reviews + dd li")
    assert record.get_text(" ", strip=True) == (
        "Author's check against the sources, 2 March 2026, by A made-up writer: "
        'every statement against "the made-up source" & its notes'
    )
    # Markup in a record is the security policy's (tests/test_hostile.py).
    assert fact["kb-fact-disclosures"] == (
        "The made-up source is published by a group that sells the treatment."
    )
    (ld,) = page.find_all("script", type="application/ld+json")
    data = json.loads(ld.string)
    assert data["creativeWorkStatus"] == fact["kb-fact-review"]
    assert data["lastReviewed"] == "2026-03-02"


@pytest.mark.sphinx("html", testroot="review-record")
def test_a_draft_says_it_is_not_yet_reviewed(app):
    app.build()
    page = soup(app, "articles/draft")
    fact = facts(page)
    assert fact["kb-fact-review"] == "Draft: not yet reviewed"
    assert fact["kb-fact-last-reviewed"] == "Not yet reviewed"
    for absent in ("kb-fact-next-review", "kb-fact-reviews", "kb-fact-author"):
        assert absent not in fact
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert "lastReviewed" not in data
    assert data["creativeWorkStatus"] == "Draft: not yet reviewed"


@pytest.mark.sphinx("latex", testroot="review-record")
def test_the_printed_page_carries_the_same_record(app):
    app.build()
    book = Path(app.outdir, "projectnamenotset.tex").read_text(encoding="utf-8")
    for text in (
        "Checked against its sources by the author; not yet reviewed by an editor",
        "Not yet reviewed",
        "The made\\sphinxhyphen{}up source is published by a group",
    ):
        assert text in book, text


@pytest.mark.sphinx("html", testroot="review-ladder")
def test_the_build_warns_about_a_status_no_record_backs(app):
    app.build()
    warnings = app.warning.getvalue()
    lines = [line for line in warnings.splitlines() if "WARNING" in line]
    assert len(lines) == 2, warnings
    # The editorial record is by the author (spelt differently): no second person.
    assert "claims-a-review.md:9: WARNING: 'editorially-reviewed' needs an editorial" in warnings
    assert "other than 'A made-up writer'" in warnings
    assert "[REV003] [kb.review]" in warnings
    # next_review more than the policy's 12 months after last_reviewed.
    assert "claims-a-review.md:16: WARNING: next_review is more than the policy's 12" in warnings
    assert "[REV005] [kb.review]" in warnings
    # A clinical record naming a qualification backs "clinically reviewed".
    assert "clinical.md" not in warnings


@pytest.mark.sphinx("html", testroot="review-record")
def test_a_new_schema_discards_a_stale_pickled_environment(app):
    """Sphinx compares registered extensions' env_version with the pickle's."""
    from kb import schema
    from kb.sphinxext import env_version

    # The module that keeps Article objects on the environment (tests/test_env_version.py
    # shows an older pickle is then read again).
    versions = app.registry.get_envversion(app)
    assert versions["kb.sphinxext.articles"] == env_version(1)
    assert env_version(1) // 1000 == schema.SCHEMA_VERSION

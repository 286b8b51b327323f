"""kb.schema: the one definition of article metadata."""

from __future__ import annotations

import datetime as dt

import pytest

from kb import schema

GOOD = """\
---
title: A page
summary: Short and plain.
audience: both
topics: [esketamine, maintenance]
evidence_basis: clinical-overview
sources: [key-one]
last_reviewed: 2026-05-01
next_review: 2027-05-01
review_status: draft
---
# A page
"""


def test_good_front_matter_gives_an_article():
    article, problems = schema.load_article(GOOD)
    assert problems == []
    assert article.topics == ("esketamine", "maintenance")
    assert article.last_reviewed == dt.date(2026, 5, 1)
    assert article.evidence_label == "Clinical overview"
    assert article.for_patients


def test_round_trip_through_the_writer():
    article, _ = schema.load_article(GOOD)
    text = schema.front_matter_yaml(article.to_dict()) + "# A page\n"
    again, problems = schema.load_article(text)
    assert problems == [] and again == article


@pytest.mark.parametrize(
    ("replace", "by", "code", "line"),
    [
        ("audience: both", "audience: all", "FM005", 4),
        ("topics: [esketamine, maintenance]", "topics: [cats]", "FM005", 5),
        ("last_reviewed: 2026-05-01", "last_reviewed: May 2026", "FM004", 8),
        ("summary: Short and plain.", "summary: [a, b]", "FM003", 3),
        ("title: A page\n", "", "FM002", 1),
        ("review_status: draft", "review_status: draft\nreviewer: me", "FM006", 11),
        ("next_review: 2027-05-01", "next_review: 2026-01-01", "FM007", 9),
    ],
)
def test_each_problem_is_located(replace, by, code, line):
    article, problems = schema.load_article(GOOD.replace(replace, by))
    assert [(p.code, p.line) for p in problems] == [(code, line)]
    if code != "FM006":  # an unknown key is reported but does not void the page
        assert article is None


def test_malformed_yaml_names_its_line():
    _, problems = schema.load_article("---\ntitle: a\nsummary: [unclosed\n---\n")
    assert problems[0].code == "FM000"
    assert problems[0].line >= 3


def test_missing_front_matter():
    _, problems = schema.load_article("# Just a heading\n")
    assert [p.code for p in problems] == ["FM001"]


def test_articles_are_pages_in_the_articles_folder():
    assert schema.is_article_docname("articles/some-page")
    assert not schema.is_article_docname("articles/index")
    assert not schema.is_article_docname("topics/esketamine")

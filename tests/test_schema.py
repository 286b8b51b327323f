"""kb.schema: the one definition of article metadata."""

from __future__ import annotations

import datetime as dt

import pytest

from kb import ladder as kb_ladder
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


# -- Review records, the ladder and the defaults ----------------------------------------

CHECKED = GOOD.replace(
    "review_status: draft\n",
    """author: A writer
review_status: author-checked
reviews:
- kind: author-check
  by: A writer
  date: 2026-05-01
  checked: every statement against the source
disclosures:
- The source's publisher favours the treatment.
""",
)


def ladder(text: str, today: dt.date | None = None) -> list[tuple[str, int]]:
    front = schema.split_front_matter(text)
    article, problems = schema.validate(front)
    assert article is not None, problems
    return [(p.code, p.line) for p in kb_ladder.review_problems(article, front, today)]


def test_a_review_record_becomes_a_review():
    article, problems = schema.load_article(CHECKED)
    assert problems == []
    (review,) = article.reviews
    assert review == schema.Review(
        "author-check", "A writer", dt.date(2026, 5, 1), "every statement against the source"
    )
    assert article.author == "A writer"
    assert article.disclosures == ("The source's publisher favours the treatment.",)
    assert article.latest_review == review
    assert article.review_status_label.startswith("Checked against its sources by the author")
    assert ladder(CHECKED, dt.date(2026, 6, 1)) == []


def test_round_trip_keeps_the_records():
    article, _ = schema.load_article(CHECKED)
    again, problems = schema.load_article(schema.front_matter_yaml(article.to_dict()) + "# A\n")
    assert problems == [] and again == article


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ("- kind: clinical\n  by: Dr A\n  date: 2026-05-01\n  checked: doses", "qualification"),
        ("- kind: peer\n  by: A\n  date: 2026-05-01\n  checked: x", "unknown kind 'peer'"),
        ("- kind: editorial\n  by: A\n  date: 2026-02-30\n  checked: x", "ISO date"),
        ("- kind: editorial\n  by: A\n  date: 2026-05-01", "add checked"),
        ("- kind: editorial\n  by: A\n  when: 2026-05-01\n  checked: x", "unknown field 'when'"),
        ("- just text", "write it as"),
    ],
)
def test_a_bad_review_record_is_located_at_its_item(record, message):
    text = GOOD.replace("review_status: draft\n", f"review_status: draft\nreviews:\n{record}\n")
    article, problems = schema.load_article(text)
    assert article is None
    (problem,) = problems
    assert problem.code == "FM008" and message in problem.message
    assert problem.line == text.splitlines().index(record.splitlines()[0]) + 1


def test_the_status_ladder_needs_the_record_it_claims():
    editorial = CHECKED.replace(
        "review_status: author-checked", "review_status: editorially-reviewed"
    )
    line = editorial.splitlines().index("review_status: editorially-reviewed") + 1
    assert ladder(editorial) == [("REV003", line)]  # only the author's own check
    by_editor = editorial.replace(
        "disclosures:",
        "- kind: editorial\n  by: An editor\n  date: 2026-05-01\n  checked: the sources\n"
        "disclosures:",
    )
    assert ladder(by_editor) == []
    by_author = by_editor.replace("by: An editor", "by: a  WRITER")
    assert ladder(by_author) == [("REV003", line)]  # the same person, spelt otherwise
    no_author = by_editor.replace("author: A writer\n", "")
    assert [code for code, _ in ladder(no_author)] == ["REV003"]
    clinical = CHECKED.replace(
        "review_status: author-checked", "review_status: clinically-reviewed"
    )
    assert [code for code, _ in ladder(clinical)] == ["REV003"]
    someone_else = CHECKED.replace("  by: A writer", "  by: Someone else")
    assert [code for code, _ in ladder(someone_else)] == ["REV003"]


def test_review_dates_follow_the_records_and_the_policy():
    assert schema.review_due(dt.date(2026, 5, 1)) == dt.date(2027, 5, 1)
    assert f"{schema.REVIEW_INTERVAL_MONTHS} months" == schema.REVIEW_INTERVAL_TEXT
    # A date with no record behind it.
    assert [c for c, _ in ladder(GOOD)] == ["REV006"]
    # last_reviewed is not the newest record's date.
    assert [c for c, _ in ladder(CHECKED.replace("2026-05-01\nnext", "2026-05-02\nnext"))] == [
        "REV006"
    ]
    # next_review beyond the interval; missing; or set on a page never reviewed.
    late = CHECKED.replace("next_review: 2027-05-01", "next_review: 2027-05-02")
    assert [c for c, _ in ladder(late)] == ["REV005"]
    no_due = CHECKED.replace("next_review: 2027-05-01\n", "")
    assert [c for c, _ in ladder(no_due)] == ["REV005"]
    draft = GOOD.replace("last_reviewed: 2026-05-01\n", "")
    assert [c for c, _ in ladder(draft)] == ["REV005"]
    # In the future, as of a given day only (the build passes none).
    assert ladder(CHECKED, dt.date(2026, 4, 30)) == [("REV004", 8)]
    assert ladder(CHECKED) == []


def test_a_new_page_is_a_draft_with_no_review_date():
    values = schema.new_front_matter(
        "A title", summary="A summary.", topics=["maintenance"], evidence_basis="rct"
    )
    assert values["review_status"] == "draft"
    assert not {"last_reviewed", "next_review", "reviews"} & set(values)
    article, problems = schema.load_article(schema.front_matter_yaml(values) + "# A\n")
    assert problems == [] and article.last_reviewed is None
    front = schema.split_front_matter(schema.front_matter_yaml(values))
    assert kb_ladder.review_problems(article, front, dt.date(2026, 1, 1)) == []


def test_add_review_raises_the_status_and_sets_the_dates():
    values = schema.new_front_matter(
        "A title", summary="A summary.", topics=["maintenance"], evidence_basis="rct",
        sources=["key-one"], author="A writer",
    )  # fmt: skip
    record = schema.Review("author-check", "A writer", dt.date(2026, 5, 1), "the sources")
    schema.add_review(values, record)
    assert values["review_status"] == "author-checked"
    assert values["last_reviewed"] == dt.date(2026, 5, 1)
    assert values["next_review"] == dt.date(2027, 5, 1)
    text = schema.front_matter_yaml(values) + "# A\n"
    article, problems = schema.load_article(text)
    assert problems == [] and article.reviews == (record,)
    assert ladder(text, dt.date(2026, 5, 1)) == []


def test_an_older_pickled_article_still_answers_every_attribute():
    """Fields added later have defaults, read from the class when a pickle lacks them."""
    article, _ = schema.load_article(GOOD)
    old = object.__new__(schema.Article)
    state = {k: v for k, v in vars(article).items() if k not in ("author", "reviews")}
    object.__setattr__(old, "__dict__", state)
    assert old.author == "" and old.reviews == () and old.latest_review is None


def test_the_editorial_policy_states_the_review_interval():
    """The interval is defined once (kb.schema); the policy page quotes it."""
    from kb import paths

    policy = (paths.DOCS / "about" / "editorial-policy.md").read_text(encoding="utf-8")
    assert f"every {schema.REVIEW_INTERVAL_TEXT}" in " ".join(policy.split())

"""kb new: a new article has every required part, each marked TODO; kb check
rejects it until they are written; an existing page is never overwritten."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from conftest import sphinx_build

from kb import cli, lint, scaffold, schema

KB = Path(__file__).parent / "fixtures" / "lint" / "kb"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A throwaway copy of the linter's tiny knowledge base."""
    copy = tmp_path / "kb"
    shutil.copytree(KB, copy)
    return copy


def new(root: Path, *args: str) -> int:
    return cli.main(["new", *args, "--root", str(root)])


def test_new_page_has_every_part_and_valid_front_matter(root, capsys):
    assert new(root, "Nasal spray: a first visit", "--topics", "esketamine,maintenance") == 0
    path = root / "docs" / "articles" / "nasal-spray-a-first-visit.md"
    assert str(path) in capsys.readouterr().out
    text = path.read_text(encoding="utf-8")

    front = schema.split_front_matter(text)
    assert list(front.data) == list(schema.new_front_matter("x", summary="y"))
    assert front.data["title"] == "Nasal spray: a first visit"
    assert front.data["topics"] == ["esketamine", "maintenance"]
    assert front.data["audience"] == "both"
    assert front.data["review_status"] == "draft"
    # A draft: no review record and no review date ("Not yet reviewed").
    for unset in ("reviews", "last_reviewed", "next_review"):
        assert unset not in front.data

    body = text[text.index("\n---\n") + 5 :]
    assert "\n# Nasal spray: a first visit\n" in body
    for part in (":::{key-takeaway}", ":::{evidence-note}", "## References", ":::{bibliography}"):
        assert part in body
    assert ":filter: docname in docnames" in body


def test_kb_check_rejects_the_new_page_until_each_todo_is_written(root, capsys):
    new(root, "A new page", "--topics", "esketamine", "--evidence-basis", "rct")
    path = root / "docs" / "articles" / "a-new-page.md"
    text = path.read_text(encoding="utf-8")
    found = lint.check([path], root=root).findings
    todo_lines = [i for i, line in enumerate(text.splitlines(), 1) if "TODO" in line]
    assert [f.line for f in found if f.code == "TODO001"] == todo_lines
    assert {f.code for f in found if f.severity == "error"} == {"TODO001"}
    assert cli.main(["check", "--root", str(root), str(path)]) == 1

    # An editor writes each part (each TODO and the lines it spans): then the page passes.
    written = text
    for pattern, replacement in [
        (r"summary: .*", "summary: A short page for the tests."),
        (r"- TODO", "- fixtureTrial2020"),
        (r"## TODO: .*", "## What it says"),
        (r"TODO: the lead .*\n.*", "A page that tests kb new {cite:p}`fixtureTrial2020`."),
        (r"TODO: write this section.*\n.*\n.*", "Plain text."),
        (r"TODO: the one thing .*", "Keep this."),
        (r"TODO: how strong .*\n.*", "Made up, for the tests."),
    ]:
        written = re.sub(pattern, replacement, written, count=1)
    assert "TODO" not in written
    path.write_text(written, encoding="utf-8")
    found = lint.check([path], root=root).findings
    assert [f for f in found if f.severity != "info"] == []


def test_without_topics_or_evidence_they_are_left_to_do(root):
    new(root, "Another page")
    path = root / "docs" / "articles" / "another-page.md"
    front = schema.split_front_matter(path.read_text(encoding="utf-8"))
    assert front.data["topics"] == ["TODO"]
    assert front.data["evidence_basis"] == "TODO"
    codes = {f.code for f in lint.check([path], root=root).findings}
    assert {"TODO001", "FM005"} <= codes


def test_never_overwrites_an_existing_page(root, capsys):
    path = root / "docs" / "articles" / "good.md"
    before = path.read_bytes()
    assert new(root, "Something else", "--slug", "good") == 1
    assert "already exists" in capsys.readouterr().err
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["good.md"]  # no temporary left


@pytest.mark.parametrize(
    "args",
    [
        ["Title", "--topics", "esketamine,no-such-topic"],
        ["Title", "--slug", "Not A Slug"],
        ["   "],
    ],
)
def test_bad_arguments_are_usage_errors(root, args, capsys):
    assert new(root, *args) == 2
    assert capsys.readouterr().err.startswith("kb new: ")
    assert sorted(p.name for p in (root / "docs" / "articles").iterdir()) == ["good.md"]


def test_unknown_audience_is_rejected_by_the_parser(root):
    with pytest.raises(SystemExit) as exc:
        new(root, "Title", "--audience", "everyone")
    assert exc.value.code == 2


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Esketamine: what to expect", "esketamine-what-to-expect"),
        ("Ketamine & the brain?", "ketamine-the-brain"),
        ("Café — naïve “quotes”", "cafe-naive-quotes"),
    ],
)
def test_slugify(title, slug):
    assert scaffold.slugify(title) == slug


@pytest.mark.parametrize(
    ("day", "later"),
    [
        (dt.date(2026, 3, 1), dt.date(2027, 3, 1)),
        (dt.date(2028, 2, 29), dt.date(2029, 2, 28)),
    ],
)
def test_the_review_interval_is_twelve_months(day, later):
    assert schema.review_due(day) == later


@pytest.mark.slow
def test_new_page_builds_strictly_once_topics_and_evidence_are_given(root, tmp_path):
    """Contributors preview a draft while writing it; only kb check rejects it."""
    new(root, "A draft to preview", "--topics", "esketamine", "--evidence-basis", "rct")
    warnings = sphinx_build(root / "docs", tmp_path / "out")
    assert warnings == ""
    html = (tmp_path / "out" / "html" / "articles" / "a-draft-to-preview.html").read_text()
    assert "Key takeaway" in html and "Evidence quality note" in html

"""kb reviews and the weekly workflow that reports pages due for review: the
calendar shows up here, never in kb check's verdict on a pull request."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from kb import cli, paths

KB = Path(__file__).parent / "fixtures" / "lint" / "kb"
BAD = Path(__file__).parent / "fixtures" / "lint" / "bad"
WORKFLOW = paths.ROOT / ".github" / "workflows" / "review-due.yml"


def knowledge_base(tmp_path: Path) -> Path:
    """The lint fixture's knowledge base, with an overdue page, one due soon,
    a draft and a page whose front matter does not validate."""
    root = tmp_path / "kb"
    shutil.copytree(KB, root)
    articles = root / "docs" / "articles"
    shutil.copy(BAD / "rev001-review-overdue.md", articles / "overdue.md")  # due 2026-02-01
    shutil.copy(BAD / "rev002-review-due-soon.md", articles / "soon.md")  # due 2026-04-15
    shutil.copy(BAD / "fm004-bad-date.md", articles / "broken.md")
    draft = (articles / "good.md").read_text(encoding="utf-8")
    draft = re.sub(r"(?m)^(last_reviewed|next_review|reviews): .*\n", "", draft)
    draft = draft.replace("review_status: author-checked", "review_status: draft")
    (articles / "draft.md").write_text(draft.replace("passes every check", "| is a draft"))
    return root


def report(capsys, root: Path, *args: str) -> tuple[int, str, str]:
    code = cli.main(["reviews", "--root", str(root), "--today", "2026-03-01", *args])
    out, err = capsys.readouterr()
    return code, out, err


def section(text: str, title: str) -> str:
    match = re.search(rf"^## {title}: \d+\n(.*?)(?=^## |\Z|^Up to date)", text, re.M | re.S)
    assert match, title
    return match.group(0)


def test_the_report_groups_pages_by_what_needs_doing(tmp_path, capsys):
    root = knowledge_base(tmp_path)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    code, out, err = report(capsys, root)
    assert code == 0  # a report: kb check is what fails
    assert out.startswith("# Pages due for review, as of 2026-03-01\n")
    assert "`docs/articles/overdue.md`" in section(out, "Overdue")
    assert "| 2026-02-01 |" in section(out, "Overdue")
    assert "`docs/articles/soon.md`" in section(out, "Due within 60 days")
    never = section(out, "Not yet reviewed")
    assert "`docs/articles/draft.md`" in never and "| Not yet reviewed | - |" in never
    # Text from front matter cannot break the table.
    assert r"A page that \| is a draft" in never
    assert "- `docs/articles/broken.md`" in section(out, "Cannot be read")
    assert "Up to date: 1." in out  # good.md, next review 2027-01-15
    assert "1 overdue, 1 due soon, 1 not yet reviewed, 1 up to date" in err
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_the_day_is_an_option_so_the_report_is_reproducible(tmp_path, capsys):
    root = knowledge_base(tmp_path)
    code = cli.main(["reviews", "--root", str(root), "--today", "2027-03-01"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "## Overdue: 3" in out  # good.md is overdue too, a year on


def test_the_report_is_appended_to_a_job_summary(tmp_path, capsys):
    root = knowledge_base(tmp_path)
    summary = tmp_path / "summary.md"
    summary.write_text("Earlier step.\n", encoding="utf-8")
    assert report(capsys, root, "--output", str(summary))[0] == 0
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("Earlier step.\n# Pages due for review")


def test_the_weekly_workflow_reports_with_least_privilege():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML reads the key "on" as true
    assert triggers["schedule"] and "workflow_dispatch" in triggers
    assert "pull_request" not in triggers
    assert workflow["permissions"] == {}
    for job in workflow["jobs"].values():
        assert job["permissions"] == {"contents": "read"}
        runs = [step.get("run", "") for step in job["steps"]]
        assert any('kb reviews --output "$GITHUB_STEP_SUMMARY"' in run for run in runs)
        checkouts = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@")]
        assert all(s["with"]["persist-credentials"] is False for s in checkouts)
    for action, comment in re.findall(r"uses:\s*(\S+)(.*)", WORKFLOW.read_text()):
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r"\s*# v\d+(\.\d+)*", comment), action

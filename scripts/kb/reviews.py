"""``kb reviews``: which articles are due for review, as of a given day.

The scheduled workflow ``.github/workflows/review-due.yml`` runs it every week
and shows the report in the run's summary, so that review deadlines are seen
without making unrelated pull requests fail (``kb check`` and the tests check
pages as of a fixed date, never the calendar).

Every article is listed in one of four groups, most urgent first:

- overdue: ``next_review`` has passed;
- due soon: within the notice period ``kb check`` warns about (REV002);
- not yet reviewed: drafts with no review record and no review date;
- up to date (counted, not listed).

Pages whose front matter does not validate are listed too ("cannot be read"):
``kb check`` says why. The report never changes a file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

from kb import schema
from kb.lint import find_root
from kb.lint.pages import REVIEW_NOTICE


@dataclass(frozen=True)
class Row:
    path: str
    title: str
    status: str  # the reader-facing label
    last_reviewed: dt.date | None
    next_review: dt.date | None


@dataclass
class Report:
    today: dt.date
    overdue: list[Row]
    due_soon: list[Row]
    never_reviewed: list[Row]
    unreadable: list[str]
    up_to_date: int

    @property
    def needs_attention(self) -> bool:
        return bool(self.overdue or self.due_soon or self.never_reviewed or self.unreadable)


def collect(root: Path, today: dt.date) -> Report:
    """Read every article's front matter under ``root``/docs/articles."""
    report = Report(today, [], [], [], [], 0)
    folder = root / "docs" / schema.ARTICLES_DIR
    for path in sorted(folder.glob("*.md")):
        if not schema.is_article_docname(f"{schema.ARTICLES_DIR}/{path.stem}"):
            continue
        shown = path.relative_to(root).as_posix()
        try:
            article, _ = schema.load_article(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            article = None
        if article is None:
            report.unreadable.append(shown)
            continue
        row = Row(
            shown,
            article.title,
            article.review_status_label,
            article.last_reviewed,
            article.next_review,
        )
        due = article.next_review
        if article.last_reviewed is None or due is None:
            report.never_reviewed.append(row)
        elif due < today:
            report.overdue.append(row)
        elif due - today <= REVIEW_NOTICE:
            report.due_soon.append(row)
        else:
            report.up_to_date += 1
    report.overdue.sort(key=lambda r: (r.next_review, r.path))
    report.due_soon.sort(key=lambda r: (r.next_review, r.path))
    return report


def _cell(text: str) -> str:
    """Front-matter text as one Markdown table cell (it comes from pull requests)."""
    text = " ".join(text.split())
    for char in "\\|`*_[]<>":
        text = text.replace(char, "\\" + char)
    return text


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day else schema.NOT_YET_REVIEWED


def markdown(report: Report) -> str:
    """The report as GitHub-flavoured Markdown (a job summary)."""
    out = [f"# Pages due for review, as of {report.today.isoformat()}", ""]
    groups = (
        ("Overdue", report.overdue, "review the page against its sources"),
        (
            f"Due within {REVIEW_NOTICE.days} days",
            report.due_soon,
            "plan the review",
        ),
        (
            "Not yet reviewed",
            report.never_reviewed,
            "check the draft against its sources, then add its review record",
        ),
    )
    for title, rows, what in groups:
        out.append(f"## {title}: {len(rows)}")
        out.append("")
        if not rows:
            out += ["None.", ""]
            continue
        out.append(f"What to do: {what}.")
        out.append("")
        out.append("| Page | Title | Status | Last reviewed | Next review due |")
        out.append("|---|---|---|---|---|")
        for row in rows:
            cells = (
                f"`{row.path}`",
                _cell(row.title),
                _cell(row.status),
                _date(row.last_reviewed),
                row.next_review.isoformat() if row.next_review else "-",
            )
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    if report.unreadable:
        out.append(f"## Cannot be read: {len(report.unreadable)}")
        out.append("")
        out.append("Their front matter does not validate; `kb check` says why.")
        out.append("")
        out += [f"- `{path}`" for path in report.unreadable]
        out.append("")
    out.append(f"Up to date: {report.up_to_date}.")
    return "\n".join(out) + "\n"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the day deadlines are measured from (default: today)",
    )
    p.add_argument(
        "--root",
        type=Path,
        help="the knowledge base (default: the one around the current folder)",
    )
    p.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="append the Markdown report to FILE (for example $GITHUB_STEP_SUMMARY) "
        "instead of printing it",
    )


def main(args: argparse.Namespace) -> int:
    root = args.root if args.root is not None else find_root()
    if not (root / "docs" / schema.ARTICLES_DIR).is_dir():
        print(f"kb reviews: {root} has no docs/{schema.ARTICLES_DIR}/ folder", file=sys.stderr)
        return 2
    report = collect(root, args.today or dt.date.today())
    text = markdown(report)
    if args.output is None:
        sys.stdout.write(text)
    else:
        # Appending (never overwriting): a job summary file is shared by all steps.
        with args.output.open("a", encoding="utf-8") as out:
            out.write(text)
    counts = (
        f"{len(report.overdue)} overdue, {len(report.due_soon)} due soon, "
        f"{len(report.never_reviewed)} not yet reviewed, {report.up_to_date} up to date"
    )
    print(f"kb reviews: {counts}", file=sys.stderr)
    return 0

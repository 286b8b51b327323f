"""The review ladder: a page's review status is backed by its review records,
and its review dates follow them and the editorial policy (codes REV003-REV006).

kb check runs every rule, as of a given day; the Sphinx build runs those that
do not depend on the day (kb.sphinxext.articles), so that its output never
depends on the calendar. The statuses, record kinds and interval are
:mod:`kb.schema`'s.
"""

from __future__ import annotations

import datetime as dt

from kb.frontmatter import FrontMatter, Problem
from kb.schema import (
    NOT_YET_REVIEWED,
    REVIEW_INTERVAL_TEXT,
    REVIEW_NEEDS,
    Article,
    review_due,
)


def _same_person(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def review_problems(
    article: Article, fm: FrontMatter, today: dt.date | None = None
) -> list[Problem]:
    """The review ladder and the review dates (codes REV003-REV006).

    - a status above draft is backed by its review record (REVIEW_NEEDS): an
      editorial review by someone other than the author, a clinical review
      that names the reviewer's qualification;
    - ``last_reviewed`` is the date of the newest record (none without one),
      and ``next_review`` at most REVIEW_INTERVAL_MONTHS after it;
    - with ``today``: no date in the future (the build passes no date, so
      that its output never depends on the calendar).
    """
    problems: list[Problem] = []

    def add(code: str, key: str, message: str, where: tuple[int, int] | None = None) -> None:
        problems.append(Problem(code, *(where or fm.key_lines.get(key, (1, 1))), message))

    status, author = article.review_status, article.author
    needed = REVIEW_NEEDS.get(status)
    if needed is not None:
        records = [r for r in article.reviews if r.kind == needed]
        if needed == "author-check" and author:
            records = [r for r in records if _same_person(r.by, author)]
        if needed == "editorial":
            if not author:
                records = []
                why = (
                    f"'{status}' needs the page's author in 'author', so that the "
                    "editorial review can be seen to be by someone else"
                )
            else:
                records = [r for r in records if not _same_person(r.by, author)]
                why = (
                    f"'{status}' needs an editorial review record by someone other than {author!r}"
                )
        elif needed == "clinical":
            why = f"'{status}' needs a clinical review record naming the reviewer's qualification"
        else:
            who = f" by {author!r}" if author else ""
            why = f"'{status}' needs an author-check review record{who}"
        if not records:
            add(
                "REV003",
                "review_status",
                f"{why}: add the record under 'reviews' (kind, by, date, checked), or set "
                "review_status to the status the records support (never add a record "
                "for a review that did not happen)",
            )

    newest = article.latest_review
    last, due = article.last_reviewed, article.next_review
    if newest is None and last is not None:
        add(
            "REV006",
            "last_reviewed",
            "last_reviewed is set but there is no review record: remove it (a draft shows "
            f"'{NOT_YET_REVIEWED}') or add the record of the review under 'reviews'",
        )
    elif newest is not None and last != newest.date:
        add(
            "REV006",
            "last_reviewed" if last else "reviews",
            f"last_reviewed must be the date of the newest review record, "
            f"{newest.date.isoformat()}: set last_reviewed: {newest.date.isoformat()}",
        )
    if last is not None:
        latest = review_due(last)
        if due is None:
            add(
                "REV005",
                "last_reviewed",
                f"add next_review: at most {REVIEW_INTERVAL_TEXT} after last_reviewed "
                f"(by {latest.isoformat()})",
            )
        elif due > latest:
            add(
                "REV005",
                "next_review",
                f"next_review is more than the policy's {REVIEW_INTERVAL_TEXT} after "
                f"last_reviewed: set it on or before {latest.isoformat()}",
            )
    elif due is not None:
        add(
            "REV005",
            "next_review",
            "next_review is set but the page has never been reviewed: remove it, or add "
            "the review record and last_reviewed",
        )
    if today is not None:
        if last is not None and last > today:
            add(
                "REV004",
                "last_reviewed",
                f"last_reviewed {last.isoformat()} is in the future (today is "
                f"{today.isoformat()}): use the date the review happened",
            )
        items = fm.item_lines.get("reviews", [])
        for n, record in enumerate(article.reviews):
            # A record dated like last_reviewed is reported there, once.
            if record.date > today and record.date != last:
                add(
                    "REV004",
                    "reviews",
                    f"review record {n + 1} is dated {record.date.isoformat()}, in the future "
                    f"(today is {today.isoformat()}): use the date the review happened",
                    items[n] if n < len(items) else None,
                )
    return problems

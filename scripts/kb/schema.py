"""Article metadata: the single source of truth.

Every part of the project reads an article's front matter through this module:
the Sphinx extension (page header, topic pages, JSON-LD, handouts), the linter,
the importer and the scaffold. Adding a field or a vocabulary entry is one
change here, so their messages and output can never disagree.

This module depends only on PyYAML so that the linter and importer stay fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# -- Vocabularies -------------------------------------------------------------
# Each maps the value written in front matter to what readers see.

AUDIENCES: dict[str, str] = {
    "patient": "Patients and families",
    "clinician": "Clinicians",
    "both": "Patients, families and clinicians",
}

#: Audiences whose pages must pass the plain-language check.
PATIENT_AUDIENCES = frozenset({"patient", "both"})

#: The review ladder, lowest first: what each status tells a reader. A status
#: above "draft" needs a review record (REVIEW_NEEDS); kb check enforces it.
REVIEW_STATUSES: dict[str, str] = {
    "draft": "Draft: not yet reviewed",
    "author-checked": "Checked against its sources by the author; not yet reviewed "
    "by an editor or a clinician",
    "editorially-reviewed": "Editorially reviewed: checked against its sources by an "
    "editor other than the author; not yet reviewed by a clinician",
    "clinically-reviewed": "Clinically reviewed: checked by a named, qualified clinician",
}

#: What a page shows (header, handout) where it has no review date.
NOT_YET_REVIEWED = "Not yet reviewed"

#: The kinds of review record, and how a page names them.
REVIEW_KINDS: dict[str, str] = {
    "author-check": "Checked against its sources by the author",
    "editorial": "Editorial review",
    "clinical": "Clinical review",
}

#: Status -> the kind of review record it needs.
REVIEW_NEEDS: dict[str, str] = {
    "author-checked": "author-check",
    "editorially-reviewed": "editorial",
    "clinically-reviewed": "clinical",
}

#: The editorial policy's review interval: ``next_review`` is at most this many
#: months after ``last_reviewed``. docs/about/editorial-policy.md quotes it
#: (REVIEW_INTERVAL_TEXT); change both together.
REVIEW_INTERVAL_MONTHS = 12
REVIEW_INTERVAL_TEXT = "12 months"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (31 January + 1 month -> 28/29 February)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def review_due(last_reviewed: dt.date) -> dt.date:
    """The latest ``next_review`` the policy allows after a review."""
    return add_months(last_reviewed, REVIEW_INTERVAL_MONTHS)


@dataclass(frozen=True)
class EvidenceBasis:
    label: str
    #: 1 is the strongest kind of evidence; used to order the evidence page.
    rank: int
    description: str


EVIDENCE_BASES: dict[str, EvidenceBasis] = {
    "meta-analysis": EvidenceBasis(
        "Meta-analysis",
        1,
        "Pools the results of several studies with statistical methods.",
    ),
    "systematic-review": EvidenceBasis(
        "Systematic review",
        2,
        "Searches for and appraises all studies on a question, with a stated method.",
    ),
    "rct": EvidenceBasis(
        "Randomised controlled trial",
        3,
        "A study that assigns people to treatments by chance and compares outcomes.",
    ),
    "observational-study": EvidenceBasis(
        "Observational study",
        4,
        "Follows people who chose or received a treatment, without assigning it.",
    ),
    "clinical-guideline": EvidenceBasis(
        "Clinical guideline",
        5,
        "Recommendations issued by a professional body.",
    ),
    "clinical-overview": EvidenceBasis(
        "Clinical overview",
        6,
        "An article that summarises current practice; not a study in itself.",
    ),
    "expert-opinion": EvidenceBasis(
        "Expert opinion",
        7,
        "The views of clinicians or researchers, not a study in itself.",
    ),
}


@dataclass(frozen=True)
class Topic:
    label: str
    description: str


TOPICS: dict[str, Topic] = {
    "esketamine": Topic(
        "Esketamine (Spravato)",
        "The nasal-spray form of ketamine approved for treatment-resistant depression.",
    ),
    "ketamine-treatment": Topic(
        "Low-dose ketamine treatment",
        "How low-dose ketamine is given for depression and how it differs from "
        "older antidepressants.",
    ),
    "treatment-goals": Topic(
        "Treatment goals",
        "Response, remission and what a good outcome looks like.",
    ),
    "access-and-cost": Topic(
        "Access and cost",
        "Where treatment is given, the rules around it, and insurance.",
    ),
    "side-effects-and-safety": Topic(
        "Side effects and safety",
        "What a treatment session can feel like, and what is monitored.",
    ),
    "maintenance": Topic(
        "Maintenance treatment",
        "Keeping the benefit after a first course of treatment.",
    ),
    "shared-decision-making": Topic(
        "Shared decision-making",
        "Choosing a treatment together with a clinician, based on what matters to you.",
    ),
    "suicidal-thoughts": Topic(
        "Suicidal thoughts",
        "Rapid-acting treatment when depression comes with thoughts of suicide.",
    ),
}

# -- The schema ---------------------------------------------------------------

#: The folder (relative to docs/) whose pages are articles.
ARTICLES_DIR = "articles"

#: Marker that ``kb new`` leaves in every part still to be written.
TODO_MARKER = "TODO"

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # "str", "list[str]", "date" or a vocabulary name
    help: str
    required: bool = True


VOCABULARIES: dict[str, dict[str, Any]] = {
    "audience": AUDIENCES,
    "evidence_basis": EVIDENCE_BASES,
    "review_status": REVIEW_STATUSES,
    "topics": TOPICS,
}

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("title", "str", "the article's title, as shown in its heading"),
    FieldSpec("summary", "str", "one plain-language sentence that sums up the article"),
    FieldSpec("audience", "audience", "who the page is written for"),
    FieldSpec("topics", "list[topics]", "one or more topics from the vocabulary"),
    FieldSpec(
        "evidence_basis",
        "evidence_basis",
        "the kind of source the article rests on",
    ),
    FieldSpec("sources", "list[str]", "the references.bib keys of the article's sources"),
    FieldSpec("author", "str", "who wrote the page (a name or a role)", required=False),
    FieldSpec("review_status", "review_status", "how far the page has been reviewed"),
    FieldSpec(
        "reviews",
        "reviews",
        "the review records: kind, by, date, checked (and qualification for clinical)",
        required=False,
    ),
    FieldSpec(
        "last_reviewed",
        "date",
        "the date of the newest review record (YYYY-MM-DD); none on a draft",
        required=False,
    ),
    FieldSpec(
        "next_review",
        "date",
        f"when the next review is due, at most {REVIEW_INTERVAL_TEXT} after last_reviewed",
        required=False,
    ),
    FieldSpec(
        "disclosures",
        "list[str]",
        "sponsorship, the stance of a source's publisher, conflicts of interest",
        required=False,
    ),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)


#: The fields of one review record, and whether each is required.
REVIEW_FIELDS: dict[str, bool] = {
    "kind": True,
    "by": True,
    "date": True,
    "checked": True,
    "qualification": False,  # required for clinical reviews
}


@dataclass(frozen=True)
class Review:
    """One review record: who checked what, when, and in what capacity."""

    kind: str  # a REVIEW_KINDS key
    by: str  # a name or a role
    date: dt.date
    checked: str  # what was checked, in the reviewer's words
    qualification: str = ""  # the clinical reviewer's qualification

    @property
    def kind_label(self) -> str:
        return REVIEW_KINDS[self.kind]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "by": self.by,
            "date": self.date,  # YAML writes a date unquoted
            "checked": self.checked,
        }
        if self.qualification:
            data["qualification"] = self.qualification
        return data


@dataclass(frozen=True)
class Article:
    """An article's validated front matter.

    Fields added after the first release have defaults, so that an Article
    unpickled from an older environment still answers every attribute (the
    extension's env_version, SCHEMA_VERSION, makes Sphinx re-read anyway).
    """

    title: str
    summary: str
    audience: str
    topics: tuple[str, ...]
    evidence_basis: str
    sources: tuple[str, ...]
    review_status: str = "draft"
    #: None on a page never reviewed: it shows NOT_YET_REVIEWED.
    last_reviewed: dt.date | None = None
    next_review: dt.date | None = None
    author: str = ""
    reviews: tuple[Review, ...] = ()
    disclosures: tuple[str, ...] = ()

    @property
    def audience_label(self) -> str:
        return AUDIENCES[self.audience]

    @property
    def evidence_label(self) -> str:
        return EVIDENCE_BASES[self.evidence_basis].label

    @property
    def review_status_label(self) -> str:
        return REVIEW_STATUSES[self.review_status]

    @property
    def last_reviewed_text(self) -> str | None:
        """The last review date as ISO text, or None when never reviewed."""
        return self.last_reviewed.isoformat() if self.last_reviewed else None

    @property
    def latest_review(self) -> Review | None:
        return max(self.reviews, key=lambda r: r.date, default=None)

    @property
    def topic_labels(self) -> tuple[str, ...]:
        return tuple(TOPICS[t].label for t in self.topics)

    @property
    def for_patients(self) -> bool:
        return self.audience in PATIENT_AUDIENCES

    def to_dict(self) -> dict[str, Any]:
        """Front-matter values (only those set), for :func:`front_matter_yaml`."""
        data: dict[str, Any] = {
            "title": self.title,
            "summary": self.summary,
            "audience": self.audience,
            "topics": list(self.topics),
            "evidence_basis": self.evidence_basis,
            "sources": list(self.sources),
        }
        if self.author:
            data["author"] = self.author
        data["review_status"] = self.review_status
        if self.reviews:
            data["reviews"] = [r.to_dict() for r in self.reviews]
        if self.last_reviewed:
            data["last_reviewed"] = self.last_reviewed.isoformat()
        if self.next_review:
            data["next_review"] = self.next_review.isoformat()
        if self.disclosures:
            data["disclosures"] = list(self.disclosures)
        return data


def add_review(values: dict[str, Any], review: Review) -> dict[str, Any]:
    """Record a review in front-matter values (in place; returned too).

    The record is appended; ``review_status`` rises to what the record
    supports (never falls); ``last_reviewed`` becomes the newest record's
    date and ``next_review`` the policy's interval after it. The caller
    answers for the record being true, and for an editorial reviewer being
    someone other than the author.
    """
    records = [*values.get("reviews", []), review]
    values["reviews"] = [r.to_dict() if isinstance(r, Review) else r for r in records]
    ladder = list(REVIEW_STATUSES)
    earned = next(s for s, kind in REVIEW_NEEDS.items() if kind == review.kind)
    current = values.get("review_status", "draft")
    if current not in ladder or ladder.index(earned) > ladder.index(current):
        values["review_status"] = earned
    newest = max(_as_date(r["date"]) or review.date for r in values["reviews"])
    values["last_reviewed"] = newest
    values["next_review"] = review_due(newest)
    return values


#: Bumped whenever Article or Review change shape: the Sphinx extension's
#: env_version, so that a stale pickled environment is discarded, not used.
SCHEMA_VERSION = 2


def new_front_matter(
    title: str,
    *,
    summary: str,
    audience: str = "both",
    topics: list[str] | tuple[str, ...] = (TODO_MARKER,),
    evidence_basis: str = TODO_MARKER,
    sources: list[str] | tuple[str, ...] = (TODO_MARKER,),
    author: str | None = None,
) -> dict[str, Any]:
    """The front matter of a new page: the one home of its defaults.

    ``kb new``, ``kb import`` and ``kb bench`` start pages here. A new page is
    a draft: it has no review record and no review date (it shows "Not yet
    reviewed") until someone checks it and adds a record.
    """
    values: dict[str, Any] = {
        "title": title,
        "summary": summary,
        "audience": audience,
        "topics": list(topics),
        "evidence_basis": evidence_basis,
        "sources": list(sources),
    }
    if author:
        values["author"] = author
    values["review_status"] = "draft"
    return values


# -- Reading front matter -----------------------------------------------------

# libyaml's parser when available: front matter is read for every page.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Problem:
    """Something wrong with front matter, located in the source file."""

    code: str
    line: int  # 1-based line in the file
    column: int  # 1-based
    message: str


@dataclass
class FrontMatter:
    """Raw front matter with the file line of each key."""

    data: dict[str, Any]
    key_lines: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: For keys whose value is a list: the (line, column) of each item.
    item_lines: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    #: 1-based line of the first body line after the closing ``---``.
    body_start: int = 1
    present: bool = False


class FrontMatterError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class _TextDatesLoader(yaml.SafeLoader):
    """Reads YAML timestamps as their text, so validate() can report them."""


_TextDatesLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def split_front_matter(text: str) -> FrontMatter:
    """Parse the YAML block between leading ``---`` lines.

    Raises FrontMatterError (with a 1-based line) when the YAML is malformed.
    """
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return FrontMatter({}, {}, {}, 1, False)
    end = next((n for n, line in enumerate(lines[1:], start=1) if line.rstrip() == "---"), None)
    if end is None:
        raise FrontMatterError(1, "front matter opened with '---' is never closed")
    block = "\n".join(lines[1:end])
    try:
        node = yaml.compose(block, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise FrontMatterError(line, f"front matter is not valid YAML: {problem}") from None
    if node is None:
        return FrontMatter({}, {}, {}, end + 2, True)
    if not isinstance(node, yaml.MappingNode):
        raise FrontMatterError(
            node.start_mark.line + 2, "front matter must be a mapping of 'key: value' lines"
        )
    # Construct key by key, so that a value YAML cannot construct (an
    # impossible date such as 2026-02-30) is kept as its text and reported by
    # validate() at its own line, instead of failing the whole block.
    constructor = yaml.SafeLoader("")
    data: dict[str, Any] = {}
    key_lines: dict[str, tuple[int, int]] = {}
    item_lines: dict[str, list[tuple[int, int]]] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        try:
            data[key] = constructor.construct_object(value_node, deep=True)
        except (ValueError, TypeError, yaml.YAMLError):
            # Again with dates as text (a review record's impossible date).
            try:
                data[key] = _TextDatesLoader("").construct_object(value_node, deep=True)
            except (ValueError, TypeError, yaml.YAMLError):
                data[key] = getattr(value_node, "value", None)
        key_lines[key] = (key_node.start_mark.line + 2, key_node.start_mark.column + 1)
        if isinstance(value_node, yaml.SequenceNode):
            item_lines[key] = [
                (item.start_mark.line + 2, item.start_mark.column + 1) for item in value_node.value
            ]
    return FrontMatter(data, key_lines, item_lines, end + 2, True)


def _check_str(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return None
    return "must be non-empty text"


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(value.strip())
    return None


def _parse_reviews(
    value: Any, at: tuple[int, int], items: list[tuple[int, int]]
) -> tuple[tuple[Review, ...] | None, list[Problem]]:
    """``reviews:`` -> Review records; FM008 at the line of each bad record."""
    if not isinstance(value, list):
        return None, [
            Problem(
                "FM008",
                *at,
                "'reviews' must be a list of records, each with kind, by, date and checked",
            )
        ]
    problems: list[Problem] = []
    records: list[Review] = []
    for n, record in enumerate(value):
        line, col = items[n] if n < len(items) else at

        def bad(message: str, n: int = n, line: int = line, col: int = col) -> None:
            problems.append(Problem("FM008", line, col, f"review record {n + 1}: {message}"))

        if not isinstance(record, dict):
            bad("write it as 'kind: ..., by: ..., date: ..., checked: ...'")
            continue
        unknown = [str(k) for k in record if k not in REVIEW_FIELDS]
        if unknown:
            bad(f"unknown field {', '.join(map(repr, unknown))}: use {', '.join(REVIEW_FIELDS)}")
            continue
        missing = [k for k, needed in REVIEW_FIELDS.items() if needed and not record.get(k)]
        if record.get("kind") == "clinical" and not record.get("qualification"):
            missing.append("qualification")
        if missing:
            bad(
                f"add {', '.join(missing)} (a {record.get('kind') or 'review'} record needs "
                f"{'them' if len(missing) > 1 else 'it'})"
            )
            continue
        kind = record["kind"]
        if kind not in REVIEW_KINDS:
            bad(f"unknown kind {kind!r}: use one of {', '.join(REVIEW_KINDS)}")
            continue
        day = _as_date(record["date"])
        if day is None:
            bad(f"date must be an ISO date like 2026-01-31, not {record['date']!r}")
            continue
        texts = {k: record.get(k) for k in ("by", "checked", "qualification")}
        if not all(isinstance(v, str) for v in texts.values() if v is not None):
            bad("by, checked and qualification must be text")
            continue
        records.append(
            Review(
                kind=kind,
                by=record["by"].strip(),
                date=day,
                checked=" ".join(record["checked"].split()),
                qualification=(record.get("qualification") or "").strip(),
            )
        )
    return (None if problems else tuple(records)), problems


def validate(fm: FrontMatter) -> tuple[Article | None, list[Problem]]:
    """Check front matter against the schema.

    Returns the Article (None if any problem is an error) and every problem
    found. Codes are the linter's (``FM0xx``); the Sphinx extension turns them
    into warnings.
    """
    problems: list[Problem] = []

    def at(key: str) -> tuple[int, int]:
        return fm.key_lines.get(key, (1, 1))

    def add(code: str, key: str | None, message: str) -> None:
        line, col = at(key) if key else (1, 1)
        problems.append(Problem(code, line, col, message))

    if not fm.present:
        add("FM001", None, "no front matter: start the page with a '---' block")
        return None, problems

    values: dict[str, Any] = {}
    for spec in FIELDS:
        if spec.name not in fm.data or fm.data[spec.name] in (None, "", []):
            if spec.required:
                add(
                    "FM002",
                    None,
                    f"missing required field '{spec.name}': add {spec.name}: <{spec.help}>",
                )
            continue
        value = fm.data[spec.name]
        if spec.kind == "reviews":
            reviews, review_problems = _parse_reviews(
                value, at(spec.name), fm.item_lines.get(spec.name, [])
            )
            problems.extend(review_problems)
            if reviews is not None:
                values[spec.name] = reviews
        elif spec.kind == "str":
            if err := _check_str(value):
                add("FM003", spec.name, f"'{spec.name}' {err}")
                continue
            values[spec.name] = value.strip()
        elif spec.kind == "date":
            if isinstance(value, dt.datetime):
                value = value.date()
            if isinstance(value, str):
                with contextlib.suppress(ValueError):
                    value = dt.date.fromisoformat(value)
            if not isinstance(value, dt.date):
                add(
                    "FM004",
                    spec.name,
                    f"'{spec.name}' must be an ISO date like 2026-01-31, "
                    f"not {fm.data[spec.name]!r}",
                )
                continue
            values[spec.name] = value
        elif spec.kind.startswith("list["):
            inner = spec.kind[5:-1]
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(
                isinstance(v, str) and v.strip() for v in value
            ):
                add("FM003", spec.name, f"'{spec.name}' must be a list of text values")
                continue
            if inner in VOCABULARIES:
                vocab = VOCABULARIES[inner]
                unknown = [v for v in value if v not in vocab]
                if unknown:
                    add(
                        "FM005",
                        spec.name,
                        f"unknown {inner} {', '.join(map(repr, unknown))}: use one of "
                        f"{', '.join(vocab)}",
                    )
                    continue
            values[spec.name] = tuple(dict.fromkeys(v.strip() for v in value))
        else:
            vocab = VOCABULARIES[spec.kind]
            if not isinstance(value, str) or value not in vocab:
                add(
                    "FM005",
                    spec.name,
                    f"unknown {spec.name} {value!r}: use one of {', '.join(vocab)}",
                )
                continue
            values[spec.name] = value

    for key in fm.data:
        if key not in FIELD_NAMES:
            add(
                "FM006",
                str(key),
                f"unknown front-matter key '{key}': remove it or use one of "
                f"{', '.join(FIELD_NAMES)}",
            )

    if (
        "last_reviewed" in values
        and "next_review" in values
        and values["next_review"] <= values["last_reviewed"]
    ):
        add("FM007", "next_review", "'next_review' must be after 'last_reviewed'")

    errors = [p for p in problems if p.code != "FM006"]
    if errors or any(spec.required and spec.name not in values for spec in FIELDS):
        return None, problems
    return Article(**values), problems


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


def load_article(text: str) -> tuple[Article | None, list[Problem]]:
    """Parse and validate an article's source text."""
    try:
        fm = split_front_matter(text)
    except FrontMatterError as exc:
        return None, [Problem("FM000", exc.line, 1, exc.message)]
    return validate(fm)


def is_article_docname(docname: str) -> bool:
    """Articles are the pages in docs/articles/, except its index."""
    parts = docname.split("/")
    return len(parts) == 2 and parts[0] == ARTICLES_DIR and parts[1] != "index"


def slug_for(path: str | Path) -> str:
    return Path(path).stem


def front_matter_yaml(values: dict[str, Any]) -> str:
    """Serialise front matter in the schema's field order, for writers."""
    ordered = {name: values[name] for name in FIELD_NAMES if name in values}
    if "reviews" in ordered:
        ordered["reviews"] = [
            r.to_dict() if isinstance(r, Review) else r for r in ordered["reviews"]
        ]
    ordered.update({k: v for k, v in values.items() if k not in ordered})
    body = yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=88)
    return f"---\n{body}---\n"

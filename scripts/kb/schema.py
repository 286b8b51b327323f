"""Article metadata: the single source of truth.

Every part of the project reads an article's front matter through this module:
the Sphinx extension (page header, topic pages, JSON-LD, handouts), the linter,
the importer and the scaffold. Adding a field or a vocabulary entry is one
change here, so their messages and output can never disagree.

It holds the vocabularies (audiences, evidence bases, topics, the review
ladder and the kinds of review record), the fields and their validation, the
review interval, and the defaults of a new page (:func:`new_front_matter`).
Parsing the YAML block with positions is :mod:`kb.frontmatter`'s; the rules
that tie a status and its dates to the review records are :mod:`kb.ladder`'s.

This module depends only on PyYAML so that the linter and importer stay fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# Reading front matter is kb.frontmatter's; these names stay importable from here.
from kb.frontmatter import FrontMatter as FrontMatter
from kb.frontmatter import FrontMatterError as FrontMatterError
from kb.frontmatter import Problem as Problem
from kb.frontmatter import split_front_matter as split_front_matter

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
    "author-check": "Author's check against the sources",
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


# -- Validating front matter ---------------------------------------------------


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

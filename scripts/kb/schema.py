"""Article metadata: the single source of truth.

Every part of the project reads an article's front matter through this module:
the Sphinx extension (page header, topic pages, JSON-LD, handouts), the linter,
the importer and the scaffold. Adding a field or a vocabulary entry is one
change here, so their messages and output can never disagree.

This module depends only on PyYAML so that the linter and importer stay fast.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: The version of the data this module gives the Sphinx extension (Article and
#: the vocabularies it holds), which the built environment pickles. Bump it
#: with any change to a dataclass here or to what a field means: every
#: ``kb.sphinxext`` module derives its ``env_version`` from it, so Sphinx then
#: re-reads every page instead of loading objects of the old shape.
SCHEMA_VERSION = 1

# -- Vocabularies -------------------------------------------------------------
# Each maps the value written in front matter to what readers see.

AUDIENCES: dict[str, str] = {
    "patient": "Patients and families",
    "clinician": "Clinicians",
    "both": "Patients, families and clinicians",
}

#: Audiences whose pages must pass the plain-language check.
PATIENT_AUDIENCES = frozenset({"patient", "both"})

REVIEW_STATUSES: dict[str, str] = {
    "draft": "Draft: not yet reviewed",
    "editorially-reviewed": "Editorially reviewed: checked against its sources, "
    "not yet reviewed by a clinician",
    "clinically-reviewed": "Clinically reviewed",
}


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
    FieldSpec("last_reviewed", "date", "when the page was last reviewed (YYYY-MM-DD)"),
    FieldSpec("next_review", "date", "when the next review is due (YYYY-MM-DD)"),
    FieldSpec("review_status", "review_status", "how far the page has been reviewed"),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)


@dataclass(frozen=True)
class Article:
    """An article's validated front matter."""

    title: str
    summary: str
    audience: str
    topics: tuple[str, ...]
    evidence_basis: str
    sources: tuple[str, ...]
    last_reviewed: dt.date
    next_review: dt.date
    review_status: str

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
    def topic_labels(self) -> tuple[str, ...]:
        return tuple(TOPICS[t].label for t in self.topics)

    @property
    def for_patients(self) -> bool:
        return self.audience in PATIENT_AUDIENCES

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["topics"] = list(self.topics)
        data["sources"] = list(self.sources)
        data["last_reviewed"] = self.last_reviewed.isoformat()
        data["next_review"] = self.next_review.isoformat()
        return data


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
    #: 1-based line of the first body line after the closing ``---``.
    body_start: int = 1
    present: bool = False


class FrontMatterError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def split_front_matter(text: str) -> FrontMatter:
    """Parse the YAML block between leading ``---`` lines.

    Raises FrontMatterError (with a 1-based line) when the YAML is malformed.
    """
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return FrontMatter({}, {}, 1, False)
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
        return FrontMatter({}, {}, end + 2, True)
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
    for key_node, value_node in node.value:
        key = str(key_node.value)
        try:
            data[key] = constructor.construct_object(value_node, deep=True)
        except (ValueError, TypeError, yaml.YAMLError):
            data[key] = getattr(value_node, "value", None)
        key_lines[key] = (key_node.start_mark.line + 2, key_node.start_mark.column + 1)
    return FrontMatter(data, key_lines, end + 2, True)


def _check_str(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return None
    return "must be non-empty text"


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
        if spec.kind == "str":
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
    if errors or len(values) != len(FIELDS):
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
    ordered.update({k: v for k, v in values.items() if k not in ordered})
    body = yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=88)
    return f"---\n{body}---\n"

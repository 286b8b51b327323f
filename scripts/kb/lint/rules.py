"""Every rule ``kb check`` knows: a stable code, a severity, and why it exists.

Codes never change meaning (contributors and CI logs refer to them); a retired
rule keeps its code unused. ``kb check --explain CODE`` prints the text here.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb import schema

ERROR = "error"
WARNING = "warning"
#: Shown only with --verbose; never affects the exit code.
INFO = "info"


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: str
    why: str


_RULES = (
    Rule("FILE001", ERROR, "page cannot be read as UTF-8 text", "Pages are UTF-8 text files."),
    # Front matter: the messages come from kb.schema, the single source of truth.
    Rule("FM000", ERROR, "front matter is not valid YAML", "Fix the YAML at the line shown."),
    Rule(
        "FM001",
        ERROR,
        "no front matter",
        "Articles start with a '---' block holding their metadata; `kb new` writes one.",
    ),
    Rule(
        "FM002",
        ERROR,
        "required field missing",
        "The page header, topic pages and handouts are built from these fields.",
    ),
    Rule("FM003", ERROR, "field has the wrong type", "Text fields need text, lists need lists."),
    Rule("FM004", ERROR, "date is not an ISO date", "Write dates as YYYY-MM-DD."),
    Rule(
        "FM005",
        ERROR,
        "value not in the vocabulary",
        "Audiences, topics, evidence bases and review statuses come from fixed lists "
        "(scripts/kb/schema.py) so that topic pages and badges stay consistent.",
    ),
    Rule(
        "FM006",
        ERROR,
        "unknown front-matter key",
        "An unknown key has no effect; it is usually a misspelt field name.",
    ),
    Rule("FM007", ERROR, "next review not after last review", "Check both dates."),
    Rule(
        "FM008",
        ERROR,
        "malformed review record",
        "Each record under `reviews` has kind (author-check, editorial or clinical), "
        "by (a name or a role), date (YYYY-MM-DD) and checked (what was checked); a "
        "clinical record also names the reviewer's qualification.",
    ),
    # The parts every article has.
    Rule(
        "ADM001",
        ERROR,
        "no Key takeaway",
        "Every article ends its lead with a `:::{key-takeaway}` block: the one thing a "
        "reader in a hurry should keep.",
    ),
    Rule(
        "ADM002",
        ERROR,
        "no Evidence quality note",
        "Every article says how strong its evidence is in an `:::{evidence-note}` block.",
    ),
    Rule(
        "REF001",
        ERROR,
        "no reference list",
        "Articles end with `## References` and a `:::{bibliography}` block with "
        "`:filter: docname in docnames`, so that citations link to the sources.",
    ),
    # Citations and references.bib.
    Rule(
        "CITE001",
        ERROR,
        "citation key not in references.bib",
        "A citation must name an entry of references.bib; otherwise the build fails.",
    ),
    Rule(
        "CITE002",
        ERROR,
        "bib entry never cited",
        "Every source in references.bib is cited somewhere; remove unused entries. "
        "Only reported when the whole knowledge base is checked.",
    ),
    Rule(
        "CITE003",
        ERROR,
        "front-matter source not in references.bib",
        "`sources` lists the references.bib keys an article rests on.",
    ),
    Rule(
        "CITE004",
        WARNING,
        "front-matter source not cited in the text",
        "A source listed in `sources` should support a statement on the page.",
    ),
    Rule("BIB001", ERROR, "references.bib does not parse", "Fix the syntax at the line shown."),
    Rule("BIB002", ERROR, "duplicate bib key", "Each key names one source; rename one entry."),
    Rule(
        "BIB003",
        ERROR,
        "bib entry lacks a field its type needs, or has an unknown type",
        "BibTeX's standard required fields (an @article needs author, title, journal "
        "and year); @misc needs a title or howpublished.",
    ),
    Rule(
        "BIB004",
        ERROR,
        "malformed DOI",
        "Write the bare DOI, 10.NNNN/suffix, without https://doi.org/.",
    ),
    Rule("BIB005", ERROR, "malformed URL", "URLs are absolute https:// (or http://) addresses."),
    Rule(
        "BIB006",
        ERROR,
        "field given twice in one bib entry",
        "BibTeX keeps only one; remove the other.",
    ),
    # The glossary.
    Rule(
        "TERM001",
        ERROR,
        "unknown glossary term",
        "A {term} role must name a term (or synonym) of docs/glossary.md exactly; "
        "for another form write {term}`text <term>`.",
    ),
    Rule(
        "TERM002",
        WARNING,
        "glossary term not linked on first use",
        "Readers meet a technical word first where it is linked to its definition.",
    ),
    # Safety: nothing on a page runs code or loads anything.
    Rule(
        "HTML001",
        ERROR,
        "raw HTML",
        "Pages are MyST only: raw HTML bypasses the theme, accessibility checks and the "
        "PDF, and the build drops it. Use MyST syntax or a directive instead.",
    ),
    Rule("HTML002", ERROR, "<script> in content", "Pages never run scripts."),
    Rule(
        "HTML003",
        ERROR,
        "inline event handler",
        "Attributes like onclick= run scripts; pages never run scripts.",
    ),
    Rule(
        "HTML004",
        ERROR,
        "javascript: or data: URL",
        "Links go to https:// pages or to other pages of the site.",
    ),
    # Review dates.
    Rule("REV001", ERROR, "review overdue", "Review the page, then update its review dates."),
    Rule("REV002", WARNING, "review due within 60 days", "Plan the page's review."),
    Rule(
        "REV003",
        ERROR,
        "review status not backed by a review record",
        "A page shows its review status to readers, so a status above draft needs the "
        "record of that review: author-checked an author-check record; editorially-"
        "reviewed an editorial record by someone other than the author; clinically-"
        "reviewed a clinical record naming the reviewer's qualification. Never add a "
        "record for a review that did not happen: lower the status instead.",
    ),
    Rule(
        "REV004",
        ERROR,
        "review date in the future",
        "last_reviewed and review records give the day a review happened (kb check "
        "--today sets the day checked against).",
    ),
    Rule(
        "REV005",
        ERROR,
        "next review beyond the policy's interval",
        "The editorial policy reviews every page at least every "
        f"{schema.REVIEW_INTERVAL_TEXT}: next_review is at most that long after "
        "last_reviewed, and a page never reviewed has neither.",
    ),
    Rule(
        "REV006",
        ERROR,
        "last reviewed date does not match the review records",
        "last_reviewed is the date of the newest review record; a page with no record "
        "has no last_reviewed and shows 'Not yet reviewed'.",
    ),
    # Plain language.
    Rule(
        "READ001",
        ERROR,
        "patient summary above US grade 8",
        "Summaries of pages for patients read at US grade 8 or below (Flesch-Kincaid, "
        "textstat): short sentences, everyday words.",
    ),
    Rule("READ002", INFO, "reading grade of a patient summary", "For information."),
    Rule("LINK001", WARNING, "http:// link", "Link with https:// where the site offers it."),
    Rule(
        "TODO001",
        ERROR,
        "TODO marker",
        "`kb new` marks every part still to be written with TODO; write it, then remove "
        "the marker.",
    ),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}


@dataclass(frozen=True, order=True)
class Finding:
    """One problem, located in a file. Field order is the report's sort order."""

    path: str
    line: int
    column: int
    code: str
    severity: str
    message: str

    @classmethod
    def make(cls, path: str, line: int, column: int, code: str, message: str) -> Finding:
        return cls(path, line, column, code, RULES[code].severity, message)

    def to_dict(self) -> dict[str, object]:
        # The JSON output's key order is part of its interface (golden-tested).
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }

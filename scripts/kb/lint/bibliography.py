"""The rules for .bib files: syntax, duplicate keys and fields, the fields each
entry type needs, the reader-facing description, DOIs and URLs.

The file is read by :func:`kb.bib.scan` (pybtex's own BibTeX parser, noting
where each entry and field starts), so every finding has its line and column,
and one bad entry does not hide the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from pybtex.style.formatting.unsrt import Style

from kb.bib import DESCRIPTION_FIELD, EntryAt, Scan
from kb.lint.rules import ERROR

# -- Rules ------------------------------------------------------------------------------

#: Entry types the site's bibliography style (pybtex's unsrt) can format.
KNOWN_TYPES = frozenset(
    name[len("get_") : -len("_template")]
    for name in dir(Style)
    if name.startswith("get_") and name.endswith("_template")
)

#: BibTeX's required fields per entry type; a tuple means "one of these".
REQUIRED: dict[str, tuple[str | tuple[str, ...], ...]] = {
    "article": ("author", "title", "journal", "year"),
    "book": (("author", "editor"), "title", "publisher", "year"),
    "booklet": ("title",),
    "inbook": (("author", "editor"), "title", ("chapter", "pages"), "publisher", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "manual": ("title",),
    "mastersthesis": ("author", "title", "school", "year"),
    "misc": (("title", "howpublished"),),
    "phdthesis": ("author", "title", "school", "year"),
    "proceedings": ("title", "year"),
    "techreport": ("author", "title", "institution", "year"),
    "unpublished": ("author", "title", "note"),
}
# pybtex formats these like @misc.
for _alias in ("online", "dataset", "software", "patent"):
    REQUIRED[_alias] = REQUIRED["misc"]

#: Crossref's pattern for modern DOIs.
DOI_RE = re.compile(r"^10\.\d{4,9}/[-._;()/:A-Za-z0-9<>\[\]]+$")


@dataclass
class BibFinding:
    code: str
    line: int
    column: int
    message: str
    severity: str = ERROR


def check(bib: Scan) -> list[BibFinding]:
    found: list[BibFinding] = []
    for line, column, message in bib.errors:
        found.append(
            BibFinding(
                "BIB001",
                line,
                column,
                f"the file does not parse as BibTeX ({message}): fix it here",
            )
        )
    first_seen: dict[str, EntryAt] = {}
    for entry in bib.entries:
        where = (entry.line, entry.column)
        folded = entry.key.casefold()
        if folded in first_seen:
            found.append(
                BibFinding(
                    "BIB002",
                    *where,
                    f"duplicate key '{entry.key}' (first defined at line "
                    f"{first_seen[folded].line}): rename or remove one entry",
                )
            )
        else:
            first_seen[folded] = entry
        for dup in entry.duplicate_fields:
            found.append(
                BibFinding(
                    "BIB006",
                    dup.line,
                    dup.column,
                    f"'{entry.key}' has a second '{dup.name}' field: remove one",
                )
            )
        if not entry.broken:
            found.extend(_required(entry))
            described = entry.fields.get(DESCRIPTION_FIELD)
            if not (described and described.value.strip()):
                found.append(
                    BibFinding(
                        "BIB007",
                        *where,
                        f"'{entry.key}' has no {DESCRIPTION_FIELD}: add one line saying "
                        "what the source is, for readers, from what is known only (for "
                        "example 'News report (outlet not recorded) on a clinical "
                        "overview, 2026')",
                    )
                )
        if (doi := entry.fields.get("doi")) and not DOI_RE.match(doi.value):
            hint = (
                "write the bare DOI, without the https://doi.org/ prefix"
                if "doi.org/" in doi.value or doi.value.lower().startswith("doi:")
                else "a DOI looks like 10.1001/jama.2019.1234"
            )
            found.append(
                BibFinding(
                    "BIB004",
                    doi.line,
                    doi.column,
                    f"'{entry.key}' has a malformed DOI {doi.value!r}: {hint}",
                )
            )
        if url := entry.fields.get("url"):
            problem = url_problem(url.value)
            if problem:
                found.append(
                    BibFinding(
                        "BIB005",
                        url.line,
                        url.column,
                        f"'{entry.key}' has a malformed URL {url.value!r}: {problem}",
                    )
                )
            elif url.value.lower().startswith("http://"):
                found.append(
                    BibFinding(
                        "LINK001",
                        url.line,
                        url.column,
                        f"'{entry.key}' links with http://: use the https:// address "
                        "if the site has one",
                        "warning",
                    )
                )
    return found


def url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return "use an absolute https:// address"
    if not parts.hostname or "." not in parts.hostname:
        return "the address has no host name"
    if any(ch.isspace() for ch in url):
        return "remove the spaces (encode them as %20)"
    return None


def _required(entry: EntryAt) -> list[BibFinding]:
    where = (entry.line, entry.column)
    if entry.type not in KNOWN_TYPES:
        return [
            BibFinding(
                "BIB003",
                *where,
                f"'{entry.key}' has entry type @{entry.type}, which the site's bibliography "
                f"style cannot print: use one of {', '.join('@' + t for t in sorted(REQUIRED))}",
            )
        ]
    missing = []
    for need in REQUIRED.get(entry.type, ()):
        options = (need,) if isinstance(need, str) else need
        if not any(entry.fields.get(name) and entry.fields[name].value for name in options):
            missing.append(" or ".join(options))
    if not missing:
        return []
    return [
        BibFinding(
            "BIB003",
            *where,
            f"@{entry.type} '{entry.key}' lacks {', '.join(missing)}: add "
            f"{'it' if len(missing) == 1 else 'them'} from the source itself",
        )
    ]

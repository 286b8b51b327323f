"""``references.bib``, read and written with pybtex.

The importer adds entries here and the linter checks ``{cite}`` keys and
``sources:`` against it, so both read the file the same way:

- :func:`load` / :func:`parse` read it and raise :class:`BibError` naming the
  file and line of the first problem (a syntax error or a repeated key);
- :class:`Bibliography` lists keys, gives an entry's fields, its line and its
  reader-facing ``description`` (:func:`description_for` for one key);
- :func:`format_misc` writes a new ``@misc`` entry from the fields a source
  actually states (nothing else: this is a medical site, and a bibliography
  entry filled in from memory is an invented source);
- :func:`add_entry` appends an entry, or replaces one key's entry only, with an
  atomic write so that a failure never leaves a half-written file.

BibTeX keys are case-insensitive: ``"Foo" in bib`` is true when ``foo`` exists.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from pybtex.database import BibliographyData, BibliographyDataError, Entry, parse_string
from pybtex.database.input.bibtex import LowLevelParser, month_names
from pybtex.exceptions import PybtexError
from pybtex.scanner import PybtexSyntaxError
from pybtex.utils import CaseInsensitiveDict

from kb import paths
from kb.files import write_atomic

#: The fields :func:`format_misc` writes, in this order. These are the
#: ``@misc`` fields the site's bibliography style prints.
MISC_FIELDS = (
    "author",
    "title",
    "howpublished",
    "year",
    "month",
    "date",  # the full date as stated (ISO), beside year and month
    "doi",
    "url",
    "urldate",
    "note",
    "description",
    "contenthash",  # kb import: the digest of the saved copy, so a re-run skips it
)

#: The field holding a record's reader-facing description of what the source
#: is; the site's bibliography style (kb.sphinxext.bibstyle) prints it.
DESCRIPTION_FIELD = "description"

#: Long field values are wrapped at this column, as in the hand-written entries.
WRAP_AT = 88

#: Crossref's pattern for modern DOIs (the linter checks ``doi`` fields with it,
#: the importer keeps only DOIs that match it).
DOI_RE = re.compile(r"^10\.\d{4,9}/[-._;()/:A-Za-z0-9<>\[\]]+$")

#: A key as the importer makes them: letters and digits, starting with a letter.
KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")

_ENTRY_START = re.compile(r"@\s*(?P<type>\w+)\s*(?P<open>[{(])\s*(?P<key>[^\s,{}()]+)\s*,")


class BibError(Exception):
    """A problem with a .bib file, located at a line where one applies."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        super().__init__(message)
        self.path = Path(path)
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Bibliography:
    """A parsed .bib file and its source text."""

    path: Path
    text: str
    data: BibliographyData

    def keys(self) -> list[str]:
        """Every entry key, in file order, as written."""
        return list(self.data.entries.keys())

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self.data.entries

    def fields(self, key: str) -> dict[str, str]:
        """An entry's fields (names lower-case; person fields joined with 'and')."""
        return entry_fields(self.data.entries[key])

    def description(self, key: str) -> str | None:
        """The record's reader-facing ``description`` (what the source is), as
        plain text, or None when the record has none (or no such key)."""
        if key not in self.data.entries:
            return None
        value = self.data.entries[key].fields.get(DESCRIPTION_FIELD, "")
        return plain_value(value) or None

    def line_of(self, key: str) -> int | None:
        """The 1-based line where the entry for *key* starts."""
        span = entry_span(self.text, key)
        return None if span is None else self.text.count("\n", 0, span[0]) + 1


def parse(text: str, path: Path | str = "references.bib") -> Bibliography:
    """Parse BibTeX source; raise :class:`BibError` with the line of a problem."""
    try:
        data = parse_string(text, "bibtex")
    except PybtexSyntaxError as exc:
        raise BibError(path, getattr(exc, "lineno", None), f"not valid BibTeX: {exc}") from None
    except BibliographyDataError as exc:
        raise BibError(path, _repeated_key_line(text, str(exc)), str(exc)) from None
    except PybtexError as exc:
        raise BibError(path, None, str(exc)) from None
    return Bibliography(Path(path), text, data)


def load(path: Path | str = paths.BIBFILE) -> Bibliography:
    """Read and parse a .bib file (UTF-8)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BibError(path, None, "no such file") from None
    except UnicodeDecodeError as exc:
        line = _line_at(path.read_bytes(), exc.start)
        raise BibError(path, line, "not UTF-8 text") from None
    except OSError as exc:
        raise BibError(path, None, f"cannot read it: {exc.strerror}") from None
    return parse(text, path)


def entry_fields(entry: Entry) -> dict[str, str]:
    """A pybtex entry's fields: names lower-case, person fields joined with 'and'."""
    found = {name.lower(): str(value) for name, value in entry.fields.items()}
    for role, persons in entry.persons.items():
        found[role.lower()] = " and ".join(str(p) for p in persons)
    return found


def description_for(key: str, path: Path | str = paths.BIBFILE) -> str | None:
    """What the source cited as *key* is, for readers (handouts, previews):
    its ``description`` field as plain text, or None. Raises BibError when
    the file cannot be read."""
    return load(path).description(key)


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _repeated_key_line(text: str, message: str) -> int | None:
    """pybtex names a repeated key but not its line: find the second entry."""
    match = re.search(r"repeated bibliography entry: (\S+)", message)
    if not match:
        return None
    starts = [m.start() for m in _entries(text) if m.group("key").lower() == match[1].lower()]
    return text.count("\n", 0, starts[1]) + 1 if len(starts) > 1 else None


def _entries(text: str) -> list[re.Match[str]]:
    return [m for m in _ENTRY_START.finditer(text) if m.group("type").lower() != "comment"]


def entry_span(text: str, key: str) -> tuple[int, int] | None:
    """Where the entry for *key* starts and ends in *text* (``@`` to the
    closing brace), or None. Keys compare case-insensitively, as in BibTeX."""
    for match in _entries(text):
        if match.group("key").lower() != key.lower():
            continue
        # Braces nest inside field values; the entry ends at the delimiter
        # that closes its opening one, outside any braces.
        close = "}" if match.group("open") == "{" else ")"
        depth = 0
        for i in range(match.end("open"), len(text)):
            char = text[i]
            if char == close and depth == 0:
                return match.start(), i + 1
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
        return None
    return None


# -- Writing -------------------------------------------------------------------


def clean_value(value: str) -> str:
    """Plain text as a field value that prints as that text: one line, no
    braces or backslashes, ``%`` and ``~`` escaped.

    Field values are TeX to the bibliography style: an unbalanced brace breaks
    the whole file and a backslash starts a command, so a text that holds them
    (rare in a source's details) loses them; ``%`` would start a comment that
    swallows the closing brace, and ``~`` would print as a space. An ``@``
    that would read as the start of an entry ("@misc(key,") is written
    "(at)", so that :func:`entry_span` never finds an entry inside a value.
    """
    text = " ".join(re.sub(r"[{}\\]", "", value).split())
    text = re.sub(r"@(?=\s*\w+\s*\()", "(at)", text)
    return text.replace("%", r"\%").replace("~", r"\textasciitilde{}")


def plain_value(value: str) -> str:
    """A field value (or any text) as plain text, for comparing: the escapes of
    :func:`clean_value` undone, braces and backslashes dropped, spaces collapsed."""
    text = value.replace(r"\textasciitilde{}", "~").replace(r"\%", "%")
    return " ".join(re.sub(r"[{}\\]", "", text).split())


def format_misc(key: str, fields: Mapping[str, str | None]) -> str:
    """A ``@misc`` entry holding exactly the given, non-empty fields.

    Only :data:`MISC_FIELDS` are accepted. The title is double-braced so that
    the bibliography style prints it as written rather than in sentence case.
    """
    if not KEY_RE.match(key):
        raise ValueError(f"not a usable BibTeX key: {key!r}")
    unknown = set(fields) - set(MISC_FIELDS)
    if unknown:
        raise ValueError(f"not an @misc field: {', '.join(sorted(unknown))}")
    lines = []
    width = max(len(name) for name in MISC_FIELDS)
    indent = " " * (width + 6)  # continuation lines start under the value
    for name in MISC_FIELDS:
        value = clean_value(fields.get(name) or "")
        if not value:
            continue
        braced = f"{{{{{value}}}}}" if name == "title" else f"{{{value}}}"
        wrapped = textwrap.wrap(
            braced, WRAP_AT - len(indent), break_long_words=False, break_on_hyphens=False
        )
        lines.append(f"  {name.ljust(width)} = " + f"\n{indent}".join(wrapped))
    if not lines:
        raise ValueError("an entry needs at least one field")
    return f"@misc{{{key},\n" + ",\n".join(lines) + "\n}\n"


def with_entry(text: str, key: str, entry: str, *, replace: bool = False) -> str:
    """*text* with *entry* appended, or (``replace=True``) put in place of the
    existing entry for *key*. Raises KeyError when *key* exists and
    ``replace`` is false, so a key is never overwritten by accident."""
    span = entry_span(text, key)
    if span is not None:
        if not replace:
            raise KeyError(key)
        start, end = span
        return text[:start] + entry.rstrip("\n") + text[end:]
    if text and not text.endswith("\n"):
        text += "\n"
    return f"{text}\n{entry}" if text.strip() else entry


def add_entry(path: Path | str, key: str, entry: str, *, replace: bool = False) -> None:
    """Append *entry* to the .bib file (or replace *key*'s entry), atomically.

    The result is parsed before it is written: a file that pybtex could not
    read back is never left behind.
    """
    path = Path(path)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    new = with_entry(old, key, entry, replace=replace)
    parse(new, path)
    write_atomic(path, new)


# -- Every entry with its position (the linter) -------------------------------------------
# :func:`parse` stops at the first problem; the linter wants them all, each at
# its line. :func:`scan` drives pybtex's own low-level BibTeX parser (the same
# grammar) and notes where each entry and field starts.


@dataclass
class FieldAt:
    name: str  # lower case
    value: str  # as written, whitespace collapsed
    line: int
    column: int


@dataclass
class EntryAt:
    type: str  # lower case
    key: str
    line: int
    column: int
    fields: dict[str, FieldAt]
    #: Fields given a second time in the entry (BibTeX keeps the first).
    duplicate_fields: list[FieldAt]
    #: A syntax error was found inside it, so its fields may be incomplete.
    broken: bool = False


@dataclass
class Scan:
    path: Path
    entries: list[EntryAt]
    #: (line, column, message) of each syntax error.
    errors: list[tuple[int, int, str]]

    @property
    def keys(self) -> set[str]:
        return {entry.key for entry in self.entries}


class _PositionParser(LowLevelParser):
    """pybtex's BibTeX grammar, noting the line and column of entries and fields,
    and collecting syntax errors instead of stopping at the first."""

    def __init__(self, text: str, filename: str):
        # A private copy of the month macros: @string definitions add to it.
        super().__init__(text, filename=filename, macros=CaseInsensitiveDict(month_names))
        self.field_positions: list[tuple[str, int, int]] = []
        self.errors: list[tuple[int, int, str]] = []

    def column(self, pos: int) -> int:
        return pos - (self.text.rfind("\n", 0, pos) + 1) + 1

    def handle_error(self, error: Exception) -> None:
        # pybtex gives up at a token; name the entry it was in too.
        pos, entry_line = self.pos, None
        if isinstance(error, PybtexSyntaxError) and error.parser is self:
            start, _, pos = error.error_context_info
            if start is not None:
                entry_line = self.text.count("\n", 0, start) + 1
        message = str(error.args[0]) if error.args else ""
        if kind := getattr(error, "error_type", None):
            message = f"{kind}: {message}" if message else kind
        line = self.text.count("\n", 0, pos) + 1
        if entry_line is not None and entry_line != line:
            message += f" (in the entry that starts at line {entry_line})"
        self.errors.append((line, self.column(pos), message))

    def parse_command(self):  # type: ignore[no-untyped-def]
        self.field_positions = []
        return super().parse_command()

    def parse_field(self) -> None:
        name = self.optional([self.NAME])
        if not name:
            return
        start = self.pos - len(name.value)
        self.field_positions.append((name.value, self.lineno, self.column(start)))
        self.current_field_name = name.value
        self.required([self.EQUALS])
        self.parse_value()


def scan(path: Path | str) -> Scan:
    """Every entry of a .bib file with its position, and every syntax error."""
    path = Path(path)
    result = Scan(path, [], [])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        result.errors.append((_line_at(path.read_bytes(), exc.start), 1, "not UTF-8 text"))
        return result
    except OSError as exc:
        result.errors.append((1, 1, f"cannot read it: {exc.strerror}"))
        return result
    parser = _PositionParser(text, str(path))
    errors_before = 0
    for command, body in parser:
        broken = len(parser.errors) > errors_before
        errors_before = len(parser.errors)
        if command.lower() in ("string", "preamble"):
            continue
        key, raw_fields = body
        start = parser.command_start
        line = text.count("\n", 0, start) + 1
        entry = EntryAt(command.lower(), key or "", line, parser.column(start), {}, [], broken)
        positions = iter(parser.field_positions)
        for name, value_parts in raw_fields:
            # Positions were noted in parse order; skip those of dropped fields.
            where = next(((ln, col) for n, ln, col in positions if n == name), (line, 1))
            item = FieldAt(name.lower(), " ".join("".join(value_parts).split()), *where)
            if item.name in entry.fields:
                entry.duplicate_fields.append(item)
            else:
                entry.fields[item.name] = item
        result.entries.append(entry)
    result.errors.extend(parser.errors)
    return result

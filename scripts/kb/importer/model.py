"""What the importer reads a saved page into, step by step.

:mod:`.read` turns bytes into :class:`Line` objects; :mod:`.blocks` groups them
into :class:`Block` objects (from plain text or from Markdown); :mod:`.parse`
removes the furniture, finds the headline and builds an :class:`Article`
whose body is made of the elements below, and whose :class:`Facts` hold what
the page states about itself (byline, dates, outlet, sponsorship).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


def printable(text: str) -> str:
    """Text for one terminal line: a newline or control character in a file
    name is shown escaped, never printed."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class ImporterError(Exception):
    """An input the importer cannot turn into a page: one line for the user."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        super().__init__(message)
        self.path = printable(str(path))
        self.line = line
        self.message = " ".join(str(message).split())  # always one line

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, in the file as saved
    text: str  # stripped, runs of white space as one space
    raw: str = ""  # as saved (tabs and column spacing kept), for tables


@dataclass
class Block:
    """One unit of the saved page before it is classified."""

    kind: str  # "para", "heading", "item", "quote", "table", "rule"
    text: str
    line: int
    level: int = 0  # a Markdown heading's level; 0 for a plain-text line
    ordered: bool = False  # an item of a numbered list
    single_line: bool = True  # a plain-text paragraph on one line of the file
    lines: int = 1  # how many lines of the file it was wrapped over
    strong: bool = False  # Markdown: the whole paragraph is bold
    link_only: bool = False  # Markdown: the whole paragraph is a link
    rows: list[list[str]] = field(default_factory=list)  # a table's cells
    raw: str = ""  # the source text (a reference item keeps its URL from here)


@dataclass(frozen=True)
class Removed:
    """A piece of page furniture taken out, for the import report."""

    line: int
    what: str  # "cookie banner", "share row", ...
    text: str


@dataclass
class Para:
    text: str
    line: int
    #: Citations to insert: character offset in text -> bib keys.
    cites: dict[int, list[str]] = field(default_factory=dict)
    single_line: bool = False


@dataclass
class Items:
    items: list[str]
    line: int
    ordered: bool = False


@dataclass
class Heading:
    text: str
    line: int


@dataclass
class Quote:
    text: str
    line: int


@dataclass
class Table:
    rows: list[list[str]]
    line: int


@dataclass
class Takeaway:
    line: int
    qualifier: str = ""  # "for Ketamine Patients" in "Key Takeaway for Ketamine Patients"
    body: list[Para | Items] = field(default_factory=list)


@dataclass
class EvidenceNote:
    line: int
    body: list[Para | Items] = field(default_factory=list)


Element = Para | Items | Heading | Quote | Table | Takeaway | EvidenceNote


@dataclass
class Attribution:
    """ "Read the original source at X.": the publication the article reports on."""

    publisher: str
    sentence: str
    line: int
    #: The paragraph the sentence was taken from, if any text remained in it.
    para: Para | None


@dataclass(frozen=True)
class Dated:
    """A date as the page states it."""

    kind: str  # "published" or "updated"
    year: int
    month: int | None
    day: int | None
    text: str  # as written

    @property
    def iso(self) -> str | None:
        if self.month and self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        return None


@dataclass(frozen=True)
class Reference:
    """One line of the article's reference list."""

    line: int
    raw: str
    number: int | None  # "[3]" or "3." in front of it
    authors: tuple[str, ...] = ()
    title: str = ""
    container: str = ""  # the journal or site
    year: str = ""
    doi: str = ""
    url: str = ""
    bad_doi: str = ""  # written as a DOI, but not one: not recorded

    @property
    def parsed(self) -> bool:
        return bool(self.doi or self.url or (self.title and (self.year or self.authors)))


@dataclass
class Facts:
    """What the page states about itself: only these reach references.bib."""

    authors: list[str] = field(default_factory=list)
    byline: str = ""  # the byline as written
    dates: list[Dated] = field(default_factory=list)
    outlet: str = ""  # "Originally published in X"
    outlet_line: str = ""
    sponsorship: list[str] = field(default_factory=list)  # labels as written
    sponsor: str = ""  # the sponsor, when a label names one
    reviewed_by: str = ""  # "Medically reviewed by X"
    copyright: str = ""  # the copyright line, as written


@dataclass
class Article:
    path: Path
    title: str
    title_line: int
    standfirst: Para | None
    body: list[Element]
    attributions: list[Attribution]
    facts: Facts = field(default_factory=Facts)
    references: list[Reference] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    #: Lines that were neither article text nor known furniture.
    unplaced: list[Line] = field(default_factory=list)
    #: Tables that could not be aligned, kept as lists: their first lines.
    loose_tables: list[int] = field(default_factory=list)
    markdown: bool = False
    digest: str = ""  # sha256 of the normalised text: the source's identity

    @property
    def boilerplate(self) -> int:
        return len(self.removed)

    def paragraphs(self) -> Iterable[Para]:
        """Every prose paragraph, in page order (lead first)."""
        if self.standfirst:
            yield self.standfirst
        for el in self.body:
            if isinstance(el, Para):
                yield el
            elif isinstance(el, Takeaway | EvidenceNote):
                yield from (p for p in el.body if isinstance(p, Para))

    @property
    def sections(self) -> int:
        return sum(isinstance(el, Heading) for el in self.body)

    @property
    def takeaway(self) -> Takeaway | None:
        return next((el for el in self.body if isinstance(el, Takeaway)), None)

    @property
    def evidence_note(self) -> EvidenceNote | None:
        return next((el for el in self.body if isinstance(el, EvidenceNote)), None)

    def plain_text(self) -> str:
        parts = [self.title]
        parts += [el.text for el in self.body if isinstance(el, Heading | Quote)]
        parts.extend(p.text for p in self.paragraphs())
        for el in self.body:
            for items in items_in(el):
                parts.extend(items.items)
        return "\n".join(parts)


def items_in(el: Element) -> list[Items]:
    if isinstance(el, Items):
        return [el]
    if isinstance(el, Takeaway | EvidenceNote):
        return [b for b in el.body if isinstance(b, Items)]
    return []

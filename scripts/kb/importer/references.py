"""The article's own reference list: found, taken out of the body, read line by line.

A list under "References" (or "Sources", "Bibliography", "Works cited" ...)
at the end of a page becomes one :class:`~.model.Reference` per line. Only
what a line states is read: the authors, year, title and journal where the
line has a recognisable shape (APA-like "Author (2024). Title. Journal." or
Vancouver-like "Author. Title. Journal. 2024;..."), and a DOI or URL exactly
as written. A DOI is kept only if it has a DOI's syntax (the linter's
pattern). A line with none of these is kept as it was, for an editor.
"""

from __future__ import annotations

import re

from kb.bib import DOI_RE
from kb.importer.model import Block, Reference

_NAMES = (
    r"references?|sources?|bibliography|works\s+cited|citations?|studies\s+cited"
    r"|research\s+cited|reference\s+list|literature\s+cited|selected\s+references"
    r"|sources\s+and\s+further\s+reading|further\s+reading|notes\s+and\s+references|footnotes"
)
_HEADING = re.compile(rf"^(?:{_NAMES})\s*:?$", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*(?:\[(?P<a>\d{1,3})\]|(?P<b>\d{1,3})[.)])\s+")
_DOI = re.compile(
    r"(?:\bdoi\s*:?\s*|https?://(?:dx\.)?doi\.org/)(?P<doi>10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE
)
_ANY_DOI = re.compile(r"\bdoi\s*:?\s*(?P<doi>\S+)", re.IGNORECASE)
_CORPORATE = re.compile(
    r"\b(?:institute|association|organi[sz]ation|society|agency|department|foundation|council"
    r"|college|cent(?:er|re)|ministry|board|administration|authority|service|network|alliance"
    r"|committee|federation|academy|office|trust|group|university)\b",
    re.IGNORECASE,
)
_BARE_DOI = re.compile(r"(?<![\w/.])(?P<doi>10\.\d{4,9}/[^\s\"<>]+)")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
_YEAR_PAREN = re.compile(r"\((?P<year>(?:19|20)\d\d)[a-z]?(?:,\s*[^)]{0,30})?\)\.?")
_YEAR = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)(?!\d)")
_TRAILING = ".,;:)]>}\u201d\"'"
_ET_AL = re.compile(r",?\s*(?:et\s+al\.?|and\s+others)\s*$", re.IGNORECASE)


def is_heading(text: str) -> bool:
    return bool(_HEADING.match(text.strip("*_# ")))


def _reference_like(block: Block) -> bool:
    text = block.raw or block.text
    return bool(
        block.kind == "item"
        or _DOI.search(text)
        or _URL.search(text)
        or _YEAR.search(text)
        or _NUMBER.match(text)
        or text.rstrip().endswith(".")
    )


def take_reference_list(rest: list[Block]) -> tuple[list[Block], list[Reference], list]:
    """The body without its reference lists, and their lines.

    Every block under a references heading, up to the next heading, is a
    reference line (read, or kept raw for an editor); the heading itself never
    reaches the page, which has one References section of its own.
    """
    body: list[Block] = []
    found: list[Reference] = []
    i = 0
    while i < len(rest):
        block = rest[i]
        i += 1
        if not (block.kind in ("para", "heading") and is_heading(block.text)):
            body.append(block)
            continue
        while i < len(rest) and _in_list(rest[i]):
            found.append(parse_reference(rest[i].line, _source_text(rest[i])))
            i += 1
    return body, found, []


def _in_list(block: Block) -> bool:
    """A line of a reference list: an item, or a paragraph that reads as one."""
    if block.kind == "item":
        return True
    return block.kind == "para" and (_reference_like(block) or not block.single_line)


def _source_text(block: Block) -> str:
    """The line as written: a Markdown item's text without its list marker, links kept."""
    if not block.raw:
        return block.text
    raw = " ".join(block.raw.split())
    raw = re.sub(r"^(?:[-*+\u2022\u2013])\s+", "", raw)
    # [text](url) -> "text url": the address stays, as written.
    raw = re.sub(
        r"\[([^\]]*)\]\(([^)\s]+)\)", lambda m: f"{m[1]} {m[2]}" if m[1] != m[2] else m[2], raw
    )
    raw = re.sub(r"[*_`]{1,2}(?=\S)|(?<=\S)[*_`]{1,2}", "", raw)
    return raw.replace("<", "").replace(">", "")


def _clean(value: str) -> str:
    return " ".join(value.split()).strip(" .,;:")


def parse_reference(line: int, raw: str) -> Reference:
    text = " ".join(raw.split())
    number = None
    numbered = _NUMBER.match(text)
    if numbered:
        number = int(numbered.group("a") or numbered.group("b"))
        text = text[numbered.end() :]
    doi = bad_doi = ""
    for pattern in (_DOI, _BARE_DOI, _ANY_DOI):
        match = pattern.search(text)
        if match:
            candidate = match.group("doi").rstrip(_TRAILING)
            if DOI_RE.match(candidate):
                doi = candidate
            else:
                bad_doi = candidate
            break
    url = ""
    for match in _URL.finditer(text):
        candidate = match.group().rstrip(_TRAILING)
        if "doi.org/" not in candidate.lower():
            url = candidate if candidate.lower().startswith("http") else ""
            break
    # What is left once the identifiers are out is the citation itself.
    body = _ANY_DOI.sub("", _DOI.sub("", text))
    body = _URL.sub("", body)
    body = re.sub(
        r"\b(?:retrieved|accessed|available)(?:\s+(?:from|at|on))?\b.*$", "", body, flags=re.I
    )
    body = _clean(re.sub(r"\b(?:doi|url)\s*:?\s*$", "", body.strip(), flags=re.I))
    authors: tuple[str, ...] = ()
    title = container = year = ""
    apa = _YEAR_PAREN.search(body)
    if apa and apa.start() > 0:
        year = apa.group("year")
        authors = _authors(body[: apa.start()])
        title, container = _title_and_container(body[apa.end() :])
    else:
        parts = _sentences(body)
        if len(parts) >= 3 and _CORPORATE.search(parts[0]) and len(parts[0].split()) <= 8:
            container, title = parts[0], parts[1]
        elif len(parts) >= 2 and _looks_like_authors(parts[0]):
            authors = _authors(parts[0])
            title = parts[1]
            container = parts[2] if len(parts) > 2 else ""
        elif parts:
            title = parts[0]
            container = parts[1] if len(parts) > 1 else ""
        found = _YEAR.search(body)
        year = found.group("year") if found else ""
    container = re.split(
        r"\s*[;,]\s*\d|\s+\d+\s*\(|\s+\d+:\d|\.?\s*(?:19|20)\d\d\b|,?\s*vol\.", container
    )[0]
    return Reference(
        line=line,
        raw=" ".join(raw.split()),
        number=number,
        authors=authors,
        title=_clean(title),
        container=_clean(container) if not re.fullmatch(r"[\d\s;:().,-]*", container) else "",
        year=year,
        doi=doi,
        url=url,
        bad_doi=bad_doi,
    )


def _sentences(text: str) -> list[str]:
    """Split at ". " but not after an initial ("J. Smith") or a short abbreviation."""
    parts = re.split(r"(?<![A-Z])(?<!\b[A-Z][a-z])(?<=[.?!])\s+(?=[A-Z0-9\"\u201c])", text)
    return [_clean(p) for p in parts if _clean(p)]


def _looks_like_authors(text: str) -> bool:
    """ "Raman P, Ibanez T" or "Doe J, Lee K, et al" or "Example Institute"."""
    pieces = [p.strip() for p in re.split(r",|&|\band\b", _ET_AL.sub("", text)) if p.strip()]
    return (
        bool(pieces)
        and all(
            re.fullmatch(r"[A-Z\u00c0-\u024f][\w'\u2019-]+(?:\s+[A-Z]{1,3}\.?)?(?:\s+[A-Z]\.)*", p)
            or re.fullmatch(r"(?:[A-Z]\.\s*)+[A-Z\u00c0-\u024f][\w'\u2019-]+", p)
            for p in pieces
        )
        and len(pieces) <= 12
    )


def _authors(text: str) -> tuple[str, ...]:
    text = " ".join(text.split()).strip(" ,;:")
    more = bool(_ET_AL.search(text))
    text = _ET_AL.sub("", text)
    if re.search(r"[A-Z]\.,\s", text) or re.search(r",\s*[A-Z]\.", text):
        # APA: "Raman, P., Lee, K. J., & Ibanez, T."
        pieces = re.split(r"(?<=\.),\s*(?:&\s*)?|\s*&\s*", text)
    else:
        # Vancouver: "Raman P, Ibanez T"
        pieces = re.split(r"\s*,\s*(?:and\s+)?|\s*&\s*|\s+and\s+", text)
    names = tuple(
        n for n in (" ".join(p.split()).strip(" ,;:") for p in pieces) if re.search(r"[^\W\d_]", n)
    )
    if not names or any(len(n.split()) > 6 for n in names):
        return ()
    return (*names, "others") if more else names


def _title_and_container(text: str) -> tuple[str, str]:
    parts = _sentences(_clean(text))
    if not parts:
        return "", ""
    return parts[0], parts[1] if len(parts) > 1 else ""

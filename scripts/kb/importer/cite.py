"""Where the draft cites each source.

A publication the article names is cited after the first sentence that
names it (else where its attribution stood); the web article itself in the
lead. Reference-list markers in the text ("[2]", "[1, 3]", "[2-4]") become
citations of those references; references the text never marks are cited
together in the References section (the renderer says so in a TODO).
"""

from __future__ import annotations

import re

from kb.importer.model import Article, Para
from kb.importer.sources import Source

_CLOSERS = "\"'\u2019\u201d)\\]"
_STOPS = ".!?\u2026\u3002\uff01\uff1f"  # and the CJK full stop, ! and ?
_SENTENCE_END = re.compile(rf"[{_STOPS}](?=[{_CLOSERS}]*(?:\s|$))")
_MARKER = re.compile(r"\s?\[(?P<nums>\d{1,3}(?:\s*[,\u2013-]\s*\d{1,3})*)\]")


def _final_stop(text: str) -> int:
    """Where a citation goes at the end of a paragraph: before its full stop."""
    body = text.rstrip(_CLOSERS)
    return len(body) - 1 if body[-1:] and body[-1] in _STOPS else len(text)


def _mention(paragraphs: list[Para], publisher: str) -> tuple[Para | None, int]:
    pattern = re.compile(rf"(?<!\w){re.escape(publisher)}(?!\w)", re.IGNORECASE)
    for para in paragraphs:
        match = pattern.search(para.text)
        if match:
            end = _SENTENCE_END.search(para.text, match.end())
            return para, end.start() if end else len(para.text)
    return None, 0


def _paragraph_before(article: Article, line: int) -> Para | None:
    before = [p for p in article.paragraphs() if p.line <= line]
    if before:
        return before[-1]
    return next(iter(article.paragraphs()), None)


def _numbers(spec: str) -> list[int]:
    found: list[int] = []
    for part in re.split(r"\s*,\s*", spec):
        bounds = re.split(r"\s*[\u2013-]\s*", part)
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            low, high = int(bounds[0]), int(bounds[1])
            found.extend(range(low, high + 1) if 0 < high - low < 50 else [low, high])
        elif part.isdigit():
            found.append(int(part))
    return found


def _cite_markers(article: Article, by_number: dict[int, str]) -> set[str]:
    """Replace "[n]" markers with citations; the keys cited that way."""
    cited: set[str] = set()
    if not by_number:
        return cited
    for para in article.paragraphs():
        out, pos, shift = [], 0, 0
        for match in _MARKER.finditer(para.text):
            keys = [by_number[n] for n in _numbers(match.group("nums")) if n in by_number]
            if not keys:
                continue
            out.append(para.text[pos : match.start()])
            offset = match.start() - shift
            para.cites.setdefault(offset, []).extend(
                k for k in keys if k not in para.cites.get(offset, [])
            )
            shift += match.end() - match.start()
            pos = match.end()
            cited.update(keys)
        if out:
            out.append(para.text[pos:])
            para.text = "".join(out)
    return cited


def place_citations(article: Article, sources: list[Source]) -> list[str]:
    """Put citations in the text; return the reference keys still to cite."""
    paragraphs = list(article.paragraphs())
    by_number = {
        s.reference.number: s.key
        for s in sources
        if s.reference is not None and s.reference.number is not None
    }
    marked = _cite_markers(article, by_number)
    leftover: list[str] = []
    for source in sources:
        if source.reference is not None:
            if source.key not in marked and source.key not in leftover:
                leftover.append(source.key)
            continue
        attribution = source.attribution
        if attribution is None:  # the web article: its lead, or its first paragraph
            para = article.standfirst or (paragraphs[0] if paragraphs else None)
            offset = _final_stop(para.text) if para else 0
        else:
            para, offset = _mention(paragraphs, attribution.publisher)
            if para is None:
                para = attribution.para or _paragraph_before(article, attribution.line)
                offset = _final_stop(para.text) if para else 0
        if para is not None:
            para.cites.setdefault(offset, []).append(source.key)
        else:
            leftover.append(source.key)
    return leftover

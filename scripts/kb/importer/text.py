"""Text helpers shared by the importer's steps: loose comparison, what can
be a heading or a title, and the common names of the takeaway and evidence
sections."""

from __future__ import annotations

import re

from kb.importer import references as refs

#: The longest line that can be a heading ("short lines on their own").
MAX_HEADING_CHARS = 90
MAX_TITLE_CHARS = 200
_SEP = ":\uff1a\u2014\u2013-"  # colon, full-width colon, em dash, en dash, hyphen
_APOSTROPHES = "'\u2019"
_QUOTES = str.maketrans(
    "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2013\u2014\u2010\u2011",
    "''''" + '""""' + "----",
)
_CLOSERS = "\"'\u2019\u201d)\\]"
_STOPS = ".!?\u2026"
_SENTENCE_SPLIT = re.compile(rf"(?<=[{_STOPS}])[{_CLOSERS}]*\s+(?=\S)")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")

# Takeaway and evidence sections, under their common names.
_TAKEAWAY_NAMES = (
    r"(?:the\s+)?(?:(?:key|main|quick)\s+)?take-?aways?|key\s+points?|key\s+messages?"
    r"|(?:the\s+)?bottom\s+line|in\s+short|in\s+brief|the\s+short\s+version|at\s+a\s+glance"
    r"|what\s+(?:this|it)\s+means\s+for\s+you|tl;?\s*dr|要点|重点|小结|总结|要點|重點"
)
_TAKEAWAY = re.compile(
    rf"^(?P<name>{_TAKEAWAY_NAMES})(?P<rest>\s*|\s*[{_SEP}].*|\s+for\s+.*)$",
    re.IGNORECASE | re.DOTALL,
)
_EVIDENCE_LABEL = (
    r"(?:(?:a\s+)?note\s+on\s+(?:the\s+)?evidence|evidence(?:[\s-]+quality)?(?:\s+note)?"
    r"|quality\s+of\s+(?:the\s+)?evidence|about\s+(?:the|this)\s+evidence"
    r"|strength\s+of\s+(?:the\s+)?evidence|how\s+strong\s+is\s+the\s+evidence\??"
    r"|the\s+evidence\s+(?:behind\s+this|so\s+far)|evidence\s+check"
    r"|证据说明|关于证据|证据质量|證據說明|證據品質)"
)
_EVIDENCE_NOTE = re.compile(
    rf"^{_EVIDENCE_LABEL}\s*[{_SEP}]\s*(?P<rest>\S.*)$", re.IGNORECASE | re.DOTALL
)
_EVIDENCE_HEADING = re.compile(rf"^{_EVIDENCE_LABEL}\s*[:\uff1a]?$", re.IGNORECASE)


def fold(text: str) -> str:
    """Text compared loosely: case, quotes, dashes and spacing ignored."""
    return " ".join(text.translate(_QUOTES).casefold().split())


def has_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


def heading_like(text: str) -> bool:
    """A short line that is not a sentence: no final period, comma or colon."""
    return (
        len(text) <= MAX_HEADING_CHARS
        and len(text.split()) <= 15
        and has_word(text)
        and not text.endswith((".", ",", ";", ":", "…", "\u3002"))
    )


def title_like(text: str) -> bool:
    return (
        len(text) <= MAX_TITLE_CHARS
        and len(text.split()) <= 30
        and has_word(text)
        and not text.endswith((".", ",", ";", ":", "…", "\u3002"))
    )


def words_in(text: str) -> int:
    cjk = len(_CJK.findall(text))
    return len(text.split()) + cjk // 2


def special_heading(text: str) -> bool:
    return bool(_TAKEAWAY.match(text) or _EVIDENCE_HEADING.match(text) or refs.is_heading(text))

"""``kb import``: a web article saved as text -> a draft MyST article page.

Contributors bring articles copied from a web page. Around the article sits
the page's boilerplate ("Skip to content", a "News5 min readStandard" line, an
image caption "Title — keywords", "Share on X" ...); inside it are a title, a
standfirst, short heading lines, a "Key Takeaway" section, an "Evidence quality
note:" paragraph and an attribution ("Read the original source at X.").

The importer keeps the article's own words and only gives them structure:
front matter (through :mod:`kb.schema`), ``##`` headings, the key-takeaway and
evidence-note admonitions, ``{term}`` links to the glossary's terms (read from
docs/glossary.md, never a list kept here) and a citation of the named source,
with a references.bib entry holding only what the article states. Every
decision an editor must confirm is listed in the page as a TODO item.

The steps, each a function: :func:`read_lines` (bytes -> clean lines, or a
one-line error), :func:`parse` (lines -> :class:`Article`), :func:`plan_sources`
(the bib entries to cite or add), :func:`place_citations`, :func:`render` (the
MyST page, with :class:`TermLinker` and :func:`escape`) and :func:`import_file`,
which writes the bib entries and the page atomically, or nothing at all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kb import bib, files, paths, schema
from kb import glossary as glossary_mod

#: The audience of a draft until an editor decides: the broadest one.
DEFAULT_AUDIENCE = "both"
#: The evidence basis when the article does not say: the weakest kind, so a
#: draft never claims more than its source.
CAUTIOUS_EVIDENCE = "expert-opinion"
#: The topic of a draft whose text matched no topic's keywords.
FALLBACK_TOPIC = "ketamine-treatment"
#: The longest line that can be a heading ("short lines on their own").
MAX_HEADING_CHARS = 90
MAX_TITLE_CHARS = 200
MAX_SLUG_CHARS = 60
TODO = schema.TODO_MARKER


class ImporterError(Exception):
    """An input the importer cannot turn into a page: one line for the user."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        super().__init__(message)
        self.path = str(path)
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


# -- Reading the file -------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, in the file as saved
    text: str  # stripped, runs of white space as one space


# Typographic characters, written as escapes so that the code shows which.
_SEP = ":\uff1a\u2014\u2013-"  # colon, full-width colon, em dash, en dash, hyphen
_CLOSERS = "\"'\u2019\u201d)\\]"  # what may follow a full stop: quotes, brackets
_STOPS = ".!?\u2026"  # full stop, exclamation and question marks, ellipsis
_APOSTROPHES = "'\u2019"
_QUOTES = str.maketrans(
    "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2013\u2014\u2010\u2011",
    "''''" + '""""' + "----",
)

# Characters that only exist in text as layout: every line break form becomes
# "\n"; other control characters are dropped.
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")


def read_lines(path: Path) -> list[Line]:
    """The file's lines, decoded and normalised; ImporterError if it is not text."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImporterError(path, None, "no such file") from None
    except IsADirectoryError:
        raise ImporterError(path, None, "is a folder, not a text file") from None
    except OSError as exc:
        raise ImporterError(path, None, f"cannot read it ({exc.strerror})") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImporterError(path, 1, "UTF-16 text: save the article as UTF-8")
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise ImporterError(path, line, "binary data (a NUL byte), not a text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImporterError(
            path,
            line,
            f"not UTF-8 text (byte 0x{data[exc.start]:02X}): save the article as UTF-8",
        ) from None
    text = _LINE_BREAKS.sub("\n", text).replace("\ufeff", "")
    if not text.strip():
        raise ImporterError(path, None, "the file is empty")
    controls = [i for i, c in enumerate(text) if _is_control(c)]
    if len(controls) > max(8, len(text) // 50):
        line = text.count("\n", 0, controls[0]) + 1
        raise ImporterError(path, line, "binary data (control characters), not a text file")
    text = "".join(" " if c == "\t" else c for c in text if not _is_control(c))
    return [Line(n, " ".join(raw.split())) for n, raw in enumerate(text.split("\n"), start=1)]


def _is_control(char: str) -> bool:
    return char not in "\n\t" and unicodedata.category(char) in ("Cc", "Cs")


# -- Recognising the parts ----------------------------------------------------------

# Page furniture around the article. Phrases may be glued together when the
# page was copied ("Copy URLSkip to content"), so a line is boilerplate when it
# is made only of them.
_SHARE_TARGETS = (
    r"x|twitter|linkedin|facebook|reddit|whatsapp|bluesky|threads|mastodon|pinterest"
    r"|telegram|e-?mail"
)
_FURNITURE = (
    r"skip\s+to\s+(?:main\s+)?content"
    rf"|share(?:\s+(?:on|to|via)\s+(?:{_SHARE_TARGETS}))?"
    r"|share\s+this(?:\s+(?:article|page|story|post))?"
    r"|send\s+(?:via|by)\s+e-?mail"
    r"|(?:copy|copied)\s+(?:the\s+)?(?:url|link)!?"
    r"|print(?:\s+this\s+(?:article|page))?"
    r"|e-?mail|advertisement|listen(?:\s+to\s+this\s+(?:article|story))?|save|bookmark"
)
_BOILERPLATE = re.compile(rf"^(?:(?:{_FURNITURE})\s*[|·•:,]?\s*)+$", re.IGNORECASE)
# The category and reading-time line: "News5 min readStandard", "Opinion · 8 min read".
_READ_TIME = re.compile(
    r"^(?=.{0,80}$).*?(?<!\d)\d{1,3}\s*(?:-\s*)?min(?:ute)?s?\.?\s*read.*$", re.IGNORECASE
)
# Breadcrumbs above a title: "Home > News > Research" (or with guillemets).
_CRUMB = ">\u203a\u00bb"
_BREADCRUMB = re.compile(rf"^(?=.{{0,100}}$)[^{_CRUMB}]+(?:\s*[{_CRUMB}]\s*[^{_CRUMB}]+){{2,}}$")
_BYLINE = re.compile(r"^by\s+\S.{0,60}$", re.IGNORECASE)
_DATELINE = re.compile(
    r"^(?:(?:published|updated|posted)(?:\s+on)?\s*:?\s*)?"
    r"(?:\w+\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+\w+\.?\s+\d{4}|\d{4}-\d{2}-\d{2})$",
    re.IGNORECASE,
)
# Bullets: a bullet sign and its cousins, "-", "*", "+", an en dash, "1." or "1)".
_BULLET = re.compile(
    r"^(?:(?P<mark>[\u2022\u25cf\u25e6\u25aa\u2023\u2219\u00b7])\s*"
    r"|(?P<ascii>[-*+\u2013])\s+|(?P<number>\d{1,3})[.)]\s+)(?P<text>\S.*)$"
)
# "Key Takeaway", "Key Takeaways", "Key Takeaway for Patients", "Key takeaway: ..."
_TAKEAWAY = re.compile(
    r"^(?:the\s+)?(?:(?:key|main)\s+)?take-?aways?"
    rf"(?P<rest>\s*|\s*[{_SEP}].*|\s+for\s+.*)$",
    re.IGNORECASE | re.DOTALL,
)
_EVIDENCE_LABEL = (
    r"(?:evidence(?:[\s-]+quality)?(?:\s+note)?|note\s+on\s+(?:the\s+)?evidence"
    r"|quality\s+of\s+(?:the\s+)?evidence)"
)
_EVIDENCE_NOTE = re.compile(
    rf"^{_EVIDENCE_LABEL}\s*[{_SEP}]\s*(?P<rest>\S.*)$", re.IGNORECASE | re.DOTALL
)
_EVIDENCE_HEADING = re.compile(rf"^{_EVIDENCE_LABEL}\s*:?$", re.IGNORECASE)
# "Read the original source at Psychiatric Times." and its cousins.
_ATTRIBUTIONS = (
    re.compile(
        rf"^(?:read|see|view)\s+(?:the\s+)?(?:full|original)(?:\s+[\w{_APOSTROPHES}-]+){{0,4}}?"
        r"\s+(?:at|in|on|from|via)\s+(?P<publisher>.+?)\s*[.!]?$",
        re.IGNORECASE,
    ),
    re.compile(r"^originally\s+published\s+(?:in|by|at|on)\s+(?P<publisher>.+?)\.?$", re.I),
    re.compile(r"^(?:original\s+)?source\s*[:\uff1a]\s*(?P<publisher>.+?)\.?$", re.IGNORECASE),
)
_SENTENCE_SPLIT = re.compile(rf"(?<=[{_STOPS}])[{_CLOSERS}]*\s+(?=\S)")
_SENTENCE_END = re.compile(rf"[{_STOPS}](?=[{_CLOSERS}]*(?:\s|$))")


def fold(text: str) -> str:
    """Text compared loosely: case, quotes, dashes and spacing ignored."""
    return " ".join(text.translate(_QUOTES).casefold().split())


def is_boilerplate(text: str) -> bool:
    return bool(_BOILERPLATE.match(text) or _READ_TIME.match(text))


def _has_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


def heading_like(text: str) -> bool:
    """A short line that is not a sentence: no final period, comma or colon."""
    return (
        len(text) <= MAX_HEADING_CHARS
        and len(text.split()) <= 15
        and _has_word(text)
        and not text.endswith((".", ",", ";", ":", "…"))
        and not _BULLET.match(text)
    )


def title_like(text: str) -> bool:
    return (
        len(text) <= MAX_TITLE_CHARS
        and len(text.split()) <= 30
        and _has_word(text)
        and not text.endswith((".", ",", ";", ":", "…"))
        and not _BULLET.match(text)
    )


# -- The parsed article ---------------------------------------------------------------


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
class Takeaway:
    line: int
    qualifier: str = ""  # "for Ketamine Patients" in "Key Takeaway for Ketamine Patients"
    body: list[Para | Items] = field(default_factory=list)


@dataclass
class EvidenceNote:
    line: int
    body: list[Para | Items] = field(default_factory=list)


Element = Para | Items | Heading | Takeaway | EvidenceNote


@dataclass
class Attribution:
    publisher: str
    sentence: str
    line: int
    #: The paragraph the sentence was taken from, if any text remained in it.
    para: Para | None


@dataclass
class Article:
    path: Path
    title: str
    title_line: int
    standfirst: Para | None
    body: list[Element]
    attributions: list[Attribution]
    #: Lines that were neither article text nor known boilerplate.
    unplaced: list[Line] = field(default_factory=list)
    boilerplate: int = 0

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
        for el in self.body:
            if isinstance(el, Heading):
                parts.append(el.text)
        parts.extend(p.text for p in self.paragraphs())
        for el in self.body:
            for items in _items_in(el):
                parts.extend(items.items)
        return "\n".join(parts)


def _items_in(el: Element) -> list[Items]:
    if isinstance(el, Items):
        return [el]
    if isinstance(el, Takeaway | EvidenceNote):
        return [b for b in el.body if isinstance(b, Items)]
    return []


def _blocks(lines: list[Line]) -> list[list[Line]]:
    blocks: list[list[Line]] = [[]]
    for line in lines:
        if line.text:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _starts_new_line(text: str) -> bool:
    """Whether a line begins a new unit rather than continuing a wrapped one."""
    first = text[:1]
    return bool(_BULLET.match(text)) or not (first.isalpha() and first.islower())


def _one_per_line(block: list[Line]) -> bool:
    """Whether each line of a block is its own paragraph or heading (a page
    copied without blank lines) rather than one paragraph wrapped by the page:
    wrapped lines are short and most end mid-sentence."""
    inner = [line.text for line in block[:-1]]
    return any(len(text) > 100 for text in inner) or all(
        text.rstrip(_CLOSERS)[-1:] in f"{_STOPS}:" for text in inner
    )


def _elements(block: list[Line]) -> list[Para | Items]:
    """One block of consecutive lines -> paragraphs and lists.

    Bullet lines make list items. The other lines are one paragraph, wrapped by
    the page, unless they are one paragraph each (see :func:`_one_per_line`);
    a heading-like first line before a line that starts anew is split off.
    """
    out: list[Para | Items] = []
    pending: list[Line] = []
    each_line = _one_per_line(block)

    def flush() -> None:
        if pending:
            text = " ".join(line.text for line in pending)
            out.append(Para(text, pending[0].number, single_line=len(pending) == 1))
            pending.clear()

    for i, line in enumerate(block):
        bullet = _BULLET.match(line.text)
        if bullet:
            flush()
            ordered = bullet.group("number") is not None
            out.append(Items([bullet.group("text").strip()], line.number, ordered))
            continue
        heading_first = (
            i == 1
            and len(pending) == 1
            and heading_like(pending[0].text)
            and len(pending[0].text.split()) <= 10
            and _starts_new_line(line.text)
        )
        if each_line or heading_first:
            flush()
        pending.append(line)
    flush()
    return out


def _merge_lists(elements: list[Para | Items]) -> list[Para | Items]:
    """Bullets separated by blank lines are still one list."""
    out: list[Para | Items] = []
    for el in elements:
        last = out[-1] if out else None
        if isinstance(el, Items) and isinstance(last, Items) and last.ordered == el.ordered:
            last.items.extend(el.items)
        else:
            out.append(el)
    return out


def parse(path: Path, lines: list[Line]) -> Article:
    """Lines of a saved web page -> the article's parts (ImporterError if none)."""
    kept: list[Line] = []
    dropped = 0
    for line in lines:
        if line.text and is_boilerplate(line.text):
            dropped += 1
            kept.append(Line(line.number, ""))  # a removed line still separates blocks
        else:
            kept.append(line)

    content = [line for line in kept if line.text]
    if not content:
        raise ImporterError(
            path, None, "only page boilerplate ('Skip to content', 'Share' ...), no article text"
        )
    # Above the title: breadcrumbs are navigation; anything else means the
    # headline is not where a web page puts it.
    start = 0
    while start < len(content) and _BREADCRUMB.match(content[start].text):
        dropped += 1
        start += 1
    if start == len(content):
        raise ImporterError(path, None, "only page navigation, no article text")
    title_line = content[start]
    position = kept.index(title_line)
    following = kept[position + 1] if position + 1 < len(kept) else Line(0, "")
    if not title_like(title_line.text) or (following.text and not _starts_new_line(following.text)):
        raise ImporterError(
            path,
            title_line.number,
            "no recognisable title: the article should start with its headline, a short "
            "line on its own without a final period",
        )
    title = title_line.text
    folded_title = fold(title)

    rest: list[Line] = []
    for line in kept[position + 1 :]:
        if _is_caption(fold(line.text), folded_title):
            dropped += 1
            rest.append(Line(line.number, ""))
        else:
            rest.append(line)

    flat: list[Para | Items] = []
    for block in _blocks(rest):
        flat.extend(_elements(block))
    flat = _merge_lists(flat)

    unplaced: list[Line] = []
    body: list[Element] = []
    for i, el in enumerate(flat):
        nxt = flat[i + 1] if i + 1 < len(flat) else None
        before_sections = not any(isinstance(b, Heading) for b in body)
        if (
            isinstance(el, Para)
            and el.single_line
            and before_sections
            and (_BYLINE.match(el.text) or _DATELINE.match(el.text))
        ):
            # A byline or date under the headline: facts about the article
            # that belong in references.bib once an editor has checked them.
            unplaced.append(Line(el.line, el.text))
            continue
        body.append(_classify(el, nxt))
    if not body:
        raise ImporterError(path, title_line.number, "no article text after the title")

    standfirst = None
    if isinstance(body[0], Para) and not _is_special(body[0].text):
        standfirst = body.pop(0)

    body = _group_admonitions(body)
    attributions = _take_attributions(body, standfirst)
    return Article(
        path=path,
        title=title,
        title_line=title_line.number,
        standfirst=standfirst,
        body=body,
        attributions=attributions,
        unplaced=unplaced,
        boilerplate=dropped,
    )


def _is_caption(folded: str, folded_title: str) -> bool:
    """The image caption "Title — keywords" (dashes folded to '-'), or the title again."""
    if not folded.startswith(folded_title):
        return False
    after = folded[len(folded_title) :].strip()
    return not after or after[0] in "-|:"


def _is_special(text: str) -> bool:
    return bool(_TAKEAWAY.match(text) or _EVIDENCE_NOTE.match(text))


def _classify(el: Para | Items, nxt: Para | Items | None) -> Element:
    """Headings: a short line on its own that something follows."""
    if not isinstance(el, Para) or not el.single_line:
        return el
    takeaway = _TAKEAWAY.match(el.text)
    if takeaway and nxt is not None and _takeaway_heading(takeaway.group("rest")):
        return Takeaway(el.line, _qualifier(takeaway.group("rest")))
    if _EVIDENCE_HEADING.match(el.text) and nxt is not None:
        return EvidenceNote(el.line)
    if heading_like(el.text) and nxt is not None:
        return Heading(el.text, el.line)
    return el


def _takeaway_heading(rest: str) -> bool:
    """ "Key Takeaways", "Key Takeaway for Patients", "Key takeaway:" are headings;
    "Key takeaway: Ask your clinician." is a takeaway paragraph."""
    rest = rest.strip()
    return heading_like(rest.lstrip(":").strip() or "x") and not re.match(rf"^[{_SEP}]\s*\S", rest)


def _qualifier(rest: str) -> str:
    rest = rest.strip().strip(_SEP).strip()
    return rest[:1].upper() + rest[1:] if rest else ""


def _group_admonitions(body: list[Element]) -> list[Element]:
    """Put each takeaway's and evidence note's text inside it."""
    out: list[Element] = []
    current: Takeaway | EvidenceNote | None = None
    for el in body:
        if isinstance(el, Para):
            takeaway = _TAKEAWAY.match(el.text)
            note = _EVIDENCE_NOTE.match(el.text)
            if note:
                out.append(EvidenceNote(el.line, [Para(note.group("rest").strip(), el.line)]))
                current = None
                continue
            if takeaway and re.match(rf"^\s*[{_SEP}]\s*\S", takeaway.group("rest")):
                rest = re.sub(rf"^\s*[{_SEP}]\s*", "", takeaway.group("rest"))
                out.append(Takeaway(el.line, body=[Para(rest, el.line)]))
                current = None
                continue
        if isinstance(el, Takeaway | EvidenceNote):
            current = el
            out.append(el)
        elif isinstance(el, Heading):
            current = None
            out.append(el)
        elif current is not None:
            current.body.append(el)
        else:
            out.append(el)
    return out


def _take_attributions(body: list[Element], standfirst: Para | None) -> list[Attribution]:
    """Remove "Read the original source at X." sentences; return what they name."""
    found: list[Attribution] = []

    def scan(container: list) -> None:
        for para in list(container):
            if isinstance(para, Takeaway | EvidenceNote):
                scan(para.body)
                continue
            if not isinstance(para, Para):
                continue
            sentences = _SENTENCE_SPLIT.split(para.text)
            keep = []
            for sentence in sentences:
                publisher = _attribution(sentence)
                if publisher:
                    found.append(Attribution(publisher, sentence, para.line, para))
                else:
                    keep.append(sentence)
            if len(keep) != len(sentences):
                para.text = " ".join(keep)
                if not para.text:
                    container.remove(para)
                    for attribution in found:
                        if attribution.para is para:
                            attribution.para = None

    scan(body)
    if standfirst is not None:
        holder = [standfirst]
        scan(holder)
    return found


def _attribution(sentence: str) -> str | None:
    for pattern in _ATTRIBUTIONS:
        match = pattern.match(sentence.strip())
        if match:
            publisher = match.group("publisher").translate(_QUOTES)
            # Quotes, emphasis marks and arrows ("Psychiatric Times ->") around the name.
            publisher = re.sub(r"^[\W_]+|[^\w)\]]+$", "", publisher)
            if _has_word(publisher) and len(publisher) <= 80:
                return publisher
    return None


# -- Evidence basis and topics -------------------------------------------------------------

# How an evidence note names each kind of evidence. Labels come from the
# schema; these are the other ways articles say the same thing.
_EVIDENCE_CUES: dict[str, tuple[str, ...]] = {
    "meta-analysis": (r"meta-?analy[sz]\w*", r"pooled analys\w+"),
    "systematic-review": (r"systematic(?:\s+literature)?\s+reviews?",),
    "rct": (
        r"randomi[sz]ed(?:,?\s+(?:double-blind|placebo-controlled|controlled))*\s+(?:clinical\s+)?trials?",
        r"\bRCTs?\b",
    ),
    "observational-study": (
        r"observational",
        r"surveys?",
        r"cohort\s+stud\w+",
        r"case\s+(?:series|reports?)",
        r"registry\s+(?:stud\w+|data)",
        r"real-world\s+(?:data|stud\w+)",
    ),
    "clinical-guideline": (r"(?:clinical|practice)\s+guidelines?", r"guidelines?"),
    "clinical-overview": (
        r"clinical\s+overviews?",
        r"(?:narrative\s+)?review\s+articles?",
        r"narrative\s+reviews?",
        r"overview(?:\s+articles?)?",
    ),
    "expert-opinion": (
        r"expert\s+(?:opinion|commentary|discussion|consensus)",
        r"opinion\s+pieces?",
        r"commentar(?:y|ies)",
        r"editorials?",
        r"clinical\s+discussions?",
        r"perspective\s+pieces?",
    ),
}
_NEGATION = re.compile(
    r"\b(?:rather\s+than|instead\s+of|not|no|nor|unlike|without|neither|than)\b", re.I
)


def _evidence_patterns() -> list[tuple[str, re.Pattern[str]]]:
    patterns = []
    for key, basis in schema.EVIDENCE_BASES.items():
        label = r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", basis.label.lower()))
        label = label.replace("randomised", "randomi[sz]ed")
        for cue in (label, *_EVIDENCE_CUES.get(key, ())):
            patterns.append((key, re.compile(cue, re.IGNORECASE)))
    return patterns


def evidence_basis(note: str) -> str | None:
    """The kind of evidence an evidence note says the article rests on.

    The first kind the note names wins, except kinds it names to rule them out
    ("a clinical overview rather than a meta-analysis" -> clinical-overview).
    """
    best: tuple[int, str] | None = None
    for key, pattern in _evidence_patterns():
        for match in pattern.finditer(note):
            clause_start = max(note.rfind(c, 0, match.start()) for c in f".;,(){_SEP}")
            if _NEGATION.search(note[clause_start + 1 : match.start()]):
                continue
            if best is None or match.start() < best[0]:
                best = (match.start(), key)
            break
    return best[1] if best else None


# Words that point to each topic, beyond the words of its label. Keys are the
# schema's topic slugs (a test checks that they match).
_TOPIC_CUES: dict[str, tuple[str, ...]] = {
    "esketamine": ("esketamine", "spravato", "nasal spray", "intranasal"),
    "ketamine-treatment": ("low-dose ketamine", "infusion", "iv ketamine", "dosing", "dose"),
    "treatment-goals": ("remission", "response", "goal", "outcome", "recovery"),
    "access-and-cost": ("access", "insurance", "coverage", "cost", "rems", "certified", "rural"),
    "side-effects-and-safety": (
        "side effect",
        "dissociat",
        "blood pressure",
        "safety",
        "tolerab",
        "dizziness",
        "dependence",
        "monitoring",
    ),
    "maintenance": ("maintenance", "relapse", "sustain", "long-term", "booster"),
    "shared-decision-making": (
        "shared decision",
        "preference",
        "priorities",
        "ask your",
        "discuss",
    ),
    "suicidal-thoughts": ("suicid", "crisis"),
}
#: A topic is chosen when its cues occur at least once per this many words of
#: text (and at least twice): a passing mention does not make a topic.
WORDS_PER_TOPIC_HIT = 225
MAX_TOPICS = 6


def _topic_cues(slug: str) -> list[str]:
    """The topic's label, split at "and" and brackets, plus its extra cues."""
    label = schema.TOPICS[slug].label.lower()
    parts = re.split(r"\s+and\s+|[()]", label)
    return [p.strip() for p in parts if p.strip()] + list(_TOPIC_CUES.get(slug, ()))


def infer_topics(text: str) -> tuple[list[str], dict[str, int]]:
    """Topics whose words the text uses most; the counts show why."""
    counts: dict[str, int] = {}
    for slug in schema.TOPICS:
        hits = 0
        for cue in _topic_cues(slug):
            hits += len(re.findall(rf"(?<![\w-]){re.escape(cue)}", text, re.IGNORECASE))
        counts[slug] = hits
    ranked = sorted((s for s in counts if counts[s]), key=lambda s: -counts[s])
    needed = max(2, len(text.split()) // WORDS_PER_TOPIC_HIT)
    chosen = [s for s in ranked if counts[s] >= needed][:MAX_TOPICS]
    if not chosen and ranked:
        chosen = ranked[:1]
    return chosen, counts


# -- Sources --------------------------------------------------------------------------------


@dataclass
class Source:
    key: str
    label: str  # what the summary calls it
    new_entry: str | None = None  # BibTeX text to add, if not in references.bib yet
    replaces: bool = False  # --force: the new entry replaces this key's old one
    #: The sentence that named it; None for the web article itself.
    attribution: Attribution | None = None


def _words(text: str) -> list[str]:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.findall(r"[A-Za-z0-9]+", ascii_text.replace("'s ", " "))


_KEY_STOPWORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "by", "for", "from", "how", "in", "into", "is"}
    | {"it", "its", "of", "on", "or", "s", "the", "to", "what", "why", "with"}
)


def make_key(*phrases: str, max_words: int = 4) -> str:
    """A BibTeX key from words, in lowerCamelCase: "esketamineRoleTreatment"."""
    words = []
    for phrase in phrases:
        significant = [w for w in _words(phrase) if w.lower() not in _KEY_STOPWORDS]
        words.extend(significant[:max_words])
    camel = "".join(
        w.lower() if i == 0 else w[:1].upper() + w[1:].lower() for i, w in enumerate(words)
    )
    if not camel or not camel[0].isalpha():
        camel = f"source{camel[:1].upper()}{camel[1:]}"
    return camel


def _same(a: str, b: str) -> bool:
    return fold(bib.plain_value(a)) == fold(bib.plain_value(b))


def plan_sources(
    article: Article, bibliography: bib.Bibliography, *, force: bool = False
) -> list[Source]:
    """The entries to cite: each named source, then the web article itself.

    An entry already in references.bib is reused (same publisher naming this
    article; or same title). A new entry states only what the article does.
    A generated key taken by another entry is an error unless ``force``.
    """
    sources: list[Source] = []
    title = article.title
    seen: set[str] = set()
    for attribution in article.attributions:
        publisher = attribution.publisher
        if fold(publisher) in seen:
            continue
        seen.add(fold(publisher))
        existing = _find(
            bibliography,
            lambda f, p=publisher: (
                _same(f.get("howpublished", ""), p)
                and fold(bib.plain_value(title)) in fold(bib.plain_value(f.get("note", "")))
            ),
        )
        if existing:
            label = f"{publisher} [{existing}] (already in the .bib)"
            sources.append(Source(existing, label, attribution=attribution))
            continue
        title_part = make_key(title, max_words=2)
        key = make_key(publisher, max_words=3) + title_part[:1].upper() + title_part[1:]
        entry = bib.format_misc(
            key,
            {
                "howpublished": publisher,
                "note": f'The source named by the web article "{title}". Its title, '
                "author, date and address are not stated there",
            },
        )
        source = _new_source(bibliography, key, entry, publisher, force)
        source.attribution = attribution
        sources.append(source)

    existing = _find(bibliography, lambda f: _same(f.get("title", ""), title))
    if existing:
        sources.append(Source(existing, f"the web article [{existing}] (already in the .bib)"))
    else:
        named = ", ".join(a.publisher for a in article.attributions)
        note = "Web article imported with kb import. Its author, publisher, date and address "
        note += "are not stated in the saved copy"
        if named:
            note += f". It reports on a source at {named}"
        key = make_key(title)
        entry = bib.format_misc(key, {"title": title, "note": note})
        sources.append(_new_source(bibliography, key, entry, "the web article", force))
    return sources


def _find(bibliography: bib.Bibliography, matches) -> str | None:
    for key in bibliography:
        if matches(bibliography.fields(key)):
            return key
    return None


def _new_source(
    bibliography: bib.Bibliography,
    key: str,
    entry: str,
    what: str,
    force: bool,
) -> Source:
    if key in bibliography:
        if not force:
            line = bibliography.line_of(key)
            raise ImporterError(
                bibliography.path,
                line,
                f"key '{key}' (for {what}) belongs to another entry: edit it, or run with "
                "--force to replace that entry",
            )
        return Source(key, f"{what} [{key}] (entry replaced)", entry, replaces=True)
    return Source(key, f"{what} [{key}] (new entry)", entry)


def place_citations(article: Article, sources: list[Source]) -> None:
    """Cite each source in the text: after the first sentence that names its
    publisher, else where its attribution stood; the web article in the lead."""
    paragraphs = list(article.paragraphs())
    for source in sources:
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


# -- Glossary links -----------------------------------------------------------------------------

_HYPHENS = r"\-\u2010\u2011"
_PROTECTED = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+")


def _term_key(text: str) -> str:
    return re.sub(rf"[\s{_HYPHENS}]+", " ", text).casefold()


class TermLinker:
    """Links the first use of each glossary entry on a page with ``{term}``.

    Every form the glossary knows (terms, synonyms, plurals) is matched as
    whole words, longest first; hyphen and space are interchangeable. A form
    written in capitals (an acronym such as IV) only matches in capitals.
    """

    def __init__(self, glossary: glossary_mod.Glossary | None):
        self.glossary = glossary
        self.linked: list[str] = []  # headwords, in page order
        self._done: set[str] = set()
        self._targets: dict[str, str] = {}
        alternatives: list[str] = []
        for entry in glossary.entries if glossary else []:
            for term in entry.terms:
                for form in (term, *sorted(glossary_mod.plural_forms(term))):
                    key = _term_key(form)
                    if key in self._targets or not key.strip():
                        continue
                    self._targets[key] = term
                    words = re.split(rf"[\s{_HYPHENS}]+", form.strip())
                    body = rf"[\s{_HYPHENS}]+".join(re.escape(w) for w in words)
                    acronym = term.upper() == term and any(c.isalpha() for c in term)
                    alternatives.append(body if acronym else f"(?i:{body})")
        alternatives.sort(key=len, reverse=True)
        self._pattern = (
            re.compile(rf"(?<![\w{_HYPHENS}])(?:{'|'.join(alternatives)})(?![\w{_HYPHENS}])")
            if alternatives
            else None
        )

    def link(self, text: str) -> list[tuple[bool, str]]:
        """Split text into (is_markup, piece) with ``{term}`` roles inserted."""
        if self._pattern is None:
            return [(False, text)]
        pieces: list[tuple[bool, str]] = []
        protected = [m.span() for m in _PROTECTED.finditer(text)]
        pos = 0
        for match in self._pattern.finditer(text):
            if any(a < match.end() and match.start() < b for a, b in protected):
                continue
            term = self._targets.get(_term_key(match.group()))
            entry = self.glossary.find(term) if term else None
            if entry is None or entry.headword in self._done:
                continue
            self._done.add(entry.headword)
            self.linked.append(entry.headword)
            shown = match.group()
            role = (
                f"{{term}}`{shown}`"
                if shown.casefold() == term.casefold()
                else f"{{term}}`{shown} <{term}>`"
            )
            pieces.append((False, text[pos : match.start()]))
            pieces.append((True, role))
            pos = match.end()
        pieces.append((False, text[pos:]))
        return [(markup, piece) for markup, piece in pieces if piece]


# -- Rendering MyST ------------------------------------------------------------------------------

# Characters that start Markdown or MyST syntax anywhere in a line: emphasis,
# code, links, roles, raw HTML, escapes.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<$])|&(?=#?\w+;)")
# Characters that start a block (heading, quote, list, fence, comment, target,
# definition, table...) when they open a line.
_LINE_START_SPECIAL = set("#>+-=:%|~(!^{}@/")


def escape(text: str, *, line_start: bool = True) -> str:
    """Imported text as MyST that shows exactly that text."""
    escaped = _INLINE_SPECIAL.sub(lambda m: "\\" + m.group(0), text)
    if line_start:
        escaped = re.sub(r"^(\d{1,9})([.)])", r"\1\\\2", escaped)
        if escaped[:1] in _LINE_START_SPECIAL:
            escaped = "\\" + escaped
    return escaped


def _heading(level: int, text: str) -> str:
    escaped = escape(text, line_start=False)
    trailing = len(escaped) - len(escaped.rstrip("#"))
    if trailing:
        escaped = escaped[:-trailing] + "\\#" * trailing
    return f"{'#' * level} {escaped}"


def _cite(keys: list[str]) -> str:
    return f"{{cite:p}}`{','.join(keys)}`"


def _inline(text: str, linker: TermLinker | None, cites: dict[int, list[str]] | None) -> str:
    """Text with term links and citations, escaped; the start is a line start."""
    cuts = sorted((cites or {}).items())
    out: list[str] = []
    pos = 0
    segments: list[tuple[str, list[str] | None]] = []
    for offset, keys in cuts:
        segments.append((text[pos:offset], keys))
        pos = offset
    segments.append((text[pos:], None))
    for segment, keys in segments:
        if keys is not None:
            segment = segment.rstrip()
        pieces = linker.link(segment) if linker else [(False, segment)]
        for markup, piece in pieces:
            out.append(piece if markup else escape(piece, line_start=not out))
        if keys is not None:
            out.append((" " if out else "") + _cite(keys))
    return "".join(out)


def _body_lines(elements: list[Para | Items], linker: TermLinker | None) -> list[str]:
    lines: list[str] = []
    for el in elements:
        if lines:
            lines.append("")
        if isinstance(el, Para):
            lines.append(_inline(el.text, linker, el.cites))
        else:
            for n, item in enumerate(el.items, start=1):
                mark = f"{n}." if el.ordered else "-"
                lines.append(f"{mark} {_inline(item, linker, None)}")
    return lines


def _fence(name: str, body: list[str], *options: str, argument: str = "") -> list[str]:
    opening = f":::{{{name}}} {argument}".rstrip()
    return [opening, *options, *([""] if options and body else []), *body, ":::"]


@dataclass
class Draft:
    """What an import produced: the page, the bib entries and what it found."""

    article: Article
    slug: str
    page: str
    sources: list[Source]
    topics: list[str]
    evidence_basis: str
    linked_terms: list[str]
    todos: list[str]

    @property
    def new_entries(self) -> list[Source]:
        return [s for s in self.sources if s.new_entry]


@dataclass(frozen=True)
class Code:
    """A literal (a field name, value or key) in a TODO item: shown as code, so
    neither MyST nor the glossary check reads it as prose."""

    text: str


#: A TODO item: prose and literals.
Todo = tuple[str | Code, ...]


def todo_text(item: Todo) -> str:
    """A TODO item for the terminal."""
    return "".join(f"`{p.text}`" if isinstance(p, Code) else p for p in item)


def _todo_myst(item: Todo) -> str:
    out = []
    for part in item:
        if isinstance(part, Code) and "`" not in part.text:
            out.append(f"`{part.text}`")
        else:
            out.append(escape(part.text if isinstance(part, Code) else part, line_start=False))
    return "".join(out)


def _todos(
    article: Article,
    sources: list[Source],
    topics: list[str],
    counts: dict[str, int] | None,
    basis: str,
    basis_read: bool,
    glossary: glossary_mod.Glossary | None,
    today: dt.date,
) -> list[Todo]:
    """Everything an editor must decide or write before the draft is reviewed."""
    todos: list[Todo] = [
        (
            "Check every statement against the source: this draft was imported from ",
            Code(article.path.name),
            " and has not been reviewed.",
        ),
        (
            'The draft has no review date (it shows "Not yet reviewed"): once it is checked, '
            "add the record under ",
            Code("reviews"),
            ", set ",
            Code("review_status"),
            ", ",
            Code("last_reviewed"),
            " and ",
            Code("next_review"),
            " (imported ",
            Code(today.isoformat()),
            ").",
        ),
        (
            Code("audience"),
            " is ",
            Code(DEFAULT_AUDIENCE),
            " until an editor decides who the page is for.",
        ),
    ]
    if counts is not None:
        why: list[str | Code] = []
        for topic in topics:
            why += [", " if why else "", Code(topic), f" ({counts[topic]} keyword hits)"]
        todos.append(("Confirm the topics, chosen from the text's keywords: ", *why, "."))
    else:
        todos.append(
            (
                "No topic was recognised: ",
                Code("topics"),
                " is ",
                Code(topics[0]),
                " until an editor sets it.",
            )
        )
    if article.evidence_note and basis_read:
        todos.append(
            ("Confirm ", Code("evidence_basis"), " ", Code(basis), ", read from the evidence note.")
        )
    elif article.evidence_note:
        todos.append(
            (
                "The evidence note names no kind of evidence the importer knows: ",
                Code("evidence_basis"),
                " is ",
                Code(basis),
                " (the most cautious) until an editor sets it.",
            )
        )
    else:
        todos.append(
            (
                "The article has no evidence quality note: write one, and set ",
                Code("evidence_basis"),
                " (now ",
                Code(basis),
                ", the most cautious).",
            )
        )
    if article.standfirst is None:
        todos.append(
            ("The article has no standfirst: write the ", Code("summary"), " and a lead paragraph.")
        )
    if article.takeaway is None:
        todos.append(("The article has no Key Takeaway section: write the key takeaway.",))
    if not article.attributions:
        todos.append(
            (
                "The article does not name the publication it reports on: find that "
                "source, add it to references.bib and cite it.",
            )
        )
    for source in sources:
        if source.new_entry:
            missing = (
                "title, author, date, address"
                if source.attribution
                else ("author, publisher, date, address")
            )
            todos.append(
                (
                    "Complete the references.bib entry ",
                    Code(source.key),
                    f" from the source itself ({missing}): the saved copy does not state them.",
                )
            )
    for line in article.unplaced:
        todos.append((f'Line {line.number} of the saved file was not placed: "{line.text}".',))
    if glossary is None:
        todos.append(
            (
                "No glossary was found: link terms with ",
                Code("{term}"),
                " by hand.",
            )
        )
    return todos


def render(
    article: Article,
    slug: str,
    sources: list[Source],
    glossary: glossary_mod.Glossary | None,
    today: dt.date,
) -> Draft:
    """The draft page for an article whose citations have been placed."""
    topics, counts = infer_topics(article.plain_text())
    if not topics:
        topics, counts = [FALLBACK_TOPIC], None
    note = article.evidence_note
    note_text = " ".join(p.text for p in note.body if isinstance(p, Para)) if note else ""
    read = evidence_basis(note_text) if note else None
    basis = read or CAUTIOUS_EVIDENCE
    todos = _todos(article, sources, topics, counts, basis, read is not None, glossary, today)

    summary = (
        article.standfirst.text if article.standfirst else f"{TODO}: write a one-sentence summary."
    )
    # A draft: no review record and no review date (kb.schema's defaults).
    values = schema.new_front_matter(
        article.title,
        summary=summary,
        audience=DEFAULT_AUDIENCE,
        topics=topics,
        evidence_basis=basis,
        sources=[s.key for s in sources],
    )

    linker = TermLinker(glossary)
    out = [schema.front_matter_yaml(values), _heading(1, article.title), ""]
    if article.standfirst:
        out += [_inline(article.standfirst.text, linker, article.standfirst.cites), ""]
    for el in article.body:
        if isinstance(el, Heading):
            out += [_heading(2, el.text), ""]
        elif isinstance(el, Takeaway):
            body = []
            if el.qualifier:
                body = [f"*{escape(el.qualifier, line_start=False)}*", ""]
            body += _body_lines(el.body, linker) or [f"{TODO}: write the key takeaway."]
            out += [*_fence("key-takeaway", body), ""]
        elif isinstance(el, EvidenceNote):
            body = _body_lines(el.body, linker) or [f"{TODO}: write the evidence quality note."]
            out += [*_fence("evidence-note", body), ""]
        else:
            out += [*_body_lines([el], linker), ""]
    if article.takeaway is None:
        out += [*_fence("key-takeaway", [f"{TODO}: write the key takeaway."]), ""]
    if note is None:
        missing = (
            "The imported article gave no evidence quality note. "
            f"{TODO}: say what kind of evidence this page rests on."
        )
        out += [*_fence("evidence-note", [missing]), ""]
    # The editor's list goes last, after the text: it is removed item by item,
    # and the text's first use of each glossary term stays the linked one.
    items = [f"- {TODO}: {_todo_myst(item)}" for item in todos]
    title = "Draft: to do before review"
    out += [*_fence("admonition", items, ":class: kb-todo", argument=title), ""]
    out += [
        "## References",
        "",
        *_fence("bibliography", [], ":filter: docname in docnames"),
        "",
    ]
    page = "\n".join(out)
    plain = [todo_text(item) for item in todos]
    return Draft(article, slug, page, sources, topics, basis, linker.linked, plain)


# -- Import -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where an import writes: a knowledge base's articles, glossary and bib."""

    articles: Path
    glossary: Path
    bibfile: Path

    @classmethod
    def at(cls, root: Path | str) -> Target:
        """The layout of this repository, under another root (a test copy)."""
        root = Path(root)
        docs = root / paths.DOCS.relative_to(paths.ROOT)
        return cls(
            docs / paths.ARTICLES.relative_to(paths.DOCS),
            docs / paths.GLOSSARY.relative_to(paths.DOCS),
            root / paths.BIBFILE.relative_to(paths.ROOT),
        )


def slugify(text: str) -> str:
    words = [w.lower() for w in _words(text)]
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > MAX_SLUG_CHARS:
            break
        slug = candidate
    return slug or "-".join(words)[:MAX_SLUG_CHARS].strip("-")


def import_file(
    path: Path | str,
    target: Target,
    *,
    slug: str | None = None,
    force: bool = False,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> Draft:
    """Import one saved article. Writes nothing when ``dry_run``; raises
    ImporterError (and writes nothing) when the article cannot be imported."""
    path = Path(path)
    today = today or dt.date.today()
    article = parse(path, read_lines(path))

    slug = slug or slugify(article.title) or slugify(path.stem)
    if not schema.SLUG_RE.match(slug):
        raise ImporterError(
            path, article.title_line, "cannot make a file name from the title: use --slug"
        )
    page_path = target.articles / f"{slug}.md"
    if not dry_run:
        if not target.articles.is_dir():
            raise ImporterError(target.articles, None, "no such folder")
        if page_path.exists() and not force:
            raise ImporterError(
                page_path, None, "already exists: use --force to replace it, or --slug"
            )

    try:
        bibliography = bib.load(target.bibfile)
        glossary = glossary_mod.load(target.glossary) if target.glossary.is_file() else None
    except bib.BibError as exc:
        raise ImporterError(exc.path, exc.line, exc.message) from None
    except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        raise ImporterError(target.glossary, None, f"cannot read the glossary ({exc})") from None

    sources = plan_sources(article, bibliography, force=force)
    place_citations(article, sources)
    draft = render(article, slug, sources, glossary, today)
    _, problems = schema.load_article(draft.page)
    if problems:  # a bug here, not in the input: say so rather than write it
        raise ImporterError(
            path, None, f"internal error, the draft fails the schema: {problems[0].message}"
        )
    if dry_run:
        return draft

    old_bib = target.bibfile.read_text(encoding="utf-8")
    try:
        for source in draft.new_entries:
            bib.add_entry(target.bibfile, source.key, source.new_entry, replace=source.replaces)
        files.write_atomic(page_path, draft.page)
    except (OSError, bib.BibError, KeyError) as exc:
        files.write_atomic(target.bibfile, old_bib)  # the page is not there: undo its entries
        raise ImporterError(page_path, None, f"could not write the draft ({exc})") from None
    return draft


def summary(draft: Draft, written: Path | None) -> str:
    article = draft.article
    lines = [
        f"{article.path}: " + (f"wrote {written}" if written else "dry run, nothing written"),
        f"  title:          {article.title}",
        f"  sections:       {article.sections}",
        f"  key takeaway:   {'yes' if article.takeaway else 'no'}",
        "  evidence note:  " + (f"yes ({draft.evidence_basis})" if article.evidence_note else "no"),
        f"  terms linked:   {', '.join(draft.linked_terms) or 'none'}",
        "  source:         "
        + ("; ".join(a.publisher for a in article.attributions) or "none named"),
        "  cites:          " + "; ".join(s.label for s in draft.sources),
        f"  topics:         {', '.join(draft.topics)}",
        f"  boilerplate:    {article.boilerplate} lines dropped",
        f"  {TODO} items ({len(draft.todos)}):",
        *(f"    - {item}" for item in draft.todos),
    ]
    return "\n".join(lines)


# -- Command line ---------------------------------------------------------------------------------


def slug_arg(value: str) -> str:
    if not schema.SLUG_RE.match(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a slug: use lower-case words joined by hyphens"
        )
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="articles saved as text")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the draft page; write nothing"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an existing page, and a references.bib entry whose key is taken",
    )
    parser.add_argument("--slug", type=slug_arg, help="the page's file name (only with one FILE)")
    parser.set_defaults(usage_error=parser.error)
    parser.add_argument(
        "--root",
        type=Path,
        default=paths.ROOT,
        help="the knowledge base to import into (default: this repository)",
    )


def main(args: argparse.Namespace) -> int:
    if args.slug and len(args.files) > 1:
        args.usage_error("--slug names one page: give it with one FILE only")  # exits 2
    target = Target.at(args.root)
    status = 0
    for name in args.files:
        try:
            draft = import_file(
                name, target, slug=args.slug, force=args.force, dry_run=args.dry_run
            )
        except ImporterError as exc:
            print(f"kb import: error: {exc}", file=sys.stderr)
            status = 1
            continue
        if args.dry_run:
            print(draft.page)
            for source in draft.new_entries:
                print(f"% would add to {target.bibfile}:\n{source.new_entry}")
            print(summary(draft, None))
        else:
            print(summary(draft, target.articles / f"{draft.slug}.md"))
    return status

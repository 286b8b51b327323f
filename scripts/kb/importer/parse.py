"""Blocks of a saved page -> an :class:`~.model.Article`.

The steps, in order:

1. :func:`strip_furniture` takes out page furniture (listed for the import
   report), and reads the page's facts about itself (byline, dates, outlet,
   sponsorship) into :class:`~.model.Facts`;
2. :func:`find_headline` picks the headline: the first line that could be a
   title and is not a section label, breadcrumb, byline, date or caption (a
   Markdown ``#`` heading first); what stands above it is navigation;
3. the reference list at the end is taken out (:mod:`.references`);
4. the rest becomes headings, paragraphs, lists, quotes, tables, and the
   key-takeaway and evidence-note sections under their common names.
"""

from __future__ import annotations

import re
from pathlib import Path

from kb.importer import furniture as furn
from kb.importer import references as refs
from kb.importer.blocks import blocks as make_blocks
from kb.importer.model import (
    Article,
    Attribution,
    Block,
    Element,
    EvidenceNote,
    Facts,
    Heading,
    ImporterError,
    Items,
    Line,
    Para,
    Quote,
    Removed,
    Table,
    Takeaway,
)
from kb.importer.read import digest, is_markdown

#: The longest line that can be a heading ("short lines on their own").
MAX_HEADING_CHARS = 90
MAX_TITLE_CHARS = 200
#: How far into the page the headline may be (blocks, furniture removed).
HEADLINE_WINDOW = 40

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
# Headings that start a list of related articles (its items are furniture too).
_RELATED = re.compile(
    r"^(?:related(?:\s+(?:articles|stories|posts|content|reading|coverage|links|topics))?"
    r"|you\s+(?:may|might)\s+also\s+(?:like|enjoy)|more\s+(?:from|on|in|like\s+this)\b.{0,40}"
    r"|recommended(?:\s+(?:for\s+you|reading|articles|stories))?|read\s+next|up\s+next"
    r"|popular(?:\s+(?:now|articles|stories))?|most\s+(?:read|popular|viewed|shared)"
    r"|trending(?:\s+(?:now|stories))?|don'?t\s+miss|keep\s+reading|what\s+to\s+read\s+next"
    r"|explore\s+more|latest\s+(?:articles|stories|news))\s*:?$",
    re.IGNORECASE,
)
_CONTENTS = re.compile(
    r"^(?:table\s+of\s+contents|contents|on\s+this\s+page|in\s+this\s+article|jump\s+to(?:\s+\w+)?)$",
    re.IGNORECASE,
)
_BULLETISH = re.compile(r"^[\u2022\u25cf\u25e6\u25aa\u2023\u2219\u00b7\u25a0\u2043]")
# "Read the original source at Psychiatric Times." and its cousins.
_ATTRIBUTIONS = (
    re.compile(
        rf"^(?:read|see|view)\s+(?:the\s+)?(?:full|original)(?:\s+[\w{_APOSTROPHES}-]+){{0,4}}?"
        r"\s+(?:at|in|on|from|via)\s+(?P<publisher>.+?)\s*[.!]?$",
        re.IGNORECASE,
    ),
    re.compile(r"^(?:original\s+)?sources?\s*[:\uff1a]\s*(?P<publisher>.+?)\.?$", re.IGNORECASE),
)


def fold(text: str) -> str:
    """Text compared loosely: case, quotes, dashes and spacing ignored."""
    return " ".join(text.translate(_QUOTES).casefold().split())


def _has_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


def heading_like(text: str) -> bool:
    """A short line that is not a sentence: no final period, comma or colon."""
    return (
        len(text) <= MAX_HEADING_CHARS
        and len(text.split()) <= 15
        and _has_word(text)
        and not text.endswith((".", ",", ";", ":", "…", "\u3002"))
    )


def title_like(text: str) -> bool:
    return (
        len(text) <= MAX_TITLE_CHARS
        and len(text.split()) <= 30
        and _has_word(text)
        and not text.endswith((".", ",", ";", ":", "…", "\u3002"))
    )


# -- 1. Furniture and facts ----------------------------------------------------------------


class _Stripper:
    def __init__(self, found: list[Block]):
        self.blocks = found
        self.removed: list[Removed] = []
        self.facts = Facts()

    def drop(self, block: Block, what: str) -> None:
        self.removed.append(Removed(block.line, what, block.text or block.raw))

    def facts_of(self, block: Block) -> str | None:
        """Record the facts a line states; what it was, or None."""
        text = block.text
        if len(text) > 300:
            return None
        sponsored = furn.sponsorship(text)
        if sponsored:
            label, who = sponsored
            self.facts.sponsorship.append(label)
            if who and not self.facts.sponsor and len(who.split()) <= 8 and who[:1].isupper():
                self.facts.sponsor = who
            return "sponsorship label"
        published = furn.outlet(text)
        if published:
            name, when = published
            self.facts.outlet, self.facts.outlet_line = name, text
            dated = furn.date(when) if when else None
            if dated:
                self.facts.dates.append(dated)
            return "outlet line"
        who = furn.reviewer(text)
        if who:
            self.facts.reviewed_by = who
            return "review line"
        names = furn.byline(text)
        if names:
            found, others = names
            for name in found:
                if name not in self.facts.authors:
                    self.facts.authors.append(name)
            self.facts.byline = self.facts.byline or text
            for part in others:
                dated = furn.date(part)
                if dated and dated not in self.facts.dates:
                    self.facts.dates.append(dated)
            return "byline"
        stated = furn.dates(text)
        for dated in stated:
            if dated not in self.facts.dates:
                self.facts.dates.append(dated)
        return "date line" if stated else None

    def _profile_name(self, i: int) -> str | None:
        """A name on its own above a "Follow" button is the author's (blog platforms)."""
        block = self.blocks[i]
        nxt = self.blocks[i + 1] if i + 1 < len(self.blocks) else None
        if nxt is None or not re.fullmatch(r"follow(?:\s+\w+)?", nxt.text.strip(), re.I):
            return None
        names = furn.byline(f"By {block.text}")
        if not names or names[1] or len(names[0]) != 1:
            return None
        if names[0][0] not in self.facts.authors:
            self.facts.authors.append(names[0][0])
        self.facts.byline = self.facts.byline or block.text
        return "byline"

    def run(self) -> list[Block]:
        kept: list[Block] = []
        zone: str | None = None
        total = len(self.blocks)
        for i, block in enumerate(self.blocks):
            if block.kind == "rule":
                zone = None if zone == "author bio" else zone
                continue
            if block.kind == "table":
                kept.append(block)
                continue
            text = block.text
            if zone == "comments":
                what = furn.furniture(text)
                if what == "copyright line":
                    self.facts.copyright = self.facts.copyright or text
                self.drop(block, what or "comments")
                continue
            if zone == "related articles":
                if block.kind == "item" or (
                    heading_like(text) and not _special_heading(text) and not furn.furniture(text)
                ):
                    self.drop(block, "related articles")
                    continue
                zone = None
            if zone == "author bio":
                if (
                    block.kind in ("para", "quote")
                    and not _special_heading(text)
                    and not (block.kind == "heading" or heading_like(text))
                ):
                    self.drop(block, "author bio")
                    continue
                zone = None
            if zone == "contents":
                later = {fold(b.text) for b in self.blocks[i + 1 :]}
                if len(text) <= MAX_HEADING_CHARS and fold(text) in later:
                    self.drop(block, "table of contents")
                    continue
                zone = None
            if zone == "press contact" and len(text) <= 80 and not text.endswith("."):
                self.drop(block, "press contact")
                continue
            zone = None if zone == "press contact" else zone
            if zone == "tags" and block.kind == "item" and len(text) <= 40:
                self.drop(block, "tags")
                continue
            zone = None if zone == "tags" else zone
            what = self.facts_of(block) or self._profile_name(i)
            if what:
                self.drop(block, what)
                continue
            what = furn.furniture(text)
            if what is None and block.link_only and len(text.split()) <= 6:
                what = "link"
            if what is None and _RELATED.match(text.strip("*_ ")):
                what, zone = "related articles", "related articles"
            if what is None and block.kind != "item" and furn.breadcrumb(text):
                what = "breadcrumb"
            if what is None and re.fullmatch(r"tags?|topics|tagged", text.strip("*_: "), re.I):
                what, zone = "tags", "tags"
            if what is None:
                kept.append(block)
                continue
            if what == "press contact":
                zone = "press contact"
            if what == "navigation" and _CONTENTS.match(text.strip("*_: ")):
                zone = "contents"
            if what == "copyright line":
                self.facts.copyright = self.facts.copyright or text
            if what == "author bio" and heading_like(text.rstrip(":")):
                zone = "author bio"
            if what == "comment count" and i >= total // 2 and not _special_after(self.blocks, i):
                zone = "comments"
            self.drop(block, what)
        return _drop_contents_lists(kept, self.removed)


def _special_heading(text: str) -> bool:
    return bool(_TAKEAWAY.match(text) or _EVIDENCE_HEADING.match(text) or refs.is_heading(text))


def _special_after(found: list[Block], i: int) -> bool:
    return any(_special_heading(b.text) or _EVIDENCE_NOTE.match(b.text) for b in found[i + 1 :])


def _drop_contents_lists(kept: list[Block], removed: list[Removed]) -> list[Block]:
    """A table of contents: list items that repeat the page's own headings."""
    texts = [fold(b.text) for b in kept]
    out: list[Block] = []
    for i, block in enumerate(kept):
        later = texts[i + 1 :]
        if block.kind == "item" and texts[i] in later and len(block.text) <= MAX_HEADING_CHARS:
            following = [b for b in kept[i + 1 :] if fold(b.text) == texts[i]]
            if any(b.kind != "item" for b in following):
                removed.append(Removed(block.line, "table of contents", block.text))
                continue
        out.append(block)
    return out


def strip_furniture(found: list[Block]) -> tuple[list[Block], list[Removed], Facts]:
    stripper = _Stripper(found)
    kept = stripper.run()
    return kept, stripper.removed, stripper.facts


# -- 2. The headline ---------------------------------------------------------------------------


#: Removed lines that state facts about the article, not site chrome.
_FACT_LINES = frozenset({"byline", "date line", "outlet line", "review line", "photo credit"})


def _words_in(text: str) -> int:
    cjk = len(_CJK.findall(text))
    return len(text.split()) + cjk // 2


def _candidate(block: Block) -> bool:
    if block.kind not in ("para", "heading") or (not block.single_line and block.kind == "para"):
        return False
    text = block.text
    return (
        title_like(text)
        and not furn.kicker(text)
        and not furn.breadcrumb(text)
        and not _BULLETISH.match(text)
        and not _special_heading(text)
    )


def _sentence(block: Block) -> bool:
    """A paragraph of article text: a sentence of eight words or more."""
    text = block.text.rstrip(_CLOSERS)
    return block.kind == "para" and text[-1:] in _STOPS + "\u3002" and _words_in(text) >= 8


def _long_paragraph(block: Block) -> bool:
    return block.kind == "para" and _words_in(block.text) >= 25


def find_headline(
    kept: list[Block], markdown: bool, anchor: int | None = None, chrome: tuple[int, ...] = ()
) -> int | None:
    """Index of the headline among the kept blocks, or None.

    A Markdown export's top heading wins. Otherwise the headline is the first
    possible title of four words or more (a site name or section label is
    shorter) that comes after the site's chrome (*chrome*: the lines of the
    navigation, labels and banners taken out) and before the byline or date
    (*anchor*, the first one's line), so that a tagline above the navigation
    and a subtitle below the headline are passed over."""
    window: list[int] = []
    for i, block in enumerate(kept[:HEADLINE_WINDOW]):
        if _candidate(block):
            window.append(i)
        elif _long_paragraph(block) or _sentence(block):
            break  # article text: the headline is above it, or nowhere
    if not window:
        return None
    if markdown:
        headings = [i for i in window if kept[i].kind == "heading"]
        if headings:
            top = min(kept[i].level for i in headings)
            return next(i for i in headings if kept[i].level == top)
    # Site chrome (navigation, labels, banners) comes before the headline: a
    # site name or tagline above the last piece of it is not the headline.
    # Without a byline or date to stand above, chrome proves nothing: a table
    # of contents is chrome too, below the headline.
    long_enough = [i for i in window if _words_in(kept[i].text) >= 4]
    if anchor is not None:
        above = [i for i in long_enough if kept[i].line < anchor]
        last = kept[above[-1]].line if above else 0
        start = max((line for line in chrome if line < last), default=0)
        after_chrome = [i for i in above if kept[i].line > start]
        if after_chrome:
            return after_chrome[0]
    return long_enough[0] if long_enough else window[0]


def _is_caption(folded: str, folded_title: str) -> bool:
    """The image caption "Title \u2014 keywords" (dashes folded to '-'), or the title again."""
    if not folded.startswith(folded_title):
        return False
    after = folded[len(folded_title) :].strip()
    return not after or after[0] in "-|:"


# -- 4. Body structure -------------------------------------------------------------------------


def _takeaway_heading(rest: str) -> bool:
    """ "Key Takeaways", "Key Takeaway for Patients", "Key takeaway:" are headings;
    "Key takeaway: Ask your clinician." is a takeaway paragraph."""
    rest = rest.strip()
    return heading_like(rest.lstrip(":").strip() or "x") and not re.match(rf"^[{_SEP}]\s*\S", rest)


def _qualifier(rest: str) -> str:
    rest = rest.strip().strip(_SEP).strip()
    return rest[:1].upper() + rest[1:] if rest else ""


def _label_split(text: str) -> tuple[str, str] | None:
    """ "Bottom line: ..." or "Note on the evidence \u2014 ..." -> (kind, the text after it)."""
    note = _EVIDENCE_NOTE.match(text)
    if note:
        return "evidence", note.group("rest").strip()
    takeaway = _TAKEAWAY.match(text)
    if takeaway and re.match(rf"^\s*[{_SEP}]\s*\S", takeaway.group("rest")):
        return "takeaway", re.sub(rf"^\s*[{_SEP}]\s*", "", takeaway.group("rest"))
    return None


def _element(block: Block, nxt: Block | None) -> Element:
    """One kept block -> an element: headings are short lines with text after them."""
    text = block.text
    if block.kind == "item":
        return Items([text], block.line, block.ordered)
    if block.kind == "quote":
        return Quote(text, block.line)
    if block.kind == "table":
        return Table(block.rows, block.line)
    can_head = block.kind == "heading" or block.strong or block.single_line
    if can_head and nxt is not None:
        takeaway = _TAKEAWAY.match(text)
        if takeaway and _takeaway_heading(takeaway.group("rest")):
            return Takeaway(block.line, _qualifier(takeaway.group("rest")))
        if _EVIDENCE_HEADING.match(text):
            return EvidenceNote(block.line)
    if block.kind == "heading" and heading_like(text.rstrip(":")):
        return Heading(text.rstrip(":"), block.line) if nxt is not None else Para(text, block.line)
    if can_head and heading_like(text) and nxt is not None:
        return Heading(text, block.line)
    return Para(text, block.line, single_line=block.single_line)


def _merge_lists(elements: list[Element]) -> list[Element]:
    """Bullets separated by blank lines are still one list."""
    out: list[Element] = []
    for el in elements:
        last = out[-1] if out else None
        if isinstance(el, Items) and isinstance(last, Items) and last.ordered == el.ordered:
            last.items.extend(el.items)
        else:
            out.append(el)
    return out


def _group_sections(body: list[Element]) -> list[Element]:
    """Put each takeaway's and evidence note's text inside it."""
    out: list[Element] = []
    current: Takeaway | EvidenceNote | None = None
    for el in body:
        if isinstance(el, Para):
            label = _label_split(el.text)
            if label:
                kind, rest = label
                para = Para(rest[:1].upper() + rest[1:], el.line)
                out.append(
                    EvidenceNote(el.line, [para])
                    if kind == "evidence"
                    else Takeaway(el.line, body=[para])
                )
                current = out[-1]  # type: ignore[assignment]
                continue
        if isinstance(el, Takeaway | EvidenceNote):
            current = el
            out.append(el)
        elif isinstance(el, Heading | Table | Quote):
            current = None
            out.append(el)
        elif current is not None:
            current.body.append(el)
        else:
            out.append(el)
    return out


def _take_attributions(article: Article) -> None:
    """Remove "Read the original source at X." sentences; keep what they name."""

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
                    article.attributions.append(Attribution(publisher, sentence, para.line, para))
                else:
                    keep.append(sentence)
            if len(keep) != len(sentences):
                para.text = " ".join(keep)
                if not para.text:
                    container.remove(para)
                    for attribution in article.attributions:
                        if attribution.para is para:
                            attribution.para = None

    scan(article.body)
    if article.standfirst is not None:
        holder = [article.standfirst]
        scan(holder)
        if not holder:
            article.standfirst = None


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


# -- The whole ---------------------------------------------------------------------------------


def parse(path: Path, text: str, lines: list[Line]) -> Article:
    """A saved web page's text -> the article's parts (ImporterError if none)."""
    markdown = is_markdown(path, text)
    kept, removed, facts = strip_furniture(make_blocks(lines, text, markdown))
    if not kept:
        raise ImporterError(
            path, None, "only page furniture ('Skip to content', 'Share' ...), no article text"
        )
    anchor = min((r.line for r in removed if r.what in ("byline", "date line")), default=None)
    chrome = tuple(r.line for r in removed if r.what not in _FACT_LINES)
    at = find_headline(kept, markdown, anchor, chrome)
    if at is None:
        raise ImporterError(
            path,
            kept[0].line,
            "no recognisable title: the article should start with its headline, a short "
            "line on its own without a final period",
        )
    for block in kept[:at]:
        what = (
            "breadcrumb"
            if furn.breadcrumb(block.text)
            else ("section label" if furn.kicker(block.text) else "above the headline")
        )
        removed.append(Removed(block.line, what, block.text))
    title_block = kept[at]
    title = title_block.text.strip("*_ ").rstrip("#").strip()
    folded_title = fold(title)
    rest: list[Block] = []
    for block in kept[at + 1 :]:
        if block.kind in ("para", "heading") and _is_caption(fold(block.text), folded_title):
            removed.append(Removed(block.line, "image caption", block.text))
        else:
            rest.append(block)

    _deck_to_standfirst(rest, removed)
    rest, references, loose = refs.take_reference_list(rest)
    elements = [
        _element(block, rest[i + 1] if i + 1 < len(rest) else None) for i, block in enumerate(rest)
    ]
    body = _merge_lists(elements)
    if not body and not references:
        raise ImporterError(path, title_block.line, "no article text after the title")
    standfirst = None
    if body and isinstance(body[0], Para) and not _label_split(body[0].text):
        standfirst = body.pop(0)
    article = Article(
        path=path,
        title=title,
        title_line=title_block.line,
        standfirst=standfirst,
        body=_group_sections(body),
        attributions=[],
        facts=facts,
        references=references,
        removed=sorted(removed, key=lambda r: r.line),
        unplaced=loose,
        markdown=markdown,
        digest=digest(text),
    )
    _take_attributions(article)
    article.loose_tables = [
        el.line for el in article.body if isinstance(el, Table) and not _aligned(el)
    ]
    return article


def _deck_to_standfirst(rest: list[Block], removed: list[Removed]) -> None:
    """A subtitle under the headline, with the byline or buttons between it and
    the text, is the standfirst (the "deck"), not a section heading."""
    if len(rest) < 2 or rest[0].kind not in ("para", "heading"):
        return
    deck, after = rest[0], rest[1]
    if not title_like(deck.text) or _special_heading(deck.text) or _words_in(deck.text) < 4:
        return
    if not any(deck.line < r.line < after.line for r in removed):
        return
    if after.kind == "para" and (_sentence(after) or _long_paragraph(after)):
        deck.kind, deck.single_line, deck.strong = "para", False, False


def _aligned(table: Table) -> bool:
    widths = {len(row) for row in table.rows}
    return len(widths) == 1 and len(table.rows) >= 2 and widths != {1}

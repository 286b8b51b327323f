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

from kb.importer import exports
from kb.importer import furniture as furn
from kb.importer import references as refs
from kb.importer.blocks import blocks as make_blocks
from kb.importer.model import (
    Article,
    Attribution,
    Block,
    Element,
    EvidenceNote,
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
from kb.importer.strip import strip_furniture
from kb.importer.text import (
    _APOSTROPHES,
    _CLOSERS,
    _EVIDENCE_HEADING,
    _EVIDENCE_NOTE,
    _QUOTES,
    _SENTENCE_SPLIT,
    _SEP,
    _STOPS,
    _TAKEAWAY,
    fold,
    has_word,
    heading_like,
    special_heading,
    title_like,
    words_in,
)

#: How far into the page the headline may be (blocks, furniture removed).
HEADLINE_WINDOW = 40

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


# -- 2. The headline ---------------------------------------------------------------------------


#: Removed lines that state facts about the article, not site chrome.
_FACT_LINES = frozenset({"byline", "date line", "outlet line", "review line", "photo credit"})


def _candidate(block: Block) -> bool:
    if block.kind not in ("para", "heading") or block.lines > 3:
        return False  # a headline may be wrapped over two or three lines, no more
    text = block.text
    return (
        title_like(text)
        and not furn.kicker(text)
        and not furn.breadcrumb(text)
        and not _BULLETISH.match(text)
        and not special_heading(text)
    )


def _sentence(block: Block) -> bool:
    """A paragraph of article text: a sentence of eight words or more."""
    text = block.text.rstrip(_CLOSERS)
    return block.kind == "para" and text[-1:] in _STOPS + "\u3002" and words_in(text) >= 8


def _long_paragraph(block: Block) -> bool:
    return block.kind == "para" and words_in(block.text) >= 25


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
    long_enough = [i for i in window if words_in(kept[i].text) >= 4]
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
            if has_word(publisher) and len(publisher) <= 80:
                return publisher
    return None


# -- The whole ---------------------------------------------------------------------------------


def parse(path: Path, text: str, lines: list[Line]) -> Article:
    """A saved web page's text -> the article's parts (ImporterError if none)."""
    markdown = is_markdown(path, text)
    text, front, last = exports.split(text)
    found = make_blocks(lines, text, markdown)
    kept, removed, facts = strip_furniture(found)
    if front:
        title = exports.read_into(front, last, facts, removed)
        if title and not any(b.kind == "heading" and b.level == 1 for b in kept):
            kept.insert(0, Block("heading", title, 1, level=1))
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
    _numbered_headings(rest)
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


def _numbered_headings(rest: list[Block]) -> None:
    """ "2. Methods" alone between paragraphs is a numbered heading, not a list
    of one item."""
    for i, block in enumerate(rest):
        before = rest[i - 1] if i else None
        after = rest[i + 1] if i + 1 < len(rest) else None
        if (
            block.kind == "item"
            and block.ordered
            and heading_like(block.text)
            and words_in(block.text) <= 8
            and after is not None
            and after.kind == "para"
            and (before is None or before.kind != "item")
        ):
            block.kind, block.single_line = "heading", True


def _deck_to_standfirst(rest: list[Block], removed: list[Removed]) -> None:
    """A subtitle under the headline, with the byline or buttons between it and
    the text, is the standfirst (the "deck"), not a section heading."""
    if len(rest) < 2 or rest[0].kind not in ("para", "heading"):
        return
    deck, after = rest[0], rest[1]
    if not title_like(deck.text) or special_heading(deck.text) or words_in(deck.text) < 4:
        return
    if not any(deck.line < r.line < after.line for r in removed):
        return
    if after.kind == "para" and (_sentence(after) or _long_paragraph(after)):
        deck.kind, deck.single_line, deck.strong = "para", False, False


def _aligned(table: Table) -> bool:
    widths = {len(row) for row in table.rows}
    return len(widths) == 1 and len(table.rows) >= 2 and widths != {1}

"""Step 1 of parsing: page furniture out (listed for the import report), the
page's facts about itself in (:class:`~.model.Facts`).

Most furniture is one line (:func:`kb.importer.furniture.furniture`); some
starts a zone whose following lines are furniture too: a related-articles
list, a comment thread, an author's bio, a table of contents, tags, a press
contact.
"""

from __future__ import annotations

import re

from kb.importer import bylines
from kb.importer import furniture as furn
from kb.importer.model import Block, Facts, Removed
from kb.importer.text import (
    _EVIDENCE_NOTE,
    MAX_HEADING_CHARS,
    fold,
    heading_like,
)
from kb.importer.text import special_heading as _special_heading

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
                elif not dated and not self.facts.outlet and bylines.outlet_like(part):
                    self.facts.outlet, self.facts.outlet_line = part, text
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

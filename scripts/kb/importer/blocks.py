"""Lines -> blocks: paragraphs, headings, list items, quotes, tables, rules.

Two readers give the same :class:`~.model.Block` list. A Markdown export is
read with markdown-it (the parser MyST itself uses), so ``#`` headings,
``**bold**``, ``1.`` and ``1)`` lists, quotes, rules and pipe tables mean
what they mean in Markdown. Plain text copied from a browser has no markup:
there a blank line ends a paragraph, bullet signs start list items, and
columns (pipes, tabs or wide spacing) make a table; a "#" or ">" is text.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from kb.importer import furniture
from kb.importer.model import Block, Line

_CLOSERS = "\"'\u2019\u201d)\\]"  # what may follow a full stop: quotes, brackets
_STOPS = ".!?\u2026"  # full stop, exclamation and question marks, ellipsis

# Bullets: a bullet sign and its cousins, "-", "*", "+", an en dash, "1." or "1)".
BULLET = re.compile(
    r"^(?:(?P<mark>[\u2022\u25cf\u25e6\u25aa\u2023\u2219\u00b7\u25a0\u2043])\s*"
    r"|(?P<ascii>[-*+\u2013])\s+|(?P<number>\d{1,3})[.)]\s+)(?P<text>\S.*)$"
)
_RULE = re.compile(r"^(?:[-*_=~]\s*){3,}$")
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")


# -- Plain text ----------------------------------------------------------------------


def _groups(lines: list[Line]) -> list[list[Line]]:
    groups: list[list[Line]] = [[]]
    for line in lines:
        if line.text:
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    return [g for g in groups if g]


def starts_new_line(text: str) -> bool:
    """Whether a line begins a new unit rather than continuing a wrapped one."""
    first = text[:1]
    return bool(BULLET.match(text)) or not (first.isalpha() and first.islower())


def _one_per_line(group: list[Line]) -> bool:
    """Whether each line of a group is its own paragraph or heading (a page
    copied without blank lines) rather than one paragraph wrapped by the page:
    wrapped lines are short and most end mid-sentence."""
    inner = [line.text for line in group[:-1]]
    return any(len(text) > 100 for text in inner) or all(
        text.rstrip(_CLOSERS)[-1:] in f"{_STOPS}:" for text in inner
    )


def _wrapped_title(group: list[Line]) -> bool:
    """Two lines that read as one headline: no sentence end, title length."""
    texts = [line.text for line in group]
    return (
        not any(t.rstrip(_CLOSERS)[-1:] in f"{_STOPS}:;," for t in texts)
        and len(" ".join(texts)) <= 160
        and len(texts[1].split()) <= 8
    )


def _cells(raw: str) -> list[str] | None:
    """A line's table cells, if it has columns: pipes, tabs or wide spacing."""
    text = raw.strip()
    if text.count("|") >= 1 and not text.startswith(("http", "www")):
        parts = [c.strip() for c in text.strip("|").split("|")]
        if len(parts) >= 2:
            return parts
    if "\t" in text:
        parts = [c.strip() for c in re.split(r"\t+", text)]
        if len(parts) >= 2:
            return parts
    parts = [c.strip() for c in re.split(r"\s{3,}", text)]
    return parts if len(parts) >= 2 and all(len(p) <= 40 for p in parts) else None


def _table_run(group: list[Line], start: int) -> int:
    """How many lines from *start* form a table (0 if they do not)."""
    end = start
    while end < len(group) and (
        _TABLE_SEPARATOR.match(group[end].text) or _cells(group[end].raw) is not None
    ):
        end += 1
    rows = [g for g in group[start:end] if not _TABLE_SEPARATOR.match(g.text)]
    piped = all("|" in g.raw or "\t" in g.raw for g in rows)
    needed = 2 if piped else 3
    return end - start if len(rows) >= needed else 0


def _table_block(lines: list[Line]) -> Block:
    rows = [_cells(line.raw) or [line.text] for line in lines]
    rows = [r for r, line in zip(rows, lines, strict=True) if not _TABLE_SEPARATOR.match(line.text)]
    raw = "\n".join(line.text for line in lines)
    return Block(
        "table", raw, lines[0].number, rows=[[" ".join(c.split()) for c in r] for r in rows]
    )


def text_blocks(lines: list[Line]) -> list[Block]:
    """Blocks of a page saved as plain text."""
    out: list[Block] = []
    for group in _groups(lines):
        out.extend(_group_blocks(group))
    return out


def _group_blocks(group: list[Line]) -> list[Block]:
    out: list[Block] = []
    pending: list[Line] = []
    each_line = _one_per_line(group)

    def flush() -> None:
        if pending:
            text = " ".join(line.text for line in pending)
            para = Block("para", text, pending[0].number, single_line=len(pending) == 1)
            para.lines = len(pending)
            out.append(para)
            pending.clear()

    i = 0
    while i < len(group):
        line = group[i]
        run = _table_run(group, i)
        if run:
            flush()
            out.append(_table_block(group[i : i + run]))
            i += run
            continue
        i += 1
        if _RULE.match(line.text):
            flush()
            out.append(Block("rule", "", line.number))
            continue
        bullet = BULLET.match(line.text)
        if bullet:
            flush()
            ordered = bullet.group("number") is not None
            item = Block("item", bullet.group("text").strip(), line.number, ordered=ordered)
            item.raw = line.text  # a reference list's number stays readable
            out.append(item)
            continue
        if furniture.standalone(line.text):
            flush()
            out.append(Block("para", line.text, line.number))
            continue
        heading_first = (
            len(pending) == 1
            and len(pending[0].text) <= 90
            and len(pending[0].text.split()) <= 10
            and not pending[0].text.endswith((".", ",", ";", ":"))
            and starts_new_line(line.text)
            # A headline wrapped over two lines (and nothing else) stays one.
            and not (len(group) == 2 and _wrapped_title(group))
        )
        if each_line or heading_first:
            flush()
        pending.append(line)
    flush()
    return out


# -- Markdown --------------------------------------------------------------------------

_MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def _inline_text(token) -> tuple[str, bool, bool]:
    """An inline token's text as a reader sees it, whether all of it is bold,
    and whether all of it is a link (a profile, a share button)."""
    parts: list[str] = []
    depth = links = 0
    outside = outside_link = False
    for child in token.children or []:
        kind = child.type
        if kind == "link_open":
            links += 1
        elif kind == "link_close":
            links -= 1
        elif kind in ("text", "code_inline") and child.content.strip() and links == 0:
            outside_link = True
        if kind == "strong_open":
            depth += 1
        elif kind == "strong_close":
            depth -= 1
        elif kind in ("text", "code_inline"):
            if child.content.strip() and depth == 0:
                outside = True
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif kind == "image":
            if depth == 0:
                outside = True
            parts.append(child.content)
    text = " ".join("".join(parts).split())
    return text, bool(text) and not outside, bool(text) and not outside_link


def markdown_blocks(text: str) -> list[Block]:
    """Blocks of a Markdown export."""
    source = text.split("\n")
    out: list[Block] = []
    stack: list[str] = []  # open containers: "ordered", "bullet", "quote"
    heading_level = 0
    table: Block | None = None
    new_item = False
    for token in _MD.parse(text):
        line = token.map[0] + 1 if token.map else (out[-1].line if out else 1)
        raw = "\n".join(source[token.map[0] : token.map[1]]) if token.map else ""
        kind = token.type
        if kind == "ordered_list_open":
            stack.append("ordered")
        elif kind == "bullet_list_open":
            stack.append("bullet")
        elif kind == "blockquote_open":
            stack.append("quote")
        elif kind in ("ordered_list_close", "bullet_list_close", "blockquote_close"):
            stack.pop()
        elif kind == "list_item_open":
            new_item = True
        elif kind == "heading_open":
            heading_level = int(token.tag[1])
        elif kind == "heading_close":
            heading_level = 0
        elif kind == "hr":
            out.append(Block("rule", "", line))
        elif kind in ("code_block", "fence"):
            body = " ".join(token.content.split())
            if body:
                out.append(Block("para", body, line, raw=raw))
        elif kind == "html_block":
            body = " ".join(re.sub(r"<[^>]*>", " ", token.content).split())
            if body:
                out.append(Block("para", body, line, raw=raw))
        elif kind == "table_open":
            table = Block("table", "", line, rows=[])
            out.append(table)
        elif kind == "table_close" and table is not None:
            table.text = table.raw = "\n".join(" | ".join(r) for r in table.rows)
            table = None
        elif kind == "tr_open" and table is not None:
            table.rows.append([])
        elif kind == "inline":
            content, strong, link_only = _inline_text(token)
            if table is not None:
                table.rows[-1].append(content)
            elif not content:
                continue
            elif heading_level:
                out.append(Block("heading", content, line, level=heading_level, raw=raw))
            elif stack and stack[-1] in ("ordered", "bullet"):
                if new_item or not out or out[-1].kind != "item":
                    ordered = stack[-1] == "ordered"
                    out.append(Block("item", content, line, ordered=ordered, raw=raw))
                    new_item = False
                else:  # a second paragraph in the same item
                    out[-1].text += " " + content
                    out[-1].raw += "\n" + raw
            elif "quote" in stack:
                out.append(Block("quote", content, line, raw=raw))
            else:
                para = Block("para", content, line, strong=strong, raw=raw)
                para.link_only = link_only
                out.append(para)
    return out


def blocks(lines: list[Line], text: str, markdown: bool) -> list[Block]:
    if markdown:
        return markdown_blocks(text)
    return text_blocks(lines)

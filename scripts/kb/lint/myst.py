"""MyST pages read as the build reads them, with a file position for everything.

Pages are parsed with MyST's own markdown-it parser (``create_md_parser``,
configured with the extensions ``docs/conf.py`` enables), so what the linter
calls a heading, a code span, a role or raw HTML is exactly what Sphinx will
see. markdown-it gives block tokens a line range but inline tokens no position;
:func:`_record_spans` wraps each inline rule to note where its tokens start and
end, which is what lets a finding point at the exact column.

Directive bodies are parsed again, recursively, so roles inside
``:::{key-takeaway}`` are found too. The result is one flat list of items in
document order (:class:`Page.items`), which the rules walk.
"""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TypeVar

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

_T = TypeVar("_T")

#: What docs/conf.py enables, if it cannot be read.
DEFAULT_EXTENSIONS = frozenset({"colon_fence", "deflist"})

#: Directives whose body is not MyST prose (code, maths, file lists, options only).
LITERAL_DIRECTIVES = frozenset(
    {
        "bibliography",
        "code",
        "code-block",
        "code-cell",
        "csv-table",
        "eval-rst",
        "literalinclude",
        "math",
        "raw",
        "sourcecode",
        "toctree",
    }
)

#: Inline tokens whose text is not prose: a glossary term or TODO inside them
#: is not "used" (link text, code, roles, raw HTML).
_NOT_PROSE = frozenset(
    {"myst_role", "code_inline", "html_inline", "link_open", "image", "footnote_ref"}
)
_OPTION_LINE = re.compile(r"^\s*:[\w-]+:")
_DIRECTIVE_INFO = re.compile(r"^\{(?P<name>[\w:+-]+)\}\s*(?P<argument>.*)$")


# -- Positions ---------------------------------------------------------------------


class Source:
    """A file's text, with 1-based line and column for any character offset."""

    def __init__(self, text: str):
        self.text = text
        self.lines = text.splitlines()
        self.starts = [0]
        for line in text.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        line = min(line, max(len(self.lines) - 1, 0))
        return line + 1, offset - self.starts[line] + 1

    def offset(self, line0: int, col0: int = 0) -> int:
        """The offset of a 0-based line and column."""
        return self.starts[min(line0, len(self.starts) - 1)] + col0

    def first_char(self, line0: int) -> int:
        """The offset of a line's first non-blank character."""
        text = self.lines[line0] if line0 < len(self.lines) else ""
        return self.offset(line0, len(text) - len(text.lstrip()))


# -- What a page contains -------------------------------------------------------------


@dataclass
class Inline:
    """The source of one inline token (a paragraph, heading or table cell)."""

    content: str
    line_offsets: list[int]  # file offset of the start of each content line
    heading: bool

    def to_file(self, pos: int) -> int:
        line = self.content.count("\n", 0, pos)
        start = self.content.rfind("\n", 0, pos) + 1
        return self.line_offsets[line] + pos - start


@dataclass
class Role:
    name: str
    content: str
    offset: int


@dataclass
class Link:
    href: str
    offset: int
    image: bool = False


@dataclass
class Html:
    content: str
    offset: int
    block: bool


@dataclass
class Directive:
    name: str
    argument: str
    offset: int  # the opening fence
    body: str  # options and content, as written
    body_line0: int  # 0-based file line of the body's first line

    @property
    def options(self) -> str:
        """The option lines at the start of the body (other lines blanked)."""
        blanked = _blank_options(self.body).split("\n")
        lines = self.body.split("\n")
        return "\n".join(o if o != b else "" for o, b in zip(lines, blanked, strict=True))

    @property
    def has_content(self) -> bool:
        return bool(_blank_options(self.body).strip())


@dataclass
class Text:
    """A run of prose, outside code, roles, links and raw HTML."""

    text: str
    start: int  # position in inline.content
    inline: Inline

    def to_file(self, pos: int) -> int:
        return self.inline.to_file(self.start + pos)


Item = Role | Link | Html | Directive | Text


# -- The outline: what a reader reads, for the reading-level rules ------------------


@dataclass
class Heading:
    level: int
    title: str  # as a reader sees it
    line: int  # 1-based


@dataclass
class Prose:
    """One paragraph, list item or table cell as a reader reads it: roles
    reduced to their visible text, citations, code and raw HTML left out.
    Soft line breaks are kept as newlines, so each sentence has a line."""

    text: str
    line: int  # 1-based line of its first line


@dataclass
class BoxStart:
    """A directive whose body is prose (a Key takeaway, a note, a dropdown)."""

    name: str
    argument: str
    line: int


@dataclass
class BoxEnd:
    name: str


OutlineItem = Heading | Prose | BoxStart | BoxEnd


@dataclass
class Page:
    source: Source
    items: list[Item] = field(default_factory=list)
    #: (start, end) file offsets of code: fenced and indented blocks, code spans.
    code: list[tuple[int, int]] = field(default_factory=list)
    #: Headings, prose and boxes in reading order (front matter and code excluded).
    outline: list[OutlineItem] = field(default_factory=list)

    def in_code(self, offset: int) -> bool:
        return any(start <= offset < end for start, end in self.code)


# -- The parser ----------------------------------------------------------------------


def _record_spans(md: MarkdownIt) -> None:
    """Note in ``token.meta["span"]`` where each inline token's source starts and ends.

    Every inline rule is wrapped: tokens it pushes get the (start, end) of the
    text it consumed. Nested rules (a role inside a link) run first, so they
    keep their own span; a link's ``link_open`` gets the whole ``[...](...)``.
    """
    ruler = md.inline.ruler
    for rule in list(ruler.__rules__):  # markdown-it exposes no public iterator of rules

        def wrapped(state, silent, _fn=rule.fn):  # type: ignore[no-untyped-def]
            start, before = state.pos, len(state.tokens)
            ok = _fn(state, silent)
            if ok and not silent:
                for token in state.tokens[before:]:
                    if token.meta is None:
                        token.meta = {}
                    token.meta.setdefault("span", (start, state.pos))
            return ok

        ruler.at(rule.name, wrapped, {"alt": rule.alt})


@cache
def parser(extensions: frozenset[str] = DEFAULT_EXTENSIONS) -> MarkdownIt:
    md = create_md_parser(MdParserConfig(enable_extensions=set(extensions)), RendererHTML)
    # MyST counts words for its {wordcount} substitution; the linter does not need
    # it, and it is most of the parsing time.
    md.core.ruler.disable("wordcount")
    _record_spans(md)
    return md


def conf_extensions(conf: Path) -> frozenset[str]:
    """``myst_enable_extensions`` from docs/conf.py, read without running it."""
    try:
        tree = ast.parse(conf.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return DEFAULT_EXTENSIONS
    for node in tree.body:
        names = [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)]
        if isinstance(node, ast.Assign) and "myst_enable_extensions" in names:
            try:
                return frozenset(ast.literal_eval(node.value))
            except ValueError:
                break
    return DEFAULT_EXTENSIONS


def parse(text: str, extensions: frozenset[str] = DEFAULT_EXTENSIONS) -> Page:
    source = Source(text)
    page = Page(source)
    md = parser(extensions)
    _walk(md, md.parse(text), 0, page)
    return page


def _walk(md: MarkdownIt, tokens: list[Token], line0: int, page: Page) -> None:
    """Turn tokens (of text starting at file line ``line0``) into page items."""
    source = page.source
    heading = False
    level = 0
    for token in tokens:
        start = line0 + token.map[0] if token.map else None
        if token.type == "heading_open":
            heading = True
            level = int(token.tag[1:]) if token.tag[1:].isdigit() else 1
        elif token.type == "heading_close":
            heading = False
        elif token.type == "inline" and start is not None:
            _inline(token, start, heading, page)
            text = prose_text(token)
            if heading:
                page.outline.append(Heading(level, " ".join(text.split()), start + 1))
            elif text.strip():
                page.outline.append(Prose(text, start + 1))
        elif token.type == "html_block" and start is not None:
            offset = source.first_char(start)
            end = source.offset(line0 + token.map[1])
            page.items.append(Html(source.text[offset:end], offset, block=True))
        elif token.type == "code_block" and start is not None:
            page.code.append((source.offset(start), source.offset(line0 + token.map[1])))
        elif token.type in ("fence", "colon_fence") and start is not None:
            _fence(md, token, start, line0 + token.map[1], page)


def _fence(md: MarkdownIt, token: Token, start: int, end: int, page: Page) -> None:
    source = page.source
    match = _DIRECTIVE_INFO.match(token.info.strip())
    if not match:  # a plain code fence
        page.code.append((source.offset(start), source.offset(end)))
        return
    directive = Directive(
        name=match.group("name"),
        argument=match.group("argument").strip(),
        offset=source.first_char(start),
        body=token.content,
        body_line0=start + 1,
    )
    page.items.append(directive)
    if directive.name in LITERAL_DIRECTIVES:
        # Options (":filter: ...") are still checked as text; the body is not prose.
        page.code.append((source.offset(start + 1), source.offset(end)))
        return
    # Blank out option lines (keeping line numbers) and parse the rest as MyST.
    body = _blank_options(token.content)
    page.outline.append(BoxStart(directive.name, directive.argument, start + 1))
    _walk(md, md.parse(body), start + 1, page)
    page.outline.append(BoxEnd(directive.name))


def items(page: Page, kind: type[_T]) -> list[_T]:
    return [item for item in page.items if isinstance(item, kind)]


def _blank_options(body: str) -> str:
    lines = body.split("\n")
    i = 0
    if lines and lines[0].strip() == "---":  # YAML options block
        for j in range(1, len(lines)):
            if lines[j].strip() == "---":
                i = j + 1
                break
        lines[:i] = [""] * i
    else:
        while i < len(lines) and _OPTION_LINE.match(lines[i]):
            lines[i] = ""
            i += 1
    return "\n".join(lines)


def _line_starts(content: str, first_line0: int, source: Source) -> list[int]:
    """The file offset where each line of an inline token's content begins.

    markdown-it strips each line's indentation (and list or quote markers),
    so a content line is found at the end (or failing that, inside) its file line.
    """
    starts = []
    for i, piece in enumerate(content.split("\n")):
        line0 = first_line0 + i
        text = source.lines[line0] if line0 < len(source.lines) else ""
        if piece and text.endswith(piece):
            col = len(text) - len(piece)
        else:
            found = text.find(piece) if piece else -1
            col = found if found >= 0 else len(text) - len(text.lstrip())
        starts.append(source.offset(line0, col))
    return starts


#: Roles whose text a reader does not see as words (a citation prints "[1]").
_SILENT_ROLE = re.compile(r"^(?:cite|footcite)(?::\w+)?$|^math$")


def prose_text(token: Token) -> str:
    """An inline token's text as a reader reads it (see :class:`Prose`)."""
    from kb.glossary import role_text_and_target  # kb.glossary imports nothing of ours

    parts: list[str] = []
    for child in token.children or []:
        kind = child.type
        if kind == "text":
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind == "myst_role":
            name = (child.meta or {}).get("name", "")
            if not _SILENT_ROLE.match(name):
                parts.append(role_text_and_target(child.content)[0])
    text = "".join(parts)
    # What a removed citation leaves: "dose [1]." is read as "dose."
    return re.sub(r"[ \t]+([.,;:!?)])", r"\1", text)


def _inline(token: Token, line0: int, heading: bool, page: Page) -> None:
    inline = Inline(token.content, _line_starts(token.content, line0, page.source), heading)
    found: list[tuple[int, Item]] = []
    masked: list[tuple[int, int]] = []
    for child in token.children or []:
        span = (child.meta or {}).get("span")
        if span is None:
            continue
        begin, end = span
        offset = inline.to_file(begin)
        if child.type == "myst_role":
            found.append((begin, Role(child.meta.get("name", ""), child.content, offset)))
        elif child.type == "code_inline":
            page.code.append((offset, inline.to_file(end)))
        elif child.type == "html_inline":
            found.append((begin, Html(child.content, offset, block=False)))
        elif child.type in ("link_open", "image"):
            href = str(child.attrGet("src" if child.type == "image" else "href") or "")
            found.append((begin, Link(href, offset, image=child.type == "image")))
        if child.type in _NOT_PROSE:
            masked.append(span)
    # The prose: what lies between the masked spans.
    masked.sort()
    cursor = 0
    for begin, end in [*masked, (len(inline.content), len(inline.content))]:
        if begin > cursor:
            found.append((cursor, Text(inline.content[cursor:begin], cursor, inline)))
        cursor = max(cursor, end)
    found.sort(key=lambda pair: pair[0])  # stable: a link comes before the roles in it
    page.items.extend(item for _, item in found)

"""A page saved as HTML ("Save page as... Web page, HTML only") -> Markdown text.

Python's own :class:`html.parser.HTMLParser` reads it (no network, no
scripts run): headings become ``#`` lines, paragraphs and blocks become
paragraphs, list items ``-`` or ``1.`` lines, quotes ``>`` lines, table rows
pipe rows; ``script``, ``style``, ``noscript``, ``template``, ``svg`` and
form controls are dropped. Links and images keep only their text. The result
is read like any Markdown export, furniture and all (the report's line
numbers are those of the converted text).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "iframe",
        "object",
        "select",
        "textarea",
        "button",
        "head",
        "canvas",
    }
)
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "aside",
        "main",
        "figure",
        "figcaption",
        "blockquote",
        "ul",
        "ol",
        "table",
        "form",
        "address",
        "details",
        "summary",
        "dl",
        "dt",
        "dd",
        "pre",
        "hr",
        "br",
        "tr",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "body",
        "html",
    }
)
_SNIFF = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
    re.IGNORECASE | re.DOTALL,
)


#: The first line of converted text, so that it is read as Markdown whatever
#: the file's name (a MyST comment: it shows nowhere).
MARK = "<!-- converted from HTML by kb import -->"


def looks_like_html(text: str) -> bool:
    return bool(_SNIFF.match(text[:2000]))


class _ToMarkdown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.line: list[str] = []
        self.skip = 0
        self.lists: list[list[int]] = []  # per open list: [ordered, counter]
        self.quote = 0
        self.prefix = ""
        self.cells: list[str] | None = None

    def _flush(self) -> None:
        text = " ".join("".join(self.line).split())
        self.line = []
        if text:
            quote = "> " * self.quote
            self.out.append(f"{quote}{self.prefix}{text}")
        self.prefix = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if tag in ("td", "th") and self.cells is not None:
            self.line = []
            return
        if tag == "tr":
            self._flush()
            self.cells = []
            return
        if tag in _BLOCKS:
            self._flush()
            self.out.append("")
        if tag in ("ul", "ol"):
            self.lists.append([tag == "ol", 0])
        elif tag == "li":
            if self.lists and self.lists[-1][0]:
                self.lists[-1][1] += 1
                self.prefix = f"{self.lists[-1][1]}. "
            else:
                self.prefix = "- "
        elif tag == "blockquote":
            self.quote += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self.prefix = "#" * int(tag[1]) + " "
        elif tag == "hr":
            self.out += ["---", ""]
        elif tag in ("strong", "b"):
            self.line.append("**")
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            if alt.strip():
                self.line.append(f" {alt} ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag in ("td", "th") and self.cells is not None:
            self.cells.append(" ".join("".join(self.line).split()).replace("|", "/"))
            self.line = []
            return
        if tag == "tr" and self.cells is not None:
            if any(self.cells):
                self.out.append("| " + " | ".join(self.cells) + " |")
                if len([r for r in self.out if r.startswith("| ")]) == 1:
                    self.out.append("|" + "|".join(" --- " for _ in self.cells) + "|")
            self.cells = None
            return
        if tag == "table":
            self.out.append("")
        if tag in ("strong", "b"):
            self.line.append("**")
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag == "blockquote":
            self._flush()
            self.quote = max(0, self.quote - 1)
        if tag in _BLOCKS:
            self._flush()
            self.out.append("")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.line.append(data)


def to_markdown(text: str) -> str:
    parser = _ToMarkdown()
    parser.feed(text)
    parser.close()
    parser._flush()
    body = "\n".join(parser.out)
    body = re.sub(r"\*\*\s*\*\*", "", body)  # bold around nothing
    return MARK + "\n\n" + re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"

"""Nothing a page's author writes reaches the reader as raw HTML or a script URL.

``kb check`` rejects raw HTML, ``<script>``, event handlers and
``javascript:``/``data:`` links in the source (HTML001-HTML004); this is the
second line of defence, in the build itself: after a page is read, every raw
node written in it (MyST's HTML blocks and inline tags, the ``{raw}``
directive, ``.. raw::`` inside ``{eval-rst}``) is removed, and links with a
script or data URL are reduced to their text. Each removal is a warning
(type ``kb``, subtype ``raw-html`` or ``unsafe-url``), so a strict build fails.

MyST itself emits raw nodes for a hard line break (``<br />`` and LaTeX's
``\\\\``) and for strikethrough (``<s>``); those exact, fixed strings are kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.util import logging

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")


#: The raw markup MyST's renderer generates itself: fixed strings, harmless.
#: (docutils gives every node a source line, so origin cannot tell them apart.)
MYST_MARKUP = frozenset(
    {
        ("html", "<br />\n"),
        ("latex", "\\\\\n"),
        ("html", "<s>"),
        ("html", "</s>"),
    }
)


def _written_by_author(node: nodes.raw) -> bool:
    return (node.get("format", ""), node.astext()) not in MYST_MARKUP


def remove_unsafe(app: Sphinx, doctree: nodes.document) -> None:
    for raw in list(doctree.findall(nodes.raw)):
        if not _written_by_author(raw):
            continue
        snippet = " ".join(raw.astext().split())[:60]
        logger.warning(
            "raw %s removed from the page (%r): write it in MyST Markdown instead [HTML001]",
            raw.get("format", "markup"),
            snippet,
            location=raw,
            type="kb",
            subtype="raw-html",
        )
        raw.parent.remove(raw)
    for ref in list(doctree.findall(nodes.reference)):
        uri = "".join(ref.get("refuri", "").split()).lower()
        if uri.startswith(UNSAFE_SCHEMES):
            logger.warning(
                "link to a %s URL removed; only its text is kept [HTML004]",
                uri.split(":", 1)[0],
                location=ref,
                type="kb",
                subtype="unsafe-url",
            )
            ref.replace_self(nodes.inline(ref.astext(), ref.astext()))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-read", remove_unsafe)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

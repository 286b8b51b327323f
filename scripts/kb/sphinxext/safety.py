"""The content-safety policy, enforced where content becomes output (SECURITY.md).

One policy (:mod:`kb.policy`), applied to the doctree rather than to the
syntax an attack is written in, so that every way of writing a thing (a
Markdown link, an autolink, a reference definition, a directive option, a
bib field) meets the same check:

- **Raw markup**: every raw node written in a page (MyST's HTML blocks and
  inline tags, ``{raw}``, ``.. raw::`` or a raw role inside ``{eval-rst}``,
  sphinx-design's SVG icons) is removed; so are ``meta`` nodes (``.. meta::``,
  ``html_meta``: a ``<meta http-equiv=refresh>`` is a redirect), and any
  ``on*``/``style`` attribute (MyST's attribute syntax).
- **URLs**: a link, target, image or download whose URL is not ``https:``,
  ``http:``, ``mailto:``, ``tel:`` or relative is reduced to its text.
- **Text**: a script URL in printed text is replaced by ``[removed]`` (a PDF
  prints text as it is, and a reader may paste it). Markup a page writes as
  text (``\\<b>``) is meant to be seen, and the writers escape it.
- **Front matter**: every string of an article's metadata (printed by the page
  header, meta tags, JSON-LD and handouts) loses script URLs and markup.
- **Sources**: a page over 1 MB, a symlink out of docs/, a page that is not
  MyST Markdown, or one whose path cannot be a URL (``javascript:x.md``) is
  not built.
- **Maths** is shown as its TeX source: rendering it would load MathJax from
  another site.
- **Files**: :mod:`kb.sphinxext.safe_files`; references.bib's fields:
  :mod:`kb.sphinxext.safe_bib`.

The doctree passes run twice: when a page has been read (before other
extensions copy its text: titles, descriptions, glossary tooltips), and when
it is resolved for writing, after sphinxcontrib-bibtex has turned references.bib
into nodes (late post-transforms), for HTML and LaTeX alike. Every removal is
a warning of type ``kb`` (subtypes ``raw-html``, ``unsafe-url``,
``unsafe-text``, ``unsafe-path``, ``unsafe-bib``, ``page-size``, ``math``),
so a strict build fails.

MyST itself emits raw nodes for a hard line break (``<br />`` and LaTeX's
``\\\\``) and for strikethrough (``<s>``); those exact, fixed strings are kept.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging

from kb import policy, schema
from kb.sphinxext import safe_bib, safe_files

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

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

#: Node attributes that would run code or restyle the page if a writer (or a
#: future version of MyST's attribute syntax) passed them through.
_DANGEROUS_ATTRIBUTES = ("style", "srcdoc", "formaction", "xlink:href")

#: Nodes whose text is never printed.
_NOT_PRINTED = (nodes.comment, nodes.raw, nodes.system_message)


def _warn(subtype: str, message: str, *args: Any, location: Any) -> None:
    logger.warning(message, *args, location=location, type="kb", subtype=subtype)


def _written_by_author(node: nodes.raw) -> bool:
    return (node.get("format", ""), node.astext()) not in MYST_MARKUP


def _where(node: nodes.Node) -> nodes.Node:
    """The nearest node with a source line (Text nodes have none)."""
    while node.parent is not None and not (node.line or node.source):
        node = node.parent
    return node


# -- When a page has been read ----------------------------------------------------------


#: Elements whose content is code or hidden data, not text: when a page opens
#: one in an inline tag, what follows up to its closing tag goes too.
_OPENS_ELEMENT = re.compile(
    r"<(script|style|xmp|noscript|iframe|noembed|noframes|textarea|title|svg|math|object)\b",
    re.I,
)


def _unclosed_element(raw: nodes.raw) -> str | None:
    text = raw.astext()
    for match in reversed(list(_OPENS_ELEMENT.finditer(text))):
        name = match.group(1)
        if not re.search(rf"</{name}\s*>", text[match.end() :], re.I):
            return name
    return None


def _remove_element_content(raw: nodes.raw, name: str) -> None:
    """Remove the siblings after *raw* up to the raw node that closes *name*."""
    parent = raw.parent
    closing = re.compile(rf"</{name}\s*>", re.I)
    for sibling in list(parent.children[parent.index(raw) + 1 :]):
        parent.remove(sibling)
        sibling.parent = None
        if isinstance(sibling, nodes.raw) and closing.search(sibling.astext()):
            break


def remove_raw(doctree: nodes.document) -> None:
    for raw in list(doctree.findall(nodes.raw)):
        if raw.parent is None or not _written_by_author(raw):
            continue
        if name := _unclosed_element(raw):
            _remove_element_content(raw, name)
        snippet = " ".join(raw.astext().split())[:60]
        _warn(
            "raw-html",
            "raw %s removed from the page (%r): write it in MyST Markdown instead [HTML001]",
            raw.get("format", "markup"),
            policy.clean_text(snippet),
            location=raw,
        )
        raw.parent.remove(raw)
    for meta in list(doctree.findall(nodes.meta)):
        _warn("raw-html", "meta tag removed from the page [HTML001]", location=_where(meta))
        meta.parent.remove(meta)


def remove_dangerous_attributes(doctree: nodes.document) -> None:
    for node in doctree.findall(nodes.Element):
        for name in list(node.attributes):
            if name.lower().startswith("on") or name.lower() in _DANGEROUS_ATTRIBUTES:
                _warn(
                    "raw-html",
                    "attribute %r removed: pages never run scripts or restyle the site [HTML003]",
                    name,
                    location=_where(node),
                )
                del node.attributes[name]


def math_as_text(doctree: nodes.document) -> None:
    """Maths is shown as its TeX source: rendering it would load MathJax from
    another site on every page view (and hand TeX from a page to XeLaTeX)."""
    for math in [*doctree.findall(nodes.math), *doctree.findall(nodes.math_block)]:
        _warn(
            "math",
            "maths is not rendered (MathJax would load from another site); "
            "write it in words [MATH001]",
            location=_where(math),
        )
        text = math.astext()
        block = isinstance(math, nodes.math_block)
        math.replace_self(nodes.literal_block(text, text) if block else nodes.literal(text, text))


def read_pass(app: Sphinx, doctree: nodes.document) -> None:
    math_as_text(doctree)
    remove_raw(doctree)
    remove_dangerous_attributes(doctree)
    sanitise(doctree)


# -- URLs and text: on read and again before writing ----------------------------------------


def _drop_link(ref: nodes.Element, uri: str) -> None:
    _warn(
        "unsafe-url",
        "link to a %s URL removed; only its text is kept [HTML004]",
        policy.url_scheme(uri) or "disguised script",
        location=_where(ref),
    )
    text = ref.astext()
    ref.replace_self(nodes.inline(text, text, classes=["kb-removed-link"]))


def sanitise_urls(doctree: nodes.Node) -> None:
    for ref in list(doctree.findall(nodes.reference)):
        # A reference to this page ("#id") too: MyST leaves an unresolved
        # target as written.
        uri = ref.get("refuri", "") or ("#" + ref["refid"] if ref.get("refid") else "")
        if uri and not policy.is_safe_url(uri):
            _drop_link(ref, uri)
    for ref in list(doctree.findall(addnodes.download_reference)):
        uri = ref.get("refuri", "") or ref.get("reftarget", "")
        if uri and not policy.is_safe_url(uri):
            _drop_link(ref, uri)
    for target in doctree.findall(nodes.target):
        uri = target.get("refuri", "")
        if uri and not policy.is_safe_url(uri):
            _warn(
                "unsafe-url",
                "link target to a %s URL removed [HTML004]",
                policy.url_scheme(uri),
                location=_where(target),
            )
            del target["refuri"]
    for image in list(doctree.findall(nodes.image)):
        uris = [image.get("uri", ""), *image.get("candidates", {}).values()]
        if any(u and not policy.is_safe_url(u) for u in uris):
            _warn("unsafe-url", "image with a script URL removed [HTML004]", location=_where(image))
            image.parent.remove(image)


def _is_printed(node: nodes.Node) -> bool:
    """Not a raw node or comment, nor inside one: writers print it."""
    return not isinstance(node, _NOT_PRINTED) and not any(
        isinstance(a, _NOT_PRINTED) for a in _ancestors(node)
    )


def _warned_unsafe(text: str, node: nodes.Node) -> bool:
    """Whether *text* holds a script URL or markup; if so, a typed warning at *node*."""
    problems = policy.text_problems(text, markup=False)
    if problems:
        _warn(
            "unsafe-text",
            "%s removed from the text (%r) [HTML001]",
            problems[0].kind,
            problems[0].snippet,
            location=_where(node),
        )
    return bool(problems)


def sanitise_text(doctree: nodes.Node) -> None:
    for text in list(doctree.findall(nodes.Text)):
        if text.parent is None or not _is_printed(text):
            continue
        if _warned_unsafe(str(text), text):
            text.parent.replace(text, nodes.Text(policy.clean_text(str(text), markup=False)))


def sanitise_blocks(doctree: nodes.Node) -> None:
    """A script URL or markup spread over several text nodes (pybtex writes a
    name part by part): the whole block becomes its cleaned plain text."""
    for block in list(doctree.findall(nodes.TextElement)):
        if isinstance(block.parent, nodes.TextElement) or not _is_printed(block):
            continue
        text = _printed_text(block)
        if _warned_unsafe(text, block):
            block.children = []
            block += nodes.Text(policy.clean_text(text, markup=False))


def _printed_text(block: nodes.Element) -> str:
    """The text of *block* as printed: raw nodes and comments left out."""
    return "".join(
        str(text)
        for text in block.findall(nodes.Text)
        if not any(isinstance(a, _NOT_PRINTED) for a in _ancestors(text, block))
    )


def _ancestors(node: nodes.Node, stop: nodes.Node | None = None) -> list[nodes.Node]:
    found = []
    while node.parent is not None and node is not stop:
        node = node.parent
        found.append(node)
    return found


#: Node attributes holding text that writers put into HTML attributes.
_TEXT_ATTRIBUTES = ("reftitle", "title", "alt")


def sanitise_attribute_text(doctree: nodes.Node) -> None:
    for node in doctree.findall(nodes.Element):
        for name in _TEXT_ATTRIBUTES:
            value = node.get(name)
            if isinstance(value, str) and policy.text_problems(value):
                _warn(
                    "unsafe-text",
                    "script URL or markup removed from a %s attribute [HTML004]",
                    name,
                    location=_where(node),
                )
                node[name] = policy.clean_text(value)


def sanitise(doctree: nodes.Node) -> None:
    sanitise_attribute_text(doctree)
    sanitise_urls(doctree)
    sanitise_blocks(doctree)
    sanitise_text(doctree)


def resolved_pass(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    # Bibliographies, tooltips and handouts are complete by now.
    sanitise(doctree)


# -- Page sources and front matter -----------------------------------------------------------


def refuse_unsafe_source(app: Sphinx, docname: str, source: list[str]) -> None:
    """A page that is not MyST Markdown, a symlink out of docs/ or a page over
    the size limit is not built."""
    path = app.env.doc2path(docname)
    # A MyST knowledge base (its home page is Markdown) builds Markdown pages only.
    myst_site = app.env.doc2path(app.config.root_doc).suffix == ".md"
    if myst_site and path.suffix != ".md":
        _warn(
            "unsafe-path",
            "pages are MyST Markdown (.md); this one is not built [FILE002]",
            location=(docname, 1),
        )
        source[0] = ""
        return
    if path.is_symlink() and (why := policy.read_problem(path, [app.env.srcdir])):
        _warn(
            "unsafe-path",
            "the page is a symlink and %s; it is not built [PATH001]",
            why,
            location=(docname, 1),
        )
        source[0] = ""
        return
    problem = policy.size_problem(len(source[0].encode("utf-8")))
    if problem:
        _warn("page-size", "%s; it is not built [SIZE001]", problem, location=(docname, 1))
        source[0] = ""


def exclude_unsafe_page_names(app: Sphinx, config: Any) -> None:
    """A source file whose path cannot be a URL (``javascript:x.md``) is left
    out of the build altogether (so no navigation links to it)."""
    suffixes = tuple(config.source_suffix) if config.source_suffix else (".md", ".rst")
    srcdir = Path(app.srcdir)
    for path in sorted(srcdir.rglob("*")):
        if not path.name.endswith(suffixes) or "_build" in path.parts:
            continue
        relative = path.relative_to(srcdir).as_posix()
        problem = policy.page_name_problem(relative)
        if problem:
            _warn("unsafe-path", "%s; it is not built [FILE003]", problem, location=f"{path}:1")
            config.exclude_patterns = [*config.exclude_patterns, _glob_escape(relative)]


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        return policy.clean_text(value)
    if isinstance(value, (tuple, list)):
        return type(value)(_clean_value(v) for v in value)
    if isinstance(value, dict):
        return {k: _clean_value(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _clean_value(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.init
        }
        changed = {k: v for k, v in changes.items() if v != getattr(value, k)}
        return dataclasses.replace(value, **changed) if changed else value
    return value


def _problems_in(value: Any, path: str) -> list[tuple[str, policy.TextProblem]]:
    if isinstance(value, str):
        return [(path, p) for p in policy.text_problems(value)]
    if isinstance(value, (tuple, list)):
        return [x for v in value for x in _problems_in(v, path)]
    if isinstance(value, dict):
        return [x for v in value.values() for x in _problems_in(v, path)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            x
            for f in dataclasses.fields(value)
            for x in _problems_in(getattr(value, f.name), path or f.name)
        ]
    return []


def clean_front_matter(app: Sphinx, docname: str, source: list[str]) -> None:
    """An article's metadata, with script URLs and markup removed from every string
    (kb.sphinxext.articles has read it; this runs right after)."""
    articles = getattr(app.env, "kb_articles", {})
    article = articles.get(docname)
    if article is None:
        return
    problems = _problems_in(article, "")
    if not problems:
        return
    try:
        lines = schema.split_front_matter(source[0]).key_lines
    except Exception:  # the articles extension has reported it
        lines = {}
    for key, problem in problems:
        line = lines.get(key, (1, 1))[0]
        _warn(
            "unsafe-text",
            "%s removed from the front matter's %r (%r) [HTML001]",
            problem.kind,
            key,
            problem.snippet,
            location=(docname, line),
        )
    articles[docname] = _clean_value(article)


def setup(app: Sphinx) -> dict[str, Any]:
    # After conf.py and every extension's defaults (source_suffix is complete).
    app.connect("config-inited", exclude_unsafe_page_names, priority=950)
    safe_files.setup(app)
    safe_bib.setup(app)
    app.connect("source-read", refuse_unsafe_source, priority=100)
    app.connect("source-read", clean_front_matter, priority=600)
    # First of every doctree-read handler: others copy titles and text.
    app.connect("doctree-read", read_pass, priority=50)
    # Last of every doctree-resolved handler (the LaTeX handouts' run at 900).
    app.connect("doctree-resolved", resolved_pass, priority=990)
    return {
        "version": "1",
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }

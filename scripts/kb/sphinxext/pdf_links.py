"""The PDFs a click away: each article page links its handouts, the home page
and About link the book, and the PDFs are published inside the HTML tree.

``kb build all`` typesets the PDFs first (:mod:`kb.pdf`), then builds the HTML
with ``kb_pdf_dir`` set to their folder. This extension reads the folder's
``kb-pdfs.json`` (each PDF's page count and size) to write links such as
"Print this page for a patient (PDF, 2 pages, 48 KB)", and copies the PDFs to
``<html>/pdf/`` when the build finishes, so that any static host serves them
and the site's own link check covers them. With ``kb_pdf_dir`` set, a page
whose PDF is missing is a warning, so the strict build fails. Without it
(``kb build html``, the live preview, the tests' small roots) no PDF is
linked.

When the PDFs change (a page count, a size), the pages that link them are
written again: ``env-get-updated`` compares the index with the one the last
build used, kept in the environment.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.util import logging
from sphinx.util.osutil import relative_uri

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

INDEX = "kb-pdfs.json"  # written by kb.pdf (kb.pdf.INDEX)
#: Where the PDFs are published, under the HTML output folder.
FOLDER = "pdf"
STATE = "kb_pdf_links_state"
BOOK_PAGES = ("about/index",)  # and the root document

HANDOUT_TEXT = "Print this page for a patient"
LARGE_PRINT_TEXT = "Large print"
BOOK_TEXT = "Download the whole knowledge base as a printable book"


def _index(app: Sphinx) -> dict[str, dict[str, Any]] | None:
    """The PDFs' index, or None when this build links no PDFs."""
    folder = app.config.kb_pdf_dir
    if not folder or app.builder.format != "html":
        return None
    if not hasattr(app, "_kb_pdf_index"):
        path = Path(folder) / INDEX
        try:
            app._kb_pdf_index = json.loads(path.read_text(encoding="utf-8"))["pdfs"]
        except (OSError, ValueError, KeyError) as exc:
            logger.warning(
                "kb_pdf_dir is %s but its list of PDFs cannot be read (%s): run kb build pdf",
                folder,
                exc,
                type="kb",
                subtype="pdf",
            )
            app._kb_pdf_index = {}
    return app._kb_pdf_index


def describe(info: dict[str, Any]) -> str:
    """ "PDF, 2 pages, 48 KB": what a reader downloads."""
    pages = info["pages"]
    size = info["bytes"]
    amount = f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{max(1, size // 1000)} KB"
    return f"PDF, {pages} page{'s' if pages != 1 else ''}, {amount}"


def _link(app: Sphinx, docname: str, output: str, text: str, info: dict[str, Any]) -> nodes.Node:
    uri = relative_uri(app.builder.get_target_uri(docname), f"{FOLDER}/{output}")
    ref = nodes.reference("", "", internal=False, refuri=uri, classes=["kb-pdf-link"])
    ref += nodes.Text(text)
    label = f" ({describe(info)})"
    return nodes.inline("", "", ref, nodes.Text(label), classes=["kb-pdf-item"])


def _missing(docname: str, output: str) -> None:
    logger.warning(
        "%s: its PDF %s was not built: run kb build pdf before the HTML (kb build all)",
        docname,
        output,
        type="kb",
        subtype="pdf",
        location=docname,
    )


def add_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    index = _index(app)
    if index is None:
        return
    articles = getattr(app.env, "kb_articles", {})
    if docname in articles:
        slug = docname.rsplit("/", 1)[-1]
        wanted = [
            (f"handouts/{slug}.pdf", HANDOUT_TEXT),
            (f"handouts/large-print/{slug}.pdf", LARGE_PRINT_TEXT),
        ]
    elif docname == app.config.root_doc or docname in BOOK_PAGES:
        book = next((name for name, info in index.items() if info.get("kind") == "book"), None)
        if book is None:
            _missing(docname, "the book")
            return
        wanted = [(book, BOOK_TEXT)]
    else:
        return
    box = nodes.container("", classes=["kb-pdf-links", "no-search"])
    para = nodes.paragraph()
    for i, (output, text) in enumerate(wanted):
        info = index.get(output)
        if info is None:
            _missing(docname, output)
            continue
        if i:
            para += nodes.Text(" · ")
        para += _link(app, docname, output, text, info)
    if not para.children:
        return
    box += para
    _place(doctree, box)


def _place(doctree: nodes.document, box: nodes.container) -> None:
    """Under an article's header, or under a page's opening text."""
    top = next(iter(doctree.findall(nodes.section)), None)
    if top is None:
        doctree += box
        return
    header = next(
        (
            c
            for c in top.children
            if isinstance(c, nodes.Element) and "kb-article-header" in c.get("classes", [])
        ),
        None,
    )
    if header is not None:
        top.insert(top.index(header) + 1, box)
        return
    first_section = next((c for c in top.children if isinstance(c, nodes.section)), None)
    top.insert(top.index(first_section) if first_section is not None else len(top.children), box)


def publish(app: Sphinx, exception: Exception | None) -> None:
    """Copy the PDFs into the HTML output, where the links point."""
    index = _index(app)
    if exception is not None or not index:
        return
    source = Path(app.config.kb_pdf_dir)
    target = Path(app.outdir) / FOLDER
    if target.exists():
        shutil.rmtree(target)  # a removed article's handout must not stay online
    for output in sorted(index):
        path = source / output
        if path.is_file():
            (target / output).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / output)


def pages_to_rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Pages to write again (not read: the links are added as pages are
    written) because the PDFs they describe changed."""
    index = _index(app)
    state = hashlib.sha256(json.dumps(index, sort_keys=True).encode()).hexdigest()
    if getattr(env, STATE, None) == state:
        return []
    setattr(env, STATE, state)
    pages = [*getattr(env, "kb_articles", {}), app.config.root_doc, *BOOK_PAGES]
    return [p for p in pages if p in env.found_docs]


def setup(app: Sphinx) -> dict[str, Any]:
    # The folder kb.pdf wrote the PDFs to; kb build all sets it.
    app.add_config_value("kb_pdf_dir", "", "html", types=[str])
    app.connect("doctree-resolved", add_links)
    app.connect("env-get-updated", pages_to_rewrite)
    app.connect("build-finished", publish)
    return {
        "version": "1",
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }

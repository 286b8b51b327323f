"""LaTeX output: the book, and for every article a handout and a large-print handout.

- :mod:`.builder`: the builder and translator (documents, preambles, manifest);
- :mod:`.handout`: what a handout holds, and in which order;
- :mod:`.book`: the book's front matter, chapters and appendices; cards as lists;
- :mod:`.citations`: reference lists in place, source descriptions, citations
  that never start a line;
- :mod:`.texts`: the PDFs' own wording and the LaTeX helpers;
- ``templates/latex/kb.sty``: how all of it looks.

``kb.pdf`` runs the build and typesets the ``.tex`` files; it reads the
documents from ``kb-documents.json``, written here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sphinx.util import logging

from kb.sphinxext.latex import book, citations, handout
from kb.sphinxext.latex.builder import (
    MANIFEST,
    PAPER_SIZES,
    STYLE_FILE,
    VOLATILE,
    KbLaTeXBuilder,
)
from kb.sphinxext.latex.texts import (
    FIND_ONLINE,
    KEY_POINTS,
    STAMP,
    TERMS_TITLE,
    build_date,
    page_url,
    qr_picture,
    stamp,
)

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__all__ = [
    "FIND_ONLINE",
    "KEY_POINTS",
    "MANIFEST",
    "STAMP",
    "STYLE_FILE",
    "TERMS_TITLE",
    "VOLATILE",
    "build_date",
    "page_url",
    "qr_picture",
    "setup",
    "stamp",
]

logger = logging.getLogger(__name__)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("kb.sphinxext.bibtex_adapter")
    # US Letter unless the clinic prints on A4 (conf.py reads KB_PAPER).
    app.add_config_value("kb_paper_size", "letter", "", types=[str])
    app.add_config_value("kb_handouts", True, "", types=[bool])
    # The book: which pages are front matter (after the home page) and which
    # are appendices, in this order.
    app.add_config_value("kb_book_front_matter", ["about/index"], "", types=[list])
    app.add_config_value("kb_book_appendices", ["glossary", "bibliography"], "", types=[list])
    app.connect("config-inited", _check_paper_size)
    app.add_builder(KbLaTeXBuilder, override=True)
    app.add_latex_package("kb")
    app.add_node(
        citations.reference_list,
        latex=(citations.visit_reference_list, citations.depart_reference_list),
    )
    app.add_node(
        citations.reference_item,
        latex=(citations.visit_reference_item, citations.depart_reference_item),
    )
    app.add_post_transform(citations.CitationsStayWithText)
    app.add_post_transform(book.PrintableCards)
    app.add_post_transform(book.BookChapters)
    app.add_post_transform(handout.HandoutAssembly)
    app.add_post_transform(citations.InPlaceReferenceLists)
    app.add_post_transform(book.DropEmptySections)
    # After articles.py appends the box (default priority 500).
    app.connect("doctree-resolved", handout.drop_related_from_handouts, priority=900)
    return {
        "version": "2",
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }


def _check_paper_size(app: Sphinx, config: Any) -> None:
    if config.kb_paper_size not in PAPER_SIZES:
        logger.warning(
            "kb_paper_size %r is not one of %s; using letter",
            config.kb_paper_size,
            ", ".join(PAPER_SIZES),
            type="kb",
            subtype="config",
        )
        config.kb_paper_size = "letter"

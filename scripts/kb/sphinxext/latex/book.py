"""The book's structure in print.

- sphinx-design cards become a list of linked titles with their text;
- the home page and the About pages are front matter: unnumbered chapters
  before the articles, not thin numbered chapters of their own;
- the glossary and the bibliography are appendices;
- sections left empty are dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import docname_join

from kb.sphinxext.latex.handout import current_job
from kb.sphinxext.latex.texts import cmd


class PrintableCards(SphinxPostTransform):
    """sphinx-design cards as a list: each title (linked) above its text.

    A card prints as nested boxes whose title runs into its text, followed by
    the hidden "stretched link"; in print a card is a list entry.
    """

    default_priority = 6  # before references are resolved (10), so the links resolve
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        done: set[int] = set()
        # The pages in this PDF: the start page and those its toctrees include.
        printed = {self.env.docname} | {
            n["docname"] for n in self.document.findall(addnodes.start_of_file)
        }
        for card in list(self.document.findall(_is_card)):
            if id(card) in done:
                continue  # listed with its grid
            grid = _outermost_grid(card)
            cards = list(grid.findall(_is_card)) if grid is not None else [card]
            done.update(map(id, cards))
            items = [_card_item(c, printed) for c in cards]
            (grid or card).replace_self(nodes.definition_list("", *items))


def _is_card(node: nodes.Node) -> bool:
    return isinstance(node, nodes.container) and "sd-card" in node.get("classes", [])


def _outermost_grid(card: nodes.Element) -> nodes.Element | None:
    grid = None
    parent = card.parent
    while isinstance(parent, nodes.container):
        if any(c.startswith(("sd-container", "sd-row", "sd-col")) for c in parent["classes"]):
            grid = parent
        parent = parent.parent
    return grid


def _card_item(card: nodes.Element, printed: set[str]) -> nodes.definition_list_item:
    title_node = next(
        (n for n in card.findall(nodes.container) if "sd-card-title" in n["classes"]), None
    )
    title = title_node.astext().strip() if title_node is not None else ""
    link = next(
        (
            n
            for n in card.findall(nodes.Element)
            if isinstance(n, addnodes.pending_xref | nodes.reference)
            and "sd-stretched-link" in n.get("classes", [])
        ),
        None,
    )
    body: list[nodes.Node] = []
    for part in card.findall(nodes.container):
        if "sd-card-body" in part["classes"]:
            body.extend(c.deepcopy() for c in part.children if c is not title_node)
    term = nodes.term("", "")
    if link is None:
        term += nodes.Text(title)
    else:
        link = link.deepcopy()
        link["classes"] = []
        link.children = []
        link += nodes.inline(title, title)
        term += link
        if isinstance(link, addnodes.pending_xref):
            link["refexplicit"] = True  # keep the card's title as the link text
            target = docname_join(link["refdoc"], link["reftarget"])
            if link["reftype"] == "doc" and target in printed:
                # On paper a link is a page number.
                page = " (page~" + cmd("pageref*", cmd("detokenize", f"{target}::doc")) + ")"
                term += nodes.raw("", page, format="latex")
    return nodes.definition_list_item("", term, nodes.definition("", *body))


class BookChapters(SphinxPostTransform):
    """The book's parts: front matter, chapters, appendices.

    The home page's toctree sits at the end of the home page, inside its last
    section, so Sphinx would print every page as a sub-section of that
    section. The pages move to the top level. The home page itself (its
    opening text and its sections) becomes one unnumbered chapter under its
    title, followed by the About pages (``kb_book_front_matter``); the pages
    in ``kb_book_appendices`` (the glossary, the bibliography) come last, as
    appendices. The markers are LaTeX commands defined in kb.sty.
    """

    default_priority = 6
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        if current_job(self.env) is not None:
            return
        top = next(iter(self.document.findall(nodes.section)), None)
        if top is None or top.parent is not self.document:
            return
        pages = []
        for parent, page in list(_included_pages(top)):
            parent.remove(page)
            pages.append(page)
        front_names = set(self.config.kb_book_front_matter)
        appendix_names = list(self.config.kb_book_appendices)
        front = [p for p in pages if p["docname"] in front_names]
        appendices = sorted(
            (p for p in pages if p["docname"] in appendix_names),
            key=lambda p: appendix_names.index(p["docname"]),
        )
        main = [p for p in pages if p not in front and p not in appendices]

        title = top.next_node(nodes.title)
        opening = [c for c in top.children if not isinstance(c, nodes.title)]
        marker = self._marker
        self.document.insert(self.document.index(top), marker(r"\kbfrontmatter"))
        if title is not None and opening:
            chapter = nodes.section("", ids=["kb-book-opening"])
            chapter += nodes.title(title.astext(), title.astext())
            for child in opening:
                top.remove(child)
                chapter += child
            top += chapter
        for page in front:
            self.document += page
        self.document += marker(r"\kbmainmatter")
        for page in main:
            self.document += page
        if appendices:
            self.document += marker(r"\kbappendix")
            for page in appendices:
                self.document += page

    @staticmethod
    def _marker(latex: str) -> nodes.raw:
        return nodes.raw("", latex + "\n", format="latex")


def _included_pages(node: nodes.Element) -> Iterator[tuple[nodes.Element, nodes.Element]]:
    """(parent, page) for the pages a toctree of this page includes, not those
    of the included pages' own toctrees. Walks down the children: Sphinx does
    not update the ``parent`` of nodes it moves into an included page."""
    for child in node.children:
        if isinstance(child, addnodes.start_of_file):
            yield node, child
        elif isinstance(child, nodes.Element):
            yield from _included_pages(child)


class DropEmptySections(SphinxPostTransform):
    """A section with nothing but its heading (and anchors) is not printed."""

    default_priority = 760  # after the reference lists are settled
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        for section in reversed(list(self.document.findall(nodes.section))):
            content = [c for c in section.children if not isinstance(c, nodes.title | nodes.target)]
            if not content and section.parent is not None:
                section.parent.remove(section)

"""Citations and reference lists in print.

- Each page's reference list stays where the page has it, numbered as on the
  page (Sphinx would gather every citation into one list at the end of the
  document, where per-page numbers such as "[1]" clash).
- Each entry ends with the source's reader-facing description (the bib
  record's ``description`` field), unless the formatted entry shows it already.
- A citation never starts a line: the space before it is a non-breaking one,
  and a citation standing alone after a list or paragraph joins its end.
- A handout's list also numbers the sources its printed definitions cite.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.writers.latex import CR, LaTeXTranslator

from kb.sphinxext import bibtex_adapter
from kb.sphinxext.latex.texts import cmd

if TYPE_CHECKING:
    from sphinx.environment import BuildEnvironment

NBSP = "\u00a0"  # Sphinx writes it as ~ in LaTeX


# -- Nodes: reference lists typeset in place ------------------------------------------


class reference_list(nodes.General, nodes.Element):  # noqa: N801 (docutils naming)
    """A page's numbered sources, where the page lists them."""


class reference_item(nodes.General, nodes.Element):  # noqa: N801
    """One source: ``label`` ("1") and ``anchor`` (what citations link to)."""


def visit_reference_list(self: LaTeXTranslator, node: reference_list) -> None:
    widest = max((item["label"] for item in node.children), key=len, default="0")
    self.body.append(CR + cmd("begin", "kbreferences", self.encode(widest)) + CR)


def depart_reference_list(self: LaTeXTranslator, node: reference_list) -> None:
    self.body.append(CR + r"\end{kbreferences}" + CR)


def visit_reference_item(self: LaTeXTranslator, node: reference_item) -> None:
    self.body.append(CR + cmd("kbreference", self.encode(node["label"]), node["anchor"]))


def depart_reference_item(self: LaTeXTranslator, node: reference_item) -> None:
    pass


def description(env: BuildEnvironment, key: str) -> str:
    """The reader-facing description of a source, from its bib record ("" if none)."""
    return bibtex_adapter.description(env, key) or ""


def bib_text(env: BuildEnvironment, key: str) -> str:
    """What a printed entry of a source may say (for finding glossary words)."""
    domain: Any = env.get_domain("cite")
    entry = domain.bibdata.data.entries.get(key)
    if entry is None:
        return ""
    return " ".join(str(v) for v in entry.fields.values()).replace("{", "").replace("}", "")


class InPlaceReferenceLists(SphinxPostTransform):
    """Keep each page's reference list where the page has it.

    Sphinx's LaTeX writer moves every citation to one bibliography at the end
    of the document (priority 750), which leaves an empty "References" heading
    on each page and repeats the per-page numbers; citations here become
    reference_list nodes, which it leaves alone.
    """

    default_priority = 700
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        domain: Any = self.env.get_domain("cite")
        # Citation ids repeat across pages: a citation is known by both.
        self._keys = {(c.bibliography_key.docname, c.citation_id): c.key for c in domain.citations}
        for parent in _parents_of(self.document.findall(nodes.citation)):
            replacement: list[nodes.Node] = []
            for child in parent.children:
                if isinstance(child, nodes.citation):
                    if not replacement or not isinstance(replacement[-1], reference_list):
                        replacement.append(reference_list())
                    replacement[-1] += self._item(child)
                else:
                    replacement.append(child)
            if isinstance(parent, nodes.container) and not parent.get("classes"):
                parent.replace_self(replacement)  # sphinxcontrib-bibtex's bare wrapper
            else:
                parent.children = []
                parent.extend(replacement)

    def _item(self, citation: nodes.citation) -> reference_item:
        docname = citation.get("docname") or self.env.docname
        label = citation[0].astext() if isinstance(citation[0], nodes.label) else ""
        item = reference_item("", label=label, anchor=f"cite.{docname}:{citation['ids'][0]}")
        item.extend(c for c in citation.children if not isinstance(c, nodes.label))
        key = self._keys.get((docname, citation["ids"][0]))
        told = description(self.env, key) if key else ""
        if told and " ".join(told.split()) not in " ".join(item.astext().split()):
            para = nodes.paragraph("", "", classes=["kb-source-description"])
            para += nodes.emphasis(told, told)
            item += para
        return item


def _parents_of(found: Iterator[nodes.Element]) -> list[nodes.Element]:
    parents: list[nodes.Element] = []
    for node in found:
        if node.parent is not None and node.parent not in parents:
            parents.append(node.parent)
    return parents


def _is_cite(node: nodes.Node) -> bool:
    return isinstance(node, addnodes.pending_xref) and node.get("refdomain") == "cite"


class CitationsStayWithText(SphinxPostTransform):
    """No citation alone at the start of a line.

    Runs before citations resolve: the text before each ``{cite}`` ends in a
    non-breaking space, and a paragraph that holds only citations (written
    after a list, say) joins the end of what it cites.
    """

    default_priority = 4  # before sphinxcontrib-bibtex (5) turns them into links
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        for para in list(self.document.findall(nodes.paragraph)):
            if _only_citations(para):
                _join_previous(para)
        for xref in list(self.document.findall(_is_cite)):
            _glue_to_previous(xref)


def glue_citations(node: nodes.Element) -> None:
    """What :class:`CitationsStayWithText` does, for nodes added later (the
    definitions a handout prints)."""
    for xref in list(node.findall(_is_cite)):
        _glue_to_previous(xref)


def _glue_to_previous(xref: nodes.Element) -> None:
    """The space before a citation becomes a non-breaking one (MyST keeps a
    source line break as a Text node of its own: the run of Text nodes
    before the citation is joined)."""
    parent = xref.parent
    index = next(i for i, child in enumerate(parent.children) if child is xref)
    start = index
    while start > 0 and isinstance(parent[start - 1], nodes.Text):
        start -= 1
    run = parent.children[start:index]
    text = "".join(t.astext() for t in run)
    if not text.strip() or text == text.rstrip():
        return
    # By position: Text nodes compare as strings, so remove() could take
    # another "\n" of the paragraph.
    glued = nodes.Text(text.rstrip() + NBSP)
    glued.parent = parent
    parent.children[start:index] = [glued]


def _only_citations(para: nodes.paragraph) -> bool:
    children = [c for c in para.children if not (isinstance(c, nodes.Text) and not c.strip())]
    return bool(children) and all(_is_cite(c) for c in children)


def _join_previous(para: nodes.paragraph) -> None:
    parent = para.parent
    index = parent.index(para)
    if index == 0:
        return
    target: nodes.Node | None = parent[index - 1]
    # The last paragraph of a list's last item, or the paragraph itself.
    while isinstance(target, nodes.Element) and not isinstance(target, nodes.paragraph):
        if isinstance(target, nodes.bullet_list | nodes.enumerated_list | nodes.list_item):
            target = target.children[-1] if target.children else None
        else:
            return
    if not isinstance(target, nodes.paragraph):
        return
    target += nodes.Text(" ")
    target.extend(c for c in para.children if _is_cite(c) or isinstance(c, nodes.Text))
    parent.remove(para)


# -- Sources across LaTeX documents --------------------------------------------------------
# sphinxcontrib-bibtex's internals are reached only through its adapter
# (kb.sphinxext.bibtex_adapter, version-checked): the citation nodes it fills in
# place, the keys a node cites, and a handout's extra sources.

fresh_citation_nodes = bibtex_adapter.fresh_citation_nodes
cited_keys = bibtex_adapter.cited_keys
handout_citations = bibtex_adapter.handout_citations

"""Citations on HTML pages: which source it is, without leaving the page.

Once sphinxcontrib-bibtex has resolved a page's citations (their nodes are
``inline.bibtex-citation`` holding one reference per source):

- each citation link's title becomes the source's reader-facing
  ``description`` from references.bib (the shared contract), or, when the
  record has none, sphinxcontrib-bibtex's own formatted entry; ``_static/kb.js``
  turns it into a preview shown on hover, keyboard focus and tap (Escape
  closes it), and marks the link ``kb-cite`` for its 24 px target size;
- a paragraph cites the same sources once: where two citations in a row in
  one paragraph name the same sources, only the last is kept;
- reference lists carry no back-link lists ("(1, 2, ..., 19)").

Other formats (the PDFs) are left as they are.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from docutils import nodes

from kb.sphinxext import bibtex_adapter

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def _is_citation_group(node: nodes.Node) -> bool:
    return isinstance(node, nodes.inline) and "bibtex-citation" in node.get("classes", [])


def _target_id(reference: nodes.reference) -> str:
    if reference.get("refid"):
        return reference["refid"]
    return reference.get("refuri", "").rpartition("#")[2]


def descriptions_by_citation_id(app: Sphinx, docname: str) -> dict[str, str]:
    """Citation node id -> the source's description, for the reference list on
    ``docname`` (ids such as "id4" repeat from page to page) and sources that
    have one."""
    try:
        domain = app.env.get_domain("cite")
    except Exception:  # sphinxcontrib-bibtex not loaded: nothing to describe
        return {}
    found: dict[str, str] = {}
    for citation in getattr(domain, "citations", []):
        if citation.bibliography_key.docname != docname:
            continue
        description = bibtex_adapter.description(app.env, citation.key)
        if description:
            found[citation.citation_id] = description
    return found


def _sources(group: nodes.inline) -> tuple[str, ...]:
    return tuple(sorted(_target_id(r) for r in group.findall(nodes.reference)))


def _drop(group: nodes.inline) -> None:
    """Remove a citation and the space before it ("claim [1]." -> "claim.")."""
    parent = group.parent
    index = parent.index(group)
    if index > 0 and isinstance(parent[index - 1], nodes.Text):
        before = parent[index - 1]
        parent.replace(before, nodes.Text(before.astext().rstrip()))
    parent.remove(group)


def cite_once_per_paragraph(paragraph: nodes.paragraph) -> None:
    groups = list(paragraph.findall(_is_citation_group))
    for current, following in itertools.pairwise(groups):
        if _sources(current) == _sources(following):
            _drop(current)


def arrange(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html":
        return
    described = None
    for paragraph in list(doctree.findall(nodes.paragraph)):
        cite_once_per_paragraph(paragraph)
    for group in doctree.findall(_is_citation_group):
        if described is None:
            described = descriptions_by_citation_id(app, docname)
        for reference in group.findall(nodes.reference):
            reference["classes"].append("kb-cite")
            # Only a link to this page's own list is looked up by its id.
            description = described.get(reference["refid"]) if reference.get("refid") else None
            if description:
                reference["reftitle"] = description
    for citation in doctree.findall(nodes.citation):
        citation["backrefs"] = []


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-resolved", arrange)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

"""The glossary in place: tooltips on ``{term}`` links and "Used in" lists.

Two pieces of environment data, both filled at ``doctree-read`` and kept
correct for parallel and incremental builds by ``env-purge-doc`` and
``env-merge-info`` handlers, like Sphinx's own collectors:

``env.kb_glossary_entries``
    ``{docname: {entry_id: GlossaryEntry}}`` for every page holding a
    ``glossary`` directive. An entry is one definition with all its terms
    (synonyms); ``entry_id`` is the HTML id of its first term (the headword).

``env.kb_term_uses``
    ``{docname: frozenset of case-folded term targets}``: the terms each page
    links to with ``{term}`` (as written: a synonym or a plural).

A target is mapped to its entry only when pages are written
(:func:`entry_for`, through ``env.kb_term_index``, rebuilt at ``env-updated``
once every process's data is merged), so a page read in one process and the
glossary read in another still agree. Plurals of a term ("SSRIs") resolve to its entry through
the ``missing-reference`` event, with :func:`kb.glossary.plural_forms`.

On HTML pages each resolved ``{term}`` link becomes::

    <span class="kb-term"><a aria-describedby="kb-tip-3" ...>SSRIs</a>
    <span class="kb-tooltip no-search" role="tooltip" id="kb-tip-3">definition</span></span>

The tooltip is shown by CSS on hover and keyboard focus, announced through
``aria-describedby``, dismissed with Escape by ``_static/kb.js``, and kept out
of the search index (``no-search``).

Incremental builds (:mod:`kb.sphinxext.depends`): a page linking a term
shows ``term:<target>`` (the entry it resolves to: terms, definition,
anchor), and a glossary page shows ``glossary`` (which pages use which
terms, with their titles); both are rewritten when those change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import _
from sphinx.util.nodes import make_refnode

from kb.glossary import plural_forms
from kb.sphinxext import env_version
from kb.sphinxext.depends import PageData, fingerprint, note_shows

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

ENTRIES = "kb_glossary_entries"
USES = "kb_term_uses"

#: Nodes whose text is not part of a definition as a reader hears it.
_SKIP_IN_TEXT = (
    nodes.citation_reference,
    nodes.footnote_reference,
    nodes.system_message,
    nodes.comment,
    nodes.raw,
    nodes.target,
    addnodes.index,
)


@dataclass(frozen=True)
class GlossaryEntry:
    entry_id: str  # the headword's HTML id
    terms: tuple[str, ...]  # headword first, then synonyms
    ids: tuple[str, ...]  # each term's HTML id, in the same order
    definition: str  # plain text, as shown in tooltips


def _entries(env: BuildEnvironment) -> dict[str, dict[str, GlossaryEntry]]:
    if not hasattr(env, ENTRIES):
        setattr(env, ENTRIES, {})
    return getattr(env, ENTRIES)


def _uses(env: BuildEnvironment) -> dict[str, frozenset[str]]:
    if not hasattr(env, USES):
        setattr(env, USES, {})
    return getattr(env, USES)


def _is_term_xref(node: nodes.Node) -> bool:
    return (
        isinstance(node, addnodes.pending_xref)
        and node.get("refdomain") == "std"
        and node.get("reftype") == "term"
    )


def plain_text(node: nodes.Element) -> str:
    """A definition as a listener hears it: no citation keys, tidy spaces."""
    parts: list[str] = []

    def walk(n: nodes.Node) -> None:
        if isinstance(n, _SKIP_IN_TEXT):
            return
        if isinstance(n, addnodes.pending_xref) and n.get("refdomain") == "cite":
            return
        if isinstance(n, nodes.Text):
            parts.append(n.astext())
            return
        if isinstance(n, nodes.paragraph) and parts:
            parts.append(" ")
        for child in n.children:
            walk(child)

    walk(node)
    text = re.sub(r"\s+", " ", "".join(parts))
    text = re.sub(r"\s+([.,;:!?)])", r"\1", text)
    return text.replace("( ", "(").strip()


# -- Reading ---------------------------------------------------------------------


def collect(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    docname = env.docname
    targets = {n["reftarget"].casefold() for n in doctree.findall(_is_term_xref)}
    if targets:
        _uses(env)[docname] = frozenset(targets)
        note_shows(env, docname, [f"term:{t}" for t in targets])
    entries: dict[str, GlossaryEntry] = {}
    for glossary in doctree.findall(addnodes.glossary):
        for item in glossary.findall(nodes.definition_list_item):
            terms = [t for t in item.children if isinstance(t, nodes.term) and t["ids"]]
            definition = next((d for d in item.children if isinstance(d, nodes.definition)), None)
            if not terms or definition is None:
                continue
            entry = GlossaryEntry(
                entry_id=terms[0]["ids"][0],
                terms=tuple(t.astext() for t in terms),
                ids=tuple(t["ids"][0] for t in terms),
                definition=plain_text(definition),
            )
            entries[entry.entry_id] = entry
    if entries:
        _entries(env)[docname] = entries
        note_shows(env, docname, ["glossary"])  # its "Used in" lists


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _entries(env).pop(docname, None)
    _uses(env).pop(docname, None)


def merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    for key, mine in ((ENTRIES, _entries(env)), (USES, _uses(env))):
        for docname, value in getattr(other, key, {}).items():
            if docname in docnames:
                mine[docname] = value


# -- Looking terms up ----------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    docname: str  # the page holding the glossary
    entry: GlossaryEntry
    anchor: str  # the id of the term (or synonym) that matched


def term_index(entries: dict[str, dict[str, GlossaryEntry]]) -> dict[str, Found]:
    """Every term, synonym and plural (case-folded) -> where it is defined.

    An exact term wins over a plural of another term.
    """
    index: dict[str, Found] = {}
    plurals: dict[str, Found] = {}
    for docname in sorted(entries):
        for entry in entries[docname].values():
            for term, anchor in zip(entry.terms, entry.ids, strict=True):
                found = Found(docname, entry, anchor)
                index.setdefault(term.casefold(), found)
                for plural in plural_forms(term):
                    plurals.setdefault(plural.casefold(), found)
    return {**plurals, **index}


def refresh_index(app: Sphinx, env: BuildEnvironment) -> None:
    """Once reading is done (every process merged), index the terms for writing."""
    env.kb_term_index = term_index(_entries(env))


def _index_for(env: BuildEnvironment) -> dict[str, Found]:
    if not hasattr(env, "kb_term_index"):
        env.kb_term_index = term_index(_entries(env))
    return env.kb_term_index


def entry_for(env: BuildEnvironment, target: str) -> Found | None:
    return _index_for(env).get(re.sub(r"\s+", " ", target).strip().casefold())


def resolve_plural(
    app: Sphinx, env: BuildEnvironment, node: addnodes.pending_xref, contnode: nodes.Element
) -> nodes.reference | None:
    """``{term}`SSRIs``` finds the entry "SSRI": plurals reach one entry."""
    if not _is_term_xref(node):
        return None
    found = entry_for(env, node["reftarget"])
    if found is None:
        return None
    return make_refnode(app.builder, node["refdoc"], found.docname, found.anchor, contnode)


# -- Writing: "Used in" lists ---------------------------------------------------------


def _title(env: BuildEnvironment, docname: str) -> str:
    title = env.titles.get(docname)
    return title.astext() if title is not None else docname


def users_of(env: BuildEnvironment) -> dict[str, list[str]]:
    """entry_id -> the pages (other than glossary pages) linking to it, by title."""
    glossary_docs = set(_entries(env))
    users: dict[str, set[str]] = {}
    for docname, targets in _uses(env).items():
        if docname in glossary_docs:
            continue
        for target in targets:
            found = entry_for(env, target)
            if found is not None:
                users.setdefault(found.entry.entry_id, set()).add(docname)
    return {
        entry_id: sorted(docs, key=lambda d: (_title(env, d).casefold(), d))
        for entry_id, docs in users.items()
    }


def append_used_in(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    env = app.env
    entries = _entries(env).get(docname)
    if not entries:
        return
    users = users_of(env)
    for item in doctree.findall(nodes.definition_list_item):
        terms = [t for t in item.children if isinstance(t, nodes.term) and t["ids"]]
        if not terms or terms[0]["ids"][0] not in entries:
            continue
        pages = users.get(terms[0]["ids"][0], [])
        definition = next((d for d in item.children if isinstance(d, nodes.definition)), None)
        if not pages or definition is None:
            continue
        label = _("Used in:")
        para = nodes.paragraph("", "", classes=["kb-used-in"])
        para += nodes.strong(label, label)
        para += nodes.Text(" ")
        for i, page in enumerate(pages):
            if i:
                para += nodes.Text(", ")
            title = _title(env, page)
            para += make_refnode(app.builder, docname, page, "", nodes.inline(title, title))
        definition += para


# -- Writing: tooltips -------------------------------------------------------------------


class term_link(nodes.inline):  # noqa: N801 (docutils naming)
    """A ``{term}`` link together with its tooltip (HTML only)."""


class term_reference(nodes.reference):  # noqa: N801
    """The link itself: an ``<a>`` described by the tooltip."""


class term_tooltip(nodes.inline):  # noqa: N801
    """The definition, shown on hover and focus and read by screen readers."""


def visit_term_link(self: Any, node: term_link) -> None:
    self.body.append('<span class="kb-term">')


def depart_term_link(self: Any, node: term_link) -> None:
    self.body.append("</span>")


def visit_term_reference(self: Any, node: term_reference) -> None:
    self.visit_reference(node)
    tag = self.body[-1]
    # The translator wrote "<a class=... href=...>"; the tooltip describes it.
    self.body[-1] = f'<a aria-describedby="{node["tooltip_id"]}" {tag[len("<a ") :]}'


def depart_term_reference(self: Any, node: term_reference) -> None:
    self.depart_reference(node)


def visit_term_tooltip(self: Any, node: term_tooltip) -> None:
    self.body.append(self.starttag(node, "span", "", role="tooltip"))


def depart_term_tooltip(self: Any, node: term_tooltip) -> None:
    self.body.append("</span>")


def _is_resolved_term(node: nodes.Node) -> bool:
    return (
        isinstance(node, nodes.reference)
        and not isinstance(node, term_reference)
        and any(isinstance(c, nodes.inline) and "std-term" in c["classes"] for c in node.children)
    )


def _anchor(ref: nodes.reference) -> str:
    if ref.get("refid"):
        return ref["refid"]
    return ref.get("refuri", "").partition("#")[2]


def add_tooltips(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html":
        return
    by_anchor = {
        anchor: entry
        for entries in _entries(app.env).values()
        for entry in entries.values()
        for anchor in entry.ids
    }
    count = 0
    for ref in list(doctree.findall(_is_resolved_term)):
        entry = by_anchor.get(_anchor(ref))
        if entry is None or not entry.definition:
            continue
        count += 1
        tooltip_id = f"kb-tip-{count}"
        while tooltip_id in doctree.ids:
            count += 1
            tooltip_id = f"kb-tip-{count}"
        link = term_reference(ref.rawsource, "", *ref.children, **ref.attributes)
        link["tooltip_id"] = tooltip_id
        tooltip = term_tooltip(
            entry.definition,
            entry.definition,
            ids=[tooltip_id],
            classes=["kb-tooltip", "no-search"],
        )
        ref.replace_self(term_link("", "", link, tooltip))


def write_html_extras(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    append_used_in(app, doctree, docname)
    add_tooltips(app, doctree, docname)


# -- Incremental builds ---------------------------------------------------------------


def page_data(app: Sphinx, env: BuildEnvironment) -> PageData:
    """What linking pages show of each term, and what glossary pages show of the uses."""
    uses = _uses(env)
    targets = set().union(*uses.values()) if uses else set()
    values = {f"term:{t}": fingerprint(entry_for(env, t)) for t in targets}
    titles = {d: _title(env, d) for d in uses}
    # Sorted: a frozenset's repr depends on the process's hash seed.
    used = sorted((d, sorted(t)) for d, t in uses.items())
    values["glossary"] = fingerprint((used, sorted(titles.items())))
    return PageData(values)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("kb.sphinxext.depends")
    app.add_node(term_link, html=(visit_term_link, depart_term_link))
    app.add_node(term_reference, html=(visit_term_reference, depart_term_reference))
    app.add_node(term_tooltip, html=(visit_term_tooltip, depart_term_tooltip))
    app.connect("doctree-read", collect)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("missing-reference", resolve_plural)
    app.connect("env-updated", refresh_index)
    app.connect("kb-page-data", page_data)
    app.connect("doctree-resolved", write_html_extras)
    return {
        "version": "1",
        "env_version": env_version(1),
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }

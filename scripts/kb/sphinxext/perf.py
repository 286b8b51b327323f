"""Build speed and correct incremental builds (issue 7; numbers in BENCHMARKS.md).

Each fix works with the site's packages, never around them:

- **Navigation.** furo puts the whole-site toctree into every page and
  re-parses it with BeautifulSoup: with N articles every page carries N links
  and the build grows as N². The sidebar shows the root toctree's top-level
  entries (Articles, Topics, Glossary, ...) instead, the current one marked;
  readers reach every article through the article index, the topic pages and
  search. We hand furo a cheap ``toctree`` context function before its own
  html-page-context handler runs; furo's BeautifulSoup step is then cached
  (``get_navigation_tree`` is an lru_cache on the HTML, which repeats).
- **sphinxcontrib-bibtex.** pybtex's ``find_plugin`` scans every installed
  package's metadata on each call (~10 ms), and bibtex calls it per citation:
  it is memoised. ``BibtexDomain.env_updated`` is O(N²) or worse (each
  bibliography sorts all citations with ``list.index`` and scans all citation
  references for every entry) and re-formats every entry on every build: our
  subclass computes those lookups once per build and reuses the formatted
  entries of bibliographies whose input is unchanged. Output is identical
  (tests/test_incremental.py compares incremental and clean builds).
- **Incremental builds.** Sphinx rewrites only the pages it re-read. Pages
  also show other pages' data: citation text from references.bib, the
  previous/next links and the top-level navigation. ``env-get-updated``
  returns the pages whose dependencies changed, and only those. (Glossary
  terms and tooltips are tracked where their data lives, in
  ``glossary_links.py``; article metadata in ``articles.py``.)
- **Reference lists.** Upstream's ``bibliography`` directive makes a node for
  every record of references.bib in every list (N lists of N nodes, pickled);
  a page's own list makes nodes for the page's citations only.
- **Search.** English stemming is memoised per word, and two Sphinx 9 bugs
  that made an incremental ``searchindex.js`` differ from a clean one are
  worked around (see :func:`keep_index_entries_in_search`).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import posixpath
import weakref
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.environment.adapters.toctree import TocTree
from sphinx.util import logging

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)


# -- Navigation: constant size per page ----------------------------------------------


class _Navigation:
    """The top-level navigation, rendered once per distinct (folder, section)."""

    def __init__(self, app: Sphinx):
        self.app = app
        self.html: dict[tuple[Any, ...], str] = {}
        self._parents: dict[str, str] | None = None
        self._top: list[str] | None = None

    def top_level(self) -> list[str]:
        """Documents listed in the root document's toctrees."""
        if self._top is None:
            env = self.app.env
            self._top = [ref for ref in env.toctree_includes.get(env.config.root_doc, [])]
        return self._top

    def section_of(self, pagename: str) -> str | None:
        """The top-level entry the page sits under (None for the root page)."""
        if self._parents is None:
            self._parents = {}
            for parent, children in self.app.env.toctree_includes.items():
                for child in children:
                    self._parents.setdefault(child, parent)
        top = set(self.top_level())
        seen = set()
        doc: str | None = pagename
        while doc is not None and doc not in seen:
            if doc in top:
                return doc
            seen.add(doc)
            doc = self._parents.get(doc)
        return None

    def render(self, pagename: str) -> str:
        section = self.section_of(pagename)
        # Relative links depend only on the page's folder; "current" marks
        # depend on the section, and on the page itself when it is top-level.
        key = (posixpath.dirname(pagename), section, section == pagename)
        if key not in self.html:
            self.html[key] = self._render(pagename, section)
        return self.html[key]

    def _render(self, pagename: str, section: str | None) -> str:
        env, builder = self.app.env, self.app.builder
        master = env.get_doctree(env.config.root_doc)
        parts = []
        for toctree in master.findall(addnodes.toctree):
            # Resolve a visible copy, without the top-level pages' own hidden
            # toctrees: the article index's toctree lists every article.
            shallow = toctree.copy()
            shallow["hidden"] = False
            tree = TocTree(env).resolve(
                pagename,
                builder,
                shallow,
                prune=True,
                maxdepth=1,
                titles_only=True,
                collapse=True,
                includehidden=False,
            )
            if tree is not None:
                parts.append(tree)
        if not parts:
            return ""
        result = parts[0]
        for extra in parts[1:]:
            result.extend(extra.children)
        if section is not None and section != pagename:
            _mark_current(result, builder.get_relative_uri(pagename, section))
        return builder.render_partial(result)["fragment"]

    def toctree(self, pagename: str, **kwargs: Any) -> str:
        return self.render(pagename)


def _mark_current(tree: nodes.Element, uri: str) -> None:
    """Mark the section's entry "current", as Sphinx marks a page's ancestors."""
    for ref in tree.findall(nodes.reference):
        if ref.get("refuri") == uri:
            item = ref.parent.parent if ref.parent is not None else None
            if isinstance(item, nodes.list_item):
                for node in (item, item.parent):
                    if "current" not in node["classes"]:
                        node["classes"].append("current")
            return


#: One navigation cache per application (a test session builds several).
_NAVIGATION: weakref.WeakKeyDictionary[Sphinx, _Navigation] = weakref.WeakKeyDictionary()


def _reset_navigation(app: Sphinx, env: BuildEnvironment) -> None:
    # Each build (reading done, writing next) starts from a fresh cache.
    _NAVIGATION[app] = _Navigation(app)


def use_small_navigation(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Give furo (and any template) the top-level navigation, not the whole site.

    Every call of the page's ``toctree()`` returns it, whatever the arguments.
    """
    if "toctree" not in context:
        return
    nav = _NAVIGATION.get(app)
    if nav is None:
        nav = _NAVIGATION[app] = _Navigation(app)
    context["toctree"] = functools.partial(nav.toctree, pagename)


# -- pybtex: find_plugin once per plugin ---------------------------------------------


def memoise_find_plugin() -> None:
    """Cache pybtex's plugin lookup: upstream scans all package metadata per call.

    Plugins registered at run time clear the cache, so a registration after a
    lookup is still seen.
    """
    import pybtex.database
    import pybtex.plugin
    import pybtex.style.formatting
    import sphinxcontrib.bibtex.transforms

    original = pybtex.plugin.find_plugin
    if getattr(original, "kb_memoised", False):
        return
    cached = functools.lru_cache(maxsize=None)(original)
    cached.kb_memoised = True  # type: ignore[attr-defined]
    register = pybtex.plugin.register_plugin

    @functools.wraps(register)
    def register_and_forget(*args: Any, **kwargs: Any) -> Any:
        cached.cache_clear()
        return register(*args, **kwargs)

    for module in (
        pybtex.plugin,
        pybtex.database,
        pybtex.style.formatting,
        sphinxcontrib.bibtex.transforms,
    ):
        if getattr(module, "find_plugin", None) is original:
            module.find_plugin = cached
    pybtex.plugin.register_plugin = register_and_forget


# -- sphinxcontrib-bibtex: env_updated in O(N) -----------------------------------------

_CITED_HERE = ast.dump(ast.parse("docname in docnames"))

#: (style, tooltip style, tooltips, label or None, key, entry fingerprint) ->
#: formatted text and tooltip text; pybtex formatting costs ~4 ms an entry.
_FORMATTED: dict[tuple[Any, ...], tuple[Any, Any]] = {}


def _label_free(style: Any) -> bool:
    """True when the style formats entries with pybtex's own, label-free method."""
    from pybtex.style.formatting import BaseStyle

    return type(style).format_entry is BaseStyle.format_entry


class OnDemandCitationNodes(dict):
    """A bibliography's citation nodes, made on demand for late citations.

    Upstream makes a node (and an id) for every entry of references.bib in
    every bibliography directive: with one reference list per article, N
    lists of N entries in the pickled environment. For lists that show only
    the page's own citations we make nodes for the entries cited so far on
    the page; a citation placed after the list gets its node here.
    """

    def __init__(self, nodes_: dict[str, Any], node_class: type) -> None:
        super().__init__(nodes_)
        self.node_class = node_class

    def __missing__(self, key: str) -> Any:
        from docutils.nodes import make_id

        node = self.node_class(ids=[f"kb-cite-{make_id(key)}"])
        self[key] = node
        return node


def entry_fingerprint(entry: Any) -> str:
    """What a formatted entry depends on: its type, fields and people."""
    persons = sorted(
        (role, tuple(str(p) for p in people)) for role, people in entry.persons.items()
    )
    fields = sorted((k.lower(), str(v)) for k, v in entry.fields.items())
    data = repr((entry.type.lower(), fields, persons))
    return hashlib.blake2b(data.encode(), digest_size=12).hexdigest()


def _bibtex_domain_class() -> type:
    from sphinxcontrib.bibtex.domain import BibtexDomain, _FilterVisitor

    class KbBibtexDomain(BibtexDomain):
        """BibtexDomain with its per-build lookups computed once.

        Upstream (2.7.0) sorts every citation with ``docnames.index`` and scans
        every citation reference for every entry, once per bibliography
        directive; with one reference list per article that is O(N³). Results
        and warnings are the same; only the cost changes.
        """

        _kb_cited: list[str] | None = None
        _kb_first: dict[str, int] | None = None
        _kb_cited_in: dict[str, set[str]] | None = None
        _kb_keys_of_doc: dict[str, list[str]] | None = None
        _kb_by_key: dict[str, list[Any]] | None = None
        _kb_previous: dict[Any, list[Any]] | None = None
        _kb_prints: dict[str, str] | None = None
        _kb_new_prints: dict[str, str] = {}  # noqa: RUF012 (replaced per build)

        #: While a page-local bibliography directive runs: the keys it may list.
        _kb_only: set[str] | None = None

        def get_entries(self, bibfiles: list[Any]) -> Iterator[Any]:
            entries = super().get_entries(bibfiles)
            if self._kb_only is None:
                return entries
            return (e for e in entries if e.key in self._kb_only)

        # Per-build lookups, computed on first use and dropped at each build.
        def _forget(self) -> None:
            self._kb_cited = self._kb_first = self._kb_cited_in = None
            self._kb_keys_of_doc = self._kb_by_key = self._kb_prints = None
            self.__dict__.pop("_kb_positions", None)

        def _bib_positions(self, bibfiles: list[Any]) -> dict[str, tuple[int, Any]]:
            """key -> (place in the bib files, entry), once per build and file list."""
            cache = self.__dict__.setdefault("_kb_positions", {})
            files = tuple(bibfiles)
            if files not in cache:
                cache[files] = {
                    e.key: (i, e) for i, e in enumerate(BibtexDomain.get_entries(self, bibfiles))
                }
            return cache[files]

        def _cited_lookups(self, docnames: list[str]) -> None:
            position = {d: i for i, d in enumerate(docnames)}
            refs = sorted(self.citation_refs, key=lambda c: position.get(c.docname, -1))
            self._kb_cited = [t.key for ref in refs for t in ref.targets]
            self._kb_first = {}
            for i, key in enumerate(self._kb_cited):
                self._kb_first.setdefault(key, i)
            self._kb_cited_in = defaultdict(set)
            self._kb_keys_of_doc = defaultdict(list)
            for ref in self.citation_refs:
                for target in ref.targets:
                    self._kb_cited_in[target.key].add(ref.docname)
                    if target.key not in self._kb_keys_of_doc[ref.docname]:
                        self._kb_keys_of_doc[ref.docname].append(target.key)

        def env_updated(self) -> Iterable[str]:
            self._forget()
            previous: dict[Any, list[Any]] = defaultdict(list)
            for citation in self.citations:
                previous[citation.bibliography_key].append(citation)
            self._kb_previous = previous
            self._kb_new_prints: dict[str, str] = {}
            self._cited_lookups(list(self._docnames()))
            try:
                return super().env_updated()
            finally:
                self._kb_previous = None
                self.data["kb_fingerprints"] = dict(self._kb_new_prints)

        def _docnames(self) -> Iterator[str]:
            from sphinxcontrib.bibtex.domain import get_docnames

            return get_docnames(self.env)

        def get_all_cited_keys(self, docnames: list[str]) -> Iterator[str]:
            if self._kb_cited is None:
                self._cited_lookups(docnames)
            return iter(self._kb_cited)

        def get_filtered_entries(self, bibliography_key: Any) -> Iterator[tuple[str, Any]]:
            if self._kb_cited_in is None:
                self._cited_lookups(list(self._docnames()))
            bibliography = self.bibliographies[bibliography_key]
            prefix = bibliography.keyprefix
            if ast.dump(bibliography.filter_) == _CITED_HERE:
                # Only entries cited on this page (or listed in the directive)
                # can pass: test those, in bib-file order, not every entry.
                wanted = {
                    k[len(prefix) :]
                    for k in self._kb_keys_of_doc.get(bibliography_key.docname, [])
                    if k.startswith(prefix)
                }
                wanted.update(bibliography.keys)
                position = self._bib_positions(bibliography.bibfiles)
                found = sorted((position[k] for k in wanted if k in position), key=lambda p: p[0])
                entries = (entry for _, entry in found)
            else:
                entries = self.get_entries(bibliography.bibfiles)
            for entry in entries:
                key = prefix + entry.key
                cited_docnames = self._kb_cited_in.get(key, set())
                visitor = _FilterVisitor(
                    entry=entry, docname=bibliography_key.docname, cited_docnames=cited_docnames
                )
                try:
                    success = visitor.visit(bibliography.filter_)
                except ValueError as err:
                    logger.warning(
                        f"syntax error in :filter: expression; {err}",
                        location=(bibliography_key.docname, bibliography.line),
                        type="bibtex",
                        subtype="filter_syntax_error",
                    )
                    success = bool(cited_docnames)
                if success or entry.key in bibliography.keys:
                    yield key, entry

        def get_sorted_entries(
            self, bibliography_key: Any, docnames: list[str]
        ) -> Iterator[tuple[str, Any]]:
            # Upstream: cited keys in citation order, then the rest in bib order.
            if self._kb_first is None:
                self._cited_lookups(docnames)
            entries = dict(self.get_filtered_entries(bibliography_key))
            first = self._kb_first
            cited = sorted((k for k in entries if k in first), key=first.__getitem__)
            for key in cited:
                yield key, entries.pop(key)
            yield from entries.items()

        def get_formatted_entries(
            self,
            bibliography_key: Any,
            docnames: list[str],
            tooltips: bool,
            tooltips_style: str,
        ) -> Iterator[tuple[Any, Any, Any]]:
            # Reuse last build's formatting when this bibliography's entries,
            # their order and data, and the style options are all unchanged.
            bibliography = self.bibliographies[bibliography_key]
            self._kb_current_doc = bibliography_key.docname
            entries = list(self.get_sorted_entries(bibliography_key, docnames))
            prints = self._entry_prints()
            fingerprint = repr(
                (
                    bibliography.style,
                    bibliography.labelprefix,
                    bibliography.keyprefix,
                    tooltips,
                    tooltips_style,
                    [(k, prints.get(e.key)) for k, e in entries],
                )
            )
            self._kb_new_prints[repr(bibliography_key)] = fingerprint
            old = (self._kb_previous or {}).get(bibliography_key, [])
            stored = self.data.get("kb_fingerprints", {}).get(repr(bibliography_key))
            if old and stored == fingerprint and len(old) == len(entries):
                for citation in old:
                    yield citation.entry, citation.formatted_entry, citation.tooltip_entry
                return
            yield from self._format(bibliography, entries, tooltips, tooltips_style)

        def _format(
            self, bibliography: Any, entries: list[tuple[str, Any]], tooltips: bool, tip: str
        ) -> Iterator[tuple[Any, Any, Any]]:
            # Upstream's loop, with each (style, label, entry) formatted once
            # per process: articles citing one source share its formatting.
            import pybtex.plugin
            from pybtex.richtext import Tag
            from pybtex.style import FormattedEntry
            from pybtex.style.template import FieldIsMissing

            find = pybtex.plugin.find_plugin
            style = find("pybtex.style.formatting", bibliography.style)()
            style2 = (
                (find("pybtex.style.formatting", tip)() if tip else style) if tooltips else None
            )
            sorted_entries = style.sort([e for _, e in entries])
            labels = style.format_labels(sorted_entries)
            prints = self._entry_prints()
            # pybtex's own format_entry does not use the label in the text:
            # format each entry once and attach each bibliography's label.
            plain = _label_free(style) and (style2 is None or _label_free(style2))
            for label, entry in zip(labels, sorted_entries, strict=False):
                label = bibliography.labelprefix + label
                memo = (
                    bibliography.style,
                    tip,
                    tooltips,
                    None if plain else label,
                    entry.key,
                    prints.get(entry.key),
                )
                if memo not in _FORMATTED:
                    try:
                        _FORMATTED[memo] = (
                            style.format_entry(label, entry).text,
                            style2.format_entry(label, entry).text if style2 else None,
                        )
                    except FieldIsMissing as exc:
                        logger.warning(
                            str(exc),
                            location=(self._kb_current_doc, bibliography.line),
                            type="bibtex",
                            subtype="missing_field",
                        )
                        yield entry, FormattedEntry(entry.key, Tag("b", str(exc)), label), None
                        continue
                text, tip_text = _FORMATTED[memo]
                yield (
                    entry,
                    FormattedEntry(entry.key, text, label),
                    FormattedEntry(entry.key, tip_text, label) if style2 else None,
                )

        def _entry_prints(self) -> dict[str, str]:
            if self._kb_prints is None:
                self._kb_prints = {
                    key: entry_fingerprint(entry)
                    for key, entry in self.bibdata.data.entries.items()
                }
            return self._kb_prints

        def _citations_for(self, key: str) -> list[tuple[int, Any]]:
            # Citations of "citation" lists by key, with their list position.
            if self._kb_by_key is None:
                by_key: dict[str, list[tuple[int, Any]]] = defaultdict(list)
                for i, citation in enumerate(self.citations):
                    if self.bibliographies[citation.bibliography_key].list_ == "citation":
                        by_key[citation.key].append((i, citation))
                self._kb_by_key = by_key
            return self._kb_by_key.get(key, [])

        def resolve_xref(  # type: ignore[override]
            self,
            env: BuildEnvironment,
            fromdocname: str,
            builder: Builder,
            typ: str,
            target: str,
            node: Any,
            contnode: nodes.Element,
        ) -> nodes.Element:
            # Upstream scans every citation of the site for every citation
            # reference; this looks the keys up. Same result, same order, same
            # warnings: local citations first, each key at its first position
            # and with its last value, as upstream's dict comprehensions give.
            import pybtex.plugin
            from sphinxcontrib.bibtex.citation_target import parse_citation_targets
            from sphinxcontrib.bibtex.style.referencing import format_references
            from sphinxcontrib.bibtex.style.template import SphinxReferenceInfo

            keys = {t.key: t for t in parse_citation_targets(target)}
            ranked: list[tuple[tuple[int, int], Any]] = []
            for key in keys:
                candidates = self._citations_for(key)
                local = [(i, c) for i, c in candidates if c.bibliography_key.docname == fromdocname]
                if local:
                    ranked.append(((0, local[0][0]), local[-1][1]))
                elif candidates:
                    ranked.append(((1, candidates[0][0]), candidates[-1][1]))
                else:
                    logger.warning(
                        f'could not find bibtex key "{key}"',
                        location=node,
                        type="bibtex",
                        subtype="key_not_found",
                    )
            ranked.sort(key=lambda rc: rc[0])
            plaintext = pybtex.plugin.find_plugin("pybtex.backends", "plaintext")()
            references = [
                (
                    citation.entry,
                    citation.formatted_entry,
                    SphinxReferenceInfo(
                        builder=builder,
                        fromdocname=fromdocname,
                        todocname=citation.bibliography_key.docname,
                        citation_id=citation.citation_id,
                        title=(
                            citation.tooltip_entry.text.render(plaintext).replace("\\url ", "")
                            if citation.tooltip_entry
                            else None
                        ),
                        pre_text=keys[citation.key].pre,
                        post_text=keys[citation.key].post,
                    ),
                )
                for _, citation in ranked
            ]
            formatted = format_references(self.reference_style, typ, references)
            result = nodes.inline(rawsource=target)
            result["classes"].append("bibtex-citation")
            result += formatted.render(self.backend)
            return result

    return KbBibtexDomain


def _bibliography_directive_class() -> type:
    from sphinxcontrib.bibtex.directives import BibliographyDirective, BibliographyKey

    class KbBibliographyDirective(BibliographyDirective):
        """A page's own reference list makes nodes for its own citations only."""

        def _page_local(self) -> bool:
            if "filter" not in self.options or {"all", "cited", "notcited"} & self.options.keys():
                return False
            try:
                return ast.dump(ast.parse(self.options["filter"])) == _CITED_HERE
            except SyntaxError:
                return False

        def run(self) -> list[nodes.Node]:
            domain = self.env.get_domain("cite")
            if not self._page_local() or not hasattr(domain, "_kb_only"):
                return list(super().run())
            prefix = self.options.get("keyprefix", "")
            docname = self.env.docname
            cited = {t.key for r in domain.citation_refs if r.docname == docname for t in r.targets}
            wanted = {k[len(prefix) :] for k in cited if k.startswith(prefix)}
            wanted.update(key.strip() for key in self.content if key.strip())
            domain._kb_only = wanted
            try:
                result = list(super().run())
            finally:
                domain._kb_only = None
            bib_key = BibliographyKey(docname=docname, id_=result[-1]["ids"][0])
            value = domain.bibliographies[bib_key]
            node_class = nodes.citation if value.list_ == "citation" else nodes.list_item
            domain.bibliographies[bib_key] = value._replace(
                citation_nodes=OnDemandCitationNodes(value.citation_nodes, node_class)
            )
            return result

    return KbBibliographyDirective


# -- Incremental builds: rewrite the pages whose dependencies changed ----------------

_BEFORE = "kb_perf_before"
BIB_PRINTS = "kb_bib_prints"  # bib key -> fingerprint, as of the last build


def _page_links(env: BuildEnvironment) -> dict[str, tuple[Any, ...]]:
    """What each page shows of its neighbours: parent, previous and next, with titles."""
    if not env.found_docs:
        return {}
    relations = env.collect_relations()
    return {doc: tuple((d, title_of(env, d)) for d in rel) for doc, rel in relations.items()}


def _top_titles(env: BuildEnvironment) -> tuple[Any, ...]:
    root = env.config.root_doc
    refs = env.toctree_includes.get(root, [])
    return (title_of(env, root), tuple((r, title_of(env, r)) for r in refs))


def title_of(env: BuildEnvironment, doc: str | None) -> str | None:
    return env.titles[doc].astext() if doc in env.titles else None


def _cite_domain(env: BuildEnvironment) -> Any:
    try:
        return env.get_domain("cite")
    except Exception:  # sphinxcontrib-bibtex not loaded (a test root without it)
        return None


def _bib_prints(domain: Any) -> dict[str, str]:
    return {k: entry_fingerprint(e) for k, e in domain.bibdata.data.entries.items()}


def _reference_lists(domain: Any) -> dict[Any, tuple[tuple[str, str], ...]]:
    """Each bibliography directive's entries, in order, with their labels."""
    lists: dict[Any, list[tuple[str, str]]] = defaultdict(list)
    for citation in domain.citations:
        lists[citation.bibliography_key].append((citation.key, citation.formatted_entry.label))
    return {k: tuple(v) for k, v in lists.items()}


def remember(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Before Sphinx reads (and purges) anything, note what pages depend on."""
    domain = _cite_domain(env)
    lists = _reference_lists(domain) if domain is not None else {}
    setattr(env, _BEFORE, {"links": _page_links(env), "top": _top_titles(env), "lists": lists})
    return []


def pages_to_rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Pages not re-read whose output still changes: Sphinx would leave them stale."""
    before = env.__dict__.pop(_BEFORE, None)
    if before is None:
        return []
    rewrite: set[str] = set()

    # Every page shows the top-level navigation (see _Navigation).
    if before["top"] != _top_titles(env):
        return sorted(env.found_docs)

    # Previous/next links and their titles, and the parent.
    after_links = _page_links(env)
    for doc, links in after_links.items():
        if before["links"].get(doc) != links:
            rewrite.add(doc)

    # references.bib and citations: pages citing or listing an entry whose
    # data changed, and reference lists whose entries, order or labels changed
    # (a new citation reorders the ":all:" bibliography, for one).
    domain = _cite_domain(env)
    if domain is not None:
        old_bib = getattr(env, BIB_PRINTS, None)
        new_bib = _bib_prints(domain)
        env.kb_bib_prints = new_bib
        changed_keys = set()
        if old_bib is not None:
            changed_keys = {
                k for k in old_bib.keys() | new_bib.keys() if old_bib.get(k) != new_bib.get(k)
            }
        old_lists, new_lists = before["lists"], _reference_lists(domain)
        for bib_key in old_lists.keys() | new_lists.keys():
            old, new = old_lists.get(bib_key, ()), new_lists.get(bib_key, ())
            if old != new:
                rewrite.add(bib_key.docname)
                changed_keys.update(set(old) ^ set(new))
        for citation in domain.citations:
            if citation.key in changed_keys:
                rewrite.add(citation.bibliography_key.docname)
        for ref in domain.citation_refs:
            if any(t.key in changed_keys for t in ref.targets):
                rewrite.add(ref.docname)
    return sorted(d for d in rewrite if d in env.found_docs)


# -- Search: stem each word once -------------------------------------------------------


def memoise_stemming() -> None:
    """The English search index stems every word of every page: once per word."""
    from sphinx.search.en import SearchEnglish

    if getattr(SearchEnglish.stem, "kb_memoised", False):
        return
    original = SearchEnglish.stem

    @functools.wraps(original)
    def stem(self: SearchEnglish, word: str) -> str:
        cache = self.__dict__.setdefault("_kb_stems", {})
        try:
            return cache[word]
        except KeyError:
            cache[word] = stemmed = original(self, word)
            return stemmed

    stem.kb_memoised = True  # type: ignore[attr-defined]
    SearchEnglish.stem = stem  # type: ignore[method-assign]


# -- Search index: keep the index entries of pages not rewritten ----------------------


def keep_index_entries_in_search() -> None:
    """Sphinx 9 loses other pages' index entries (glossary terms) on incremental builds.

    ``IndexBuilder.load`` restores titles and words from the previous
    searchindex.js but not ``indexentries``, so after any incremental build
    the search box no longer finds glossary terms whose page was not
    rewritten. We restore them on load, drop those of pruned pages, and freeze
    them in page order, as a clean (serial or parallel) build does. ``prune``
    also leaves words of removed titles behind with no page; they go too.
    """
    from sphinx.search import IndexBuilder

    if getattr(IndexBuilder.load, "kb_patched", False):
        return
    load, prune, freeze = IndexBuilder.load, IndexBuilder.prune, IndexBuilder.freeze

    def load_with_entries(self: IndexBuilder, stream: Any, format: Any) -> None:
        if isinstance(format, str):
            format = self.formats[format]
        frozen: dict[str, Any] = {}

        class Capture:
            @staticmethod
            def load(f: Any) -> Any:
                frozen.update(data := format.load(f))
                return data

        load(self, stream, Capture)
        index2fn = frozen["docnames"]
        entries: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for entry, places in frozen.get("indexentries", {}).items():
            for doc, entry_id, main in places:
                entries[index2fn[doc]].append((entry, entry_id, "main" if main else ""))
        self._index_entries.clear()
        self._index_entries.update({d: sorted(e) for d, e in entries.items()})

    def prune_entries(self: IndexBuilder, docnames: Iterable[str]) -> None:
        docnames = set(docnames)
        prune(self, docnames)
        for doc in [d for d in self._index_entries if d not in docnames]:
            del self._index_entries[doc]
        # Words left with no page (an old title's words) are not in a clean index.
        for mapping in (self._mapping, self._title_mapping):
            for word in [w for w, docs in mapping.items() if not docs]:
                del mapping[word]

    def freeze_in_order(self: IndexBuilder) -> dict[str, Any]:
        ordered = dict(sorted(self._index_entries.items()))
        self._index_entries.clear()
        self._index_entries.update(ordered)
        return freeze(self)

    load_with_entries.kb_patched = True  # type: ignore[attr-defined]
    IndexBuilder.load = load_with_entries  # type: ignore[method-assign]
    IndexBuilder.prune = prune_entries  # type: ignore[method-assign]
    IndexBuilder.freeze = freeze_in_order  # type: ignore[method-assign]


def setup(app: Sphinx) -> dict[str, Any]:
    memoise_find_plugin()
    memoise_stemming()
    keep_index_entries_in_search()
    if "sphinxcontrib.bibtex" in app.extensions or "cite" in app.registry.domains:
        app.add_domain(_bibtex_domain_class(), override=True)
        app.add_directive("bibliography", _bibliography_directive_class(), override=True)
    # Before furo's handler (priority 500), so furo builds its sidebar from ours.
    app.connect("html-page-context", use_small_navigation, priority=400)
    app.connect("env-updated", _reset_navigation)
    app.connect("env-get-outdated", remember)
    app.connect("env-get-updated", pages_to_rewrite)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

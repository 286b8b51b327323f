"""The one place that reaches into sphinxcontrib-bibtex's and pybtex's internals.

Everything here is written against the versions in :data:`TESTED` (the ones
``requirements.lock`` pins and CI runs). At ``config-inited``, once every
extension of conf.py is loaded whatever their order, :func:`install` checks the
installed versions: on a tested one it installs the speed-ups below; on any
other it leaves upstream's classes in place and says so with a ``kb.perf``
warning (the strict build then fails, so nobody ships an untested path
unknowingly; ``suppress_warnings = ["kb.perf"]`` accepts it).

- **pybtex plugin lookups.** ``pybtex.plugin._load_entry_point`` asks
  ``importlib.metadata.entry_points`` on every call (~10 ms: it reads every
  installed package's metadata), and sphinxcontrib-bibtex calls
  ``find_plugin`` per citation and per entry. The lookup is cached where
  pybtex makes it, the module global ``pybtex.plugin.entry_points``, so every
  importer of ``find_plugin`` (bibtex's ``transforms``, ``roles``,
  ``foot_roles``, ``__init__``, pybtex's own modules) gets it without being
  rebound; plugins registered at run time are still looked up first, as
  upstream does. No pybtex issue reports this; Pygments fixed the same cost
  by caching its entry points (pygments/pygments#2979).
- **BibtexDomain.** Upstream (2.7.0) sorts every citation with
  ``docnames.index`` and scans every citation reference for every entry, once
  per bibliography directive; with one reference list per article that is
  O(N³), and every entry is formatted again on every build. The subclass
  computes those lookups once per build and reuses formatting whose input is
  unchanged. Output is the same (``tests/test_bibtex_adapter.py`` builds
  with and without it).
- **bibliography directive.** Upstream makes a citation node for every record
  of references.bib in every reference list (N lists of N nodes, pickled); a
  page's own list (``:filter: docname in docnames``) makes nodes for the
  page's citations only, and more on demand.
- **Handouts** (kb.sphinxext.latex) list extra sources in an article's
  reference list: :func:`handout_citations` and :func:`fresh_citation_nodes`.
- **Which pages an edit outdates** (kb.sphinxext.depends): pages citing or
  listing a record show ``bib:<key>``; pages with a reference list show
  ``biblist:<page>``.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging

from kb import bib
from kb.sphinxext import env_version
from kb.sphinxext.depends import PageData, fingerprint
from kb.sphinxext.versions import in_series, installed_version

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

#: Distribution -> the release series this module is written and tested against.
TESTED = {"sphinxcontrib-bibtex": "2.7", "pybtex": "0.26"}


def is_tested(distribution: str) -> bool:
    """True when the installed release is in the series of :data:`TESTED`."""
    return in_series(installed_version(distribution), TESTED[distribution])


def untested(distribution: str, upstream: str) -> None:
    logger.warning(
        "%s %s is not a tested release (tested: %s.*): %s is left as upstream "
        "has it, which is correct but slower. Test this release and update "
        "kb.sphinxext.bibtex_adapter.TESTED and pyproject.toml.",
        distribution,
        installed_version(distribution),
        TESTED[distribution],
        upstream,
        type="kb",
        subtype="perf",
    )


# -- pybtex: look plugins up once --------------------------------------------------------


def cache_plugin_lookups() -> bool:
    """Cache pybtex's entry-point lookups; False (and upstream's) on an untested pybtex."""
    import pybtex.plugin

    current = getattr(pybtex.plugin, "entry_points", None)
    if getattr(current, "kb_cached", False):
        return True
    if not is_tested("pybtex") or current is None:
        return False

    @functools.cache
    def entry_points(**selection: str) -> tuple[Any, ...]:
        # Installed packages do not change during a build; pybtex only
        # iterates over the result and takes len() of it.
        return tuple(current(**selection))

    entry_points.kb_cached = True  # type: ignore[attr-defined]
    pybtex.plugin.entry_points = entry_points
    return True


# -- sphinxcontrib-bibtex: env_updated in O(N) ---------------------------------------------

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
                lists = {k for k, v in self.bibliographies.items() if v.list_ == "citation"}
                for i, citation in enumerate(self.citations):
                    if citation.bibliography_key in lists:
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


# -- Handouts (kb.sphinxext.latex) ---------------------------------------------------------


def _cite_domain(env: BuildEnvironment) -> Any:
    try:
        return env.get_domain("cite")
    except Exception:  # sphinxcontrib-bibtex not loaded (a test root without it)
        return None


def entry_fields(env: BuildEnvironment, key: str) -> dict[str, str] | None:
    """A source's fields as sphinxcontrib-bibtex parsed them, after
    kb.sphinxext.safe_bib cleaned them (kb.bib.entry_fields' names), or None
    when there is no such record. Read here rather than parsing the .bib file
    again: one parse per build, and a kept application (kb serve) sees an
    edited record as soon as sphinxcontrib-bibtex does."""
    bibdata = getattr(_cite_domain(env), "bibdata", None)
    entry = bibdata.data.entries.get(key) if bibdata is not None else None
    return None if entry is None else bib.entry_fields(entry)


def description(env: BuildEnvironment, key: str) -> str | None:
    """A source's reader-facing ``description`` as plain text, or None."""
    value = (entry_fields(env, key) or {}).get(bib.DESCRIPTION_FIELD, "")
    return bib.plain_value(value) or None


def citations_changed(domain: Any) -> None:
    """Forget the per-build lookups after ``domain.citations`` changed."""
    if getattr(domain, "_kb_by_key", None) is not None:
        domain._kb_by_key = None


def fresh_citation_nodes(env: BuildEnvironment) -> None:
    """Empty the citation nodes sphinxcontrib-bibtex keeps in its domain data.

    It fills them in place when a reference list is resolved, which happens
    once per page in HTML but once per LaTeX document (the book, then each
    handout): without this, a handout would print each source twice.
    """
    domain: Any = env.get_domain("cite")
    for bibliography in domain.bibliographies.values():
        for key, node in bibliography.citation_nodes.items():
            if node.children:
                bibliography.citation_nodes[key] = node.copy()  # attributes, no children


def forget_written_citations(app: Sphinx, exception: Exception | None) -> None:
    """After writing, the citation nodes are as reading left them.

    A new process starts from the environment pickled before writing; a kept
    application (``kb serve``) builds again from this one, and upstream's
    resolved reference lists would otherwise list every source twice.
    """
    if _cite_domain(app.env) is not None and hasattr(app.env.get_domain("cite"), "bibliographies"):
        fresh_citation_nodes(app.env)


def _bib_files_checked(app: Sphinx) -> None:
    app._kb_bib_files_checked = True  # type: ignore[attr-defined]


def reread_changed_bib_files(app: Sphinx, env: BuildEnvironment, *args: Any) -> list[str]:
    """A kept application (``kb serve``) reads references.bib again when it changed.

    Upstream checks the files at ``builder-inited``, once per process; each
    later build of the same application checks them here, before reading
    (upstream's check: only a file whose modification time moved is parsed).
    """
    if getattr(app, "_kb_bib_files_checked", False):
        app._kb_bib_files_checked = False  # type: ignore[attr-defined]
        return []
    if _cite_domain(env) is None:
        return []
    from sphinxcontrib.bibtex import builder_inited_cite

    builder_inited_cite(app)
    return []


def cited_keys(node: nodes.Element) -> list[str]:
    """The bib keys cited under ``node``, in order, once each."""
    from sphinxcontrib.bibtex.citation_target import parse_citation_targets

    keys: list[str] = []
    for xref in node.findall(addnodes.pending_xref):
        if xref.get("refdomain") != "cite":
            continue
        for target in parse_citation_targets(xref["reftarget"]):
            if target.key not in keys:
                keys.append(target.key)
    return keys


@contextlib.contextmanager
def handout_citations(env: BuildEnvironment, docname: str, keys: list[str]) -> Iterator[None]:
    """While a handout is assembled, list in its article's reference list the
    sources that the definitions it prints cite, numbered after the article's own.

    sphinxcontrib-bibtex decides at the end of reading which sources each
    reference list holds; a handout adds glossary definitions afterwards, so
    their sources are added to the list for this one document, then removed.
    """
    from pybtex.style import FormattedEntry

    domain: Any = env.get_domain("cite")
    bib_key = next(
        (
            key
            for key, value in domain.bibliographies.items()
            if key.docname == docname and value.list_ == "citation"
        ),
        None,
    )
    if bib_key is None or not keys:
        yield
        return
    bibliography = domain.bibliographies[bib_key]
    own = [c for c in domain.citations if c.bibliography_key == bib_key]
    listed = {c.key for c in own}
    numbered = all(c.formatted_entry.label.isdigit() for c in own)
    added = []
    for key in keys:
        source = next((c for c in domain.citations if c.key == key), None)
        if key in listed or source is None:
            continue
        try:
            # Upstream makes a node for every entry; the fast path on demand.
            node = bibliography.citation_nodes[key]
        except KeyError:
            continue
        label = str(len(own) + len(added) + 1) if numbered else source.formatted_entry.label
        added.append(
            source._replace(
                citation_id=node["ids"][0],
                bibliography_key=bib_key,
                formatted_entry=FormattedEntry(key, source.formatted_entry.text, label),
            )
        )
        listed.add(key)
    domain.citations.extend(added)
    citations_changed(domain)
    try:
        yield
    finally:
        for citation in added:
            domain.citations.remove(citation)
        citations_changed(domain)


# -- Which pages an edit outdates (kb.sphinxext.depends) ------------------------------------


def page_data(app: Sphinx, env: BuildEnvironment) -> PageData | None:
    """``bib:<key>``: a record's data and the lists it is in (where citations
    link); ``biblist:<page>``: the page's reference lists, in order, labelled."""
    domain = _cite_domain(env)
    if domain is None:
        return None
    if not all(hasattr(domain, a) for a in ("citations", "citation_refs", "bibdata")):
        # Not the data layout we know: every page is rewritten on every
        # build, correct and slow (install() has warned already).
        docs = {d: {"bib:unknown"} for d in env.found_docs}
        return PageData({"bib:unknown": os.urandom(8).hex()}, docs)
    entries = domain.bibdata.data.entries
    listed_in: dict[str, list[tuple[str, str]]] = defaultdict(list)
    lists: dict[str, list[tuple[str, str, str | None]]] = defaultdict(list)
    shows: dict[str, set[str]] = defaultdict(set)
    for citation in domain.citations:
        page = citation.bibliography_key.docname
        label = citation.formatted_entry.label
        listed_in[citation.key].append((page, label))
        raw = entries.get(citation.entry.key)
        lists[page].append((citation.key, label, entry_fingerprint(raw) if raw else None))
        shows[page].update((f"biblist:{page}", f"bib:{citation.key}"))
    for ref in domain.citation_refs:
        shows[ref.docname].update(f"bib:{t.key}" for t in ref.targets)
    values = {f"biblist:{page}": fingerprint(items) for page, items in lists.items()}
    for key in {k for names in shows.values() for k in names if k.startswith("bib:")}:
        raw = entries.get(key[4:])
        data = entry_fingerprint(raw) if raw is not None else None
        values[key] = fingerprint((data, sorted(listed_in.get(key[4:], []))))
    return PageData(values, dict(shows))


# -- Installing the fast path -----------------------------------------------------------------


def install(app: Sphinx, config: Config) -> None:
    """Once conf.py's extensions are all loaded: the fast path, or upstream's, loudly."""
    if "sphinxcontrib.bibtex" not in app.extensions:
        return
    if not cache_plugin_lookups():
        untested("pybtex", "its plugin lookup (pybtex.plugin.entry_points)")
    if not is_tested("sphinxcontrib-bibtex"):
        untested("sphinxcontrib-bibtex", "its cite domain and bibliography directive")
        return
    app.add_domain(_bibtex_domain_class(), override=True)
    app.add_directive("bibliography", _bibliography_directive_class(), override=True)
    app.connect("builder-inited", _bib_files_checked, priority=900)
    app.connect("env-get-outdated", reread_changed_bib_files)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("kb.sphinxext.depends")
    # config-inited comes after every extension's setup(): the override does
    # not depend on where conf.py lists sphinxcontrib.bibtex.
    app.connect("config-inited", install)
    app.connect("kb-page-data", page_data)
    app.connect("build-finished", forget_written_citations)
    return {
        "version": "1",
        # The domain subclass keeps "kb_fingerprints" in the cite domain's data.
        "env_version": env_version(1),
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }

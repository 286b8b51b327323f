"""The one place that reaches into Sphinx's internals: the HTML search index.

Both are checked against the Sphinx release series in :data:`TESTED` at
``setup()``; on any other release Sphinx's own code is left alone, with a
``kb.perf`` warning (the strict build then fails until someone checks the
new release and updates :data:`TESTED` and pyproject.toml).

- **Stemming once per word.** The English index stems every word of every
  page with snowball (pure Python); the site's pages share most of their
  words. :class:`CachedStemEnglish` is registered with
  ``app.add_search_language`` (Sphinx's API for a search language) in place
  of ``SearchEnglish``, with the same stems.
- **Index entries on incremental builds** (sphinx-doc/sphinx#12599, open):
  see :func:`keep_index_entries_in_search`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sphinx
from sphinx.search.en import SearchEnglish
from sphinx.util import logging

from kb.sphinxext.versions import in_series

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

#: The Sphinx release series this module is written and tested against.
TESTED = "9.0"


def is_tested(version: str | None = None) -> bool:
    return in_series(sphinx.__version__ if version is None else version, TESTED)


# -- Search: stem each word once -------------------------------------------------------


class CachedStemEnglish(SearchEnglish):
    """Sphinx's English search language, each word stemmed once per build."""

    def __init__(self, options: dict[str, str]) -> None:
        super().__init__(options)
        self._stems: dict[str, str] = {}

    def stem(self, word: str) -> str:
        try:
            return self._stems[word]
        except KeyError:
            self._stems[word] = stemmed = super().stem(word)
            return stemmed


# -- Search index: keep the index entries of pages not rewritten ----------------------


def keep_index_entries_in_search() -> None:
    """Sphinx loses other pages' index entries (glossary terms) on incremental builds.

    sphinx-doc/sphinx#12599 (open; seen in 7.4 and still in 9.0).
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


# -- kb serve: one application, many builds -------------------------------------------


def ready_for_next_build(app: Sphinx) -> bool:
    """Make a kept application compare its next build with this one.

    A new process would load the pickled environment; this one must look
    the same:

    - Sphinx decides once, when the environment is created or loaded,
      whether the configuration changed (``env.config_status``); a kept
      application would otherwise re-read every page on every build after a
      first one from scratch. A loaded pickle has CONFIG_OK.
    - ``env.get_doctree`` caches pickled doctrees in memory and never drops
      a page's entry when the page is read again, so a page rewritten later
      only because its neighbour changed would be written from its old
      doctree. sphinx.testing's ``SphinxTestApp.build`` clears the cache
      before each build for the same reason.

    False on an untested Sphinx: the caller then starts a new application.
    """
    from sphinx.environment import CONFIG_OK

    if not is_tested():
        return False
    app.env.config_status = CONFIG_OK
    app.env.config_status_extra = ""
    app.env._pickled_doctree_cache.clear()
    return True


# -- Garbage collection: leave the loaded environment alone ----------------------------


def freeze_loaded_objects(app: Sphinx, env: Any, docnames: list[str]) -> None:
    """Keep Python's cyclic garbage collector off what exists before reading.

    At 1,000 articles the unpickled environment is millions of objects, and
    each full collection walks all of them (0.3 to 0.4 s, several times a
    build). ``gc.freeze`` moves them to a generation the collector skips;
    they are still freed by reference counting. Once per application: a kept
    application (``kb serve``) would otherwise also freeze each build's
    garbage.
    """
    import gc

    if not getattr(app, "_kb_gc_frozen", False):
        gc.freeze()
        app._kb_gc_frozen = True  # type: ignore[attr-defined]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("env-before-read-docs", freeze_loaded_objects)
    if is_tested():
        app.add_search_language(CachedStemEnglish)
        keep_index_entries_in_search()
    else:
        logger.warning(
            "Sphinx %s is not a tested release (tested: %s.*): the search index is "
            "built as upstream builds it, slower, and an incremental build loses other "
            "pages' index entries (sphinx-doc/sphinx#12599). Test this release and "
            "update kb.sphinxext.sphinx_adapter.TESTED and pyproject.toml.",
            sphinx.__version__,
            TESTED,
            type="kb",
            subtype="perf",
        )
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

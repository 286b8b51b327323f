"""Which pages an edit outdates: one mechanism for the whole site.

Sphinx rewrites only the pages it re-read, but many pages show data that
lives elsewhere: an article's title on the article index, the topic pages and
its neighbours' previous/next links; a glossary definition in the tooltips of
every page that links the term; a references.bib record in every page that
cites or lists it; the top-level titles in every page's navigation. This
domain tracks those dependencies by name, so that an incremental build writes
exactly the pages a clean build would write differently:

- While a page is read, the module that renders it declares what it shows
  from elsewhere: ``note_shows(env, docname, "term:ssri")``. The domain keeps
  that per page, with ``clear_doc`` and ``merge_domaindata`` like any
  Sphinx domain, so parallel and incremental builds keep it right.
- After reading, every module answers the ``kb-page-data`` event with the
  current value (a fingerprint) of each name it knows:
  ``{"term:ssri": "…"}``; a handler may also return the names that pages
  show without having declared them while being read (bibtex's citations).
- At ``env-get-updated`` the domain compares the fingerprints with those of
  the last build, kept in its data, and returns the pages that show a name
  whose value changed, appeared or went away.

Names are "<kind>:<what>"; each kind belongs to one module (``topic:`` and
``articles`` to articles.py, ``term:`` and ``glossary`` to
glossary_links.py, ``bib:`` and ``biblist:`` to bibtex_adapter.py, ``nav``
and ``links:`` to site.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sphinx.domains import Domain

from kb.sphinxext import env_version

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

EVENT = "kb-page-data"


@dataclass
class PageData:
    """What a ``kb-page-data`` handler returns."""

    #: name -> fingerprint of its current value.
    values: dict[str, str] = field(default_factory=dict)
    #: docname -> names the page shows, beyond those noted while reading it.
    shows: dict[str, set[str]] = field(default_factory=dict)


def fingerprint(value: Any) -> str:
    """A short, stable digest of a value's ``repr`` (dataclasses, tuples, str)."""
    return hashlib.blake2b(repr(value).encode(), digest_size=12).hexdigest()


class DependencyDomain(Domain):
    """Per page, the names of the data it shows; per name, last build's value."""

    name = "kbdeps"
    label = "Knowledge base page dependencies"
    initial_data: dict[str, Any] = {  # noqa: RUF012 (Sphinx's own API is a class dict)
        "shows": {},  # docname -> set of names
        "values": None,  # name -> fingerprint, as of the last build (None: no build yet)
    }
    data_version = 1

    @property
    def shows(self) -> dict[str, set[str]]:
        return self.data["shows"]

    def note(self, docname: str, names: Iterable[str]) -> None:
        self.shows.setdefault(docname, set()).update(names)

    def clear_doc(self, docname: str) -> None:
        self.shows.pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for docname in docnames:
            if docname in otherdata["shows"]:
                self.shows[docname] = set(otherdata["shows"][docname])

    def resolve_any_xref(self, *args: Any) -> list[Any]:
        return []  # this domain has no roles or objects

    def outdated(self, data: Iterable[PageData]) -> set[str]:
        """Pages showing a name whose value changed since the last build."""
        values: dict[str, str] = {}
        shows = {doc: set(names) for doc, names in self.shows.items()}
        for item in data:
            values.update(item.values)
            for doc, names in item.shows.items():
                shows.setdefault(doc, set()).update(names)
        before: Mapping[str, str] | None = self.data["values"]
        self.data["values"] = values
        if before is None:  # the first build writes every page anyway
            return set()
        changed = {n for n in before.keys() | values.keys() if before.get(n) != values.get(n)}
        if not changed:
            return set()
        return {doc for doc, names in shows.items() if names & changed}


def domain(env: BuildEnvironment) -> DependencyDomain:
    return env.get_domain("kbdeps")  # type: ignore[return-value]


def note_shows(env: BuildEnvironment, docname: str, names: Iterable[str]) -> None:
    """Record, while ``docname`` is read, the data from elsewhere it shows."""
    domain(env).note(docname, names)


def pages_to_rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    results = app.events.emit(EVENT, env)
    outdated = domain(env).outdated(r for r in results if r is not None)
    return sorted(d for d in outdated if d in env.found_docs)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_domain(DependencyDomain)
    app.add_event(EVENT)
    app.connect("env-get-updated", pages_to_rewrite)
    return {
        "version": "1",
        "env_version": env_version(DependencyDomain.data_version),
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }

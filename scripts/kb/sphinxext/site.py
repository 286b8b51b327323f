"""Site-wide parts of the HTML pages that are not about one article.

- "Report a problem with this page": ``kb_report_url`` in every content
  page's template context, a link to the repository's issue form
  (``.github/ISSUE_TEMPLATE/page-problem.yml``), which GitHub pre-fills by
  field id from the query: ``page`` (the page's path on the site) and
  ``version`` (the site's release). ``docs/_templates/page.html`` shows it
  in the footer, with the disclaimer.
- Markup fixes for accessibility, made where the markup is written (the
  HTML translator) instead of hiding the problem from the checkers:
  toctree captions get the ``aria-level`` that ``role="heading"`` needs, and
  citation lists use ``list``/``listitem`` roles instead of the deprecated
  ``doc-biblioentry``.
- The 404 page (``docs/404.md``) is served at whatever URL was not found, so
  its relative links would point nowhere: once it is written, its links are
  made absolute from the site's root (the path of ``kb_base_url``).
- Navigation of constant size: the sidebar lists the root page's top-level
  entries (Articles, Topics, Glossary, ...), the reader's section marked
  current, not the whole site. furo draws every page of the site into every
  page's sidebar (furo #674, #939: the build and every page then grow with
  N, the build as N²); readers reach each article through the article
  index, the topic pages and search. See :class:`Navigation`.
"""

from __future__ import annotations

import functools
import posixpath
import re
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from docutils import nodes
from sphinx import addnodes
from sphinx.environment.adapters.toctree import TocTree
from sphinx.util import logging

from kb import notices
from kb.files import write_atomic
from kb.sphinxext import env_version
from kb.sphinxext.depends import PageData, fingerprint, note_shows

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

#: The page served for any URL that does not exist (docs/404.md).
NOT_FOUND_PAGE = "404"
#: The issue form's file name in the repository's .github/ISSUE_TEMPLATE/.
ISSUE_TEMPLATE = "page-problem.yml"


# -- Report a problem with this page ---------------------------------------------


def report_url(repository_url: str, page: str, version: str) -> str:
    """The issue form, pre-filled with the page's path and the site version."""
    query = urlencode({"template": ISSUE_TEMPLATE, "page": page, "version": version})
    return f"{repository_url.rstrip('/')}/issues/new?{query}"


def add_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    is_content = pagename in app.env.found_docs and pagename != NOT_FOUND_PAGE
    repository = app.config.kb_repository_url
    context["kb_report_url"] = (
        report_url(repository, app.builder.get_target_uri(pagename), app.config.release)
        if is_content and repository
        else ""
    )
    context["kb_not_found_page"] = pagename == NOT_FOUND_PAGE
    # The crisis notice and the disclaimer, from their one home (kb.notices).
    context["kb_crisis_html"] = notices.CRISIS_HTML
    context["kb_disclaimer_html"] = notices.DISCLAIMER_HTML


# -- Accessible markup ---------------------------------------------------------------


def _is_toctree_caption(node: nodes.Node) -> bool:
    parent = node.parent
    return isinstance(parent, addnodes.compact_paragraph) and bool(parent.get("toctree"))


def visit_title(self: Any, node: nodes.title) -> None:
    if _is_toctree_caption(node):
        # Sphinx writes role="heading" without the aria-level it requires.
        self.body.append(
            self.starttag(node, "p", "", CLASS="caption", ROLE="heading", **{"aria-level": "2"})
        )
        self.body.append('<span class="caption-text">')
        self.context.append("</span></p>\n")
    else:
        type(self).visit_title(self, node)


def depart_title(self: Any, node: nodes.title) -> None:
    type(self).depart_title(self, node)


def visit_citation(self: Any, node: nodes.citation) -> None:
    # docutils writes role="doc-biblioentry" (deprecated in DPUB-ARIA 1.1 and
    # not allowed on a list's children): a plain list of list items instead.
    if not isinstance(node.previous_sibling(), nodes.citation):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def depart_citation(self: Any, node: nodes.citation) -> None:
    type(self).depart_citation(self, node)


# -- The 404 page ---------------------------------------------------------------------

#: Attributes holding a URL, and the root-relative marker furo's scripts read.
_URL_ATTRIBUTE = re.compile(r'\b(href|src|action|data-content_root)="([^"]*)"')


def _is_relative(url: str) -> bool:
    return not (url.startswith(("#", "/")) or ":" in url.split("/", 1)[0] or url == "")


def root_absolute(html: str, root: str) -> str:
    """Make every relative URL in a page at the site's root absolute from ``root``."""

    def repl(m: re.Match[str]) -> str:
        name, url = m.group(1), m.group(2)
        if not _is_relative(url):
            return m.group(0)
        url = url.removeprefix("./")
        return f'{name}="{root}{url}"'

    return _URL_ATTRIBUTE.sub(repl, html)


def site_root(base_url: str) -> str:
    """The path the site is served under: "/" or "/name/"."""
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


def fix_not_found_page(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.name != "html":
        return
    if NOT_FOUND_PAGE not in app.env.found_docs:
        return
    page = Path(app.outdir) / f"{NOT_FOUND_PAGE}.html"
    if not page.is_file():
        return
    html = page.read_text(encoding="utf-8")
    fixed = root_absolute(html, site_root(app.config.kb_base_url))
    if fixed != html:
        write_atomic(page, fixed)


# -- Navigation of constant size ---------------------------------------------------------


class Navigation:
    """The top-level navigation, rendered once per distinct (folder, section).

    furo builds its sidebar by calling the page's ``toctree()`` for the whole
    site (``maxdepth=-1, includehidden=True``) and parsing the result with
    BeautifulSoup, on every page (furo #674 and #939 ask for a depth limit;
    furo has none). :func:`use_small_navigation` gives furo this toctree
    instead: the root page's toctree entries, one level deep. furo caches its
    BeautifulSoup step by the HTML, which now repeats.
    """

    def __init__(self, app: Sphinx):
        self.app = app
        self.html: dict[tuple[Any, ...], str] = {}
        self._parents: dict[str, str] | None = None

    def top_level(self) -> list[str]:
        """Documents listed in the root document's toctrees."""
        env = self.app.env
        return list(env.toctree_includes.get(env.config.root_doc, []))

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
_NAVIGATION: weakref.WeakKeyDictionary[Sphinx, Navigation] = weakref.WeakKeyDictionary()

#: Before any theme's handler (furo's runs at the default, 500).
NAVIGATION_PRIORITY = 400


def _reset_navigation(app: Sphinx, env: BuildEnvironment) -> None:
    # Each build (reading done, writing next) starts from a fresh cache.
    _NAVIGATION[app] = Navigation(app)


def use_small_navigation(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Give furo (and any template) the top-level navigation, not the whole site.

    Every call of the page's ``toctree()`` returns it, whatever the arguments.
    """
    if "toctree" not in context:
        return
    if "furo_navigation_tree" in context:
        # furo's handler ran first: it has drawn the whole site already.
        logger.warning(
            "the sidebar was computed before kb.sphinxext.site could make it "
            "constant-size: an extension reorders html-page-context handlers",
            type="kb",
            subtype="navigation",
            once=True,
        )
    nav = _NAVIGATION.get(app)
    if nav is None:
        nav = _NAVIGATION[app] = Navigation(app)
    context["toctree"] = functools.partial(nav.toctree, pagename)


def check_navigation_order(app: Sphinx) -> None:
    """Say so if a theme's page handler would run before ours (it then draws the whole site)."""
    mine = theirs = None
    for listener in app.events.listeners.get("html-page-context", []):
        if listener.handler is use_small_navigation:
            mine = listener.priority
        elif getattr(listener.handler, "__module__", "").split(".")[0] == "furo":
            theirs = listener.priority if theirs is None else min(theirs, listener.priority)
    if mine is not None and theirs is not None and mine >= theirs:
        logger.warning(
            "furo's html-page-context handler (priority %s) runs before the "
            "constant-size navigation (priority %s): every page would carry the whole site",
            theirs,
            mine,
            type="kb",
            subtype="navigation",
        )


def note_navigation(app: Sphinx, doctree: nodes.document) -> None:
    # Every page shows the top-level titles and its previous/next/parent links.
    docname = app.env.docname
    note_shows(app.env, docname, ["nav", f"links:{docname}"])


def title_of(env: BuildEnvironment, doc: str | None) -> str | None:
    return env.titles[doc].astext() if doc in env.titles else None


def page_data(app: Sphinx, env: BuildEnvironment) -> PageData:
    """The top-level titles, and each page's neighbours with their titles."""
    root = env.config.root_doc
    top = [(r, title_of(env, r)) for r in env.toctree_includes.get(root, [])]
    values = {"nav": fingerprint((title_of(env, root), top))}
    if env.found_docs:
        for doc, rel in env.collect_relations().items():
            values[f"links:{doc}"] = fingerprint([(d, title_of(env, d)) for d in rel])
    return PageData(values)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("kb.sphinxext.depends")
    # Replaces the translator's methods for these two node types in HTML
    # output only; other nodes and other formats are untouched.
    app.add_node(nodes.title, override=True, html=(visit_title, depart_title))
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    app.connect("html-page-context", add_page_context)
    app.connect("build-finished", fix_not_found_page)
    app.connect("html-page-context", use_small_navigation, priority=NAVIGATION_PRIORITY)
    app.connect("builder-inited", check_navigation_order)
    app.connect("env-updated", _reset_navigation)
    app.connect("doctree-read", note_navigation)
    app.connect("kb-page-data", page_data)
    return {
        "version": "1",
        "env_version": env_version(1),
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }

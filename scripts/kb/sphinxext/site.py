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
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from docutils import nodes
from sphinx import addnodes

from kb import notices
from kb.files import write_atomic

if TYPE_CHECKING:
    from sphinx.application import Sphinx

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


def setup(app: Sphinx) -> dict[str, Any]:
    # Replaces the translator's methods for these two node types in HTML
    # output only; other nodes and other formats are untouched.
    app.add_node(nodes.title, override=True, html=(visit_title, depart_title))
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    app.connect("html-page-context", add_page_context)
    app.connect("build-finished", fix_not_found_page)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

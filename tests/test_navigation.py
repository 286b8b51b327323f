"""The constant-size sidebar (kb.sphinxext.site.Navigation), read from furo's
``.sidebar-tree`` in the built pages.

furo draws the whole site into every page's sidebar (furo #674, #939); ours
lists the root page's entries only, the reader's section marked current, and
the whole-site toctree is never computed.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from kb.sphinxext import site

#: The root toctree's entries, as the sidebar must show them on every page.
TOP = ["Section A", "Section B"]


def sidebar(app, docname: str) -> BeautifulSoup:
    page = BeautifulSoup((app.outdir / f"{docname}.html").read_text(), "html.parser")
    tree = page.select_one(".sidebar-tree")
    assert tree is not None, f"{docname}: no .sidebar-tree"
    return tree


def links(tree: BeautifulSoup) -> list[str]:
    return [a.get_text(strip=True) for a in tree.select("a")]


def current(tree: BeautifulSoup) -> list[str]:
    return [li.a.get_text(strip=True) for li in tree.select("li.current")]


@pytest.fixture
def toctree_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Pages for which Sphinx resolved the whole-site toctree (furo's sidebar)."""
    import sphinx.builders.html as html

    calls: list[str] = []
    original = html.global_toctree_for_doc

    def spy(env, docname, *args, **kwargs):
        calls.append(docname)
        return original(env, docname, *args, **kwargs)

    monkeypatch.setattr(html, "global_toctree_for_doc", spy)
    return calls


@pytest.mark.sphinx("html", testroot="navigation", freshenv=True)
def test_sidebar_lists_the_top_level_with_the_section_current(app, toctree_calls):
    app.build()
    assert app.warning.getvalue() == ""
    expected_current = {
        "index": [],
        "section-a/index": ["Section A"],
        "section-a/one": ["Section A"],
        "section-a/two": ["Section A"],
        "section-b": ["Section B"],
    }
    for docname, marked in expected_current.items():
        tree = sidebar(app, docname)
        assert links(tree) == TOP, docname
        assert current(tree) == marked, docname
    # Links are relative to the page's folder.
    hrefs = [a["href"] for a in sidebar(app, "section-a/one").select("a")]
    assert hrefs == ["index.html", "../section-b.html"]
    assert toctree_calls == [], "furo's whole-site toctree was computed"


@pytest.mark.sphinx("html", testroot="navigation", freshenv=True)
def test_navigation_after_furo_is_caught(app, toctree_calls):
    # Move the handler after furo's, as an extension or a refactor might:
    # the pages then carry the whole site, and the build says so.
    listener = next(
        x
        for x in app.events.listeners["html-page-context"]
        if x.handler is site.use_small_navigation
    )
    app.disconnect(listener.id)
    app.connect("html-page-context", site.use_small_navigation, priority=600)
    app.build()
    assert "[kb.navigation]" in app.warning.getvalue()
    assert "Page one" in links(sidebar(app, "section-a/one"))
    assert toctree_calls != []


def test_handler_order_is_checked_at_builder_inited(make_app, rootdir, monkeypatch):
    monkeypatch.setattr(site, "NAVIGATION_PRIORITY", 600)
    app = make_app("html", srcdir=rootdir / "test-navigation")
    assert "runs before the constant-size navigation" in app.warning.getvalue()

"""The glossary_links module of kb.sphinxext: tooltips, "Used in", plurals,
and correct parallel and incremental builds."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.util.console import strip_escape_sequences

from kb.sphinxext import search

ROOT = Path(__file__).parent / "roots" / "test-glossary-backlinks"
WIDGET = "A made-up device that exists only in these tests."


def soup(outdir: Path, docname: str) -> BeautifulSoup:
    return BeautifulSoup((outdir / f"{docname}.html").read_text(), "html.parser")


def used_in(page: BeautifulSoup, term_id: str) -> list[tuple[str, str]] | None:
    """The (title, href) pairs listed under a glossary entry, or None."""
    dt = page.find("dt", id=term_id)
    dd = dt.find_next_sibling("dd")
    para = dd.select_one("p.kb-used-in")
    if para is None:
        return None
    return [(a.get_text(), a["href"]) for a in para.select("a")]


def tooltips(page: BeautifulSoup) -> list[tuple[str, str, str]]:
    """(link text, link target, tooltip text) for each {term} link."""
    found = []
    for link in page.select("span.kb-term > a[aria-describedby]"):
        tip = page.find(id=link["aria-describedby"])
        assert tip is not None and tip["role"] == "tooltip"
        assert tip.parent is link.parent
        found.append((link.get_text(), link["href"], tip.get_text()))
    return found


@pytest.mark.sphinx("html", testroot="glossary-backlinks")
def test_used_in_lists_each_page_once_by_title(app):
    app.build()
    assert app.warning.getvalue() == ""
    page = soup(app.outdir, "glossary")
    # Synonym (gadget), plural (widgets) and explicit text all reach "Widget";
    # the glossary's own link from "Sprocket" does not count as a use.
    assert used_in(page, "term-Widget") == [
        ("Alpha page", "page-a.html"),
        ("Beta page", "page-b.html"),
    ]
    assert used_in(page, "term-Sprocket") == [("Alpha page", "page-a.html")]
    assert used_in(page, "term-Lonely-term") is None
    assert page.select_one("p.kb-used-in strong").get_text() == "Used in:"


@pytest.mark.sphinx("html", testroot="glossary-backlinks")
def test_tooltips_carry_the_plain_definition(app):
    app.build()
    assert tooltips(soup(app.outdir, "page-a")) == [
        ("gadget", "glossary.html#term-Gadget", WIDGET),
        ("widgets", "glossary.html#term-Widget", WIDGET),
        ("Sprocket", "glossary.html#term-Sprocket", "A toothed wheel that drives a widget."),
    ]
    assert tooltips(soup(app.outdir, "page-b")) == [
        ("kind of widget", "glossary.html#term-Widget", WIDGET)
    ]
    # Links inside the glossary get tooltips too; ids are unique on a page.
    glossary = soup(app.outdir, "glossary")
    assert tooltips(glossary) == [("widget", "#term-Widget", WIDGET)]
    ids = [tag["id"] for tag in glossary.select("[id]")]
    assert len(ids) == len(set(ids))


@pytest.mark.sphinx("html", testroot="glossary-backlinks")
def test_tooltips_stay_out_of_the_search_index(app):
    app.build()
    index = search.read_index(app.outdir / "_static" / search.INDEX_FILE)

    def pages_with(word: str) -> set[str]:
        return {
            index["pages"][p]["u"]
            for p, _, heading, text in index["docs"]
            if word in f"{heading} {text}".lower().split()
        }

    # "device" is only in the definition: its glossary entry, not the pages
    # whose tooltips repeat it.
    assert pages_with("device") == {"glossary.html#term-Widget"}


@pytest.mark.sphinx("text", testroot="glossary-backlinks")
def test_other_formats_get_used_in_but_no_tooltips(app):
    app.build()
    assert app.warning.getvalue() == ""
    page_a = (app.outdir / "page-a.txt").read_text()
    assert WIDGET not in page_a
    assert "Used in:** Alpha page, Beta page\n" in (app.outdir / "glossary.txt").read_text()


@pytest.mark.sphinx("html", testroot="glossary-backlinks", srcdir="glossary-parallel", parallel=2)
def test_parallel_build_gives_the_same_pages(app):
    app.build()
    assert app.warning.getvalue() == ""
    # It really read in parallel: chunks of pages ("glossary .. index").
    status = strip_escape_sequences(app.status.getvalue())
    assert re.search(r"reading sources\.\.\. .* \.\. ", status)
    page = soup(app.outdir, "glossary")
    assert used_in(page, "term-Widget") == [
        ("Alpha page", "page-a.html"),
        ("Beta page", "page-b.html"),
    ]
    assert [t[2] for t in tooltips(soup(app.outdir, "page-b"))] == [WIDGET]


def test_incremental_builds_rewrite_dependent_pages(make_app, tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT, src)

    def build() -> Path:
        app = make_app("html", srcdir=src)
        try:
            app.build()
        finally:
            app.cleanup()  # the next build registers its nodes afresh
        assert app.warning.getvalue() == ""
        return app.outdir

    out = build()
    # A new definition reaches every page that links the term, though only
    # the glossary was edited.
    glossary = src / "glossary.md"
    glossary.write_text(glossary.read_text().replace(WIDGET, "A device, redefined."))
    out = build()
    assert [t[2] for t in tooltips(soup(out, "page-b"))] == ["A device, redefined."]
    assert {t[2] for t in tooltips(soup(out, "page-a"))} >= {"A device, redefined."}

    # A page that stops using a term, or changes its title, updates the
    # glossary's "Used in" lists, though the glossary was not edited.
    (src / "page-b.md").write_text("# Beta page renamed\n\nNo terms any more.\n")
    (src / "page-a.md").write_text(
        (src / "page-a.md").read_text().replace("# Alpha page", "# Alpha page renamed")
    )
    out = build()
    assert used_in(soup(out, "glossary"), "term-Widget") == [("Alpha page renamed", "page-a.html")]

    # A page that is deleted disappears from the lists.
    (src / "page-a.md").unlink()
    (src / "index.md").write_text((src / "index.md").read_text().replace("page-a\n", ""))
    out = build()
    assert used_in(soup(out, "glossary"), "term-Widget") is None

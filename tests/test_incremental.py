"""An incremental build gives the same site as a clean build, whatever was edited.

One small synthetic knowledge base (``kb.corpus``: the real conf.py,
extension, templates and glossary) is built once; each test edits one kind of
input, rebuilds incrementally, builds the same sources from scratch, and
compares every HTML page, the search index and the inventory byte for byte
(and the warnings, where an edit breaks a link).

Every test runs twice: with a new ``sphinx-build`` process per build (what
``kb build html`` runs), and with one Sphinx application kept in memory
across builds (``kb serve``'s :class:`kb.serve.LiveSite`).
"""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import sphinx_build

from kb import corpus as kb_corpus
from kb.serve import LiveSite

pytestmark = pytest.mark.slow

ARTICLES = 6


@dataclass
class Site:
    root: Path
    out: Path  # the incremental build's folder, reused by every test
    scratch: Path
    corpus: kb_corpus.Corpus
    live: LiveSite | None = None  # kb serve's kept application, or a process per build

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    def article(self, i: int) -> Path:
        return self.docs / "articles" / f"{self.corpus.articles[i].slug}.md"

    def incremental(self) -> str:
        if self.live is None:
            return sphinx_build(self.docs, self.out)
        warnings = self.live.warning
        start = warnings.tell()
        self.live.build()
        warnings.seek(start)
        return warnings.read()

    def clean(self) -> tuple[Path, str]:
        out = self.scratch / "clean"
        shutil.rmtree(out, ignore_errors=True)
        warnings = sphinx_build(self.docs, out)
        return out / "html", warnings


@pytest.fixture(scope="module", params=["sphinx-build", "kb serve"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("incremental")
    corpus = kb_corpus.generate(ARTICLES, seed=3)
    kb_corpus.write_tree(corpus, base / "kb")
    s = Site(base / "kb", base / "incremental", base / "scratch", corpus)
    if request.param == "kb serve":
        s.live = LiveSite(s.root, jobs=1, status=io.StringIO(), warning=io.StringIO())
        s.out = s.docs / "_build"
    try:
        assert s.incremental() == ""
        yield s
    finally:
        if s.live is not None:
            s.live.close()


def _outputs(html: Path) -> dict[str, bytes]:
    files = [*html.rglob("*.html"), html / "searchindex.js", html / "objects.inv"]
    return {str(p.relative_to(html)): p.read_bytes() for p in files if p.is_file()}


def _warnings(text: str) -> list[str]:
    """Warnings without the folder they were built in, in a stable order."""
    return sorted(re.sub(r"^.*?/docs/", "", line) for line in text.splitlines() if line)


def assert_same_as_clean(
    site: Site, incremental_warnings: str, compare_warnings: str = "", removed: str = ""
) -> None:
    clean, clean_warnings = site.clean()
    mine, theirs = _outputs(site.out / "html"), _outputs(clean)
    assert theirs, f"the clean build wrote nothing: {clean_warnings}"
    # Sphinx leaves a deleted page's old HTML file in place (linked from nowhere).
    assert mine.keys() - theirs.keys() == ({removed} if removed else set())
    assert theirs.keys() <= mine.keys()
    stale = sorted(name for name in theirs if mine[name] != theirs[name])
    assert stale == [], f"incremental output differs from a clean build: {stale}"
    # Sphinx repeats only the warnings of pages it reads again; none may be new.
    assert set(_warnings(incremental_warnings)) <= set(_warnings(clean_warnings))
    if compare_warnings:
        # Every warning about what changed shows up, as in a clean build.
        def about_change(text: str) -> list[str]:
            return [w for w in _warnings(text) if compare_warnings in w]

        assert about_change(incremental_warnings) == about_change(clean_warnings)


def _replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_article_body(site: Site) -> None:
    _replace(
        site.article(0),
        "\n## How it is given\n",
        "\nA sentence added here.\n\n## How it is given\n",
    )
    assert_same_as_clean(site, site.incremental())


def test_article_title_and_front_matter(site: Site) -> None:
    art = site.corpus.articles[1]
    path = site.article(1)
    # The title shows on the article index, topic pages, related boxes and
    # the neighbours' previous/next links; topics move it between topic pages.
    _replace(path, f"# {art.title}\n", "# Aardvark first in the list\n")
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^title: .*$", "title: Aardvark first in the list", text, count=1)
    text = re.sub(r"topics:\n(- .*\n)+", "topics:\n- maintenance\n- suicidal-thoughts\n", text)
    text = re.sub(r"summary: .*\n", "summary: A new one-line summary for this page.\n", text)
    path.write_text(text, encoding="utf-8")
    assert_same_as_clean(site, site.incremental())


def _linked_headword(site: Site) -> str:
    """A glossary headword that the articles link to."""
    counts: dict[str, int] = {}
    for art in site.corpus.articles:
        for _, paras in art.sections:
            for para in paras:
                for seg in para:
                    if isinstance(seg, tuple) and seg[0] == "term":
                        counts[seg[1]] = counts.get(seg[1], 0) + 1
    return max(sorted(counts), key=counts.__getitem__)


def test_glossary_term_rename_and_back(site: Site) -> None:
    glossary = site.docs / "glossary.md"
    term = _linked_headword(site)
    _replace(glossary, f"\n{term}\n", f"\n{term} renamed\n")
    try:
        warnings = site.incremental()
        assert "term not in glossary" in warnings, "pages linking the old term must warn"
        assert_same_as_clean(site, warnings, compare_warnings="term not in glossary")
    finally:
        # Later tests use the term; put it back even when this test fails.
        _replace(glossary, f"\n{term} renamed\n", f"\n{term}\n")
    warnings = site.incremental()
    assert "term not in glossary" not in warnings
    assert_same_as_clean(site, warnings)


def test_glossary_definition(site: Site) -> None:
    term = _linked_headword(site)
    glossary = site.docs / "glossary.md"
    lines = glossary.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index(f"{term}\n") + 1
    lines.insert(at, "  An added first sentence of the definition.\n")
    glossary.write_text("".join(lines), encoding="utf-8")
    assert_same_as_clean(site, site.incremental())


def test_bib_entry(site: Site) -> None:
    key = site.corpus.articles[2].front_matter["sources"][0]
    bib = site.root / "references.bib"
    text = bib.read_text(encoding="utf-8")
    entry = re.search(rf"@article\{{{key},.*?\n\}}\n", text, re.S)
    assert entry is not None
    edited = re.sub(r"title   = \{[^}]*\}", "title   = {An edited record title}", entry.group(0))
    bib.write_text(text.replace(entry.group(0), edited), encoding="utf-8")
    assert_same_as_clean(site, site.incremental())
    page = (site.out / "html" / "articles" / f"{site.corpus.articles[2].slug}.html").read_text(
        encoding="utf-8"
    )
    assert "An edited record title" in page


def test_new_article(site: Site) -> None:
    extra = kb_corpus.generate(ARTICLES + 1, seed=3).articles[-1]
    flavour = kb_corpus.Flavour(site.corpus)
    (site.docs / "articles" / "aaa-a-new-article.md").write_text(
        flavour.article(extra), encoding="utf-8"
    )
    assert_same_as_clean(site, site.incremental())


def test_removed_article(site: Site) -> None:
    site.article(4).unlink()
    page = f"articles/{site.corpus.articles[4].slug}.html"
    assert_same_as_clean(site, site.incremental(), removed=page)

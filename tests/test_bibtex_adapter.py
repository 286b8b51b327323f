"""kb.sphinxext.bibtex_adapter: the fast path gives upstream's pages, and an
untested sphinxcontrib-bibtex release falls back to upstream, loudly.

Both builds run in this process (``sphinx.testing``), so the test can make the
adapter see another release of sphinxcontrib-bibtex.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kb import corpus
from kb.sphinxext import bibtex_adapter

pytestmark = pytest.mark.slow


def _article_html(html: Path) -> dict[str, str]:
    """Each page's <article>, with docutils' numbered ids made neutral.

    Upstream numbers a citation id for every record in every reference list;
    the fast path numbers only the page's own, so the numbers (never the text
    or the links' targets) differ.
    """
    pages = {}
    for page in sorted(html.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        found = re.search(r"<article.*?</article>", text, re.S)
        if found:
            pages[str(page.relative_to(html))] = re.sub(r"\bid\d+\b", "ID", found.group(0))
    return pages


def _build(make_app, docs: Path, out: Path):
    app = make_app("html", srcdir=docs, builddir=out, freshenv=True)
    app.build()
    return app


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus.write_tree(corpus.generate(8, seed=5), tmp_path_factory.mktemp("bib") / "kb")


def test_fast_path_is_installed_on_the_tested_release(make_app, docs: Path, tmp_path: Path):
    app = _build(make_app, docs, tmp_path / "fast")
    domain = app.env.get_domain("cite")
    assert type(domain).__name__ == "KbBibtexDomain"
    assert "kb.perf" not in app._warning.getvalue()


def test_untested_release_falls_back_to_upstream_with_a_warning(
    make_app, docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _build(make_app, docs, tmp_path / "fast")
    real = bibtex_adapter.installed_version
    monkeypatch.setattr(
        bibtex_adapter,
        "installed_version",
        lambda dist: "2.8.0" if dist == "sphinxcontrib-bibtex" else real(dist),
    )
    upstream = _build(make_app, docs, tmp_path / "upstream")
    warnings = upstream._warning.getvalue()
    assert "sphinxcontrib-bibtex 2.8.0 is not a tested release" in warnings
    assert "[kb.perf]" in warnings
    from sphinxcontrib.bibtex.domain import BibtexDomain

    assert type(upstream.env.get_domain("cite")) is BibtexDomain
    # The same pages, citation for citation.
    mine, theirs = _article_html(fast.outdir), _article_html(upstream.outdir)
    assert mine.keys() == theirs.keys() and len(mine) > 8
    assert [name for name in theirs if mine[name] != theirs[name]] == []


def test_version_series() -> None:
    assert bibtex_adapter.is_tested("sphinxcontrib-bibtex")
    series = bibtex_adapter.TESTED["sphinxcontrib-bibtex"]
    assert bibtex_adapter.installed_version("sphinxcontrib-bibtex").startswith(series + ".")

"""``kb bench`` at a small size: the corpus is what the benchmark claims, and
the harness runs every build once. The timings themselves are not tested."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kb import bench, cli, schema
from kb import glossary as kb_glossary

pytestmark = pytest.mark.slow

N = 5


@pytest.fixture(scope="module")
def corpus() -> bench.Corpus:
    return bench.generate(N)


def test_articles_follow_the_schema_and_the_brief(corpus: bench.Corpus, tmp_path: Path) -> None:
    docs = bench.write_tree(corpus, tmp_path / "kb")
    glossary = kb_glossary.load(docs / "glossary.md")
    pages = sorted((docs / "articles").glob("synthetic-*.md"))
    assert len(pages) == N
    for page in pages:
        text = page.read_text(encoding="utf-8")
        article, problems = schema.load_article(text)
        assert article is not None, problems
        assert problems == []
        body = text.split("---\n", 2)[2]
        words = len(re.findall(r"[A-Za-z]+", body))
        assert 700 <= words <= 950, f"{page.name}: {words} words"
        assert text.count(":::{key-takeaway}") == 1
        assert text.count(":::{evidence-note}") == 1
        terms = re.findall(r"\{term\}`([^`]*)`", text)
        assert len(terms) == 5 and all(t in glossary for t in terms)
        assert len(re.findall(r"\{cite:p\}`", text)) == 2
        assert set(article.sources) <= {b.key for b in corpus.bib}
    # The project's own configuration, not a copy of it.
    assert (docs / "conf.py").read_bytes() == (bench.paths.DOCS / "conf.py").read_bytes()


def test_reference_builds_get_the_same_pages(corpus: bench.Corpus, tmp_path: Path) -> None:
    kb_docs = bench.write_tree(corpus, tmp_path / "kb")
    bare_docs = bench.write_tree(corpus, tmp_path / "bare", bench._BareFlavour)
    mk_docs = bench.write_tree(corpus, tmp_path / "mk", bench._MkDocsFlavour)

    def pages(d: Path) -> set[str]:
        return {str(p.relative_to(d)) for p in d.rglob("*.md") if "_" not in p.parts[0][:1]}

    assert pages(kb_docs) == pages(bare_docs) == pages(mk_docs)
    bare = (bare_docs / "articles" / f"{corpus.articles[0].slug}.md").read_text()
    assert "{cite" not in bare and "{key-takeaway}" not in bare and ":::{admonition}" in bare
    mk = (mk_docs / "articles" / f"{corpus.articles[0].slug}.md").read_text()
    assert '!!! note "Key takeaway"' in mk and "../glossary.md#term-" in mk


def test_harness_runs_every_build(tmp_path: Path) -> None:
    report = bench.benchmark(N, runs=1, workdir=tmp_path, skip=frozenset({"pdf"}), say=print)
    rows = report["rows"]
    for key in ("clean", "noop", "article", "glossary", "bare"):
        row = rows[key]
        assert row["runs"] == 1 and row["failed"] == 0, (key, row)
        assert row["seconds"] > 0 and row["peak_mb"] > 0
    assert rows["clean"]["warnings"] == 0, "the generated corpus builds without warnings"
    # Written also counts genindex.html and search.html, which are not read.
    assert rows["clean"]["written"] == rows["clean"]["read"] + 2 > N + 2
    assert rows["noop"]["read"] == 0
    assert rows["article"]["read"] == 1
    assert rows["glossary"]["read"] >= 1
    text = bench.markdown(report)
    assert f"N = {N} articles" in text and "Clean HTML build (project)" in text
    json.dumps(report)


def test_cli_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    code = cli.main(
        [
            "bench",
            "--articles",
            "2",
            "--runs",
            "1",
            "--skip",
            "pdf,check,mkdocs,bare,glossary,article",
            "--workdir",
            str(tmp_path / "w"),
            "--output",
            str(out),
        ]
    )
    assert code == 0
    assert json.loads(out.read_text())["articles"] == 2


def test_cli_rejects_unknown_rows() -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["bench", "--skip", "everything"])
    assert exc.value.code == 2

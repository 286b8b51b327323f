"""``kb bench`` at a small size: the corpus is what the benchmark claims, and
the harness runs every row once. The timings themselves are not tested."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kb import bench, cli, corpus, schema
from kb import glossary as kb_glossary

pytestmark = pytest.mark.slow

N = 5


@pytest.fixture(scope="module")
def synthetic() -> corpus.Corpus:
    return corpus.generate(N)


def test_articles_follow_the_schema_and_the_brief(synthetic: corpus.Corpus, tmp_path: Path) -> None:
    docs = corpus.write_tree(synthetic, tmp_path / "kb")
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
        assert 850 <= words <= 1000, f"{page.name}: {words} words"
        # 5 sections (and the references), each of the 5 with a list.
        sections = re.split(r"(?m)^## ", body)[1:]
        assert len(sections) == 6 and sections[-1].startswith("References")
        for section in sections[:5]:
            assert re.search(r"(?m)^(- |1\. )\S", section), section[:40]
        assert text.count(":::{key-takeaway}") == 1
        assert text.count(":::{evidence-note}") == 1
        terms = re.findall(r"\{term\}`([^`]*)`", text)
        assert len(terms) == 5 and all(t in glossary for t in terms)
        assert len(re.findall(r"\{cite:p\}`", text)) == 2
        assert set(article.sources) <= {b.key for b in synthetic.bib}
    # The project's own configuration, not a copy of it.
    assert (docs / "conf.py").read_bytes() == (corpus.paths.DOCS / "conf.py").read_bytes()


def test_reference_builds_get_the_same_pages(synthetic: corpus.Corpus, tmp_path: Path) -> None:
    kb_docs = corpus.write_tree(synthetic, tmp_path / "kb")
    bare_docs = corpus.write_tree(synthetic, tmp_path / "bare", corpus.BareFlavour)
    mk_docs = corpus.write_tree(synthetic, tmp_path / "mk", corpus.MkDocsFlavour)

    def pages(d: Path) -> set[str]:
        return {str(p.relative_to(d)) for p in d.rglob("*.md") if "_" not in p.parts[0][:1]}

    assert pages(kb_docs) == pages(bare_docs) == pages(mk_docs)
    bare = (bare_docs / "articles" / f"{synthetic.articles[0].slug}.md").read_text()
    assert "{cite" not in bare and "{key-takeaway}" not in bare and ":::{admonition}" in bare
    mk = (mk_docs / "articles" / f"{synthetic.articles[0].slug}.md").read_text()
    assert '!!! note "Key takeaway"' in mk and "../glossary.md#term-" in mk
    # The lists are the same Markdown for every tool.
    first_list = synthetic.articles[0].lists[0][0]
    assert f"- {first_list}" in bare and f"- {first_list}" in mk
    assert (tmp_path / "mk" / "mkdocs.yml").is_file()


def test_harness_runs_every_row(tmp_path: Path) -> None:
    report = bench.benchmark(N, runs=1, workdir=tmp_path, skip=frozenset({"pdf"}), say=print)
    rows = report["rows"]
    for key in bench.ROW_NAMES.keys() - {"pdf"}:
        row = rows[key]
        assert row["runs"] == 1 and row["failed"] == 0, (key, row)
        assert row["seconds"] > 0, key
    assert rows["clean"]["warnings"] == 0, "the generated corpus builds without warnings"
    # Written also counts genindex.html and search.html, which are not read.
    assert rows["clean"]["written"] == rows["clean"]["read"] + 2 > N + 2
    # kb build skips Sphinx when nothing changed; the raw sphinx-build reads nothing.
    assert rows["noop"]["read"] == 0 and rows["noop"]["written"] == 0
    assert rows["noop_sphinx"]["read"] == 0 and rows["noop_sphinx"]["written"] == 2
    assert rows["article"]["read"] == 1 and rows["article_sphinx"]["read"] == 1
    assert rows["glossary"]["read"] >= 1
    for ref in ("mkdocs", "zensical", "bare"):
        assert len(report["ratios"][f"clean_vs_{ref}"]["per_run"]) == 1, ref
    assert report["site"]["search_download_gzip_kb"] > 0
    assert report["site"]["search_first_query_ms"] > 0
    assert len(report["conditions"]) == 1
    text = bench.markdown(report)
    assert f"N = {N} articles" in text and "Zensical" in text
    json.dumps(report)


def test_cli_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    skipped = ",".join(bench.ROW_NAMES.keys() - {"clean", "noop"})
    code = cli.main(
        [
            "bench",
            "--articles",
            "2",
            "--runs",
            "1",
            "--skip",
            skipped,
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

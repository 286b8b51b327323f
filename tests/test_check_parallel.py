"""``kb check`` on several cores reports exactly what it reports on one."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb import corpus, lint


def test_parallel_check_matches_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synthetic = corpus.generate(6, seed=4)
    corpus.write_tree(synthetic, tmp_path / "kb")
    pages = tmp_path / "kb" / "docs" / "articles"
    # Some findings to compare: an unknown citation and an uncited record.
    first = pages / f"{synthetic.articles[0].slug}.md"
    first.write_text(first.read_text().replace("{cite:p}`", "{cite:p}`nosuchkey,", 1))
    (pages / "broken.md").write_bytes(b"# Broken\n\n\xff\xfe not UTF-8\n")
    serial = lint.check(root=tmp_path / "kb")
    monkeypatch.setattr(lint, "PARALLEL_FROM", 1)
    parallel = lint.check(root=tmp_path / "kb")
    assert serial.findings, "the edits give findings to compare"
    assert {f.code for f in serial.findings} >= {"FILE001"}
    assert parallel.findings == serial.findings
    assert parallel.pages == serial.pages

"""``kb build html`` skips Sphinx only when nothing it reads has changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb import build


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "docs" / "articles").mkdir(parents=True)
    (tmp_path / "docs" / "conf.py").write_text("project = 'x'\n")
    (tmp_path / "docs" / "articles" / "a.md").write_text("# A\n")
    (tmp_path / "references.bib").write_text("@misc{k, year = {2026}}\n")
    return tmp_path


def _print(root: Path, env: dict[str, str] | None = None) -> str:
    return build.inputs_fingerprint(root, ["sphinx", "-b", "html"], env or {})


def test_fingerprint_follows_every_input(root: Path) -> None:
    first = _print(root)
    assert _print(root) == first
    # The build's own output is not an input.
    (root / "docs" / "_build" / "html").mkdir(parents=True)
    (root / "docs" / "_build" / "html" / "index.html").write_text("<html>")
    assert _print(root) == first
    for change in (
        lambda: (root / "docs" / "articles" / "a.md").write_text("# A, edited\n"),
        lambda: (root / "docs" / "articles" / "b.md").write_text("# B\n"),
        lambda: (root / "references.bib").write_text("@misc{k, year = {2025}}\n"),
        lambda: (root / "docs" / "_static").mkdir() or (root / "docs/_static/x.css").write_text(""),
    ):
        before = _print(root)
        change()
        assert _print(root) != before
    settled = _print(root)
    assert _print(root, {"KB_BASE_URL": "https://elsewhere.example/"}) != settled
    assert build.inputs_fingerprint(root, ["sphinx", "-j", "1"], {}) != settled


def test_unchanged_inputs_skip_sphinx(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    def fake_run(cmd, env):
        calls.append(cmd)
        out = root / "docs" / "_build" / "html"
        out.mkdir(parents=True, exist_ok=True)
        (out / "index.html").write_text("<html>")
        return fake_run.status

    fake_run.status = 0
    monkeypatch.setattr(build, "run_sphinx", fake_run)
    monkeypatch.setattr(build, "reproducible_env", lambda: {"SOURCE_DATE_EPOCH": "1"})
    assert build.html(root) == 0 and len(calls) == 1
    assert build.html(root) == 0 and len(calls) == 1, "nothing changed: Sphinx must not run"
    (root / "docs" / "articles" / "a.md").write_text("# A, edited\n")
    assert build.html(root) == 0 and len(calls) == 2
    assert build.html(root, clean=True) == 0 and len(calls) == 3
    # A failed build leaves no fingerprint: the next build runs Sphinx again.
    (root / "docs" / "articles" / "a.md").write_text("# A, broken\n")
    fake_run.status = 1
    assert build.html(root) == 1 and len(calls) == 4
    fake_run.status = 0
    assert build.html(root) == 0 and len(calls) == 5


def test_the_pdfs_linked_by_kb_build_all_are_inputs(tmp_path: Path) -> None:
    pdfs = tmp_path / "pdf"
    (pdfs / "handouts").mkdir(parents=True)
    (pdfs / "kb-pdfs.json").write_text('{"pdfs": {}}\n')
    (pdfs / "handouts" / "a.pdf").write_bytes(b"%PDF-1.5 one")
    first = build._pdf_listing(pdfs)
    # kb build pdf writes its index again on every run: same content, same inputs.
    (pdfs / "kb-pdfs.json").write_text('{"pdfs": {}}\n')
    (pdfs / ".kb-pdf-cache.json").write_text("{}")
    assert build._pdf_listing(pdfs) == first
    (pdfs / "kb-pdfs.json").write_text('{"pdfs": {"handouts/a.pdf": {"pages": 2}}}\n')
    second = build._pdf_listing(pdfs)
    assert second != first
    (pdfs / "handouts" / "a.pdf").write_bytes(b"%PDF-1.5 one, typeset again")
    assert build._pdf_listing(pdfs) != second

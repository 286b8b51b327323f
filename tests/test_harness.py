"""The test harness itself: a failed build never reads as a clean one."""

from __future__ import annotations

from pathlib import Path

from conftest import build_problems, sphinx_build


def test_failed_build_that_printed_nothing_is_not_clean() -> None:
    assert build_problems(0, "", "") == ""
    assert build_problems(1, "", "") != ""
    assert "exit status 2" in build_problems(2, "", "Traceback ...")
    assert build_problems(1, "WARNING: x\n", "") == "WARNING: x\n"


def test_missing_source_folder_fails(tmp_path: Path) -> None:
    assert sphinx_build(tmp_path / "nothing-here", tmp_path / "out") != ""

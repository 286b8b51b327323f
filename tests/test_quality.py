"""The code stays clean: ruff check and ruff format, as CI and pre-commit run them."""

from __future__ import annotations

import subprocess
import sys

from kb import paths


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
    )


def test_ruff_check_is_clean():
    result = ruff("check", ".")
    assert result.returncode == 0, result.stdout


def test_ruff_format_is_clean():
    result = ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout

"""scripts/kb/system.py: the one list of system packages, used by make and CI."""

from __future__ import annotations

import subprocess
import sys

from kb import paths, system

SCRIPT = paths.ROOT / "scripts" / "kb" / "system.py"


def run(*args: str) -> subprocess.CompletedProcess:
    # Run as a plain script: CI calls it before the virtual environment exists.
    return subprocess.run(
        [sys.executable, "-S", str(SCRIPT), *args], capture_output=True, text=True
    )


def test_lists_the_packages_with_reasons():
    result = run("list", "test")
    assert result.returncode == 0
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    packages = [row[0] for row in rows]
    assert {"texlive-xetex", "latexmk", "chromium", "poppler-utils"} <= set(packages)
    assert all(len(row) == 2 and row[1] for row in rows)


def test_usage_error_exits_2():
    result = run("install", "everything")
    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_not_root_names_the_exact_command(monkeypatch, capsys):
    monkeypatch.setattr(system.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(system, "_installed", lambda need: need.package != "chromium")
    assert system.ensure("test") == 1
    err = capsys.readouterr().err
    assert "sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium" in err


def test_nothing_missing_installs_nothing(monkeypatch):
    monkeypatch.setattr(system, "_installed", lambda need: True)
    monkeypatch.setattr(system.subprocess, "run", None)  # would fail if called
    assert system.ensure("build") == 0

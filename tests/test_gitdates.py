"""kb.gitdates: every file's first and last commit, from one git call."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

from kb import gitdates


def _git(root: Path, *args: str, day: str) -> None:
    stamp = f"{day}T12:00:00+00:00"
    env = dict(
        os.environ,
        GIT_AUTHOR_DATE=stamp,
        GIT_COMMITTER_DATE=stamp,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@t.invalid",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@t.invalid",
    )
    subprocess.run(["git", "-C", str(root), *args], check=True, env=env, capture_output=True)


def test_first_and_last_commit_of_each_file(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    _git(tmp_path, "init", "-q", day="2026-01-01")
    (docs / "a.md").write_text("one\n")
    (docs / "b c.md").write_text("one\n")  # a space in the name
    (tmp_path / "outside.md").write_text("one\n")
    _git(tmp_path, "add", "-A", day="2026-01-01")
    _git(tmp_path, "commit", "-qm", "first", day="2026-01-01")
    (docs / "a.md").write_text("two\n")
    _git(tmp_path, "commit", "-qam", "second", day="2026-02-03")
    (docs / "new.md").write_text("not committed\n")

    dates = gitdates.file_dates(docs)
    day = dt.date.fromisoformat
    assert dates == {
        (docs / "a.md").resolve(): gitdates.FileDates(day("2026-01-01"), day("2026-02-03")),
        (docs / "b c.md").resolve(): gitdates.FileDates(day("2026-01-01"), day("2026-01-01")),
    }


def test_no_repository_means_no_dates(tmp_path: Path):
    assert gitdates.file_dates(tmp_path) == {}

"""When each file was first and last committed, from one ``git log`` call.

The site's JSON-LD gives articles a ``datePublished`` (the first commit of
the page) and a ``dateModified`` (its last commit). Asking git once per page
would cost a process per page at 1,000 articles; one ``git log`` over the
folder gives every file's dates at once. Dates are the committer's, so two
builds of one commit agree; files not committed yet have none.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: Marks the start of a commit in the log: never part of a file name.
_MARK = "\x1e"


@dataclass(frozen=True)
class FileDates:
    created: dt.date  # first commit that added the file
    modified: dt.date  # last commit that changed it


def file_dates(folder: Path) -> dict[Path, FileDates]:
    """Every committed file under *folder* (absolute path) -> its dates.

    Empty when git or the repository is missing: pages then carry no dates
    rather than wrong ones.
    """
    folder = Path(folder).resolve()
    if shutil.which("git") is None:
        return {}
    top = subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
    )
    if top.returncode != 0:
        return {}
    root = Path(top.stdout.strip()).resolve()
    log = subprocess.run(
        [
            "git",
            "-C",
            str(root),
            "log",
            "--no-renames",
            "--name-only",
            f"--format={_MARK}%cI",
            "-z",
            "--",
            str(folder),
        ],
        capture_output=True,
        text=True,
    )
    if log.returncode != 0:
        return {}
    return parse_log(log.stdout, root)


def parse_log(text: str, root: Path) -> dict[Path, FileDates]:
    """Parse ``git log --name-only --format=<mark>%cI -z`` (newest commit first)."""
    dates: dict[Path, FileDates] = {}
    for commit in text.split(_MARK)[1:]:
        # "<date>\0\n<name>\0<name>\0": a merge lists no names.
        head, _, names = commit.partition("\0")
        day = dt.datetime.fromisoformat(head.strip()).date()
        for name in names.split("\0"):
            name = name.strip("\n")
            if not name:
                continue
            path = root / name
            seen = dates.get(path)
            # Newest first: the first sighting is the last change; keep
            # pushing the creation date back.
            dates[path] = FileDates(day, seen.modified if seen else day)
    return dates

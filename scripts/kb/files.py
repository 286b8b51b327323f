"""Writing files safely: the one home for it.

Every tool that writes into the repository or the build folder goes through
here, so a reader (or a crash) never sees half a file, and a file that exists
is never replaced by accident.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path | str, text: str) -> None:
    """Write *text* to a temporary file beside *path*, then rename it over
    *path*: readers see the old file or the new one, never half of one."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def create_new(path: Path, text: str) -> None:
    """Create *path* with *text* atomically; FileExistsError if it exists.

    The text goes to a temporary file first, then is linked into place: the
    link fails if the file exists, and a file is never seen half-written.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(fd, 0o666 & ~umask)  # mkstemp makes the file private; pages are not
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.link(tmp, path)
    finally:
        os.unlink(tmp)

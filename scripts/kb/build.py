"""``kb build``: the strict Sphinx builds, the same ones CI runs.

A build from scratch uses both cores (``-j auto``: every kb.sphinxext module
is parallel-read and parallel-write safe, see tests/test_parallel.py), an
update one (:func:`jobs_for`). The HTML build skips
Sphinx altogether when nothing it reads has changed since the last
successful build: :func:`inputs_fingerprint` hashes the sources, the
extension's code, the installed packages and the settings conf.py reads, and
``docs/_build/html.inputs`` keeps the fingerprint of the last build that
passed. Starting Python, Sphinx and its extensions and loading the pickled
environment costs more than a second at 1,000 articles; hashing the inputs
costs a few hundredths.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import kb
from kb import paths
from kb.files import write_atomic

#: Warnings are errors, every reference must resolve, and all problems are
#: reported at once rather than stopping at the first.
STRICT = ["-n", "-W", "--keep-going"]
#: Both cores for reading and writing (Sphinx stays serial for a few pages).
PARALLEL = ["-j", "auto"]
#: Environment variables that docs/conf.py or the build read.
SETTINGS = ("KB_BASE_URL", "KB_REPOSITORY_URL", "KB_PAPER", "READTHEDOCS", "SOURCE_DATE_EPOCH")
#: Where the fingerprint of the last successful HTML build is kept, under docs/_build.
STAMP = "html.inputs"


def reproducible_env() -> dict[str, str]:
    """The environment for a build whose output depends only on the content.

    SOURCE_DATE_EPOCH (the last commit's time) stands in for "now", so that
    two builds of one commit are byte-identical.
    """
    env = dict(os.environ)
    if "SOURCE_DATE_EPOCH" not in env:
        try:
            stamp = subprocess.run(
                ["git", "log", "-1", "--format=%ct"],
                cwd=paths.ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            stamp = ""
        env["SOURCE_DATE_EPOCH"] = stamp or "1767225600"  # 2026-01-01, a fixed fallback
    return env


def html_command(root: Path, *extra: str, jobs: Sequence[str] = PARALLEL) -> list[str]:
    """The strict HTML build of the knowledge base at ``root``, as CI runs it."""
    build = root / "docs" / "_build"
    return [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        *STRICT,
        *jobs,
        "-d",
        str(build / "doctrees"),
        *extra,
        str(root / "docs"),
        str(build / "html"),
    ]


def _files(folder: Path, skip: Path | None = None) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if skip is not None and path.is_relative_to(skip):
            continue
        if path.is_file() and "__pycache__" not in path.parts:
            yield path


def inputs_fingerprint(root: Path, command: Sequence[str], env: dict[str, str]) -> str:
    """A digest of everything an HTML build reads, and of how it is run.

    The sources (docs/ without _build, references.bib), the kb package (the
    extension and its templates), the installed distributions (their
    metadata folders' names carry their versions), Python's version, the
    settings conf.py reads from the environment, and the command line.
    """
    digest = hashlib.blake2b(digest_size=20)

    def add(*parts: object) -> None:
        for part in parts:
            data = part if isinstance(part, bytes) else str(part).encode()
            digest.update(len(data).to_bytes(8, "little"))
            digest.update(data)

    docs = root / "docs"
    add("command", *command, "python", platform.python_version(), sys.executable)
    for name in SETTINGS:
        add(name, env.get(name, "\0unset"))
    for base in (docs, Path(kb.__file__).parent):
        for path in _files(base, skip=docs / "_build"):
            add(path.relative_to(base).as_posix(), path.read_bytes())
    bib = root / "references.bib"
    add("references.bib", bib.read_bytes() if bib.is_file() else b"\0missing")
    for entry in sys.path:
        folder = Path(entry)
        if folder.is_dir() and folder.name in ("site-packages", "dist-packages"):
            add(entry, *sorted(p.name for p in folder.iterdir() if p.suffix == ".dist-info"))
    return digest.hexdigest()


def sphinx_html(root: Path = paths.ROOT, *extra: str, jobs: Sequence[str] = PARALLEL) -> int:
    """Run the strict HTML build unconditionally; its exit status."""
    return subprocess.run(html_command(root, *extra, jobs=jobs), env=reproducible_env()).returncode


def run_sphinx(command: Sequence[str], env: dict[str, str]) -> int:
    """Run ``python -m sphinx ...`` in this process (one interpreter start, not two)."""
    from sphinx.cmd.build import main as sphinx_main

    assert list(command[1:3]) == ["-m", "sphinx"], command
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        return sphinx_main(list(command[3:]))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def jobs_for(build: Path) -> list[str]:
    """Both cores for a build from scratch; one for an update.

    Sphinx reads and writes in worker processes whenever ``-j`` is above 1,
    even for one page, and each reading worker sends its whole environment
    back: at 1,000 articles that costs more than the page. An update reads a
    few pages, so it runs in one process.
    """
    return PARALLEL if not (build / "doctrees" / "environment.pickle").is_file() else ["-j", "1"]


def _pdf_listing(pdf_dir: Path) -> list[str]:
    """What the HTML reads of the PDFs (kb.sphinxext.pdf_links): the index
    of page counts and sizes (by content: kb build pdf writes it again each
    run), and the PDFs it copies into the site (by size and time: a PDF that
    is up to date is not written again)."""
    listing = []
    for path in _files(pdf_dir):
        name = path.relative_to(pdf_dir).as_posix()
        if path.suffix == ".pdf":
            listing.append(f"{name} {path.stat().st_size} {path.stat().st_mtime_ns}")
        elif path.name == "kb-pdfs.json":
            listing.append(f"{name} {hashlib.blake2b(path.read_bytes()).hexdigest()}")
    return listing


def html(
    root: Path = paths.ROOT,
    *,
    clean: bool = False,
    force: bool = False,
    pdf_dir: Path | None = None,
) -> int:
    """The HTML build, skipped when its inputs match the last successful build's.

    With ``pdf_dir`` (``kb build all``), the pages link the PDFs typeset there
    and the site publishes them, so the PDFs count as inputs too.
    """
    build = root / "docs" / "_build"
    stamp = build / STAMP
    if clean:
        shutil.rmtree(build / "html", ignore_errors=True)
        shutil.rmtree(build / "doctrees", ignore_errors=True)
    env = reproducible_env()
    extra = ["-D", f"kb_pdf_dir={pdf_dir}"] if pdf_dir is not None else []
    command = html_command(root, *extra, jobs=jobs_for(build))
    # How many processes run it does not change the output: not in the digest.
    identity = html_command(root, *extra, jobs=())[1:]
    if pdf_dir is not None:
        identity += _pdf_listing(pdf_dir) if pdf_dir.is_dir() else ["\0no pdfs"]
    fingerprint = inputs_fingerprint(root, identity, env)
    up_to_date = (build / "html" / "index.html").is_file() and (
        stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == fingerprint
    )
    if up_to_date and not (clean or force):
        print(f"kb build html: nothing changed since the last build ({build / 'html'})")
        return 0
    stamp.unlink(missing_ok=True)  # a failed or interrupted build leaves none
    status = run_sphinx(command, env)
    if status == 0:
        write_atomic(stamp, fingerprint + "\n")
    return status


def main(args: argparse.Namespace) -> int:
    """``kb build html|pdf|all``. ``all`` typesets the PDFs first: the HTML
    links each one with its page count and size, and publishes it in its
    tree (kb.sphinxext.pdf_links); a missing PDF then fails the HTML build."""
    root = Path(getattr(args, "root", None) or paths.ROOT)
    status = 0
    if args.target in ("pdf", "all"):
        from kb import pdf

        status = pdf.main(args)
        if status:
            return status
    if args.target in ("html", "all"):
        pdf_dir = root / "docs" / "_build" / "pdf" if args.target == "all" else None
        status = html(root, clean=args.clean, force=getattr(args, "force", False), pdf_dir=pdf_dir)
    return status

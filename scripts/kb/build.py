"""``kb build``: the strict Sphinx builds, the same ones CI runs."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

from kb import paths

#: Warnings are errors, every reference must resolve, and all problems are
#: reported at once rather than stopping at the first.
STRICT = ["-n", "-W", "--keep-going"]


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


def sphinx_html(out: os.PathLike | str = paths.HTML_OUT, *extra: str) -> int:
    cmd = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        *STRICT,
        "-d",
        str(paths.BUILD / "doctrees"),
        *extra,
        str(paths.DOCS),
        str(out),
    ]
    return subprocess.run(cmd, env=reproducible_env()).returncode


def main(args: argparse.Namespace) -> int:
    """``kb build html|pdf|all``. ``all`` typesets the PDFs first: the HTML
    links each one with its page count and size, and publishes it in its
    tree (kb.sphinxext.pdf_links); a missing PDF then fails the HTML build."""
    status = 0
    if args.target in ("pdf", "all"):
        from kb import pdf

        status = pdf.main(args)
        if status:
            return status
    if args.target in ("html", "all"):
        if args.clean:
            shutil.rmtree(paths.HTML_OUT, ignore_errors=True)
            shutil.rmtree(paths.BUILD / "doctrees", ignore_errors=True)
        extra = ["-D", f"kb_pdf_dir={paths.PDF_OUT}"] if args.target == "all" else []
        status = sphinx_html(paths.HTML_OUT, *extra)
    return status

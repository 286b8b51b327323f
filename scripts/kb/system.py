"""System packages the project needs, and installing them when missing.

Standard library only: ``.ci/run`` and the Makefile call this before the
virtual environment exists (``python3 scripts/kb/system.py ensure test``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Need:
    package: str  # the Debian/Ubuntu package
    why: str
    command: str | None = None  # present on PATH means satisfied (else ask dpkg)


#: What ``make build`` needs: the PDFs are typeset with XeLaTeX via latexmk.
BUILD = (
    Need("python3-venv", "make creates the project's virtual environment with it"),
    Need("latexmk", "runs LaTeX as often as the PDFs need", "latexmk"),
    Need("texlive-xetex", "XeLaTeX, which prints Unicode (≥, ±, µ, curly quotes)", "xelatex"),
    Need("texlive-latex-recommended", "standard LaTeX packages Sphinx's output uses"),
    Need("texlive-latex-extra", "further LaTeX packages Sphinx's output uses"),
    Need("texlive-fonts-recommended", "standard fonts for LaTeX"),
    Need("tex-gyre", "the TeX Gyre fonts"),
    Need("fonts-freefont-otf", "FreeSerif/FreeSans/FreeMono, Sphinx's XeLaTeX fonts"),
    Need("xindy", "the index processor Sphinx uses with XeLaTeX", "xindy"),
    Need("git", "dates the build from the last commit, for reproducible output", "git"),
    Need("nodejs", "runs npm, which installs the site's search engine (MiniSearch)", "node"),
    Need("npm", "installs MiniSearch, axe-core and the Nu checker from package-lock.json", "npm"),
)

#: What ``make test`` needs on top: a browser, PDF readers and Java.
TEST = (
    *BUILD,
    Need("chromium", "the real browser the reader tests drive", "chromium"),
    Need("poppler-utils", "pdftotext, pdffonts and pdftoppm read the PDFs", "pdftotext"),
    Need("default-jre-headless", "runs the W3C Nu HTML Checker", "java"),
)

GROUPS = {"build": BUILD, "test": TEST}


def _installed(need: Need) -> bool:
    if need.command is not None:
        return shutil.which(need.command) is not None
    if shutil.which("dpkg-query") is None:
        return False
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", need.package],
        capture_output=True,
        text=True,
    )
    return result.returncode == 0 and "install ok installed" in result.stdout


def missing(group: str) -> list[Need]:
    return [need for need in GROUPS[group] if not _installed(need)]


def install_command(packages: list[str]) -> str:
    return "sudo apt-get update && sudo apt-get install -y --no-install-recommends " + " ".join(
        packages
    )


def ensure(group: str) -> int:
    needs = missing(group)
    if not needs:
        return 0
    packages = [n.package for n in needs]
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        print(
            f"kb: missing system packages for '{group}': {', '.join(packages)}.\n"
            f"Install them with:\n  {install_command(packages)}",
            file=sys.stderr,
        )
        return 1
    print(f"kb: installing system packages: {' '.join(packages)}", file=sys.stderr)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    steps = [
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
    ]
    for step in steps:
        if subprocess.run(step, env=env).returncode != 0:
            print(f"kb: '{' '.join(step)}' failed", file=sys.stderr)
            return 1
    return 0


def main(argv: list[str]) -> int:
    usage = "usage: system.py {ensure|list} {build|test}"
    if len(argv) != 2 or argv[0] not in ("ensure", "list") or argv[1] not in GROUPS:
        print(usage, file=sys.stderr)
        return 2
    action, group = argv
    if action == "list":
        for need in GROUPS[group]:
            print(f"{need.package}\t{need.why}")
        return 0
    return ensure(group)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

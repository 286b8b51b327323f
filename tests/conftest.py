"""Shared fixtures.

- ``sphinx.testing.fixtures`` gives ``app`` / ``make_app`` with the tiny test
  roots in ``tests/roots/test-<case>/`` (one behaviour per root).
- ``site`` builds the real knowledge base once per session, strictly, and is
  what the site, browser and link tests read.
- ``base_url`` serves the built site on 127.0.0.1 and ``browser`` is Debian's
  Chromium through Playwright (never a browser of Playwright's own), one of
  each per test module.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kb import paths
from kb.build import STRICT, reproducible_env

pytest_plugins = ("sphinx.testing.fixtures",)

ROOTS = Path(__file__).parent / "roots"
#: Screenshots, PNG pages and reports a person can look at after a run.
ARTIFACTS = paths.ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return ROOTS


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@dataclass
class BuiltSite:
    html: Path
    warnings: str

    def page(self, docname: str) -> str:
        return (self.html / f"{docname}.html").read_text(encoding="utf-8")

    def pages(self) -> list[Path]:
        return sorted(p for p in self.html.rglob("*.html") if "_static" not in p.parts)


def sphinx_build(src: Path, out: Path, builder: str = "html", *extra: str) -> str:
    """Build strictly, in a subprocess (as users do); return the warnings."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-b",
            builder,
            *STRICT,
            "-q",
            "-d",
            str(out / ".doctrees"),
            *extra,
            str(src),
            str(out / builder),
        ],
        capture_output=True,
        text=True,
        env=reproducible_env(),
    )
    return build_problems(result.returncode, result.stderr, result.stdout)


def build_problems(returncode: int, stderr: str, stdout: str) -> str:
    """The warnings of a build, never "" for a build that failed.

    A failed build that printed nothing on stderr (a crash reported on stdout,
    a killed process) must not read as a clean one.
    """
    if returncode == 0 or stderr.strip():
        return stderr
    return f"sphinx-build failed with exit status {returncode} and no warning\n{stdout}"


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    out = tmp_path_factory.mktemp("site")
    warnings = sphinx_build(paths.DOCS, out)
    return BuiltSite(out / "html", warnings)


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A throwaway copy of the repository's content (docs/ and references.bib)."""
    root = tmp_path / "kb"
    shutil.copytree(paths.DOCS, root / "docs", ignore=shutil.ignore_patterns("_build"))
    shutil.copy2(paths.BIBFILE, root / "references.bib")
    return root


@pytest.fixture(scope="session")
def strict_build():
    """``strict_build(src, out, builder="html", *extra) -> warnings``."""
    return sphinx_build


# -- The built site in a real browser ------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
#: Headless, and no background requests: the machine's network is closed.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(site) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site.html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright  # a test dependency, for these tests only

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()

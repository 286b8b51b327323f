"""The project's extensions are parallel-read and parallel-write safe.

``sphinx-build -j 2`` builds the real site strictly (an extension that does
not declare itself parallel safe, or whose environment data is lost when
merged from the reading processes, makes a warning or a different page), and
its pages are the same as those of the serial build.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BuiltSite, sphinx_build

from kb import paths

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def parallel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("parallel")
    warnings = sphinx_build(paths.DOCS, out, "html", "-j", "2")
    return out / "html", warnings


def test_parallel_build_has_no_warnings(parallel: tuple[Path, str]) -> None:
    html, warnings = parallel
    assert warnings == ""
    assert (html / "index.html").is_file()


def test_parallel_pages_match_serial(parallel: tuple[Path, str], site: BuiltSite) -> None:
    html, _ = parallel
    serial = {p.relative_to(site.html): p.read_bytes() for p in site.pages()}
    para = {p.relative_to(html): p.read_bytes() for p in sorted(html.rglob("*.html"))}
    para = {k: v for k, v in para.items() if "_static" not in k.parts}
    assert para.keys() == serial.keys()
    assert [str(k) for k in serial if para[k] != serial[k]] == []

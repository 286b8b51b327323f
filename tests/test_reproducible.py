"""Two clean builds of one commit give byte-identical HTML."""

from __future__ import annotations

import pytest

from kb import paths


@pytest.mark.slow
def test_two_clean_builds_are_identical(site, strict_build, tmp_path):
    assert site.warnings == ""
    again = tmp_path / "again"
    assert strict_build(paths.DOCS, again) == ""
    first = {p.relative_to(site.html): p.read_bytes() for p in site.html.rglob("*") if p.is_file()}
    second = {
        p.relative_to(again / "html"): p.read_bytes()
        for p in (again / "html").rglob("*")
        if p.is_file()
    }
    assert first.keys() == second.keys()
    differing = sorted(str(name) for name in first if first[name] != second[name])
    assert differing == []

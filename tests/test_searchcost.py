"""kb.searchcost: what a first search costs a reader, on the built site."""

from __future__ import annotations

import gzip
import json

import pytest

from kb import searchcost


def test_index_bytes_counts_the_engine_the_index_and_the_script(site):
    found = searchcost.index_bytes(site.html)
    static = site.html / "_static"
    sizes = [len((static / name).read_bytes()) for name in searchcost.SEARCH_FILES]
    assert found.raw == sum(sizes)
    assert found.index_raw == sizes[1] > 1_000
    assert 0 < found.gzip < found.raw
    index = (static / searchcost.INDEX_FILE).read_bytes()
    assert found.index_gzip == len(gzip.compress(index, compresslevel=6, mtime=0))


@pytest.mark.browser
def test_time_to_results_runs_a_real_first_query(site):
    row = searchcost.report(site.html, "nasal spray")
    json.dumps(row)
    first = row["first_query"]
    assert first["shown"] >= 1
    assert 0 < first["search_ms"] <= first["total_ms"]
    assert 0 < first["index_ms"] <= first["total_ms"]

"""kb.sphinxext.search: the index the search page reads (tests/roots/test-search)."""

from __future__ import annotations

import pytest

from kb.sphinxext import search


@pytest.mark.sphinx("html", testroot="search")
def test_index_holds_pages_sections_terms_and_synonyms(app):
    app.build()
    assert app.warning.getvalue() == ""
    static = app.outdir / "_static"
    index = search.read_index(static / search.INDEX_FILE)
    assert (static / search.ENGINE_FILE).is_file()
    assert not (app.outdir / "searchindex.js").exists()  # Sphinx's own is not built
    assert (app.outdir / "search.html").is_file()
    pages = {p["u"]: p for p in index["pages"]}
    assert pages["page.html"]["t"] == "Using a gadget"
    assert pages["glossary.html#term-Gizmo"]["k"] == "term"
    docs = [
        (index["pages"][p]["u"], anchor, heading, text)
        for p, anchor, heading, text in index["docs"]
    ]
    assert (
        "page.html",
        "",
        "Using a gadget",
        "A gizmo needs charging before its first use.",
    ) in docs
    assert (
        "page.html",
        "charging-it-overnight",
        "Charging it overnight",
        "Leave it plugged in for eight hours, or 480 minutes.",
    ) in docs
    assert (
        "glossary.html#term-Gizmo",
        "",
        "Gizmo, Gadget",
        "A small device with one job, made up for these tests.",
    ) in docs
    # The tooltip repeats the definition on page.html: not in its text.
    assert not any("made up" in text for url, _, _, text in docs if url == "page.html")
    # The data file's groups, and the glossary's: "gadget" joins both into one.
    assert sorted(map(sorted, index["synonyms"])) == [
        ["charge", "charging", "power up"],
        ["gadget", "gizmo", "widget"],
    ]


def test_synonyms_file_errors_name_the_file_and_line(tmp_path):
    bad = tmp_path / "synonyms.yaml"
    bad.write_text("groups:\n  - [a, b\n  - [c]\n", encoding="utf-8")
    with pytest.raises(search.SynonymsError, match=r"synonyms\.yaml:\d+: not valid YAML"):
        search.read_synonyms(bad)
    bad.write_text("groups: [a, b]\n", encoding="utf-8")
    with pytest.raises(search.SynonymsError, match="lists of words"):
        search.read_synonyms(bad)
    assert search.read_synonyms(tmp_path / "missing.yaml") == []


def test_groups_sharing_a_word_become_one():
    merged = search.merge_groups([["a", "b"], ["c", "d"], ["b", "c"], ["e"], ["f", "f"]])
    assert [sorted(g) for g in merged] == [["a", "b", "c", "d"]]


def test_the_index_script_cannot_be_ended_by_page_text():
    script = search.index_script({"pages": [{"t": "</script><script>alert(1)</script> & co"}]})
    assert "<" not in script and ">" not in script and "&" not in script
    assert search.read_index_text(script)["pages"][0]["t"].startswith("</script>")

"""The content-safety policy itself (kb.policy, kb.sphinxext.escaping) and the
allow-list of folders pages may read (kb_read_allowed). The attacks, built end
to end, are in test_hostile.py."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kb import policy
from kb.sphinxext.escaping import attribute, script_json


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "  javascript:alert(1)",
        "\x01\x02javascript:alert(1)",
        "java\tscr\nipt:alert(1)",
        "jav&#x61;script:alert(1)",
        "jav&#97;script:alert(1)",
        "&#106;avascript:alert(1)",
        "jav&amp;#x61;script:alert(1)",
        "\u200bjavascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://example.org/",
        "#&#x01;javascript:alert(1)",
        "java%09script:alert(1)",
        'https://doi.org/10.1/x"><script>alert(1)</script>',
    ],
)
def test_unsafe_urls(url: str):
    assert not policy.is_safe_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/a?b=1&c=2#d",
        "http://example.org/",
        "mailto:help@example.org",
        "tel:988",
        "../articles/a-page.html#section",
        "page.html",
        "#an-anchor",
        "",
    ],
)
def test_safe_urls(url: str):
    assert policy.is_safe_url(url)


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Paste javascript:alert(1) here", {"script URL"}),
        ("Trial data: 40 people took part", set()),
        ("a dose < 0.5 mg/kg, or <0.5", set()),
        ("<b>bold</b> written as text", set()),
        ("<!--<script>", {"markup"}),
        ('<img src="x" onerror="alert(1)">', {"markup"}),
        ("<iframe src=x>", {"markup"}),
        (r"\input{/etc/passwd}", {"TeX file command"}),
        (r"\textit{a title}", set()),
        ("jav&#x61;script:alert(1)", {"encoded script URL or markup"}),
    ],
)
def test_text_problems(text: str, kinds: set[str]):
    assert {p.kind for p in policy.text_problems(text)} == kinds


def test_clean_text_removes_the_whole_attack():
    cleaned = policy.clean_text("Safe <script>alert('X1')</script> and javascript:alert('X2') end")
    assert "X1" not in cleaned and "X2" not in cleaned
    assert cleaned.startswith("Safe ") and cleaned.endswith(" end")
    # Markup in a page's own text is left to the writers to escape.
    assert policy.clean_text("<b>x</b>", markup=False) == "<b>x</b>"


def test_script_json_escapes_and_still_parses():
    data = {"s": "</script><!--<script>&\u2028\u2029 \\u003c"}
    text = script_json(data, indent=1)
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in text
    assert json.loads(text) == data
    assert attribute('"><x onclick=1>') == "&quot;&gt;&lt;x onclick=1&gt;"


def test_read_problem(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    inside = docs / "a.md"
    inside.write_text("text")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (docs / "link.txt").symlink_to(outside)
    os.mkfifo(docs / "fifo")
    big = docs / "big.md"
    big.write_bytes(b"x" * (policy.MAX_PAGE_BYTES + 1))
    assert policy.read_problem(inside, [docs]) is None
    assert "outside docs/" in policy.read_problem(docs / ".." / "secret.txt", [docs])
    assert "outside docs/" in policy.read_problem(docs / "link.txt", [docs])
    assert policy.read_problem(docs / "link.txt", [docs, tmp_path]) is None
    assert "not a regular file" in policy.read_problem(docs / "fifo", [docs])
    assert "over 1 MB" in policy.read_problem(big, [docs])


def _project(root: Path, allowed: list[str]) -> Path:
    (root / "docs").mkdir(parents=True)
    (root / "shared").mkdir()
    (root / "shared" / "snippet.md").write_text("Shared words KBXSHARED.\n")
    (root / "docs" / "conf.py").write_text(
        f'extensions = ["myst_parser", "kb.sphinxext.safety"]\nkb_read_allowed = {allowed!r}\n'
    )
    (root / "docs" / "index.md").write_text("# Index\n\n```{include} ../shared/snippet.md\n```\n")
    return root / "docs"


@pytest.mark.parametrize("allowed", [[], ["../shared"]], ids=["refused", "allow-listed"])
def test_kb_read_allowed_names_the_folders_pages_may_read(make_app, tmp_path, allowed):
    app = make_app("html", srcdir=_project(tmp_path, allowed))
    app.build()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    warnings = app.warning.getvalue()
    if allowed:
        assert "KBXSHARED" in html and "PATH001" not in warnings
    else:
        assert "KBXSHARED" not in html
        assert "index.md:3: WARNING: include of '../shared/snippet.md' refused" in warnings
        assert "[kb.unsafe-path]" in warnings

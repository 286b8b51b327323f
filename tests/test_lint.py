"""kb check: each rule on a page written to break it, the output forms, the exit
codes, and the build's own refusal to render raw HTML.

The fixtures in tests/fixtures/lint/ are made up for these tests:
``kb/`` is a tiny knowledge base that passes every rule, ``bad/`` holds one
page per page rule and ``bib/`` one .bib file per bibliography rule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from kb import cli, lint, paths
from kb import glossary as kb_glossary
from kb.lint import pages, report
from kb.lint.rules import ERROR, INFO, RULES, WARNING, Finding

FIXTURES = Path(__file__).parent / "fixtures" / "lint"
KB = FIXTURES / "kb"
BAD = FIXTURES / "bad"
BIB = FIXTURES / "bib"
GOLDEN = Path(__file__).parent / "golden" / "lint.json"
#: Review dates in the fixtures are measured from this day.
TODAY = dt.date(2026, 3, 1)


def check(*targets: Path, root: Path = KB) -> list[Finding]:
    return lint.check(targets, root=root, today=TODAY).findings


def problems(findings: list[Finding]) -> list[Finding]:
    """Errors and warnings (information lines do not count)."""
    return [f for f in findings if f.severity != INFO]


def tree_digest(*folders: Path) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        files = (
            [folder] if folder.is_file() else sorted(p for p in folder.rglob("*") if p.is_file())
        )
        for path in files:
            digest.update(str(path).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


# -- The good knowledge base -----------------------------------------------------------


def test_the_fixture_knowledge_base_passes():
    result = lint.check(root=KB, today=TODAY)
    assert result.pages == 4
    assert problems(result.findings) == []


def test_the_knowledge_base_itself_passes():
    """The real docs/ and references.bib: no errors and no warnings, today."""
    result = lint.check()
    assert result.pages > 0
    assert [f"{f.path}:{f.line}: {f.code} {f.message}" for f in problems(result.findings)] == []


def test_patient_summaries_report_their_grade():
    (info,) = [f for f in check(KB / "docs" / "articles" / "good.md") if f.code == "READ002"]
    assert info.severity == INFO
    assert re.search(r"reads at US grade \d+\.\d \(limit 8\)", info.message)


# -- One bad page per rule: the code, at its exact place ---------------------------------

# (file in bad/ or bib/, code, line, column, other codes the same defect also raises)
CASES = [
    ("fm000-bad-yaml.md", "FM000", 6, 1, set()),
    ("fm001-no-front-matter.md", "FM001", 1, 1, set()),
    ("fm002-missing-summary.md", "FM002", 1, 1, set()),
    ("fm004-bad-date.md", "FM004", 10, 1, set()),
    ("fm005-unknown-audience.md", "FM005", 4, 1, set()),
    ("fm006-unknown-key.md", "FM006", 14, 1, set()),
    ("adm001-no-key-takeaway.md", "ADM001", 1, 1, set()),
    ("adm002-no-evidence-note.md", "ADM002", 1, 1, set()),
    ("ref001-no-bibliography.md", "REF001", 1, 1, set()),
    ("cite001-unknown-key.md", "CITE001", 25, 1, set()),
    ("cite003-source-not-in-bib.md", "CITE003", 10, 3, set()),
    ("cite004-source-not-cited.md", "CITE004", 10, 3, set()),
    ("term001-unknown-term.md", "TERM001", 19, 27, set()),
    ("term002-first-use-unlinked.md", "TERM002", 18, 52, set()),
    ("html001-raw-html.md", "HTML001", 24, 1, set()),
    ("html002-script.md", "HTML002", 24, 1, {"HTML001"}),
    ("html003-event-handler.md", "HTML003", 24, 69, {"HTML001"}),
    ("html004-javascript-url.md", "HTML004", 24, 32, set()),
    ("html004-data-url.md", "HTML004", 24, 63, set()),
    ("rev001-review-overdue.md", "REV001", 11, 1, set()),
    ("rev002-review-due-soon.md", "REV002", 11, 1, set()),
    ("fm008-bad-review-record.md", "FM008", 13, 3, set()),
    ("rev003-status-without-record.md", "REV003", 11, 1, set()),
    ("rev004-review-in-the-future.md", "REV004", 17, 1, set()),
    ("rev005-next-review-too-late.md", "REV005", 18, 1, set()),
    ("rev006-last-reviewed-not-the-record.md", "REV006", 17, 1, set()),
    ("read001-summary-too-hard.md", "READ001", 3, 1, set()),
    ("link001-http-link.md", "LINK001", 24, 32, set()),
    ("todo001-todo-marker.md", "TODO001", 24, 1, set()),
    ("bib001-syntax-error.bib", "BIB001", 8, 1, set()),
    ("bib002-duplicate-key.bib", "BIB002", 7, 1, set()),
    ("bib003-missing-field.bib", "BIB003", 2, 1, set()),
    ("bib004-bad-doi.bib", "BIB004", 5, 3, set()),
    ("bib005-bad-url.bib", "BIB005", 5, 3, set()),
    ("bib006-duplicate-field.bib", "BIB006", 4, 3, set()),
]


@pytest.mark.parametrize(
    ("name", "code", "line", "column", "also"), CASES, ids=[c[0] for c in CASES]
)
def test_each_rule_finds_its_defect_where_it_is(name, code, line, column, also):
    path = (BIB if name.endswith(".bib") else BAD) / name
    found = problems(check(path))
    assert (code, line, column) in [(f.code, f.line, f.column) for f in found], found
    # The page breaks this rule only (and what the same defect implies).
    assert {f.code for f in found} == {code, *also}
    (finding,) = [f for f in found if f.code == code]
    assert finding.severity == RULES[code].severity
    assert finding.path.endswith(name)


def test_every_rule_has_a_bad_page():
    tested = {case[1] for case in CASES} | {"CITE002"}  # CITE002 needs a whole knowledge base
    untestable = {"FM003", "FM007", "FILE001", "READ002"}  # tested below, without a bad page
    assert set(RULES) - untestable <= tested


def test_an_entry_cited_nowhere_is_reported_only_for_the_whole_knowledge_base(tmp_path):
    root = tmp_path / "kb"
    shutil.copytree(KB, root)
    bib = root / "references.bib"
    lines = bib.read_text().count("\n")
    with bib.open("a") as out:
        out.write(
            "\n@misc{neverCited2022,\n  title = {An entry nobody cites},\n  year = {2022}\n}\n"
        )
    found = problems(check(root=root))
    assert [(f.code, f.path, f.line, f.column) for f in found] == [
        ("CITE002", "references.bib", lines + 2, 1)
    ]
    # Checking one page cannot tell whether other pages cite it.
    assert problems(check(root / "docs" / "articles" / "good.md", root=root)) == []


def test_the_knowledge_base_is_found_like_git_finds_a_repository(tmp_path, monkeypatch, capsys):
    root = tmp_path / "kb"
    shutil.copytree(KB, root)
    (root / "docs" / "articles" / "good.md").unlink()
    bib_line = 2  # fixtureTrial2020, now cited by no page
    monkeypatch.chdir(root / "docs" / "articles")
    assert lint.find_root() == root
    found = problems(lint.check(today=TODAY).findings)
    assert ("CITE002", "references.bib", bib_line) in [(f.code, f.path, f.line) for f in found]
    # A knowledge base's folder given as the one PATH means all of it.
    monkeypatch.chdir(tmp_path)
    assert problems(lint.check([root], today=TODAY).findings) == found
    assert lint.find_root([root / "docs" / "index.md"]) == root


def test_front_matter_problems_come_from_the_schema():
    page = "---\ntitle: [not, text]\nnext_review: 2026-01-01\nlast_reviewed: 2026-02-01\n---\n"
    found = pages.check_page("x.md", page, _context(), is_article=True)
    codes = {(f.code, f.line) for f in found}
    assert ("FM003", 2) in codes  # title must be text
    assert ("FM007", 3) in codes  # next review before the last


def test_an_impossible_date_is_reported_not_a_crash():
    page = "---\ntitle: A page\nlast_reviewed: 2026-02-30\n---\n# A page\n"
    found = pages.check_page("x.md", page, _context(), is_article=True)
    assert ("FM004", 3) in [(f.code, f.line) for f in found]
    assert "2026-02-30" in next(f.message for f in found if f.code == "FM004")


def test_a_page_that_is_not_utf8_is_reported(tmp_path):
    page = tmp_path / "latin1.md"
    page.write_bytes(b"# A page\n\nNot UTF-8: \xe9.\n")
    (finding,) = check(page)
    assert (finding.code, finding.line, finding.severity) == ("FILE001", 3, ERROR)


def _context() -> pages.Context:
    return pages.Context(bib_keys=set(), glossary=kb_glossary.Glossary(), today=TODAY)


@pytest.mark.parametrize(
    ("snippet", "code"),
    [
        ('<a href="javascript:alert(1)">x</a>', "HTML004"),
        ("<JAVASCRIPT:alert(1)>", "HTML004"),
        ("[x]: javascript:alert(1)\n\n[see][x]", "HTML004"),
        ('<img src="x.png" ONERROR="alert(1)">', "HTML003"),
        ("```{raw} html\n<b>bold</b>\n```", "HTML001"),
        ("```{eval-rst}\n.. raw:: html\n\n   <b>bold</b>\n```", "HTML001"),
        ("<https://example.org> and <http://example.org>", "LINK001"),
        (":::{note}\nInside a directive: TODO.\n:::", "TODO001"),
        (":::{note}\nA {cite:p}`nowhere2020` citation.\n:::", "CITE001"),
    ],
)
def test_rules_see_through_markup(snippet, code):
    found = pages.check_page("x.md", f"# Page\n\n{snippet}\n", _context(), is_article=False)
    assert code in {f.code for f in found}


@pytest.mark.parametrize(
    "snippet",
    [
        "Code like `<script>` or `TODO` or `javascript:x` is fine.",
        "```html\n<script>alert(1)</script> TODO\n```",
        "    <div>indented code</div>",
        "Trial data: 40 people took part, and (data: none) was missing.",
        "A hard line break\\\nis fine.",
        "% A MyST comment.",
    ],
)
def test_rules_leave_code_and_prose_alone(snippet):
    found = pages.check_page("x.md", f"# Page\n\n{snippet}\n", _context(), is_article=False)
    assert found == []


def test_a_term_is_not_unlinked_inside_a_heading_a_link_or_code():
    glossary = kb_glossary.parse(":::{glossary}\nPlacebo\n  A dummy treatment.\n:::\n")
    ctx = pages.Context(bib_keys=set(), glossary=glossary, today=TODAY)
    page = (
        "# About placebo\n\n"
        "See [placebo studies](https://example.org/), `placebo`, {term}`Placebos <Placebo>`.\n"
        "Later a placebo needs no link.\n"
    )
    found = pages.check_page("x.md", page, ctx, is_article=True)
    assert "TERM002" not in {f.code for f in found}
    page = "# T\n\nA placebo, then {term}`placebo`.\n"
    found = pages.check_page("x.md", page, ctx, is_article=True)
    assert [(f.code, f.line, f.column) for f in found if f.code == "TERM002"] == [("TERM002", 3, 3)]


# -- Output forms, exit codes, and nothing written --------------------------------------


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_output_and_summary(capsys):
    code, out, _ = run_cli(capsys, "--root", str(KB), "--today", "2026-03-01", str(BAD))
    lines = out.splitlines()
    assert code == 1
    pattern = re.compile(r"^\S+\.md:\d+:\d+: (error|warning) [A-Z]+\d{3} .+$")
    assert all(pattern.match(line) for line in lines[:-1]), lines
    assert re.fullmatch(r"kb check: 29 pages checked, \d+ errors, 4 warnings", lines[-1])


def test_json_output_matches_the_golden_file():
    """Paths are relative to the repository root: run from there, as CI does."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kb.cli",
            "check",
            "--format",
            "json",
            "--root",
            str(KB.relative_to(paths.ROOT)),
            "--today",
            "2026-03-01",
            str(BAD.relative_to(paths.ROOT)),
            str(BIB.relative_to(paths.ROOT)),
        ],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr
    if os.environ.get("KB_UPDATE_GOLDEN"):
        GOLDEN.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == GOLDEN.read_text(encoding="utf-8")
    data = json.loads(result.stdout)
    assert list(data[0]) == ["path", "line", "column", "severity", "code", "message"]


def test_github_output_is_escaped_workflow_commands():
    findings = [
        Finding("docs/a,b.md", 3, 7, "CITE001", ERROR, "100% wrong: line one\nline two"),
        Finding("docs/c.md", 1, 1, "LINK001", WARNING, "plain"),
    ]
    assert report.github(findings).splitlines() == [
        "::error file=docs/a%2Cb.md,line=3,col=7,title=CITE001::100%25 wrong: line one%0Aline two",
        "::warning file=docs/c.md,line=1,col=1,title=LINK001::plain",
    ]


def test_github_format_from_the_command(capsys):
    code, out, err = run_cli(
        capsys, "--format", "github", "--root", str(KB), "--today", "2026-03-01",
        str(BAD / "link001-http-link.md"),
    )  # fmt: skip
    assert code == 0  # a warning only
    assert out.startswith("::warning file=tests/fixtures/lint/bad/link001-http-link.md,line=24,")
    assert "1 warning" in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--root", str(KB), "--today", "2026-03-01"], 0),
        (["--root", str(KB), "--today", "2026-03-01", str(BAD / "rev002-review-due-soon.md")], 0),
        (["--root", str(KB), "--today", "2026-03-01", str(BAD / "html002-script.md")], 1),
        (["--root", str(KB), "--today", "2026-03-01", str(BIB / "bib002-duplicate-key.bib")], 1),
        (["--root", str(KB), str(FIXTURES / "no-such-page.md")], 2),
        (["--root", str(KB), str(KB / "docs" / "conf.py")], 2),
        (["--explain", "NOPE001"], 2),
        (["--explain", "bib004"], 0),
        (["--list-rules"], 0),
    ],
)
def test_exit_codes(capsys, args, expected):
    assert run_cli(capsys, *args)[0] == expected


@pytest.mark.parametrize("args", [["--format", "xml"], ["--today", "yesterday"], ["--nope"]])
def test_usage_errors_exit_2(capsys, args):
    with pytest.raises(SystemExit) as exc:
        cli.main(["check", *args])
    assert exc.value.code == 2


def test_explain_says_what_and_why(capsys):
    _, out, _ = run_cli(capsys, "--explain", "HTML002")
    assert out.startswith("HTML002 (error): <script> in content")


def test_checking_changes_nothing_on_disk(capsys):
    watched = (FIXTURES, paths.DOCS, paths.BIBFILE)
    before = tree_digest(*watched)
    for args in (
        [],
        ["--format", "json", "--root", str(KB), str(BAD), str(BIB)],
        ["--format", "github", "--root", str(KB), str(BAD), str(BIB)],
    ):
        run_cli(capsys, *args)
    assert tree_digest(*watched) == before


# -- The build itself drops raw HTML --------------------------------------------------------


@pytest.mark.sphinx("html", testroot="raw-html")
def test_the_build_removes_raw_html_and_script_links(app):
    app.build()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    body = BeautifulSoup(html, "html.parser").select_one("body")
    assert body.select(".kb-test-block, .kb-test-inline") == []
    assert "alert(" not in str(body)
    assert "javascript:" not in str(body)
    assert "script link" in body.get_text()  # the link's text is kept
    assert "<br/>" in str(body)  # MyST's own hard line break is kept
    warnings = app.warning.getvalue()
    assert re.findall(
        r"index\.md:(\d+): WARNING: raw html removed.*\[kb\.raw-html\]", warnings
    ) == [
        "6",
        "8",
        "8",
        "10",
    ]
    assert re.search(
        r"index\.md:15: WARNING: link to a javascript URL.*\[kb\.unsafe-url\]", warnings
    )

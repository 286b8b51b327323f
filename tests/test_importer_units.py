"""``kb import``, piece by piece: the classifiers, bylines and dates, the
evidence basis, keys, refusals, the transaction, batches and Ctrl-C."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from kb import bib, cli, files, importer, paths, scaffold, schema, slugs
from kb.glossary import TermLinker
from kb.importer import classify, furniture, read, render
from kb.importer.sources import free_key, make_key

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "import"
SITES = FIXTURES / "sites"
MINI_KB = HERE / "roots" / "test-import-kb"
TODAY = dt.date(2026, 3, 2)
STANDARD = FIXTURES / "standard.txt"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(MINI_KB, root)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def kb_import(*args: str | Path) -> int:
    return cli.main(["import", *map(str, args)])


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


# -- The evidence basis: negation and hedges ------------------------------------------------

EVIDENCE = [
    (
        "Based on a clinical overview article rather than a primary study or meta-analysis.",
        "clinical-overview",
    ),
    ("The author calls for a systematic review that has not yet been done.", None),
    (
        "These findings await confirmation in randomized controlled trials; so far only case "
        "reports describe the effect.",
        "observational-study",
    ),
    ("This is a press release about a meta-analysis that has not been peer reviewed.", None),
    ("The article reports a meta-analysis of 12 randomized trials.", "meta-analysis"),
    ("An observational study, not a randomized trial.", "observational-study"),
    ("No systematic review has been done; the piece relies on expert opinion.", "expert-opinion"),
    ("Although a meta-analysis is planned, the current evidence comes from two small RCTs.", "rct"),
    ("Researchers hope to run a randomized controlled trial next year.", None),
    ("The study was a randomized trial in mice.", None),
    ("A survey of clinic teams rather than a randomized controlled trial.", "observational-study"),
    (
        "Evidence comes from a double-blind, placebo-controlled randomized trial of 80 adults.",
        "rct",
    ),
    ("The summary draws on practice guidelines from a national body.", "clinical-guideline"),
    ("A systematic review of 20 studies found mixed results.", "systematic-review"),
    ("There is no meta-analysis yet, and no RCT has been published.", None),
    ("Based on a single case report.", "observational-study"),
    (
        "Unlike a systematic review, this commentary reflects one clinician's view.",
        "expert-opinion",
    ),
    (
        "A meta-analysis is expected later this year; for now the evidence is a cohort study.",
        "observational-study",
    ),
    ("Larger randomized controlled trials are still needed.", None),
    (
        "Instead of a randomised controlled trial, the team used registry data.",
        "observational-study",
    ),
    ("Read it with care.", None),
    ("While randomized trials exist, this piece is an opinion column.", "expert-opinion"),
    ("The evidence comes from small, early trials that were not randomized.", None),
    ("This article is based on a single study and has not been reviewed by experts.", None),
    ("A randomized controlled trial published in 2025 found a short-term benefit.", "rct"),
]


@pytest.mark.parametrize(("note", "basis"), EVIDENCE)
def test_evidence_basis_respects_negation_and_hedges(note, basis):
    assert classify.evidence_basis(note) == basis


def test_at_least_fifteen_evidence_phrasings():
    assert len(EVIDENCE) >= 15
    assert sum(basis is None for _, basis in EVIDENCE) >= 5  # hedged or negated only


# -- Bylines and dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "names", "rest"),
    [
        ("By Jane Doe, MD | Updated March 3, 2026", ["Jane Doe"], ["Updated March 3, 2026"]),
        (
            "By Priya Raman & Tomás Ibáñez | 9 January 2026",
            ["Priya Raman", "Tomás Ibáñez"],
            ["9 January 2026"],
        ),
        (
            "Words by Ana Li, PhD, Mark O'Neil and Dr. Sara van der Berg",
            ["Ana Li", "Mark O'Neil", "Sara van der Berg"],
            [],
        ),
        ("By Ruth Adeyemi, RN, MSN · 5 min read", ["Ruth Adeyemi"], ["5 min read"]),
        ("Author: Kenji Watanabe", ["Kenji Watanabe"], []),
        ("Posted by Sam Okoro", ["Sam Okoro"], []),
        ("作者\uff1a王小明", ["王小明"], []),
        ("Written by: Jane Doe", ["Jane Doe"], []),
        (
            "By Jane Doe and John Roe, The Example Times",
            ["Jane Doe", "John Roe"],
            ["The Example Times"],
        ),
        ("By Jane Doe, Staff Writer", ["Jane Doe"], ["Staff Writer"]),
        (
            "By Prof. Lena Park and Omar Haddad, PhD — Health Reporter",
            ["Lena Park", "Omar Haddad"],
            ["Health Reporter"],
        ),
    ],
)
def test_bylines_give_each_name_as_stated(line, names, rest):
    assert furniture.byline(line) == (names, rest)


@pytest.mark.parametrize(
    "line",
    [
        "By the time most people start treatment, they have tried two medicines.",
        "By contrast, infusions are given in a vein.",
        "Bystanders may not notice the signs.",
        "By 2026 the rules had changed and clinics had to adapt to them quickly.",
    ],
)
def test_sentences_starting_with_by_are_not_bylines(line):
    assert furniture.byline(line) is None


@pytest.mark.parametrize(
    ("text", "kind", "ymd"),
    [
        ("Updated March 3, 2026", "updated", (2026, 3, 3)),
        ("9 January 2026", "published", (2026, 1, 9)),
        ("Published: 2026-01-14", "published", (2026, 1, 14)),
        ("14/01/2026", "published", (2026, 1, 14)),
        ("01/14/2026", "published", (2026, 1, 14)),
        ("03/04/2026", "published", (2026, None, None)),  # day and month: not decidable
        ("Tuesday, March 3, 2026 at 10:30 am ET", "published", (2026, 3, 3)),
        ("Last updated: Feb. 2, 2026", "updated", (2026, 2, 2)),
        ("January 2026", "published", (2026, 1, None)),
        ("2026年1月9日", "published", (2026, 1, 9)),
        ("Posted on Jan. 9, 2026", "published", (2026, 1, 9)),
    ],
)
def test_dates_as_stated(text, kind, ymd):
    dated = furniture.date(text)
    assert (dated.kind, dated.year, dated.month, dated.day) == (kind, *ymd)


@pytest.mark.parametrize(
    "text", ["March 33, 2026", "Smarch 3, 2026", "The study ran from 2019 to 2024.", "13/13/2026"]
)
def test_not_dates(text):
    assert furniture.date(text) is None


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2039, 12, 31)),
    st.sampled_from(["%B %-d, %Y", "%-d %B %Y", "%Y-%m-%d", "%b. %-d, %Y", "Updated %B %-d, %Y"]),
)
def test_any_date_written_any_common_way_reads_back(day, form):
    dated = furniture.date(day.strftime(form))
    assert (dated.year, dated.month, dated.day) == (day.year, day.month, day.day)


# -- Furniture --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ("We use cookies to improve your experience on our website.", "cookie banner"),
        ("Accept all cookies", "cookie banner button"),
        ("Manage preferences", "cookie banner button"),
        ("Advertisement", "advertisement"),
        ("Story continues below advertisement", "advertisement"),
        ("Sign up for our weekly newsletter and get updates in your inbox.", "newsletter box"),
        ("Listen to this article", "listen or save button"),
        ("Save", "listen or save button"),
        ("Share on LinkedIn", "share row"),
        ("Facebook Twitter LinkedIn Email", "share row"),
        ("Sharing is caring!", "share row"),
        ("Comments (14)", "comment count"),
        ("27 comments", "comment count"),
        ("Tags: ketamine, depression", "tags"),
        ("About the author: Jo writes about health.", "author bio"),
        ("Photo: A clinic waiting room. Credit: Sam Lee", "photo credit"),
        ("(Photo by Ana Ruiz/Example Images)", "photo credit"),
        ("© 2026 Example Media. All rights reserved.", "copyright line"),
        ("Research · 6 min read", "reading time"),
        ("*Last reviewed by our medical team: 14/01/2026*", "review line"),
        ("Skip to content", "navigation"),
        ("Media contact:", "press contact"),
    ],
)
def test_furniture_is_named(line, what):
    assert furniture.furniture(line) == what


@pytest.mark.parametrize(
    "line",
    [
        "A clinic newsletter from Example Medical News lists practical points to settle.",
        "Patients said the photo of the clinic on the website looked friendly.",
        "Save the number of your care team in your phone.",
        "Some people feel detached during a session; this usually passes.",
        "Share how you feel with your care team after each session.",
        "Esketamine is given as a nasal spray in a certified clinic.",
    ],
)
def test_article_sentences_are_not_furniture(line):
    assert furniture.furniture(line) is None


@pytest.mark.parametrize(
    "line",
    [
        "Home / Conditions / Depression / Suicidal Thoughts",
        "Home > News > Research",
        "Health » Mental health » Depression",
        "首页 > 健康 > 抑郁症",
    ],
)
def test_breadcrumbs(line):
    assert furniture.breadcrumb(line)


@pytest.mark.parametrize(
    "line", ["News", "SPONSORED CONTENT", "Research · 6 min read", "MENTAL HEALTH", "Opinion"]
)
def test_kickers(line):
    assert furniture.kicker(line)


@pytest.mark.parametrize(
    ("line", "who"),
    [
        ("SPONSORED CONTENT", ""),
        ("Sponsored by Brightwater Clinics", "Brightwater Clinics"),
        ("Paid post", ""),
        ("Advertorial", ""),
        ("In partnership with Example Pharma", "Example Pharma"),
        ("This article is sponsored by Example Clinics.", "Example Clinics"),
    ],
)
def test_sponsorship_labels(line, who):
    assert furniture.sponsorship(line)[1] == who


FURNITURE_ABOVE = [
    "Skip to content",
    "Accept all cookies",
    "We use cookies to personalise content and ads.",
    "Home / Health / Depression",
    "News",
    "SPONSORED CONTENT",
    "Research · 6 min read",
    "Listen to this article",
    "Share on X",
    "Advertisement",
    "Menu",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(FURNITURE_ABOVE), min_size=1, max_size=6))
def test_furniture_above_the_headline_never_becomes_the_title(tmp_path_factory, lines):
    saved = tmp_path_factory.mktemp("above") / "article.txt"
    saved.write_text("\n\n".join(lines) + "\n\n" + STANDARD.read_text(), encoding="utf-8")
    draft = importer.import_file(saved, importer.Target.at(MINI_KB), dry_run=True, today=TODAY)
    assert draft.article.title == (
        "Why Some Clinics Schedule Follow-Up Calls After Ketamine Sessions"
    )


def test_a_cookie_sentence_at_the_start_is_not_a_failure(tmp_path):
    saved = tmp_path / "cookie.txt"
    saved.write_text(
        "This site uses cookies. By continuing to browse you agree to our cookie policy.\n\n"
        + STANDARD.read_text().replace("Skip to content\n", "")
    )
    draft = importer.import_file(saved, importer.Target.at(MINI_KB), dry_run=True, today=TODAY)
    assert draft.article.title.startswith("Why Some Clinics")
    assert draft.article.removed[0].what == "cookie banner"


# -- Keys and slugs -----------------------------------------------------------------------------


def test_one_slugify_for_kb_new_and_kb_import():
    assert scaffold.slugify is slugs.slugify
    assert slugs.slugify("Esketamine's Role in TRD") == "esketamine-role-in-trd"
    assert slugs.slugify("Café — naïve “quotes”") == "cafe-naive-quotes"
    assert slugs.slugify("氯胺酮") == ""
    assert len(slugs.slugify("word " * 40)) <= slugs.MAX_CHARS


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_keys_and_slugs_are_always_valid(text):
    key = make_key(text)
    assert key == "" or bib.KEY_RE.match(key)
    slug = slugs.slugify(text)
    assert slug == "" or schema.SLUG_RE.match(slug)
    assert make_key(text) == key  # deterministic


def test_free_key_adds_letters():
    assert free_key("abc2026", set()) == "abc2026"
    assert free_key("abc2026", {"abc2026"}) == "abc2026b"
    assert free_key("abc2026", {"abc2026", "abc2026b"}) == "abc2026c"


def test_a_different_source_with_the_same_headline_gets_its_own_key_and_page(kb, tmp_path):
    for writer in ("First Writer", "Another Writer"):
        copy = tmp_path / f"{writer}.txt"
        copy.write_text(
            STANDARD.read_text().replace(
                "A survey of clinic routines", f"By {writer}\n\nA survey of clinic routines"
            )
        )
        assert kb_import("--root", kb, copy) == 0
    entries = bib.load(kb / "references.bib")
    titled = [k for k in entries if "Why Some Clinics" in entries.fields(k).get("title", "")]
    assert len(titled) == 2 and titled[1] == titled[0] + "b"
    pages = sorted(p.stem for p in (kb / "docs" / "articles").glob("why-some*.md"))
    assert pages == [
        "why-some-clinics-schedule-follow-up-calls-after-ketamine",
        "why-some-clinics-schedule-follow-up-calls-after-ketamine-2",
    ]


def test_an_earlier_copy_of_the_same_source_needs_force(kb, tmp_path, capsys):
    assert kb_import("--root", kb, STANDARD) == 0
    edited = tmp_path / "resaved.txt"
    edited.write_text(STANDARD.read_text().replace("Most teams said", "Most of the teams said"))
    before = snapshot(kb)
    assert kb_import("--root", kb, edited) == 1
    assert "an earlier copy of this article was imported" in one_error_line(capsys)
    assert snapshot(kb) == before
    assert kb_import("--root", kb, "--force", edited) == 0
    pages = list((kb / "docs" / "articles").glob("why-some*.md"))
    assert len(pages) == 1 and "Most of the teams said" in pages[0].read_text()


def test_cjk_titles_do_not_collide_and_force_does_not_cross(kb, capsys):
    first, second = SITES / "cjk_headline.txt", SITES / "cjk_second.txt"
    assert kb_import("--root", kb, first, second) == 0
    entries = bib.load(kb / "references.bib")
    keys = [k for k in entries if k.startswith("article")]
    assert len(keys) == 2 and keys[0] != keys[1]
    before = snapshot(kb)
    assert kb_import("--root", kb, "--force", "--slug", "cjk-headline", second) == 1
    assert "another article's page" in one_error_line(capsys)
    assert snapshot(kb) == before


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_slug_may_not_name_a_page_that_is_not_an_article(kb, capsys, force):
    index = kb / "docs" / "articles" / "index.md"
    before = snapshot(kb)
    assert kb_import("--root", kb, "--slug", "index", *force, STANDARD) == 1
    assert "does not name an article page" in one_error_line(capsys)
    assert snapshot(kb) == before and index.exists()


# -- Refusals ------------------------------------------------------------------------------------


def test_refuses_a_symlink_a_folder_a_fifo_and_a_device(kb, tmp_path, capsys):
    link = tmp_path / "link.txt"
    link.symlink_to(STANDARD)
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    before = snapshot(kb)
    for path, kind in (
        (link, "a symbolic link"),
        (fifo, "a FIFO"),
        (Path("/dev/null"), "a device"),
    ):
        assert kb_import("--root", kb, path) == 1
        err = one_error_line(capsys)
        assert err.startswith(f"kb import: error: {path}: is {kind}") and "refused" in err
    with pytest.raises(importer.ImporterError, match="is a folder"):
        importer.import_file(folder, importer.Target.at(kb))
    assert snapshot(kb) == before


def test_refuses_files_over_the_size_limit(kb, tmp_path, capsys):
    big = tmp_path / "big.txt"
    big.write_bytes(STANDARD.read_bytes() + b"x" * (read.MAX_BYTES + 1))
    before = snapshot(kb)
    assert kb_import("--root", kb, big) == 1
    assert "at most 1 MB (1,000,000 bytes)" in one_error_line(capsys)
    assert snapshot(kb) == before


def test_a_permission_error_reading_is_one_line(kb, monkeypatch, capsys):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(read.os, "open", denied)
    assert kb_import("--root", kb, STANDARD) == 1
    assert one_error_line(capsys) == (
        f"kb import: error: {STANDARD}: permission denied: cannot read it\n"
    )


def test_an_unwritable_bib_folder_is_one_line_and_changes_nothing(kb, monkeypatch, capsys):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files, "write_atomic", denied)
    before = snapshot(kb)
    assert kb_import("--root", kb, STANDARD) == 1
    err = one_error_line(capsys)
    assert err == (
        f"kb import: error: {kb / 'references.bib'}: permission denied: cannot write it; "
        "nothing was changed\n"
    )
    assert snapshot(kb) == before


# -- The transaction ---------------------------------------------------------------------------


def test_a_failed_page_write_takes_the_bib_change_back(kb, monkeypatch):
    def full(path, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "create_new", full)
    before = snapshot(kb)
    with pytest.raises(importer.ImporterError, match="No space left on device"):
        importer.import_file(STANDARD, importer.Target.at(kb), today=TODAY)
    assert snapshot(kb) == before


def test_ctrl_c_between_the_two_writes_waits_until_both_land(kb, monkeypatch):
    real = files.write_atomic

    def then_interrupt(path, text):
        real(path, text)
        os.kill(os.getpid(), signal.SIGINT)  # right after the bib write

    monkeypatch.setattr(files, "write_atomic", then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        importer.import_file(STANDARD, importer.Target.at(kb), today=TODAY)
    pages = list((kb / "docs" / "articles").glob("why-some*.md"))
    assert len(pages) == 1  # the page landed too
    keys = bib.load(kb / "references.bib").keys()
    assert any(k.startswith("someClinicsSchedule") for k in keys)


def test_ctrl_c_at_any_moment_exits_130_without_a_traceback(kb, tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    for source in sorted(SITES.iterdir()):
        shutil.copy(source, batch / source.name)
    env = {**os.environ, "PYTHONPATH": str(paths.ROOT / "scripts")}
    # From 0.1 s on, Python is running kb's code (before that it is still
    # starting itself, which no program can change).
    for delay in (0.1, 0.2, 0.3, 0.5, 0.8, 1.2):
        root = tmp_path / f"kb-{delay}"
        shutil.copytree(kb, root)
        proc = subprocess.Popen(
            [sys.executable, "-m", "kb.cli", "import", "--root", str(root), str(batch)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode in (0, 130, -signal.SIGINT), (delay, proc.returncode, err)
        assert "Traceback" not in err, (delay, err)
        # Every page that landed has its entry, and no entry lacks its page.
        keys = set(bib.load(root / "references.bib").keys())
        for page in (root / "docs" / "articles").glob("*.md"):
            if page.name != "index.md":
                assert any(k in page.read_text() for k in keys), page


# -- Batches --------------------------------------------------------------------------------------


def test_a_folder_is_a_batch_with_one_table_and_a_rerun_skips_it(kb, tmp_path, capsys):
    batch = tmp_path / "batch"
    batch.mkdir()
    for name in ("news_cookie_kicker.txt", "markdown_export.md", "press_release.txt"):
        shutil.copy(SITES / name, batch / name)
    shutil.copy(FIXTURES / "latin1.txt", batch / "latin1.txt")
    assert kb_import("--root", kb, batch) == 1  # one failed; the others are written
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and "latin1.txt:1: not UTF-8 text" in err
    table = out[out.index("FILE ") :].splitlines()
    assert table[0].split() == ["FILE", "RESULT", "TODOS", "REMOVED", "PAGE", "/", "REASON"]
    assert out.count("  furniture:") == 3  # each page's import report, then the table
    assert "4 files: 3 imported, 0 skipped, 1 failed" in out
    assert len(list((kb / "docs" / "articles").glob("*.md"))) == 4
    before = snapshot(kb)
    (batch / "latin1.txt").unlink()
    assert kb_import("--root", kb, batch) == 0
    out = capsys.readouterr().out
    assert "3 files: 0 imported, 3 skipped, 0 failed" in out
    assert out.count("already imported") == 3
    assert snapshot(kb) == before


def test_an_empty_folder_is_one_line(kb, tmp_path, capsys):
    assert kb_import("--root", kb, tmp_path) == 1
    assert "no saved pages" in one_error_line(capsys)


def test_termlinker_lives_in_the_glossary_module():
    assert TermLinker(None).link("ketamine") == [(False, "ketamine")]
    assert not hasattr(importer, "TermLinker")


def test_kb_import_does_not_import_sphinx_to_start():
    code = (
        "import sys; from kb import cli; cli.make_parser(['import', 'x']); "
        "print(any(m == 'sphinx' or m.startswith('sphinx.') for m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(paths.ROOT / "scripts")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.strip() == "False", out.stderr


# -- Section names, tables ------------------------------------------------------------------

TAKEAWAYS = [
    "Key points",
    "Key takeaways",
    "The takeaway",
    "Bottom line",
    "In short",
    "What this means for you",
]
EVIDENCE_NAMES = [
    "Evidence quality",
    "Quality of the evidence",
    "Note on the evidence",
    "About the evidence",
]
BODY = (
    "Headline About Ketamine Clinics and Their Follow-Up Calls\n\n"
    "A lead paragraph that says what the article is about, in one sentence.\n\n"
    "Some Section\n\nText of the section, which is a full sentence.\n\n"
)


@pytest.mark.parametrize("form", ["heading", "label", "markdown"])
@pytest.mark.parametrize(
    ("takeaway", "evidence"), list(zip(TAKEAWAYS, EVIDENCE_NAMES * 2, strict=False))
)
def test_takeaway_and_evidence_sections_under_their_common_names(
    tmp_path, form, takeaway, evidence
):
    said = "Ask your clinician what fits you."
    note = "This is a survey of clinics, not a trial."
    if form == "heading":
        text = BODY + f"{takeaway}\n\n{said}\n\n{evidence}\n\n{note}\n"
    elif form == "label":
        text = BODY + f"{takeaway}: {said}\n\n{evidence} \u2014 {note}\n"
    else:
        text = "# " + BODY.replace("Some Section", "## Some Section")
        text += f"### {takeaway}\n\n{said}\n\n## {evidence}\n\n{note}\n"
    saved = tmp_path / ("a.md" if form == "markdown" else "a.txt")
    saved.write_text(text)
    draft = importer.import_file(saved, importer.Target.at(MINI_KB), dry_run=True, today=TODAY)
    page = draft.page
    assert page.split(":::{key-takeaway}\n", 1)[1].startswith(said)
    assert page.split(":::{evidence-note}\n", 1)[1].startswith(note)
    assert draft.evidence_basis == "observational-study"
    assert not any("no Key Takeaway" in t or "no evidence quality note" in t for t in draft.todos)
    assert f"## {takeaway}" not in page and f"## {evidence}" not in page


def test_a_table_whose_rows_do_not_line_up_becomes_a_list_and_a_todo(tmp_path):
    saved = tmp_path / "table.txt"
    saved.write_text(
        BODY + "Option | Where | How often\nSpray | Clinic\nInfusion | Clinic | Weekly | Extra\n\n"
        "More text after the table, as a sentence.\n"
    )
    draft = importer.import_file(saved, importer.Target.at(MINI_KB), dry_run=True, today=TODAY)
    assert "- Spray; Clinic\n" in draft.page and "| --- |" not in draft.page
    assert any("do not line up" in t for t in draft.todos)


@pytest.mark.parametrize(
    "body",
    [
        "|" * 200_000,  # a regular expression with an unbounded run before "@" was quadratic
        "a" * 100_000 + "@" + "b" * 100_000,
        "Evidence quality note: " + "not a meta-analysis and no randomized trial, " * 4000,
        "[1]" * 50_000 + "\n\nReferences\n\n1. Doe, J. (2020). A title. A journal.",
        "Originally published in " + "x" * 200_000,
    ],
)
def test_large_hostile_lines_import_or_fail_cleanly(tmp_path, body):
    saved = tmp_path / "big.txt"
    saved.write_text("Headline About Ketamine Clinics For A Size Test\n\n" + body + "\n")
    try:
        draft = importer.import_file(saved, importer.Target.at(MINI_KB), dry_run=True, today=TODAY)
    except importer.ImporterError as exc:
        assert "\n" not in str(exc)
    else:
        assert draft.page.startswith("---\ntitle: Headline About Ketamine Clinics")


def test_bidirectional_controls_and_invisible_characters_are_dropped(tmp_path):
    saved = tmp_path / "bidi.txt"
    saved.write_text(
        "Headline About \u202eKetamine\u202c Clinics\u200b Today\n\n"
        "A lead para\u00adgraph with a soft hyphen, written as a sentence.\n"
    )
    draft = importer.import_file(saved, importer.Target.at(MINI_KB), dry_run=True, today=TODAY)
    assert draft.article.title == "Headline About Ketamine Clinics Today"
    assert not any(c in draft.page for c in "\u202e\u202c\u200b\u00ad")


def test_numbered_headings_relative_dates_and_gallery_buttons(tmp_path):
    saved = tmp_path / "report.txt"
    saved.write_text(
        "Updated 3 hours ago\n\nKetamine Services in Regional Hospitals: A Short Report\n\n"
        "This report summarises how regional hospitals organise treatment sessions.\n\n"
        "1. Background\n\nHospitals have started to offer sessions in day units.\n\n"
        "Image 1 of 3\n\nClick to enlarge\n\n"
        "2. What We Found\n\nMost units run sessions on two fixed days each week.\n"
    )
    draft = importer.import_file(saved, importer.Target.at(MINI_KB), dry_run=True, today=TODAY)
    assert "\n## Background\n" in draft.page and "\n## What We Found\n" in draft.page
    assert [r.what for r in draft.article.removed] == ["relative date", "navigation", "navigation"]
    assert draft.article.facts.dates == []  # "3 hours ago" is no date to record


def test_a_value_never_reads_as_the_start_of_an_entry():
    entry = bib.format_misc("mine", {"title": "@misc(unrelatedEntry, a trick"})
    text = (MINI_KB / "references.bib").read_text() + "\n" + entry
    start, _ = bib.entry_span(text, "unrelatedEntry")
    assert text[start:].startswith("@misc{unrelatedEntry,")
    assert "(at)misc(unrelatedEntry" in entry


def test_a_flood_of_reference_lines_is_capped(tmp_path):
    saved = tmp_path / "flood.txt"
    lines = "\n".join(
        f"{n}. Doe, J. ({2000 + n % 20}). Title number {n}. A journal." for n in range(1, 400)
    )
    saved.write_text(BODY + "References\n\n" + lines + "\n")
    draft = importer.import_file(saved, importer.Target.at(MINI_KB), dry_run=True, today=TODAY)
    assert len(draft.new_entries) == 1 + 200
    assert any("only the first 200 were read" in t for t in draft.todos)


def test_force_never_replaces_a_page_that_only_cites_the_source(kb, capsys):
    assert kb_import("--root", kb, STANDARD) == 0
    imported = next((kb / "docs" / "articles").glob("why-some*.md"))
    key = next(k for k in bib.load(kb / "references.bib") if k.startswith("someClinics"))
    citing = kb / "docs" / "articles" / "hand-written.md"
    citing.write_text(f"---\ntitle: Mine\nsources:\n- {key}\n---\n\n# Mine\n")
    assert kb_import("--root", kb, "--force", STANDARD) == 0
    assert citing.read_text().startswith("---\ntitle: Mine")
    assert imported.read_text().startswith("---\ntitle: Why Some Clinics")
    # An editor who removes the mark takes the page over: --force leaves it.
    edited = imported.read_text().replace(render.owner_mark(key), "")
    imported.write_text(edited)
    assert kb_import("--root", kb, "--force", STANDARD) == 0
    assert imported.read_text() == edited


def test_an_outlet_in_the_byline_is_recorded_as_the_outlet(tmp_path):
    saved = tmp_path / "outlet.txt"
    saved.write_text(
        STANDARD.read_text().replace(
            "A survey of clinic routines",
            "By Jane Doe and John Roe, The Example Times\n\nA survey of clinic routines",
        )
    )
    draft = importer.import_file(saved, importer.Target.at(MINI_KB), dry_run=True, today=TODAY)
    own = next(s for s in draft.sources if s.attribution is None)
    fields = bib.parse(own.new_entry).fields(own.key)
    assert fields["howpublished"] == "The Example Times"
    assert fields["author"] == "Doe, Jane and Roe, John"
    assert "publisher" not in fields["note"].split("Not stated")[-1]


def test_the_page_never_gets_a_second_references_heading(tmp_path):
    saved = tmp_path / "refs.txt"
    saved.write_text(
        BODY + "References\n\nFurther Reading\n\n- Doe, J. (2021). A title. A journal.\n\n"
        "Sources\n\nA closing paragraph that is not a reference line at all\n"
    )
    draft = importer.import_file(saved, importer.Target.at(MINI_KB), dry_run=True, today=TODAY)
    assert draft.page.count("\n## References\n") == 1 and "\n## Further Reading" not in draft.page
    assert "\n## Sources" not in draft.page
    assert len([s for s in draft.sources if s.reference is not None]) == 1


MARKUP_LINES = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "# Headline About Ketamine Clinics Today",
            "## Section",
            "**Key points**",
            "1) one",
            "> quoted",
            "---",
            "| a | b |",
            "|---|---|",
            "<script>alert(1)</script>",
            "<h1>Title In HTML Form Here</h1>",
            "<p>By Jane Doe | March 3, 2026</p>",
            "[link](javascript:alert(1))",
            "![img](data:text/html,x)",
            "References",
            "1. Doe, J. (2020). T. J. doi:10.1234/x",
            "title: x",
            "",
        ]
    ),
)


@settings(max_examples=120, deadline=None)
@given(
    st.lists(MARKUP_LINES, max_size=25).map("\n".join), st.sampled_from([".md", ".html", ".txt"])
)
def test_arbitrary_markdown_and_html_never_crash(tmp_path_factory, text, suffix):
    saved = tmp_path_factory.mktemp("markup") / f"page{suffix}"
    saved.write_text(("<html><body>" if suffix == ".html" else "") + text, encoding="utf-8")
    try:
        draft = importer.import_file(saved, importer.Target.at(MINI_KB), dry_run=True, today=TODAY)
    except importer.ImporterError as exc:
        assert "\n" not in str(exc)
        return
    assert schema.load_article(draft.page)[1] == []
    body = draft.page.split("\n---\n", 1)[1]
    kinds = set()
    for token in _MYST.parse(body):
        kinds |= {token.type, *(t.type for t in token.children or [])}
    assert not kinds & {"html_inline", "html_block", "link_open", "image", "fence", "code_block"}


_MYST = create_md_parser(MdParserConfig(enable_extensions={"colon_fence"}), RendererHTML)


def test_a_file_name_with_a_newline_still_fails_on_one_line(kb, tmp_path, capsys):
    evil = tmp_path / "evil\nname\r.txt"
    evil.write_bytes((FIXTURES / "latin1.txt").read_bytes())
    assert kb_import("--root", kb, evil) == 1
    err = one_error_line(capsys)
    assert "evil\\nname\\r.txt:1: not UTF-8 text" in err


@pytest.mark.parametrize("which", ["references.bib", "docs/glossary.md"])
def test_the_knowledge_bases_own_files_must_be_regular(kb, capsys, which):
    path = kb / which
    path.unlink()
    os.mkfifo(path)  # reading it would wait for ever
    assert kb_import("--root", kb, STANDARD) == 1
    assert "is not a regular file: refused" in one_error_line(capsys)
    path.unlink()
    path.symlink_to("/etc/hostname")
    assert kb_import("--root", kb, STANDARD) == 1
    assert "is not a regular file: refused" in one_error_line(capsys)

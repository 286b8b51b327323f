"""``kb import``: articles saved from web pages -> draft MyST pages (kb.importer, kb.bib).

Most tests import the fixtures in tests/fixtures/import/ (our own text, in the
shape of a saved web page, with the awkward variations real files have) into a
copy of the tiny knowledge base tests/roots/test-import-kb/. One test imports
them, and the seed articles when ../shared/seeds exists, into a copy of the
real docs/ and builds it strictly: that is the promise that matters.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import sphinx_build
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from kb import bib, cli, files, importer, paths, schema

FIXTURES = Path(__file__).parent / "fixtures" / "import"
MINI_KB = Path(__file__).parent / "roots" / "test-import-kb"
SEEDS = paths.ROOT.parent / "shared" / "seeds"
TODAY = dt.date(2026, 3, 2)

GOOD = ["standard", "bom_crlf", "curly_dashes", "no_evidence_no_standfirst", "markup_chars"]
BROKEN = {
    "empty": (None, "the file is empty"),
    "binary": (3, "binary data"),
    "latin1": (1, "not UTF-8 text"),
    "only_boilerplate": (None, "only page boilerplate"),
    "no_title": (4, "no recognisable title"),
}
#: Page furniture and caption keywords that must never reach a draft.
BOILERPLATE = [
    "Skip to content",
    "min read",
    "Share on",
    "Send via Email",
    "Copy URL",
    "Share\n",
    "follow up calls ketamine clinic survey",
    "nasal spray infusion schedule comparison",
    "remission response families opinion",
    "first appointment questions checklist",
]


def fixture(name: str) -> Path:
    return FIXTURES / f"{name}.txt"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A writable copy of the tiny knowledge base."""
    root = tmp_path / "kb"
    shutil.copytree(MINI_KB, root)
    return root


def draft_of(name: str, root: Path = MINI_KB) -> importer.Draft:
    return importer.import_file(fixture(name), importer.Target.at(root), dry_run=True, today=TODAY)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def kb_import(*args: str | Path) -> int:
    return cli.main(["import", *map(str, args)])


MD = create_md_parser(MdParserConfig(enable_extensions={"colon_fence", "deflist"}), RendererHTML)


def tokens(page: str) -> list:
    """The page's block and inline tokens, flattened, as MyST-Parser reads them."""
    flat = []
    for token in MD.parse(page):
        flat.append(token)
        flat.extend(token.children or [])
    return flat


def shown_text(page: str) -> str:
    """What a reader sees of the prose: the text of every inline token."""
    return " ".join(
        t.content for t in tokens(page) if t.type in ("text", "text_special", "code_inline")
    )


# -- What a draft holds -------------------------------------------------------------


@pytest.mark.parametrize("name", GOOD)
def test_draft_front_matter_is_valid_and_a_draft(name):
    draft = draft_of(name)
    article, problems = schema.load_article(draft.page)
    assert problems == []
    assert article.review_status == "draft"
    assert article.title == draft.article.title
    assert article.sources == tuple(s.key for s in draft.sources)
    # An import is not a review: no review date, "Not yet reviewed".
    assert article.last_reviewed is None and article.next_review is None
    assert article.reviews == ()
    assert set(article.topics) <= set(schema.TOPICS)


@pytest.mark.parametrize("name", GOOD)
def test_no_boilerplate_or_attribution_remains(name):
    page = draft_of(name).page
    body = page.split("\n---\n", 1)[1]
    for furniture in BOILERPLATE:
        assert furniture not in body
    assert "Read the original" not in body
    assert "\ufeff" not in page and "\r" not in page


def test_standard_article():
    draft = draft_of("standard")
    article, _ = schema.load_article(draft.page)
    assert article.title == "Why Some Clinics Schedule Follow-Up Calls After Ketamine Sessions"
    assert article.summary.startswith("A survey of clinic routines looks at")
    assert draft.article.sections == 3
    assert "\n## What the Survey Asked\n" in draft.page
    assert "\n## What Teams Found Hard\n" in draft.page
    assert "## Key Takeaway" not in draft.page
    # "a survey ... rather than a randomized controlled trial": the trial is ruled out.
    assert article.evidence_basis == "observational-study"
    takeaway = draft.page.split(":::{key-takeaway}\n", 1)[1].split("\n:::", 1)[0]
    assert takeaway.startswith("A short check-in after a")
    note = draft.page.split(":::{evidence-note}\n", 1)[1].split("\n:::", 1)[0]
    assert note.startswith("This summary draws on a survey of clinic teams")


def test_new_source_is_cited_where_the_text_names_it_and_added_with_known_fields_only():
    draft = draft_of("standard")
    source, own = draft.sources
    assert source.attribution.publisher == "The Example Journal of Mood Care"
    assert (
        f"Mood Care, asked clinic teams how they stay in touch with patients between "
        f"sessions {{cite:p}}`{source.key}`." in draft.page
    )
    entry = bib.parse(source.new_entry).fields(source.key)
    assert set(entry) == {"howpublished", "note"}
    assert entry["howpublished"] == "The Example Journal of Mood Care"
    assert "Why Some Clinics Schedule Follow-Up Calls" in entry["note"]
    # The web article itself: its title is all the saved copy states about it.
    assert set(bib.parse(own.new_entry).fields(own.key)) == {"title", "note"}
    lead = draft.page.split("# Why Some Clinics", 1)[1].split("\n\n")[1]
    assert lead.endswith(f"what patients said they found useful {{cite:p}}`{own.key}`.")


def test_bom_crlf_plural_takeaways_with_bullets_and_an_existing_source():
    draft = draft_of("bom_crlf")
    assert draft.article.title == "Comparing Nasal Spray and Infusion Schedules"
    takeaway = draft.page.split(":::{key-takeaway}\n", 1)[1].split("\n:::", 1)[0]
    assert takeaway.splitlines() == [
        "- Both approaches need repeated visits in the first weeks.",
        "- Visits are usually spaced out later on.",
        "- Ask your clinic for its timetable before you start.",
    ]
    assert draft.evidence_basis == "meta-analysis"
    # The publisher already has an entry naming this article: it is reused.
    assert draft.sources[0].key == "exampleWeeklySource"
    assert draft.sources[0].new_entry is None
    assert "Example Psychiatry Weekly, looked at how many visits" in draft.page


def test_curly_quotes_dashes_question_headings_and_a_qualified_takeaway():
    draft = draft_of("curly_dashes")
    assert (
        draft.article.title
        == "What Does “Feeling Better” Mean After Treatment-Resistant Depression?"
    )
    assert "\n## Is Feeling Less Bad the Same as Being Well?\n" in draft.page
    assert "\n## What Can Families Do?\n" in draft.page
    takeaway = draft.page.split(":::{key-takeaway}\n", 1)[1].split("\n:::", 1)[0]
    assert takeaway.splitlines()[0] == "*For Families*"
    assert "- Ask what “better” means to the person you support." in takeaway
    # "Evidence quality note — This is expert opinion ...": a dash for a colon.
    assert draft.evidence_basis == "expert-opinion"
    assert draft.article.evidence_note is not None
    assert draft.sources[0].attribution.publisher == "Example Mental Health Review"


def test_missing_standfirst_and_evidence_note_are_said_and_listed():
    draft = draft_of("no_evidence_no_standfirst")
    article, _ = schema.load_article(draft.page)
    assert article.summary.startswith(f"{schema.TODO_MARKER}:")
    assert article.evidence_basis == importer.CAUTIOUS_EVIDENCE
    note = draft.page.split(":::{evidence-note}\n", 1)[1].split("\n:::", 1)[0]
    assert "gave no evidence quality note" in note
    assert any("no evidence quality note" in t for t in draft.todos)
    assert any("no standfirst" in t for t in draft.todos)
    assert "\n## Before the Appointment\n" in draft.page
    takeaway = draft.page.split(":::{key-takeaway}\n", 1)[1].split("\n:::", 1)[0]
    assert takeaway.splitlines() == [
        "- Arrange a ride home in advance.",
        "- Ask what the team will monitor.",
        "- Ask whom to call if you have questions afterwards.",
    ]
    # Attribution on its own line: cited where the text first names the publisher.
    key = draft.sources[0].key
    assert (
        f"from Example Medical News lists practical points to settle before a first "
        f"appointment {{cite:p}}`{key}`." in draft.page
    )


def test_every_todo_is_on_the_page_and_the_lint_marker_is_used():
    draft = draft_of("markup_chars")
    todo_block = draft.page.split(":::{admonition} Draft: to do before review\n", 1)[1]
    items = [line for line in todo_block.split("\n:::", 1)[0].splitlines() if line.startswith("- ")]
    assert len(items) == len(draft.todos) >= 5
    assert all(item.startswith(f"- {schema.TODO_MARKER}: ") for item in items)
    assert any("does not name the publication" in t for t in draft.todos)
    assert any("No topic was recognised" in t for t in draft.todos)
    assert draft.topics == [importer.FALLBACK_TOPIC]


def test_bylines_and_dates_are_listed_not_made_headings(tmp_path):
    text = (
        fixture("standard")
        .read_text()
        .replace(
            "A survey of clinic routines",
            "By Jane Example\n\nMarch 3, 2026\n\nA survey of clinic routines",
        )
    )
    saved = tmp_path / "byline.txt"
    saved.write_text(text)
    draft = importer.import_file(saved, importer.Target.at(MINI_KB), dry_run=True, today=TODAY)
    assert "## By Jane Example" not in draft.page
    assert any('was not placed: "By Jane Example"' in t for t in draft.todos)
    assert any('was not placed: "March 3, 2026"' in t for t in draft.todos)
    assert draft.article.standfirst.text.startswith("A survey of clinic routines")


# -- MyST safety --------------------------------------------------------------------


def test_imported_markup_shows_as_typed():
    page = draft_of("markup_chars").page
    kinds = {t.type for t in tokens(page)}
    assert not kinds & {"html_inline", "html_block", "link_open", "image", "fence", "code_block"}
    roles = {t.meta["name"] for t in tokens(page) if t.type == "myst_role"}
    assert roles == {"term", "cite:p"}
    text = shown_text(page)
    for typed in (
        "*bold*",
        "<b>raw HTML</b>",
        "[links](https://example.org)",
        "% A percent sign",
        "{term}`made-up`",
        "# This line starts with a hash",
        "snake_case_words, a backslash \\ and an entity &amp;",
    ):
        assert typed in text
    assert "https://example.org/ketamine-info" in text  # no term link inside a URL


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("1. not a list", "1\\. not a list"),
        ("2026) a year", "2026\\) a year"),
        ("- not a bullet", "\\- not a bullet"),
        (":::{note}", "\\:::{note}"),
        ("(label)=", "\\(label)="),
        ("a <br> b", "a \\<br> b"),
        ("x & y &amp;", "x & y \\&amp;"),
    ],
)
def test_escape(text, escaped):
    assert importer.escape(text) == escaped


# -- Glossary links -------------------------------------------------------------------


def test_glossary_terms_linked_once_with_case_plurals_and_synonyms(tmp_path):
    saved = tmp_path / "terms.txt"
    saved.write_text(
        "Skip to content\n\nTreatment-Resistant Depression and Ketamine Today\n\n"
        "Ketamine acts on NMDA receptors; racemic ketamine is the usual form.\n\n"
        "Ketamine and TRD\n\n"
        "Treatment resistant depression is common. Iv and (iv) are not acronyms here, "
        "but Intravenous ketamine is an IV option. Off-label use of ketamine-class drugs "
        "happens. A response may come first. Responses differ. See www.ketamine.example.\n"
    )
    draft = importer.import_file(saved, importer.Target.at(MINI_KB), dry_run=True, today=TODAY)
    body = draft.page.split("\n---\n", 1)[1]
    assert "# Treatment-Resistant Depression and Ketamine Today" in body  # never in a heading
    assert "## Ketamine and TRD\n" in body
    assert (
        "{term}`Ketamine` acts on {term}`NMDA receptors <NMDA receptor>`; "
        "{term}`racemic ketamine` is the usual form" in body
    )
    assert "{term}`Treatment resistant depression <Treatment-resistant depression>` is" in body
    assert "Iv and (iv) are not acronyms here, but {term}`Intravenous` ketamine is an IV" in body
    assert "{term}`Off-label` use of ketamine-class drugs" in body
    assert "A {term}`response` may come first. Responses differ." in body
    assert "www.ketamine.example" in body
    assert draft.linked_terms == [
        "Ketamine",
        "NMDA receptor",
        "Racemic ketamine",
        "TRD",
        "IV",
        "Off-label",
        "Response",
    ]
    assert body.count("{term}`") == len(draft.linked_terms)


# -- Evidence basis and topics ----------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "basis"),
    [
        (
            "Based on a clinical overview article rather than a primary study or meta-analysis.",
            "clinical-overview",
        ),
        ("This summary reports a randomised controlled trial.", "rct"),
        ("The findings come from a randomized, double-blind trial of 40 people.", "rct"),
        ("A systematic review of twelve studies.", "systematic-review"),
        ("Pooled results from a meta-analysis.", "meta-analysis"),
        ("An expert commentary; not a randomized trial.", "expert-opinion"),
        ("A retrospective cohort study.", "observational-study"),
        ("Summarises a professional society's clinical guideline.", "clinical-guideline"),
        ("Read it with care.", None),
    ],
)
def test_evidence_basis_from_the_note(note, basis):
    assert importer.evidence_basis(note) == basis


def test_every_topic_has_cues_and_cue_keys_are_topics():
    assert set(importer._TOPIC_CUES) <= set(schema.TOPICS)
    for slug in schema.TOPICS:
        assert importer._topic_cues(slug)


# -- references.bib ---------------------------------------------------------------------


def test_bib_errors_name_file_and_line(tmp_path):
    broken = tmp_path / "references.bib"
    broken.write_text("@misc{a,\n  title = {x}\n}\n\n@misc{b,\n  note = {open\n}\n")
    with pytest.raises(bib.BibError) as info:
        bib.load(broken)
    assert str(info.value).startswith(f"{broken}:8: not valid BibTeX")
    broken.write_text("@misc{a, title = {x}}\n\n@misc{A,\n title = {y}}\n")
    with pytest.raises(bib.BibError) as info:
        bib.load(broken)
    assert str(info.value) == f"{broken}:3: repeated bibliography entry: A"


def test_bib_format_and_replace_keep_everything_else():
    text = (MINI_KB / "references.bib").read_text()
    entry = bib.format_misc("unrelatedEntry", {"title": "50% {odd} ~ title", "note": "n"})
    assert "{{50\\% odd \\textasciitilde{} title}}" in entry
    replaced = bib.with_entry(text, "unrelatedEntry", entry, replace=True)
    assert replaced.startswith(text[: text.index("@misc{unrelatedEntry")])
    assert bib.parse(replaced).fields("unrelatedEntry")["note"] == "n"
    with pytest.raises(KeyError):
        bib.with_entry(text, "UNRELATEDENTRY", entry)  # keys are case-insensitive
    with pytest.raises(ValueError, match="not an @misc field"):
        bib.format_misc("k", {"publisher": "x"})


def test_an_existing_key_is_never_overwritten_without_force(kb, capsys):
    own_key = importer.make_key("Why Some Clinics Schedule Follow-Up Calls After Ketamine Sessions")
    bibfile = kb / "references.bib"
    original = bibfile.read_text()
    bibfile.write_text(original + f"\n@misc{{{own_key},\n  title = {{{{Another Article}}}}\n}}\n")
    entry_line = len(original.splitlines()) + 2
    before = snapshot(kb)
    assert kb_import("--root", kb, fixture("standard")) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"kb import: error: {bibfile}:{entry_line}: key '{own_key}'")
    assert "--force" in err and len(err.splitlines()) == 1
    assert snapshot(kb) == before

    assert kb_import("--root", kb, "--force", fixture("standard")) == 0
    after = bib.load(bibfile)
    assert (
        after.fields(own_key)["title"]
        == "{Why Some Clinics Schedule Follow-Up Calls After Ketamine Sessions}"
    )
    assert after.fields("unrelatedEntry") == bib.load(MINI_KB / "references.bib").fields(
        "unrelatedEntry"
    )
    assert bibfile.read_text().startswith((MINI_KB / "references.bib").read_text())


# -- The command ----------------------------------------------------------------------


def test_import_writes_page_and_bib_and_prints_a_summary(kb, capsys):
    assert kb_import("--root", kb, fixture("standard"), fixture("bom_crlf")) == 0
    out = capsys.readouterr().out
    pages = sorted(p.name for p in (kb / "docs" / "articles").glob("*.md"))
    assert pages == [
        "comparing-nasal-spray-and-infusion-schedules.md",
        "index.md",
        "why-some-clinics-schedule-follow-up-calls-after-ketamine.md",
    ]
    for line in (
        "title:          Why Some Clinics Schedule Follow-Up Calls After Ketamine Sessions",
        "sections:       3",
        "key takeaway:   yes",
        "evidence note:  yes (observational-study)",
        "terms linked:   Ketamine, Dissociation",
        "source:         The Example Journal of Mood Care",
        "evidence note:  yes (meta-analysis)",
        "source:         Example Psychiatry Weekly",
    ):
        assert line in out
    assert out.count("TODO items") == 2
    keys = bib.load(kb / "references.bib").keys()
    assert keys[:2] == ["exampleWeeklySource", "unrelatedEntry"]
    assert len(keys) == 5  # two entries for the first article, one for the second


def test_dry_run_prints_the_page_and_writes_nothing(kb, capsys):
    before = snapshot(kb)
    assert kb_import("--root", kb, "--dry-run", fixture("standard")) == 0
    out = capsys.readouterr().out
    assert out.startswith("---\ntitle: Why Some Clinics")
    assert "% would add to" in out and "dry run, nothing written" in out
    assert snapshot(kb) == before


def test_existing_page_is_kept_without_force_and_replaced_with_it(kb, capsys):
    page = kb / "docs" / "articles" / "mine.md"
    page.write_text("hand-written\n")
    assert kb_import("--root", kb, "--slug", "mine", fixture("standard")) == 1
    err = capsys.readouterr().err
    assert (
        err == f"kb import: error: {page}: already exists: use --force to replace it, or --slug\n"
    )
    assert page.read_text() == "hand-written\n"
    assert kb_import("--root", kb, "--slug", "mine", "--force", fixture("standard")) == 0
    assert page.read_text().startswith("---\ntitle: Why Some Clinics")


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_files_fail_cleanly_and_leave_nothing(kb, capsys, name):
    line, message = BROKEN[name]
    before = snapshot(kb)
    assert kb_import("--root", kb, fixture(name)) == 1
    out, err = capsys.readouterr()
    where = f"{fixture(name)}:{line}" if line else str(fixture(name))
    assert err.startswith(f"kb import: error: {where}: {message}")
    assert err.count("\n") == 1 and out == ""
    assert snapshot(kb) == before


def test_several_files_each_on_its_own(kb, capsys):
    missing = FIXTURES / "no-such-file.txt"
    code = kb_import("--root", kb, fixture("empty"), fixture("curly_dashes"), missing)
    assert code == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"kb import: error: {fixture('empty')}: the file is empty",
        f"kb import: error: {missing}: no such file",
    ]
    written = (
        kb / "docs" / "articles" / "what-does-feeling-better-mean-after-treatment-resistant.md"
    )
    assert schema.load_article(written.read_text())[1] == []


@pytest.mark.parametrize(
    "args",
    [
        ["--slug", "one", "a.txt", "b.txt"],
        ["--slug", "Not A Slug", "a.txt"],
        [],
    ],
)
def test_usage_errors_exit_2(args, capsys):
    with pytest.raises(SystemExit) as info:
        kb_import(*args)
    assert info.value.code == 2
    assert "usage: kb import" in capsys.readouterr().err


def test_a_failed_write_leaves_nothing_behind(kb, monkeypatch):
    before = snapshot(kb)
    real = files.write_atomic

    def fail_on_pages(path, text):
        if Path(path).suffix == ".md":
            raise OSError(28, "No space left on device")
        real(path, text)

    monkeypatch.setattr(files, "write_atomic", fail_on_pages)
    with pytest.raises(importer.ImporterError, match="could not write the draft"):
        importer.import_file(fixture("standard"), importer.Target.at(kb), today=TODAY)
    assert snapshot(kb) == before  # the bib entries were taken back, no temp files


def test_errors_print_one_line_without_a_traceback(tmp_path):
    """The real command, in its own process, as a contributor runs it."""
    result = subprocess.run(
        [sys.executable, "-m", "kb.cli", "import", "--root", str(tmp_path), str(fixture("latin1"))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"kb import: error: {fixture('latin1')}:1: not UTF-8 text (byte 0xE9): save the "
        "article as UTF-8\n"
    )


# -- Arbitrary input --------------------------------------------------------------------

LINES = st.one_of(
    st.text(max_size=120),
    st.sampled_from(
        [
            "Skip to content",
            "News5 min readStandard",
            "Key Takeaways",
            "Key Takeaway for Readers",
            "Key takeaway: ask.",
            "Evidence quality note: a randomised controlled trial.",
            "Evidence quality note",
            "Read the original source at Example News.",
            "Source: *Example* <b>",
            "• point",
            "- point",
            "* point",
            "1. point",
            "What Now?",
            ":::",
            "```",
            "% comment",
            "(target)=",
            "# Hash",
            "---",
            "By Someone",
            "IV ketamine and NMDA receptors: TRD",
            "Share on X",
            "Copy URLSkip to content",
            "",
        ]
    ),
)


def _check(page: str, draft: importer.Draft) -> None:
    article, problems = schema.load_article(draft.page)
    assert problems == [] and article is not None
    found = tokens(page)
    kinds = [t.type for t in found]
    assert not {"html_inline", "html_block", "link_open", "image", "fence", "code_block"} & set(
        kinds
    )
    assert {t.meta["name"] for t in found if t.type == "myst_role"} <= {"term", "cite:p"}
    levels = [t.tag for t in found if t.type == "heading_open"]
    assert levels == ["h1"] + ["h2"] * (draft.article.sections + 1)
    fences = [t.info.strip() for t in found if t.type == "colon_fence"]
    assert fences.count("{key-takeaway}") >= 1 and fences.count("{evidence-note}") >= 1
    assert fences[-1] == "{bibliography}"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), st.lists(LINES, max_size=30).map("\n".join)))
def test_arbitrary_text_never_crashes(tmp_path_factory, text):
    saved = tmp_path_factory.mktemp("arbitrary") / "article.txt"
    saved.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        draft = importer.import_file(saved, importer.Target.at(MINI_KB), dry_run=True, today=TODAY)
    except importer.ImporterError as exc:
        assert str(exc).startswith(str(saved)) and "\n" not in str(exc)
        return
    body = draft.page[draft.page.index("\n---\n") + 5 :]
    _check(body, draft)


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_crash(tmp_path_factory, data):
    saved = tmp_path_factory.mktemp("bytes") / "article.txt"
    saved.write_bytes(data)
    with contextlib.suppress(importer.ImporterError):
        importer.import_file(saved, importer.Target.at(MINI_KB), dry_run=True, today=TODAY)


# -- The real knowledge base, built strictly ------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, str, dict[str, importer.Draft]]:
    """docs/ + references.bib copied, every good fixture (and seed) imported, built."""
    root = tmp_path_factory.mktemp("kb")
    shutil.copytree(paths.DOCS, root / "docs", ignore=shutil.ignore_patterns("_build"))
    shutil.copy2(paths.BIBFILE, root / "references.bib")
    target = importer.Target.at(root)
    inputs = [fixture(name) for name in GOOD]
    if SEEDS.is_dir():
        inputs += sorted(SEEDS.glob("*.txt"))
    drafts = {}
    for path in inputs:
        # Own slugs: a hand-written page may already have the title's slug.
        slug = f"imported-{path.stem.replace('_', '-').lower()}"
        drafts[path.stem] = importer.import_file(path, target, slug=slug)
    warnings = sphinx_build(root / "docs", root / "_build")
    return root / "_build" / "html", warnings, drafts


@pytest.mark.slow
def test_imported_pages_build_cleanly(built):
    _, warnings, drafts = built
    assert warnings == ""
    assert len(drafts) >= len(GOOD)


@pytest.mark.slow
@pytest.mark.parametrize("name", [*GOOD, *(p.stem for p in sorted(SEEDS.glob("*.txt")))])
def test_imported_page_in_the_site(built, name):
    html, _, drafts = built
    draft = drafts[name]
    page = BeautifulSoup((html / "articles" / f"{draft.slug}.html").read_text(), "html.parser")
    main = page.select_one("article")
    assert main.select_one(".kb-article-header .kb-review-draft")
    takeaway = main.select_one(".admonition.kb-key-takeaway")
    assert takeaway.select_one(".admonition-title").get_text() == "Key takeaway"
    assert len(takeaway.get_text(strip=True)) > len("Key takeaway") + 20
    assert main.select_one(".admonition.kb-evidence-note p")
    terms = main.select("a[href*='glossary.html#term-']")
    assert len(terms) == len(draft.linked_terms) > 0
    # Every source is cited in the text and listed under References.
    references = main.select_one("section#references")
    cited = {a["href"] for a in main.select("span.bibtex-citation a")}
    assert len(cited) == len(draft.sources)
    assert all(references.select_one(f"[id='{href[1:]}']") for href in cited)
    references.extract()  # a source's note may quote the article; the prose may not
    text = main.get_text(" ")
    for furniture in ("Skip to content", "min read", "Share on", "Copy URL", "Read the original"):
        assert furniture not in text
    index = (html / "articles" / "index.html").read_text()
    assert f'href="{draft.slug}.html"' in index

"""PDFs for clinics: the book, a one-sheet handout and a large-print handout
per article, and the site's links to them (issues 5 and 15).

Two layers:

- The LaTeX that ``kb.sphinxext.latex`` writes, from the small root
  ``tests/roots/test-latex`` (Sphinx only, no TeX: fast).
- The PDFs themselves (``pdf`` marker): the real knowledge base is typeset
  once per session (US Letter, no base URL, as conf.py ships), once more
  with a base URL (handouts only) and once on A4 (handouts only), and read
  back with pdftotext, pdfinfo, pdffonts and pypdf as a clinician would read
  it. Every page is rendered to ``test-artifacts/pdf/`` for a person to look
  at. A copy is then edited to show that only the edited (and the added)
  article's handouts are typeset again.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pypdf
import pytest
import segno
from test_html_validity import LinkChecker  # tests/ is on sys.path (pytest's rootdir)

from kb import glossary, notices, paths, pdf, schema
from kb.build import reproducible_env
from kb.sphinxext import latex, pdf_links
from kb.sphinxext.latex import handout as handout_mod
from kb.sphinxext.latex.texts import FIND_ONLINE, build_date, stamp

ARTICLE_FILES = sorted(p for p in paths.ARTICLES.glob("*.md") if p.stem != "index")
SLUGS = [p.stem for p in ARTICLE_FILES]
BOOK = "ketamine-trd-kb.pdf"
BASE_URL = "https://kb.clinic.test/"  # a reserved name: never a real site


def letters(text: str) -> str:
    """Only the letters: compares text across line breaks, citation numbers
    and typographic punctuation."""
    return re.sub(r"[^a-z]", "", text.casefold())


# -- The LaTeX (Sphinx only) ----------------------------------------------------------------


def tex(app, name: str) -> str:
    return (app.outdir / name).read_text(encoding="utf-8")


@pytest.mark.sphinx("latex", testroot="latex")
def test_a_handout_and_a_large_print_handout_per_article_and_a_manifest(app):
    app.build()
    assert app.warning.getvalue() == ""
    manifest = json.loads((app.outdir / latex.MANIFEST).read_text())
    assert {(d["tex"], d["output"], d["kind"], d["max_pages"]) for d in manifest["documents"]} == {
        ("handbook.tex", "handbook.pdf", "book", 0),
        ("handout-sleep-and-mood.tex", "handouts/sleep-and-mood.pdf", "handout", 2),
        ("handout-talking-it-through.tex", "handouts/talking-it-through.pdf", "handout", 2),
        (
            "handout-large-sleep-and-mood.tex",
            "handouts/large-print/sleep-and-mood.pdf",
            "large-print",
            0,
        ),
        (
            "handout-large-talking-it-through.tex",
            "handouts/large-print/talking-it-through.pdf",
            "large-print",
            0,
        ),
    }
    assert manifest["base_url"] == "https://handbook.test/"
    assert (app.outdir / "kb.sty").is_file()
    assert r"\kblargeprint" in tex(app, "handout-large-sleep-and-mood.tex")
    assert r"\kblargeprint" not in tex(app, "handout-sleep-and-mood.tex")


def test_a_long_article_may_take_two_sheets():
    assert handout_mod.max_pages(1200) == 2
    assert handout_mod.max_pages(2500) == 4


@pytest.mark.sphinx("latex", testroot="latex")
def test_the_handout_runs_in_leaflet_order(app):
    app.build()
    text = tex(app, "handout-sleep-and-mood.tex")
    body = text[text.index(r"\begin{document}") :]
    order = [
        "page for the PDF tests, about sleep",  # the summary
        r"\kbfacts{",  # evidence, review status, dates: one line
        r"\begin{kbtakeaway}{Key points}",
        "Test text that links",  # the article
        r"\begin{kbevidencenote}{Evidence quality note}",
        r"\section{Terms used}",
        r"\section{References}",
        r"\kbhandoutback",  # crisis notice and disclaimer
    ]
    positions = [body.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert r"\kbfact{Evidence}{Expert opinion}" in body
    assert r"\kbfact{Review}{Draft}" in body
    assert r"\kbfact{Last reviewed}{3 February 2026}" in body
    assert "Key takeaway" not in body  # the book's word; a handout says "Key points"
    assert "Related articles" not in body
    # Any other box is kept whole too (a minipage cannot break).
    assert re.search(
        r"\\begin\{minipage\}\{\\linewidth\}\s*\\begin\{sphinxadmonition\}\{important\}", body
    )
    # The book keeps the site's words and the labelled metadata block.
    book = tex(app, "handbook.tex")
    assert r"\begin{kbtakeaway}{Key takeaway}" in book
    assert r"\DUrole{kb-badge}" in book


@pytest.mark.sphinx("latex", testroot="latex")
def test_terms_used_defines_every_term_the_text_uses_linked_or_not(app):
    app.build()
    text = tex(app, "handout-sleep-and-mood.tex")
    terms = text[text.index(r"\section{Terms used}") : text.index(r"\section{References}")]
    items = re.findall(r"\\sphinxlineitem\{(.*?)\}\n", terms)
    heads = [re.sub(r"\\[a-zA-Z]+|[{}]|\[.*?\]", "", i).strip() for i in items]
    # Linked terms, a synonym on its headword's line; an abbreviation used
    # without a link, in the plural; a term only a printed definition uses.
    assert any(h.startswith("Gadget") and "Thingamajig" in h for h in heads), heads
    assert any(h.startswith("SPR") and "Sprocket" in h for h in heads), heads
    assert any(h.startswith("Widget") for h in heads), heads
    assert any(h.startswith("Doohickey") for h in heads), heads
    assert r"\begin{sphinxuseclass}{kb-terms}" in terms  # small type, two columns
    # Compactly: what each word means, in the first sentence of its definition.
    assert "whose definition cites nothing." in terms
    assert "second sentence" not in terms
    assert "Its second sentence stays in the" in tex(app, "handbook.tex")
    # A defined term reads in italics in the text (on paper, not a link).
    assert r"\sphinxstyleemphasis{\sphinxtermref" in text or r"\sphinxstyleemphasis{" in text
    assert "term-Widget" not in text.split(r"\section{Terms used}")[0].split("kbfacts")[1]


@pytest.mark.sphinx("latex", testroot="latex")
def test_handout_lists_its_own_sources_with_their_descriptions(app):
    app.build()
    text = tex(app, "handout-sleep-and-mood.tex")
    refs = re.findall(r"\\kbreference\{(\d+)\}\{([^}]*)\}\s*\\sphinxAtStartPar\s*(\w+)", text)
    # Its source, then the one a printed definition cites; not the other page's.
    assert [(label, word) for label, _, word in refs] == [("1", "Alpha"), ("2", "Gamma")]
    assert "Beta fixture" not in text
    assert "A made\\sphinxhyphen{}up source that the tests describe to readers" in text
    anchors = {anchor for _, anchor, _ in refs}
    links = set(re.findall(r"\\hyperlink\{(cite\.[^}]*)\}", text))
    assert links and links <= anchors
    assert "sphinxthebibliography" not in text


@pytest.mark.sphinx("latex", testroot="latex")
def test_no_citation_starts_a_line(app):
    app.build()
    for name in ("handbook.tex", "handout-sleep-and-mood.tex"):
        text = tex(app, name)
        for match in re.finditer(r"\\DUrole\{bibtex-citation\}", text):
            before = text[max(0, match.start() - 2) : match.start()]
            assert before.endswith(("\u00a0", "(")), (name, text[match.start() - 60 : match.end()])
    # The citation written after the list joined the list's last point.
    handout = tex(app, "handout-sleep-and-mood.tex")
    assert re.search(r"the last point\.\s*\u00a0?\\DUrole\{bibtex-citation\}", handout)


@pytest.mark.sphinx("latex", testroot="latex")
def test_handout_carries_notices_address_qr_code_and_metadata(app):
    app.build()
    text = tex(app, "handout-sleep-and-mood.tex")
    url = "https://handbook.test/articles/sleep-and-mood.html"
    assert latex.qr_picture(url, size="1.8cm") in text
    assert r"\href{https://handbook.test/articles/sleep-and-mood.html}" in text
    assert notices.CRISIS_SHORT.split("?")[1].strip()[:20] in text
    assert r"\kbhandoutlayout" in text  # the per-page notices
    # The stamp is on its own, marked line: the PDF cache leaves it out.
    (stamp_line,) = [line for line in text.splitlines() if latex.VOLATILE in line]
    assert stamp_line.startswith(r"\renewcommand{\kbstamp}{Printed on ")
    info = re.search(r"\\kbpdfinfo\{(.*?)\}\n", text, re.S).group(1)
    for key, value in {
        "pdftitle": "Sleep and mood",
        "pdfsubject": "A made-up page for the PDF tests, about sleep.",
        "pdfkeywords": "Shared decision-making",
        "pdflang": "en",
    }.items():
        assert f"{key}={{{value}}}" in info, (key, info)
    assert "pdfcreator=" in info


@pytest.mark.sphinx("latex", testroot="latex", confoverrides={"kb_base_url": ""})
def test_without_a_base_url_no_address_or_qr_code_is_printed(app):
    app.build()
    assert app.warning.getvalue() == ""  # kb build pdf warns, not Sphinx (-W)
    manifest = json.loads((app.outdir / latex.MANIFEST).read_text())
    assert manifest["base_url"] == ""
    for name in ("handout-sleep-and-mood.tex", "handbook.tex"):
        text = tex(app, name)
        assert r"\put(" not in text  # no QR code
        assert "https://" not in text.split(r"\begin{document}")[1]
    handout = tex(app, "handout-sleep-and-mood.tex")
    assert "To find the current version, search the web for" in handout


@pytest.mark.sphinx("latex", testroot="latex")
def test_book_has_front_matter_chapters_and_appendices(app):
    app.build()
    text = tex(app, "handbook.tex")
    chapters = re.findall(
        r"^\\chapter\{(.*)\}$|^\\(kb(?:front|main)matter|kbappendix)$", text, re.M
    )
    sequence = [c or m for c, m in chapters]
    assert sequence == [
        "kbfrontmatter",
        "Test handbook",  # the home page, one chapter with its sections
        "kbmainmatter",
        "Articles",
        "Shared decision\\sphinxhyphen{}making",
        "kbappendix",
        "Glossary",
        "Bibliography",
    ]
    assert re.search(r"^\\section\{Start here\}", text, re.M)
    # Cards: one line each, linked title and page number, then their text.
    assert "sd-card" not in text
    assert re.search(
        r"\\sphinxlineitem\{\{\\hyperref\[\\detokenize\{articles/sleep-and-mood::doc\}\]"
        r".*Sleep and mood.*\(page~\\pageref\*\{\\detokenize\{articles/sleep-and-mood::doc\}\}\)",
        text,
    )
    for match in re.finditer(r"\\section\{References\}", text):
        following = text[match.end() : match.end() + 400]
        assert r"\begin{kbreferences}" in following
    assert r"\kbbookcover" in text and r"\kbbooklayout" in text


@pytest.mark.sphinx("latex", testroot="latex", confoverrides={"kb_paper_size": "a4"})
def test_paper_size_is_configurable(app):
    app.build()
    for name in ("handbook.tex", "handout-sleep-and-mood.tex", "handout-large-sleep-and-mood.tex"):
        assert r"\documentclass[a4paper" in tex(app, name)


@pytest.mark.sphinx("latex", testroot="latex", confoverrides={"kb_paper_size": "legal"})
def test_unknown_paper_size_warns_and_uses_letter(app):
    app.build()
    assert "kb_paper_size 'legal' is not one of letter, a4" in app.warning.getvalue()
    assert r"\documentclass[letterpaper" in tex(app, "handout-sleep-and-mood.tex")


@pytest.mark.sphinx("latex", testroot="latex", confoverrides={"kb_handouts": False})
def test_handouts_can_be_left_out(app):
    app.build()
    manifest = json.loads((app.outdir / latex.MANIFEST).read_text())
    assert [d["tex"] for d in manifest["documents"]] == ["handbook.tex"]


def test_qr_picture_draws_the_urls_qr_code():
    url = "https://kb.clinic.test/articles/a-page.html"
    picture = latex.qr_picture(url)
    matrix = segno.make(url, error="m", micro=False).matrix
    side = len(matrix) + 8
    dark = set()
    for x, y, width in re.findall(r"\\put\((\d+),(\d+)\)\{\\rule\{(\d+)\\unitlength\}", picture):
        row = side - 4 - 1 - int(y)
        dark.update((row, int(x) - 4 + i) for i in range(int(width)))
    assert dark == {(r, c) for r, row in enumerate(matrix) for c, v in enumerate(row) if v}


def test_the_stamp_reads_plainly():
    import datetime as dt

    assert latex.stamp(dt.date(2026, 12, 1)) == (
        "Printed on 1 December 2026. This copy may be out of date; "
        "the online version is the current one."
    )


def test_kb_build_pdf_warns_without_a_base_url(monkeypatch, capsys, tmp_path):
    report = pdf.Report(tmp_path, base_url="")
    monkeypatch.setattr(pdf, "build", lambda *a, **k: report)
    assert pdf.main(argparse.Namespace(clean=False)) == 0
    assert "kb: warning: no base URL" in capsys.readouterr().err
    report.base_url = BASE_URL
    assert pdf.main(argparse.Namespace(clean=False)) == 0
    assert "warning" not in capsys.readouterr().err


# -- The PDFs ---------------------------------------------------------------------------


def run(*cmd: str | Path) -> str:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=True).stdout


def pdf_text(path: Path, *options: str) -> str:
    return run("pdftotext", "-enc", "UTF-8", *options, path, "-")


@dataclass
class Built:
    root: Path
    report: pdf.Report
    _text: dict[Path, str] = field(default_factory=dict)

    @property
    def out(self) -> Path:
        return self.root / "docs" / "_build" / "pdf"

    def handout(self, slug: str, large: bool = False) -> Path:
        return self.out / ("handouts/large-print" if large else "handouts") / f"{slug}.pdf"

    def text(self, path: Path) -> str:
        if path not in self._text:
            self._text[path] = pdf_text(path)
        return self._text[path]

    def pages(self, path: Path) -> list[str]:
        return self.text(path).split("\f")[:-1]

    def body(self, path: Path) -> str:
        """A handout's text without the notices repeated at the top and foot
        of every page, so that a sentence split by a page break reads as one."""
        kept = []
        for page in self.pages(path):
            lines = [line for line in page.splitlines() if line.strip()]
            edges = set(range(2)) | set(range(len(lines) - 3, len(lines)))
            kept += [
                line
                for i, line in enumerate(lines)
                if not (i in edges and PAGE_FURNITURE.match(line))
            ]
        return "\n".join(kept)


PAGE_FURNITURE = re.compile(
    rf"^({re.escape(notices.CRISIS_SHORT)}|Printed on .*|Version .* Page \d+ of \d+|\d+)$"
)


def copy_knowledge_base(root: Path) -> Path:
    shutil.copytree(paths.DOCS, root / "docs", ignore=shutil.ignore_patterns("_build"))
    shutil.copy2(paths.BIBFILE, root / "references.bib")
    return root


def build_copy(root: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> Built:
    only = env.pop("_only", None)
    for name in ("KB_BASE_URL", "KB_PAPER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    report = pdf.build(root, only=only.split(",") if only else None)
    assert report.ok, report.errors
    return Built(root, report)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The real knowledge base as conf.py ships it (no base URL), US Letter,
    typeset once (in a copy: docs/_build is left alone)."""
    with pytest.MonkeyPatch.context() as mp:
        root = copy_knowledge_base(tmp_path_factory.mktemp("pdf") / "kb")
        return build_copy(root, mp)


@pytest.fixture(scope="session")
def with_address(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The handouts again, with the site's address configured."""
    with pytest.MonkeyPatch.context() as mp:
        root = copy_knowledge_base(tmp_path_factory.mktemp("pdf-url") / "kb")
        only = ",".join(f"handouts/{s}.pdf" for s in SLUGS)
        return build_copy(root, mp, KB_BASE_URL=BASE_URL, _only=only)


@pytest.fixture(scope="session")
def on_a4(tmp_path_factory: pytest.TempPathFactory) -> Built:
    with pytest.MonkeyPatch.context() as mp:
        root = copy_knowledge_base(tmp_path_factory.mktemp("pdf-a4") / "kb")
        only = ",".join(f"handouts/{s}.pdf" for s in SLUGS)
        return build_copy(root, mp, KB_PAPER="a4", _only=only)


@dataclass(frozen=True)
class Source:
    """What a handout must show, read from the article's own source."""

    path: Path

    @cached_property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @cached_property
    def article(self) -> schema.Article:
        article, problems = schema.load_article(self.text)
        assert article is not None, problems
        return article

    def block(self, directive: str) -> str:
        found = re.search(rf"^:::\{{{directive}\}}\n(.*?)^:::$", self.text, re.S | re.M)
        assert found, f"{self.path.name} has no {directive}"
        return found.group(1)


def sentences(text: str) -> list[str]:
    plain = glossary.plain_text(re.sub(r"^\s*[-*]\s+", "", text, flags=re.M))
    return [s for s in re.split(r"(?<=[.;:!?])\s+", plain) if len(letters(s)) > 12]


def term_linker():
    try:
        from kb.glossary import TermLinker  # type: ignore[attr-defined]
    except ImportError:
        from kb.importer import TermLinker
    return TermLinker(glossary.load())


def expected_stamp() -> str:
    """The stamp for this build's date (SOURCE_DATE_EPOCH, as kb build sets it)."""
    env = reproducible_env()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", env["SOURCE_DATE_EPOCH"])
        return stamp(build_date())


@pytest.mark.pdf
def test_the_book_and_two_handouts_per_article(built: Built):
    assert (built.out / BOOK).is_file()
    assert sorted(p.stem for p in (built.out / "handouts").glob("*.pdf")) == SLUGS
    assert sorted(p.stem for p in (built.out / "handouts/large-print").glob("*.pdf")) == SLUGS
    assert built.report.rebuilt == sorted(
        [BOOK, *(f"handouts/{s}.pdf" for s in SLUGS)]
        + [f"handouts/large-print/{s}.pdf" for s in SLUGS]
    )
    # kb bench's figures: every handout's page count, and its time.
    stats = pdf.handout_stats(built.report)
    assert {(slug, kind) for slug, kind, _, _ in stats} == {
        (s, k) for s in SLUGS for k in ("handout", "large-print")
    }
    assert all(pages > 0 and seconds and seconds > 0 for _, _, pages, seconds in stats)
    index = json.loads((built.out / pdf.INDEX).read_text())["pdfs"]
    assert index[BOOK]["pages"] == len(pypdf.PdfReader(built.out / BOOK).pages)


@pytest.mark.pdf
@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("slug", SLUGS)
def test_a_handout_is_one_sheet(built: Built, on_a4: Built, with_address: Built, paper, slug):
    """Two pages for an article up to about 1,200 words (both today), with
    or without the address and QR code."""
    for which in [built, with_address] if paper == "letter" else [on_a4]:
        path = which.handout(slug)
        reader = pypdf.PdfReader(path)
        expected = "(A4)" if paper == "a4" else "(letter)"
        assert expected in run("pdfinfo", path)
        assert len(reader.pages) <= 2, f"{slug} on {paper}: {len(reader.pages)} pages"


@pytest.mark.pdf
@pytest.mark.parametrize("path", ARTICLE_FILES, ids=SLUGS)
def test_handout_stands_on_its_own_in_leaflet_order(built: Built, path: Path):
    source = Source(path)
    article = source.article
    handout = built.handout(path.stem)
    text = " ".join(built.text(handout).split())
    flat = letters(built.body(handout))
    order = [
        article.title,
        article.summary,
        f"Evidence: {article.evidence_label}",
        "Key points",
        source.block("key-takeaway"),
        "Evidence quality note",
        "Terms used",
        "References",
        notices.CRISIS_SHORT,
        notices.DISCLAIMER_TEXT,
    ]
    # Each part is found after the one before it.
    positions = []
    at = 0
    for shown in order:
        first = sentences(shown)[0] if len(letters(shown)) > 60 else shown
        assert letters(first) in flat[at:], f"{shown!r} is not where it belongs"
        at = flat.index(letters(first), at)
        positions.append(at)
    # The article follows its key points; the evidence note follows the article.
    headings = re.findall(r"^## (.+)$", source.text, re.M)
    article_start = flat.index(letters(headings[0]), positions[4])
    assert article_start < positions[5]
    for directive in ("key-takeaway", "evidence-note"):
        for sentence in sentences(source.block(directive)):
            assert letters(sentence) in flat, sentence
    last = article.last_reviewed
    assert letters(f"Last reviewed: {latex_date(last)}" if last else "Not yet reviewed") in flat
    for disclosure in getattr(article, "disclosures", ()):
        assert letters(disclosure) in flat
    # Plain wording for the stamp, on every page, with the build date.
    pages = built.pages(handout)
    for page in pages:
        assert expected_stamp() in " ".join(page.split())
        assert notices.CRISIS_SHORT in " ".join(page.split())
    assert "uncontrolled" not in text.casefold()
    # No address is configured: no address, no QR code, and how to find it.
    assert "https://" not in text
    assert " ".join(FIND_ONLINE.format(site="", what="handout").split()[:8]) in text
    assert "??" not in text


def latex_date(day) -> str:
    from kb.sphinxext.articles import format_date

    return format_date(day)


@pytest.mark.pdf
@pytest.mark.parametrize("slug", SLUGS)
def test_every_glossary_term_in_the_handout_is_defined_in_it(built: Built, slug: str):
    """Linked or not, synonyms, plurals and abbreviations: the glossary's own
    matcher finds every term the printed text uses, and each is in "Terms used"."""
    text = built.text(built.handout(slug))
    terms_at = text.index("Terms used")
    terms = letters(text[terms_at : text.rindex("References")])
    linker = term_linker()
    linker.link(text)
    assert linker.linked, "the matcher found no term at all"
    words = glossary.load()
    missing = []
    for headword in linker.linked:
        entry = words.find(headword)
        # Each term with the first sentence of its definition.
        meaning = handout_mod.first_sentence(entry.plain_definition)
        defined = letters("".join(entry.terms)) + letters(meaning)
        if defined not in terms:
            missing.append(headword)
    assert missing == []


@pytest.mark.pdf
@pytest.mark.parametrize("slug", SLUGS)
def test_no_box_splits_and_no_citation_stands_alone(built: Built, slug: str):
    path = built.handout(slug)
    source = Source(paths.ARTICLES / f"{slug}.md")
    pages = [letters(p) for p in built.pages(path)]
    boxes = {
        "Key points": sentences(source.block("key-takeaway")),
        "Evidence quality note": sentences(source.block("evidence-note")),
    }
    for title, parts in boxes.items():
        # The page the box starts on holds all of it.
        (page,) = [p for p in pages if letters(title) in p][:1]
        missing = [part for part in parts if letters(part) not in page]
        assert missing == [], f"{title}: split across pages"
    # The closing crisis notice and disclaimer: one box, on the last page
    # (whose header carries the crisis line too).
    last = " ".join(built.pages(path)[-1].split())
    assert last.count(notices.CRISIS_SHORT) >= 2
    assert " ".join(notices.DISCLAIMER_TEXT.split()) in last
    # A line of the body is never only a citation such as "[1, 2]" or "[2]:".
    text = built.text(path)
    body = text[: text.rindex("References")]
    alone = [line for line in body.splitlines() if re.fullmatch(r"\s*\[[\d, ]+\][.,;:]?\s*", line)]
    starts = [line for line in body.splitlines() if re.match(r"\s*\[\d", line)]
    assert alone == [] and starts == []


@pytest.mark.pdf
@pytest.mark.parametrize("slug", SLUGS)
def test_handout_metadata_and_bookmarks(built: Built, slug: str):
    path = built.handout(slug)
    article = Source(paths.ARTICLES / f"{slug}.md").article
    info = dict(line.split(":", 1) for line in run("pdfinfo", path).splitlines() if ":" in line)
    info = {k.strip(): v.strip() for k, v in info.items()}
    assert info["Title"] == article.title
    assert info["Subject"] == article.summary
    assert info["Keywords"] == ", ".join(article.topic_labels)
    assert "kb" in info["Creator"] and "XeLaTeX" in info["Creator"]
    reader = pypdf.PdfReader(path)
    assert reader.trailer["/Root"]["/Lang"] == "en"
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    headings = re.findall(r"^## (.+)$", Source(paths.ARTICLES / f"{slug}.md").text, re.M)
    for heading in headings:
        assert any(letters(heading) == letters(t) for t in outline), (heading, outline)
    assert "Terms used" in outline


@pytest.mark.pdf
@pytest.mark.parametrize("slug", SLUGS)
def test_with_an_address_the_handout_prints_it_and_its_qr_code(with_address: Built, slug: str):
    url = f"{BASE_URL}articles/{slug}.html"
    path = with_address.handout(slug)
    assert url in re.sub(r"\s+", "", with_address.text(path))
    links = {
        a["/A"].get("/URI")
        for page in pypdf.PdfReader(path).pages
        for a in (r.get_object() for r in page.get("/Annots", []))
        if "/A" in a
    }
    assert url in links
    # Read the QR code back from the drawing: the rules XeLaTeX draws, as
    # module rows, equal the QR code of the handout's address.
    matrix = segno.make(url, error="m", micro=False).matrix
    expected = {(r, c) for r, row in enumerate(matrix) for c, v in enumerate(row) if v}
    page = pypdf.PdfReader(path).pages[-1]
    stream = page.get_contents().get_data().decode("latin-1")
    number = r"(-?[\d.]+)"
    strokes = [
        tuple(map(float, m))
        for m in re.findall(rf"{number} w {number} {number} m {number} {number} l S", stream)
    ]
    widths = [w for w, *_ in strokes]
    module = max(set(widths), key=widths.count)  # the QR's strokes outnumber the rest
    boxes = []
    for w, x1, y1, x2, y2 in strokes:
        if abs(w - module) > 0.01:
            continue
        if y1 == y2:  # a run along a row
            boxes.append((min(x1, x2), max(x1, x2), y1 + w / 2))
        else:  # a single module, drawn upright
            boxes.append((x1 - w / 2, x1 + w / 2, max(y1, y2)))
    left = min(b[0] for b in boxes)
    top = max(b[2] for b in boxes)
    found = set()
    for x1, x2, y_top in boxes:
        row = round((top - y_top) / module)
        found.update(
            (row, c) for c in range(round((x1 - left) / module), round((x2 - left) / module))
        )
    assert found == expected


def font_sizes(path: Path) -> list[float]:
    """The height of every word pdftotext finds: its font size, near enough."""
    boxes = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', pdf_text(path, "-bbox"))
    return sorted(float(b) - float(a) for a, b in boxes)


@pytest.mark.pdf
@pytest.mark.parametrize("slug", SLUGS)
def test_large_print_is_the_same_handout_at_14_pt(built: Built, slug: str):
    large = built.handout(slug, large=True)
    sizes = font_sizes(large)
    body = sizes[len(sizes) // 2]  # the median word: body text
    assert body >= 13.9, body
    assert font_sizes(built.handout(slug))[len(sizes) // 2 // 2] < 12
    normal = letters(built.body(built.handout(slug)))
    big = letters(built.body(large))
    source = Source(paths.ARTICLES / f"{slug}.md")
    for sentence in sentences(source.block("key-takeaway")):
        assert letters(sentence) in big
    assert letters("Terms used") in big and letters(notices.DISCLAIMER_TEXT) in big
    assert len(big) >= 0.95 * len(normal)


@pytest.mark.pdf
def test_pdfs_have_fonts_embedded_and_no_unresolved_references(built: Built):
    for path in sorted(built.out.rglob("*.pdf")):
        rows = run("pdffonts", path).splitlines()[2:]
        assert rows, path
        for row in rows:
            # name type encoding emb sub uni object ID
            assert row.split()[-5] == "yes", f"{path.name}: font not embedded: {row}"
        assert "??" not in built.text(path), path.name


@pytest.mark.pdf
def test_no_pdf_points_to_a_placeholder(built: Built, with_address: Built):
    for which in (built, with_address):
        for path in sorted(which.out.rglob("*.pdf")):
            text = which.text(path)
            uris = [
                str(a["/A"].get("/URI", ""))
                for page in pypdf.PdfReader(path).pages
                for a in (r.get_object() for r in page.get("/Annots", []))
                if "/A" in a
            ]
            for bad in ("example.org", "example.com"):
                assert bad not in text and not any(bad in u for u in uris), path


@pytest.mark.pdf
def test_the_book(built: Built):
    book = built.out / BOOK
    text = built.text(book)
    pages = built.pages(book)
    cover = " ".join(pages[0].split())
    assert "Ketamine & Esketamine for TRD: an open knowledge base" in cover
    assert "Version 0.1.0" in cover and expected_stamp() in cover
    assert "CONTENTS" in text.upper()
    for path in ARTICLE_FILES:
        assert letters(Source(path).article.title) in letters(text)
    # Glossary and bibliography are appendices, after the chapters.
    assert re.search(r"APPENDIX\s+A\s+GLOSSARY", text.upper())
    assert re.search(r"APPENDIX\s+B\s+BIBLIOGRAPHY", text.upper())
    # The home page is one front-matter chapter, not three numbered ones.
    assert not re.search(r"CHAPTER\s+\w+\s+START HERE", text.upper())
    assert not re.search(r"CHAPTER\s+\w+\s+NOT MEDICAL ADVICE", text.upper())
    # No thin pages after the cover; the crisis line on every one of them.
    for number, page in enumerate(pages[1:], start=2):
        words = len(page.split())
        assert words >= 60, f"page {number} holds {words} words"
        assert notices.CRISIS_SHORT in " ".join(page.split()), f"page {number}"
    # Each article's metadata prints as a labelled block, its badge a label.
    layout = pdf_text(book, "-layout")
    assert re.search(r"Evidence:\s+\S", layout)
    body = letters(text)
    for entry in glossary.load().entries:
        assert letters(entry.plain_definition)[:60] in body, entry.headword
    assert "https://" not in text


@pytest.mark.pdf
def test_every_page_rendered_for_a_person_to_look_at(built: Built, artifacts: Path):
    folder = artifacts / "pdf"
    folder.mkdir(exist_ok=True)
    for path in sorted(built.out.rglob("*.pdf")):
        name = path.relative_to(built.out).with_suffix("").as_posix().replace("/", "-")
        run("pdftoppm", "-png", "-r", "50", path, folder / name)
        pages = sorted(folder.glob(f"{name}-*.png"))
        assert len(pages) == len(pypdf.PdfReader(path).pages)
        assert all(p.stat().st_size > 5_000 for p in pages)


NEW_ARTICLE = """\
---
title: A page added for the rebuild test
summary: Written by the test suite to check that only its handout is typeset.
audience: both
topics: [shared-decision-making]
evidence_basis: expert-opinion
sources: [{key}]
last_reviewed: 2026-01-10
next_review: 2027-01-10
review_status: draft
---
# A page added for the rebuild test

Test words that link a {{term}}`remission` and cite {{cite:p}}`{key}`.

:::{{key-takeaway}}
Test takeaway.
:::

:::{{evidence-note}}
Test evidence note.
:::

## References

:::{{bibliography}}
:filter: docname in docnames
:::
"""


@pytest.mark.pdf
def test_only_the_changed_and_the_added_articles_handouts_are_typeset(built: Built, tmp_path: Path):
    root = tmp_path / "kb"
    shutil.copytree(built.root, root)
    changed = root / "docs" / "articles" / f"{SLUGS[0]}.md"
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("\n## ", "\nA sentence added by the test.\n\n## ", 1))
    key = schema.load_article(text)[0].sources[0]
    added = root / "docs" / "articles" / "added-by-the-test.md"
    added.write_text(NEW_ARTICLE.format(key=key), encoding="utf-8")

    report = pdf.build(root, only=[f"handouts/{SLUGS[0]}.pdf", *SLUGS[1:], "added-by-the-test"])
    assert report.ok, report.errors
    assert sorted(report.rebuilt) == sorted(
        [
            f"handouts/{SLUGS[0]}.pdf",
            "handouts/added-by-the-test.pdf",
            "handouts/large-print/added-by-the-test.pdf",
        ]
    )
    assert sorted(report.skipped) == sorted(
        [f"handouts/{s}.pdf" for s in SLUGS[1:]]
        + [f"handouts/large-print/{s}.pdf" for s in SLUGS[1:]]
    )
    assert "A sentence added by the test." in " ".join(
        pdf_text(root / "docs/_build/pdf/handouts" / f"{SLUGS[0]}.pdf").split()
    )
    # The large print of the changed page is out of date too.
    again = pdf.build(root, only=[f"handouts/large-print/{SLUGS[0]}.pdf"])
    assert again.rebuilt == [f"handouts/large-print/{SLUGS[0]}.pdf"]

    # An article that is removed takes both its handouts with it.
    added.unlink()
    again = pdf.build(root, only=[])
    assert sorted(again.removed) == [
        "handouts/added-by-the-test.pdf",
        "handouts/large-print/added-by-the-test.pdf",
    ]


@pytest.mark.pdf
def test_unicode_prints_and_paper_is_a4_when_asked(
    tmp_path: Path, rootdir: Path, monkeypatch: pytest.MonkeyPatch
):
    root = tmp_path / "handbook"
    shutil.copytree(rootdir / "test-latex", root / "docs")
    monkeypatch.setenv("KB_PAPER", "a4")
    report = pdf.build(root, only=["handouts/sleep-and-mood.pdf"])
    assert report.ok, report.errors
    assert report.rebuilt == ["handouts/sleep-and-mood.pdf"]
    handout = root / "docs/_build/pdf/handouts/sleep-and-mood.pdf"
    text = pdf_text(handout)
    assert "≥, ±, µ, “curly quotes”, an en dash – and an em dash —" in text  # noqa: RUF001
    assert "Müller, Åsa and Núñez" in text
    assert "(A4)" in run("pdfinfo", handout)


def test_a_page_sphinx_rejects_stops_the_build_with_its_file_and_line(
    tmp_path: Path, rootdir: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    root = tmp_path / "handbook"
    shutil.copytree(rootdir / "test-latex", root / "docs")
    page = root / "docs/articles/sleep-and-mood.md"
    page.write_text(page.read_text().replace("review_status: draft", "review_status: done"))
    monkeypatch.setattr(paths, "ROOT", root)
    assert pdf.main(argparse.Namespace(clean=False)) == 1
    err = capsys.readouterr().err
    assert err.startswith("kb: error: Sphinx could not write the LaTeX files:")
    assert "sleep-and-mood.md:10: WARNING: unknown review_status 'done'" in err
    assert "Traceback" not in err
    assert not (root / "docs/_build/pdf").exists()


# -- The PDFs on the site ------------------------------------------------------------------


@pytest.fixture(scope="session")
def site_with_pdfs(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site built as ``kb build all`` builds it: after the PDFs."""
    from conftest import sphinx_build

    out = tmp_path_factory.mktemp("site-pdf")
    warnings = sphinx_build(built.root / "docs", out, "html", "-D", f"kb_pdf_dir={built.out}")
    assert "ERROR" not in warnings and "WARNING" not in warnings, warnings
    return out / "html"


@pytest.mark.pdf
@pytest.mark.parametrize("slug", SLUGS)
def test_every_article_page_links_its_handouts(site_with_pdfs: Path, built: Built, slug: str):
    page = (site_with_pdfs / "articles" / f"{slug}.html").read_text(encoding="utf-8")
    index = json.loads((built.out / pdf.INDEX).read_text())["pdfs"]
    for output, text in (
        (f"handouts/{slug}.pdf", "Print this page for a patient"),
        (f"handouts/large-print/{slug}.pdf", "Large print"),
    ):
        href = f"../pdf/{output}"
        found = re.search(rf'<a [^>]*href="{re.escape(href)}"[^>]*>{text}</a> \((.*?)\)', page)
        assert found, (output, page[:200])
        pages = len(pypdf.PdfReader(built.out / output).pages)
        assert found.group(1).startswith(f"PDF, {pages} page")
        assert found.group(1) == pdf_links.describe(index[output])
        published = site_with_pdfs / "pdf" / output
        assert published.read_bytes() == (built.out / output).read_bytes()


@pytest.mark.pdf
def test_home_and_about_link_the_book_and_no_link_is_broken(site_with_pdfs: Path):
    for docname in ("index", "about/index"):
        page = (site_with_pdfs / f"{docname}.html").read_text(encoding="utf-8")
        assert re.search(rf'href="(\.\./)?pdf/{BOOK}"[^>]*>{pdf_links.BOOK_TEXT}</a>', page)
    checker = LinkChecker(site_with_pdfs)
    pages = sorted(p for p in site_with_pdfs.rglob("*.html") if "_static" not in p.parts)
    assert checker.broken(pages) == []
    for path in site_with_pdfs.rglob("*"):
        if path.suffix in {".html", ".js", ".json", ".xml", ".txt"}:
            content = path.read_text(encoding="utf-8", errors="replace")
            assert "example.org" not in content and "example.com" not in content, path


def test_a_missing_pdf_fails_the_html_build(rootdir: Path, tmp_path: Path, strict_build):
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    (pdfs / pdf.INDEX).write_text(json.dumps({"pdfs": {}}))
    warnings = strict_build(
        rootdir / "test-latex", tmp_path / "out", "html", "-D", f"kb_pdf_dir={pdfs}"
    )
    assert "handouts/sleep-and-mood.pdf was not built" in warnings
    assert "the book was not built" in warnings


# -- Publishing ------------------------------------------------------------------------------


def test_the_deploy_workflow_publishes_the_site_with_its_pdfs_and_least_permissions():
    import yaml

    path = paths.ROOT / ".github" / "workflows" / "deploy.yml"
    text = path.read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    assert workflow["permissions"] == {}
    assert workflow[True]["push"]["branches"] == ["main"]  # YAML reads "on" as True
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    uses = {
        s["uses"].split("@")[0]: s for job in (build, deploy) for s in job["steps"] if "uses" in s
    }
    for action in (
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    ):
        assert action in uses, action
    for action, comment in re.findall(r"uses:\s*(\S+)(.*)", text):
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r"\s*# v\d+(\.\d+)*", comment), f"{action}: no version comment"
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "docs/_build/html/"
    (make,) = [s for s in build["steps"] if s.get("run") == "make build"]
    assert make["env"]["KB_BASE_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert uses["actions/checkout"]["with"]["persist-credentials"] is False

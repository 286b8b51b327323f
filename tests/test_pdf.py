"""PDFs for clinics: the book and one handout per article (issue 5).

Two layers:

- The LaTeX that ``kb.sphinxext.latex`` writes, from the small root
  ``tests/roots/test-latex`` (Sphinx only, no TeX: fast).
- The PDFs themselves (``pdf`` marker): the real knowledge base is typeset
  once per session and read back with pdftotext, pdffonts and pypdf, as a
  clinician would read it; a copy is then edited to show that only the
  edited (and the added) article's handout is typeset again. The first page
  of every handout is saved as a PNG in ``test-artifacts/`` for a person.
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

import pybtex.database
import pypdf
import pytest
import segno

from kb import glossary, paths, pdf, schema
from kb.sphinxext import latex
from kb.sphinxext.articles import format_date

ARTICLE_FILES = sorted(p for p in paths.ARTICLES.glob("*.md") if p.stem != "index")
SLUGS = [p.stem for p in ARTICLE_FILES]
BOOK = "ketamine-trd-kb.pdf"
MAX_HANDOUT_PAGES = 4


def letters(text: str) -> str:
    """Only the letters: compares text across line breaks, hyphenation,
    citation numbers and typographic punctuation."""
    return re.sub(r"[^a-z]", "", text.casefold())


# -- The LaTeX (Sphinx only) ----------------------------------------------------------------


def tex(app, name: str) -> str:
    return (app.outdir / name).read_text(encoding="utf-8")


@pytest.mark.sphinx("latex", testroot="latex")
def test_one_handout_per_article_and_a_manifest(app):
    app.build()
    assert app.warning.getvalue() == ""
    manifest = json.loads((app.outdir / latex.MANIFEST).read_text())
    assert {(d["tex"], d["output"], d["kind"]) for d in manifest["documents"]} == {
        ("handbook.tex", "handbook.pdf", "book"),
        ("handout-sleep-and-mood.tex", "handouts/sleep-and-mood.pdf", "handout"),
        ("handout-talking-it-through.tex", "handouts/talking-it-through.pdf", "handout"),
    }
    assert (app.outdir / "kb.sty").is_file()


@pytest.mark.sphinx("latex", testroot="latex")
def test_takeaway_and_evidence_note_are_their_own_boxes(app):
    app.build()
    for name in ("handbook.tex", "handout-sleep-and-mood.tex"):
        text = tex(app, name)
        assert r"\begin{kbtakeaway}{Key takeaway}" in text
        assert r"\begin{kbevidencenote}{Evidence quality note}" in text
        assert r"\begin{sphinxadmonition}{note}" not in text


@pytest.mark.sphinx("latex", testroot="latex")
def test_handout_prints_its_terms_and_its_own_sources(app):
    app.build()
    text = tex(app, "handout-sleep-and-mood.tex")
    terms = text[text.index(latex.TERMS_TITLE) :]
    # The terms the article links (a synonym on the headword's line), not others.
    assert r"\sphinxlineitem{Gadget" in terms and "Thingamajig" in terms
    assert r"\sphinxlineitem{Widget" in terms
    assert r"\sphinxlineitem{Doohickey" not in terms
    # Its source, then the one a printed definition cites; not the other page's.
    refs = re.findall(r"\\kbreference\{(\d+)\}\{([^}]*)\}\s*\\sphinxAtStartPar\s*(\w+)", text)
    assert [(label, word) for label, _, word in refs] == [("1", "Alpha"), ("2", "Gamma")]
    assert "Beta fixture" not in text
    # Every citation links to an entry of this handout's list, and nothing
    # is left for Sphinx's end-of-document bibliography.
    anchors = {anchor for _, anchor, _ in refs}
    links = set(re.findall(r"\\hyperlink\{(cite\.[^}]*)\}", text))
    assert links and links <= anchors
    assert "sphinxthebibliography" not in text
    # A term link points into the handout; the term only a definition
    # mentions stays plain text, and other pages are not linked by mistake.
    assert r"\hyperref[\detokenize{articles/sleep-and-mood:term-Widget}]" in text
    assert "term-Doohickey" not in text
    assert "Related articles" not in text


@pytest.mark.sphinx("latex", testroot="latex")
def test_handout_carries_notices_address_and_qr_code(app):
    app.build()
    text = tex(app, "handout-sleep-and-mood.tex")
    url = "https://handbook.example.org/articles/sleep-and-mood.html"
    assert latex.qr_picture(url) in text
    assert r"\href{https://handbook.example.org/articles/sleep-and-mood.html}" in text
    assert r"\begin{kbcrisis}\kbcrisistext\end{kbcrisis}" in text
    assert r"\kbhandoutlayout" in text  # the per-page notices
    # The date is on its own, marked line: the PDF cache leaves it out.
    (date_line,) = [line for line in text.splitlines() if latex.VOLATILE in line]
    assert date_line.startswith(r"\renewcommand{\kbbuilddate}")


@pytest.mark.sphinx("latex", testroot="latex")
def test_book_has_chapters_cards_as_a_list_and_lists_in_place(app):
    app.build()
    text = tex(app, "handbook.tex")
    # The pages the home page's toctree lists are chapters, after its own.
    chapters = re.findall(r"^\\chapter\{(.*)\}$", text, re.M)
    assert chapters == [
        "Test handbook",
        "Start here",
        "Last section",
        "Articles",
        "Shared decision\\sphinxhyphen{}making",
        "Glossary",
        "Bibliography",
    ]
    # Cards: one line each, linked title and page number, then their text.
    assert "sd-card" not in text
    assert re.search(
        r"\\sphinxlineitem\{\{\\hyperref\[\\detokenize\{articles/sleep-and-mood::doc\}\]"
        r".*Sleep and mood.*\(page~\\pageref\*\{\\detokenize\{articles/sleep-and-mood::doc\}\}\)",
        text,
    )
    # Each page's numbered list stays under its own heading.
    for match in re.finditer(r"\\section\{References\}", text):
        following = text[match.end() : match.end() + 400]
        assert r"\begin{kbreferences}" in following
    assert "sphinxthebibliography" not in text
    assert r"\kbbookcover" in text


@pytest.mark.sphinx("latex", testroot="latex", confoverrides={"kb_paper_size": "a4"})
def test_paper_size_is_configurable(app):
    app.build()
    for name in ("handbook.tex", "handout-sleep-and-mood.tex"):
        assert r"\documentclass[a4paper" in tex(app, name)


@pytest.mark.sphinx("latex", testroot="latex", confoverrides={"kb_paper_size": "legal"})
def test_unknown_paper_size_warns_and_uses_letter(app):
    app.build()
    assert "kb_paper_size 'legal' is not one of letter, a4" in app.warning.getvalue()
    assert r"\documentclass[letterpaper" in tex(app, "handout-sleep-and-mood.tex")


def test_qr_picture_draws_the_urls_qr_code():
    url = "https://kb.example.org/articles/a-page.html"
    picture = latex.qr_picture(url)
    matrix = segno.make(url, error="m", micro=False).matrix
    side = len(matrix) + 8
    dark = set()
    for x, y, width in re.findall(r"\\put\((\d+),(\d+)\)\{\\rule\{(\d+)\\unitlength\}", picture):
        row = side - 4 - 1 - int(y)
        dark.update((row, int(x) - 4 + i) for i in range(int(width)))
    assert dark == {(r, c) for r, row in enumerate(matrix) for c, v in enumerate(row) if v}


# -- The PDFs ---------------------------------------------------------------------------


def run(*cmd: str | Path) -> str:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=True).stdout


@dataclass
class Built:
    root: Path
    report: pdf.Report
    _text: dict[Path, str] = field(default_factory=dict)

    @property
    def out(self) -> Path:
        return self.root / "docs" / "_build" / "pdf"

    def handout(self, slug: str) -> Path:
        return self.out / "handouts" / f"{slug}.pdf"

    def text(self, path: Path) -> str:
        if path not in self._text:
            self._text[path] = run("pdftotext", "-enc", "UTF-8", path, "-")
        return self._text[path]

    def body(self, path: Path) -> str:
        """A handout's text without the notices repeated on every page, so
        that a sentence split by a page break reads as one."""
        return "\n".join(
            line for line in self.text(path).splitlines() if not PAGE_FURNITURE.match(line)
        )


PAGE_FURNITURE = re.compile(
    rf"^({re.escape(latex.CRISIS_SHORT)}"
    rf"|{re.escape(latex.UNCONTROLLED)} Version .*"
    r"|https://\S+\.html"
    r"|Page \d+ of \d+)$"
)


def copy_knowledge_base(root: Path) -> Path:
    shutil.copytree(paths.DOCS, root / "docs", ignore=shutil.ignore_patterns("_build"))
    shutil.copy2(paths.BIBFILE, root / "references.bib")
    return root


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The real knowledge base, typeset once (in a copy: docs/_build is left alone)."""
    root = copy_knowledge_base(tmp_path_factory.mktemp("pdf") / "kb")
    report = pdf.build(root)
    assert report.ok, report.errors
    return Built(root, report)


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

    def terms(self) -> list[glossary.Entry]:
        words = glossary.load()
        entries = {}
        for m in re.finditer(r"\{term\}`([^`]*)`", self.text):
            body = m.group(1)
            target = re.match(r"^.*?<([^<>]+)>$", body, re.S)
            entry = words.find(target.group(1) if target else body)
            assert entry is not None, body
            entries[entry.headword] = entry
        return list(entries.values())

    def cited_keys(self) -> set[str]:
        keys = set(self.article.sources)
        for m in re.finditer(r"\{cite:[a-z]+\}`([^`]*)`", self.text):
            keys.update(k.strip() for k in m.group(1).split(","))
        return keys


def sentences(text: str) -> list[str]:
    plain = glossary.plain_text(re.sub(r"^\s*[-*]\s+", "", text, flags=re.M))
    return [s for s in re.split(r"(?<=[.;:!?])\s+", plain) if len(letters(s)) > 12]


def bib_text(key: str) -> str:
    """The words of a source that its printed entry must show."""
    entry = pybtex.database.parse_file(str(paths.BIBFILE)).entries[key]
    raw = entry.fields.get("title") or entry.fields.get("note") or entry.fields["howpublished"]
    return letters(raw.replace("{", "").replace("}", ""))[:40]


@pytest.mark.pdf
def test_the_book_and_a_handout_per_article(built: Built):
    assert (built.out / BOOK).is_file()
    assert sorted(p.stem for p in (built.out / "handouts").glob("*.pdf")) == SLUGS
    assert built.report.rebuilt == sorted([BOOK, *(f"handouts/{s}.pdf" for s in SLUGS)])


@pytest.mark.pdf
@pytest.mark.parametrize("path", ARTICLE_FILES, ids=SLUGS)
def test_handout_stands_on_its_own(built: Built, path: Path):
    source = Source(path)
    article = source.article
    handout = built.handout(path.stem)
    text = built.text(handout)
    flat = letters(built.body(handout))
    # Title, summary, review status and dates.
    for shown in (
        article.title,
        article.summary,
        article.review_status_label,
        "Last reviewed: "
        + (format_date(article.last_reviewed) if article.last_reviewed else "Not yet reviewed"),
        *([f"Next review due: {format_date(article.next_review)}"] if article.next_review else []),
    ):
        assert letters(shown) in flat, shown
    # The article, with its two boxes.
    assert "Key takeaway" in text and "Evidence quality note" in text
    for directive in ("key-takeaway", "evidence-note"):
        for sentence in sentences(source.block(directive)):
            assert letters(sentence) in flat, sentence
    # Its sources, and what each linked term means.
    references = text[text.rindex("References") :]
    for key in source.cited_keys():
        assert bib_text(key) in letters(references), key
    terms = text[text.index(latex.TERMS_TITLE) : text.rindex("References")]
    for entry in source.terms():
        assert letters(entry.headword) in letters(terms), entry.headword
        assert letters(entry.plain_definition) in letters(terms), entry.headword
    # Disclaimer, crisis notice, address, and the uncontrolled-copy notice.
    assert letters(latex.DISCLAIMER_TEXT) in flat
    assert "call or text 988 (Suicide & Crisis Lifeline)" in " ".join(text.split())
    url = f"https://ketamine-trd-kb.example.org/articles/{path.stem}.html"
    assert url in re.sub(r"\s+", "", text)
    links = {
        a["/A"].get("/URI")
        for page in pypdf.PdfReader(handout).pages
        for a in (r.get_object() for r in page.get("/Annots", []))
    }
    assert url in links
    assert "Printed copies are uncontrolled — check the online version." in text
    assert "Version 0.1.0" in text
    assert "??" not in text
    pages = text.split("\f")[:-1]
    assert len(pages) == len(pypdf.PdfReader(handout).pages) <= MAX_HANDOUT_PAGES
    for number, page in enumerate(pages, start=1):
        body = [line for line in page.splitlines() if line.strip()]
        body = [line for line in body if not PAGE_FURNITURE.match(line)]
        assert len(body) > 3, f"page {number} is (nearly) blank"


@pytest.mark.pdf
@pytest.mark.parametrize("slug", SLUGS)
def test_handout_qr_code_is_its_address(built: Built, slug: str):
    """Read the QR code back from the drawing in the PDF: the rules XeLaTeX
    draws, as module rows, equal the QR code of the handout's address."""
    url = f"https://ketamine-trd-kb.example.org/articles/{slug}.html"
    matrix = segno.make(url, error="m", micro=False).matrix
    expected = {(r, c) for r, row in enumerate(matrix) for c, v in enumerate(row) if v}
    page = pypdf.PdfReader(built.handout(slug)).pages[-1]
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


@pytest.mark.pdf
def test_pdfs_have_fonts_embedded_and_no_unresolved_references(built: Built):
    for path in [built.out / BOOK, *(built.handout(s) for s in SLUGS)]:
        rows = run("pdffonts", path).splitlines()[2:]
        assert rows, path
        for row in rows:
            # name type encoding emb sub uni object ID
            assert row.split()[-5] == "yes", f"{path.name}: font not embedded: {row}"
        assert "??" not in built.text(path), path.name


@pytest.mark.pdf
def test_the_book(built: Built):
    book = built.out / BOOK
    text = built.text(book)
    pages = text.split("\f")[:-1]
    cover = pages[0]
    assert "Ketamine & Esketamine for TRD: an open knowledge base" in " ".join(cover.split())
    assert "Version 0.1.0" in cover and "Built " in cover
    assert "CONTENTS" in text.upper()
    for path in ARTICLE_FILES:
        assert letters(Source(path).article.title) in letters(text)
    for chapter in ("Glossary", "Bibliography"):
        assert re.search(rf"^{chapter.upper()}$", text, re.M), chapter
    # Inside the running head and foot (US Letter), so that a definition
    # split by a page break reads as one.
    body = letters(
        run(
            "pdftotext", "-enc", "UTF-8", "-x", "0", "-y", "60", "-W", "612", "-H", "660", book, "-"
        )
    )
    for entry in glossary.load().entries:
        assert letters(entry.plain_definition) in body, entry.headword
    for key in pybtex.database.parse_file(str(paths.BIBFILE)).entries:
        assert bib_text(key) in letters(text), key
    # No blank pages, and no chapter that is only a heading.
    for number, page in enumerate(pages, start=1):
        body = [line for line in page.splitlines() if line.strip()]
        assert len(body) > 3, f"page {number} is (nearly) empty: {body}"
    # The home page's cards: a title line with its page, then its text.
    layout = run("pdftotext", "-layout", "-enc", "UTF-8", book, "-")
    for title in re.findall(
        r"^:::\{grid-item-card\} (.+)$", (paths.DOCS / "index.md").read_text(), re.M
    ):
        assert re.search(rf"^\s*{re.escape(title)} \(page \d+\)\s*$", layout, re.M), title
    # Every "References" heading has its list under it.
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        if re.fullmatch(r"(\d+(\.\d+)*\s+)?References", line):
            assert lines[i + 1].startswith("[1]"), lines[i : i + 3]


@pytest.mark.pdf
def test_first_pages_for_a_person_to_look_at(built: Built, artifacts: Path):
    folder = artifacts / "pdf"
    folder.mkdir(exist_ok=True)
    for name, path in [("book-cover", built.out / BOOK)] + [
        (f"handout-{s}", built.handout(s)) for s in SLUGS
    ]:
        prefix = folder / name
        run("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", path, prefix)
        assert prefix.with_suffix(".png").stat().st_size > 10_000


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

    report = pdf.build(root)
    assert report.ok, report.errors
    assert report.rebuilt_handouts == sorted([SLUGS[0], "added-by-the-test"])
    assert sorted(report.skipped) == sorted(f"handouts/{s}.pdf" for s in SLUGS[1:])
    assert "A sentence added by the test." in run(
        "pdftotext", root / "docs/_build/pdf/handouts" / f"{SLUGS[0]}.pdf", "-"
    )

    # An article that is removed takes its handout with it.
    added.unlink()
    again = pdf.build(root, only=[])
    assert again.removed == ["handouts/added-by-the-test.pdf"]


@pytest.mark.pdf
def test_unicode_prints_and_paper_is_a4_when_asked(
    tmp_path: Path, rootdir: Path, monkeypatch: pytest.MonkeyPatch
):
    root = tmp_path / "handbook"
    shutil.copytree(rootdir / "test-latex", root / "docs")
    monkeypatch.setenv("KB_PAPER", "a4")
    report = pdf.build(root, only=["sleep-and-mood"])
    assert report.ok, report.errors
    assert report.rebuilt == ["handouts/sleep-and-mood.pdf"]
    handout = root / "docs/_build/pdf/handouts/sleep-and-mood.pdf"
    text = run("pdftotext", "-enc", "UTF-8", handout, "-")
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


@pytest.mark.sphinx("latex", testroot="latex", confoverrides={"kb_handouts": False})
def test_handouts_can_be_left_out(app):
    app.build()
    manifest = json.loads((app.outdir / latex.MANIFEST).read_text())
    assert [d["tex"] for d in manifest["documents"]] == ["handbook.tex"]

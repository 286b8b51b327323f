"""The knowledge base is written in its own words.

GUIDE.md: no run of ten or more consecutive words from a source outside
quotation marks. This test compares every page under docs/ (front matter and
body), the topic and evidence texts in kb.schema and the fields of
references.bib with the source texts in ../shared/seeds/.

Words are compared after normalising case, punctuation and whitespace, so
re-punctuating a copied sentence does not hide it. Text inside double quotation
marks (straight or curly) is a quotation and is skipped; so is the target of a
``{term}`text <target>``` role and every citation role, which readers never see.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from kb import paths, schema

SEEDS = paths.ROOT.parent / "shared" / "seeds"

#: The shortest run of copied words that fails.
RUN = 10

_WORD = re.compile(r"[a-z0-9]+")
#: Splits text so that no run of words is counted across it.
_BREAK = "\x00"
#: A quotation: double quotes, straight or curly, within one paragraph.
_QUOTED = re.compile(r'"[^"\n]*(?:\n(?![ \t]*\n)[^"\n]*)*"|\u201c[^\u201d]*\u201d')
_CITE = re.compile(r"\{cite(?::\w+)?\}`[^`]*`")
_ROLE = re.compile(r"\{[\w:-]+\}`(?P<body>[^`]*)`")
_EXPLICIT_TARGET = re.compile(r"\s*<[^<>`]+>$")


@dataclass(frozen=True)
class Copied:
    where: str
    line: int
    words: str


def reader_text(text: str) -> str:
    """The words a reader sees, with quotations replaced by a break.

    Newlines are kept, so offsets still map to the source's lines.
    """

    def blank(match: re.Match[str]) -> str:
        return _BREAK + re.sub(r"[^\n]", " ", match.group(0))[1:]

    text = _QUOTED.sub(blank, text)
    text = _CITE.sub(" ", text)
    return _ROLE.sub(lambda m: _EXPLICIT_TARGET.sub("", m.group("body")), text)


def words_with_offsets(text: str) -> list[list[tuple[str, int]]]:
    """Runs of (word, offset), lower-cased; a break ends a run."""
    runs: list[list[tuple[str, int]]] = [[]]
    for part in re.finditer(rf"[^{_BREAK}]+|{_BREAK}", text.lower()):
        if part.group(0) == _BREAK:
            runs.append([])
            continue
        runs[-1].extend(
            (m.group(0), part.start() + m.start()) for m in _WORD.finditer(part.group(0))
        )
    return [run for run in runs if run]


def ngrams(words: list[str], n: int = RUN) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def seed_ngrams(texts: list[str]) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for text in texts:
        found |= ngrams(_WORD.findall(text.lower()))
    return found


def copied_runs(
    where: str, text: str, seeds: set[tuple[str, ...]], first_line: int = 1
) -> list[Copied]:
    """Each maximal run of RUN or more words of ``text`` that a seed contains."""
    shown = reader_text(text)
    newlines = [m.start() for m in re.finditer("\n", shown)]
    found = []
    for run in words_with_offsets(shown):
        words = [w for w, _ in run]
        i = 0
        while i <= len(words) - RUN:
            if tuple(words[i : i + RUN]) not in seeds:
                i += 1
                continue
            end = i + RUN
            while end < len(words) and tuple(words[end - RUN + 1 : end + 1]) in seeds:
                end += 1
            line = first_line + bisect.bisect(newlines, run[i][1])
            found.append(Copied(where, line, " ".join(words[i:end])))
            i = end
    return found


def report(found: list[Copied]) -> str:
    return "\n".join(
        f"{c.where}:{c.line}: {len(c.words.split())} words copied from a source "
        f"(reword it, or quote it in quotation marks): {c.words!r}"
        for c in found
    )


# -- The checker checks (fixtures written for this test, not from a source) --

FAKE_SEED = (
    "The harbour lights were dimmed at nine because the old ferry captain "
    "wanted every passenger to see the northern stars over the bay."
)
FAKE_SEEDS = seed_ngrams([FAKE_SEED])


def test_a_ten_word_run_is_found_whatever_the_case_and_punctuation():
    page = "Intro.\nThe Harbour lights -- were dimmed, at NINE because the old\nferry sailed."
    (hit,) = copied_runs("page.md", page, FAKE_SEEDS)
    assert hit.line == 2
    assert hit.words == "the harbour lights were dimmed at nine because the old ferry"


def test_nine_words_pass():
    assert not copied_runs(
        "page.md", "the harbour lights were dimmed at nine because the", FAKE_SEEDS
    )


def test_quotations_are_skipped_but_do_not_join_what_is_around_them():
    quoted = 'As one sailor put it, "the harbour lights were dimmed at nine because the old".'
    assert not copied_runs("page.md", quoted, FAKE_SEEDS)
    curly = "\u201cthe harbour lights were dimmed at nine because the old\u201d"
    assert not copied_runs("page.md", curly, FAKE_SEEDS)
    split = 'the harbour lights were dimmed "at" nine because the old ferry captain'
    assert not copied_runs("page.md", split, FAKE_SEEDS)


def test_an_unclosed_quote_does_not_hide_the_next_paragraph():
    page = 'He said "hello.\n\nthe harbour lights were dimmed at nine because the old ferry'
    (hit,) = copied_runs("page.md", page, FAKE_SEEDS)
    assert hit.line == 3


def test_roles_show_their_text_and_hide_targets_and_citations():
    page = (
        "the {term}`harbour lights <Lights>` were dimmed {cite:p}`key` at nine "
        "because the old ferry"
    )
    (hit,) = copied_runs("page.md", page, FAKE_SEEDS)
    assert hit.words.startswith("the harbour lights were dimmed at nine")


# -- The knowledge base against the seeds -------------------------------------


def seeds() -> set[tuple[str, ...]]:
    return _seeds() or pytest.skip(
        f"no source texts: {SEEDS} is absent or empty (CI has it beside the clone)"
    )


@functools.cache
def _seeds() -> frozenset[tuple[str, ...]]:
    files = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    return frozenset(seed_ngrams([f.read_text(encoding="utf-8", errors="replace") for f in files]))


PAGES = sorted(p for p in paths.DOCS.rglob("*.md") if "_build" not in p.parts)


def test_there_are_pages_to_check():
    rel = {p.relative_to(paths.DOCS).as_posix() for p in PAGES}
    assert {"index.md", "glossary.md"} <= rel
    assert any(r.startswith("articles/") and r != "articles/index.md" for r in rel)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(paths.DOCS).as_posix())
def test_page_is_in_its_own_words(page: Path):
    source = seeds()
    where = page.relative_to(paths.ROOT).as_posix()
    text = page.read_text(encoding="utf-8")
    front = schema.split_front_matter(text)
    found = []
    # Front-matter values may be YAML-quoted: check the values, not the YAML.
    for key, value in front.data.items():
        values = value if isinstance(value, list) else [value]
        line = front.key_lines.get(key, (1, 1))[0]
        for item in values:
            if isinstance(item, str):
                found += copied_runs(where, item, source, first_line=line)
    lines = text.splitlines(keepends=True)
    body = "".join(lines[front.body_start - 1 :]) if front.present else text
    found += copied_runs(where, body, source, first_line=front.body_start)
    assert not found, report(found)


def test_schema_texts_are_in_their_own_words():
    source = seeds()
    found = []
    for slug, topic in schema.TOPICS.items():
        for text in (topic.label, topic.description):
            found += copied_runs(f"kb.schema.TOPICS[{slug!r}]", text, source)
    for slug, basis in schema.EVIDENCE_BASES.items():
        for text in (basis.label, basis.description):
            found += copied_runs(f"kb.schema.EVIDENCE_BASES[{slug!r}]", text, source)
    assert not found, report(found)


def test_references_bib_is_in_its_own_words():
    source = seeds()
    text = paths.BIBFILE.read_text(encoding="utf-8")
    # Braces are BibTeX markup, not quotation marks.
    found = copied_runs(paths.BIBFILE.name, text.replace("{", " ").replace("}", " "), source)
    assert not found, report(found)

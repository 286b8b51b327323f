"""Reading level: text for patients reads at US grade 8 or below.

Measured with textstat's Flesch-Kincaid grade on what a reader reads (markup
stripped by :mod:`kb.lint.myst`: roles reduced to their visible text;
citations, code, raw HTML and front matter left out), one unit at a time:

- each section of an article for patients: the opening under the title, and
  the prose under every heading up to the next one;
- each box (a Key takeaway, an Evidence quality note, any other admonition
  or dropdown), measured on its own and not as part of its section;
- each glossary definition.

A unit above the limit is an error located at its hardest paragraph (so a
hard paragraph added to a page is reported at its own line), and the message
names the unit, its grade and its hardest sentences with their lines.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kb.lint import myst

if TYPE_CHECKING:
    from kb.glossary import Glossary

#: Highest US school grade for text for patients (NIH guidance: below grade 8).
MAX_GRADE = 8.0
#: A paragraph this far above the limit is reported even when the rest of its
#: section brings the section's grade down: easy text around it does not
#: make it readable. Shorter paragraphs (list items, fragments) are left to
#: their section, as Flesch-Kincaid means little on a few words.
PARAGRAPH_MAX_GRADE = MAX_GRADE + 4.0
PARAGRAPH_MIN_WORDS = 12
#: How many of a unit's hardest sentences a message quotes.
HARDEST_SHOWN = 2
#: A sentence is quoted up to this many characters.
QUOTE_CHARS = 70

#: A sentence ends at ., ! or ? (and a closing quote or bracket) before a space.
_SENTENCE_END = re.compile("(?<=[.!?])[\"'\u201d\u2019)\\]]*\\s+")
_BOX_TITLES = {"key-takeaway": "the Key takeaway", "evidence-note": "the Evidence quality note"}


def grade(text: str) -> float:
    """Flesch-Kincaid grade (textstat), to one decimal."""
    import textstat  # slow to load (its dictionaries): only when patient text is checked

    return round(float(textstat.flesch_kincaid_grade(text)), 1)


#: textstat's own sentence pattern (textstat.sentence_count).
_TEXTSTAT_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*", re.UNICODE)


@dataclass(frozen=True)
class Counts:
    """What Flesch-Kincaid is made of, counted as textstat counts them.

    Counting each paragraph once and adding the counts up gives a section's
    grade without a second pass over its text: equal to textstat's grade of
    the whole section, because every paragraph ends a sentence
    (:func:`_sentence_text`), so textstat's sentences never span two of them.
    """

    words: int = 0
    sentences: int = 0  # sentences of three words or more (textstat ignores shorter)
    syllables: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.words + other.words,
            self.sentences + other.sentences,
            self.syllables + other.syllables,
        )

    @property
    def grade(self) -> float:
        if not self.words:
            return 0.0
        per_sentence = self.words / max(1, self.sentences)
        per_word = self.syllables / self.words
        return round(0.39 * per_sentence + 11.8 * per_word - 15.59, 1)


def count(text: str) -> Counts:
    """textstat's word, sentence and syllable counts of a text.

    textstat counts words and syllables word by word once punctuation is
    removed, which never joins or splits what spaces separate: so each
    space-separated token is counted by textstat once, and remembered (a
    knowledge base uses a few thousand distinct tokens), and the counts add up.
    """
    words = syllables = 0
    for token in text.split():
        token_words, token_syllables = _token_counts(token)
        words += token_words
        syllables += token_syllables
    sentences = sum(1 for piece in _TEXTSTAT_SENTENCE.findall(text) if _counted(piece))
    return Counts(words, sentences, syllables)


@functools.cache
def _token_counts(token: str) -> tuple[int, int]:
    import textstat

    return textstat.lexicon_count(token), textstat.syllable_count(token)


def _counted(sentence: str) -> bool:
    """textstat's test of a sentence (more than two words), asked of textstat
    only near the threshold: dropping punctuation never adds a word, and
    takes away more than two only from runs of dashes and symbols."""
    import textstat

    words = len(sentence.split())
    return words > 4 or (words > 2 and textstat.lexicon_count(sentence) > 2)


@dataclass
class Unit:
    """Text measured as one: a section, a box or a glossary definition."""

    name: str  # "section 'Side effects'", "the Key takeaway", ...
    line: int
    blocks: list[myst.Prose] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(_sentence_text(b.text) for b in self.blocks)


def _sentence_text(text: str) -> str:
    """A block as text that ends a sentence: list items and lines ending in a
    colon are sentences to a reader, and must not run into the next block."""
    text = " ".join(text.split())
    if text and text[-1] not in ".!?":
        text = text.rstrip(":;,") + "."
    return text


def units(outline: list[myst.OutlineItem]) -> list[Unit]:
    """A page's outline, cut into sections and boxes, in reading order."""
    found: list[Unit] = []
    stack: list[Unit] = [Unit("the text before the first heading", 1)]
    found.append(stack[0])
    for item in outline:
        if isinstance(item, myst.Heading):
            if len(stack) > 1:  # a heading inside a box is part of the box
                continue
            name = "the opening" if item.level == 1 else f"section '{item.title}'"
            stack[0] = Unit(name, item.line)
            found.append(stack[0])
        elif isinstance(item, myst.BoxStart):
            title = _BOX_TITLES.get(item.name) or f"the '{item.name}' box"
            unit = Unit(title, item.line)
            stack.append(unit)
            found.append(unit)
        elif isinstance(item, myst.BoxEnd):
            if len(stack) > 1:
                stack.pop()
        else:
            stack[-1].blocks.append(item)
    return [u for u in found if u.blocks]


def _sentences(block: myst.Prose) -> Iterator[tuple[int, str]]:
    """(line, sentence) for each sentence of a block."""
    start = 0
    text = block.text
    for match in [*_SENTENCE_END.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = " ".join(text[start:end].split())
        if piece:
            yield block.line + text.count("\n", 0, start), piece
        if match:
            start = match.end()


def _quote(sentence: str) -> str:
    if len(sentence) <= QUOTE_CHARS:
        return sentence
    return sentence[: QUOTE_CHARS - 1].rsplit(" ", 1)[0] + "…"


@dataclass
class Finding:
    """Text too hard to read, located at the paragraph to fix first."""

    line: int
    message: str


def _hardest_sentences(blocks: list[myst.Prose], limit: float) -> str:
    sentences = [(grade(_sentence_text(s)), line, s) for b in blocks for line, s in _sentences(b)]
    hardest = sorted((s for s in sentences if s[0] > limit), key=lambda s: -s[0])
    quoted = "; ".join(
        f'line {line}: "{_quote(s)}" (grade {g:.1f})' for g, line, s in hardest[:HARDEST_SHOWN]
    )
    return f" Hardest sentences: {quoted}." if quoted else ""


_ADVICE = (
    "Split long sentences, and use short everyday words in place of long or technical "
    "ones (explain a term the first time it is used)."
)


def measure(unit: Unit, limit: float = MAX_GRADE) -> tuple[float, list[Finding]]:
    """A unit's grade, and what in it is too hard: the unit itself (reported
    at its hardest paragraph) and any paragraph far above the limit."""
    graded = [(count(_sentence_text(block.text)), block) for block in unit.blocks]
    overall = sum((counts for counts, _ in graded), Counts()).grade
    findings = []
    reported = None
    if overall > limit:
        reported = max(graded, key=lambda cb: cb[0].grade)[1]
        findings.append(
            Finding(
                reported.line,
                f"{unit.name} (line {unit.line}) reads at US grade {overall:.1f} "
                f"(Flesch-Kincaid); text for patients needs grade {limit:.0f} or below. "
                + _ADVICE
                + _hardest_sentences(unit.blocks, limit),
            )
        )
    for counts, block in graded:
        if block is reported or counts.words < PARAGRAPH_MIN_WORDS:
            continue
        if counts.grade > PARAGRAPH_MAX_GRADE:
            findings.append(
                Finding(
                    block.line,
                    f"a paragraph of {unit.name} (line {unit.line}) reads at US grade "
                    f"{counts.grade:.1f} (Flesch-Kincaid), far above grade {limit:.0f}, "
                    "even if the text around it is easier. "
                    + _ADVICE
                    + _hardest_sentences([block], limit),
                )
            )
    return overall, sorted(findings, key=lambda f: f.line)


def glossary_units(glossary: Glossary, extensions: frozenset[str]) -> list[Unit]:
    """One unit per glossary definition, its lines those of the file."""
    found = []
    for entry in glossary.entries:
        # The definition's first line follows the entry's term lines.
        first = entry.line + len(entry.terms)
        page = myst.parse(entry.definition, extensions)
        blocks = [
            myst.Prose(item.text, first + item.line - 1)
            for item in page.outline
            if isinstance(item, myst.Prose)
        ]
        if blocks:
            found.append(Unit(f"the definition of '{entry.headword}'", first, blocks))
    return found

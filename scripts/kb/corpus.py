"""A synthetic knowledge base of N articles, for ``kb bench`` and the tests.

:func:`generate` makes the corpus from the project's real glossary and
front-matter vocabularies (:mod:`kb.schema`); only the prose is generated,
from a small word list, so nothing in it reads as a medical claim, and the
bibliography records are plainly synthetic. Each article has about 900 words:
a lead, 5 sections each with a list, a key takeaway and an evidence note
(2 admonitions), 5 glossary terms and 2 citations.

:func:`write_tree` writes it for one tool: the project itself
(:class:`Flavour`: the real ``docs/conf.py``, extension, templates and
static files), bare Sphinx + MyST (:class:`BareFlavour`), and MkDocs
Material or Zensical, which read the same ``mkdocs.yml``
(:class:`MkDocsFlavour`).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kb import glossary as kb_glossary
from kb import paths, schema

# -- The synthetic corpus ---------------------------------------------------------

#: Plain words the prose is made of: enough variety for realistic parsing,
#: search indexing and stemming, and nothing that reads as a medical claim.
WORDS = tuple(
    """
    able about across after again along always answer around asked away back
    become before began being better between both bring brought built called
    came care carry change check choose clear close common could course daily
    different doing done during each early easy enough even every example face
    family feel felt find first follow found friend full gave give given going
    good great group grow hand happen hard having help here home hope hours idea
    important keep kind know later learn leave less light little live long look
    made make many mean might mind money month morning move much need never
    next night note often open order other own part people place plan point
    question quite rather read ready real reason remember rest right room same
    school seem send sense several share short should show side simple since
    small something sound space speak start still story study sure take talk
    team tell than their them there these thing think those though through time
    today together took toward true turn under until usual very visit wait walk
    want watch water week well went were what when where which while whole will
    with within without word work world write year young
    """.split()  # noqa: SIM905 (a block of words reads better than a list)
)

#: Short words for summaries, which kb check holds to reading grade 8.
SHORT_WORDS = tuple(w for w in WORDS if len(w) <= 4)

#: Sections of a synthetic article, in the order real articles use them.
SECTIONS = (
    "What this is about",
    "How it is given",
    "What people notice",
    "What the sources say",
    "Questions to ask",
)

TITLE_WORDS = 4
PARAGRAPHS_PER_SECTION = 2
WORDS_PER_PARAGRAPH = 62
ITEMS_PER_LIST = 4
WORDS_PER_ITEM = 8  # 5 x (2 x 62 + 4 x 8) + lead 40 + 2 notes x 30 = 880 words, ~900 with titles
TERMS_PER_ARTICLE = 5
CITES_PER_ARTICLE = 2

Segment = str | tuple[str, ...]  # text, ("term", target), ("cite", key, ...)


@dataclass
class SynthArticle:
    slug: str
    front_matter: dict[str, object]
    lead: list[Segment]
    sections: list[tuple[str, list[list[Segment]]]]
    takeaway: list[Segment]
    evidence_note: list[Segment]
    #: One list per section, after its paragraphs: bullets, or numbered steps
    #: in odd-numbered sections.
    lists: list[list[str]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(self.front_matter["title"])

    @property
    def cited(self) -> list[str]:
        keys: list[str] = []
        for para in [self.lead, *(p for _, ps in self.sections for p in ps)]:
            for seg in para:
                if isinstance(seg, tuple) and seg[0] == "cite":
                    keys.extend(k for k in seg[1:] if k not in keys)
        return keys


@dataclass
class BibEntry:
    key: str
    label: str  # "Surname et al., 2011", as the author-year style prints it
    bibtex: str
    text: str  # the reference as plain text, for the reference builds


@dataclass
class Corpus:
    """One synthetic knowledge base, renderable for each tool."""

    articles: list[SynthArticle]
    bib: list[BibEntry]
    glossary: kb_glossary.Glossary
    glossary_source: str
    real_bib: str = ""

    @property
    def labels(self) -> dict[str, str]:
        return {b.key: b.label for b in self.bib}


class Prose:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def words(self, n: int) -> list[str]:
        return [self.rng.choice(WORDS) for _ in range(n)]

    def sentence_run(self, n: int) -> str:
        """About n words cut into sentences of 4 to 9 words (text for patients reads at
        grade 8 or below, and kb check measures it)."""
        out: list[str] = []
        left = n
        while left > 0:
            size = min(left, self.rng.randint(4, 9))
            words = self.words(size)
            out.append(" ".join(words).capitalize() + ".")
            left -= size
        return " ".join(out)


def synthetic_bib(count: int, prose: Prose) -> list[BibEntry]:
    entries = []
    for i in range(1, count + 1):
        key = f"synth{i:04d}"
        surname = prose.rng.choice(WORDS).capitalize() + "son"
        second = prose.rng.choice(WORDS).capitalize() + "ley"
        year = 1995 + i % 30
        title = f"Synthetic benchmark record {i}: " + " ".join(prose.words(5))
        bibtex = (
            f"@article{{{key},\n"
            f"  author  = {{{surname}, Alex and {second}, Sam}},\n"
            f"  title   = {{{title}}},\n"
            f"  journal = {{Journal of Synthetic Benchmark Records}},\n"
            f"  year    = {{{year}}},\n"
            f"  volume  = {{{1 + i % 40}}},\n"
            f"  pages   = {{{i}--{i + 9}}},\n"
            f"  description = {{Synthetic journal article, {year}}}\n"
            f"}}\n"
        )
        label = f"{surname} and {second}, {year}"
        text = (
            f"{surname} A, {second} S. {title}. Journal of Synthetic Benchmark Records. "
            f"{year};{1 + i % 40}:{i}-{i + 9}."
        )
        entries.append(BibEntry(key, label, bibtex, text))
    return entries


def generate(n: int, seed: int = 1) -> Corpus:
    """A corpus of n articles built from the project's real vocabularies and glossary."""
    prose = Prose(seed)
    gloss_source = paths.GLOSSARY.read_text(encoding="utf-8")
    gloss = kb_glossary.parse(gloss_source, paths.GLOSSARY)
    headwords = [e.headword for e in gloss.entries]
    # One record per article, each cited at least once (kb check flags uncited ones).
    bib = synthetic_bib(max(2, n), prose)
    # The real glossary's definitions cite sources: each gets a stand-in record
    # (the real bibliography's other records would be uncited here: CITE002).
    real_bib = "".join(
        f"\n@misc{{{key},\n  title = {{Stand-in record for the benchmark}},\n"
        f"  description = {{Stand-in record for the benchmark}},\n  year = {{2026}}\n}}\n"
        for key in dict.fromkeys(k for e in gloss.entries for k in e.citations)
    )
    topics = list(schema.TOPICS)
    audiences = list(schema.AUDIENCES)
    bases = list(schema.EVIDENCE_BASES)
    articles = []
    for i in range(1, n + 1):
        title_words = prose.words(TITLE_WORDS)
        title = f"Synthetic article {i}: " + " ".join(title_words)
        slug = f"synthetic-{i:04d}-" + "-".join(title_words)
        keys = [bib[(i - 1) % len(bib)].key, bib[(i * 7 + 3) % len(bib)].key]
        if keys[0] == keys[1]:
            keys = [keys[0], bib[i % len(bib)].key]
        day = dt.date(2026, 6, 1) + dt.timedelta(days=i % 150)
        fm = schema.new_front_matter(
            title,
            # Short plain sentences: patient summaries must read at grade 8 or below.
            summary=" ".join(
                " ".join(prose.rng.choice(SHORT_WORDS) for _ in range(6)).capitalize() + "."
                for _ in range(2)
            ),
            audience=audiences[i % len(audiences)],
            topics=prose.rng.sample(topics, k=1 + i % 3),
            evidence_basis=bases[i % len(bases)],
            sources=keys,
        )
        if i % 2:  # half the corpus carries a review record, as real pages will
            fm["author"] = "Synthetic author"
            record = schema.Review("author-check", "Synthetic author", day, "the synthetic text")
            schema.add_review(fm, record)
        terms = prose.rng.sample(headwords, k=min(TERMS_PER_ARTICLE, len(headwords)))
        paragraphs: list[list[Segment]] = []
        for _ in range(len(SECTIONS) * PARAGRAPHS_PER_SECTION):
            paragraphs.append([prose.sentence_run(WORDS_PER_PARAGRAPH)])
        # Spread the terms and citations over the first paragraphs of sections.
        for j, term in enumerate(terms):
            paragraphs[j * 2].extend([" See ", ("term", term), "."])
        for j, key in enumerate(keys):
            paragraphs[1 + j * 4].extend([" ", ("cite", key), "."])
        sections = [(heading, paragraphs[s * 2 : s * 2 + 2]) for s, heading in enumerate(SECTIONS)]
        articles.append(
            SynthArticle(
                slug=slug,
                front_matter=fm,
                lead=[prose.sentence_run(40)],
                sections=sections,
                takeaway=[prose.sentence_run(30)],
                evidence_note=[prose.sentence_run(30)],
                lists=[
                    [prose.sentence_run(WORDS_PER_ITEM) for _ in range(ITEMS_PER_LIST)]
                    for _ in SECTIONS
                ],
            )
        )
    return Corpus(articles, bib, gloss, gloss_source, real_bib)


# -- Rendering: the project's MyST, bare MyST, MkDocs Markdown ------------------


def term_anchor(term: str) -> str:
    return "term-" + re.sub(r"[^a-z0-9]+", "-", term.casefold()).strip("-")


class Flavour:
    """How one tool writes terms, citations, notes and bibliographies."""

    name = "kb"

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.labels = corpus.labels

    def term(self, target: str, depth: int) -> str:
        return f"{{term}}`{target}`"

    def cite(self, keys: Sequence[str], depth: int) -> str:
        return f"{{cite:p}}`{','.join(keys)}`"

    def note(self, kind: str, title: str, body: str) -> str:
        return f":::{{{kind}}}\n{body}\n:::\n"

    def references(self, keys: Sequence[str]) -> str:
        return ":::{bibliography}\n:filter: docname in docnames\n:::\n"

    def link(self, text: str, target: str) -> str:
        return f"[{text}]({target})"

    def items(self, items: Sequence[str], numbered: bool) -> str:
        """A Markdown list (the same in MyST, Python-Markdown and Zensical)."""
        return "".join(
            (f"{i}. " if numbered else "- ") + item + "\n" for i, item in enumerate(items, 1)
        )

    def render(self, segments: Sequence[Segment], depth: int) -> str:
        out = []
        for seg in segments:
            if isinstance(seg, str):
                out.append(seg)
            elif seg[0] == "term":
                out.append(self.term(seg[1], depth))
            else:
                out.append(self.cite(seg[1:], depth))
        return "".join(out)

    def article(self, art: SynthArticle) -> str:
        parts = [schema.front_matter_yaml(art.front_matter), f"# {art.title}\n"]
        parts.append(self.render(art.lead, 1) + "\n")
        for s, (heading, paras) in enumerate(art.sections):
            parts.append(f"## {heading}\n")
            parts.extend(self.render(p, 1) + "\n" for p in paras)
            if s < len(art.lists):
                parts.append(self.items(art.lists[s], numbered=s % 2 == 1))
            if s == 0:
                parts.append(self.note("key-takeaway", "Key takeaway", art.takeaway[0]))
            if s == 3:
                parts.append(
                    self.note("evidence-note", "Evidence quality note", art.evidence_note[0])
                )
        parts.append("## References\n")
        parts.append(self.references(art.cited))
        return "\n".join(parts)

    # Aggregate pages: the project fills them with its directives.
    def article_index(self) -> str:
        return (
            "# Articles\n\nEvery article, with its summary.\n\n:::{article-list}\n:::\n\n"
            "```{toctree}\n:hidden:\n:glob:\n\n*\n```\n"
        )

    def topic_index(self) -> str:
        entries = "\n".join([*schema.TOPICS, "by-evidence"])
        return (
            "# Topics\n\nBrowse the articles by topic.\n\n:::{topic-index}\n:::\n\n"
            f"```{{toctree}}\n:hidden:\n\n{entries}\n```\n"
        )

    def topic_page(self, slug: str) -> str:
        return f"# {schema.TOPICS[slug].label}\n\n:::{{topic-articles}}\n:::\n"

    def evidence_page(self) -> str:
        return "# Articles by strength of evidence\n\n:::{articles-by-evidence}\n:::\n"

    def bibliography(self) -> str:
        return "# Bibliography\n\n:::{bibliography}\n:all:\n:list: bullet\n:::\n"

    def glossary(self) -> str:
        return self.corpus.glossary_source

    def home(self) -> str:
        cards = [
            ("All articles", "articles/index"),
            ("Topics", "topics/index"),
            ("Glossary", "glossary"),
            ("Strength of evidence", "topics/by-evidence"),
        ]
        grid = ["::::{grid} 1 1 2 2\n:gutter: 3\n"]
        for title, target in cards:
            grid.append(
                f":::{{grid-item-card}} {title}\n:link: {target}\n:link-type: doc\n\n"
                f"Open {title.lower()}.\n:::\n"
            )
        grid.append("::::\n")
        return (
            "# Synthetic knowledge base\n\nA generated corpus for the benchmark. "
            f"Words link to the {self.link('glossary', 'glossary.md')}.\n\n"
            + "\n".join(grid)
            + self.home_toctree()
        )

    def home_toctree(self) -> str:
        return (
            "\n```{toctree}\n:maxdepth: 1\n:caption: Contents\n\n"
            "articles/index\ntopics/index\nglossary\nbibliography\nabout\n```\n"
        )

    def about(self) -> str:
        return "# About\n\nThis corpus is generated by kb bench; its prose means nothing.\n"


class BareFlavour(Flavour):
    """Plain Sphinx + MyST: admonitions, citations as text, static lists."""

    name = "bare"

    def cite(self, keys: Sequence[str], depth: int) -> str:
        return "(" + "; ".join(self.labels.get(k, k) for k in keys) + ")"

    def note(self, kind: str, title: str, body: str) -> str:
        return f":::{{admonition}} {title}\n{body}\n:::\n"

    def references(self, keys: Sequence[str]) -> str:
        texts = {b.key: b.text for b in self.corpus.bib}
        return "".join(f"- {texts.get(k, k)}\n" for k in keys)

    def _list(self, arts: Sequence[SynthArticle], prefix: str) -> str:
        return "".join(
            f"- {self.link(a.title, f'{prefix}{a.slug}.md')}\n\n  {a.front_matter['summary']}\n"
            for a in sorted(arts, key=lambda a: a.title.casefold())
        )

    def article_index(self) -> str:
        return (
            "# Articles\n\nEvery article, with its summary.\n\n"
            + self._list(self.corpus.articles, "")
            + "\n```{toctree}\n:hidden:\n:glob:\n\n*\n```\n"
        )

    def topic_index(self) -> str:
        lines = [
            f"- {self.link(t.label, f'{s}.md')}: {t.description}" for s, t in schema.TOPICS.items()
        ]
        entries = "\n".join([*schema.TOPICS, "by-evidence"])
        return (
            "# Topics\n\nBrowse the articles by topic.\n\n"
            + "\n".join(lines)
            + f"\n\n```{{toctree}}\n:hidden:\n\n{entries}\n```\n"
        )

    def topic_page(self, slug: str) -> str:
        arts = [a for a in self.corpus.articles if slug in a.front_matter["topics"]]
        return f"# {schema.TOPICS[slug].label}\n\n" + self._list(arts, "../articles/")

    def evidence_page(self) -> str:
        out = ["# Articles by strength of evidence\n"]
        for key, basis in sorted(schema.EVIDENCE_BASES.items(), key=lambda kv: kv[1].rank):
            arts = [a for a in self.corpus.articles if a.front_matter["evidence_basis"] == key]
            if arts:
                out.append(f"## {basis.label}\n\n{basis.description}\n")
                out.append(self._list(arts, "../articles/"))
        return "\n".join(out)

    def bibliography(self) -> str:
        return "# Bibliography\n\n" + "".join(f"- {b.text}\n" for b in self.corpus.bib)

    def glossary(self) -> str:
        cited = [k for e in self.corpus.glossary.entries for k in e.citations]
        text = re.sub(
            r":::\{bibliography\}.*?\n:::\n?",
            lambda m: "".join(f"- {k}\n" for k in dict.fromkeys(cited)),
            self.corpus.glossary_source,
            flags=re.S,
        )
        return re.sub(
            r"\{cite:p\}`([^`]*)`",
            lambda m: self.cite([k.strip() for k in m.group(1).split(",")], 0),
            text,
        )

    def home(self) -> str:
        return (
            "# Synthetic knowledge base\n\nA generated corpus for the benchmark. "
            f"Words link to the {self.link('glossary', 'glossary.md')}.\n\n"
            "- [All articles](articles/index.md)\n- [Topics](topics/index.md)\n"
            "- [Glossary](glossary.md)\n- [Strength of evidence](topics/by-evidence.md)\n"
            + self.home_toctree()
        )


class MkDocsFlavour(BareFlavour):
    """MkDocs Material: its admonitions, glossary as headings, links for terms."""

    name = "mkdocs"

    def term(self, target: str, depth: int) -> str:
        return f"[{target}]({'../' * depth}glossary.md#{term_anchor(target)})"

    def note(self, kind: str, title: str, body: str) -> str:
        return f'!!! note "{title}"\n\n    {body}\n'

    def article_index(self) -> str:
        return "# Articles\n\nEvery article, with its summary.\n\n" + self._list(
            self.corpus.articles, ""
        )

    def topic_index(self) -> str:
        lines = [
            f"- {self.link(t.label, f'{s}.md')}: {t.description}" for s, t in schema.TOPICS.items()
        ]
        return "# Topics\n\nBrowse the articles by topic.\n\n" + "\n".join(lines) + "\n"

    def glossary(self) -> str:
        def myst_to_md(text: str) -> str:
            def role(m: re.Match[str]) -> str:
                name, body = m.group(1), m.group(2)
                if name.startswith("cite"):
                    return self.cite([k.strip() for k in body.split(",")], 0)
                text, target = kb_glossary.role_text_and_target(body)
                entry = self.corpus.glossary.find(target)
                anchor = term_anchor(entry.headword if entry else target)
                return f"[{text}](#{anchor})"

            return re.sub(r"\{([\w:-]+)\}`([^`]*)`", role, text)

        out = ["# Glossary\n"]
        for entry in self.corpus.glossary.entries:
            out.append(f"### {entry.headword} {{#{term_anchor(entry.headword)}}}\n")
            if len(entry.terms) > 1:
                out.append("Also called: " + ", ".join(entry.terms[1:]) + ".\n")
            out.append(myst_to_md(entry.definition) + "\n")
        return "\n".join(out)

    def home_toctree(self) -> str:
        return ""  # MkDocs builds its navigation from the files themselves


BARE_CONF = '''"""Bare Sphinx + MyST: the benchmark's reference build (no project extensions)."""
project = "Synthetic knowledge base"
extensions = ["myst_parser"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
exclude_patterns = ["_build"]
language = "en"
nitpicky = True
html_theme = "alabaster"
'''

MKDOCS_YML = """site_name: Synthetic knowledge base
docs_dir: docs
site_dir: {site}
theme:
  name: material
markdown_extensions:
  - admonition
  - attr_list
  - toc:
      permalink: true
"""


def write_tree(corpus: Corpus, root: Path, flavour_cls: type[Flavour] = Flavour) -> Path:
    """Write the corpus for one tool under root; return its docs folder."""
    flavour = flavour_cls(corpus)
    docs = root / "docs"
    if flavour.name == "kb":
        # The project's real configuration, extension settings, templates and styles.
        docs.mkdir(parents=True)
        shutil.copy2(paths.DOCS / "conf.py", docs / "conf.py")
        for folder in ("_templates", "_static"):
            if (paths.DOCS / folder).is_dir():
                shutil.copytree(paths.DOCS / folder, docs / folder)
        bib = corpus.real_bib + "\n" + "\n".join(b.bibtex for b in corpus.bib)
        (root / "references.bib").write_text(bib, encoding="utf-8")
    else:
        docs.mkdir(parents=True)
        if flavour.name == "bare":
            (docs / "conf.py").write_text(BARE_CONF, encoding="utf-8")

    def put(rel: str, text: str) -> None:
        path = docs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    put("index.md", flavour.home())
    put("glossary.md", flavour.glossary())
    put("bibliography.md", flavour.bibliography())
    put("about.md", flavour.about())
    put("articles/index.md", flavour.article_index())
    put("topics/index.md", flavour.topic_index())
    put("topics/by-evidence.md", flavour.evidence_page())
    for slug in schema.TOPICS:
        put(f"topics/{slug}.md", flavour.topic_page(slug))
    for art in corpus.articles:
        put(f"articles/{art.slug}.md", flavour.article(art))
    if flavour.name == "mkdocs":
        (root / "mkdocs.yml").write_text(MKDOCS_YML.format(site=root / "site"), encoding="utf-8")
    return docs


# -- Edits, for the benchmark and the tests --------------------------------------------------


def append_sentence(page: Path, sentence: str) -> None:
    """Add a paragraph before the page's third section (an edit to its body)."""
    text = page.read_text(encoding="utf-8")
    marker = "\n## What people notice\n"
    page.write_text(text.replace(marker, f"\n{sentence}\n{marker}", 1), encoding="utf-8")


def edit_glossary_definition(path: Path, headword: str, run: int) -> None:
    """Add a sentence to the end of one entry's definition."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.rstrip() == headword)
    end = start + 1
    while end < len(lines) and lines[end].startswith((" ", "\t")) and lines[end].strip():
        end += 1
    indent = re.match(r"\s*", lines[end - 1]).group(0)
    lines.insert(end, f"{indent}Benchmark run {run} added this sentence.\n")
    path.write_text("".join(lines), encoding="utf-8")


def term_uses(corpus: Corpus) -> dict[str, int]:
    """How many times the articles link each glossary headword."""
    counts: dict[str, int] = {}
    for art in corpus.articles:
        for _, paras in art.sections:
            for para in paras:
                for seg in para:
                    if isinstance(seg, tuple) and seg[0] == "term":
                        counts[seg[1]] = counts.get(seg[1], 0) + 1
    return counts


def median_term(corpus: Corpus) -> str:
    """The median linked term: a typical edit, neither the rarest nor the busiest."""
    counts = term_uses(corpus)
    ordered = sorted(counts, key=lambda t: (counts[t], t))
    return ordered[len(ordered) // 2]

"""``kb bench``: how long the site takes to build at N articles.

It writes a synthetic knowledge base of N articles into a temporary folder and
times, side by side, the builds a contributor waits for:

- a clean HTML build, a rebuild with nothing changed, a rebuild after editing
  one article and one after editing one glossary definition;
- ``kb check`` over the corpus and the rebuild of one article's handout PDF,
  when those tools exist;
- the same corpus with bare Sphinx + MyST (no project extensions, the default
  theme) and with MkDocs Material, as reference points.

The corpus uses the project's real ``docs/conf.py``, extension, templates,
static files, glossary and front-matter vocabularies (:mod:`kb.schema`); only
the prose is generated (from a small word list, never from real articles) and
the bibliography entries are plainly synthetic. Every build runs in its own
process: wall time comes from ``time.perf_counter`` and peak memory from that
process's resource usage (``os.wait4``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kb import glossary as kb_glossary
from kb import paths, schema
from kb.build import reproducible_env

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
WORDS_PER_PARAGRAPH = 62  # 5 sections x 2 paragraphs + lead + 2 notes ~ 800 words
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


class _Prose:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def words(self, n: int) -> list[str]:
        return [self.rng.choice(WORDS) for _ in range(n)]

    def sentence_run(self, n: int) -> str:
        """About n words cut into sentences of 6 to 14 words."""
        out: list[str] = []
        left = n
        while left > 0:
            size = min(left, self.rng.randint(6, 14))
            words = self.words(size)
            out.append(" ".join(words).capitalize() + ".")
            left -= size
        return " ".join(out)


def _synthetic_bib(count: int, prose: _Prose) -> list[BibEntry]:
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
            f"  pages   = {{{i}--{i + 9}}}\n"
            f"}}\n"
        )
        label = f"{surname} and {second}, {year}"
        text = (
            f"{surname} A, {second} S. {title}. Journal of Synthetic Benchmark Records. "
            f"{year};{1 + i % 40}:{i}-{i + 9}."
        )
        entries.append(BibEntry(key, label, bibtex, text))
    return entries


def _real_bib_keys(text: str) -> list[str]:
    return re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", text)


def generate(n: int, seed: int = 1) -> Corpus:
    """A corpus of n articles built from the project's real vocabularies and glossary."""
    prose = _Prose(seed)
    gloss_source = paths.GLOSSARY.read_text(encoding="utf-8")
    gloss = kb_glossary.parse(gloss_source, paths.GLOSSARY)
    headwords = [e.headword for e in gloss.entries]
    # One record per article, each cited at least once (kb check flags uncited ones).
    bib = _synthetic_bib(max(2, n), prose)
    real_bib = paths.BIBFILE.read_text(encoding="utf-8") if paths.BIBFILE.exists() else ""
    # Keys the real glossary cites must exist; a missing one gets a stand-in.
    have = set(_real_bib_keys(real_bib))
    for key in dict.fromkeys(k for e in gloss.entries for k in e.citations):
        if key not in have:
            real_bib += (
                f"\n@misc{{{key},\n  note = {{Stand-in record for the benchmark}},\n"
                f"  year = {{2026}}\n}}\n"
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
            )
        )
    return Corpus(articles, bib, gloss, gloss_source, real_bib)


# -- Rendering: the project's MyST, bare MyST, MkDocs Markdown ------------------


def _term_anchor(term: str) -> str:
    return "term-" + re.sub(r"[^a-z0-9]+", "-", term.casefold()).strip("-")


class _Flavour:
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


class _BareFlavour(_Flavour):
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


class _MkDocsFlavour(_BareFlavour):
    """MkDocs Material: its admonitions, glossary as headings, links for terms."""

    name = "mkdocs"

    def term(self, target: str, depth: int) -> str:
        return f"[{target}]({'../' * depth}glossary.md#{_term_anchor(target)})"

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
                anchor = _term_anchor(entry.headword if entry else target)
                return f"[{text}](#{anchor})"

            return re.sub(r"\{([\w:-]+)\}`([^`]*)`", role, text)

        out = ["# Glossary\n"]
        for entry in self.corpus.glossary.entries:
            out.append(f"### {entry.headword} {{#{_term_anchor(entry.headword)}}}\n")
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


def write_tree(corpus: Corpus, root: Path, flavour_cls: type[_Flavour] = _Flavour) -> Path:
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


# -- Measuring ----------------------------------------------------------------------

_UPDATING = re.compile(r"(\d+) added, (\d+) changed, (\d+) removed")


@dataclass
class Measure:
    """One process: its wall time, what it did, and what it cost."""

    seconds: float
    peak_mb: float
    returncode: int
    read: int | None = None
    written: int | None = None
    output_mb: float | None = None
    warnings: int = 0
    log: str = ""


def run_process(
    cmd: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> Measure:
    """Run one command, timing it and reading its peak resident memory."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        log = out.read().decode("utf-8", "replace")
    # ru_maxrss is in kilobytes on Linux.
    return Measure(seconds, usage.ru_maxrss / 1024, proc.returncode, log=log)


def _html_stamps(out: Path) -> dict[Path, int]:
    if not out.is_dir():
        return {}
    return {p: p.stat().st_mtime_ns for p in out.rglob("*.html") if "_static" not in p.parts}


def _html_written(out: Path, before: dict[Path, int]) -> int:
    """Pages (re)written: new files, or files whose modification time moved."""
    return sum(1 for p, stamp in _html_stamps(out).items() if before.get(p) != stamp)


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def sphinx_build(src: Path, out: Path, doctrees: Path, jobs: int = 1) -> Measure:
    """The project's build command (kb build html), minus -W so a run always ends."""
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-n", "--keep-going"]
    if jobs > 1:
        cmd += ["-j", str(jobs)]
    cmd += ["-d", str(doctrees), str(src), str(out)]
    before = _html_stamps(out)
    m = run_process(cmd, env=reproducible_env())
    found = _UPDATING.search(m.log)
    m.read = int(found.group(1)) + int(found.group(2)) if found else None
    m.written = _html_written(out, before)
    m.output_mb = _size_mb(out) if out.is_dir() else 0.0
    m.warnings = len(re.findall(r"WARNING:|ERROR:", m.log))
    return m


def mkdocs_build(root: Path) -> Measure:
    site = root / "site"
    # Material prints a banner about its successor on every build; not a warning.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    m = run_process(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "--clean", "-f", "mkdocs.yml"],
        cwd=root,
        env=env,
    )
    m.written = _html_written(site, {})
    m.read = m.written
    m.output_mb = _size_mb(site) if site.is_dir() else 0.0
    m.warnings = len(re.findall(r"WARNING|ERROR", m.log))
    return m


def _edit_article(path: Path, run: int) -> None:
    text = path.read_text(encoding="utf-8")
    marker = "\n## What people notice\n"
    addition = f"\nThis sentence was added by benchmark run {run}.\n"
    path.write_text(text.replace(marker, addition + marker, 1), encoding="utf-8")


def _edit_glossary_definition(path: Path, headword: str, run: int) -> None:
    """Add a sentence to the end of one entry's definition."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.rstrip() == headword)
    end = start + 1
    while end < len(lines) and lines[end].startswith((" ", "\t")) and lines[end].strip():
        end += 1
    indent = re.match(r"\s*", lines[end - 1]).group(0)
    lines.insert(end, f"{indent}Benchmark run {run} added this sentence.\n")
    path.write_text("".join(lines), encoding="utf-8")


# -- kb check and the handout PDF: other engineers' tools, used when present --------


def check_command(docs: Path) -> list[str] | None:
    """How to run ``kb check`` on a corpus, or None if the command is absent."""
    from kb import cli

    parser = cli.make_parser()
    sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
    if sub is None or "check" not in sub.choices:
        return None
    helptext = sub.choices["check"].format_help()
    cmd = [sys.executable, "-m", "kb.cli", "check"]
    if "--root" in helptext:
        return [*cmd, "--root", str(docs.parent)]
    if "--docs" in helptext:
        return [*cmd, "--docs", str(docs)]
    return [*cmd, str(docs)]


_PDF_SCRIPT = """
import sys, pathlib
from kb import pdf
root, out, only = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
report = pdf.build(root=root, out=out, only=[only])
print(report)
sys.exit(0 if getattr(report, "ok", True) else 1)
"""


def pdf_available() -> bool:
    try:
        from kb import pdf
    except ImportError:
        return False
    return hasattr(pdf, "build")


# -- The benchmark ----------------------------------------------------------------------


@dataclass
class Row:
    name: str
    runs: list[Measure] = field(default_factory=list)
    note: str = ""

    def median(self, attr: str) -> float | None:
        values = [getattr(m, attr) for m in self.runs if getattr(m, attr) is not None]
        return statistics.median(values) if values else None

    def summary(self) -> dict[str, object]:
        return {
            "name": self.name,
            "note": self.note,
            "runs": len(self.runs),
            "seconds": self.median("seconds"),
            "seconds_all": [round(m.seconds, 3) for m in self.runs],
            "read": self.median("read"),
            "written": self.median("written"),
            "output_mb": self.median("output_mb"),
            "peak_mb": self.median("peak_mb"),
            "warnings": self.median("warnings"),
            "failed": sum(1 for m in self.runs if m.returncode != 0),
        }


ROW_NAMES = {
    "clean": "Clean HTML build (project)",
    "noop": "Rebuild, nothing changed",
    "article": "Rebuild after editing one article",
    "glossary": "Rebuild after editing one glossary definition",
    "check": "kb check over the corpus",
    "pdf": "Rebuild one article's handout PDF",
    "bare": "Clean build, bare Sphinx + MyST (alabaster)",
    "mkdocs": "Clean build, MkDocs Material",
}


def benchmark(
    n: int,
    runs: int = 3,
    jobs: int = 1,
    workdir: Path | None = None,
    skip: frozenset[str] = frozenset(),
    say: Callable[[str], None] = print,
) -> dict[str, object]:
    """Generate the corpus and time every row not in ``skip``; a JSON-able report."""
    corpus = generate(n)
    rows = {key: Row(label) for key, label in ROW_NAMES.items()}
    for key in skip:
        rows[key].note = "skipped (--skip)"
    owned = workdir is None
    base = Path(tempfile.mkdtemp(prefix="kb-bench-")) if owned else Path(workdir)
    base.mkdir(parents=True, exist_ok=True)
    try:
        _run_all(corpus, base, rows, runs, jobs, skip, say)
    finally:
        if owned:
            shutil.rmtree(base, ignore_errors=True)
    return _report(n, runs, jobs, skip, rows)


def _run_all(
    corpus: Corpus,
    base: Path,
    rows: dict[str, Row],
    runs: int,
    jobs: int,
    skip: frozenset[str],
    say: Callable[[str], None],
) -> None:
    n = len(corpus.articles)
    kb_root, bare_root, mk_root = base / "kb", base / "bare", base / "mkdocs"
    for folder in (kb_root, bare_root, mk_root):
        shutil.rmtree(folder, ignore_errors=True)
    docs = write_tree(corpus, kb_root)
    bare_docs = write_tree(corpus, bare_root, _BareFlavour)
    write_tree(corpus, mk_root, _MkDocsFlavour)
    out, doctrees = kb_root / "_build" / "html", kb_root / "_build" / "doctrees"
    bare_out = bare_root / "_build"

    check_cmd = check_command(docs)
    if check_cmd is None and "check" not in skip:
        rows["check"].note = "skipped: kb check is not available yet"
    has_pdf = pdf_available()
    if not has_pdf and "pdf" not in skip:
        rows["pdf"].note = "skipped: kb.pdf.build is not available yet"
    has_mkdocs = _has_module("mkdocs")
    if not has_mkdocs and "mkdocs" not in skip:
        rows["mkdocs"].note = "skipped: mkdocs is not installed (pip install -e .[dev])"
    headword = _most_cited_term(corpus)
    pdf_page = docs / "articles" / f"{corpus.articles[0].slug}.md"
    pdf_cmd = [
        sys.executable,
        "-c",
        _PDF_SCRIPT,
        str(kb_root),
        str(base / "pdf"),
        corpus.articles[0].slug,
    ]

    def step(key: str, measure: Callable[[], Measure]) -> None:
        if key in skip:
            return
        m = measure()
        rows[key].runs.append(m)
        say(f"  {rows[key].name}: {m.seconds:.2f} s (exit {m.returncode})")
        if m.returncode != 0:
            say("    " + "\n    ".join(m.log.strip().splitlines()[-5:]))

    def project() -> Measure:
        return sphinx_build(docs, out, doctrees, jobs)

    for run in range(1, runs + 1):
        say(f"run {run}/{runs} at N={n}")
        shutil.rmtree(kb_root / "_build", ignore_errors=True)
        step("clean", project)
        step("noop", project)
        edited = docs / "articles" / f"{corpus.articles[(run * 37) % n].slug}.md"
        _edit_article(edited, run)
        step("article", project)
        _edit_glossary_definition(docs / "glossary.md", headword, run)
        step("glossary", project)
        if check_cmd is not None:
            step("check", functools.partial(run_process, check_cmd, cwd=kb_root))
        if has_pdf:
            # A rebuild: the first run typesets the handout once, untimed.
            if run == 1:
                warm = run_process(pdf_cmd, env=reproducible_env())
                if warm.returncode != 0:
                    has_pdf = False
                    last = (warm.log.strip().splitlines() or [""])[-1][:200]
                    rows["pdf"].note = f"kb.pdf failed on the first build: {last}"
                    say(f"  {rows['pdf'].note}")
            if has_pdf:
                _edit_article(pdf_page, run)
                step("pdf", functools.partial(run_process, pdf_cmd, env=reproducible_env()))
        shutil.rmtree(bare_out, ignore_errors=True)
        step(
            "bare",
            functools.partial(
                sphinx_build, bare_docs, bare_out / "html", bare_out / "doctrees", jobs
            ),
        )
        if has_mkdocs:
            step("mkdocs", functools.partial(mkdocs_build, mk_root))


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _most_cited_term(corpus: Corpus) -> str:
    counts: dict[str, int] = {}
    for art in corpus.articles:
        for _, paras in art.sections:
            for para in paras:
                for seg in para:
                    if isinstance(seg, tuple) and seg[0] == "term":
                        counts[seg[1]] = counts.get(seg[1], 0) + 1
    # The median term: a typical edit, neither the rarest nor the busiest.
    ordered = sorted(counts, key=lambda t: (counts[t], t))
    return ordered[len(ordered) // 2]


def machine() -> dict[str, object]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb_total = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb_total / 1024 / 1024:.0f} GB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def _report(
    n: int, runs: int, jobs: int, skip: frozenset[str], rows: dict[str, Row]
) -> dict[str, object]:
    summary = {key: row.summary() for key, row in rows.items()}
    ratios: dict[str, float | None] = {}
    clean = summary["clean"]["seconds"]
    for ref in ("bare", "mkdocs"):
        other = summary[ref]["seconds"]
        ratios[f"clean_vs_{ref}"] = round(clean / other, 2) if clean and other else None
    return {
        "articles": n,
        "runs": runs,
        "jobs": jobs,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": f"kb bench --articles {n} --runs {runs}"
        + (f" --jobs {jobs}" if jobs > 1 else "")
        + (f" --skip {','.join(sorted(skip))}" if skip else ""),
        "machine": machine(),
        "per_article_clean_seconds": round(clean / n, 4) if clean else None,
        "ratios": ratios,
        "rows": summary,
    }


def _fmt(value: object, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def markdown(report: dict[str, object]) -> str:
    """The report as a BENCHMARKS.md section."""
    m = report["machine"]
    lines = [
        f"### N = {report['articles']} articles",
        "",
        f"- Command: `{report['command']}`",
        f"- Date: {report['date']}",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}, Python {m['python']}, "
        f"{m['system']}",
        f"- Median of {report['runs']} run(s); pages read and written are HTML pages.",
        "",
        "| what | wall s | pages read | pages written | output MB | peak MB | warnings | note |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in report["rows"].values():
        lines.append(
            f"| {row['name']} | {_fmt(row['seconds'])} | {_fmt(row['read'], 0)} | "
            f"{_fmt(row['written'], 0)} | {_fmt(row['output_mb'], 1)} | "
            f"{_fmt(row['peak_mb'], 0)} | {_fmt(row['warnings'], 0)} | {row['note']}"
            + (f" exit status not 0 in {row['failed']} run(s)" if row["failed"] else "")
            + " |"
        )
    r = report["ratios"]
    lines += [
        "",
        f"- Clean build per article: {_fmt(report['per_article_clean_seconds'], 4)} s",
        f"- Project clean build / bare Sphinx + MyST: {_fmt(r['clean_vs_bare'])} times",
        f"- Project clean build / MkDocs Material: {_fmt(r['clean_vs_mkdocs'])} times",
        "",
    ]
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    if args.articles < 1 or args.runs < 1:
        print("kb bench: --articles and --runs must be at least 1", file=sys.stderr)
        return 2
    report = benchmark(
        args.articles,
        runs=args.runs,
        jobs=args.jobs,
        workdir=args.workdir,
        skip=frozenset(args.skip),
        say=lambda s: print(s, flush=True),
    )
    text = markdown(report)
    print(text)
    if args.output:
        out = Path(args.output)
        body = json.dumps(report, indent=2) + "\n" if out.suffix == ".json" else text
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(body, encoding="utf-8")
        tmp.replace(out)
    failed = any(row["failed"] for row in report["rows"].values())
    return 1 if failed else 0


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--articles", type=int, default=100, metavar="N", help="corpus size")
    p.add_argument("--runs", type=int, default=3, metavar="K", help="runs; medians reported")
    p.add_argument("--jobs", type=int, default=1, metavar="J", help="sphinx-build -j")
    p.add_argument(
        "--output",
        metavar="FILE",
        help="also write the results: FILE.json as JSON, any other name as Markdown",
    )
    p.add_argument("--workdir", type=Path, help="keep the corpus and builds here (default: temp)")
    p.add_argument(
        "--skip",
        type=_row_list,
        default=frozenset(),
        metavar="ROWS",
        help=f"comma-separated rows not to run: {', '.join(ROW_NAMES)}",
    )


def _row_list(text: str) -> frozenset[str]:
    rows = frozenset(r.strip() for r in text.split(",") if r.strip())
    unknown = rows - ROW_NAMES.keys()
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown row(s) {', '.join(sorted(unknown))}: use {', '.join(ROW_NAMES)}"
        )
    return rows

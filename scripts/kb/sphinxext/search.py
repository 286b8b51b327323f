"""Site search: the index the search page reads, and the search page itself.

The engine is MiniSearch (npm ``minisearch``), run in the reader's browser by
``_static/kb-search.js``; README.md and pyproject.toml say why it was chosen
over Sphinx's own search and Pagefind. This module writes what it reads:

``_static/kb-search-index.js``
    One record per page (title, summary, kind, topics, audience, evidence
    basis) and one per section (anchor, heading, plain text), one per
    glossary entry ("Term: definition"), plus the synonym groups. Snippets
    are cut from this text in the browser: no result page is ever fetched.
    Tooltip text never gets in: it is read from the doctree before the
    tooltips exist, and citation keys are skipped.
``_static/minisearch.js``
    MiniSearch's browser build, copied from ``node_modules`` (``npm ci``).

Synonyms live in one data file, ``docs/synonyms.yaml`` (lay words: "price"
is "cost"); every glossary entry with several terms ("Spravato",
"esketamine") is added to them automatically at build time.

Text is collected at ``doctree-read`` into ``env.kb_search`` (docname ->
record), with purge and merge handlers, so parallel and incremental builds
stay correct; the index is written once, when the build finishes. Sphinx's
own index (``searchindex.js``) is no longer built: nothing reads it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from docutils import nodes
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.util import logging

from kb import notices, paths, schema
from kb.files import write_atomic
from kb.sphinxext.glossary_links import ENTRIES, GlossaryEntry

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

KEY = "kb_search"
#: The synonym groups, beside the pages (docs/synonyms.yaml).
SYNONYMS_FILE = "synonyms.yaml"
INDEX_FILE = "kb-search-index.js"
ENGINE_FILE = "minisearch.js"
ENGINE_SOURCE = paths.ROOT / "node_modules" / "minisearch" / "dist" / "umd" / "index.js"
#: Pages that are not content: never results.
UNSEARCHED = frozenset({"404", "genindex", "search"})
#: Pages that are about the site rather than the subject: ranked lower.
SITE_PAGES = ("about/", "index", "bibliography")

#: Nodes whose text a reader does not read as part of the page.
_SKIP = (
    nodes.citation_reference,
    nodes.footnote_reference,
    nodes.citation,
    nodes.footnote,
    nodes.system_message,
    nodes.comment,
    nodes.raw,
    nodes.target,
    nodes.substitution_definition,
    addnodes.index,
    addnodes.toctree,
    addnodes.glossary,  # its entries are indexed one by one
)
_SKIP_CLASSES = frozenset(
    {
        "kb-article-header",
        "no-search",
        "toctree-wrapper",
        "sd-hide-link-text",  # a sphinx-design card's link: its target, not text
    }
)
_BLOCKS = (nodes.paragraph, nodes.list_item, nodes.title, nodes.term, nodes.definition)


def _text(node: nodes.Node, parts: list[str]) -> None:
    if isinstance(node, (*_SKIP, nodes.section)):
        return
    if isinstance(node, addnodes.pending_xref) and node.get("refdomain") == "cite":
        return
    if isinstance(node, nodes.Element) and _SKIP_CLASSES & set(node.get("classes", ())):
        return
    if isinstance(node, nodes.title) and isinstance(node.parent, nodes.Admonition):
        return  # "Key takeaway", "Note": labels, not text
    if isinstance(node, nodes.Text):
        parts.append(node.astext())
        return
    if isinstance(node, _BLOCKS):
        parts.append(" ")
    for child in node.children:
        _text(child, parts)
    if isinstance(node, _BLOCKS):
        parts.append(" ")


def tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([.,;:!?)])", r"\1", text)
    return text.replace("( ", "(").strip()


def section_text(section: nodes.Element) -> str:
    """The section's own text (not its subsections'), without its title."""
    parts: list[str] = []
    for child in section.children:
        if not isinstance(child, nodes.title):
            _text(child, parts)
    return tidy("".join(parts))


def sections(doctree: nodes.document) -> Iterator[tuple[str, str, str]]:
    """(anchor, heading, text) for every section; the first is the page's top."""
    for section in doctree.findall(nodes.section):
        title = section.next_node(nodes.title)
        heading = tidy(title.astext()) if title is not None else ""
        anchor = section["ids"][0] if section["ids"] else ""
        yield anchor, heading, section_text(section)


# -- Reading ---------------------------------------------------------------------------


def _records(env: BuildEnvironment) -> dict[str, dict[str, Any]]:
    if not hasattr(env, KEY):
        setattr(env, KEY, {})
    return getattr(env, KEY)


def collect(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    if docname in UNSEARCHED:
        return
    found = list(sections(doctree))
    # Every page read gets a record, even an empty one: a page without one
    # was read before this extension was, and is read again (below).
    _records(app.env)[docname] = {
        "title": found[0][1] if found else "",
        # The top section's anchor is the page itself.
        "sections": [("", found[0][1], found[0][2]), *[s for s in found[1:] if s[2] or s[1]]]
        if found
        else [],
    }


def unindexed(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Pages an older environment holds without a search record: read them again,
    or an incremental build would write an index missing them."""
    records = _records(env)
    return sorted(
        d for d in env.found_docs - added - changed if d not in records and d not in UNSEARCHED
    )


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _records(env).pop(docname, None)


def merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    mine = _records(env)
    mine.update({d: r for d, r in getattr(other, KEY, {}).items() if d in docnames})


# -- Synonyms ----------------------------------------------------------------------------


class SynonymsError(ValueError):
    pass


def read_synonyms(path: Path) -> list[list[str]]:
    """The groups in ``synonyms.yaml``: a list of lists of words or phrases."""
    if not path.is_file():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise SynonymsError(f"{path}{line}: not valid YAML ({error})") from None
    groups = (data or {}).get("groups", []) if isinstance(data, dict) else None
    if not isinstance(groups, list) or not all(
        isinstance(g, list) and all(isinstance(w, str) for w in g) for g in groups
    ):
        raise SynonymsError(f"{path}: expected 'groups:' holding lists of words")
    return [[w.strip().casefold() for w in g if w.strip()] for g in groups]


def read_crisis_words(path: Path) -> list[str]:
    """The ``crisis:`` list of ``synonyms.yaml``: queries that get the crisis notice."""
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    words = data.get("crisis", []) if isinstance(data, dict) else []
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise SynonymsError(f"{path}: expected 'crisis:' to be a list of words")
    return [w.strip().casefold() for w in words if w.strip()]


def merge_groups(groups: Iterable[list[str]]) -> list[list[str]]:
    """Groups that share a word become one group (order kept, no repeats)."""
    merged: list[list[str]] = []
    for group in groups:
        words = list(dict.fromkeys(group))
        if len(words) < 2:
            continue
        overlapping = [g for g in merged if set(g) & set(words)]
        for g in overlapping:
            merged.remove(g)
            words = list(dict.fromkeys([*g, *words]))
        merged.append(words)
    return merged


def glossary_groups(entries: dict[str, dict[str, GlossaryEntry]]) -> list[list[str]]:
    return [
        [t.casefold() for t in entry.terms]
        for docname in sorted(entries)
        for entry in entries[docname].values()
        if len(entry.terms) > 1
    ]


# -- Writing ---------------------------------------------------------------------------


def _kind(docname: str, env: BuildEnvironment) -> str:
    if docname in getattr(env, "kb_articles", {}):
        return "article"
    if docname.startswith("topics/") and docname.removeprefix("topics/") in schema.TOPICS:
        return "topic"
    if docname == "index" or docname.startswith(SITE_PAGES):
        return "site"
    return "page"


def build_index(app: Sphinx) -> dict[str, Any]:
    env = app.env
    builder = app.builder
    articles: dict[str, schema.Article] = getattr(env, "kb_articles", {})
    pages: list[dict[str, Any]] = []
    docs: list[list[Any]] = []
    for docname in sorted(_records(env)):
        record = _records(env)[docname]
        if not record["sections"]:
            continue
        kind = _kind(docname, env)
        page: dict[str, Any] = {"u": builder.get_target_uri(docname), "t": record["title"]}
        page["k"] = kind
        section_list = [list(s) for s in record["sections"]]
        if kind == "article":
            article = articles[docname]
            page.update(s=article.summary, to=list(article.topics))
            page.update(a=article.audience, e=article.evidence_basis)
        elif kind == "topic":
            slug = docname.removeprefix("topics/")
            page.update(s=schema.TOPICS[slug].description, to=[slug])
            # A topic page lists its articles, built when pages are written:
            # index their titles (their summaries rank the articles themselves).
            listed = [f"{a.title}." for d, a in sorted(articles.items()) if slug in a.topics]
            section_list[0][2] = tidy(" ".join([section_list[0][2], *listed]))
        number = len(pages)
        pages.append(page)
        docs.extend([number, *s] for s in section_list)
    entries: dict[str, dict[str, GlossaryEntry]] = getattr(env, ENTRIES, {})
    for docname in sorted(entries):
        uri = builder.get_target_uri(docname)
        for entry in entries[docname].values():
            number = len(pages)
            pages.append(
                {"u": f"{uri}#{entry.entry_id}", "t": entry.terms[0], "k": "term", "s": ""}
            )
            docs.append([number, "", ", ".join(entry.terms), entry.definition])
    synonyms = read_synonyms(Path(app.srcdir) / SYNONYMS_FILE)
    return {
        "crisis": {
            "words": read_crisis_words(Path(app.srcdir) / SYNONYMS_FILE),
            "lead": notices.CRISIS_LEAD,
            "text": notices.CRISIS_TEXT,
        },
        "version": 1,
        "pages": pages,
        "docs": docs,
        "synonyms": merge_groups([*synonyms, *glossary_groups(entries)]),
        "topics": {slug: t.label for slug, t in schema.TOPICS.items()},
        "audiences": dict(schema.AUDIENCES),
        "evidence": {slug: e.label for slug, e in schema.EVIDENCE_BASES.items()},
        "glossary": next((builder.get_target_uri(d) for d in sorted(entries)), ""),
        "topicIndex": builder.get_target_uri("topics/index")
        if "topics/index" in env.found_docs
        else "",
    }


def index_script(index: dict[str, Any]) -> str:
    """The index as a script: it loads from file:// too, where fetch() cannot.

    JSON with every non-ASCII and markup character escaped is a JavaScript
    literal that no page text can end early.
    """
    data = json.dumps(index, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"window.KB_SEARCH_INDEX={data};\n"


def read_index_text(text: str) -> dict[str, Any]:
    return json.loads(text.removeprefix("window.KB_SEARCH_INDEX=").rstrip().removesuffix(";"))


def read_index(path: Path) -> dict[str, Any]:
    """The index a build wrote (for tests and ``kb bench``)."""
    return read_index_text(path.read_text(encoding="utf-8"))


def engine_source() -> Path:
    if not ENGINE_SOURCE.is_file():
        raise ExtensionError(
            f"kb.sphinxext.search: MiniSearch is missing ({ENGINE_SOURCE}). "
            "Install the Node packages with `npm ci` (make build does it)."
        )
    return ENGINE_SOURCE


def write_index(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    write_atomic(static / INDEX_FILE, index_script(build_index(app)))
    # Without its source-map comment: the map is not published.
    engine = engine_source().read_text(encoding="utf-8")
    engine = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", engine)
    write_atomic(static / ENGINE_FILE, engine)


def check_engine(app: Sphinx) -> None:
    """Fail at the start of an HTML build, not after it, when MiniSearch is missing."""
    if app.builder.format != "html":
        return
    engine_source()
    try:
        read_synonyms(Path(app.srcdir) / SYNONYMS_FILE)
        read_crisis_words(Path(app.srcdir) / SYNONYMS_FILE)
    except SynonymsError as error:
        raise ExtensionError(str(error)) from None
    # The site's search replaces Sphinx's: do not build searchindex.js; the
    # search page is added below instead (Sphinx only writes it with search on).
    app.builder.search = False


def search_page(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    if app.builder.format == "html":
        context = {
            "kb_search_topics": [(slug, t.label) for slug, t in schema.TOPICS.items()],
            "kb_search_audiences": list(schema.AUDIENCES.items()),
            "kb_search_evidence": [(slug, e.label) for slug, e in schema.EVIDENCE_BASES.items()],
        }
        yield "search", context, "search.html"


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", check_engine)
    app.connect("doctree-read", collect)
    app.connect("env-get-outdated", unindexed)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("html-collect-pages", search_page)
    app.connect("build-finished", write_index)
    return {
        "version": "1",
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }

"""The draft page: MyST text that shows exactly the article's words.

Front matter comes from :func:`kb.schema.new_front_matter` (a draft, no review
date, so the page shows "Not yet reviewed"), plus ``disclosures`` when the
source is labelled as sponsored. Imported text is escaped (:func:`escape`) so
that it can never become markup; the only markup the importer adds is its own:
headings, lists, quotes, tables, the two admonitions, ``{term}`` links
(:class:`kb.glossary.TermLinker`), ``{cite:p}`` citations, the editor's TODO
list and the one References section.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kb import glossary as glossary_mod
from kb import schema
from kb.importer.classify import evidence_basis, infer_topics
from kb.importer.model import (
    Article,
    EvidenceNote,
    Heading,
    Items,
    Para,
    Quote,
    Table,
    Takeaway,
)
from kb.importer.sources import MAX_REFERENCES, Source

#: The audience of a draft until an editor decides: the broadest one.
DEFAULT_AUDIENCE = "both"
#: The evidence basis when the article does not say: the weakest kind, so a
#: draft never claims more than its source.
CAUTIOUS_EVIDENCE = "expert-opinion"
#: The topic of a draft whose text matched no topic's keywords.
FALLBACK_TOPIC = "ketamine-treatment"
TODO = schema.TODO_MARKER

# Characters that start Markdown or MyST syntax anywhere in a line: emphasis,
# code, links, roles, raw HTML, escapes, table cells.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<$|~])|&(?=#?\w+;)")
# Characters that start a block (heading, quote, list, fence, comment, target,
# definition, table...) when they open a line.
_LINE_START_SPECIAL = set("#>+-=:%|~(!^{}@/")


def owner_mark(key: str) -> str:
    """The MyST comment that marks a page as the import of one source: only a
    page that still carries it is replaced by ``kb import --force``."""
    return f"% kb import: the page of source {key}; kb import --force replaces it"


def escape(text: str, *, line_start: bool = True) -> str:
    """Imported text as MyST that shows exactly that text."""
    escaped = _INLINE_SPECIAL.sub(lambda m: "\\" + m.group(0), text)
    if line_start:
        escaped = re.sub(r"^(\d{1,9})([.)])", r"\1\\\2", escaped)
        if escaped[:1] in _LINE_START_SPECIAL:
            escaped = "\\" + escaped
    return escaped


def _heading(level: int, text: str) -> str:
    escaped = escape(text, line_start=False)
    trailing = len(escaped) - len(escaped.rstrip("#"))
    if trailing:
        escaped = escaped[:-trailing] + "\\#" * trailing
    return f"{'#' * level} {escaped}"


def _cite(keys: list[str]) -> str:
    return f"{{cite:p}}`{','.join(keys)}`"


def _inline(
    text: str, linker: glossary_mod.TermLinker | None, cites: dict[int, list[str]] | None
) -> str:
    """Text with term links and citations, escaped; the start is a line start."""
    cuts = sorted((cites or {}).items())
    out: list[str] = []
    pos = 0
    segments: list[tuple[str, list[str] | None]] = []
    for offset, keys in cuts:
        segments.append((text[pos:offset], keys))
        pos = offset
    segments.append((text[pos:], None))
    for segment, keys in segments:
        if keys is not None:
            segment = segment.rstrip()
        pieces = linker.link(segment) if linker else [(False, segment)]
        for markup, piece in pieces:
            out.append(piece if markup else escape(piece, line_start=not out))
        if keys is not None:
            out.append((" " if out else "") + _cite(keys))
    return "".join(out)


def _items(el: Items, linker: glossary_mod.TermLinker | None) -> list[str]:
    return [
        f"{f'{n}.' if el.ordered else '-'} {_inline(item, linker, None)}"
        for n, item in enumerate(el.items, start=1)
    ]


def _body_lines(elements: list, linker: glossary_mod.TermLinker | None) -> list[str]:
    lines: list[str] = []
    for el in elements:
        if lines:
            lines.append("")
        if isinstance(el, Para):
            lines.append(_inline(el.text, linker, el.cites))
        else:
            lines.extend(_items(el, linker))
    return lines


def _cell(text: str, linker: glossary_mod.TermLinker | None) -> str:
    """A table cell: escaped (a "|" too), terms linked, never empty."""
    return _inline(" ".join(text.split()), linker, None) or " "


def _table(table: Table, linker: glossary_mod.TermLinker | None) -> list[str]:
    """A MyST (GitHub-style) table; rows that do not line up become a list."""
    widths = {len(row) for row in table.rows}
    if len(widths) != 1 or len(table.rows) < 2 or widths == {1}:
        rows = [row for row in table.rows if any(row)]
        return [f"- {_cell('; '.join(c for c in row if c), linker)}" for row in rows]
    header, *rows = table.rows
    out = ["| " + " | ".join(_cell(c, linker) for c in header) + " |"]
    out.append("|" + "|".join(" --- " for _ in header) + "|")
    out += ["| " + " | ".join(_cell(c, linker) for c in row) + " |" for row in rows]
    return out


def _fence(name: str, body: list[str], *options: str, argument: str = "") -> list[str]:
    opening = f":::{{{name}}} {argument}".rstrip()
    return [opening, *options, *([""] if options and body else []), *body, ":::"]


@dataclass
class Draft:
    """What an import produced: the page, the bib entries and what it found."""

    article: Article
    slug: str
    page: str
    sources: list[Source]
    topics: list[str]
    evidence_basis: str
    linked_terms: list[str]
    todos: list[str]
    disclosures: list[str]

    @property
    def new_entries(self) -> list[Source]:
        return [s for s in self.sources if s.new_entry]


@dataclass(frozen=True)
class Code:
    """A literal (a field name, value or key) in a TODO item: shown as code, so
    neither MyST nor the glossary check reads it as prose."""

    text: str


#: A TODO item: prose and literals.
Todo = tuple[str | Code, ...]


def todo_text(item: Todo) -> str:
    """A TODO item for the terminal."""
    return "".join(f"`{p.text}`" if isinstance(p, Code) else p for p in item)


def _todo_myst(item: Todo) -> str:
    out = []
    for part in item:
        if isinstance(part, Code) and "`" not in part.text:
            out.append(f"`{part.text}`")
        else:
            out.append(escape(part.text if isinstance(part, Code) else part, line_start=False))
    return "".join(out)


def disclosures_for(article: Article) -> list[str]:
    """The front matter's ``disclosures`` for a source labelled as sponsored."""
    facts = article.facts
    if not facts.sponsorship:
        return []
    labels = "; ".join(f'"{label}"' for label in facts.sponsorship)
    text = f"The imported source is sponsored or paid content: the page is labelled {labels}."
    if facts.sponsor:
        text += f" It names {facts.sponsor} as the sponsor."
    return [text]


def _todos(
    article: Article,
    sources: list[Source],
    uncited: list[str],
    topics: list[str],
    counts: dict[str, int] | None,
    basis: str,
    basis_read: bool,
    glossary: glossary_mod.Glossary | None,
    today: dt.date,
) -> list[Todo]:
    """Everything an editor must decide or write before the draft is reviewed."""
    todos: list[Todo] = [
        (
            "Check every statement against the source: this draft was imported from ",
            Code(article.path.name),
            " and has not been reviewed.",
        ),
        (
            'The draft has no review date (it shows "Not yet reviewed"): once it is checked, '
            "add the record under ",
            Code("reviews"),
            ", set ",
            Code("review_status"),
            ", ",
            Code("last_reviewed"),
            " and ",
            Code("next_review"),
            " (imported ",
            Code(today.isoformat()),
            ").",
        ),
        (
            Code("audience"),
            " is ",
            Code(DEFAULT_AUDIENCE),
            " until an editor decides who the page is for.",
        ),
    ]
    if article.facts.sponsorship:
        labels = ", ".join(f'"{s}"' for s in article.facts.sponsorship)
        todos.append(
            (
                f"The source is labelled {labels}: this is recorded under ",
                Code("disclosures"),
                ". Decide whether the knowledge base should rely on a sponsored source, "
                "and keep the disclosure while it does.",
            )
        )
    if counts is not None:
        why: list[str | Code] = []
        for topic in topics:
            hits = counts[topic]
            why += [", " if why else "", Code(topic), f" ({hits} keyword hit{'s' * (hits != 1)})"]
        todos.append(("Confirm the topics, chosen from the text's keywords: ", *why, "."))
    else:
        todos.append(
            (
                "No topic was recognised: ",
                Code("topics"),
                " is ",
                Code(topics[0]),
                " until an editor sets it.",
            )
        )
    if article.evidence_note and basis_read:
        todos.append(
            ("Confirm ", Code("evidence_basis"), " ", Code(basis), ", read from the evidence note.")
        )
    elif article.evidence_note:
        todos.append(
            (
                "The evidence note asserts no kind of evidence the importer could confirm: ",
                Code("evidence_basis"),
                " is ",
                Code(basis),
                " (the most cautious) until an editor sets it.",
            )
        )
    else:
        todos.append(
            (
                "The article has no evidence quality note: write one, and set ",
                Code("evidence_basis"),
                " (now ",
                Code(basis),
                ", the most cautious).",
            )
        )
    if article.standfirst is None:
        todos.append(
            ("The article has no standfirst: write the ", Code("summary"), " and a lead paragraph.")
        )
    if article.takeaway is None:
        todos.append(("The article has no Key Takeaway section: write the key takeaway.",))
    if not article.attributions and not article.references:
        todos.append(
            (
                "The article does not name the publication it reports on: find that "
                "source, add it to references.bib and cite it.",
            )
        )
    for source in sources:
        if not source.new_entry:
            continue
        if source.attribution is not None:
            todos.append(
                (
                    "Complete the references.bib entry ",
                    Code(source.key),
                    " from the source itself (title, author, date, address): the saved copy "
                    "does not state them.",
                )
            )
        elif source.reference is None and source.missing:
            todos.append(
                (
                    "Complete the references.bib entry ",
                    Code(source.key),
                    f" from the source itself if it can be found ({', '.join(source.missing)}): "
                    "the saved copy does not state them.",
                )
            )
    if len(article.references) > MAX_REFERENCES:
        todos.append(
            (
                f"The reference list has {len(article.references)} lines; only the first "
                f"{MAX_REFERENCES} were read. Add the others by hand if the page needs them.",
            )
        )
    for ref in article.references[:MAX_REFERENCES]:
        if not ref.parsed:
            todos.append(
                (
                    f"Reference line {ref.line} could not be read; add it to references.bib "
                    f'by hand: "{ref.raw}".',
                )
            )
        if ref.bad_doi:
            todos.append(
                (
                    f"Reference line {ref.line} gives ",
                    Code(ref.bad_doi),
                    " as its DOI, which is not a DOI: it was not recorded.",
                )
            )
    if uncited:
        keys: list[str | Code] = []
        for key in uncited:
            keys += [", " if keys else "", Code(key)]
        todos.append(
            (
                "Cite each of the article's references where it supports a statement (",
                *keys,
                "): the text does not mark where, so they are cited only in the References "
                "section.",
            )
        )
    for line in article.loose_tables:
        todos.append(
            (
                f"The table at line {line} of the saved file had rows that do not line up: "
                "it is a list; rebuild it as a table.",
            )
        )
    for line in article.unplaced:
        todos.append((f'Line {line.number} of the saved file was not placed: "{line.text}".',))
    if glossary is None:
        todos.append(("No glossary was found: link terms with ", Code("{term}"), " by hand."))
    return todos


def render(
    article: Article,
    slug: str,
    sources: list[Source],
    uncited: list[str],
    glossary: glossary_mod.Glossary | None,
    today: dt.date,
) -> Draft:
    """The draft page for an article whose citations have been placed."""
    topics, counts = infer_topics(article.plain_text())
    if not topics:
        topics, counts = [FALLBACK_TOPIC], None
    note = article.evidence_note
    note_text = " ".join(p.text for p in note.body if isinstance(p, Para)) if note else ""
    read = evidence_basis(note_text) if note else None
    basis = read or CAUTIOUS_EVIDENCE
    todos = _todos(
        article, sources, uncited, topics, counts, basis, read is not None, glossary, today
    )

    lead = article.standfirst.text.strip() if article.standfirst else ""
    summary = lead if any(c.isalnum() for c in lead) else f"{TODO}: write a one-sentence summary."

    values = schema.new_front_matter(
        article.title,
        summary=summary,
        audience=DEFAULT_AUDIENCE,
        topics=topics,
        evidence_basis=basis,
        sources=list(dict.fromkeys(s.key for s in sources)),
    )
    disclosures = disclosures_for(article)
    if disclosures:
        values["disclosures"] = disclosures

    linker = glossary_mod.TermLinker(glossary)
    out = [schema.front_matter_yaml(values), _heading(1, article.title), ""]
    if article.standfirst:
        out += [_inline(article.standfirst.text, linker, article.standfirst.cites), ""]
    for el in article.body:
        if isinstance(el, Heading):
            out += [_heading(2, el.text), ""]
        elif isinstance(el, Takeaway):
            body = [f"*{escape(el.qualifier, line_start=False)}*", ""] if el.qualifier else []
            body += _body_lines(el.body, linker) or [f"{TODO}: write the key takeaway."]
            out += [*_fence("key-takeaway", body), ""]
        elif isinstance(el, EvidenceNote):
            body = _body_lines(el.body, linker) or [f"{TODO}: write the evidence quality note."]
            out += [*_fence("evidence-note", body), ""]
        elif isinstance(el, Quote):
            out += [f"> {_inline(el.text, linker, None)}", ""]
        elif isinstance(el, Table):
            out += [*_table(el, linker), ""]
        else:
            out += [*_body_lines([el], linker), ""]
    if article.takeaway is None:
        out += [*_fence("key-takeaway", [f"{TODO}: write the key takeaway."]), ""]
    if note is None:
        missing = (
            "The imported article gave no evidence quality note. "
            f"{TODO}: say what kind of evidence this page rests on."
        )
        out += [*_fence("evidence-note", [missing]), ""]
    # The editor's list goes last, after the text: it is removed item by item,
    # and the text's first use of each glossary term stays the linked one.
    items = [f"- {TODO}: {_todo_myst(item)}" for item in todos]
    out += [
        *_fence("admonition", items, ":class: kb-todo", argument="Draft: to do before review"),
        "",
    ]
    out += ["## References", ""]
    if uncited:
        out += [f"The imported article lists these sources: {_cite(uncited)}.", ""]
    out += [*_fence("bibliography", [], ":filter: docname in docnames"), ""]
    own = next((s.key for s in sources if s.attribution is None and s.reference is None), "")
    out += [owner_mark(own), ""]
    page = "\n".join(out)
    plain = [todo_text(item) for item in todos]
    return Draft(article, slug, page, sources, topics, basis, linker.linked, plain, disclosures)

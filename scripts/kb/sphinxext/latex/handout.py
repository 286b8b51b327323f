"""A handout: one article, printed for a patient on one sheet (two sides).

In the order patient leaflets use: the title and summary; one line with the
evidence, the review status and the dates; **Key points** (the article's
takeaway box); the article; the evidence note and the disclosures; "Terms
used" (every glossary term and abbreviation the handout's text uses, linked
or not, with its synonyms and plurals: found with the glossary's own term
matcher, see :func:`terms_in`), each with the first sentence of its
definition, which says what the word means; the references; then the crisis notice, the
disclaimer and where to find the current version. The crisis line is also on
every page (kb.sty's ``\\kbhandoutlayout``). The large-print handout is the
same document at 14 pt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from kb import glossary, notices
from kb.sphinxext import glossary_links
from kb.sphinxext.articles import format_date
from kb.sphinxext.latex import citations
from kb.sphinxext.latex.texts import (
    DISCLOSURES,
    FIND_ONLINE,
    KEY_POINTS,
    READ_ONLINE,
    TERMS_TITLE,
    cmd,
    crisis_text,
    disclaimer_text,
    qr_picture,
    tex,
    tex_url,
)

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

try:  # the importer's term matcher, moving to kb.glossary (issue 13)
    from kb.glossary import TermLinker  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - until the move lands
    from kb.importer import TermLinker

#: An article up to about this many words fits one sheet (two pages).
ONE_SHEET_WORDS = 1300
ONE_SHEET_PAGES = 2
LONG_ARTICLE_PAGES = 4


@dataclass(frozen=True)
class Handout:
    docname: str
    slug: str
    article: Any  # kb.schema.Article
    url: str  # "" when the site's address is not configured
    large: bool = False

    @property
    def texname(self) -> str:
        return f"handout-large-{self.slug}.tex" if self.large else f"handout-{self.slug}.tex"

    @property
    def output(self) -> str:
        folder = "handouts/large-print" if self.large else "handouts"
        return f"{folder}/{self.slug}.pdf"

    @property
    def kind(self) -> str:
        return "large-print" if self.large else "handout"


@dataclass(frozen=True)
class Term:
    found: glossary_links.Found
    item: nodes.definition_list_item  # a copy of the glossary's entry


@dataclass(frozen=True)
class HandoutJob:
    """The handout being assembled: its article and the glossary entries it
    defines, alphabetically."""

    handout: Handout
    terms: tuple[Term, ...]

    def __deepcopy__(self, memo: dict[int, Any]) -> HandoutJob:
        # Sphinx deep-copies env.current_document for every document it
        # resolves; the entries' nodes reach their whole glossary page (and
        # the environment). The job is made for one document: share it.
        return self


#: Where the job is kept (``env.current_document``) while a handout is resolved.
JOB_KEY = "kb_handout_job"


def current_job(env: BuildEnvironment) -> HandoutJob | None:
    """The handout being resolved, or None for the book."""
    return env.current_document.get(JOB_KEY)


def max_pages(words: int) -> int:
    return ONE_SHEET_PAGES if words <= ONE_SHEET_WORDS else LONG_ARTICLE_PAGES


# -- Which terms a handout defines -------------------------------------------------------


def _matcher(env: BuildEnvironment) -> tuple[Any, dict[str, glossary_links.Found]]:
    """The glossary's term matcher over this build's glossary entries, and
    each headword's entry."""
    entries = getattr(env, glossary_links.ENTRIES, {})
    words = glossary.Glossary()
    by_headword: dict[str, glossary_links.Found] = {}
    for docname in sorted(entries):
        for entry in entries[docname].values():
            if entry.terms[0] in by_headword:
                continue
            words.entries.append(glossary.Entry(entry.terms, entry.definition, 0))
            by_headword[entry.terms[0]] = glossary_links.Found(docname, entry, entry.ids[0])
    return TermLinker(words), by_headword


def terms_in(env: BuildEnvironment, text: str) -> list[glossary_links.Found]:
    """Every glossary entry whose term, synonym, plural or abbreviation
    appears in ``text``, and those their definitions use in turn (a printed
    definition is handout text too)."""
    linker, by_headword = _matcher(env)
    found: dict[str, glossary_links.Found] = {}
    todo = text
    while todo:
        linker.link(todo)
        new = [h for h in linker.linked if h not in found]
        for headword in new:
            found[headword] = by_headword[headword]
        todo = " ".join(first_sentence(by_headword[h].entry.definition) for h in new)
    return sorted(found.values(), key=lambda f: (f.entry.terms[0].casefold(), f.docname))


#: Where a sentence ends: a full stop (or ! ?), space, and a capital or digit.
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z0-9\u201c\"(])")


def first_sentence(text: str) -> str:
    found = _SENTENCE_END.search(text)
    return text[: found.end()] if found else text


def short_definition(item: nodes.definition_list_item) -> nodes.definition_list_item:
    """The entry with the first sentence of its definition only (and the
    citations inside it): what the word means, compactly. The glossary online
    has the rest. Changes ``item`` (a copy) in place."""
    definition = next((c for c in item.children if isinstance(c, nodes.definition)), None)
    paragraph = definition.next_node(nodes.paragraph) if definition is not None else None
    if paragraph is None:
        return item
    for child in paragraph.children[:]:
        if not isinstance(child, nodes.Text):
            continue
        found = _SENTENCE_END.search(child.astext())
        if found is None:
            continue
        index = next(i for i, c in enumerate(paragraph.children) if c is child)
        kept = nodes.Text(child.astext()[: found.end()])
        kept.parent = paragraph
        paragraph.children[index:] = [kept]
        break
    definition.children = [paragraph]
    paragraph.parent = definition
    return item


def handout_text(env: BuildEnvironment, handout: Handout, extra: list[str]) -> str:
    """What a handout prints, as plain text, before the terms are added."""
    doctree = env.get_doctree(handout.docname)
    article = handout.article
    parts = [
        article.title,
        article.summary,
        article.evidence_label,
        article.review_status_label,
        *getattr(article, "disclosures", ()),
        glossary_links.plain_text(doctree),
        notices.CRISIS_SHORT,
        notices.DISCLAIMER_TEXT,
        *extra,
    ]
    return "\n".join(parts)


def glossary_item(
    env: BuildEnvironment, cache: dict[str, dict[str, nodes.definition_list_item]], found: Any
) -> nodes.definition_list_item | None:
    docname, entry_id = found.docname, found.entry.entry_id
    if docname not in cache:
        items = {}
        for gloss in env.get_doctree(docname).findall(addnodes.glossary):
            for item in gloss.findall(nodes.definition_list_item):
                terms = [t for t in item.children if isinstance(t, nodes.term) and t["ids"]]
                if terms:
                    items[terms[0]["ids"][0]] = item
        cache[docname] = items
    return cache[docname].get(entry_id)


# -- Assembly -----------------------------------------------------------------------------


def _has_class(node: nodes.Node, cls: str) -> bool:
    return isinstance(node, nodes.Element) and cls in node.get("classes", [])


class HandoutAssembly(SphinxPostTransform):
    """What a handout adds to its article, and in which order (module docstring)."""

    default_priority = 6  # after sphinxcontrib-bibtex fills reference lists (5), before 10
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        job = current_job(self.env)
        if job is None:
            return
        handout = job.handout
        top = next(iter(self.document.findall(nodes.section)), None)
        if top is None:
            return
        self._replace_header(top, handout)
        evidence = next(self.document.findall(lambda n: _has_class(n, "kb-evidence-note")), None)
        if evidence is not None:
            # After the article, wherever the page has it.
            evidence.parent.remove(evidence)
            references = _references_section(self.document, handout.docname)
            if references is not None and references.parent is top:
                top.insert(top.index(references), evidence)
            else:
                top += evidence
        disclosures = getattr(handout.article, "disclosures", ())
        if disclosures:
            self._add_disclosures(top, evidence, disclosures)
        if job.terms:
            self._add_terms(top, handout, job.terms)
        self._link_terms({t.found.entry.entry_id for t in job.terms})
        self.document += nodes.raw("", self._back_matter(handout), format="latex")

    def _replace_header(self, top: nodes.section, handout: Handout) -> None:
        """Summary, then one line of facts, then the key points."""
        header = next((c for c in top.children if _has_class(c, "kb-article-header")), None)
        title_index = top.first_child_matching_class(nodes.title)
        position = top.index(header) if header is not None else (title_index or 0) + 1
        if header is not None:
            top.remove(header)
        article = handout.article
        summary = nodes.paragraph(article.summary, article.summary, classes=["kb-summary"])
        new: list[nodes.Node] = [
            nodes.container("", summary, classes=["kb-handout-summary"]),
            nodes.raw("", self._facts(article), format="latex"),
        ]
        takeaway = next(self.document.findall(lambda n: _has_class(n, "kb-key-takeaway")), None)
        if takeaway is not None:
            takeaway.parent.remove(takeaway)
            title = takeaway.next_node(nodes.title)
            if title is not None:
                title.children = [nodes.Text(KEY_POINTS)]
            new.append(takeaway)
        for offset, node in enumerate(new):
            top.insert(position + offset, node)

    @staticmethod
    def _facts(article: Any) -> str:
        def fact(name: str, value: str) -> str:
            # A long label ("Editorially reviewed: checked against ...") is a
            # short label, then words that may wrap.
            for mark in (": ", "; "):
                head, sep, rest = value.partition(mark)
                if sep:
                    return cmd("kbfact", tex(name), tex(head)) + tex(sep.rstrip()) + " " + tex(rest)
            return cmd("kbfact", tex(name), tex(value))

        last, due = article.last_reviewed, article.next_review
        facts = [
            fact("Evidence", article.evidence_label),
            fact("Review", article.review_status_label),
            fact("Last reviewed", format_date(last) if last else "Not yet reviewed"),
        ]
        if due:
            facts.append(fact("Next review due", format_date(due)))
        return "\n" + cmd("kbfacts", r"\kbfactsep ".join(facts)) + "\n"

    def _add_disclosures(
        self, top: nodes.section, evidence: nodes.Element | None, disclosures: tuple[str, ...]
    ) -> None:
        box = nodes.container("", classes=["kb-disclosures"])
        para = nodes.paragraph()
        para += nodes.strong(DISCLOSURES + ": ", DISCLOSURES + ": ")
        para += nodes.Text(" ".join(disclosures))
        box += para
        if evidence is not None and evidence.parent is not None:
            evidence.parent.insert(evidence.parent.index(evidence) + 1, box)
        else:
            top += box

    def _add_terms(self, top: nodes.section, handout: Handout, terms: tuple[Term, ...]) -> None:
        references = _references_section(self.document, handout.docname)
        items = []
        for term in terms:
            item = term.item
            for index in list(item.findall(addnodes.index)):
                index.parent.remove(index)
            for xref in list(item.findall(addnodes.pending_xref)):
                if xref.get("refdomain") == "cite" and references is None:
                    # No reference list to number them in (the linter asks
                    # every article for one): the definition is printed alone.
                    xref.parent.remove(xref)
                else:
                    # Numbered in this handout's list, as its own citations are.
                    xref["refdoc"] = handout.docname
            citations.glue_citations(item)
            items.append(_one_term_line(item))
        section = nodes.section("", ids=["kb-terms-used"], names=["kb-terms-used"])
        section += nodes.title(TERMS_TITLE, TERMS_TITLE)
        glossary_node = addnodes.glossary(
            "", nodes.definition_list("", *items, classes=["glossary"])
        )
        section += nodes.container("", glossary_node, classes=["kb-terms"])
        if references is not None and references.parent is not None:
            references.parent.insert(references.parent.index(references), section)
        else:
            top += section
        # Terms and references share two columns of small type (kb.sty).
        parent = section.parent
        parent.insert(parent.index(section), nodes.raw("", r"\kbbackbegin", format="latex"))
        end = references if references is not None and references.parent is parent else section
        parent.insert(parent.index(end) + 1, nodes.raw("", r"\kbbackend", format="latex"))

    def _link_terms(self, printed: set[str]) -> None:
        """A term whose definition the handout prints is in italics; any other
        term link is plain text."""
        env = self.env
        for xref in list(self.document.findall(addnodes.pending_xref)):
            if xref.get("refdomain") != "std" or xref.get("reftype") != "term":
                continue
            found = glossary_links.entry_for(env, xref["reftarget"])
            content = xref.children[0].deepcopy() if xref.children else nodes.Text("")
            if found is not None and found.entry.entry_id in printed:
                # In italics: defined under "Terms used". Not a link: on paper it
                # is none, and a link broken over a page confuses xdvipdfmx.
                xref.replace_self(nodes.emphasis("", "", content))
            else:
                xref.replace_self(content)

    def _back_matter(self, handout: Handout) -> str:
        """The crisis notice (never split), the disclaimer, and where the current
        version is: its address and QR code, or how to find it."""
        config = self.config
        if handout.url:
            online = cmd("textbf", tex(READ_ONLINE)) + " " + tex_url(handout.url)
            qr = qr_picture(handout.url, size="1.8cm")
        else:
            online = tex(FIND_ONLINE.format(site=config.project, what="handout"))
            qr = ""
        # The printed-on stamp is in every page's footer.
        text = disclaimer_text() + " " + online
        return "\n" + cmd("kbhandoutback", qr, crisis_text(), text) + "\n"


def _one_term_line(item: nodes.definition_list_item) -> nodes.definition_list_item:
    """Synonyms on one line ("TRD / Treatment-resistant depression"), each
    keeping its anchor, so that the definition runs in after them."""
    terms = [c for c in item.children if isinstance(c, nodes.term)]
    if len(terms) < 2:
        return item
    merged = nodes.term("", "", ids=[i for t in terms for i in t["ids"]])
    for i, term in enumerate(terms):
        if i:
            merged += nodes.Text(" / ")
        merged.extend(c.deepcopy() for c in term.children)
    rest = [c for c in item.children if not isinstance(c, nodes.term)]
    return nodes.definition_list_item("", merged, *rest)


def _references_section(document: nodes.document, docname: str) -> nodes.section | None:
    for citation in document.findall(nodes.citation):
        if citation.get("docname") == docname:
            parent = citation.parent
            while parent is not None and not isinstance(parent, nodes.section):
                parent = parent.parent
            return parent
    return None


def drop_related_from_handouts(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """A handout stands alone: no "Related articles" (and so adding an article
    elsewhere does not change it)."""
    if current_job(app.env) is None:
        return
    for box in list(doctree.findall(nodes.container)):
        if "kb-related" in box.get("classes", []):
            box.parent.remove(box)

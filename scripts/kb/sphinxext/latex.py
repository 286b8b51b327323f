"""LaTeX output: the book, and one printable handout per article.

Sphinx's LaTeX builder writes the book (``latex_documents`` in conf.py). This
module replaces it with a subclass that also writes ``handout-<slug>.tex``
for every article, and adapts the output to print:

- the Key takeaway and the Evidence quality note become two distinct boxes
  (``kbtakeaway`` and ``kbevidencenote`` in ``templates/latex/kb.sty``);
- reference lists stay where the page has them (Sphinx would gather every
  citation into one list at the end of the document, where per-page numbers
  such as "[1]" clash), and each citation links to its own page's list;
- sphinx-design cards become a list of linked titles with their text;
- sections left empty are dropped;
- a handout (one article, no "Related articles") adds the crisis notice
  under its header and atop every page; "Terms used in this handout" (the
  definitions of the glossary terms the article links, found with
  ``kb.sphinxext.glossary_links``); the sources those definitions cite, in
  the article's own numbered list; and a closing panel with the disclaimer,
  its online address as text and as a QR code (segno), and "Printed copies
  are uncontrolled", with the version and the build date (also in every
  page's footer).

``kb.pdf`` runs the build and typesets the ``.tex`` files; it reads the
documents from ``kb-documents.json``, written here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import segno
from docutils import nodes
from sphinx import addnodes
from sphinx.builders.latex import LaTeXBuilder
from sphinx.errors import NoUri
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import docname_join, logging
from sphinx.util.texescape import escape
from sphinx.writers.latex import CR, LaTeXTranslator

from kb import notices, schema
from kb.files import write_atomic
from kb.sphinxext import bibtex_adapter, glossary_links
from kb.sphinxext.articles import format_date

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.theming import Theme

logger = logging.getLogger(__name__)

#: The LaTeX package with the print styles, copied next to the .tex files.
STYLE_FILE = Path(__file__).resolve().parents[1] / "templates" / "latex" / "kb.sty"
#: What kb.pdf reads to know which .tex file becomes which PDF.
MANIFEST = "kb-documents.json"
#: Marks the .tex line that holds the build date; the PDF cache ignores it, so
#: a new build date alone does not re-typeset an unchanged document.
VOLATILE = "% kb:volatile"

PAPER_SIZES = {"letter": "letterpaper", "a4": "a4paper"}
#: Admonition class -> the kb.sty box it prints as.
BOXES = {"kb-key-takeaway": "kbtakeaway", "kb-evidence-note": "kbevidencenote"}

# The words printed on every handout: kb.notices, their one home.
CRISIS_LEAD = notices.CRISIS_LONG_LEAD
CRISIS_TEXT = notices.CRISIS_TEXT
CRISIS_SHORT = notices.CRISIS_SHORT
DISCLAIMER_LEAD = notices.DISCLAIMER_LEAD
DISCLAIMER_TEXT = notices.DISCLAIMER_TEXT
UNCONTROLLED = "Printed copies are uncontrolled — check the online version."
TERMS_TITLE = "Terms used in this handout"


def build_date() -> dt.date:
    """The day of SOURCE_DATE_EPOCH (kb build sets it from the last commit)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.datetime.now(dt.UTC).date()


def page_url(base_url: str, docname: str) -> str:
    """Where a page is published: ``<kb_base_url>/<docname>.html``."""
    return f"{base_url.rstrip('/')}/{docname}.html"


def cmd(name: str, *args: str) -> str:
    r"""``\name{arg}...``: a LaTeX command and its arguments (LaTeX already)."""
    return "\\" + name + "".join("{" + arg + "}" for arg in args)


def tex(text: str) -> str:
    """Plain text, escaped for XeLaTeX."""
    return escape(text, "xelatex")


def lead(bold: str, rest: str) -> str:
    """A notice: its first words in bold, then the rest."""
    return cmd("textbf", tex(bold)) + " " + tex(rest)


def tex_url(url: str) -> str:
    r"""A URL as a link that prefers to break before its last part (the page's
    file name) rather than after ``https:``."""
    clean = url.replace("\\", "").replace("%", r"\%").replace("#", r"\#")
    head, _slash, tail = clean.rpartition("/")
    if not head or not tail:
        return cmd("url", clean)
    return cmd(
        "href", clean, cmd("nolinkurl", head + "/") + r"\linebreak[0]" + cmd("nolinkurl", tail)
    )


def qr_picture(url: str, size: str = "2.4cm") -> str:
    """The URL's QR code as a LaTeX picture of rules: vector, and the same
    bytes for the same URL (segno's PDF output carries a creation time)."""
    qr = segno.make(url, error="m", micro=False)
    rows = [bytes(row) for row in qr.matrix]
    quiet = 4  # the quiet zone the QR standard asks for, in modules
    side = len(rows) + 2 * quiet
    out = [
        r"\begingroup" + cmd("setlength", r"\unitlength", rf"\dimexpr {size}/{side}\relax") + "%",
        cmd("begin", "picture") + f"({side},{side})%",
    ]
    for r, row in enumerate(rows):
        y = side - quiet - r - 1
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            out.append(
                f"\\put({quiet + start},{y})"
                + "{"
                + cmd("rule", rf"{c - start}\unitlength", r"\unitlength")
                + "}%"
            )
    out.append(r"\end{picture}\endgroup")
    return "\n".join(out)


@dataclass(frozen=True)
class Handout:
    docname: str
    slug: str
    article: schema.Article
    url: str

    @property
    def texname(self) -> str:
        return f"handout-{self.slug}.tex"

    @property
    def output(self) -> str:
        return f"handouts/{self.slug}.pdf"


@dataclass(frozen=True)
class HandoutJob:
    """The handout being assembled: its article's details and the glossary
    entries (copies) of the terms the article links, alphabetically."""

    handout: Handout
    terms: tuple[tuple[glossary_links.Found, nodes.definition_list_item], ...]

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


# -- Nodes: reference lists typeset in place ------------------------------------------


class reference_list(nodes.General, nodes.Element):  # noqa: N801 (docutils naming)
    """A page's numbered sources, where the page lists them."""


class reference_item(nodes.General, nodes.Element):  # noqa: N801
    """One source: ``label`` ("1") and ``anchor`` (what citations link to)."""


def visit_reference_list(self: LaTeXTranslator, node: reference_list) -> None:
    widest = max((item["label"] for item in node.children), key=len, default="0")
    self.body.append(CR + cmd("begin", "kbreferences", self.encode(widest)) + CR)


def depart_reference_list(self: LaTeXTranslator, node: reference_list) -> None:
    self.body.append(CR + r"\end{kbreferences}" + CR)


def visit_reference_item(self: LaTeXTranslator, node: reference_item) -> None:
    self.body.append(CR + cmd("kbreference", self.encode(node["label"]), node["anchor"]))


def depart_reference_item(self: LaTeXTranslator, node: reference_item) -> None:
    pass


# -- The translator ------------------------------------------------------------------------


class KbLaTeXTranslator(LaTeXTranslator):
    """Sphinx's LaTeX translator, with the article boxes as their own environments."""

    def _box(self, node: nodes.Element) -> str | None:
        return next((BOXES[c] for c in node.get("classes", []) if c in BOXES), None)

    def visit_admonition(self, node: nodes.Element) -> None:
        box = self._box(node)
        if box is None:
            super().visit_admonition(node)
            return
        # The admonition's title follows as the environment's argument.
        self.body.append(CR + cmd("begin", box))
        self.no_latex_floats += 1

    def depart_admonition(self, node: nodes.Element) -> None:
        box = self._box(node)
        if box is None:
            super().depart_admonition(node)
            return
        self.body.append(cmd("end", box) + CR)
        self.no_latex_floats -= 1


# -- The builder ------------------------------------------------------------------------------


class KbLaTeXBuilder(LaTeXBuilder):
    """Sphinx's LaTeX builder, plus one handout document per article."""

    default_translator_class = KbLaTeXTranslator

    def init(self) -> None:
        super().init()
        self.handouts: dict[str, Handout] = {}
        self.current_handout: Handout | None = None
        self._glossary_items: dict[str, dict[str, nodes.definition_list_item]] = {}
        self._base_context = dict(self.context)
        self._date = format_date(build_date())

    # Documents ------------------------------------------------------------------------

    def init_document_data(self) -> None:
        super().init_document_data()
        self.handouts = {}
        if not self.config.kb_handouts:
            return
        base_url = self.config.kb_base_url
        articles = getattr(self.env, "kb_articles", {})
        if articles and not base_url:
            logger.warning(
                "kb_base_url is not set: handouts cannot print their online address",
                type="kb",
                subtype="handout",
            )
        for docname in sorted(articles):
            handout = Handout(
                docname=docname,
                slug=docname.rsplit("/", 1)[-1],
                article=articles[docname],
                url=page_url(base_url, docname),
            )
            self.handouts[docname] = handout
            self.document_data.append(
                (
                    docname,
                    handout.texname,
                    tex(handout.article.title),  # LaTeX, as in latex_documents
                    self.config.author,
                    "howto",
                    False,
                )
            )

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        if docname in self.docnames:
            return "%" + docname
        # A page outside this PDF (a handout holds one article): its address online.
        if self.config.kb_base_url and docname in self.env.all_docs:
            return page_url(self.config.kb_base_url, docname)
        raise NoUri(docname, typ)

    def assemble_doctree(
        self, indexfile: str, toctree_only: bool, appendices: list[str]
    ) -> nodes.document:
        self.current_handout = handout = self.handouts.get(indexfile)
        job = HandoutJob(handout, tuple(self._linked_terms(indexfile))) if handout else None
        keys: list[str] = []
        for _found, item in job.terms if job else ():
            keys.extend(k for k in cited_keys(item) if k not in keys)
        _fresh_citation_nodes(self.env)
        # The post-transforms below read the job while the document is resolved.
        self.env.current_document[JOB_KEY] = job
        try:
            with handout_citations(self.env, indexfile, keys):
                return super().assemble_doctree(indexfile, toctree_only, appendices)
        finally:
            self.env.current_document.pop(JOB_KEY, None)

    def _linked_terms(
        self, docname: str
    ) -> list[tuple[glossary_links.Found, nodes.definition_list_item]]:
        targets = getattr(self.env, glossary_links.USES, {}).get(docname, frozenset())
        found: dict[str, glossary_links.Found] = {}
        for target in targets:
            hit = glossary_links.entry_for(self.env, target)
            if hit is not None:
                found.setdefault(hit.entry.entry_id, hit)
        terms = []
        for hit in sorted(found.values(), key=lambda f: (f.entry.terms[0].casefold(), f.docname)):
            item = self._glossary_item(hit.docname, hit.entry.entry_id)
            if item is not None:
                terms.append((hit, item.deepcopy()))
        return terms

    def _glossary_item(self, docname: str, entry_id: str) -> nodes.definition_list_item | None:
        if docname not in self._glossary_items:
            items = {}
            for glossary in self.env.get_doctree(docname).findall(addnodes.glossary):
                for item in glossary.findall(nodes.definition_list_item):
                    terms = [t for t in item.children if isinstance(t, nodes.term) and t["ids"]]
                    if terms:
                        items[terms[0]["ids"][0]] = item
            self._glossary_items[docname] = items
        return self._glossary_items[docname].get(entry_id)

    # The LaTeX preamble and title, per document -----------------------------------------------

    def update_doc_context(self, title: str, author: str, theme: Theme) -> None:
        self.context = dict(self._base_context)
        super().update_doc_context(title, author, theme)
        self.context["papersize"] = PAPER_SIZES[self.config.kb_paper_size]
        self.context["date"] = r"\kbbuilddate"
        handout = self.current_handout
        address = handout.url if handout else self.config.kb_base_url
        lines = [
            self.context.get("preamble", ""),
            cmd(
                "kbsetdocument",
                tex(self.config.project),
                tex(self.config.release),
                tex_url(address),
            ),
            cmd("renewcommand", r"\kbcrisistext", lead(CRISIS_LEAD, CRISIS_TEXT)),
            cmd("renewcommand", r"\kbcrisisshort", tex(CRISIS_SHORT)),
            cmd("renewcommand", r"\kbdisclaimertext", lead(DISCLAIMER_LEAD, DISCLAIMER_TEXT)),
            cmd("renewcommand", r"\kbuncontrolledtext", tex(UNCONTROLLED)),
            cmd("renewcommand", r"\kbbuilddate", tex(self._date)) + VOLATILE,
        ]
        if handout:
            lines.append(r"\kbhandoutlayout")
            self.context.update(
                maketitle=r"\kbhandouttitle",
                tableofcontents="",
                makeindex="",
                printindex="",
                pointsize="11pt",
                extraclassoptions="",  # the book's openany/oneside
                sphinxsetup=",".join(
                    s
                    for s in (
                        self.context.get("sphinxsetup", ""),
                        "hmargin={0.75in,0.75in}",
                        "vmargin={0.8in,0.9in}",
                    )
                    if s
                ),
            )
        else:
            self.context["maketitle"] = r"\kbbookcover"
        self.context["preamble"] = "\n".join(line for line in lines if line)

    # Files -------------------------------------------------------------------------------

    def copy_support_files(self) -> None:
        super().copy_support_files()
        shutil.copyfile(STYLE_FILE, Path(self.outdir, STYLE_FILE.name))

    def finish(self) -> None:
        super().finish()
        documents = []
        for entry in self.document_data:
            docname, targetname = entry[0], entry[1]
            handout = self.handouts.get(docname)
            documents.append(
                {
                    "tex": targetname,
                    "output": handout.output if handout else Path(targetname).stem + ".pdf",
                    "kind": "handout" if handout else "book",
                    "docname": docname,
                    "slug": handout.slug if handout else "",
                }
            )
        text = json.dumps({"documents": documents}, indent=2, sort_keys=True) + "\n"
        write_atomic(Path(self.outdir, MANIFEST), text)


# -- Citations in handouts --------------------------------------------------------------------


# sphinxcontrib-bibtex's internals are reached only through its adapter.
_fresh_citation_nodes = bibtex_adapter.fresh_citation_nodes
cited_keys = bibtex_adapter.cited_keys
handout_citations = bibtex_adapter.handout_citations


# -- Post-transforms (LaTeX only) -----------------------------------------------------------------


class PrintableCards(SphinxPostTransform):
    """sphinx-design cards as a list: each title (linked) above its text.

    A card prints as nested boxes whose title runs into its text, followed by
    the hidden "stretched link"; in print a card is a list entry.
    """

    default_priority = 6  # before references are resolved (10), so the links resolve
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        done: set[int] = set()
        # The pages in this PDF: the start page and those its toctrees include.
        printed = {self.env.docname} | {
            n["docname"] for n in self.document.findall(addnodes.start_of_file)
        }
        for card in list(self.document.findall(_is_card)):
            if id(card) in done:
                continue  # listed with its grid
            grid = _outermost_grid(card)
            cards = list(grid.findall(_is_card)) if grid is not None else [card]
            done.update(map(id, cards))
            items = [_card_item(c, printed) for c in cards]
            (grid or card).replace_self(nodes.definition_list("", *items))


def _is_card(node: nodes.Node) -> bool:
    return isinstance(node, nodes.container) and "sd-card" in node.get("classes", [])


def _outermost_grid(card: nodes.Element) -> nodes.Element | None:
    grid = None
    parent = card.parent
    while isinstance(parent, nodes.container):
        if any(c.startswith(("sd-container", "sd-row", "sd-col")) for c in parent["classes"]):
            grid = parent
        parent = parent.parent
    return grid


def _card_item(card: nodes.Element, printed: set[str]) -> nodes.definition_list_item:
    title_node = next(
        (n for n in card.findall(nodes.container) if "sd-card-title" in n["classes"]), None
    )
    title = title_node.astext().strip() if title_node is not None else ""
    link = next(
        (
            n
            for n in card.findall(nodes.Element)
            if isinstance(n, addnodes.pending_xref | nodes.reference)
            and "sd-stretched-link" in n.get("classes", [])
        ),
        None,
    )
    body: list[nodes.Node] = []
    for part in card.findall(nodes.container):
        if "sd-card-body" in part["classes"]:
            body.extend(c.deepcopy() for c in part.children if c is not title_node)
    term = nodes.term("", "")
    if link is None:
        term += nodes.Text(title)
    else:
        link = link.deepcopy()
        link["classes"] = []
        link.children = []
        link += nodes.inline(title, title)
        term += link
        if isinstance(link, addnodes.pending_xref):
            link["refexplicit"] = True  # keep the card's title as the link text
            target = docname_join(link["refdoc"], link["reftarget"])
            if link["reftype"] == "doc" and target in printed:
                # On paper a link is a page number.
                page = " (page~" + cmd("pageref*", cmd("detokenize", f"{target}::doc")) + ")"
                term += nodes.raw("", page, format="latex")
    return nodes.definition_list_item("", term, nodes.definition("", *body))


class BookChapters(SphinxPostTransform):
    """The pages the home page's toctree lists are the book's chapters.

    The toctree sits at the end of the home page, inside its last section,
    so Sphinx would print every page as a sub-section of that section
    ("Not medical advice"). The pages move to the top level, after the home
    page's own sections. The home page's opening text, which has no heading
    of its own (its title is the book's), becomes a first chapter under the
    home page's title instead of floating after the table of contents.
    """

    default_priority = 6
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        if current_job(self.env) is not None:
            return
        top = next(iter(self.document.findall(nodes.section)), None)
        if top is None or top.parent is not self.document:
            return
        for parent, page in list(_included_pages(top)):
            parent.remove(page)
            self.document += page
        title = top.next_node(nodes.title)
        opening = [c for c in top.children if not isinstance(c, nodes.title | nodes.section)]
        first_section = next((c for c in top.children if isinstance(c, nodes.section)), None)
        if title is None or not opening or first_section is None:
            return
        chapter = nodes.section("", ids=["kb-book-opening"])
        chapter += nodes.title(title.astext(), title.astext())
        for child in opening:
            top.remove(child)
            chapter += child
        top.insert(top.index(first_section), chapter)


def _included_pages(node: nodes.Element) -> Iterator[tuple[nodes.Element, nodes.Element]]:
    """(parent, page) for the pages a toctree of this page includes, not those
    of the included pages' own toctrees. Walks down the children: Sphinx does
    not update the ``parent`` of nodes it moves into an included page."""
    for child in node.children:
        if isinstance(child, addnodes.start_of_file):
            yield node, child
        elif isinstance(child, nodes.Element):
            yield from _included_pages(child)


class HandoutAssembly(SphinxPostTransform):
    """What a handout adds to its article (see the module docstring)."""

    default_priority = 6  # after sphinxcontrib-bibtex fills reference lists (5), before 10
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        job = current_job(self.env)
        if job is None:
            return
        handout, terms = job.handout, job.terms
        top = next(iter(self.document.findall(nodes.section)), None)
        if top is None:
            return
        self._add_crisis_notice(top)
        if terms:
            self._add_terms(top, handout, terms)
        self._link_terms(handout, {found.entry.entry_id for found, _item in terms})
        self.document += nodes.raw("", self._back_matter(handout), format="latex")

    def _add_crisis_notice(self, top: nodes.section) -> None:
        header = next(
            (
                i
                for i, child in enumerate(top.children)
                if isinstance(child, nodes.container)
                and "kb-article-header" in child.get("classes", [])
            ),
            None,
        )
        position = header + 1 if header is not None else 1
        top.insert(
            position,
            nodes.raw("", r"\begin{kbcrisis}\kbcrisistext\end{kbcrisis}", format="latex"),
        )

    def _add_terms(
        self,
        top: nodes.section,
        handout: Handout,
        terms: tuple[tuple[glossary_links.Found, nodes.definition_list_item], ...],
    ) -> None:
        references = _references_section(self.document, handout.docname)
        items = []
        for _found, item in terms:
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
            items.append(_one_term_line(item))
        section = nodes.section("", ids=["kb-terms-used"], names=["kb-terms-used"])
        section += nodes.title(TERMS_TITLE, TERMS_TITLE)
        intro = "What the medical words in this handout mean, from the knowledge base's glossary."
        section += nodes.paragraph(intro, intro)
        glossary = addnodes.glossary("", nodes.definition_list("", *items, classes=["glossary"]))
        section += nodes.container("", glossary, classes=["kb-terms"])
        if references is not None and references.parent is not None:
            references.parent.insert(references.parent.index(references), section)
        else:
            top += section

    def _link_terms(self, handout: Handout, printed: set[str]) -> None:
        """Term links point to the definitions printed in the handout; a term
        whose definition is not printed (one a definition mentions) is plain text."""
        env = self.env
        for xref in list(self.document.findall(addnodes.pending_xref)):
            if xref.get("refdomain") != "std" or xref.get("reftype") != "term":
                continue
            found = glossary_links.entry_for(env, xref["reftarget"])
            content = xref.children[0].deepcopy() if xref.children else nodes.Text("")
            if found is not None and found.entry.entry_id in printed:
                ref = nodes.reference("", "", content, internal=True, refid=found.anchor)
                xref.replace_self(ref)
            else:
                xref.replace_self(content)

    def _back_matter(self, handout: Handout) -> str:
        config = self.config
        paragraph = r"\par\medskip" + "\n"
        text = (
            lead(DISCLAIMER_LEAD, DISCLAIMER_TEXT)
            + paragraph
            + cmd("textbf", tex("Read the current version online:"))
            + r"\\ "
            + tex_url(handout.url)
            + paragraph
            + tex(UNCONTROLLED)
            + r"\\ "
            + tex(f"{config.project}, version {config.release}, built ")
            + r"\kbbuilddate."
        )
        return "\n" + cmd("kbhandoutback", qr_picture(handout.url), text) + "\n"


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


class InPlaceReferenceLists(SphinxPostTransform):
    """Keep each page's reference list where the page has it.

    Sphinx's LaTeX writer moves every citation to one bibliography at the end
    of the document (priority 750), which leaves an empty "References" heading
    on each page and repeats the per-page numbers; citations here become
    reference_list nodes, which it leaves alone.
    """

    default_priority = 700
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        for parent in _parents_of(self.document.findall(nodes.citation)):
            replacement: list[nodes.Node] = []
            for child in parent.children:
                if isinstance(child, nodes.citation):
                    if not replacement or not isinstance(replacement[-1], reference_list):
                        replacement.append(reference_list())
                    replacement[-1] += self._item(child)
                else:
                    replacement.append(child)
            if isinstance(parent, nodes.container) and not parent.get("classes"):
                parent.replace_self(replacement)  # sphinxcontrib-bibtex's bare wrapper
            else:
                parent.children = []
                parent.extend(replacement)

    def _item(self, citation: nodes.citation) -> reference_item:
        docname = citation.get("docname") or self.env.docname
        label = citation[0].astext() if isinstance(citation[0], nodes.label) else ""
        item = reference_item("", label=label, anchor=f"cite.{docname}:{citation['ids'][0]}")
        item.extend(c for c in citation.children if not isinstance(c, nodes.label))
        return item


def _parents_of(found: Iterator[nodes.Element]) -> list[nodes.Element]:
    parents: list[nodes.Element] = []
    for node in found:
        if node.parent is not None and node.parent not in parents:
            parents.append(node.parent)
    return parents


class DropEmptySections(SphinxPostTransform):
    """A section with nothing but its heading (and anchors) is not printed."""

    default_priority = 760  # after the reference lists are settled
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        for section in reversed(list(self.document.findall(nodes.section))):
            content = [c for c in section.children if not isinstance(c, nodes.title | nodes.target)]
            if not content and section.parent is not None:
                section.parent.remove(section)


def drop_related_from_handouts(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """A handout stands alone: no "Related articles" (and so adding an article
    elsewhere does not change it)."""
    if current_job(app.env) is None:
        return
    for box in list(doctree.findall(nodes.container)):
        if "kb-related" in box.get("classes", []):
            box.parent.remove(box)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("kb.sphinxext.bibtex_adapter")
    # US Letter unless the clinic prints on A4 (conf.py reads KB_PAPER).
    app.add_config_value("kb_paper_size", "letter", "", types=[str])
    app.add_config_value("kb_handouts", True, "", types=[bool])
    app.connect("config-inited", _check_paper_size)
    app.add_builder(KbLaTeXBuilder, override=True)
    app.add_latex_package("kb")
    app.add_node(reference_list, latex=(visit_reference_list, depart_reference_list))
    app.add_node(reference_item, latex=(visit_reference_item, depart_reference_item))
    app.add_post_transform(PrintableCards)
    app.add_post_transform(BookChapters)
    app.add_post_transform(HandoutAssembly)
    app.add_post_transform(InPlaceReferenceLists)
    app.add_post_transform(DropEmptySections)
    # After articles.py appends the box (default priority 500).
    app.connect("doctree-resolved", drop_related_from_handouts, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


def _check_paper_size(app: Sphinx, config: Any) -> None:
    if config.kb_paper_size not in PAPER_SIZES:
        logger.warning(
            "kb_paper_size %r is not one of %s; using letter",
            config.kb_paper_size,
            ", ".join(PAPER_SIZES),
            type="kb",
            subtype="config",
        )
        config.kb_paper_size = "letter"

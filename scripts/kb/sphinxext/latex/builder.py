"""The LaTeX builder: the book, and per article a handout and a large-print handout.

Sphinx's LaTeX builder writes the book (``latex_documents`` in conf.py); this
subclass adds ``handout-<slug>.tex`` and ``handout-large-<slug>.tex`` for every
article, sets each document's preamble (paper, PDF metadata, the notices from
:mod:`kb.notices`, the build date on a line of its own), and writes
``kb-documents.json``, which tells :mod:`kb.pdf` which ``.tex`` file becomes
which PDF and how many pages it may have.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Set
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.builders.latex import LaTeXBuilder
from sphinx.errors import NoUri
from sphinx.util import logging
from sphinx.writers.latex import CR, LaTeXTranslator

import kb
from kb import notices
from kb.files import write_atomic
from kb.sphinxext import glossary_links
from kb.sphinxext.latex import citations
from kb.sphinxext.latex.handout import (
    JOB_KEY,
    Handout,
    HandoutJob,
    Term,
    glossary_item,
    handout_text,
    max_pages,
    short_definition,
    terms_in,
)
from kb.sphinxext.latex.texts import (
    FIND_ONLINE,
    build_date,
    cmd,
    crisis_text,
    disclaimer_text,
    page_url,
    pdf_string,
    stamp,
    tex,
    tex_url,
)

if TYPE_CHECKING:
    from sphinx.theming import Theme

logger = logging.getLogger(__name__)

#: The LaTeX package with the print styles, copied next to the .tex files.
STYLE_FILE = Path(__file__).resolve().parents[2] / "templates" / "latex" / "kb.sty"
#: What kb.pdf reads to know which .tex file becomes which PDF.
MANIFEST = "kb-documents.json"
#: Marks the .tex line that holds the build date; the PDF cache ignores it, so
#: a new build date alone does not re-typeset an unchanged document.
VOLATILE = "% kb:volatile"

PAPER_SIZES = {"letter": "letterpaper", "a4": "a4paper"}
#: Admonition class -> the kb.sty box it prints as.
BOXES = {"kb-key-takeaway": "kbtakeaway", "kb-evidence-note": "kbevidencenote"}


class KbLaTeXTranslator(LaTeXTranslator):
    """Sphinx's LaTeX translator, with the article boxes as their own environments."""

    def _box(self, node: nodes.Element) -> str | None:
        return next((BOXES[c] for c in node.get("classes", []) if c in BOXES), None)

    def visit_admonition(self, node: nodes.Element) -> None:
        box = self._box(node)
        if box is None:
            # Any other box (a section's "Important: Need help now?") never
            # splits across pages either: a minipage cannot break.
            self.body.append(CR + r"\par\noindent\begin{minipage}{\linewidth}")
            super().visit_admonition(node)
            return
        # The admonition's title follows as the environment's argument.
        self.body.append(CR + cmd("begin", box))
        self.no_latex_floats += 1

    def depart_admonition(self, node: nodes.Element) -> None:
        box = self._box(node)
        if box is None:
            super().depart_admonition(node)
            self.body.append(r"\end{minipage}\par" + CR)
            return
        self.body.append(cmd("end", box) + CR)
        self.no_latex_floats -= 1

    def _visit_unsplit_admonition(self, node: nodes.Element) -> None:
        self.body.append(CR + r"\par\noindent\begin{minipage}{\linewidth}")
        LaTeXTranslator._visit_named_admonition(self, node)

    def _depart_unsplit_admonition(self, node: nodes.Element) -> None:
        LaTeXTranslator._depart_named_admonition(self, node)
        self.body.append(r"\end{minipage}\par" + CR)

    # {important}, {note}, ...: Sphinx binds these names to its own functions.
    visit_attention = visit_caution = visit_danger = visit_error = _visit_unsplit_admonition
    visit_hint = visit_important = visit_note = visit_tip = _visit_unsplit_admonition
    visit_warning = _visit_unsplit_admonition
    depart_attention = depart_caution = depart_danger = _depart_unsplit_admonition
    depart_error = depart_hint = depart_important = _depart_unsplit_admonition
    depart_note = depart_tip = depart_warning = _depart_unsplit_admonition


class KbLaTeXBuilder(LaTeXBuilder):
    """Sphinx's LaTeX builder, plus two handout documents per article."""

    default_translator_class = KbLaTeXTranslator

    def init(self) -> None:
        super().init()
        self.handouts: dict[str, Handout] = {}  # by .tex name
        self.current_handout: Handout | None = None
        self.page_limits: dict[str, int] = {}  # by .tex name
        self._glossary_items: dict[str, dict[str, nodes.definition_list_item]] = {}
        self._base_context = dict(self.context)
        self._stamp = stamp(build_date())

    # Documents ------------------------------------------------------------------------

    def init_document_data(self) -> None:
        super().init_document_data()
        self.handouts = {}
        if not self.config.kb_handouts:
            return
        base_url = self.config.kb_base_url
        articles = getattr(self.env, "kb_articles", {})
        # No address configured: the PDFs say how to find the online version
        # instead; kb.pdf warns (the manifest records the address).
        for docname in sorted(articles):
            for large in (False, True):
                handout = Handout(
                    docname=docname,
                    slug=docname.rsplit("/", 1)[-1],
                    article=articles[docname],
                    url=page_url(base_url, docname),
                    large=large,
                )
                self.handouts[handout.texname] = handout
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

    def write_documents(self, docnames: Set[str]) -> None:
        # One document at a time, so that each knows whether it is a handout
        # (Sphinx passes only the start page's name to the hooks below).
        everything = self.document_data
        try:
            for entry in everything:
                self.current_handout = self.handouts.get(entry[1])
                self.document_data = [entry]
                super().write_documents(docnames)
        finally:
            self.document_data = everything
            self.current_handout = None

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
        handout = self.current_handout
        job = HandoutJob(handout, tuple(self._terms(handout))) if handout else None
        keys: list[str] = []
        for term in job.terms if job else ():
            keys.extend(k for k in citations.cited_keys(term.item) if k not in keys)
        citations.fresh_citation_nodes(self.env)
        # The post-transforms read the job while the document is resolved.
        self.env.current_document[JOB_KEY] = job
        try:
            with citations.handout_citations(self.env, indexfile, keys):
                doctree = super().assemble_doctree(indexfile, toctree_only, appendices)
        finally:
            self.env.current_document.pop(JOB_KEY, None)
        if handout is not None:
            self.page_limits[handout.texname] = max_pages(_article_words(doctree))
        return doctree

    def _terms(self, handout: Handout) -> list[Term]:
        """The glossary entries a handout defines: those its text uses, and
        those the sources it lists use (a printed definition may add a source)."""
        doctree = self.env.get_doctree(handout.docname)
        keys = [*citations.cited_keys(doctree), *handout.article.sources]
        terms: list[Term] = []
        while True:
            sources = [citations.bib_text(self.env, k) for k in dict.fromkeys(keys)]
            text = handout_text(self.env, handout, [self._stamp, *sources])
            terms = []
            for found in terms_in(self.env, text):
                item = glossary_item(self.env, self._glossary_items, found)
                if item is not None:
                    terms.append(Term(found, short_definition(item.deepcopy())))
            more = [k for t in terms for k in citations.cited_keys(t.item) if k not in keys]
            if not more:
                return terms
            keys += more

    # The LaTeX preamble and title, per document -----------------------------------------------

    def update_doc_context(self, title: str, author: str, theme: Theme) -> None:
        self.context = dict(self._base_context)
        super().update_doc_context(title, author, theme)
        config = self.config
        self.context["papersize"] = PAPER_SIZES[config.kb_paper_size]
        self.context["date"] = tex(self._stamp)
        handout = self.current_handout
        address = handout.url if handout else config.kb_base_url
        lines = [
            self.context.get("preamble", ""),
            cmd(
                "kbsetdocument",
                tex(config.project),
                tex(config.release),
                tex_url(address) if address else "",
            ),
            cmd("renewcommand", r"\kbcrisistext", crisis_text()),
            cmd("renewcommand", r"\kbcrisisshort", tex(notices.CRISIS_SHORT)),
            cmd("renewcommand", r"\kbdisclaimertext", disclaimer_text()),
            cmd("renewcommand", r"\kbstamp", tex(self._stamp)) + VOLATILE,
            cmd(
                "renewcommand",
                r"\kbfindonline",
                tex(FIND_ONLINE.format(site=config.project, what="book")),
            ),
            self._pdf_info(handout),
        ]
        if handout:
            lines.append(r"\kbhandoutlayout")
            if handout.large:
                lines.append(r"\kblargeprint")
            self.context.update(
                maketitle=r"\kbhandouttitle",
                tableofcontents="",
                makeindex="",
                printindex="",
                pointsize="12pt" if handout.large else "10pt",
                extraclassoptions="",  # the book's openany/oneside
                sphinxsetup=",".join(
                    s
                    for s in (
                        self.context.get("sphinxsetup", ""),
                        "hmargin={0.5in,0.5in}",
                        "vmargin={0.5in,0.6in}",
                    )
                    if s
                ),
            )
        else:
            lines.append(r"\kbbooklayout")
            self.context["maketitle"] = r"\kbbookcover"
        self.context["preamble"] = "\n".join(line for line in lines if line)

    def _pdf_info(self, handout: Handout | None) -> str:
        """Title, subject, keywords, language and creator, for pdfinfo and readers."""
        config = self.config
        if handout is not None:
            article = handout.article
            title = article.title + (" (large print)" if handout.large else "")
            subject = article.summary
            keywords = ", ".join(article.topic_labels)
        else:
            title = config.project
            subject = "A book of every page of the knowledge base, for printing"
            keywords = "ketamine, esketamine, treatment-resistant depression"
        info = {
            "pdftitle": title,
            "pdfsubject": subject,
            "pdfkeywords": keywords,
            "pdfauthor": config.author,
            "pdflang": config.language or "en",
            "pdfcreator": f"{config.project} (kb {kb.__version__}, Sphinx, XeLaTeX)",
        }
        fields = ",\n  ".join(f"{k}={{{pdf_string(v)}}}" for k, v in info.items())
        # hyperref's pdflang does not reach the PDF through xdvipdfmx: kb.sty
        # writes the catalog's /Lang itself.
        return cmd("kbpdfinfo", fields) + "\n" + cmd("kbpdflang", pdf_string(info["pdflang"]))

    # Files -------------------------------------------------------------------------------

    def copy_support_files(self) -> None:
        super().copy_support_files()
        shutil.copyfile(STYLE_FILE, Path(self.outdir, STYLE_FILE.name))

    def finish(self) -> None:
        super().finish()
        documents = []
        for entry in self.document_data:
            docname, targetname = entry[0], entry[1]
            handout = self.handouts.get(targetname)
            documents.append(
                {
                    "tex": targetname,
                    "output": handout.output if handout else Path(targetname).stem + ".pdf",
                    "kind": handout.kind if handout else "book",
                    "docname": docname,
                    "slug": handout.slug if handout else "",
                    # 0: no limit (the book, large print)
                    "max_pages": 0
                    if handout is None or handout.large
                    else self.page_limits.get(targetname, 0),
                }
            )
        manifest = {"documents": documents, "base_url": self.config.kb_base_url}
        text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        write_atomic(Path(self.outdir, MANIFEST), text)


def _article_words(doctree: nodes.document) -> int:
    """Words of the article itself: not its reference list or the added terms."""
    words = 0
    for section in doctree.findall(nodes.section):
        if section.get("ids") == ["kb-terms-used"]:
            continue
        for child in section.children:
            if isinstance(child, nodes.section | nodes.title):
                continue
            if any(child.findall(citations.reference_list)) or any(child.findall(nodes.citation)):
                continue
            words += len(glossary_links.plain_text(child).split())
    return words

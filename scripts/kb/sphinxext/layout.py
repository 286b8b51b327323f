"""How HTML pages are laid out: answer first, one navigation, only what they use.

**Articles, answer first** (as NHS.uk and MedlinePlus do it). The article
header (:func:`kb.sphinxext.articles.build_header`) is the same in every
format; on HTML pages, once the page is resolved, it is arranged for a
reader on a phone:

1. the title, then the summary;
2. one compact line of facts: evidence basis, audience, review status (its
   short form, linking to the full one);
3. the ``{key-takeaway}`` box, titled "Key points", wherever the author put it;
4. the article;
5. at its foot, before the references: "Page last reviewed", "Next review
   due", the full review status, who wrote and reviewed it, its
   disclosures and its topics (the header's facts list, moved).

PDFs and other formats keep the header as it is written (their own layout
lives in ``kb.sphinxext.latex``).

**The home page has one navigation**: its cards. Its ``toctree`` still
feeds the sidebar, but is not printed a second time as a "Contents" list.

**The glossary has an A-Z jump bar** under its introduction: every letter,
a link where the glossary has a section for it.

**Each page loads only the styles and scripts it uses**: sphinx-design's
CSS and JS where the page has a sphinx-design component (the home page's
cards), Pygments' CSS where it has highlighted code. Sphinx resets a page's
asset lists before each page (``html-page-context``), so dropping a file
here drops it from this page only.
"""

from __future__ import annotations

import html
import string
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.locale import _

from kb import schema
from kb.sphinxext.glossary_links import ENTRIES

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: The title of the ``{key-takeaway}`` box on HTML pages, as NHS.uk names it.
KEY_POINTS = "Key points"
#: The id of the block at the article's foot, which the facts line links to.
FOOT_ID = "page-review"


def short_status(label: str) -> str:
    """ "Draft: not yet reviewed" -> "Draft"; the part before the first ":" or ";"."""
    return label.split(":", 1)[0].split(";", 1)[0].strip()


def _has_class(node: nodes.Node, name: str) -> bool:
    return isinstance(node, nodes.Element) and name in node.get("classes", [])


def _span(cls: str, *children: nodes.Node) -> nodes.inline:
    span = nodes.inline(classes=[cls])
    span.extend(children)
    return span


def facts_line(article: schema.Article) -> nodes.paragraph:
    evidence = article.evidence_label
    status = short_status(article.review_status_label)
    line = nodes.paragraph(classes=["kb-facts-line"])
    line += _span(
        "kb-fact-evidence",
        nodes.Text(_("Evidence: ")),
        nodes.inline(
            evidence,
            evidence,
            classes=["kb-badge", "kb-evidence", f"kb-evidence-{article.evidence_basis}"],
        ),
    )
    line += nodes.inline(" \u00b7 ", " \u00b7 ", classes=["kb-sep"])
    line += _span("kb-fact-audience", nodes.Text(_("For: ") + article.audience_label))
    line += nodes.inline(" \u00b7 ", " \u00b7 ", classes=["kb-sep"])
    link = nodes.reference("", "", refuri=f"#{FOOT_ID}", classes=["kb-review-link"])
    link += nodes.inline(
        status, status, classes=["kb-badge", "kb-review", f"kb-review-{article.review_status}"]
    )
    line += _span("kb-fact-review", link)
    return line


def _top_section(doctree: nodes.document) -> nodes.section | None:
    return next(iter(doctree.findall(nodes.section)), None)


def _references_section(top: nodes.section) -> nodes.section | None:
    for child in top.children:
        if isinstance(child, nodes.section):
            title = child.next_node(nodes.title)
            if title is not None and title.astext() == _("References"):
                return child
    return None


#: The facts that the line under the summary already shows.
_IN_LINE = frozenset({"kb-fact-evidence", "kb-fact-audience"})


def arrange(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html":
        return
    article = getattr(app.env, "kb_articles", {}).get(docname)
    top = _top_section(doctree)
    if article is None or top is None:
        return
    header = next((c for c in top.children if _has_class(c, "kb-article-header")), None)
    if header is None:
        return
    facts = next((c for c in header.children if _has_class(c, "kb-facts")), None)
    if facts is None:
        return
    header.replace(facts, facts_line(article))

    takeaway = next(
        (n for n in top.findall(nodes.admonition) if _has_class(n, "kb-key-takeaway")), None
    )
    if takeaway is not None:
        takeaway.parent.remove(takeaway)
        top.insert(top.index(header) + 1, takeaway)
        title = takeaway.next_node(nodes.title)
        if title is not None:
            title.replace_self(nodes.title(KEY_POINTS, KEY_POINTS))

    for field in list(facts.children):
        if _IN_LINE & set(field.get("classes", [])):
            facts.remove(field)
    foot = nodes.container(ids=[FOOT_ID], classes=["kb-article-foot"])
    foot += facts
    references = _references_section(top)
    if references is not None:
        top.insert(top.index(references), foot)
    else:
        top += foot


def one_navigation(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html" or docname != app.config.root_doc:
        return
    for wrapper in list(doctree.findall(nodes.compound)):
        if "toctree-wrapper" in wrapper.get("classes", []):
            wrapper.parent.remove(wrapper)


def az_bar(letters: dict[str, str]) -> str:
    """The jump bar: letter -> section id for the letters that have entries."""
    items = []
    for letter in string.ascii_uppercase:
        anchor = letters.get(letter)
        if anchor:
            items.append(f'<li><a href="#{html.escape(anchor)}">{letter}</a></li>')
        else:
            items.append(f'<li><span class="kb-az-empty" aria-hidden="true">{letter}</span></li>')
    label = html.escape(_("Glossary, A to Z"))
    return f'<nav class="kb-az" aria-label="{label}"><ul>{"".join(items)}</ul></nav>\n'


def glossary_az(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html" or docname not in getattr(app.env, ENTRIES, {}):
        return
    top = _top_section(doctree)
    if top is None:
        return
    letters = {}
    for section in top.children:
        if not isinstance(section, nodes.section) or not section["ids"]:
            continue
        title = section.next_node(nodes.title)
        text = title.astext().strip() if title is not None else ""
        if len(text) == 1 and text.upper() in string.ascii_uppercase:
            letters[text.upper()] = section["ids"][0]
    if not letters:
        return
    first = next(i for i, c in enumerate(top.children) if isinstance(c, nodes.section))
    top.insert(first, nodes.raw("", az_bar(letters), format="html"))


#: Asset -> the markup that shows a page uses it.
_USED_BY = {
    "sphinx-design.min.css": 'class="sd-',
    "design-tabs.js": "sd-tab-set",
    "pygments.css": 'class="highlight',
}


def only_used_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    body = context.get("body", "")

    def used(asset: Any) -> bool:
        name = str(getattr(asset, "filename", asset)).rsplit("/", 1)[-1]
        marker = _USED_BY.get(name)
        return marker is None or marker in body

    for key in ("css_files", "script_files"):
        files = context.get(key)
        if isinstance(files, list):
            files[:] = [f for f in files if used(f)]


def setup(app: Sphinx) -> dict[str, Any]:
    # After the article lists and tooltips are resolved: priority 600 > 500.
    app.connect("doctree-resolved", arrange, priority=600)
    app.connect("doctree-resolved", one_navigation)
    app.connect("doctree-resolved", glossary_az)
    app.connect("html-page-context", only_used_assets)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

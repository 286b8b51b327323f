"""Articles: front matter on the environment, the page header, the admonitions
and the lists of articles (article index, topic pages, evidence page).

Front matter is read with :mod:`kb.schema` (the single source of truth) when
Sphinx reads a source file, kept on the environment as ``env.kb_articles``
(docname -> Article), and purged and merged like Sphinx's own collectors so
that parallel and incremental builds stay correct. Pages that show other
articles' metadata (the lists, the related-articles box) say so to
:mod:`kb.sphinxext.depends`, which has them rewritten when it changes.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.errors import NoUri
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from kb import ladder, schema
from kb.sphinxext import env_version
from kb.sphinxext.depends import PageData, fingerprint, note_shows

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

#: The review rules the build warns about too (kb.ladder.review_problems).
BUILD_REVIEW_CHECKS = frozenset({"REV003", "REV005"})


def format_date(day: dt.date) -> str:
    """Dates are written out in full so no reader mistakes day and month."""
    return f"{day.day} {day:%B %Y}"


# -- Reading front matter ------------------------------------------------------


def read_front_matter(app: Sphinx, docname: str, source: list[str]) -> None:
    env = app.env
    if not hasattr(env, "kb_articles"):
        env.kb_articles = {}
    if not schema.is_article_docname(docname):
        return
    article, problems = schema.load_article(source[0])
    for problem in problems:
        logger.warning(
            "%s [%s]",
            problem.message,
            problem.code,
            location=(docname, problem.line),  # Sphinx maps docname to file
            type="kb",
            subtype="frontmatter",
        )
    if article is not None:
        env.kb_articles[docname] = article
        # Its related-articles box shows the other articles of its topics.
        note_shows(env, docname, [f"topic:{t}" for t in article.topics])
        # A status must be backed by its review record, and next_review kept
        # within the policy's interval. kb check checks the rest (dates
        # against today, last_reviewed against the records); the build does
        # not, so that its warnings never depend on the calendar.
        front = schema.split_front_matter(source[0])
        for problem in ladder.review_problems(article, front):
            if problem.code not in BUILD_REVIEW_CHECKS:
                continue
            logger.warning(
                "%s [%s]",
                problem.message,
                problem.code,
                location=(docname, problem.line),
                type="kb",
                subtype="review",
            )


def purge_articles(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    if hasattr(env, "kb_articles"):
        env.kb_articles.pop(docname, None)


def merge_articles(
    app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment
) -> None:
    if not hasattr(env, "kb_articles"):
        env.kb_articles = {}
    env.kb_articles.update(
        {d: a for d, a in getattr(other, "kb_articles", {}).items() if d in docnames}
    )


# -- The page header -----------------------------------------------------------


def _badge(text: str, *classes: str) -> nodes.inline:
    return nodes.inline(text, text, classes=["kb-badge", *classes])


def _doc_link(target: str, text: str) -> addnodes.pending_xref:
    ref = addnodes.pending_xref(
        "",
        nodes.inline(text, text),
        refdomain="std",
        reftype="doc",
        reftarget=target,
        refexplicit=True,
        refwarn=True,
    )
    return ref


def build_header(article: schema.Article) -> nodes.container:
    """The metadata block shown under an article's title, in every format."""
    header = nodes.container(classes=["kb-article-header"])
    header += nodes.paragraph(article.summary, article.summary, classes=["kb-summary"])

    facts = nodes.field_list(classes=["kb-facts"])

    def fact(name: str, *body: nodes.Node, cls: str) -> None:
        # Inline content goes in a paragraph; a list is a block of its own (a
        # <ul> inside a <p> is invalid HTML).
        if len(body) == 1 and isinstance(body[0], nodes.bullet_list):
            content: nodes.Node = body[0]
        else:
            content = nodes.paragraph()
            content.extend(body)
        facts.append(
            nodes.field(
                "",
                nodes.field_name(name, name),
                nodes.field_body("", content),
                classes=[cls],
            )
        )

    fact(
        _("Evidence"),
        _badge(article.evidence_label, "kb-evidence", f"kb-evidence-{article.evidence_basis}"),
        cls="kb-fact-evidence",
    )
    fact(_("Audience"), nodes.Text(article.audience_label), cls="kb-fact-audience")
    topic_nodes: list[nodes.Node] = []
    for i, (slug, label) in enumerate(zip(article.topics, article.topic_labels, strict=True)):
        if i:
            topic_nodes.append(nodes.Text(", "))
        topic_nodes.append(_doc_link(f"/topics/{slug}", label))
    fact(_("Topics"), *topic_nodes, cls="kb-fact-topics")
    fact(
        _("Review status"),
        _badge(
            article.review_status_label,
            "kb-review",
            f"kb-review-{article.review_status}",
        ),
        cls="kb-fact-review",
    )
    if article.author:
        fact(_("Written by"), nodes.Text(article.author), cls="kb-fact-author")
    last = article.last_reviewed
    fact(
        _("Last reviewed"),
        nodes.Text(format_date(last) if last else schema.NOT_YET_REVIEWED),
        cls="kb-fact-last-reviewed",
    )
    if article.next_review:
        fact(
            _("Next review due"),
            nodes.Text(format_date(article.next_review)),
            cls="kb-fact-next-review",
        )
    if article.reviews:
        fact(_("Review record"), review_list(article), cls="kb-fact-reviews")
    if article.disclosures:
        fact(_("Disclosures"), disclosure_list(article), cls="kb-fact-disclosures")
    header += facts
    return header


def review_list(article: schema.Article) -> nodes.bullet_list:
    """Who reviewed what, when: one item per review record, newest first."""
    items = nodes.bullet_list(classes=["kb-review-record"])
    for review in sorted(article.reviews, key=lambda r: r.date, reverse=True):
        who = review.by + (f" ({review.qualification})" if review.qualification else "")
        text = f"{review.kind_label}, {format_date(review.date)}, by {who}: {review.checked}"
        items += nodes.list_item("", nodes.paragraph(text, text), classes=[f"kb-{review.kind}"])
    return items


def disclosure_list(article: schema.Article) -> nodes.bullet_list:
    items = nodes.bullet_list(classes=["kb-disclosures"])
    for text in article.disclosures:
        items += nodes.list_item("", nodes.paragraph(text, text))
    return items


def insert_header(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    article = getattr(env, "kb_articles", {}).get(env.docname)
    if article is None:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not section.children:
        return
    title_index = section.first_child_matching_class(nodes.title)
    position = 0 if title_index is None else title_index + 1
    section.insert(position, build_header(article))


# -- Admonitions ---------------------------------------------------------------


class _NamedAdmonition(SphinxDirective):
    """An admonition with a fixed title and its own class, for a visible style."""

    has_content = True
    option_spec: ClassVar = {"class": directives.class_option}
    title = ""
    css_class = ""

    def run(self) -> list[nodes.Node]:
        node = nodes.admonition(
            "\n".join(self.content),
            classes=["admonition", self.css_class, *self.options.get("class", [])],
        )
        self.set_source_info(node)
        title = nodes.title(self.title, self.title)
        title.source, title.line = self.get_source_info()
        node += title
        node.extend(self.parse_content_to_nodes())
        return [node]


class KeyTakeaway(_NamedAdmonition):
    # Titled "Key points" and shown first on HTML pages (kb.sphinxext.layout).
    title = "Key takeaway"
    css_class = "kb-key-takeaway"


class EvidenceNote(_NamedAdmonition):
    title = "Evidence quality note"
    css_class = "kb-evidence-note"


# -- Lists of articles -----------------------------------------------------------


class article_list(nodes.General, nodes.Element):  # noqa: N801 (docutils naming)
    """Placeholder replaced by a list of articles once every page is read."""


class _ListDirective(SphinxDirective):
    def placeholder(self, **attrs: Any) -> list[nodes.Node]:
        # The page shows every article's metadata.
        note_shows(self.env, self.env.docname, ["articles"])
        node = article_list("", **attrs)
        self.set_source_info(node)
        return [node]


class ArticleListDirective(_ListDirective):
    """All articles, alphabetically, each with its summary and badges."""

    def run(self) -> list[nodes.Node]:
        return self.placeholder(kind="all")


class TopicArticlesDirective(_ListDirective):
    """The articles of one topic (default: the topic named by the page's file name)."""

    optional_arguments = 1

    def run(self) -> list[nodes.Node]:
        topic = self.arguments[0] if self.arguments else self.env.docname.rsplit("/", 1)[-1]
        if topic not in schema.TOPICS:
            logger.warning(
                "unknown topic %r: use one of %s",
                topic,
                ", ".join(schema.TOPICS),
                location=self.get_location(),
                type="kb",
                subtype="topic",
            )
            return []
        description = schema.TOPICS[topic].description
        return [
            nodes.paragraph(description, description, classes=["kb-topic-description"]),
            *self.placeholder(kind="topic", topic=topic),
        ]


class ArticlesByEvidenceDirective(_ListDirective):
    """Articles grouped by evidence basis, strongest first."""

    def run(self) -> list[nodes.Node]:
        return self.placeholder(kind="evidence")


class TopicIndexDirective(_ListDirective):
    """Every topic with its description and number of articles."""

    def run(self) -> list[nodes.Node]:
        return self.placeholder(kind="topics")


def _link(builder: Any, fromdoc: str, docname: str, text: str) -> nodes.Node:
    """A link to another page, or its title alone where the output has no
    address for it (a printed handout when no kb_base_url is configured)."""
    try:
        uri = builder.get_relative_uri(fromdoc, docname)
    except NoUri:
        return nodes.inline(text, text)
    return nodes.reference("", text, internal=True, refuri=uri)


def _article_item(
    builder: Any, fromdoc: str, docname: str, article: schema.Article
) -> nodes.list_item:
    item = nodes.list_item(classes=["kb-article-item"])
    para = nodes.paragraph(classes=["kb-article-item-title"])
    para += _link(builder, fromdoc, docname, article.title)
    para += nodes.Text(" ")
    para += _badge(article.evidence_label, "kb-evidence", f"kb-evidence-{article.evidence_basis}")
    item += para
    item += nodes.paragraph(article.summary, article.summary, classes=["kb-article-item-summary"])
    return item


def _article_bullets(
    builder: Any, fromdoc: str, items: list[tuple[str, schema.Article]]
) -> nodes.bullet_list:
    bullets = nodes.bullet_list(classes=["kb-article-list"])
    for docname, article in items:
        bullets += _article_item(builder, fromdoc, docname, article)
    return bullets


def _list_heading(builder: Any, text: str, css_class: str) -> nodes.rubric:
    """A heading added once pages are read: in HTML a real <h2> (a rubric with
    a heading level), so screen-reader users can jump to it; other formats
    keep their plain rubric."""
    rubric = nodes.rubric(text, text, classes=[css_class])
    if builder.format == "html":
        rubric["heading-level"] = 2
    return rubric


def sorted_articles(env: BuildEnvironment) -> list[tuple[str, schema.Article]]:
    """All articles by title (indexed once per build by index_articles)."""
    return env.kb_sorted_articles


def resolve_article_lists(app: Sphinx, doctree: nodes.document, fromdoc: str) -> None:
    env = app.env
    builder = app.builder
    everything = sorted_articles(env)
    for node in list(doctree.findall(article_list)):
        kind = node["kind"]
        replacement: list[nodes.Node] = []
        if kind == "all":
            replacement = [_article_bullets(builder, fromdoc, everything)]
        elif kind == "topic":
            chosen = [(d, a) for d, a in everything if node["topic"] in a.topics]
            if chosen:
                replacement = [_article_bullets(builder, fromdoc, chosen)]
            else:
                text = "No articles on this topic yet."
                replacement = [nodes.paragraph(text, text)]
        elif kind == "evidence":
            for key, basis in sorted(schema.EVIDENCE_BASES.items(), key=lambda kv: kv[1].rank):
                chosen = [(d, a) for d, a in everything if a.evidence_basis == key]
                if not chosen:
                    continue
                container = nodes.container(classes=["kb-evidence-group"])
                container += _list_heading(builder, basis.label, "kb-evidence-heading")
                container += nodes.paragraph(basis.description, basis.description)
                container += _article_bullets(builder, fromdoc, chosen)
                replacement.append(container)
        elif kind == "topics":
            bullets = nodes.bullet_list(classes=["kb-topic-list"])
            for slug, topic in schema.TOPICS.items():
                count = sum(1 for _, a in everything if slug in a.topics)
                item = nodes.list_item()
                para = nodes.paragraph()
                para += _link(builder, fromdoc, f"topics/{slug}", topic.label)
                noun = "article" if count == 1 else "articles"
                para += nodes.Text(f" ({count} {noun}): {topic.description}")
                item += para
                bullets += item
            replacement = [bullets]
        node.replace_self(replacement)


# -- Related articles ------------------------------------------------------------


def index_articles(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """After reading, index articles once per build: sorted, and by topic.

    Every page's lists and related-articles box read these instead of
    scanning all articles, which kept the write phase linear in N.
    """
    env.kb_sorted_articles = sorted(
        getattr(env, "kb_articles", {}).items(),
        key=lambda kv: (kv[1].title.casefold(), kv[0]),
    )
    by_topic: dict[str, list[str]] = {}
    for docname, article in env.kb_sorted_articles:
        for topic in article.topics:
            by_topic.setdefault(topic, []).append(docname)
    env.kb_topic_index = by_topic
    return []


def related_articles(
    env: BuildEnvironment, docname: str, limit: int = 5
) -> list[tuple[str, schema.Article]]:
    """Other articles sharing the most topics with this one."""
    articles = getattr(env, "kb_articles", {})
    mine = articles.get(docname)
    if mine is None:
        return []
    shared: dict[str, int] = {}
    for topic in mine.topics:
        for other in env.kb_topic_index.get(topic, ()):
            if other != docname:
                shared[other] = shared.get(other, 0) + 1
    scored = sorted(
        (-count, articles[other].title.casefold(), other) for other, count in shared.items()
    )
    return [(other, articles[other]) for _, _, other in scored[:limit]]


def append_related(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    related = related_articles(app.env, docname)
    if not related:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    container = nodes.container(classes=["kb-related"])
    title = _("Related articles")
    container += _list_heading(app.builder, title, "kb-related-heading")
    container += _article_bullets(app.builder, docname, related)
    section += container


def resolve_lists_and_related(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    resolve_article_lists(app, doctree, docname)
    if schema.is_article_docname(docname):
        append_related(app, doctree, docname)


# -- Incremental builds ---------------------------------------------------------


def page_data(app: Sphinx, env: BuildEnvironment) -> PageData:
    """The metadata that other pages show: all of it, and each topic's articles."""
    articles = sorted(getattr(env, "kb_articles", {}).items())
    by_topic: dict[str, list[tuple[str, schema.Article]]] = {}
    for docname, article in articles:
        for topic in article.topics:
            by_topic.setdefault(topic, []).append((docname, article))
    values = {f"topic:{t}": fingerprint(items) for t, items in by_topic.items()}
    values["articles"] = fingerprint(articles)
    return PageData(values)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("kb.sphinxext.depends")
    app.add_directive("key-takeaway", KeyTakeaway)
    app.add_directive("evidence-note", EvidenceNote)
    app.add_directive("article-list", ArticleListDirective)
    app.add_directive("topic-articles", TopicArticlesDirective)
    app.add_directive("articles-by-evidence", ArticlesByEvidenceDirective)
    app.add_directive("topic-index", TopicIndexDirective)
    app.add_node(article_list)
    app.connect("source-read", read_front_matter)
    app.connect("env-purge-doc", purge_articles)
    app.connect("env-merge-info", merge_articles)
    app.connect("kb-page-data", page_data)
    app.connect("env-updated", index_articles)
    app.connect("doctree-read", insert_header)
    app.connect("doctree-resolved", resolve_lists_and_related)
    return {
        "version": "1",
        # Article objects live in the pickled environment: a new schema re-reads.
        "env_version": env_version(1),
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }

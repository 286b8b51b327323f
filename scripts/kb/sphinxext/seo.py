"""What search engines and link previews read: meta description, OpenGraph
tags, schema.org JSON-LD on articles, and ``sitemap.xml``.

Everything is written into the pages and the output folder at build time;
nothing is fetched and no third-party script is added.

- Articles are described by their front matter's ``summary``; other pages by
  their first paragraph, kept as ``env.kb_descriptions`` (docname -> text,
  read at ``doctree-read``, with purge and merge handlers).
- Articles carry a schema.org ``MedicalWebPage`` with ``lastReviewed`` and
  ``audience`` (``MedicalAudience``, Patient and/or Clinician).
- Their JSON-LD also carries ``datePublished`` / ``dateModified`` (the
  page's first and last commit, from one ``git log`` per build:
  :mod:`kb.gitdates`), the ``publisher``, a ``citation`` per source (with
  the bibliography's reader-facing description) and what it is ``about``.
- ``og:locale`` is a full locale ("en_US"); the second viewport tag that
  docutils adds is dropped; search and genindex are ``noindex``.
- ``robots.txt`` lets every crawler in and points to the sitemap.
- ``sitemap.xml`` lists every page (not the 404 page) by its absolute URL
  under ``kb_base_url``, sorted, with articles' ``lastmod`` from their last
  review, so that two builds of one commit give the same file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape as xml_escape

from docutils import nodes
from sphinx.util import logging

from kb import bib, gitdates, schema
from kb.files import write_atomic
from kb.sphinxext import bibtex_adapter, env_version, escaping
from kb.sphinxext.site import NOT_FOUND_PAGE

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>\s*')

DESCRIPTIONS = "kb_descriptions"
#: Longest description kept: search engines show about this much.
MAX_DESCRIPTION = 200

#: Front-matter audience -> schema.org MedicalAudienceType values.
SCHEMA_ORG_AUDIENCES: dict[str, tuple[str, ...]] = {
    "patient": ("Patient",),
    "clinician": ("Clinician",),
    "both": ("Patient", "Clinician"),
}


#: What every article is about (schema.org ``about``), besides its topics.
SUBJECT = {"@type": "MedicalCondition", "name": "Treatment-resistant depression"}
#: Language -> the full locale OpenGraph wants, where the config gives none.
OG_LOCALES = {"en": "en_US"}
#: Generated pages that search engines should not list.
NOINDEX = frozenset({"search", "genindex", NOT_FOUND_PAGE})


def shorten(text: str, limit: int = MAX_DESCRIPTION) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut}…"


# -- Reading ------------------------------------------------------------------------


def collect_description(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    if not hasattr(env, DESCRIPTIONS):
        setattr(env, DESCRIPTIONS, {})
    for para in doctree.findall(nodes.paragraph):
        # The article header (the summary) is described from front matter.
        if any("kb-article-header" in a.get("classes", []) for a in _ancestors(para)):
            continue
        text = para.astext().strip()
        if text:
            getattr(env, DESCRIPTIONS)[env.docname] = shorten(text)
            return


def _ancestors(node: nodes.Node) -> list[nodes.Element]:
    found = []
    parent = node.parent
    while parent is not None:
        found.append(parent)
        parent = parent.parent
    return found


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, DESCRIPTIONS, {}).pop(docname, None)


def merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    if not hasattr(env, DESCRIPTIONS):
        setattr(env, DESCRIPTIONS, {})
    mine = getattr(env, DESCRIPTIONS)
    mine.update({d: t for d, t in getattr(other, DESCRIPTIONS, {}).items() if d in docnames})


# -- Page metadata ---------------------------------------------------------------------


def absolute_url(app: Sphinx, pagename: str) -> str:
    base = app.config.kb_base_url
    if not base:
        return ""
    return base.rstrip("/") + "/" + app.builder.get_target_uri(pagename)


def json_ld(app: Sphinx, pagename: str, article: schema.Article) -> dict[str, Any]:
    """schema.org MedicalWebPage for one article."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": article.title,
        "headline": article.title,
        "description": article.summary,
        # The honest review status, as the page header words it.
        "creativeWorkStatus": article.review_status_label,
        "audience": [
            {"@type": "MedicalAudience", "audienceType": kind}
            for kind in SCHEMA_ORG_AUDIENCES[article.audience]
        ],
        "inLanguage": app.config.language or "en",
    }
    if article.last_reviewed:  # a draft has never been reviewed
        data["lastReviewed"] = article.last_reviewed.isoformat()
    dates = _git_dates(app).get((Path(app.srcdir) / app.env.doc2path(pagename)).resolve())
    if dates is not None:
        data["datePublished"] = dates.created.isoformat()
        data["dateModified"] = dates.modified.isoformat()
    data["publisher"] = {
        "@type": "Organization",
        "name": app.config.html_title or app.config.project,
        **({"url": app.config.kb_base_url} if app.config.kb_base_url else {}),
    }
    citations = [c for c in (_citation(app, key) for key in article.sources) if c]
    if citations:
        data["citation"] = citations
    data["about"] = [SUBJECT, *({"@type": "Thing", "name": t} for t in article.topic_labels)]
    url = absolute_url(app, pagename)
    if url:
        data["url"] = url
        data["isPartOf"] = {
            "@type": "WebSite",
            "name": app.config.html_title or app.config.project,
            "url": app.config.kb_base_url,
        }
    return data


def _git_dates(app: Sphinx) -> dict[Path, gitdates.FileDates]:
    """Every source file's commit dates: one git call per build (see setup)."""
    if not hasattr(app, "kb_git_dates"):
        app.kb_git_dates = gitdates.file_dates(Path(app.srcdir))
    return app.kb_git_dates


def _citation(app: Sphinx, key: str) -> dict[str, str] | None:
    """schema.org CreativeWork for one source: only the fields the record has."""
    record = bibtex_adapter.entry_fields(app.env, key)
    if record is None:
        return None
    fields = {k: bib.plain_value(v) for k, v in record.items()}
    work = {"@type": "CreativeWork"}
    for ours, theirs in (("title", "name"), ("url", "url"), ("year", "datePublished")):
        if fields.get(ours):
            work[theirs] = fields[ours]
    if fields.get("doi"):
        work["sameAs"] = f"https://doi.org/{fields['doi']}"
    if fields.get("howpublished"):
        work["publisher"] = {"@type": "Organization", "name": fields["howpublished"]}
    # What the source is, in the reader's words; else the record's own note.
    description = fields.get(bib.DESCRIPTION_FIELD) or fields.get("note")
    if description:
        work["description"] = description
    return work if len(work) > 1 else None


def og_locale(language: str) -> str:
    language = language.replace("-", "_")
    return language if "_" in language else OG_LOCALES.get(language, language)


def _meta(attribute: str, key: str, value: str) -> str:
    return f'<meta {attribute}="{key}" content="{escaping.attribute(value)}">'


def metatags(app: Sphinx, pagename: str) -> str:
    env = app.env
    article = getattr(env, "kb_articles", {}).get(pagename)
    title_node = env.titles.get(pagename)
    title = title_node.astext() if title_node is not None else ""
    if article is not None:
        description = article.summary
    else:
        description = getattr(env, DESCRIPTIONS, {}).get(pagename, "")
    tags = []
    if description:
        tags.append(_meta("name", "description", description))
    site_name = app.config.html_title or app.config.project
    tags.append(_meta("property", "og:site_name", site_name))
    tags.append(_meta("property", "og:title", title or site_name))
    tags.append(_meta("property", "og:type", "article" if article else "website"))
    if description:
        tags.append(_meta("property", "og:description", description))
    url = absolute_url(app, pagename)
    if url:
        tags.append(_meta("property", "og:url", url))
    if app.config.language:
        tags.append(_meta("property", "og:locale", og_locale(app.config.language)))
    if article is not None:
        # No "<", ">" or "&" in it: content cannot end or break the element.
        payload = escaping.script_json(json_ld(app, pagename, article), indent=1)
        tags.append(f'<script type="application/ld+json">\n{payload}\n</script>')
    return "\n".join(tags)


def add_metatags(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    # docutils writes a viewport tag of its own; the theme has one already.
    existing = _VIEWPORT.sub("", context.get("metatags", ""))
    if pagename in app.env.found_docs:
        existing = f"{existing}\n{metatags(app, pagename)}\n"
    if pagename in NOINDEX:
        existing += '<meta name="robots" content="noindex">\n'
    context["metatags"] = existing


# -- sitemap.xml --------------------------------------------------------------------------


def sitemap(app: Sphinx) -> str:
    env = app.env
    articles = getattr(env, "kb_articles", {})
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    pages = sorted(d for d in env.found_docs if d != NOT_FOUND_PAGE)
    for docname in sorted(pages, key=lambda d: absolute_url(app, d)):
        lines.append("  <url>")
        lines.append(f"    <loc>{xml_escape(absolute_url(app, docname))}</loc>")
        article = articles.get(docname)
        if article is not None and article.last_reviewed:
            lines.append(f"    <lastmod>{article.last_reviewed.isoformat()}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots_txt(app: Sphinx) -> str:
    lines = ["User-agent: *", "Allow: /"]
    if app.config.kb_base_url:
        lines.append(f"Sitemap: {app.config.kb_base_url.rstrip('/')}/sitemap.xml")
    return "\n".join(lines) + "\n"


def write_robots(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.name not in ("html", "dirhtml"):
        return
    target = Path(app.outdir) / "robots.txt"
    text = robots_txt(app)
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        write_atomic(target, text)


def read_git_dates(app: Sphinx, *args: Any) -> None:
    """At the start of every build, before any page is written (and before
    parallel writers fork): an application kept across builds (``kb serve``)
    reads the commit dates again, as a new process would."""
    if hasattr(app, "kb_git_dates"):
        del app.kb_git_dates
    if app.builder.format == "html":
        _git_dates(app)


def write_sitemap(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.name not in ("html", "dirhtml"):
        return
    if not app.config.kb_base_url:
        # A sitemap lists absolute URLs; test projects have no address.
        logger.info("kb_base_url is not set: no sitemap.xml written")
        return
    target = Path(app.outdir) / "sitemap.xml"
    text = sitemap(app)
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        write_atomic(target, text)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-read", collect_description)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("html-page-context", add_metatags)
    app.connect("env-before-read-docs", read_git_dates)
    app.connect("build-finished", write_sitemap)
    app.connect("build-finished", write_robots)
    return {
        "version": "1",
        "env_version": env_version(1),
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }

"""The knowledge base's Sphinx extension: ``extensions = ["kb.sphinxext"]``.

Each concern lives in its own module with its own ``setup()``; this one only
registers them, so a module can be tested on its own with a tiny test root.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kb import schema
from kb.sphinxext import (
    articles,
    bibstyle,
    citations,
    glossary_links,
    latex,
    layout,
    pdf_links,
    perf,
    safety,
    search,
    seo,
    site,
)

if TYPE_CHECKING:
    from sphinx.application import Sphinx

MODULES = (
    articles,
    layout,
    bibstyle,
    citations,
    glossary_links,
    seo,
    site,
    search,
    safety,
    perf,
    latex,
    pdf_links,
)


def setup(app: Sphinx) -> dict[str, Any]:
    # Where the site is published; handouts, QR codes and the sitemap use it.
    app.add_config_value("kb_base_url", "", "env", types=[str])
    # The repository whose issue form takes "Report a problem with this page".
    app.add_config_value("kb_repository_url", "", "html", types=[str])
    for module in MODULES:
        module.setup(app)
    return {
        "version": "1",
        # Sphinx reads env_version only from registered extensions (this one):
        # the environment holds kb.schema.Article objects, so a new schema
        # version makes Sphinx discard a stale pickled environment and re-read.
        "env_version": schema.SCHEMA_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }

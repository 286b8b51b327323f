"""The knowledge base's Sphinx extension: ``extensions = ["kb.sphinxext"]``.

Each concern lives in its own module, a Sphinx extension of its own; this one
only loads them with ``app.setup_extension``, so that Sphinx records each
module's metadata (parallel safety, ``env_version``) and a module can be
tested on its own with a tiny test root.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx

MODULES = (
    "kb.sphinxext.depends",
    "kb.sphinxext.articles",
    "kb.sphinxext.layout",
    "kb.sphinxext.bibstyle",
    "kb.sphinxext.citations",
    "kb.sphinxext.glossary_links",
    "kb.sphinxext.seo",
    "kb.sphinxext.site",
    "kb.sphinxext.search",
    "kb.sphinxext.safety",
    "kb.sphinxext.bibtex_adapter",
    "kb.sphinxext.sphinx_adapter",
    "kb.sphinxext.myst_adapter",
    "kb.sphinxext.latex",
    "kb.sphinxext.pdf_links",
)


def env_version(own: int = 1) -> int:
    """The ``env_version`` of a module that keeps data on the environment.

    It changes with ``kb.schema.SCHEMA_VERSION`` (the pickled environment
    holds its dataclasses) and with the module's own data layout (``own``):
    Sphinx discards a pickled environment whose versions differ and reads
    every page again.
    """
    from kb import schema

    return schema.SCHEMA_VERSION * 1000 + own


def setup(app: Sphinx) -> dict[str, Any]:
    # Where the site is published; handouts, QR codes and the sitemap use it.
    app.add_config_value("kb_base_url", "", "env", types=[str])
    # The repository whose issue form takes "Report a problem with this page".
    app.add_config_value("kb_repository_url", "", "html", types=[str])
    for module in MODULES:
        app.setup_extension(module)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

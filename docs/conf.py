"""Sphinx configuration for the ketamine and esketamine TRD knowledge base.

Kept short: behaviour lives in the project's extension, ``kb.sphinxext``.
"""

from __future__ import annotations

import os

import kb
from kb import notices

# -- Project information ---------------------------------------------------------
# https://www.sphinx-doc.org/en/master/usage/configuration.html#project-information

project = "Ketamine & Esketamine for TRD: an open knowledge base"
author = "The knowledge base's contributors"
# Sphinx replaces the year with SOURCE_DATE_EPOCH's when it is set (kb build
# sets it from the last commit), so two builds of one commit are identical.
copyright = "2026, the knowledge base's contributors"
version = release = kb.__version__
language = "en"

# -- General configuration ---------------------------------------------------------
# https://www.sphinx-doc.org/en/master/usage/configuration.html#general-configuration

extensions = [
    "myst_parser",
    "sphinx_design",
    "sphinxcontrib.bibtex",
    "kb.sphinxext",
]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]
root_doc = "index"
# Every cross-reference must resolve; the build runs with -n -W.
nitpicky = True
nitpick_ignore: list[tuple[str, str]] = []

# -- Options for the site's own extension -------------------------------------------

# Where the site is published: printed handouts and their QR codes point here.
kb_base_url = os.environ.get("KB_BASE_URL", "https://ketamine-trd-kb.example.org/")
# Where readers report a problem with a page (an issue form of this repository).
kb_repository_url = os.environ.get(
    "KB_REPOSITORY_URL", "https://github.com/ketamine-trd-kb/knowledge-base"
)

# -- Options for MyST ---------------------------------------------------------------
# https://myst-parser.readthedocs.io/en/latest/configuration.html

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# -- Options for sphinxcontrib-bibtex ---------------------------------------------------
# https://sphinxcontrib-bibtex.readthedocs.io/en/latest/usage.html#configuration

bibtex_bibfiles = ["../references.bib"]
# unsrt, plus each record's reader-facing `description` (kb.sphinxext.bibstyle).
bibtex_default_style = "kb"
# Numbered citations: several sources have no author or title (we never invent
# one), and author-year labels need one of the two.
bibtex_reference_style = "label"
# Each page has its own numbered reference list (so each article and handout
# stands alone); a source cited on two pages is listed on both. Citations link
# to the list on their own page first. Real duplicates within one page still
# warn (bibtex.duplicate_local_citation).
suppress_warnings = ["bibtex.duplicate_label", "bibtex.duplicate_citation"]

# -- Options for HTML output -------------------------------------------------------------
# https://www.sphinx-doc.org/en/master/usage/configuration.html#options-for-html-output

html_theme = "furo"
html_title = "Ketamine & Esketamine for TRD"
html_static_path = ["_static"]
html_css_files = ["kb.css"]
# Glossary tooltips: Escape dismisses them (same-origin, no dependencies).
html_js_files = ["kb.js"]
html_baseurl = kb_base_url
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    # The crisis notice on every page, from its one home (kb.notices).
    "announcement": notices.CRISIS_HTML,
}

# -- Options for LaTeX output ------------------------------------------------------------
# https://www.sphinx-doc.org/en/master/usage/configuration.html#options-for-latex-output
# `kb build pdf` writes the book below and one handout per article
# (kb.sphinxext.latex), then typesets them (kb.pdf).

# XeLaTeX prints Unicode (≥, ±, µ, curly quotes, accented names) with FreeSerif.
latex_engine = "xelatex"
# The book's index of glossary terms is sorted by xindy (Sphinx's default with XeLaTeX).
latex_use_xindy = True
# The book: cover (title, version, build date), contents, every page of the site.
# The title is LaTeX, hence the escaped ampersand.
latex_documents = [
    ("index", "ketamine-trd-kb.tex", project.replace("&", r"\&"), author, "manual"),
]
latex_elements = {
    # No blank pages: chapters start on the next page, printed one-sided.
    "extraclassoptions": "openany,oneside",
}
# Paper: US Letter unless KB_PAPER=a4.
kb_paper_size = os.environ.get("KB_PAPER", "letter")
# Read the Docs offers one PDF download per version: there, the book alone
# (the handouts come from `kb build pdf`).
kb_handouts = not os.environ.get("READTHEDOCS")

"""Where things live in the repository, found once."""

from __future__ import annotations

from pathlib import Path

#: The repository root (the folder holding pyproject.toml).
ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
ARTICLES = DOCS / "articles"
GLOSSARY = DOCS / "glossary.md"
BIBFILE = ROOT / "references.bib"
BUILD = DOCS / "_build"
HTML_OUT = BUILD / "html"
PDF_OUT = BUILD / "pdf"

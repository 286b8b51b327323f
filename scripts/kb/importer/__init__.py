"""``kb import``: web articles saved as text or Markdown -> honest draft pages.

Contributors bring articles saved from web pages of every shape: news sites
with cookie banners and kickers, health portals with breadcrumbs, Markdown
exports, blogs with comments and tags, press releases, sponsored content.
The importer keeps the article's own words, gives them structure, and
records what the page states about its source in references.bib, nothing
more. Every decision an editor must make is a TODO on the page.

The package, one concern per module, in the order an import runs:

- :mod:`.read`: refuse what is not a small regular text file; decode, NFC,
  HTML entities; the copy's digest;
- :mod:`.blocks`: lines -> blocks, from plain text or Markdown (markdown-it);
- :mod:`.furniture`: what a line of page furniture is; bylines, dates,
  outlets and sponsorship labels read as stated;
- :mod:`.parse`: blocks -> :class:`~.model.Article` (headline, sections,
  takeaway and evidence note); :mod:`.references`: the reference list;
- :mod:`.classify`: the evidence basis (negation and hedges) and the topics;
- :mod:`.sources` and :mod:`.cite`: bib entries, keys, citations;
- :mod:`.render`: the MyST page; :mod:`.run`: one import as a transaction;
- :mod:`.cli`: ``kb import`` itself, the report and the batch table.
"""

from __future__ import annotations

from kb.importer.classify import evidence_basis, infer_topics
from kb.importer.cli import add_arguments, main, summary
from kb.importer.model import Article, ImporterError
from kb.importer.read import MAX_BYTES
from kb.importer.render import Draft, escape
from kb.importer.run import AlreadyImportedError, Target, import_file
from kb.importer.sources import make_key

__all__ = [
    "MAX_BYTES",
    "AlreadyImportedError",
    "Article",
    "Draft",
    "ImporterError",
    "Target",
    "add_arguments",
    "escape",
    "evidence_basis",
    "import_file",
    "infer_topics",
    "main",
    "make_key",
    "summary",
]

"""The site's bibliography style: pybtex's ``unsrt``, plus what a source is.

A references.bib record may carry a ``description`` field: one line, for
readers, saying what the source is ("News report (outlet not recorded) on a
Psychiatric Times clinical overview, 2026"). This style prints it as the last
sentence of the entry, wherever sphinxcontrib-bibtex formats entries: the
bibliography page, each page's reference list, citation previews (tooltips)
and the LaTeX reference lists of the book and the handouts.

The style is a pybtex formatting plugin, registered under :data:`STYLE` at
setup; conf.py selects it with ``bibtex_default_style``. sphinxcontrib-bibtex
looks styles up with pybtex's ``find_plugin``, which finds plugins registered
at run time before it reads entry points (cached by
:mod:`kb.sphinxext.bibtex_adapter`).

Only the per-type templates are wrapped, never ``format_entry``, so that
bibtex_adapter's reuse of label-free formatted entries still applies. Code outside
Sphinx reads descriptions with :func:`kb.bib.description_for`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pybtex.plugin import register_plugin
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.template import field, sentence

from kb import bib

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: The name conf.py gives ``bibtex_default_style``.
STYLE = "kb"
#: The references.bib field this style adds (its one name: kb.bib's).
DESCRIPTION_FIELD = bib.DESCRIPTION_FIELD


class Style(UnsrtStyle):
    """``unsrt``, and each record's ``description`` as its last sentence."""


def _with_description(base: Any) -> Any:
    def get_template(self: Style, e: Any) -> Any:
        template = base(self, e)
        if not e.fields.get(DESCRIPTION_FIELD, "").strip():
            return template
        return toplevel[template, sentence[field(DESCRIPTION_FIELD)]]

    get_template.__name__ = base.__name__
    get_template.__doc__ = f"unsrt's {base.__name__[4:-9]} template, then the description."
    return get_template


for _name in dir(UnsrtStyle):
    if _name.startswith("get_") and _name.endswith("_template"):
        setattr(Style, _name, _with_description(getattr(UnsrtStyle, _name)))


def setup(app: Sphinx) -> dict[str, Any]:
    register_plugin("pybtex.style.formatting", STYLE, Style, force=True)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

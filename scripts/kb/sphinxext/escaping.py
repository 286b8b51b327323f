"""Text placed inside HTML that is not HTML text: ``<script>`` data and attributes.

Every piece of inline JSON the site writes (the JSON-LD of :mod:`kb.sphinxext.seo`,
any data the pages' scripts read) goes through :func:`script_json`, and every
attribute value written by hand through :func:`attribute`, so that content
text cannot end the element or the attribute it is in (SECURITY.md).

Inside ``<script>`` the HTML parser ends the element at ``</script``, and
``<!--`` switches it into a state where ``<script>`` nests, which swallows the
rest of the page (its stylesheets included). JSON allows any character to be
written as ``\\uXXXX``, so ``<``, ``>`` and ``&`` are escaped that way and the
output holds none of the three; U+2028 and U+2029 are escaped too, since
older JavaScript parsers read them as line ends inside strings.
"""

from __future__ import annotations

import html
import json
from typing import Any

_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def script_json(data: Any, *, indent: int | None = None) -> str:
    """*data* as JSON that is safe anywhere inside a ``<script>`` element.

    The result parses back (``json.loads``) to *data*, and holds no ``<``,
    ``>``, ``&``, U+2028 or U+2029.
    """
    text = json.dumps(data, ensure_ascii=False, indent=indent, sort_keys=False)
    return text.translate(_SCRIPT_ESCAPES)


def attribute(value: str) -> str:
    """*value* escaped for a double- or single-quoted HTML attribute."""
    return html.escape(value, quote=True)

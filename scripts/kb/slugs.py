"""Page file names from titles: the one ``slugify``, for ``kb new`` and ``kb import``.

A slug is lower-case ASCII words joined by hyphens (:data:`kb.schema.SLUG_RE`),
at most :data:`MAX_CHARS` long and cut at a word boundary. Accents are
dropped ("Café" -> "cafe"), a possessive "'s" goes ("Esketamine's role" ->
"esketamine-role") and other apostrophes join their word ("don't" -> "dont").
A title with no Latin letters or digits (a CJK headline) gives "": the caller
picks another name.
"""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 60

_APOSTROPHES = re.compile(r"['\u2019\u02bc]")


def words(text: str) -> list[str]:
    """The ASCII words of a text, accents dropped, possessives and apostrophes folded."""
    text = _APOSTROPHES.sub("'", text)
    text = re.sub(r"(?<=\w)'s\b", "", text)
    text = text.replace("'", "")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.findall(r"[A-Za-z0-9]+", ascii_text)


def slugify(text: str, max_chars: int = MAX_CHARS) -> str:
    """ "Esketamine: what to expect" -> "esketamine-what-to-expect"."""
    slug = ""
    for word in (w.lower() for w in words(text)):
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_chars:
            break
        slug = candidate
    if not slug and words(text):  # one word longer than the limit
        slug = words(text)[0].lower()[:max_chars]
    return slug

"""The YAML front matter of a Markdown export (Jekyll, Hugo, static-site
generators and note apps write one): its title, author and dates are facts
the page states, read as written; the block itself is not article text.

It is read with PyYAML's safe loader only, and a block that is not a mapping
or does not parse is simply furniture: the importer never fails on it.
"""

from __future__ import annotations

import datetime as dt
import re

import yaml

from kb.importer import furniture as furn
from kb.importer.model import Dated, Facts, Removed

_CLOSE = re.compile(r"^(?:---|\.\.\.)\s*$")
#: The most lines a front-matter block may have (beyond that it is not one).
MAX_LINES = 80
_AUTHOR_KEYS = ("author", "authors", "byline", "creator")
_DATE_KEYS = {
    "date": "published",
    "published": "published",
    "pubdate": "published",
    "updated": "updated",
    "lastmod": "updated",
    "modified": "updated",
}


def split(text: str) -> tuple[str, dict, int]:
    """(the text with the front matter blanked out, its mapping, its last line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return text, {}, 0
    end = next((i for i in range(1, min(len(lines), MAX_LINES)) if _CLOSE.match(lines[i])), None)
    if end is None:
        return text, {}, 0
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except (yaml.YAMLError, ValueError, RecursionError):
        data = None
    if not isinstance(data, dict) or not data.keys() & {"title", *_AUTHOR_KEYS, *_DATE_KEYS}:
        return text, {}, 0  # a rule and some text, not front matter
    blanked = "\n".join([""] * (end + 1) + lines[end + 1 :])
    return blanked, data, end + 1


def _text(value: object) -> str:
    return " ".join(str(value).split()) if isinstance(value, str | int | float) else ""


def read_into(data: dict, last_line: int, facts: Facts, removed: list[Removed]) -> str:
    """Record the front matter's facts; return its title ("" if none)."""
    removed.append(Removed(1, "front matter", f"lines 1-{last_line} (YAML)"))
    for key in _AUTHOR_KEYS:
        value = data.get(key)
        names = value if isinstance(value, list) else [value]
        for name in (furn.clean_name(_text(n)) for n in names):
            if name and len(name) <= 80 and name not in facts.authors:
                facts.authors.append(name)
    for key, kind in _DATE_KEYS.items():
        value = data.get(key)
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            dated = Dated(kind, value.year, value.month, value.day, value.isoformat())
        else:
            found = furn.date(_text(value)) if _text(value) else None
            dated = Dated(kind, found.year, found.month, found.day, found.text) if found else None
        if dated and dated not in facts.dates:
            facts.dates.append(dated)
    title = _text(data.get("title"))
    return title if len(title) <= 200 else ""

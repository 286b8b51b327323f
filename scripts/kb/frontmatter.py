"""Front matter: the YAML block at the top of a page, with the line of every key.

Only parsing lives here (PyYAML, with positions); what the keys mean and which
values are allowed is :mod:`kb.schema`'s, which re-exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

# libyaml's parser when available: front matter is read for every page.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Problem:
    """Something wrong with front matter, located in the source file."""

    code: str
    line: int  # 1-based line in the file
    column: int  # 1-based
    message: str


@dataclass
class FrontMatter:
    """Raw front matter with the file line of each key."""

    data: dict[str, Any]
    key_lines: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: For keys whose value is a list: the (line, column) of each item.
    item_lines: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    #: 1-based line of the first body line after the closing ``---``.
    body_start: int = 1
    present: bool = False


class FrontMatterError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class _TextDatesLoader(yaml.SafeLoader):
    """Reads YAML timestamps as their text, so validate() can report them."""


_TextDatesLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def split_front_matter(text: str) -> FrontMatter:
    """Parse the YAML block between leading ``---`` lines.

    Raises FrontMatterError (with a 1-based line) when the YAML is malformed.
    """
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return FrontMatter({}, {}, {}, 1, False)
    end = next((n for n, line in enumerate(lines[1:], start=1) if line.rstrip() == "---"), None)
    if end is None:
        raise FrontMatterError(1, "front matter opened with '---' is never closed")
    block = "\n".join(lines[1:end])
    try:
        node = yaml.compose(block, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise FrontMatterError(line, f"front matter is not valid YAML: {problem}") from None
    if node is None:
        return FrontMatter({}, {}, {}, end + 2, True)
    if not isinstance(node, yaml.MappingNode):
        raise FrontMatterError(
            node.start_mark.line + 2, "front matter must be a mapping of 'key: value' lines"
        )
    # Construct key by key, so that a value YAML cannot construct (an
    # impossible date such as 2026-02-30) is kept as its text and reported by
    # validate() at its own line, instead of failing the whole block.
    constructor = yaml.SafeLoader("")
    data: dict[str, Any] = {}
    key_lines: dict[str, tuple[int, int]] = {}
    item_lines: dict[str, list[tuple[int, int]]] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        try:
            data[key] = constructor.construct_object(value_node, deep=True)
        except (ValueError, TypeError, yaml.YAMLError):
            # Again with dates as text (a review record's impossible date).
            try:
                data[key] = _TextDatesLoader("").construct_object(value_node, deep=True)
            except (ValueError, TypeError, yaml.YAMLError):
                data[key] = getattr(value_node, "value", None)
        key_lines[key] = (key_node.start_mark.line + 2, key_node.start_mark.column + 1)
        if isinstance(value_node, yaml.SequenceNode):
            item_lines[key] = [
                (item.start_mark.line + 2, item.start_mark.column + 1) for item in value_node.value
            ]
    return FrontMatter(data, key_lines, item_lines, end + 2, True)

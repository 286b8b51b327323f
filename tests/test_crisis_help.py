"""Wherever a page mentions suicidal thoughts or a crisis, that same section
says where to get help now (GUIDE.md, content rules).

A reader who lands on one section, or hovers one glossary term, may read
nothing else: the help has to be right there. Checked on the sources of every
page under docs/ (each heading's section, the text before the first heading,
each glossary definition) and on the topic descriptions in kb.schema.
"""

from __future__ import annotations

import re

import pytest

from kb import glossary, paths, schema

#: Words that make a passage about suicidal thoughts or a crisis.
MENTIONS = re.compile(r"suicid|\bcrisis\b|\bcrises\b", re.I)
_HEADING = re.compile(r"^#{1,6} ", re.M)
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
#: Fenced blocks (a toctree lists docnames such as topics/suicidal-thoughts).
_FENCE = re.compile(r"^(`{3,}).*?^\1[ \t]*$", re.S | re.M)


def gives_help_now(text: str) -> bool:
    """Both the US line and the rest-of-the-world route are named."""
    return "988" in text and re.search(r"emergency\s+(number|services)", text, re.I) is not None


def test_the_check_tells_help_from_a_bare_mention():
    help_now = "In the US, call or text 988. Elsewhere, call your local emergency number."
    assert gives_help_now(help_now)
    assert not gives_help_now("It may help with thoughts of suicide.")
    assert not gives_help_now("Call 988.")  # nothing for readers outside the US


def sections(text: str) -> list[tuple[int, str]]:
    """(first line, text) of each part of a page between headings."""

    def blank(match: re.Match[str]) -> str:
        return "\n" * match.group(0).count("\n")

    text = _FENCE.sub(blank, _FRONT_MATTER.sub(blank, text))
    starts = [0] + [m.start() for m in _HEADING.finditer(text)]
    ends = [*starts[1:], len(text)]
    return [(text.count("\n", 0, a) + 1, text[a:b]) for a, b in zip(starts, ends, strict=True)]


PAGES = sorted(p for p in paths.DOCS.rglob("*.md") if "_build" not in p.parts)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(paths.DOCS).as_posix())
def test_every_section_that_mentions_a_crisis_says_where_to_get_help(page):
    missing = [
        f"{page.relative_to(paths.ROOT)}:{line}"
        for line, text in sections(page.read_text(encoding="utf-8"))
        if page != paths.GLOSSARY and MENTIONS.search(text) and not gives_help_now(text)
    ]
    assert not missing, "mentions suicide or a crisis without saying where to get help now: " + (
        ", ".join(missing)
    )


def test_every_glossary_definition_that_mentions_a_crisis_says_where_to_get_help():
    missing = [
        f"{paths.GLOSSARY.relative_to(paths.ROOT)}:{entry.line} ({entry.headword})"
        for entry in glossary.load().entries
        if MENTIONS.search(entry.plain_definition) and not gives_help_now(entry.plain_definition)
    ]
    assert not missing, "definitions without help now: " + ", ".join(missing)


def test_topic_descriptions_that_mention_a_crisis_say_where_to_get_help():
    missing = [
        slug
        for slug, topic in schema.TOPICS.items()
        if MENTIONS.search(topic.label + " " + topic.description)
        and not gives_help_now(topic.description)
    ]
    assert not missing, missing

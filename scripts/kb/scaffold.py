"""``kb new "Title"``: start an article with every required part in place.

The page gets valid-shaped front matter (written by :func:`kb.schema.front_matter_yaml`),
the title, a lead paragraph, a section, both admonitions and the reference
list. Every part still to be written carries the TODO marker
(:data:`kb.schema.TODO_MARKER`), which ``kb check`` reports as an error until
it is gone. An existing page is never overwritten.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import unicodedata
from pathlib import Path

from kb import schema
from kb.files import create_new
from kb.lint import find_root

TODO = schema.TODO_MARKER

BODY = """\
# {title}

{todo}: the lead paragraph. In two or three plain sentences, say what question this
page answers and for whom.

## {todo}: first section heading

{todo}: write this section. Cite each source where it supports a statement, as in
`` {{cite:p}}`key` ``, using keys from references.bib. Link a glossary term the first time
it is used, as in `` {{term}}`NMDA receptors <NMDA receptor>` ``.

:::{{key-takeaway}}
{todo}: the one thing a reader in a hurry should keep from this page.
:::

:::{{evidence-note}}
{todo}: how strong the evidence is: the kind of studies, how many people, and what is
still uncertain.
:::

## References

:::{{bibliography}}
:filter: docname in docnames
:::
"""


def slugify(title: str) -> str:
    """ "Esketamine: what to expect" -> "esketamine-what-to-expect"."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")


def render(
    title: str,
    *,
    audience: str,
    topics: list[str] | None,
    evidence_basis: str | None,
    today: dt.date,
) -> str:
    # A new page is a draft with no review date: it shows "Not yet reviewed".
    front = schema.front_matter_yaml(
        schema.new_front_matter(
            title,
            summary=f"{TODO}: one plain-language sentence that sums up the article "
            "(US grade 8 or below).",
            audience=audience,
            topics=topics or [TODO],
            evidence_basis=evidence_basis or TODO,
        )
    )
    return front + "\n" + BODY.format(title=title, todo=TODO)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("title", help="the article's title, as readers will see it")
    p.add_argument(
        "--audience",
        choices=list(schema.AUDIENCES),
        default="both",
        help="who the page is for (default: both)",
    )
    p.add_argument(
        "--topics",
        metavar="A,B",
        help=f"comma-separated topics, from: {', '.join(schema.TOPICS)}",
    )
    p.add_argument(
        "--evidence-basis",
        choices=list(schema.EVIDENCE_BASES),
        help="the kind of source the article rests on",
    )
    p.add_argument("--slug", help="the file name, without .md (default: from the title)")
    p.add_argument(
        "--root",
        type=Path,
        help="the knowledge base to write into (default: the one around the current "
        "folder, else this repository)",
    )


def main(args: argparse.Namespace) -> int:
    title = " ".join(args.title.split())
    if not title:
        print("kb new: the title is empty", file=sys.stderr)
        return 2
    slug = args.slug or slugify(title)
    if not schema.SLUG_RE.match(slug):
        print(
            f"kb new: {slug!r} cannot be a file name: use lower-case letters, digits and "
            "hyphens (--slug)",
            file=sys.stderr,
        )
        return 2
    topics = None
    if args.topics:
        topics = [t.strip() for t in args.topics.split(",") if t.strip()]
        unknown = [t for t in topics if t not in schema.TOPICS]
        if unknown:
            print(
                f"kb new: unknown topic {', '.join(map(repr, unknown))}: use one of "
                f"{', '.join(schema.TOPICS)}",
                file=sys.stderr,
            )
            return 2
    root = args.root if args.root is not None else find_root()
    folder = root / "docs" / schema.ARTICLES_DIR
    if not folder.is_dir():
        print(f"kb new: {folder} does not exist", file=sys.stderr)
        return 1
    path = folder / f"{slug}.md"
    text = render(
        title,
        audience=args.audience,
        topics=topics,
        evidence_basis=args.evidence_basis,
        today=dt.date.today(),
    )
    try:
        create_new(path, text)
    except FileExistsError:
        print(
            f"kb new: {path} already exists; it was left unchanged. Choose another --slug.",
            file=sys.stderr,
        )
        return 1
    print(f"Wrote {path}.")
    print("Next: replace every TODO, then run `kb check` on it; preview with `make serve`.")
    return 0

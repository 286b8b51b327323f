"""``kb import FILE... | FOLDER``: the command line, the report and the batch table."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from kb import paths, schema
from kb.importer.model import ImporterError, printable
from kb.importer.read import MAX_BYTES
from kb.importer.render import TODO, Draft
from kb.importer.run import AlreadyImportedError, Target, import_file

#: The files a folder contributes to a batch: saved pages, as text, Markdown or HTML.
SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm")


def summary(draft: Draft, written: Path | None) -> str:
    """The import report of one page: what was found, and what was taken out."""
    article = draft.article
    facts = article.facts
    dates = "; ".join(f"{d.kind} {d.text}" for d in facts.dates) or "none stated"
    lines = [
        f"{printable(str(article.path))}: "
        + (f"wrote {printable(str(written))}" if written else "dry run, nothing written"),
        f"  title:          {printable(article.title)}",
        f"  read as:        {'Markdown' if article.markdown else 'plain text'}",
        f"  authors:        {'; '.join(facts.authors) or 'none stated'}",
        f"  dates:          {dates}",
        f"  outlet:         {facts.outlet or 'none stated'}",
        f"  sponsorship:    {'; '.join(facts.sponsorship) or 'none stated'}",
        f"  sections:       {article.sections}",
        f"  key takeaway:   {'yes' if article.takeaway else 'no'}",
        "  evidence note:  " + (f"yes ({draft.evidence_basis})" if article.evidence_note else "no"),
        f"  references:     {len(article.references)} listed, "
        f"{sum(r.parsed for r in article.references)} read",
        f"  terms linked:   {', '.join(draft.linked_terms) or 'none'}",
        "  source:         "
        + ("; ".join(a.publisher for a in article.attributions) or "none named"),
        "  cites:          " + "; ".join(s.label for s in draft.sources),
        f"  topics:         {', '.join(draft.topics)}",
        f"  furniture:      {len(article.removed)} lines removed",
        *(f"    - line {r.line}: {r.what}: {_short(r.text)}" for r in article.removed),
        f"  {TODO} items ({len(draft.todos)}):",
        *(f"    - {item}" for item in draft.todos),
    ]
    return "\n".join(lines)


def _short(text: str, width: int = 70) -> str:
    text = printable(" ".join(text.split()))
    return text if len(text) <= width else text[: width - 1] + "\u2026"


@dataclass
class Row:
    file: str
    result: str  # imported, skipped, failed, dry run
    detail: str
    todos: str = "-"
    removed: str = "-"


def table(rows: list[Row]) -> str:
    """One summary table for a batch."""
    head = Row("FILE", "RESULT", "PAGE / REASON", "TODOS", "REMOVED")
    width = min(max(len(r.file) for r in [head, *rows]), 40)
    lines = []
    for row in [head, *rows]:
        lines.append(
            f"{_short(row.file, width):<{width}}  {row.result:<9} {row.todos:>5} {row.removed:>7}  "
            f"{_short(row.detail, 90)}"
        )
    counts = {
        k: sum(r.result == k for r in rows) for k in ("imported", "dry run", "skipped", "failed")
    }
    tally = ", ".join(f"{n} {k}" for k, n in counts.items() if n or k != "dry run")
    lines.append(f"{len(rows)} file{'s' if len(rows) != 1 else ''}: {tally}")
    return "\n".join(lines)


def expand(names: list[str]) -> list[Path] | str:
    """FILE and FOLDER arguments -> the files to import (a folder: its saved
    pages, sorted, not its subfolders), or an error message."""
    out: list[Path] = []
    for name in names:
        path = Path(name)
        try:
            info = os.lstat(path)
        except OSError:
            out.append(path)  # import_file says what is wrong with it
            continue
        if not stat.S_ISDIR(info.st_mode):
            out.append(path)
            continue
        try:
            found = sorted(
                p
                for p in path.iterdir()
                if p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
            )
        except OSError as exc:
            return f"{path}: cannot list the folder ({exc.strerror})"
        if not found:
            return f"{path}: no saved pages ({', '.join(SUFFIXES)}) in this folder"
        out.extend(found)
    return out


def slug_arg(value: str) -> str:
    if not schema.SLUG_RE.match(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a slug: use lower-case words joined by hyphens"
        )
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help=f"articles saved as text or Markdown, or folders of them (each at most "
        f"{MAX_BYTES:,} bytes)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the draft page; write nothing"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="import a source again: replace its own page and references.bib entry (never "
        "another article's)",
    )
    parser.add_argument("--slug", type=slug_arg, help="the page's file name (only with one FILE)")
    parser.set_defaults(usage_error=parser.error)
    parser.add_argument(
        "--root",
        type=Path,
        default=paths.ROOT,
        help="the knowledge base to import into (default: this repository)",
    )


def main(args: argparse.Namespace) -> int:
    inputs = expand(args.files)
    if isinstance(inputs, str):
        print(f"kb import: error: {inputs}", file=sys.stderr)
        return 1
    if args.slug and len(inputs) > 1:
        args.usage_error("--slug names one page: give it with one FILE only")  # exits 2
    target = Target.at(args.root)
    rows: list[Row] = []
    for path in inputs:
        try:
            draft = import_file(
                path, target, slug=args.slug, force=args.force, dry_run=args.dry_run
            )
        except AlreadyImportedError as exc:
            rows.append(Row(printable(str(path)), "skipped", exc.message))
            continue
        except ImporterError as exc:
            print(f"kb import: error: {exc}", file=sys.stderr)
            rows.append(Row(printable(str(path)), "failed", exc.message))
            continue
        except OSError as exc:  # anything the importer did not foresee, still one line
            print(
                f"kb import: error: {printable(str(path))}: {exc.strerror or exc}", file=sys.stderr
            )
            rows.append(Row(str(path), "failed", str(exc.strerror or exc)))
            continue
        page = target.articles / f"{draft.slug}.md"
        if args.dry_run:
            print(draft.page)
            for source in draft.new_entries:
                print(f"% would add to {target.bibfile}:\n{source.new_entry}")
        print(summary(draft, None if args.dry_run else page))  # the import report
        rows.append(
            Row(
                str(path),
                "dry run" if args.dry_run else "imported",
                str(page),
                str(len(draft.todos)),
                str(len(draft.article.removed)),
            )
        )
    if len(inputs) > 1 or any(r.result == "skipped" for r in rows):
        print(table(rows))
    return 1 if any(r.result == "failed" for r in rows) else 0

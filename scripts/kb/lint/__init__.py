"""``kb check``: the content linter.

Every finding has a stable rule code (:mod:`kb.lint.rules`), a severity, a
``file:line:col`` location and a message that says what to do. The linter only
reads: it never changes a file.

- :mod:`kb.lint.myst` parses pages as MyST does, with positions;
- :mod:`kb.lint.pages` holds the page rules, :mod:`kb.lint.bibliography` the
  references.bib rules (on :func:`kb.bib.scan`, which reads every entry with
  its position); front-matter rules are :mod:`kb.schema`'s own;
- :mod:`kb.lint.report` prints text, JSON or GitHub annotations.

By default the whole knowledge base is checked (every page under docs/,
references.bib and the glossary). Given paths, only those pages (and .bib
files) are checked, against the knowledge base's own references.bib and
glossary; "entry never cited" (CITE002) needs every page, so it is reported
only for the whole knowledge base.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sphinx.util.matching import Matcher

from kb import bib as kb_bib
from kb import glossary as kb_glossary
from kb import paths, policy, schema
from kb.lint import bibliography, myst, readability, report, safety
from kb.lint.pages import Context, check_page
from kb.lint.rules import ERROR, INFO, RULES, WARNING, Finding

__all__ = ["RULES", "Finding", "Result", "check", "main"]


@dataclass
class Result:
    findings: list[Finding] = field(default_factory=list)
    pages: int = 0

    @property
    def errors(self) -> int:
        return sum(f.severity == ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == WARNING for f in self.findings)


class UsageError(Exception):
    """A path that cannot be checked (reported as a usage error, exit 2)."""


def _pages_under(folder: Path, pattern: str = "*.md") -> list[Path]:
    """The pages Sphinx would read: every .md file except what conf.py's
    exclude_patterns leaves out (build output). A page in docs/_drafts/ or
    docs/.hidden/ is built too, so it is checked."""
    docs = next((p for p in (folder, *folder.parents) if (p / "conf.py").is_file()), folder)
    matcher = Matcher(safety.conf_list(docs / "conf.py", "exclude_patterns") or ["_build"])
    return sorted(
        p
        for p in folder.rglob(pattern)
        if not matcher(p.relative_to(docs).as_posix()) and "_build" not in p.parts
    )


def _rst_page(page: Path, root: Path, docs: Path) -> list[Finding]:
    """A reStructuredText page: not accepted, and checked for what it reads."""
    shown = _display(page, root)
    found = [
        Finding.make(
            shown, 1, 1, "FILE002", "pages are MyST Markdown (.md): rewrite it as a .md page"
        )
    ]
    try:
        text = page.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return found
    checks = safety.PageSafety(
        myst.Page(myst.Source(text)), page, docs, safety.read_allowed(docs / "conf.py")
    )
    for offset, code, message in checks.rst(text):
        line, column = checks.page.source.position(offset)
        found.append(Finding.make(shown, line, column, code, message))
    return found


def _size_problem(page: Path) -> str | None:
    """A page too large to check or build (kb.policy.MAX_PAGE_BYTES); a page
    that is not a regular file is not read either."""
    try:
        if not page.is_file():
            return "not a regular file: pages are plain files"
        return policy.size_problem(page.stat().st_size)
    except OSError:
        return None  # reported as FILE001 when it is read


def _display(path: Path, root: Path) -> str:
    """Paths relative to the repository root (what GitHub annotations expect)."""
    path = path.resolve()
    for base in (root.resolve(), Path.cwd().resolve()):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return path.as_posix()


def _is_article(path: Path, docs: Path) -> bool:
    """Articles are docs/articles/*.md (kb.schema decides). A page outside the
    knowledge base is placed by its own nearest "docs" folder; a draft with
    none is checked as an article."""
    path = path.resolve()
    for folder in (docs.resolve(), *(p for p in path.parents if p.name == "docs")):
        if path.is_relative_to(folder):
            docname = path.relative_to(folder).with_suffix("").as_posix()
            return schema.is_article_docname(docname)
    return True


def is_kb_root(folder: Path) -> bool:
    return (folder / "docs" / "conf.py").is_file() and (folder / "references.bib").is_file()


def find_root(targets: Sequence[Path | str] = ()) -> Path:
    """The knowledge base the targets belong to, found the way git finds a
    repository: the nearest folder at or above the first target (or else the
    current folder) holding docs/conf.py and references.bib; else this one."""
    start = Path(targets[0]) if targets else Path.cwd()
    start = start.resolve()
    for folder in (start, *start.parents):
        if is_kb_root(folder):
            return folder
    return paths.ROOT


def check(
    targets: Sequence[Path | str] = (),
    *,
    root: Path | str | None = None,
    today: dt.date | None = None,
) -> Result:
    """Check the knowledge base at ``root`` (found with :func:`find_root` if not
    given), or only ``targets`` in it. A target that is a knowledge base's own
    folder means all of it."""
    root = Path(root) if root is not None else find_root(targets)
    if len(targets) == 1 and Path(targets[0]).resolve() == root.resolve():
        targets = ()
    docs = root / "docs"
    bib_path = root / "references.bib"
    whole = not targets

    pages: list[Path] = []
    bib_files: list[Path] = [bib_path] if whole else []
    for target in map(Path, targets):
        if not target.exists():
            raise UsageError(f"{target}: no such file or folder")
        if target.is_dir():
            pages.extend(_pages_under(target))
            bib_files.extend(sorted(target.rglob("*.bib")))
        elif target.suffix == ".md":
            pages.append(target)
        elif target.suffix == ".bib":
            bib_files.append(target)
        elif target.suffix == ".rst":
            pass  # reported below
        else:
            raise UsageError(f"{target}: not a Markdown page (.md) or a .bib file")
    if whole:
        pages = _pages_under(docs)

    result = Result()
    # Sphinx would build a reStructuredText page too; pages are MyST only.
    rst = (
        _pages_under(docs, "*.rst")
        if whole
        else [t for t in map(Path, targets) if t.suffix == ".rst"]
    )
    for page in rst:
        result.findings.extend(_rst_page(page, root, docs))

    # A page's path becomes its URL.
    for page in pages:
        absolute = page.absolute()
        if absolute.is_relative_to(docs.absolute()):
            relative = absolute.relative_to(docs.absolute()).as_posix()
            if problem := policy.page_name_problem(relative):
                shown = _display(page, root)
                result.findings.append(Finding.make(shown, 1, 1, "FILE003", problem))
    # A symlinked page or bib file would publish whatever it points to.
    for path in [*pages, *bib_files]:
        if path.is_symlink() and (why := policy.read_problem(path, [docs])):
            link = path.absolute()  # the link itself, not where it points
            base = root.absolute()
            shown = link.relative_to(base).as_posix() if link.is_relative_to(base) else str(link)
            result.findings.append(
                Finding.make(shown, 1, 1, "PATH001", f"{shown} is a symlink and {why}")
            )
    pages = [p for p in pages if not p.is_symlink()]
    bib_files = [p for p in bib_files if not p.is_symlink()]
    for path in dict.fromkeys(p.resolve() for p in bib_files):
        shown = _display(path, root)
        if not path.exists():
            result.findings.append(
                Finding.make(shown, 1, 1, "BIB001", f"{shown} is missing: create it")
            )
            continue
        scanned = kb_bib.scan(path)
        result.findings.extend(
            Finding(shown, f.line, f.column, f.code, f.severity, f.message)
            for f in bibliography.check(scanned)
        )
        result.findings.extend(
            Finding.make(shown, line, column, code, message)
            for line, column, code, message in safety.bib_fields(scanned)
        )
    # Citations are always checked against the knowledge base's own bibliography.
    bib = kb_bib.scan(bib_path) if bib_path.exists() else None

    glossary_path = docs / "glossary.md"
    glossary = (
        kb_glossary.load(glossary_path)
        if glossary_path.exists()
        else kb_glossary.Glossary([], glossary_path)
    )
    ctx = Context(
        bib_keys=bib.keys if bib else set(),
        glossary=glossary,
        today=today or dt.date.today(),
        extensions=myst.conf_extensions(docs / "conf.py"),
        docs=docs,
        read_allowed=safety.read_allowed(docs / "conf.py"),
    )
    jobs = [
        (page, _display(page, root), _is_article(page, docs), page == glossary_path.resolve())
        for page in dict.fromkeys(p.resolve() for p in pages)
    ]
    for findings, cited, read in _check_pages(jobs, ctx):
        result.pages += read
        result.findings.extend(findings)
        ctx.cited |= cited

    if whole and bib is not None:
        shown = _display(bib_path, root)
        reported: set[str] = set()  # a duplicate key is BIB002's, once is enough here
        for entry in bib.entries:
            if entry.key and entry.key not in ctx.cited and entry.key not in reported:
                reported.add(entry.key)
                result.findings.append(
                    Finding.make(
                        shown,
                        entry.line,
                        entry.column,
                        "CITE002",
                        f"entry '{entry.key}' is never cited: cite it where it supports "
                        "a statement, or remove it",
                    )
                )
    result.findings.sort()
    return result


def _glossary_reading_level(
    shown: str, glossary: kb_glossary.Glossary, extensions: frozenset[str]
) -> Iterator[Finding]:
    """Glossary definitions are read by patients: each at grade 8 or below."""
    for unit in readability.glossary_units(glossary, extensions):
        grade, too_hard = readability.measure(unit)
        for hard in too_hard:
            yield Finding.make(shown, hard.line, 1, "READ004", hard.message)
        limit = readability.MAX_GRADE
        message = f"{unit.name} reads at US grade {grade:.1f} (limit {limit:.0f})"
        yield Finding.make(shown, unit.line, 1, "READ005", message)


# -- Pages, on every core ----------------------------------------------------------------

#: Below this many pages, one process is quicker than starting more.
PARALLEL_FROM = 200
#: The context the worker processes check against (inherited when they fork).
_WORKER_CONTEXT: Context | None = None


def _check_one(job: tuple[Path, str, bool, bool]) -> tuple[list[Finding], set[str], int]:
    """One page's findings, the keys it cites, and 1 if it could be read."""
    page, shown, is_article, is_glossary = job
    ctx = _WORKER_CONTEXT
    assert ctx is not None
    ctx.cited = set()
    if problem := _size_problem(page):
        return [Finding.make(shown, 1, 1, "SIZE001", problem)], set(), 0
    try:
        text = page.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = page.read_bytes().count(b"\n", 0, exc.start) + 1
        message = f"not UTF-8 text ({exc.reason}): save the file as UTF-8"
        return [Finding.make(shown, line, 1, "FILE001", message)], set(), 0
    except OSError as exc:
        message = f"cannot read it ({exc.strerror}): check the file"
        return [Finding.make(shown, 1, 1, "FILE001", message)], set(), 0
    findings = check_page(shown, text, ctx, is_article=is_article, source=page)
    if is_glossary:
        findings.extend(_glossary_reading_level(shown, ctx.glossary, ctx.extensions))
    return findings, ctx.cited, 1


def _check_pages(
    jobs: list[tuple[Path, str, bool, bool]], ctx: Context
) -> Iterable[tuple[list[Finding], set[str], int]]:
    """Check the pages, in order; on several cores when there are many.

    Pages are independent (each is checked against the shared context); the
    worker processes are forked, so they start with the context, the parsed
    glossary and the imported rules, and return findings and cited keys.
    """
    import multiprocessing
    import os

    global _WORKER_CONTEXT
    _WORKER_CONTEXT = ctx
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    try:
        if len(jobs) < PARALLEL_FROM or cores < 2 or not can_fork:
            return [_check_one(job) for job in jobs]
        with multiprocessing.get_context("fork").Pool(min(cores, 4)) as pool:
            return pool.map(_check_one, jobs, chunksize=max(1, len(jobs) // (8 * cores)))
    finally:
        _WORKER_CONTEXT = None


# -- The command ---------------------------------------------------------------------


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="pages, folders or references.bib to check (default: the whole knowledge base)",
    )
    p.add_argument(
        "--format",
        choices=["text", "json", "github"],
        default="text",
        help="text (default), json, or github (workflow annotations)",
    )
    p.add_argument(
        "--root",
        type=Path,
        help="the knowledge base (the folder holding docs/ and references.bib); default: "
        "the one around the first PATH or the current folder, else this repository",
    )
    p.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the date review deadlines are measured from (default: today)",
    )
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also show information, such as the reading grade of each patient summary",
    )
    p.add_argument("--explain", metavar="CODE", help="say what a rule checks and why, then exit")
    p.add_argument("--list-rules", action="store_true", help="list every rule, then exit")


def _explain(codes: Iterable[str]) -> str:
    lines = []
    for code in codes:
        rule = RULES[code]
        lines.append(f"{rule.code} ({rule.severity}): {rule.title}\n    {rule.why}")
    return "\n".join(lines) + "\n"


def main(args: argparse.Namespace) -> int:
    if args.list_rules:
        sys.stdout.write(_explain(RULES))
        return 0
    if args.explain:
        code = args.explain.upper()
        if code not in RULES:
            print(f"kb check: unknown rule {args.explain!r}; see --list-rules", file=sys.stderr)
            return 2
        sys.stdout.write(_explain([code]))
        return 0
    try:
        result = check(args.paths, root=args.root, today=args.today)
    except UsageError as exc:
        print(f"kb check: {exc}", file=sys.stderr)
        return 2
    shown = [f for f in result.findings if args.verbose or f.severity != INFO]
    if args.format == "json":
        sys.stdout.write(report.json_list(shown))
    elif args.format == "github":
        sys.stdout.write(report.github(shown))
        print(report.summary(shown, result.pages), file=sys.stderr)
    else:
        sys.stdout.write(report.text(shown, result.pages))
    return 1 if result.errors else 0

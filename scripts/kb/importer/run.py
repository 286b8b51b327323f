"""One import, start to finish, as one transaction.

:func:`import_file` reads and parses the saved page, decides which source it
is (already imported? an earlier copy? new?), picks the page's file name and
the entries' keys, renders the draft, and then writes the references.bib
change and the page together: both land or neither does. A Ctrl-C while they
are written waits until both are in place (or both are undone).

``--force`` re-imports a source: it replaces this source's own entry (the one
that carries its digest, or an earlier copy's) and the page that still
carries its import mark, and nothing else. It never replaces a page of another article, and no
``--slug`` may name a page that is not an article (such as ``index``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import signal
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kb import bib, files, paths, schema
from kb import glossary as glossary_mod
from kb.importer import sources as src
from kb.importer.cite import place_citations
from kb.importer.model import Article, ImporterError
from kb.importer.parse import parse
from kb.importer.read import read
from kb.importer.render import Draft, owner_mark, render
from kb.slugs import slugify


class AlreadyImportedError(ImporterError):
    """This very copy was imported before: skipped, not failed."""


@dataclass(frozen=True)
class Target:
    """Where an import writes: a knowledge base's articles, glossary and bib."""

    articles: Path
    glossary: Path
    bibfile: Path

    @classmethod
    def at(cls, root: Path | str) -> Target:
        """The layout of this repository, under another root (a test copy)."""
        root = Path(root)
        docs = root / paths.DOCS.relative_to(paths.ROOT)
        return cls(
            docs / paths.ARTICLES.relative_to(paths.DOCS),
            docs / paths.GLOSSARY.relative_to(paths.DOCS),
            root / paths.BIBFILE.relative_to(paths.ROOT),
        )


def _is_article_slug(slug: str) -> bool:
    return bool(schema.SLUG_RE.match(slug)) and schema.is_article_docname(
        f"{schema.ARTICLES_DIR}/{slug}"
    )


def _pages_imported_from(articles: Path, key: str) -> list[Path]:
    """The article pages that are this source's import: they carry its mark
    (:func:`~kb.importer.render.owner_mark`). A page that only cites the
    source, or whose editor removed the mark, is not one of them."""
    mark = owner_mark(key)
    found = []
    for page in sorted(articles.glob("*.md")):
        if not _is_article_slug(page.stem) or page.is_symlink() or not page.is_file():
            continue
        try:
            lines = page.read_text(encoding="utf-8").splitlines()
        except (OSError, ValueError):
            continue
        if mark in lines:
            found.append(page)
    return found


@dataclass
class _Identity:
    """Which source this is, in references.bib's terms."""

    key: str  # the web article's key
    reuse: bool = False  # a hand-written entry for the same article: cite it as it is
    replaces: bool = False  # --force: this key's entry is this source's, replaced


def _compatible(fields: dict[str, str], mine: dict[str, str]) -> bool:
    """An entry with this headline that does not state another author or outlet."""
    return all(
        not fields.get(name) or not mine.get(name) or src.same(fields[name], mine[name])
        for name in ("author", "howpublished", "url")
    )


def _identify(
    article: Article, bibliography: bib.Bibliography, force: bool, taken: src._Taken
) -> _Identity:
    for key in bibliography:
        if bibliography.fields(key).get("contenthash") == article.digest:
            if not force:
                raise AlreadyImportedError(
                    article.path,
                    None,
                    f"already imported (references.bib entry '{key}' has this copy's digest): "
                    "skipped; use --force to import it again",
                )
            return _Identity(key, replaces=True)
    mine, _ = src.article_fields(article)
    for key in bibliography:
        fields = bibliography.fields(key)
        if not src.same(fields.get("title", ""), article.title) or not _compatible(fields, mine):
            continue
        if "contenthash" not in fields:
            return _Identity(key, reuse=True)
        if not force:
            raise ImporterError(
                article.path,
                None,
                f"an earlier copy of this article was imported as '{key}' "
                f"(references.bib line {bibliography.line_of(key)}): use --force to replace "
                "that copy's page and entry",
            )
        return _Identity(key, replaces=True)
    return _Identity(src.free_key(src.article_key(article), taken))


def _choose_slug(
    article: Article, target: Target, asked: str | None, force: bool, owned: list[Path]
) -> tuple[str, bool]:
    """The page's slug, and whether writing it replaces this source's own page."""
    path = article.path
    if asked is not None:
        if not _is_article_slug(asked):
            raise ImporterError(
                path, None, f"--slug {asked!r} does not name an article page: choose another"
            )
        page = target.articles / f"{asked}.md"
        if not page.exists() and not page.is_symlink():
            return asked, False
        if not force:
            raise ImporterError(page, None, "already exists: use --force to replace it, or --slug")
        if page in owned and not page.is_symlink():
            return asked, True
        raise ImporterError(
            page,
            None,
            "is another article's page (it does not cite this source): --force replaces only "
            "this source's own page; choose another --slug",
        )
    if owned:
        return owned[0].stem, True
    base = slugify(article.title) or slugify(path.stem) or "imported-article"
    slug, n = base, 1
    while (
        not _is_article_slug(slug)
        or (target.articles / f"{slug}.md").exists()
        or (target.articles / f"{slug}.md").is_symlink()
    ):
        n += 1
        slug = f"{base}-{n}"
    return slug, False


def _regular_or_absent(path: Path) -> None:
    """The knowledge base's own files are read only when they are regular
    files: a link or a FIFO in their place (from a hostile pull request) is
    refused, never followed or waited on."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ImporterError(path, None, f"cannot read it ({exc.strerror})") from None
    if not stat.S_ISREG(mode):
        raise ImporterError(path, None, "is not a regular file: refused")


@contextlib.contextmanager
def _uninterrupted() -> Iterator[None]:
    """Hold a Ctrl-C until the block is done, then raise it: the two writes of
    an import are never split by an interrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def _write_error(path: Path, exc: OSError) -> ImporterError:
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ImporterError(path, None, "permission denied: cannot write it; nothing was changed")
    return ImporterError(
        path, None, f"could not write the draft ({exc.strerror or exc}); nothing was changed"
    )


def commit(
    target: Target, old_bib: str, new_bib: str, page: Path, text: str, replace: bool
) -> None:
    """Write the bib change and the page: both, or (after an error) neither."""
    with _uninterrupted():
        if new_bib != old_bib:
            try:
                files.write_atomic(target.bibfile, new_bib)
            except OSError as exc:
                raise _write_error(target.bibfile, exc) from None
        try:
            if replace:
                files.write_atomic(page, text)
            else:
                files.create_new(page, text)
        except BaseException as exc:
            if new_bib != old_bib:
                files.write_atomic(target.bibfile, old_bib)  # the page is not there: undo
            if isinstance(exc, FileExistsError):
                raise ImporterError(page, None, "already exists: nothing was changed") from None
            if isinstance(exc, OSError):
                raise _write_error(page, exc) from None
            raise


def import_file(
    path: Path | str,
    target: Target,
    *,
    slug: str | None = None,
    force: bool = False,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> Draft:
    """Import one saved article. Writes nothing when ``dry_run``; raises
    ImporterError (and writes nothing) when the article cannot be imported,
    AlreadyImportedError when this copy was imported before."""
    path = Path(path)
    today = today or dt.date.today()
    text, lines = read(path)
    article = parse(path, text, lines)
    if target.articles.is_symlink() or not target.articles.is_dir():
        raise ImporterError(target.articles, None, "no such folder (a real folder, not a link)")
    for needed in (target.bibfile, target.glossary):
        _regular_or_absent(needed)
    try:
        bibliography = bib.load(target.bibfile)
        glossary = glossary_mod.load(target.glossary) if target.glossary.is_file() else None
    except bib.BibError as exc:
        raise ImporterError(exc.path, exc.line, exc.message) from None
    except PermissionError:
        raise ImporterError(target.glossary, None, "permission denied: cannot read it") from None
    except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        raise ImporterError(target.glossary, None, f"cannot read the glossary ({exc})") from None

    taken = src.taken_keys(bibliography)
    identity = _identify(article, bibliography, force, taken)
    owned = _pages_imported_from(target.articles, identity.key) if identity.replaces else []
    slug, replace_page = _choose_slug(article, target, slug, force, owned)

    fields, missing = src.article_fields(article)
    if identity.reuse:
        own = src.Source(identity.key, f"the web article [{identity.key}] (already in the .bib)")
    else:
        taken.add(identity.key)
        entry = bib.format_misc(identity.key, fields)
        state = "entry replaced" if identity.replaces else "new entry"
        own = src.Source(
            identity.key,
            f"the web article [{identity.key}] ({state})",
            entry,
            replaces=identity.replaces,
            missing=missing,
        )
    sources = [
        *src.plan_named_sources(article, bibliography, taken),
        own,
        *src.plan_references(article, bibliography, taken),
    ]
    uncited = place_citations(article, sources)
    draft = render(article, slug, sources, uncited, glossary, today)
    _, problems = schema.load_article(draft.page)
    if problems:  # a bug here, not in the input: say so rather than write it
        raise ImporterError(
            path, None, f"internal error, the draft fails the schema: {problems[0].message}"
        )
    if dry_run:
        return draft

    try:
        old_bib = target.bibfile.read_text(encoding="utf-8")
    except OSError as exc:
        raise ImporterError(target.bibfile, None, f"cannot read it ({exc.strerror})") from None
    new_bib = old_bib
    for source in draft.new_entries:
        assert source.new_entry is not None
        new_bib = bib.with_entry(new_bib, source.key, source.new_entry, replace=source.replaces)
    try:
        bib.parse(new_bib, target.bibfile)
    except bib.BibError as exc:  # never write a file pybtex could not read back
        raise ImporterError(
            path, None, f"internal error, the new entries do not parse: {exc}"
        ) from None
    commit(target, old_bib, new_bib, target.articles / f"{slug}.md", draft.page, replace_page)
    return draft

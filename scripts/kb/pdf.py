"""``kb build pdf``: the book and one handout per article, typeset with XeLaTeX.

1. Sphinx writes the ``.tex`` files into ``docs/_build/latex`` (the builder is
   ``kb.sphinxext.latex``). Its environment stays in ``docs/_build/doctrees-latex``,
   so only changed pages are read again.
2. Each document whose content changed since it was last typeset goes through
   latexmk and XeLaTeX, as many at a time as the machine has cores; the PDFs
   land in ``docs/_build/pdf`` (the book), ``docs/_build/pdf/handouts`` and
   ``docs/_build/pdf/handouts/large-print``.
3. A handout must fit its page limit (one sheet, two pages, for an article up
   to about 1,200 words): when it does not, it is typeset again a half point
   smaller, down to :data:`SMALLEST`; still too long is an error that names it.
4. ``kb-pdfs.json`` in the output folder lists every PDF with its page count
   and size: the site's PDF links read it (:mod:`kb.sphinxext.pdf_links`).

A document's content hash covers its ``.tex`` (which holds the article, the
definitions of the terms it links, its sources, the version and the paper
size), the style files it loads and the images it includes. The build date is
left out: a new commit alone does not re-typeset a handout, so an unchanged
handout keeps the date it was built on.

``build()`` is the API (the benchmark times it); ``main()`` is the command.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from kb import paths
from kb.build import STRICT, reproducible_env
from kb.files import write_atomic
from kb.sphinxext.latex import MANIFEST, VOLATILE

#: Bump when the way documents are typeset changes, to re-typeset everything.
CACHE_VERSION = "3"
#: What the site's PDF links read: every PDF's page count and size.
INDEX = "kb-pdfs.json"
#: One sheet, printed on both sides: what every handout aims at.
SHEET = 2
#: Body sizes a handout may be set in to fit its page limit, largest first.
FIT_SIZES = ("10pt", "9.5pt", "9pt", "8.5pt")
SMALLEST = FIT_SIZES[-1]
CACHE_FILE = ".kb-pdf-cache.json"
#: Files in the LaTeX folder that every document may load.
SUPPORT_SUFFIXES = {".sty", ".cls", ".xdy", ".ist", ".cfg", ".def"}
SUPPORT_NAMES = {"latexmkrc", "Makefile"}

#: Lines of the final LaTeX log that mean a PDF is wrong even though LaTeX
#: finished: a "??" in print, a dead link, a glyph the font lacks.
LOG_PROBLEMS = re.compile(
    r"^(LaTeX Warning: (?:Reference|Citation|Hyper reference) .* undefined.*"
    r"|LaTeX Warning: There were undefined references.*"
    r"|Missing character: There is no .*)$",
    re.MULTILINE,
)
#: xdvipdfmx (run once, at the end) warns of link targets that are missing or
#: defined twice.
#: "Annotation out of page boundary" (and the two lines of detail after it) is
#: not one: a link whose words run over a page break is clipped to the page.
PDF_PROBLEMS = re.compile(
    r"^xdvipdfmx:warning: (?!Annotation out of page boundary|Current page's MediaBox"
    r"|Annotation: |Maybe incorrect paper size specified).*$",
    re.MULTILINE,
)
#: The first error LaTeX reports, as file:line:message (-file-line-error).
ERROR = re.compile(r"^(?:\./)?(?P<file>[^:\n]+\.tex):(?P<line>\d+): (?P<msg>.+)$", re.MULTILINE)
#: XeLaTeX's last line about its output: how many pages it has.
PAGES = re.compile(r"^Output written on .*?\((?P<pages>\d+) pages?", re.MULTILINE)


class PdfError(Exception):
    """The PDFs could not be built; the message says why, in one line."""


@dataclass(frozen=True)
class Layout:
    """Where the build reads and writes, for a repository at ``root``."""

    docs: Path
    out: Path

    @property
    def build(self) -> Path:
        return self.docs / "_build"

    @property
    def latex(self) -> Path:
        return self.build / "latex"

    @property
    def doctrees(self) -> Path:
        return self.build / "doctrees-latex"

    @property
    def work(self) -> Path:
        """latexmk's auxiliary files, one folder per document."""
        return self.latex / "_work"

    @property
    def cache(self) -> Path:
        """Beside the PDFs it describes: one LaTeX folder may serve two output
        folders, and a copied output folder keeps knowing what it holds."""
        return self.out / CACHE_FILE


@dataclass(frozen=True)
class Document:
    tex: str  # file name in the LaTeX folder
    output: str  # path of the PDF under the output folder
    kind: str  # "book", "handout" or "large-print"
    slug: str  # the article's slug, for a handout
    docname: str  # the page it starts from
    max_pages: int = 0  # 0: no limit

    @property
    def stem(self) -> str:
        return Path(self.tex).stem


@dataclass
class Report:
    """What a build did, by output path (``handouts/<slug>.pdf``, the book's name)."""

    out: Path
    rebuilt: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    #: Every current PDF's page count, typeset now or not.
    pages: dict[str, int] = field(default_factory=dict)
    #: The handouts that needed a smaller size to fit their page limit.
    fitted: dict[str, str] = field(default_factory=dict)
    #: No kb_base_url: the PDFs print no address (kb build pdf warns).
    base_url: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rebuilt_handouts(self) -> list[str]:
        """Slugs of the handouts typeset (either size), once each."""
        return sorted({_slug(name) for name in self.rebuilt if name.startswith("handouts/")})


def time_one_handout(
    root: Path | str, slug: str, out: Path | str | None = None
) -> tuple[float | None, list[tuple[str, str, int, float | None]]]:
    """For ``kb bench``: build the handout of one article (the one-sheet size
    only) and return the seconds its typesetting took (None when it was
    already up to date) and :func:`handout_stats` for every handout."""
    output = f"handouts/{slug}.pdf"
    report = build(root, out, only=[output])
    if not report.ok:
        raise PdfError("; ".join(report.errors))
    return report.seconds.get(output), handout_stats(report)


def handout_stats(report: Report) -> list[tuple[str, str, int, float | None]]:
    """(slug, kind, pages, seconds or None if not typeset now) for every handout,
    for ``kb bench``: the time to build one handout and each one's page count."""
    rows = []
    for output, pages in sorted(report.pages.items()):
        if not output.startswith("handouts/"):
            continue
        kind = "large-print" if output.startswith("handouts/large-print/") else "handout"
        rows.append((_slug(output), kind, pages, report.seconds.get(output)))
    return rows


def _slug(output: str) -> str:
    return Path(output).stem


def build(
    root: Path | str = paths.ROOT,
    out: Path | str | None = None,
    *,
    only: Iterable[str] | None = None,
    jobs: int | None = None,
    clean: bool = False,
) -> Report:
    """Build the book and the handouts of the repository at ``root``.

    ``only``: typeset just these documents (a handout's slug, docname or
    output path, or "book"); the rest are neither typeset nor reported.
    ``jobs``: parallel latexmk runs (default: one per core). Raises PdfError
    when Sphinx fails; LaTeX failures are in the report's ``errors``.
    """
    # Absolute: latexmk runs in the LaTeX folder and is given the work folders.
    docs = Path(root).resolve() / "docs"
    layout = Layout(docs, Path(out).resolve() if out else docs / "_build" / "pdf")
    if clean:
        for folder in (layout.latex, layout.doctrees, layout.out):
            shutil.rmtree(folder, ignore_errors=True)
    env = reproducible_env()
    _sphinx(layout, env)
    documents, base_url = _documents(layout)
    report = Report(layout.out, base_url=base_url)
    report.removed = _remove_stale(layout, documents)
    if only is not None:
        wanted = set(only)
        documents = [d for d in documents if wanted & {d.slug, d.docname, d.output, d.kind}]

    cache = _read_cache(layout)
    support = _support_digest(layout)
    todo: list[tuple[Document, str]] = []
    for document in documents:
        digest = _digest(layout, document, support)
        if cache.get(document.output) == digest and (layout.out / document.output).is_file():
            report.skipped.append(document.output)
        else:
            todo.append((document, digest))

    # The book takes longest: start it first.
    todo.sort(key=lambda item: (item[0].kind != "book", item[0].output))
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda item: _typeset_to_fit(layout, item[0], env), todo))
    for (document, digest), result in zip(todo, results, strict=True):
        report.seconds[document.output] = result.seconds
        if result.error:
            report.errors.append(result.error)
            cache.pop(document.output, None)
        else:
            report.rebuilt.append(document.output)
            cache[document.output] = digest
            if result.size != FIT_SIZES[0] and document.kind == "handout":
                report.fitted[document.output] = result.size
    _write_cache(layout, cache)
    fresh = {
        document.output: result.pages
        for (document, _), result in zip(todo, results, strict=True)
        if not result.error
    }
    report.pages = _write_index(layout, _documents(layout)[0], fresh)
    report.rebuilt.sort()
    report.skipped.sort()
    return report


# -- Steps ---------------------------------------------------------------------------------


def _sphinx(layout: Layout, env: dict[str, str]) -> None:
    cmd = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "latex",
        *STRICT,
        "-q",
        "-d",
        str(layout.doctrees),
        str(layout.docs),
        str(layout.latex),
    ]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        shown = "\n".join(lines[-20:]) or result.stdout[-2000:]
        raise PdfError(f"Sphinx could not write the LaTeX files:\n{shown}")


def _documents(layout: Layout) -> list[Document]:
    manifest = layout.latex / MANIFEST
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PdfError(f"{manifest}: cannot read the list of documents ({exc})") from None
    documents = [
        Document(
            tex=d["tex"],
            output=d["output"],
            kind=d["kind"],
            slug=d["slug"],
            docname=d["docname"],
            max_pages=d.get("max_pages", 0),
        )
        for d in data["documents"]
    ]
    return documents, data.get("base_url", "")


def _remove_stale(layout: Layout, documents: list[Document]) -> list[str]:
    """PDFs of articles that no longer exist must not be printed by mistake."""
    current = {d.output for d in documents}
    removed = []
    found = [
        p
        for pattern in ("*.pdf", "handouts/*.pdf", "handouts/large-print/*.pdf")
        for p in sorted(layout.out.glob(pattern))
    ]
    for pdf in found:
        name = pdf.relative_to(layout.out).as_posix()
        if name not in current:
            pdf.unlink()
            removed.append(name)
    return removed


def _support_digest(layout: Layout) -> str:
    h = hashlib.sha256(CACHE_VERSION.encode())
    for path in sorted(layout.latex.iterdir()):
        if path.is_file() and (path.suffix in SUPPORT_SUFFIXES or path.name in SUPPORT_NAMES):
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _digest(layout: Layout, document: Document, support: str) -> str:
    text = (layout.latex / document.tex).read_text(encoding="utf-8")
    h = hashlib.sha256(support.encode())
    h.update("".join(line for line in text.splitlines(True) if VOLATILE not in line).encode())
    # Images Sphinx copied next to the .tex, when this document includes them.
    for path in sorted(layout.latex.iterdir()):
        if (
            path.is_file()
            and path.suffix.lower() in {".png", ".jpg", ".jpeg", ".pdf", ".svg"}
            and path.name in text
        ):
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _latex_env(layout: Layout, env: dict[str, str]) -> dict[str, str]:
    env = dict(env)
    env["FORCE_SOURCE_DATE"] = "1"  # XeLaTeX dates the PDF from SOURCE_DATE_EPOCH
    env["max_print_line"] = "10000"  # one log line per message, for the checks
    env.setdefault("LATEXOPTS", "")  # Sphinx's latexmkrc reads it
    # The index options Sphinx wrote for its own Makefile (language, xindy
    # modules); xindy runs in the -outdir folder, so its modules need full paths.
    makefile = layout.latex / "Makefile"
    if makefile.is_file():
        found = re.search(r"^export XINDYOPTS = (.*)$", makefile.read_text(), re.MULTILINE)
        if found:
            env.setdefault(
                "XINDYOPTS",
                re.sub(
                    r"-M (\S+)",
                    lambda m: f"-M {layout.latex.resolve() / m.group(1)}",
                    found.group(1).strip(),
                ),
            )
    return env


@dataclass(frozen=True)
class Typeset:
    error: str  # "" when the PDF is in place
    seconds: float
    pages: int = 0
    size: str = FIT_SIZES[0]


def _typeset_to_fit(layout: Layout, document: Document, env: dict[str, str]) -> Typeset:
    """Typeset a document. A handout aims at one sheet (:data:`SHEET` pages):
    while it runs over, it is typeset again a half point smaller (the same
    content, so it still says everything). A long article that cannot make
    one sheet takes the largest size that keeps within its limit."""
    fitting = document.kind == "handout" and document.max_pages
    sizes = FIT_SIZES if fitting else FIT_SIZES[:1]
    seconds = 0.0
    work = layout.work / document.stem
    kept: dict[str, Path] = {}
    results: list[Typeset] = []
    for size in sizes:
        result = _typeset(layout, document, env, size)
        seconds += result.seconds
        results.append(result)
        if result.error or not fitting:
            break
        if result.pages <= document.max_pages and len(sizes) > 1:
            kept[size] = work / f"{document.stem}-{size}.pdf"
            shutil.copyfile(work / f"{document.stem}.pdf", kept[size])
        if result.pages <= min(SHEET, document.max_pages):
            break
    chosen = results[-1]
    if fitting and not chosen.error and chosen.pages > min(SHEET, document.max_pages):
        within = [r for r in results if r.pages <= document.max_pages]
        if not within:
            return Typeset(
                f"{document.output}: {chosen.pages} pages even at {SMALLEST}, more than the "
                f"{document.max_pages} a handout of this length may have: shorten the article "
                f"({document.docname}) or move detail into another page",
                seconds,
                chosen.pages,
                chosen.size,
            )
        chosen = within[0]  # the largest type that keeps within the limit
    if not chosen.error:
        source = kept.get(chosen.size, work / f"{document.stem}.pdf")
        target = layout.out / document.output
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
    return Typeset(chosen.error, seconds, chosen.pages, chosen.size)


def _typeset(layout: Layout, document: Document, env: dict[str, str], size: str) -> Typeset:
    """Typeset one document at one body size (a handout's); the PDF stays in
    its work folder."""
    start = time.perf_counter()
    work = layout.work / document.stem
    work.mkdir(parents=True, exist_ok=True)
    # What a failed run leaves behind must never pass for its result.
    for stale in (work / f"{document.stem}.pdf", work / f"{document.stem}.xdv"):
        stale.unlink(missing_ok=True)
    cmd = [
        "latexmk",
        "-pdfxe",
        "-interaction=nonstopmode",
        "-halt-on-error",
        "-file-line-error",
        # Always typeset: kb.pdf's own cache has decided that the content changed,
        # and latexmk's does not know about the body size below.
        "-g",
        f"-outdir={work}",
    ]
    if size != FIT_SIZES[0]:
        # kb.sty's \kbhandoutlayout reads it.
        cmd.append(f"-usepretex=\\def\\kbfitsize{{{size}}}")
    cmd.append(document.tex)
    try:
        result = subprocess.run(
            cmd,
            cwd=layout.latex,
            env=_latex_env(layout, env),
            capture_output=True,
            text=True,
            errors="replace",
        )
    except FileNotFoundError:
        return Typeset(
            "latexmk is not installed: run `make build` (it installs the TeX packages)", 0.0
        )
    seconds = time.perf_counter() - start
    log_path = work / f"{document.stem}.log"
    log = log_path.read_text(encoding="utf-8", errors="replace") if log_path.is_file() else ""
    pdf = work / f"{document.stem}.pdf"
    if result.returncode != 0 or not pdf.is_file():
        found = ERROR.search(log) or ERROR.search(result.stdout)
        where = (
            f"{found['file']}:{found['line']}: {found['msg']}"
            if found
            else f"{document.tex}: latexmk failed"
        )
        return Typeset(f"{where} (log: {log_path})", seconds)
    problems = LOG_PROBLEMS.findall(log) + PDF_PROBLEMS.findall(result.stdout + result.stderr)
    if problems:
        return Typeset(f"{document.tex}: {problems[0].strip()} (log: {log_path})", seconds)
    counted = PAGES.findall(log)
    return Typeset("", seconds, int(counted[-1]) if counted else 0, size)


def _write_index(
    layout: Layout, documents: list[Document], fresh: dict[str, int]
) -> dict[str, int]:
    """``kb-pdfs.json``: each PDF's page count and size, for the site's links.
    ``fresh``: the page counts of the PDFs typeset now; the others keep theirs."""
    try:
        before = json.loads((layout.out / INDEX).read_text(encoding="utf-8"))["pdfs"]
    except (OSError, ValueError, KeyError):
        before = {}
    index = {}
    for document in documents:
        path = layout.out / document.output
        if not path.is_file():
            continue
        count = fresh.get(document.output) or before.get(document.output, {}).get("pages", 0)
        index[document.output] = {
            "pages": count,
            "bytes": path.stat().st_size,
            "kind": document.kind,
            "docname": document.docname,
            "slug": document.slug,
        }
    layout.out.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"pdfs": index}, indent=2, sort_keys=True) + "\n"
    write_atomic(layout.out / INDEX, text)
    return {name: info["pages"] for name, info in index.items()}


def _read_cache(layout: Layout) -> dict[str, str]:
    try:
        data = json.loads(layout.cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(layout: Layout, cache: dict[str, str]) -> None:
    layout.cache.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(layout.cache, json.dumps(cache, indent=2, sort_keys=True) + "\n")


# -- The command ------------------------------------------------------------------------------


def main(args: argparse.Namespace) -> int:
    """``kb build pdf`` (and the PDF half of ``kb build all``)."""
    try:
        report = build(paths.ROOT, clean=bool(getattr(args, "clean", False)))
    except PdfError as exc:
        print(f"kb: error: {exc}", file=sys.stderr)
        return 1
    if not report.base_url:
        print(
            "kb: warning: no base URL (KB_BASE_URL / kb_base_url): the PDFs print no online "
            "address or QR code, only how to find the online version",
            file=sys.stderr,
        )
    for name in report.rebuilt:
        fitted = f", set at {report.fitted[name]} to fit" if name in report.fitted else ""
        pages = report.pages.get(name, 0)
        print(f"typeset {name} ({pages} pages, {report.seconds[name]:.1f} s{fitted})")
    for name in report.removed:
        print(f"removed {name} (its article is gone)")
    for error in report.errors:
        print(f"kb: error: {error}", file=sys.stderr)
    print(
        f"PDFs in {report.out}: {len(report.rebuilt)} typeset, "
        f"{len(report.skipped)} up to date, {len(report.errors)} failed"
    )
    return 0 if report.ok else 1

"""``kb bench``: how long a contributor waits, at N articles (BENCHMARKS.md).

It writes a synthetic knowledge base of N articles (:mod:`kb.corpus`) into a
temporary folder and times, in each run, the commands a contributor runs:

- ``kb build html --clean``, then, paired with it in the same run on the same
  text, MkDocs Material and Zensical (both read one ``mkdocs.yml``);
- a no-op rebuild and a one-article edit, each timed twice: through
  ``kb build html`` (which skips Sphinx when no input changed) and as the raw
  ``sphinx-build`` command kb runs;
- an edit of one glossary definition, ``kb check``, and ``kb serve``'s
  latency from saving an article to the server returning the changed page;
- one article's handout PDF, and bare Sphinx + MyST (alabaster), as a
  reference for what the project's extensions cost.

Each command runs in its own process: wall time is ``time.perf_counter``,
peak memory that process's ``ru_maxrss`` (``os.wait4``). Rows run in the
same order in every run (interleaved), and ratios to MkDocs Material and
Zensical are taken within each run before the median, so a machine busy with
other work slows both sides of a ratio alike. The load average before and
after each run is in the report: on a shared machine, read it first.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb import build, corpus
from kb.build import reproducible_env

# -- Measuring one command ---------------------------------------------------------------

_UPDATING = re.compile(r"(\d+) added, (\d+) changed, (\d+) removed")


@dataclass
class Measure:
    """One process: its wall time, what it did, and what it cost."""

    seconds: float
    peak_mb: float
    returncode: int
    #: User + system CPU seconds of the process and the children it waited for
    #: (Sphinx's parallel workers): on a busy machine, steadier than wall time.
    cpu: float | None = None
    read: int | None = None
    written: int | None = None
    output_mb: float | None = None
    warnings: int = 0
    log: str = ""


def run_process(
    cmd: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> Measure:
    """Run one command, timing it and reading its peak resident memory."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        log = out.read().decode("utf-8", "replace")
    # ru_maxrss is in kilobytes on Linux.
    cpu = usage.ru_utime + usage.ru_stime
    return Measure(seconds, usage.ru_maxrss / 1024, proc.returncode, cpu=cpu, log=log)


def _html_stamps(out: Path) -> dict[Path, int]:
    if not out.is_dir():
        return {}
    return {p: p.stat().st_mtime_ns for p in out.rglob("*.html") if "_static" not in p.parts}


def _html_written(out: Path, before: dict[Path, int]) -> int:
    """Pages (re)written: new files, or files whose modification time moved."""
    return sum(1 for p, stamp in _html_stamps(out).items() if before.get(p) != stamp)


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def _sphinx_measure(cmd: Sequence[str], out: Path) -> Measure:
    before = _html_stamps(out)
    m = run_process(cmd, env=reproducible_env())
    found = _UPDATING.search(m.log)
    m.read = int(found.group(1)) + int(found.group(2)) if found else 0
    m.written = _html_written(out, before)
    m.output_mb = _size_mb(out) if out.is_dir() else 0.0
    m.warnings = len(re.findall(r"WARNING:|ERROR:", m.log))
    return m


def kb_build(root: Path, *flags: str) -> Measure:
    """``kb build html`` as a contributor runs it (strict, both cores, fingerprint)."""
    cmd = [sys.executable, "-m", "kb.cli", "build", "html", "--root", str(root), *flags]
    return _sphinx_measure(cmd, root / "docs" / "_build" / "html")


def raw_sphinx_build(root: Path) -> Measure:
    """The sphinx-build command kb build runs, without kb's fingerprint."""
    return _sphinx_measure(build.html_command(root), root / "docs" / "_build" / "html")


def bare_build(root: Path) -> Measure:
    out = root / "_build"
    shutil.rmtree(out, ignore_errors=True)
    cmd = build.html_command(root)
    cmd[cmd.index("-W")] = "--keep-going"  # bare Sphinx's own warnings are not ours to fix
    cmd[cmd.index("-d") + 1] = str(out / "doctrees")
    cmd[-1] = str(out / "html")
    return _sphinx_measure(cmd, out / "html")


def _mkdocs_like(cmd: Sequence[str], root: Path) -> Measure:
    site = root / "site"
    shutil.rmtree(site, ignore_errors=True)
    # Material prints a banner about its successor on every build; not a warning.
    m = run_process(cmd, cwd=root, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    m.written = m.read = _html_written(site, {})
    m.output_mb = _size_mb(site) if site.is_dir() else 0.0
    m.warnings = len(re.findall(r"WARNING|ERROR", m.log))
    return m


def mkdocs_build(root: Path) -> Measure:
    cmd = [sys.executable, "-m", "mkdocs", "build", "--quiet", "--clean", "-f", "mkdocs.yml"]
    return _mkdocs_like(cmd, root)


def zensical_build(root: Path) -> Measure:
    """Zensical (MkDocs Material's successor) on the same mkdocs.yml, from scratch."""
    shutil.rmtree(root / ".cache", ignore_errors=True)
    return _mkdocs_like([_tool("zensical"), "build", "--clean", "-f", "mkdocs.yml"], root)


def check(root: Path) -> Measure:
    return run_process([sys.executable, "-m", "kb.cli", "check", "--root", str(root)])


def handout_pdf(root: Path, slug: str, out: Path) -> Measure:
    script = (
        "import sys, pathlib\nfrom kb import pdf\n"
        "r = pdf.build(root=pathlib.Path(sys.argv[1]), out=pathlib.Path(sys.argv[2]), "
        "only=[sys.argv[3]])\nsys.exit(0 if getattr(r, 'ok', True) else 1)\n"
    )
    return run_process(
        [sys.executable, "-c", script, str(root), str(out), slug], env=reproducible_env()
    )


def _tool(name: str) -> str:
    """A console script of this environment (beside the interpreter), else on PATH."""
    here = Path(sys.executable).with_name(name)
    return str(here) if here.exists() else (shutil.which(name) or name)


# -- kb serve: from saving a page to the server returning it -----------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8", "replace")
    except OSError:
        return None


@contextlib.contextmanager
def _server(root: Path, port: int, timeout: float) -> Iterator[subprocess.Popen]:
    cmd = [sys.executable, "-m", "kb.cli", "serve", "--root", str(root), "--port", str(port)]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=reproducible_env())
        try:
            yield _wait_until_served(proc, log, port, timeout)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_until_served(proc: subprocess.Popen, log: Any, port: int, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while _get(f"http://127.0.0.1:{port}/") is None:
        if proc.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            tail = log.read().decode("utf-8", "replace")[-400:]
            raise RuntimeError(f"kb serve did not start: {tail}")
        time.sleep(0.1)
    return proc


def serve_latency(root: Path, page: Path, edits: int = 3, timeout: float = 900) -> Measure:
    """Median seconds from writing an edit to ``kb serve`` returning the edited page.

    Measured as a browser sees it: an open page's websocket gets "reload"
    when the rebuild is done, then the page is fetched once (polling the
    server instead would slow the rebuild it waits for). The server starts
    from the build already on disk (it loads the pickled environment), so
    only the edits are timed.
    """
    from websockets.sync.client import connect

    port = _free_port()
    rel = page.relative_to(root / "docs").with_suffix(".html").as_posix()
    url = f"http://127.0.0.1:{port}/{rel}"
    latencies = []
    with _server(root, port, timeout), connect(f"ws://127.0.0.1:{port}/_kb/live-reload") as ws:
        for i in range(edits):
            marker = f"Served edit {time.time_ns()} number {i}."
            text = page.read_text(encoding="utf-8")
            start = time.perf_counter()
            page.write_text(text.replace("\n## ", f"\n{marker}\n\n## ", 1), encoding="utf-8")
            served = ""
            while marker not in served:
                if time.perf_counter() - start > 60:
                    return Measure(time.perf_counter() - start, 0.0, 1, log="edit never served")
                ws.recv(timeout=60)  # "reload": a rebuild finished
                served = _get(url) or ""
            latencies.append(time.perf_counter() - start)
            time.sleep(0.3)  # let the watcher settle before the next edit
    return Measure(statistics.median(latencies), 0.0, 0, read=1)


# -- Figures about the built site (beside the timings) --------------------------------------


def search_download(html: Path) -> dict[str, object]:
    """What a reader's first search downloads (kb.searchcost): engine, index, script."""
    from kb import searchcost

    sizes = searchcost.index_bytes(html)
    return {
        "search_download_kb": round(sizes.raw / 1e3, 1),
        "search_download_gzip_kb": round(sizes.gzip / 1e3, 1),
        "search_index_gzip_kb": round(sizes.index_gzip / 1e3, 1),
    }


def search_first_query(html: Path) -> dict[str, object]:
    """A first query in Debian's Chromium at phone size, cold (kb.searchcost)."""
    from kb import searchcost

    if not Path(searchcost.CHROMIUM).exists():
        return {"search_first_query_ms": None}
    found = searchcost.time_to_results(html)
    return {
        "search_first_query_ms": round(found.total_ms),
        "search_index_build_ms": round(found.index_ms),
    }


#: Functions of a clean build's HTML folder, each returning figures for the
#: report's "site" section: append a function, and its keys appear in the JSON
#: and in the Markdown table.
SITE_METRICS: list[Callable[[Path], dict[str, object]]] = [search_download, search_first_query]


# -- The benchmark -------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    runs: list[Measure] = field(default_factory=list)
    note: str = ""

    def median(self, attr: str) -> float | None:
        values = [getattr(m, attr) for m in self.runs if getattr(m, attr) is not None]
        return statistics.median(values) if values else None

    def summary(self) -> dict[str, object]:
        return {
            "name": self.name,
            "note": self.note,
            "runs": len(self.runs),
            "seconds": self.median("seconds"),
            "seconds_all": [round(m.seconds, 3) for m in self.runs],
            "cpu_seconds": self.median("cpu"),
            "read": self.median("read"),
            "written": self.median("written"),
            "output_mb": self.median("output_mb"),
            "peak_mb": self.median("peak_mb"),
            "warnings": self.median("warnings"),
            "failed": sum(1 for m in self.runs if m.returncode != 0),
        }


ROW_NAMES = {
    "clean": "Clean build, `kb build html --clean` (2 cores)",
    "mkdocs": "Clean build, MkDocs Material",
    "zensical": "Clean build, Zensical",
    "noop": "No-op rebuild, `kb build html`",
    "noop_sphinx": "No-op rebuild, raw `sphinx-build`",
    "article": "One-article edit, `kb build html`",
    "article_sphinx": "One-article edit, raw `sphinx-build`",
    "glossary": "One glossary definition edited, `kb build html`",
    "serve": "`kb serve`: save one article until it is served",
    "check": "`kb check` over the corpus",
    "pdf": "One article's handout PDF rebuilt",
    "bare": "Clean build, bare Sphinx + MyST (alabaster)",
}
#: Ratios of the project's clean build to each reference, taken within each run.
REFERENCES = ("mkdocs", "zensical", "bare")


@dataclass
class Layout:
    """The corpus written for each tool under one folder."""

    base: Path
    corpus: corpus.Corpus

    @property
    def kb(self) -> Path:
        return self.base / "kb"

    @property
    def bare(self) -> Path:
        return self.base / "bare"

    @property
    def mkdocs(self) -> Path:
        return self.base / "mkdocs"

    def article(self, i: int) -> Path:
        art = self.corpus.articles[i % len(self.corpus.articles)]
        return self.kb / "docs" / "articles" / f"{art.slug}.md"

    def write(self) -> None:
        for folder in (self.kb, self.bare, self.mkdocs):
            shutil.rmtree(folder, ignore_errors=True)
        corpus.write_tree(self.corpus, self.kb)
        corpus.write_tree(self.corpus, self.bare, corpus.BareFlavour)
        corpus.write_tree(self.corpus, self.mkdocs, corpus.MkDocsFlavour)


def _available(rows: dict[str, Row], skip: frozenset[str]) -> frozenset[str]:
    """Rows whose tools are missing, with a note saying so."""
    import importlib.util

    missing = set()
    if importlib.util.find_spec("mkdocs") is None:
        missing.add("mkdocs")
    if shutil.which(_tool("zensical")) is None and not Path(_tool("zensical")).exists():
        missing.add("zensical")
    if importlib.util.find_spec("uvicorn") is None:
        missing.add("serve")
    for key in missing - skip:
        rows[key].note = "skipped: not installed (pip install -e '.[dev]')"
    return frozenset(missing)


def benchmark(
    n: int,
    runs: int = 3,
    workdir: Path | None = None,
    skip: frozenset[str] = frozenset(),
    say: Callable[[str], None] = print,
) -> dict[str, object]:
    """Generate the corpus and time every row not in ``skip``; a JSON-able report."""
    rows = {key: Row(label) for key, label in ROW_NAMES.items()}
    for key in skip:
        rows[key].note = "skipped (--skip)"
    skip = skip | _available(rows, skip)
    owned = workdir is None
    base = Path(tempfile.mkdtemp(prefix="kb-bench-")) if owned else Path(workdir)
    base.mkdir(parents=True, exist_ok=True)
    layout = Layout(base, corpus.generate(n))
    conditions: list[dict[str, object]] = []
    ratios: dict[str, list[float]] = {ref: [] for ref in REFERENCES}
    cpu_ratios: dict[str, list[float]] = {ref: [] for ref in REFERENCES}
    site: dict[str, object] = {}
    try:
        layout.write()
        for run in range(1, runs + 1):
            say(f"run {run}/{runs} at N={n}")
            before = os.getloadavg()
            measured = _one_run(layout, rows, run, skip, say)
            conditions.append(
                {"run": run, "load_before": _load(before), "load_after": _load(os.getloadavg())}
            )
            clean = measured.get("clean")
            for ref in REFERENCES:
                other = measured.get(ref)
                if clean and other:
                    ratios[ref].append(round(clean.seconds / other.seconds, 3))
                    if clean.cpu and other.cpu:
                        cpu_ratios[ref].append(round(clean.cpu / other.cpu, 3))
            if run == 1:
                for metric in SITE_METRICS:
                    site.update(metric(layout.kb / "docs" / "_build" / "html"))
    finally:
        if owned:
            shutil.rmtree(base, ignore_errors=True)
    return _report(n, runs, skip, rows, ratios, cpu_ratios, conditions, site)


def _load(values: tuple[float, float, float]) -> list[float]:
    return [round(v, 2) for v in values]


def _one_run(
    layout: Layout,
    rows: dict[str, Row],
    run: int,
    skip: frozenset[str],
    say: Callable[[str], None],
) -> dict[str, Measure]:
    """Every row once, in a fixed order; the measures of the rows that succeeded."""
    root = layout.kb
    measured: dict[str, Measure] = {}

    def step(key: str, measure: Callable[[], Measure]) -> None:
        if key in skip:
            return
        try:
            m = measure()
        except (OSError, RuntimeError) as exc:  # a tool that would not start
            m = Measure(0.0, 0.0, 1, log=f"{type(exc).__name__}: {exc}")
        rows[key].runs.append(m)
        say(f"  {rows[key].name}: {m.seconds:.2f} s (exit {m.returncode})")
        if m.returncode != 0:
            say("    " + "\n    ".join(m.log.strip().splitlines()[-5:]))
        else:
            measured[key] = m

    # The clean builds, back to back on the same text.
    step("clean", lambda: kb_build(root, "--clean"))
    step("mkdocs", lambda: mkdocs_build(layout.mkdocs))
    step("zensical", lambda: zensical_build(layout.mkdocs))
    # Rebuilds: kb's figure, then the raw sphinx-build's, for the same change.
    step("noop", lambda: kb_build(root))
    step("noop_sphinx", lambda: raw_sphinx_build(root))
    corpus.append_sentence(layout.article(run * 37), f"Benchmark run {run} added this.")
    step("article", lambda: kb_build(root))
    corpus.append_sentence(layout.article(run * 37 + 1), f"Benchmark run {run} added this.")
    step("article_sphinx", lambda: raw_sphinx_build(root))
    headword = corpus.median_term(layout.corpus)
    corpus.edit_glossary_definition(root / "docs" / "glossary.md", headword, run)
    step("glossary", lambda: kb_build(root))
    step("serve", lambda: serve_latency(root, layout.article(run * 37 + 2)))
    step("check", lambda: check(root))
    if "pdf" not in skip:
        slug = layout.corpus.articles[0].slug
        if run == 1:  # the first typesetting of the handout is not what is timed
            handout_pdf(root, slug, layout.base / "pdf")
        corpus.append_sentence(layout.article(0), f"Benchmark run {run} added this.")
        step("pdf", lambda: handout_pdf(root, slug, layout.base / "pdf"))
    step("bare", lambda: bare_build(layout.bare))
    return measured


def machine() -> dict[str, object]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb_total = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb_total / 1024 / 1024:.0f} GB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def _report(
    n: int,
    runs: int,
    skip: frozenset[str],
    rows: dict[str, Row],
    ratios: dict[str, list[float]],
    cpu_ratios: dict[str, list[float]],
    conditions: list[dict[str, object]],
    site: dict[str, object],
) -> dict[str, object]:
    summary = {key: row.summary() for key, row in rows.items()}
    clean = summary["clean"]["seconds"]
    return {
        "articles": n,
        "runs": runs,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": f"kb bench --articles {n} --runs {runs}"
        + (f" --skip {','.join(sorted(skip))}" if skip else ""),
        "machine": machine(),
        "conditions": conditions,
        "per_article_clean_seconds": round(clean / n, 4) if clean else None,
        "ratios": {
            f"clean_vs_{ref}": {
                "per_run": values,
                "median": round(statistics.median(values), 2) if values else None,
            }
            for ref, values in ratios.items()
        },
        # CPU seconds (ours are spread over 2 cores, MkDocs' over 1): what the
        # build costs, whatever else the machine was doing.
        "cpu_ratios": {
            f"clean_vs_{ref}": {
                "per_run": values,
                "median": round(statistics.median(values), 2) if values else None,
            }
            for ref, values in cpu_ratios.items()
        },
        "site": site,
        "rows": summary,
    }


def _fmt(value: object, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def markdown(report: dict[str, object]) -> str:
    """The report as a BENCHMARKS.md section."""
    m = report["machine"]
    loads = "; ".join(
        f"run {c['run']}: {c['load_before'][0]} -> {c['load_after'][0]}"
        for c in report["conditions"]
    )
    lines = [
        f"### N = {report['articles']} articles",
        "",
        f"- Command: `{report['command']}`",
        f"- Date: {report['date']}",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}, Python {m['python']}, "
        f"{m['system']}",
        f"- Load average (1 min) before -> after each run: {loads}",
        f"- Median of {report['runs']} run(s); pages read and written are HTML pages.",
        "",
        "| what | wall s | runs (s) | CPU s | pages read | pages written | output MB | peak MB "
        "| warnings | note |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in report["rows"].values():
        every = ", ".join(f"{s:.2f}" for s in row["seconds_all"])
        lines.append(
            f"| {row['name']} | {_fmt(row['seconds'])} | {every} | "
            f"{_fmt(row.get('cpu_seconds'))} | {_fmt(row['read'], 0)} | "
            f"{_fmt(row['written'], 0)} | {_fmt(row['output_mb'], 1)} | "
            f"{_fmt(row['peak_mb'], 0)} | {_fmt(row['warnings'], 0)} | {row['note']}"
            + (f" exit status not 0 in {row['failed']} run(s)" if row["failed"] else "")
            + " |"
        )
    lines += ["", f"- Clean build per article: {_fmt(report['per_article_clean_seconds'], 4)} s"]
    names = {"mkdocs": "MkDocs Material", "zensical": "Zensical", "bare": "bare Sphinx + MyST"}
    for ref, name in names.items():
        r = report["ratios"][f"clean_vs_{ref}"]
        per_run = ", ".join(f"{v:.2f}" for v in r["per_run"]) or "-"
        c = report["cpu_ratios"][f"clean_vs_{ref}"]
        cpu_runs = ", ".join(f"{v:.2f}" for v in c["per_run"]) or "-"
        lines.append(
            f"- Clean build / {name}, same run: wall time median {_fmt(r['median'])} "
            f"(runs: {per_run}); CPU time median {_fmt(c['median'])} (runs: {cpu_runs})"
        )
    for key, value in report["site"].items():
        lines.append(f"- Site: {key} = {_fmt(value)}")
    lines.append("")
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    if args.articles < 1 or args.runs < 1:
        print("kb bench: --articles and --runs must be at least 1", file=sys.stderr)
        return 2
    report = benchmark(
        args.articles,
        runs=args.runs,
        workdir=args.workdir,
        skip=frozenset(args.skip),
        say=lambda s: print(s, flush=True),
    )
    text = markdown(report)
    print(text)
    if args.output:
        out = Path(args.output)
        body = json.dumps(report, indent=2) + "\n" if out.suffix == ".json" else text
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(body, encoding="utf-8")
        tmp.replace(out)
    failed = any(row["failed"] for row in report["rows"].values())
    return 1 if failed else 0


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--articles", type=int, default=100, metavar="N", help="corpus size")
    p.add_argument("--runs", type=int, default=3, metavar="K", help="runs; medians reported")
    p.add_argument(
        "--output",
        metavar="FILE",
        help="also write the results: FILE.json as JSON, any other name as Markdown",
    )
    p.add_argument("--workdir", type=Path, help="keep the corpus and builds here (default: temp)")
    p.add_argument(
        "--skip",
        type=_row_list,
        default=frozenset(),
        metavar="ROWS",
        help=f"comma-separated rows not to run: {', '.join(ROW_NAMES)}",
    )


def _row_list(text: str) -> frozenset[str]:
    rows = frozenset(r.strip() for r in text.split(",") if r.strip())
    unknown = rows - ROW_NAMES.keys()
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown row(s) {', '.join(sorted(unknown))}: use {', '.join(ROW_NAMES)}"
        )
    return rows

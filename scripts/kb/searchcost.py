"""What the site's search costs a reader, measured on a built site.

For ``kb bench`` (at N = 1,000 articles) and for anyone tuning the index:

- :func:`index_bytes`: the bytes a first query downloads on top of the page
  (the engine, the index and the search script), as stored and gzipped (as
  a web server would send them);
- :func:`time_to_results`: a real first query in Debian's Chromium, phone
  sized: milliseconds from navigation start to the results being shown, and
  the share spent searching.

Both read only the built HTML folder; neither changes it.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote_plus

from kb.sphinxext.search import ENGINE_FILE, INDEX_FILE

#: What search.html loads for search, besides the theme's own files.
SEARCH_FILES = (ENGINE_FILE, INDEX_FILE, "kb-search.js")
CHROMIUM = "/usr/bin/chromium"


@dataclass(frozen=True)
class IndexBytes:
    raw: int
    gzip: int
    index_raw: int  # the index alone
    index_gzip: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def index_bytes(html: Path) -> IndexBytes:
    static = Path(html) / "_static"
    sizes = {}
    for name in SEARCH_FILES:
        data = (static / name).read_bytes()
        sizes[name] = (len(data), len(gzip.compress(data, compresslevel=6, mtime=0)))
    return IndexBytes(
        raw=sum(r for r, _ in sizes.values()),
        gzip=sum(g for _, g in sizes.values()),
        index_raw=sizes[INDEX_FILE][0],
        index_gzip=sizes[INDEX_FILE][1],
    )


@dataclass(frozen=True)
class TimeToResults:
    query: str
    shown: int  # results drawn (the page shows 20 at a time)
    total_ms: float  # navigation start -> results on screen
    index_ms: float  # of which: building the index in the browser
    search_ms: float  # and: parsing the query, ranking, drawing

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def time_to_results(
    html: Path, query: str = "ketamine side effects", chromium: str = CHROMIUM
) -> TimeToResults:
    """One first query, cold cache, on a 375 px phone screen."""
    from playwright.sync_api import sync_playwright  # a test dependency

    handler = functools.partial(_Quiet, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/search.html?q={quote_plus(query)}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--headless", "--no-sandbox"]
            )
            context = browser.new_context(viewport={"width": 375, "height": 812}, has_touch=True)
            page = context.new_page()
            page.goto(url)
            page.wait_for_selector("html[data-kb-search-ready-ms]", timeout=120_000)
            found = page.evaluate(
                """() => ({
                    total: Number(document.documentElement.dataset.kbSearchReadyMs),
                    index: Number(document.documentElement.dataset.kbSearchIndexMs),
                    search: Number(document.documentElement.dataset.kbSearchMs),
                    shown: document.querySelectorAll('#search-results .kb-result').length,
                })"""
            )
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return TimeToResults(query, found["shown"], found["total"], found["index"], found["search"])


def report(html: Path, query: str = "ketamine side effects") -> dict[str, object]:
    """Both measures as one JSON-able row, for ``kb bench`` after its clean build."""
    return {
        "index_bytes": index_bytes(html).as_dict(),
        "first_query": time_to_results(html, query).as_dict(),
    }

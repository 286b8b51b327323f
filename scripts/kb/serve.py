"""``kb serve``: a live preview that keeps up at 1,000 articles (``make serve``).

sphinx-autobuild runs a new ``sphinx-build`` process for every change, which
then starts Python, imports Sphinx and every extension, and unpickles the
environment before it reads the one page that changed: more than a second at
1,000 articles before any work. ``kb serve`` keeps one Sphinx application,
and its environment, in memory for as long as it runs:

1. it builds the site once, as ``kb build html`` does (same sources, same
   configuration, same output folder);
2. it watches docs/ and references.bib (``watchfiles``); on a change it calls
   the kept application's ``build()`` again, which reads the changed pages
   and writes those the change outdates (kb.sphinxext.depends), exactly as
   an incremental ``sphinx-build`` would (tests/test_incremental.py checks
   both against a clean build);
3. it serves docs/_build/html (``starlette`` + ``uvicorn``) and tells every
   open page to reload itself when a rebuild is done, over a websocket, with
   a same-origin script it adds to each HTML response (nothing is added to
   the built files).

Warnings are printed, not fatal: a preview shows the page even while it has a
broken link. ``kb build html`` stays the strict build.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kb import paths
from kb.build import STAMP, reproducible_env

#: File names that never affect the site (editors' temporary and backup files).
_IGNORED_SUFFIXES = (".swp", ".swx", ".tmp", "~", ".pyc")

RELOAD_PATH = "/_kb/live-reload"
RELOAD_SCRIPT = f"""// kb serve: reload this page when the site has been rebuilt.
(() => {{
  const url = `ws://${{location.host}}{RELOAD_PATH}`;
  const socket = new WebSocket(url);
  socket.onmessage = () => window.location.reload();
}})();
"""
SCRIPT_TAG = f'<script src="{RELOAD_PATH}.js"></script>\n'.encode()


class LiveSite:
    """One Sphinx application kept in memory; :meth:`build` updates the site."""

    def __init__(
        self,
        root: Path = paths.ROOT,
        *,
        jobs: int = 2,
        status: io.TextIOBase | Any = None,
        warning: io.TextIOBase | Any = None,
    ) -> None:
        from sphinx.util.console import color_terminal, nocolor

        if not color_terminal():  # as sphinx-build decides
            nocolor()

        self.root = Path(root)
        self.docs = self.root / "docs"
        self.out = self.docs / "_build" / "html"
        # The same environment as kb build (SOURCE_DATE_EPOCH), so the same pages.
        for name, value in reproducible_env().items():
            os.environ.setdefault(name, value)
        self._contexts = contextlib.ExitStack()
        self.status = status if status is not None else sys.stdout
        self.warning = warning if warning is not None else sys.stderr
        self.jobs = jobs
        self.app: Any = self._new_app()

    def _new_app(self) -> Any:
        """A Sphinx application in docutils registries of its own, as sphinx-build's."""
        from sphinx.application import Sphinx
        from sphinx.util.docutils import docutils_namespace, patch_docutils

        self._contexts.close()
        self._contexts.enter_context(patch_docutils(self.docs))
        self._contexts.enter_context(docutils_namespace())
        return Sphinx(
            self.docs,
            self.docs,
            self.out,
            self.docs / "_build" / "doctrees",
            "html",
            status=self.status,
            warning=self.warning,
            keep_going=True,
            parallel=self.jobs,
        )

    def build(self) -> float:
        """Bring the output up to date with the sources; the seconds it took."""
        from kb.sphinxext import bibtex_adapter, sphinx_adapter

        start = time.perf_counter()
        # kb build's record of the inputs it last built no longer describes
        # the output: its next run must not skip Sphinx.
        (self.docs / "_build" / STAMP).unlink(missing_ok=True)
        if self.app is None:
            self.app = self._new_app()
        self.app.build()
        # The next build compares the sources with this one, as a new
        # process that loads the pickled environment would; on a Sphinx the
        # adapter does not know, a new application loads that environment.
        kept = sphinx_adapter.ready_for_next_build(self.app)
        if not (kept and bibtex_adapter.is_tested("sphinxcontrib-bibtex")):
            self.app = None
        else:
            # Later builds read a few pages: in this process (kb.build.jobs_for).
            self.app.parallel = 1
        return time.perf_counter() - start

    def close(self) -> None:
        self._contexts.close()

    def __enter__(self) -> LiveSite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def relevant(paths_changed: Iterable[str | Path], out: Path) -> list[Path]:
    """The changed files that can affect the site (not its own output)."""
    found = []
    for raw in paths_changed:
        path = Path(raw)
        if path.is_relative_to(out.parent) or path.name.startswith((".", "#")):
            continue
        if path.name.endswith(_IGNORED_SUFFIXES) or "__pycache__" in path.parts:
            continue
        found.append(path)
    return found


# -- The web server -------------------------------------------------------------------------


class InjectReloadScript:
    """ASGI middleware: HTML responses end with the reload script's tag.

    A request that arrives during a rebuild waits for it to end: Sphinx
    writes pages in place, and a reader must not get half of one.
    """

    def __init__(self, app: Any, reloader: Reloader) -> None:
        self.app = app
        self.reloader = reloader

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        async with self.reloader.serving():
            await self._respond(scope, receive, send)

    async def _respond(self, scope: dict, receive: Any, send: Any) -> None:
        is_html = False

        async def send_with_script(message: dict) -> None:
            nonlocal is_html
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                is_html = headers.get(b"content-type", b"").startswith(b"text/html")
                if is_html:
                    message["headers"] = [
                        (k, str(int(v) + len(SCRIPT_TAG)).encode() if k == b"content-length" else v)
                        for k, v in message.get("headers", [])
                    ]
            elif (
                message["type"] == "http.response.body"
                and is_html
                and not message.get("more_body", False)
            ):
                message["body"] = message.get("body", b"") + SCRIPT_TAG
            await send(message)

        await self.app(scope, receive, send_with_script)


class Reloader:
    """Rebuilds on change (one at a time) and tells the open pages to reload."""

    def __init__(self, site: LiveSite, say: Any = print) -> None:
        self.site = site
        self.say = say
        self.clients: set[Any] = set()
        # Requests and rebuilds exclude each other: Sphinx writes pages in
        # place, and a request must not read half of one.
        self._state = asyncio.Condition()
        self._building = False
        self._requests = 0

    @contextlib.asynccontextmanager
    async def serving(self) -> Any:
        async with self._state:
            await self._state.wait_for(lambda: not self._building)
            self._requests += 1
        try:
            yield
        finally:
            async with self._state:
                self._requests -= 1
                self._state.notify_all()

    async def rebuild(self) -> float:
        async with self._state:
            self._building = True
            await self._state.wait_for(lambda: self._requests == 0)
        try:
            return await asyncio.to_thread(self.site.build)
        finally:
            async with self._state:
                self._building = False
                self._state.notify_all()

    async def watch(self) -> None:
        import watchfiles

        watched = [self.site.docs]
        bib = self.site.root / "references.bib"
        if bib.exists():
            watched.append(bib)
        # step: how long the folder must stay quiet before a rebuild (ms).
        async for changes in watchfiles.awatch(*watched, step=20, debounce=400):
            changed = relevant((p for _, p in changes), self.site.out)
            if not changed:
                continue
            names = ", ".join(sorted({p.name for p in changed}))
            seconds = await self.rebuild()
            self.say(f"kb serve: rebuilt in {seconds:.2f} s after a change to {names}")
            await self.broadcast()

    async def broadcast(self) -> None:
        for socket in list(self.clients):
            with contextlib.suppress(Exception):
                await socket.send_text("reload")

    async def websocket(self, socket: Any) -> None:
        await socket.accept()
        self.clients.add(socket)
        try:
            async for _ in socket.iter_text():
                pass
        finally:
            self.clients.discard(socket)


def make_app(site: LiveSite, reloader: Reloader) -> Any:
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Mount, Route, WebSocketRoute
    from starlette.staticfiles import StaticFiles

    async def script(request: Any) -> Response:
        return Response(RELOAD_SCRIPT, media_type="text/javascript")

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> Iterator[None]:
        task = asyncio.create_task(reloader.watch())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    routes = [
        Route(f"{RELOAD_PATH}.js", script),
        WebSocketRoute(RELOAD_PATH, reloader.websocket),
        Mount("/", StaticFiles(directory=site.out, html=True)),
    ]
    return InjectReloadScript(Starlette(routes=routes, lifespan=lifespan), reloader)


def main(args: argparse.Namespace) -> int:
    try:
        import uvicorn
    except ImportError:
        print("kb serve needs the dev extras: pip install -e '.[dev]'", file=sys.stderr)
        return 2
    import logging

    logging.getLogger("watchfiles").setLevel(logging.WARNING)
    root = Path(args.root or paths.ROOT)
    # Sphinx's progress lines would bury the warnings: only those are printed.
    site = LiveSite(root, jobs=args.jobs, status=io.StringIO() if not args.verbose else None)
    with site:
        print(f"kb serve: first build of {site.docs} (later builds update it)", flush=True)
        seconds = site.build()
        print(f"kb serve: built in {seconds:.1f} s", flush=True)
        reloader = Reloader(site, say=lambda s: print(s, flush=True))
        print(f"kb serve: http://{args.host}:{args.port}/ (Ctrl-C stops)", flush=True)
        uvicorn.run(make_app(site, reloader), host=args.host, port=args.port, log_level="warning")
    return 0


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8000, help="port to listen on")
    p.add_argument("--jobs", type=int, default=2, help="processes for the first, full build")
    p.add_argument("--verbose", action="store_true", help="print Sphinx's progress too")
    p.add_argument(
        "--root",
        type=Path,
        default=None,
        help="the knowledge base to serve (the folder holding docs/; default: this repository)",
    )

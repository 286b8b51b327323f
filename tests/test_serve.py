"""``kb serve``: the kept application, its fallback, and the reload script.

That its pages equal a clean build's, edit after edit, is tested in
tests/test_incremental.py (every test there runs through kb serve too).
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from kb import corpus, serve
from kb.sphinxext import sphinx_adapter

pytestmark = pytest.mark.slow


def test_untested_sphinx_gets_a_new_application_per_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synthetic = corpus.generate(2, seed=2)
    corpus.write_tree(synthetic, tmp_path / "kb")
    page = tmp_path / "kb" / "docs" / "articles" / f"{synthetic.articles[0].slug}.md"
    with serve.LiveSite(tmp_path / "kb", jobs=1, status=io.StringIO()) as live:
        live.build()
        kept = live.app
        assert kept is not None, "on the tested Sphinx the application is kept"
        monkeypatch.setattr(sphinx_adapter, "is_tested", lambda version=None: False)
        corpus.append_sentence(page, "A sentence from the fallback test.")
        live.build()
        assert live.app is None, "the fallback starts a new application next time"
        corpus.append_sentence(page, "A second sentence from the fallback test.")
        live.build()
    html = (live.out / "articles" / f"{synthetic.articles[0].slug}.html").read_text()
    assert "A second sentence from the fallback test." in html


def test_changes_to_the_output_are_ignored(tmp_path: Path) -> None:
    out = tmp_path / "docs" / "_build" / "html"
    changed = [
        out / "index.html",
        tmp_path / "docs" / "_build" / "doctrees" / "environment.pickle",
        tmp_path / "docs" / "articles" / ".a.md.swp",
        tmp_path / "docs" / "articles" / "a.md~",
        tmp_path / "docs" / "articles" / "a.md",
        tmp_path / "references.bib",
    ]
    assert serve.relevant(changed, out) == changed[-2:]


def _call(app, path: str = "/") -> tuple[dict, bytes]:
    sent: list[dict] = []

    async def run() -> None:
        scope = {"type": "http", "method": "GET", "path": path, "headers": []}

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            sent.append(message)

        await app(scope, receive, send)

    asyncio.run(run())
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return dict(start["headers"]), body


class _Page:
    def __init__(self, content_type: bytes, chunks: list[bytes]) -> None:
        self.content_type, self.chunks = content_type, chunks

    async def __call__(self, scope, receive, send) -> None:
        length = str(sum(map(len, self.chunks))).encode()
        headers = [(b"content-type", self.content_type), (b"content-length", length)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for i, chunk in enumerate(self.chunks):
            more = i < len(self.chunks) - 1
            await send({"type": "http.response.body", "body": chunk, "more_body": more})


def test_html_responses_get_the_reload_script_once() -> None:
    reloader = serve.Reloader(site=None)  # type: ignore[arg-type]
    page = _Page(b"text/html; charset=utf-8", [b"<html><body>", b"text</body></html>"])
    headers, body = _call(serve.InjectReloadScript(page, reloader))
    assert body.endswith(serve.SCRIPT_TAG) and body.count(b"live-reload.js") == 1
    assert int(headers[b"content-length"]) == len(body)
    style = _Page(b"text/css", [b"body {}"])
    headers, body = _call(serve.InjectReloadScript(style, reloader))
    assert body == b"body {}" and int(headers[b"content-length"]) == len(body)

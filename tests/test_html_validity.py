"""Every built page is valid HTML (the W3C Nu HTML Checker) and no internal
link or anchor is broken (checked offline, over the files themselves)."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from kb import paths

pytestmark = pytest.mark.slow

VNU = paths.ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

#: Attributes holding a URL to check, by element.
URL_ATTRIBUTES = {
    "a": "href",
    "link": "href",
    "area": "href",
    "use": "href",
    "script": "src",
    "img": "src",
    "source": "src",
    "iframe": "src",
    "form": "action",
}


def nu_errors(pages: list[Path]) -> list[str]:
    if shutil.which("java") is None or not VNU.is_file():
        pytest.fail("the Nu checker needs java and node_modules (run `make test`, or `npm ci`)")
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True,
        text=True,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    return [
        f"{unquote(m.get('url', '')).rsplit('/html/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]


def test_nu_checker_finds_no_errors(site):
    assert nu_errors(site.pages()) == []


def test_nu_checker_does_report_errors(tmp_path):
    """The check can fail: a page with an error is reported."""
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html lang="en"><title>x</title><p role="heading">x')
    assert any("aria-level" in e for e in nu_errors([page]))


# -- Internal links --------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name") if tag in ("a", "map") else ("id",):
            if values.get(key):
                self.ids.add(values[key])
        attribute = URL_ATTRIBUTES.get(tag)
        if attribute and values.get(attribute) is not None:
            self.urls.append(values[attribute])
        if tag == "html" and values.get("data-content_root"):
            self.urls.append(values["data-content_root"])


class LinkChecker:
    """Every local URL on every page names an existing file, and its
    #fragment an existing id in that file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._parsed: dict[Path, _Page] = {}

    def parse(self, path: Path) -> _Page:
        if path not in self._parsed:
            page = _Page()
            page.feed(path.read_text(encoding="utf-8"))
            self._parsed[path] = page
        return self._parsed[path]

    def target(self, page: Path, url: str) -> tuple[Path, str] | None:
        """The file and fragment a URL on a page points to (None: not local)."""
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            return None
        path = unquote(parts.path)
        if not path:
            file = page
        elif path.startswith("/"):
            file = self.root / path.lstrip("/")
        else:
            file = page.parent / path
        if path.endswith("/") or file.is_dir():
            file = file / "index.html"
        return file.resolve(), unquote(parts.fragment)

    def broken(self, pages: list[Path]) -> list[str]:
        problems = []
        for page in pages:
            for url in self.parse(page).urls:
                found = self.target(page, url)
                if found is None:
                    continue
                file, fragment = found
                where = f"{page.relative_to(self.root)}: {url}"
                if not file.is_relative_to(self.root.resolve()) or not file.is_file():
                    problems.append(f"{where}: no such file")
                elif fragment and file.suffix == ".html" and fragment not in self.parse(file).ids:
                    problems.append(f"{where}: no id {fragment!r}")
        return problems


def test_no_internal_link_or_anchor_is_broken(site):
    checker = LinkChecker(site.html)
    pages = site.pages()
    assert checker.broken(pages) == []
    # It looked at real links: every page links somewhere on the site.
    assert all(checker.parse(p).urls for p in pages)


def test_link_checker_finds_broken_links_and_anchors(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.html").write_text(
        '<a id="top" href="sub/b.html#here"></a><a href="sub/b.html#gone"></a>'
        '<a href="missing.html"></a><a href="#top"></a><a href="#nowhere"></a>'
        '<a href="https://example.org/x"></a><a href="tel:988"></a><a href="/sub/b.html"></a>'
        '<script src="_static/x.js"></script>'
    )
    (tmp_path / "sub" / "b.html").write_text('<p id="here"><a href="../a.html#top"></a>')
    problems = LinkChecker(tmp_path).broken([tmp_path / "a.html", tmp_path / "sub" / "b.html"])
    assert problems == [
        "a.html: sub/b.html#gone: no id 'gone'",
        "a.html: missing.html: no such file",
        "a.html: #nowhere: no id 'nowhere'",
        "a.html: _static/x.js: no such file",
    ]

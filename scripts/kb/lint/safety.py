"""The content-safety rules of ``kb check``: :mod:`kb.policy`, reported at the
file and line where a page, its front matter or references.bib breaks it.

The build enforces the same policy (:mod:`kb.sphinxext.safety`), so these
rules say what the build will drop, before a pull request is built:

- PATH001: a directive, image or download reads a file outside docs/ (or a
  symlink out of it, a device, a file over 1 MB); PATH002: it fetches a URL;
  PATH003: an image or download a browser would run (HTML, an SVG with a script);
- HTML003: MyST attribute syntax with an event handler or ``style``;
- HTML004: a URL that is not https:, http:, mailto:, tel: or relative, and a
  script URL anywhere in the text (an autolink or a reference definition
  that markdown-it refused is text, and is printed);
- HTML001: markup in front matter; TEX001: a TeX command that touches files;
- BIB008: a script URL or markup in any field of a bib entry;
- SIZE001: a page over the size limit.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from docutils.parsers.rst.directives.misc import Include as DocutilsInclude

from kb import policy
from kb.bib import Scan
from kb.glossary import role_text_and_target
from kb.lint import myst

#: Directives whose argument is a file they read.
_PATH_ARGUMENT = frozenset({"include", "literalinclude", "image", "figure"})
#: Options naming a file read (or fetched) by the directive.
_PATH_OPTIONS = frozenset({"file", "diff", "img-top", "img-bottom", "img-background"})
_URL_OPTIONS = frozenset({"url"})
_OPTION = re.compile(r"^\s*:(?P<name>[\w-]+):[ \t]*(?P<value>.*)$", re.M)
#: reStructuredText directives inside {eval-rst}.
_RST_DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\.\s+(?P<name>[\w:-]+)::[ \t]*(?P<arg>.*)$", re.M)
#: MyST attribute syntax: {#id .class key=value} (attrs_inline / attrs_block).
_ATTRIBUTES = re.compile(
    r"\{[^{}\n]*?(?<![\w-])(?P<name>on[a-z]+|style|srcdoc|formaction)\s*=", re.I
)
_DOWNLOAD_ROLE = re.compile(r"^(?:std:)?download$")


def conf_list(conf: Path, name: str) -> list[str]:
    """A list setting of docs/conf.py, read without running it ([] if absent)."""
    try:
        tree = ast.parse(conf.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return []
    for node in tree.body:
        names = [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)]
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and name in names:
            try:
                return [str(v) for v in ast.literal_eval(node.value)]
            except (ValueError, TypeError):
                break
    return []


def read_allowed(conf: Path) -> list[Path]:
    """``kb_read_allowed`` from docs/conf.py, as absolute folders."""
    return [conf.parent / p for p in conf_list(conf, "kb_read_allowed")]


class PageSafety:
    """The safety findings of one page, as (offset, code, message)."""

    def __init__(self, page: myst.Page, source: Path | None, docs: Path | None, allowed: list):
        self.page = page
        self.source = source
        self.docs = docs
        self.roots = [docs, *allowed] if docs else []

    def run(self) -> Iterator[tuple[int, str, str]]:
        yield from self.files()
        yield from self.urls_and_text()
        yield from self.attributes()
        yield from self.maths()

    # -- Files ----------------------------------------------------------------------

    def _candidates(self, value: str, directive: str) -> list[Path]:
        if self.source is None or self.docs is None:
            return []
        value = value.strip()
        if value.startswith("<") and value.endswith(">") and directive == "include":
            return [Path(DocutilsInclude.standard_include_path, value[1:-1])]
        here = self.source.parent
        if value.startswith("/"):
            # Sphinx reads "/x" from the source folder; docutils (csv-table,
            # raw) from the file system's root.
            return [self.docs / value.lstrip("/"), Path(value)]
        return [here / value]

    def _path(self, offset: int, what: str, value: str, directive: str):
        if not value.strip():
            return
        if policy.is_remote(value):
            if not policy.is_safe_url(value):
                return  # a data: or script URL: HTML004's
            if directive in ("image", "figure") or what.startswith(":img"):
                yield (
                    offset,
                    "PATH002",
                    f"{what} {value!r} is on another site: every page view would ask that "
                    "site for it; put the image in docs/",
                )
            elif what in (":file:", ":diff:") or directive in ("include", "literalinclude"):
                yield (offset, "PATH002", f"{what} {value!r} is a URL: a page never fetches one")
            return
        candidates = self._candidates(value, directive)
        for path in candidates:
            why = policy.read_problem(path, self.roots)
            if why:
                yield (
                    offset,
                    "PATH001",
                    f"{what} {value!r} cannot be read: {why}; keep the files a page uses "
                    "inside docs/",
                )
                return
        copied = directive in ("image", "figure", "download") or what.startswith(":img")
        if candidates and copied:
            first = candidates[0]
            matches = sorted(first.parent.glob(first.name)) if "*" in first.name else [first]
            for path in matches:
                why = policy.active_file_problem(path, image=directive != "download")
                if why:
                    yield (offset, "PATH003", f"{what} {value!r} is refused: {why}")
                    return

    def _directive_files(
        self, name: str, argument: str, options: str, offset: int, options_offset: int
    ):
        if name in _PATH_ARGUMENT:
            yield from self._path(offset, f"{{{name}}}", argument, name)
        for option, value, start in option_items(options):
            at = options_offset + start
            if option in _URL_OPTIONS and name in ("csv-table", "raw"):
                yield (at, "PATH002", f"{{{name}}} :url: fetches {value!r}: a page never does")
            elif option in _PATH_OPTIONS:
                yield from self._path(at, f":{option}:", value, name)

    def files(self) -> Iterator[tuple[int, str, str]]:
        source = self.page.source
        for item in self.page.items:
            if isinstance(item, myst.Directive):
                body_offset = source.offset(item.body_line0)
                yield from self._directive_files(
                    item.name, item.argument, item.options, item.offset, body_offset
                )
                if item.name == "eval-rst":
                    yield from self._rst_files(item.body, body_offset)
            elif isinstance(item, myst.Link) and item.image:
                yield from self._path(item.offset, "image", item.href, "image")
            elif isinstance(item, myst.Role) and _DOWNLOAD_ROLE.match(item.name):
                target = role_text_and_target(item.content)[1]
                if not policy.is_remote(target):
                    yield from self._path(item.offset, "{download}", target, "download")

    def _rst_files(self, body: str, offset: int) -> Iterator[tuple[int, str, str]]:
        for match in _RST_DIRECTIVE.finditer(body):
            # Its options: the indented lines right after it.
            rest = body[match.end() :]
            indent = len(match.group("indent"))
            options = []
            for line in rest.split("\n")[1:]:
                if line.strip() and len(line) - len(line.lstrip()) > indent:
                    options.append(line)
                else:
                    break
            yield from self._directive_files(
                match.group("name"),
                match.group("arg"),
                "\n".join(options),
                offset + match.start("name"),
                offset + match.end() + 1,
            )

    # -- URLs, text and attributes --------------------------------------------------------

    def urls_and_text(self) -> Iterator[tuple[int, str, str]]:
        text = self.page.source.text
        # Script URLs and TeX file commands anywhere in the source: prose, a link
        # markdown-it refused (it stays text), a link title, alt text, code.
        for problem in policy.text_problems(text, markup=False):
            yield (problem.start, *text_finding(problem))
        for item in self.page.items:
            if isinstance(item, myst.Link) and not policy.is_safe_url(item.href):
                scheme = policy.url_scheme(item.href)
                found = text.lower().find(f"{scheme}:", item.offset) if scheme else -1
                yield (found if found >= 0 else item.offset, "HTML004", _url_message(scheme))
            elif isinstance(item, myst.Directive):
                offset = self.page.source.offset(item.body_line0)
                if looks_unsafe_url(item.argument):  # {button-link} URL, for one
                    scheme = policy.url_scheme(item.argument)
                    yield (text.find(item.argument, item.offset), "HTML004", _url_message(scheme))
                for _, value, start in option_items(item.options):
                    if looks_unsafe_url(value):
                        yield (offset + start, "HTML004", _url_message(policy.url_scheme(value)))
                if item.name == "eval-rst":
                    yield from self._rst_text(item.body, offset)

    def _rst_text(self, body: str, offset: int) -> Iterator[tuple[int, str, str]]:
        for match in re.finditer(r"^\s*\.\.\s+meta::", body, re.M):
            yield (
                offset + match.start(),
                "HTML001",
                "the meta directive writes <meta> tags (a refresh is a redirect): remove it",
            )

    def rst(self, text: str) -> Iterator[tuple[int, str, str]]:
        """A whole reStructuredText file, checked as an {eval-rst} body."""
        yield from self._rst_files(text, 0)
        yield from self._rst_text(text, 0)
        for problem in policy.text_problems(text, markup=False):
            yield (problem.start, *text_finding(problem))
        for match in re.finditer(r"^\s*\.\.\s+math::|:math:`", text, re.M):
            yield (match.start(), "MATH001", "maths is not rendered: write it in words")
        for match in re.finditer(r"^\s*\.\.\s+raw::", text, re.M):
            yield (match.start(), "HTML001", "the raw directive injects raw markup: remove it")

    def maths(self) -> Iterator[tuple[int, str, str]]:
        message = (
            "maths is not rendered (MathJax would load from another site on every page "
            "view): write it in words"
        )
        for item in self.page.items:
            is_math = item.name in ("math", "eq") if isinstance(item, myst.Role) else False
            if is_math or (isinstance(item, myst.Directive) and item.name == "math"):
                yield (item.offset, "MATH001", message)
            elif isinstance(item, myst.Directive) and item.name == "eval-rst":
                offset = self.page.source.offset(item.body_line0)
                for match in re.finditer(r"^\s*\.\.\s+math::|:math:`", item.body, re.M):
                    yield (offset + match.start(), "MATH001", message)

    def attributes(self) -> Iterator[tuple[int, str, str]]:
        for match in _ATTRIBUTES.finditer(self.page.source.text):
            if self.page.in_code(match.start()):
                continue
            name = match.group("name")
            yield (
                match.start("name"),
                "HTML003",
                f"attribute '{name}=' is not allowed: pages never run scripts or restyle "
                "the site; use a class",
            )


_YAML_OPTION = re.compile(r"^\s*(?P<name>[\w-]+)\s*:[ \t]*(?P<value>.*)$", re.M)


def option_items(options: str) -> Iterator[tuple[str, str, int]]:
    """(name, value, offset of the value) for a directive's options, written as
    ``:name: value`` lines or as a YAML block between ``---`` lines."""
    yaml_block = options.lstrip("\n").startswith("---")
    for match in (_YAML_OPTION if yaml_block else _OPTION).finditer(options):
        value = match.group("value").strip()
        if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        yield match.group("name"), value, match.start("value")


def looks_unsafe_url(value: str) -> bool:
    """A value written where a URL may go (a directive option, a front-matter
    string) that is a URL the policy forbids. "Note: text" is not a URL."""
    value = value.strip()
    if not value or policy.is_safe_url(value):
        return False
    return not re.search(r"\s", value) or bool(policy.text_problems(value))


def _url_message(scheme: str | None) -> str:
    what = f"'{scheme}:' URLs are" if scheme else "a URL that decodes to a script URL or markup is"
    return (
        f"{what} not allowed (and the build drops them): link to an https:// "
        "page, a mailto: or tel: address, or a page of the site"
    )


def text_finding(problem: policy.TextProblem) -> tuple[str, str]:
    if "TeX" in problem.kind:
        return (
            "TEX001",
            f"{problem.kind} {problem.snippet!r} is not allowed (it would read or write a "
            "file when the PDFs are typeset), and the build removes it",
        )
    if "script URL" in problem.kind:
        return (
            "HTML004",
            f"{problem.kind} {problem.snippet!r} is not allowed (in a link, an autolink, a "
            "reference definition or the text), and the build removes it: link to an "
            "https:// page instead",
        )
    return (
        "HTML001",
        f"{problem.kind} in the text ({problem.snippet!r}) is not allowed, and the build "
        "removes it: write plain MyST Markdown",
    )


# -- Front matter -----------------------------------------------------------------------


def _strings(value: Any, seen: set[int] | None = None) -> Iterator[str]:
    """Every string in a YAML value; a list or mapping YAML repeats through an
    alias (``*a``) is read once, so a "billion laughs" block costs nothing."""
    seen = set() if seen is None else seen
    if isinstance(value, str):
        yield value
        return
    if not isinstance(value, (dict, list, tuple)) or id(value) in seen:
        return
    seen.add(id(value))
    items = [x for kv in value.items() for x in kv] if isinstance(value, dict) else value
    for item in items:
        yield from _strings(item, seen)


def _line_of(text: str, lines: list[str], first: int, last: int) -> int | None:
    """The 1-based line, from *first* to *last*, where a value is written (a
    list item or a nested field below its key); None if not found as is."""
    probe = text.strip()[:30]
    for number in range(first, min(last, len(lines)) + 1):
        if probe and probe in lines[number - 1]:
            return number
    return None


def front_matter(
    data: dict[str, Any], key_lines: dict[str, tuple[int, int]], lines: list[str] | None = None
):
    """(line, column, code, message) for every unsafe string of a page's front
    matter, at the line where the string is written when it can be found."""
    starts = sorted(ln for ln, _ in key_lines.values())
    for key, value in data.items():
        key_line, key_column = key_lines.get(key, (1, 1))
        if key == "html_meta":
            yield (key_line, key_column, "HTML001", "html_meta writes <meta> tags: remove it")
            continue
        last = min((ln - 1 for ln in starts if ln > key_line), default=key_line + 200)
        for text in _strings(value):
            found = _line_of(text, lines or [], key_line, last)
            line, column = (found, 1) if found and found != key_line else (key_line, key_column)
            if looks_unsafe_url(text) and not policy.text_problems(text):
                yield (
                    line,
                    column,
                    "HTML004",
                    f"'{key}': " + _url_message(policy.url_scheme(text)),
                )
            for problem in policy.text_problems(text):
                code, message = text_finding(problem)
                yield (line, column, code, f"'{key}': {message}")


# -- references.bib -------------------------------------------------------------------------

_LATEX_URL = re.compile(r"\\(?:url|href)\s*\{(?P<url>[^{}]*)\}")


def bib_fields(bib: Scan) -> Iterator[tuple[int, int, str, str]]:
    """(line, column, code, message) for script URLs and markup in any bib field."""
    for entry in bib.entries:
        for item in (*entry.fields.values(), *entry.duplicate_fields):
            reasons = []
            urls = [m.group("url") for m in _LATEX_URL.finditer(item.value)]
            if item.name == "url":
                urls.append(item.value.strip("{}"))
            for url in urls:
                if not policy.is_safe_url(url):
                    scheme = policy.url_scheme(url)
                    reasons.append(f"a {scheme + ': ' if scheme else ''}URL {url!r}")
            if not reasons:
                reasons.extend(f"{p.kind} {p.snippet!r}" for p in policy.text_problems(item.value))
            if reasons:
                yield (
                    item.line,
                    item.column,
                    "BIB008",
                    f"'{entry.key}' has {reasons[0]} in its {item.name} field: bib fields may "
                    "hold only https:, http:, mailto: or tel: links and no markup; the build "
                    "drops it",
                )

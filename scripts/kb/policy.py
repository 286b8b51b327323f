"""The content-safety policy: what untrusted content may put into the output.

Pages, front matter, the glossary and references.bib come from strangers'
pull requests (SECURITY.md). This module says, once, what is allowed; the
build (:mod:`kb.sphinxext.safety` and its helpers) enforces it where content
becomes output, and ``kb check`` (:mod:`kb.lint`) reports the same things at
their file and line. Neither has rules of its own about URLs, paths or sizes.

- **URLs**: only ``https:``, ``http:``, ``mailto:``, ``tel:`` or relative. The
  scheme is read the way a browser reads it: after HTML entities are decoded,
  leading and trailing spaces and control characters stripped and tabs and
  newlines removed (WHATWG URL parsing), case-insensitively.
- **Text**: printed text holds no script URL and no TeX command that reads,
  writes or runs files; plain-text fields (front matter, bib fields) hold no
  markup that would act if any output failed to escape it (a comment,
  ``<script>``/``<style>``, ``<img onerror=...>``, ``<iframe>``): a PDF prints
  text as it is, and a reader may paste it into a browser.
- **Files**: a directive reads only regular files inside docs/ (or an
  allow-listed folder of ``kb_read_allowed`` in conf.py), after symlinks are
  resolved, of at most :data:`MAX_PAGE_BYTES`; an image or download copied
  into the site is not one a browser would run (HTML, JavaScript, an SVG with
  a script).
- **Pages**: at most :data:`MAX_PAGE_BYTES`, with a path that can be a URL.
"""

from __future__ import annotations

import html
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

#: URL schemes content may link to; anything without a scheme is relative.
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

#: Largest page (and largest file a directive may read): 1 MB. The longest
#: article is about 20 kB; a page this size is a mistake or an attack (a
#: 50 MB page takes minutes and gigabytes to build).
MAX_PAGE_BYTES = 1_000_000

#: What a dropped script URL or markup is replaced with in printed text.
REMOVED = "[removed]"

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
#: C0 controls and space: browsers strip them from both ends of a URL.
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_C0_OR_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _unescape(text: str) -> str:
    """HTML entities decoded until nothing changes (``&amp;#x61;`` too)."""
    for _ in range(5):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


def url_scheme(url: str) -> str | None:
    """The scheme a browser (or PDF viewer) would see in *url*, lower case;
    None for a relative URL."""
    text = _TAB_OR_NEWLINE.sub("", _unescape(url).strip(_C0_OR_SPACE))
    # Other invisible characters (zero-width, BOM) hide a scheme from a reader.
    text = re.sub(r"[\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]", "", text)
    match = _SCHEME.match(text)
    return match.group(1).lower() if match else None


def is_safe_url(url: str) -> bool:
    """An allowed scheme (or none), and nothing inside that reads as a script
    URL or markup once decoded: a fragment ``#&#x01;javascript:...`` or a
    DOI ending in ``"><script>`` is not a link anyone meant."""
    if url_scheme(url) not in ALLOWED_SCHEMES | {None}:
        return False
    decoded = _C0_OR_CONTROL.sub("", unquote(_unescape(url)))
    return not text_problems(decoded) and not any(c in decoded for c in '<>"`')


def is_remote(url: str) -> bool:
    """A URL that is not a path on this site (for images and file options)."""
    return url_scheme(url) is not None or _unescape(url).strip().startswith("//")


# -- Text ---------------------------------------------------------------------------

_SCRIPT_URL = (
    r"(?<![\w+.\-])(?:java|vb|live|j|ecma)script[\s\x00-\x1f]*:\S*"
    r"|(?<![\w+.\-])data[\s\x00-\x1f]*:[\w.+\-]*/[\w.+\-]*[;,]\S*"
    r"|(?<![\w+.\-])data:[;,]\S*"
    r"|(?<![\w+.\-])file:/\S*"
)
#: Markup that does something if any output ever failed to escape it: comments,
#: script-like elements with their content, elements that load, embed, submit
#: or redirect, and any tag with an event handler or a URL or style attribute.
#: Harmless tags written as text ("<b>bold</b>" in an imported page) are not.
_DANGEROUS_TAGS = (
    r"svg|math|img|image|video|audio|source|track|picture|meta|link|base|form|object|embed"
    r"|iframe|frame|frameset|applet|input|button|select|a|body|html|head|portal|template"
)
_MARKUP = (
    r"<!--.*?(?:-->|\Z)"
    # Tags as an HTML parser sees them: "<" right before the name ("a < b" is text).
    r"|<(?P<element>script|style|xmp|noscript|iframe|noembed|noframes|textarea|title)\b"
    r".*?(?:</(?P=element)\s*>|\Z)"
    rf"|</?(?:{_DANGEROUS_TAGS})\b[^<>]*>?"
    r"|</?[a-zA-Z][\w:\-]*\s[^<>]*?(?<![\w-])(?:on[a-z]+|style|src|href|action|formaction"
    r"|data|srcdoc|xlink:href)\s*=[^<>]*>?"
    r"|</(?:script|style)\b[^<>]*>?"
    r"|<!\[CDATA\[|<\?"
)
#: TeX primitives and macros that read, write or run files: text reaches the
#: PDFs through LaTeX, so none of them may appear even where it is escaped.
_TEX_FILE_COMMAND = (
    r"\\(?:input|include|includeonly|InputIfFileExists|IfFileExists|openin|openout|read"
    r"|readline|write|immediate|write18|ShellEscape|catcode|csname|verbatiminput"
    r"|lstinputlisting|inputminted|includegraphics|includepdf|directlua|luaexec)(?![a-zA-Z])"
    r"(?:\s*\[[^\[\]]*\])?(?:\s*\{[^{}]*\})?"  # and its arguments (a file name)
    # TeX reads ^^5c as a backslash: "^^5cinput" is \input in math.
    r"|\^\^(?:[0-9a-f]{2}|[\x00-\x7f])"
)
_UNSAFE_TEXT = re.compile(
    rf"(?P<url>{_SCRIPT_URL})|(?P<tex>{_TEX_FILE_COMMAND})|(?P<markup>{_MARKUP})",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class TextProblem:
    kind: str  # "script URL" or "markup"
    start: int
    end: int
    snippet: str


_SCRIPT_URL_TEXT = re.compile(
    rf"(?P<url>{_SCRIPT_URL})|(?P<tex>{_TEX_FILE_COMMAND})", re.IGNORECASE | re.DOTALL
)


def text_problems(text: str, *, markup: bool = True) -> list[TextProblem]:
    """Script URLs, TeX commands that touch files (and, unless *markup* is
    false, HTML markup) in text that will be printed or shown.

    Markup is a problem in plain-text fields (front matter, bib fields), where
    nobody means it. In a page's own text a ``\\<b>`` is written on purpose
    and the writers escape it, so pages are checked with ``markup=False``.
    """
    pattern = _UNSAFE_TEXT if markup else _SCRIPT_URL_TEXT
    found = []
    for match in pattern.finditer(text):
        kind = (
            "script URL"
            if match.group("url")
            else "TeX file command"
            if match.group("tex")
            else "markup"
        )
        snippet = " ".join(match.group(0).split())[:60]
        found.append(TextProblem(kind, match.start(), match.end(), snippet))
    if not found and "&" in text:
        # Entity-encoded ("jav&#x61;script:", "&lt;script&gt;"): decoded, it is
        # the same thing. Each line is decoded on its own, to say where it is.
        what = "script URL or markup" if markup else "script URL"
        start = 0
        for line in text.splitlines(keepends=True):
            decoded = _unescape(line)
            if decoded != line and pattern.search(decoded):
                snippet = " ".join(line.split())[:60]
                found.append(TextProblem(f"encoded {what}", start, start + len(line), snippet))
            start += len(line)
    return found


def clean_text(text: str, *, markup: bool = True) -> str:
    """*text* with every script URL (and piece of markup) replaced by :data:`REMOVED`."""
    if not text_problems(text, markup=markup):
        return text
    pattern = _UNSAFE_TEXT if markup else _SCRIPT_URL_TEXT
    cleaned = pattern.sub(REMOVED, text)
    if cleaned == text:  # only an encoded form was found
        cleaned = pattern.sub(REMOVED, _unescape(text))
    return cleaned


# -- Files ----------------------------------------------------------------------------


def resolved(path: Path | str) -> Path:
    """The real path: symlinks (and "..") resolved, as the OS opens it."""
    return Path(os.path.realpath(path))


def read_problem(path: Path | str, roots: Iterable[Path | str]) -> str | None:
    """Why a directive may not read *path* (None if it may): it must be a
    regular file, inside one of *roots* once symlinks are resolved, and at
    most :data:`MAX_PAGE_BYTES` long."""
    real = resolved(path)
    if not any(real.is_relative_to(resolved(root)) for root in roots):
        return "it is outside docs/ (and outside kb_read_allowed in conf.py)"
    try:
        info = os.stat(real)
    except OSError:
        return None  # missing: the directive reports that itself
    if not stat.S_ISREG(info.st_mode):
        return "it is not a regular file"
    if info.st_size > MAX_PAGE_BYTES:
        return f"it is over {MAX_PAGE_BYTES // 1_000_000} MB"
    return None


#: A page's path under docs/ becomes its URL: letters, digits, "-", "_" and "."
#: only (no ":" that a browser could read as a scheme, no "%", "#", "?" or space).
_SAFE_PAGE_PATH = re.compile(r"[\w][\w.\-]*(?:/[\w][\w.\-]*)*")


def page_name_problem(relative: str) -> str | None:
    """Why a page's path (relative to docs/, with "/") cannot be a page's URL."""
    if _SAFE_PAGE_PATH.fullmatch(relative):
        return None
    return (
        f"the page's path {relative!r} becomes its address: use letters, digits, '-', "
        "'_' and '.' only"
    )


def size_problem(size: int) -> str | None:
    if size > MAX_PAGE_BYTES:
        return (
            f"the page is {size / 1_000_000:.1f} MB, over the {MAX_PAGE_BYTES // 1_000_000} MB "
            "limit for a page: split it"
        )
    return None


# -- Files that would run scripts on the site -----------------------------------------------

#: Image formats a page may show (an image file is copied into the site as is).
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".pdf"})
#: Files a browser runs when opened from the site's own address.
ACTIVE_SUFFIXES = frozenset(
    {".html", ".htm", ".xhtml", ".xht", ".shtml", ".svg", ".svgz", ".xml", ".xsl", ".js", ".mjs"}
)
_ACTIVE_SVG = re.compile(
    r"<\s*script|<\s*foreignObject|<\s*(?:iframe|embed|object|handler|listener)\b"
    r"|(?<![\w-])on[a-z]+\s*=|(?:java|vb)script\s*:|data\s*:\s*text/html"
    r"|(?:xlink:)?href\s*=\s*[\"']?\s*(?:https?:)?//|url\(\s*[\"']?\s*(?:https?:)?//"
    r"|<\?xml-stylesheet|<!ENTITY",
    re.IGNORECASE,
)


def active_file_problem(path: Path | str, *, image: bool) -> str | None:
    """Why a file must not be copied into the site (None if it may be): an
    image that is not an image format, an SVG that runs scripts or loads from
    another site, or a download a browser would run (HTML, XML, JavaScript)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if image and suffix not in IMAGE_SUFFIXES:
        return f"{suffix or 'a file without a suffix'} is not an image format"
    if suffix in (".svg", ".svgz"):
        try:
            text = resolved(path).read_bytes()[:MAX_PAGE_BYTES].decode("utf-8", "replace")
        except OSError:
            return None
        if suffix == ".svgz" or _ACTIVE_SVG.search(text):
            return "the SVG holds a script, an event handler or a link to another site"
        return None
    if not image and suffix in ACTIVE_SUFFIXES:
        return f"a {suffix} file would run in the browser at the site's own address"
    return None

"""Reading a saved page: refuse what is not a text file, then clean the text.

The importer runs on files that strangers send, so it reads only what it was
asked to and only what it can: a regular file (never a symbolic link, folder,
device, FIFO or socket) of at most :data:`MAX_BYTES`, in UTF-8. Each refusal
is an :class:`~.model.ImporterError`: one line, naming the file.

The text is then made plain: line breaks of every kind become ``\\n``, HTML
entities (named and numeric) are decoded once with :func:`html.unescape`,
Unicode is normalised to NFC, and invisible format characters go.
"""

from __future__ import annotations

import errno
import hashlib
import html
import os
import re
import stat
import unicodedata
from pathlib import Path

from kb.importer import html_text
from kb.importer.model import ImporterError, Line

#: The largest file ``kb import`` reads: 1 MB (1,000,000 bytes). A saved
#: article is a few tens of kilobytes; anything much larger is not one.
MAX_BYTES = 1_000_000

# Every line break form becomes "\n"; other control characters are dropped.
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
# Invisible characters that web pages sprinkle in: zero-width spaces, word
# joiners, soft hyphens, byte-order marks, and the bidirectional controls
# that can make text display in another order than it is stored.
_INVISIBLE = re.compile(r"[\u200b\u2060\u00ad\ufeff\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)
_MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".html", ".htm")


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _refuse(path: Path, mode: int) -> ImporterError:
    return ImporterError(path, None, f"is {_kind(mode)}, not a regular file: refused")


def _os_error(path: Path, exc: OSError) -> ImporterError:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return ImporterError(path, None, "permission denied: cannot read it")
    if exc.errno == errno.ENOENT:
        return ImporterError(path, None, "no such file")
    if exc.errno == errno.ELOOP:
        return ImporterError(path, None, "is a symbolic link, not a regular file: refused")
    return ImporterError(path, None, f"cannot read it ({exc.strerror or exc})")


def read_bytes(path: Path) -> bytes:
    """The file's bytes, if it is a regular file within the size limit."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise _os_error(path, exc) from None
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(path, info.st_mode)
    if info.st_size > MAX_BYTES:
        raise _too_big(path, info.st_size)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _os_error(path, exc) from None
    try:
        info = os.fstat(fd)  # the file opened is the file checked
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(path, info.st_mode)
        chunks, size = [], 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise _os_error(path, exc) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > MAX_BYTES:
        raise _too_big(path, len(data))
    return data


def _too_big(path: Path, size: int) -> ImporterError:
    return ImporterError(
        path,
        None,
        f"is {size:,} bytes; kb import reads files of at most 1 MB ({MAX_BYTES:,} bytes): "
        "save only the article",
    )


def decode(path: Path, data: bytes, *, entities: bool = True) -> str:
    """Bytes -> clean text (ImporterError if they are not UTF-8 text)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImporterError(path, 1, "UTF-16 text: save the article as UTF-8")
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise ImporterError(path, line, "binary data (a NUL byte), not a text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImporterError(
            path,
            line,
            f"not UTF-8 text (byte 0x{data[exc.start]:02X}): save the article as UTF-8",
        ) from None
    text = _LINE_BREAKS.sub("\n", text)
    # Entities are decoded once: "&amp;amp;" on the page means the text "&amp;".
    # (A page saved as HTML is converted first: its parser decodes them.)
    if html_text.looks_like_html(text):
        text = html_text.to_markdown(text)
    elif entities:
        text = html.unescape(text)
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    text = _LINE_BREAKS.sub("\n", text)  # an entity may have been a line break
    if not text.strip():
        raise ImporterError(path, None, "the file is empty")
    controls = [i for i, c in enumerate(text) if _is_control(c)]
    if len(controls) > max(8, len(text) // 50):
        line = text.count("\n", 0, controls[0]) + 1
        raise ImporterError(path, line, "binary data (control characters), not a text file")
    return "".join(c for c in text if not _is_control(c))


def _is_control(char: str) -> bool:
    return char not in "\n\t" and unicodedata.category(char) in ("Cc", "Cs")


def lines_of(text: str) -> list[Line]:
    return [
        Line(n, " ".join(raw.split()), raw.rstrip())
        for n, raw in enumerate(text.split("\n"), start=1)
    ]


def digest(text: str) -> str:
    """The source's identity: the same article saved twice has the same digest."""
    canonical = "\n".join(" ".join(line.split()) for line in text.split("\n") if line.strip())
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def is_markdown(path: Path, text: str) -> bool:
    """A Markdown export: its name says so, or it has Markdown headings."""
    if path.suffix.lower() in _MARKDOWN_SUFFIXES or text.startswith(html_text.MARK):
        return True
    headings = _MARKDOWN_HEADING.findall(text)
    first = next((line for line in text.split("\n") if line.strip()), "")
    return len(headings) >= 2 or (bool(headings) and first.lstrip().startswith("#"))


def read(path: Path) -> tuple[str, list[Line]]:
    """A saved page's clean text and its lines."""
    text = decode(path, read_bytes(path))
    return text, lines_of(text)

"""What the PDFs print around the content, and the helpers that write it as LaTeX.

The crisis notice and the disclaimer come from :mod:`kb.notices` (their one
home); the words here are the PDFs' own: the printed-on stamp, what to do
when no online address is known, the headings a handout adds.
"""

from __future__ import annotations

import datetime as dt
import os

import segno
from sphinx.util.texescape import escape

from kb import notices
from kb.sphinxext.articles import format_date

TERMS_TITLE = "Terms used"
KEY_POINTS = "Key points"
DISCLOSURES = "Disclosures"
#: Printed on every page of a handout and on the book's cover.
STAMP = "Printed on {date}. This copy may be out of date; the online version is the current one."
#: Where to read the current version, when the site's address is known.
READ_ONLINE = "Read the current version online:"
#: ... and when it is not (no kb_base_url): say how to find it, print no address.
FIND_ONLINE = (
    "To find the current version, search the web for “{site}” and the title of this {what}."
)


def build_date() -> dt.date:
    """The day of SOURCE_DATE_EPOCH (kb build sets it from the last commit)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.datetime.now(dt.UTC).date()


def stamp(day: dt.date) -> str:
    return STAMP.format(date=format_date(day))


def page_url(base_url: str, docname: str) -> str:
    """Where a page is published: ``<kb_base_url>/<docname>.html`` ("" if unknown)."""
    if not base_url:
        return ""
    return f"{base_url.rstrip('/')}/{docname}.html"


def cmd(name: str, *args: str) -> str:
    r"""``\name{arg}...``: a LaTeX command and its arguments (LaTeX already)."""
    return "\\" + name + "".join("{" + arg + "}" for arg in args)


def tex(text: str) -> str:
    """Plain text, escaped for XeLaTeX."""
    return escape(text, "xelatex")


def crisis_text() -> str:
    """The crisis notice, its lead in bold (from kb.notices, its one home)."""
    return notices.latex_lead(notices.CRISIS_LEAD, notices.CRISIS_TEXT)


def disclaimer_text() -> str:
    """The disclaimer, its lead in bold (from kb.notices)."""
    return notices.latex_lead(notices.DISCLAIMER_LEAD, notices.DISCLAIMER_TEXT)


def pdf_string(text: str) -> str:
    """Text for a PDF info field (hyperref's ``\\hypersetup``): TeX's special
    characters escaped the way hyperref turns them back into text."""
    out = []
    for char in " ".join(text.split()):
        if char in "&%$#_{}":
            out.append("\\" + char)
        elif char in "\\~^":
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def tex_url(url: str) -> str:
    r"""A URL as a link that prefers to break before its last part (the page's
    file name) rather than after ``https:``."""
    clean = url.replace("\\", "").replace("%", r"\%").replace("#", r"\#")
    head, _slash, tail = clean.rpartition("/")
    if not head or not tail:
        return cmd("url", clean)
    return cmd(
        "href", clean, cmd("nolinkurl", head + "/") + r"\linebreak[0]" + cmd("nolinkurl", tail)
    )


def qr_picture(url: str, size: str = "2.2cm") -> str:
    """The URL's QR code as a LaTeX picture of rules: vector, and the same
    bytes for the same URL (segno's PDF output carries a creation time)."""
    qr = segno.make(url, error="m", micro=False)
    rows = [bytes(row) for row in qr.matrix]
    quiet = 4  # the quiet zone the QR standard asks for, in modules
    side = len(rows) + 2 * quiet
    out = [
        r"\begingroup" + cmd("setlength", r"\unitlength", rf"\dimexpr {size}/{side}\relax") + "%",
        cmd("begin", "picture") + f"({side},{side})%",
    ]
    for r, row in enumerate(rows):
        y = side - quiet - r - 1
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            out.append(
                f"\\put({quiet + start},{y})"
                + "{"
                + cmd("rule", rf"{c - start}\unitlength", r"\unitlength")
                + "}%"
            )
    out.append(r"\end{picture}\endgroup")
    return "\n".join(out)

"""Bylines and dates, read as the page states them.

:func:`byline` gives each name of a byline ("By Jane Doe, MD | Updated March
3, 2026" -> "Jane Doe"), without titles and qualifications, and the rest of
the line; :func:`date` reads a date in the common ways pages write one, and
only an order it can be sure of ("03/04/2026" gives the year alone).
"""

from __future__ import annotations

import re

from kb.importer.model import Dated

_I = re.IGNORECASE

_READING_TIME = re.compile(
    r"(?<!\d)\d{1,3}\s*(?:-\s*)?(?:min(?:ute)?s?\.?|分钟|分)\s*(?:read|reading|listen|阅读)"
    r"|reading\s+time\s*[:\uff1a]?\s*\d|\bread\s+time\s*[:\uff1a]?\s*\d",
    _I,
)


# -- Bylines ------------------------------------------------------------------------------

_BYLINE = re.compile(
    r"^(?:(?:by|written\s+by|words\s+by|story\s+by|reporting\s+by|posted\s+by)\s*[:\uff1a]?"
    r"|authors?\s*[:\uff1a]|author(?:s)?\s+|作者\s*[:\uff1a]?|文\s*[/\uff0f]|記者\s*[:\uff1a]?"
    r"|记者\s*[:\uff1a]?)\s*(?P<rest>[^\s:\uff1a].*)$",
    _I,
)
#: Letters after a name that are qualifications, not part of it.
_CREDENTIALS = frozenset(
    [
        "md",
        "do",
        "phd",
        "mph",
        "msc",
        "ms",
        "ma",
        "mba",
        "ba",
        "bsc",
        "bs",
        "rn",
        "np",
        "pa",
        "pa-c",
        "lcsw",
        "lpc",
        "lmft",
        "psyd",
        "pharmd",
        "dnp",
        "aprn",
        "mbbs",
        "mbchb",
        "frcp",
        "frcpsych",
        "mrcpsych",
        "frcpc",
        "facp",
        "dphil",
        "faan",
        "cns",
        "crnp",
        "ccrn",
        "facog",
        "mrcp",
        "mrcgp",
        "frcs",
        "jd",
        "edd",
        "dds",
        "dmd",
        "od",
        "dc",
        "lmhc",
        "ncc",
        "bcps",
        "rph",
        "ms.ed",
        "med",
        "msw",
        "bsn",
        "msn",
        "ccc-slp",
        "cpt",
        "cscs",
        "rdn",
        "rd",
        "ld",
        "ibclc",
        "mhs",
        "mhsc",
        "jr",
        "sr",
        "ii",
        "iii",
    ]
)
_PREFIXES = re.compile(r"^(?:dr|prof|professor|mr|mrs|ms|mx|sir|dame)\.?\s+", _I)
_ROLE_WORDS = re.compile(
    r"\b(?:reporter|writer|editor|correspondent|contributor|columnist|journalist|staff|desk"
    r"|team|newsroom|editors|editorial|producer|intern|freelance|senior|health|science|medical)\b",
    _I,
)
_PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "da",
        "di",
        "du",
        "del",
        "della",
        "la",
        "le",
        "bin",
        "ibn",
        "al",
        "el",
        "y",
        "dos",
        "das",
    ]
)
_NAME_WORD = re.compile(r"^(?:[A-Z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff][\w.'\u2019-]*|[A-Z]\.)$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def clean_name(name: str) -> str:
    """ "Dr. Jane Doe, MD" -> "Jane Doe": titles and qualifications dropped."""
    parts = [p.strip() for p in name.split(",")]
    kept = [p for p in parts if p and p.lower().replace(".", "") not in _CREDENTIALS]
    name = ", ".join(kept[:1]) if kept else ""
    words = [w for w in name.split() if w.lower().strip(".").replace(".", "") not in _CREDENTIALS]
    name = _PREFIXES.sub("", " ".join(words)).strip(" ,;")
    return name


def _is_name(name: str) -> bool:
    if _CJK.search(name):
        return len(name) <= 12 and " " not in name.strip()
    words = name.split()
    if not 1 <= len(words) <= 5:
        return False
    return all(_NAME_WORD.match(w) or w.lower() in _PARTICLES for w in words) and any(
        w[:1].isupper() for w in words
    )


_OUTLET_WORDS = re.compile(
    r"\b(?:times|news|post|journal|daily|weekly|magazine|press|media|today|review|herald"
    r"|tribune|gazette|network|wire|chronicle|observer|guardian|telegraph|monitor|report"
    r"|institute|university|hospital|clinic|foundation|association|society)\b",
    _I,
)


def outlet_like(text: str) -> bool:
    """ "The Example Times", "Example Health News": a publication, not a person."""
    return text.startswith("The ") or bool(_OUTLET_WORDS.search(text))


def byline(text: str) -> tuple[list[str], list[str]] | None:
    """A byline -> (the names as written, less titles and qualifications;
    the other parts of the line: dates, reading times, roles). None if the
    line is not a byline (say, a sentence that starts with "By")."""
    stripped = text.strip("*_ ")
    match = _BYLINE.match(stripped)
    if not match or len(stripped) > 240:
        return None
    parts = [
        p.strip()
        for p in re.split(r"\s*[|·•]\s*|\s+[\u2014\u2013]\s+|\s+-\s+", match.group("rest"))
    ]
    parts = [p for p in parts if p]
    if not parts:
        return None
    names_part, others = parts[0], parts[1:]
    # "By Jane Doe, MD, Updated March 3, 2026": a date glued on with a comma.
    glued = re.search(r",?\s+((?:published|updated|posted|last\s+updated)\b.*)$", names_part, _I)
    if glued:
        names_part, others = names_part[: glued.start()], [glued.group(1), *others]
    names_part = re.sub(r"\s+(?:and|&|with|y|und|et)\s+", ", ", names_part, flags=_I)
    names_part = re.sub(r"[;\u3001\uff0c]", ",", names_part)
    names: list[str] = []
    pieces = [p.strip() for p in names_part.split(",")]
    for n, piece in enumerate(pieces):
        if not piece or piece.lower().replace(".", "") in _CREDENTIALS:
            continue
        name = clean_name(piece)
        if not name:
            continue
        # "Jane Doe, Staff Writer" or "Jane Doe, The Example Times": after the
        # first name, a role or an outlet is not another author.
        if (n and names and (_ROLE_WORDS.search(name) or outlet_like(name))) or (
            _ROLE_WORDS.search(name) and not _is_name(name)
        ):
            others.append(piece)
            continue
        if not _is_name(name):
            return None
        names.append(name)
    if not names:
        return None
    return names, others


# -- Dates --------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "january jan",
            "february feb",
            "march mar",
            "april apr",
            "may",
            "june jun",
            "july jul",
            "august aug",
            "september sep sept",
            "october oct",
            "november nov",
            "december dec",
        ),
        start=1,
    )
    for name in names.split()
}
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|[n]d|rd|th)?"  # 1st, 2nd, 3rd, 4th
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_TIME = (
    r"(?:\s*(?:,|at|-|\u2013|\|)?\s*\d{1,2}[:.]\d\d(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?"
    r"|\s*(?:,|at)?\s*\d{1,2}\s*[ap]\.?m\.?(?:\s+[A-Z]{2,4})?)?"
)
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu(?:rs?)?|fri|sat|sun)[a-z]*\.?,?\s+)?"
_DATE_FORMS = (
    rf"{_WEEKDAY}{_MONTH}\s+{_DAY},?\s+{_YEAR}",
    rf"{_WEEKDAY}{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}",
    rf"{_MONTH},?\s+{_YEAR}",
    rf"{_YEAR}-(?P<mnum>\d\d)-(?P<dnum>\d\d)(?:T[\d:]+Z?)?",
    rf"{_YEAR}/(?P<mnum>\d\d?)/(?P<dnum>\d\d?)",
    rf"(?P<a>\d{{1,2}})[/.](?P<b>\d{{1,2}})[/.]{_YEAR}",
    rf"{_YEAR}\s*年\s*(?P<mnum>\d{{1,2}})\s*月(?:\s*(?P<dnum>\d{{1,2}})\s*日)?",
)
_KIND = (
    r"(?P<kind>(?:last\s+)?(?:updated|modified|revised)|published|posted|first\s+published"
    r"|date|dated|released|issued|更新|发布|發布|公開)?\s*(?:on\s+)?[:\uff1a]?\s*"
)
_DATES = tuple(
    re.compile(rf"^\**\s*{_KIND}(?:{form}){_TIME}\s*\**\.?$", _I) for form in _DATE_FORMS
)


def dates(text: str) -> list[Dated]:
    """A line of dates only ("Published: 2026-02-10 | Updated: 2026-02-12"), else []."""
    parts = [p for p in re.split(r"\s*[|·•]\s*", text.strip("*_ ")) if p]
    found = [date(p) for p in parts]
    if len(parts) > 1 and all(
        d is not None or _READING_TIME.search(p) for d, p in zip(found, parts, strict=True)
    ):
        return [d for d in found if d is not None]
    one = date(text)
    return [one] if one else []


def date(text: str) -> Dated | None:
    """A line (or byline part) that is a date, as the page states it."""
    stripped = text.strip()
    match = next((m for m in (p.match(stripped) for p in _DATES) if m), None)
    if not match:
        return None
    groups = {k: None for k in ("month", "day", "mnum", "dnum", "a", "b")}
    groups.update(match.groupdict())
    kind_word = (groups["kind"] or "").lower()
    kind = "updated" if re.search(r"update|modif|revis|更新", kind_word) else "published"
    year = int(groups["year"])
    month = day = None
    if groups["month"]:
        month = _MONTHS.get(groups["month"].lower().rstrip("."))
        if month is None:
            return None
        day = int(groups["day"]) if groups["day"] else None
    elif groups["mnum"]:
        month = int(groups["mnum"])
        day = int(groups["dnum"]) if groups["dnum"] else None
    else:  # 14/01/2026 or 01/14/2026: only an unambiguous order is read
        a, b = int(groups["a"]), int(groups["b"])
        if a > 12 >= b:
            day, month = a, b
        elif b > 12 >= a:
            month, day = a, b
        elif a == b:
            month = day = a
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and not 1 <= day <= 31:
        return None
    return Dated(kind, year, month, day, stripped.strip("* "))

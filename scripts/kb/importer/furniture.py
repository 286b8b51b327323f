"""Recognising page furniture and the page's facts about itself, line by line.

A saved web page wraps the article in things that are not the article: a
cookie banner, breadcrumbs, a section label, share and save buttons, an
advertisement, a newsletter box, tags, an author's bio, a comment count,
related-article lists, a copyright line. :func:`furniture` names what a line
is, so the importer can take it out and list it in the import report.

Some lines are facts about the article that belong in references.bib, not in
the page: the byline (:func:`byline`), dates (:func:`date`), the outlet
("Originally published in ...", :func:`outlet`) and a sponsorship label
(:func:`sponsorship`). They are read only as written: a name is a name on
the page, a date is a date the page states, nothing is filled in.
"""

from __future__ import annotations

import re

# Bylines and dates are read with the furniture: callers use furniture.byline etc.
from kb.importer.bylines import _READING_TIME, byline, clean_name, date, dates  # noqa: F401

_I = re.IGNORECASE


def _line(pattern: str) -> re.Pattern[str]:
    """A pattern that must match a whole line, with optional trailing punctuation."""
    return re.compile(rf"^(?:{pattern})\s*[.:!]?$", _I)


_SHARE_TARGETS = (
    r"x|twitter|linkedin|facebook|reddit|whatsapp|bluesky|threads|mastodon|pinterest"
    r"|telegram|e-?mail|flipboard|messenger|sms|copy\s+link"
)
_SHARE_PIECE = (
    r"skip\s+to\s+(?:main\s+)?content"
    rf"|share(?:\s+(?:on|to|via)\s+(?:{_SHARE_TARGETS}))?"
    r"|share\s+this(?:\s+(?:article|page|story|post))?"
    r"|sharing\s+is\s+caring!?|tweet(?:\s+this)?|pin(?:\s+it)?|post|like"
    r"|save|saved|bookmark|print|listen|gift(?:\s+(?:this\s+)?article)?|comment"
    r"|send\s+(?:via|by)\s+e-?mail"
    r"|(?:copy|copied)\s+(?:the\s+)?(?:url|link)!?"
    rf"|{_SHARE_TARGETS}"
    r"|(?:分享|分享到|转发|收藏|点赞)(?:到)?(?:微信|微博|朋友圈|QQ)?"
)
_SHARE_ROW = re.compile(rf"^(?:(?:{_SHARE_PIECE})\s*[|·•:,/]?\s*)+$", _I)


#: Whole lines that are furniture, by what they are.
_LINES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "cookie banner button",
        _line(
            r"(?:accept|allow|reject|decline|refuse)(?:\s+all)?(?:\s+cookies)?"
            r"|(?:manage|customi[sz]e|change)\s+(?:my\s+)?(?:preferences|cookies|settings|choices|options)"
            r"|cookie\s+(?:settings|preferences|policy|notice)|(?:strictly\s+)?necessary(?:\s+cookies)?\s+only"
            r"|only\s+necessary(?:\s+cookies)?|got\s+it|ok(?:ay)?|i\s+(?:agree|accept)|agree(?:\s+and\s+close)?"
            r"|privacy\s+(?:policy|settings|preferences)|do\s+not\s+sell\s+my\s+(?:personal\s+)?information"
        ),
    ),
    (
        "advertisement",
        _line(
            r"advertisement|advertising|advert|ad|ads|sponsored\s+links?|paid\s+links?"
            r"|(?:the\s+)?(?:story|article)\s+continues\s+(?:below|after)(?:\s+(?:this\s+)?(?:ad|advertisement))?"
            r"|scroll\s+(?:down\s+)?to\s+continue(?:\s+with\s+content)?|continue\s+reading\s+below"
            r"|advertise\s+with\s+us|ad\s+feedback|remove\s+ads"
        ),
    ),
    (
        "newsletter box",
        _line(
            r"(?:your\s+)?e-?mail(?:\s+address)?\*?|enter\s+your\s+e-?mail(?:\s+address)?"
            r"|sign\s*-?\s*up(?:\s+now|\s+for\s+free)?|subscribe(?:\s+now|\s+for\s+free|\s+today)?"
            r"|no\s+spam.*|unsubscribe\s+(?:at\s+)?any\s*time.*|we\s+respect\s+your\s+privacy.*"
            r"|by\s+(?:signing\s+up|subscribing|clicking).{0,160}|thanks?\s+(?:you\s+)?for\s+(?:signing\s+up|subscribing).*"
        ),
    ),
    (
        "listen or save button",
        _line(
            r"listen(?:\s+to\s+(?:this|the)\s+(?:article|story|page))?(?:\s*\(?\s*\d+\s*(?:min|minutes?|:\d\d)\s*\)?)?"
            r"|listen\s+now|play(?:\s+audio)?|audio(?:\s+version)?|pause"
            r"|save(?:\s+(?:article|story|this\s+article|for\s+later|to\s+(?:my\s+)?(?:reading\s+)?list))?"
            r"|saved|bookmark(?:\s+this)?|gift(?:\s+this)?(?:\s+article)?|print(?:\s+this\s+(?:article|page))?"
            r"|text\s+size|font\s+size|a\s*a\s*a|a-\s*a\+|download(?:\s+as)?\s+pdf|read\s+aloud"
        ),
    ),
    (
        "comment count",
        _line(
            r"comments?\s*[(\[]\s*\d+\s*[)\]]|\d+\s+(?:comments?|responses?|replies)|no\s+comments(?:\s+yet)?"
            r"|(?:view|show|read|hide|see)\s+(?:all\s+)?(?:\d+\s+)?comments|leave\s+a\s+(?:comment|reply)"
            r"|join\s+the\s+(?:discussion|conversation)|add\s+(?:a|your)\s+comment|post\s+a\s+comment"
            r"|be\s+the\s+first\s+to\s+comment.*|comments?|\U0001f4ac\s*\d+"
        ),
    ),
    (
        "press contact",
        _line(
            r"(?:media|press|news)\s+(?:contacts?|enquiries|inquiries)|contacts?\s+for\s+(?:media|press)"
            r"|#{3}|-\s*30\s*-|ends|end\s+of\s+(?:press\s+)?release"
        ),
    ),
    (
        "relative date",
        _line(
            r"(?:(?:updated|posted|published|edited)\s*:?\s*)?(?:\d+|an?|one)\s+"
            r"(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago"
            r"|(?:updated|posted|published)\s+(?:today|yesterday|just\s+now)"
        ),
    ),
    (
        "counter",
        _line(
            r"[\d,.]+\s*[km]?(?:\s+(?:followers?|likes?|claps?|views?|reads?|shares?|reactions?"
            r"|responses?|votes?|upvotes?))?|[^\w\s]{1,3}"
        ),
    ),
    (
        "paywall label",
        _line(
            r"member-only(?:\s+story)?|members?\s+only|premium|subscribers?\s+only|free\s+article"
            r"|[\u2219\u00b7\u2022]?\s*paid|unlock\s+this\s+(?:story|article)|exclusive\s+to\s+members"
            r"|you\s+have\s+\d+\s+free\s+(?:articles?|stories)\s+left.*"
        ),
    ),
    (
        "navigation",
        _line(
            r"skip\s+to\s+(?:main\s+)?(?:content|navigation)|menu|main\s+menu|search|close|home"
            r"|sign\s+in|log\s*in|register|my\s+account|back\s+to\s+top|jump\s+to(?:\s+\w+)?"
            r"|table\s+of\s+contents|contents|on\s+this\s+page|in\s+this\s+article|you\s+are\s+here"
            r"|next\s+(?:article|story|post)|previous\s+(?:article|story|post)|read\s+more|continue\s+reading"
            r"|see\s+more|load\s+more|show\s+more|view\s+more|more\s+stories"
            r"|was\s+this\s+(?:page|article)\s+helpful\??(?:\s+yes\s+no)?|yes|no|yes\s+no"
            r"|report\s+an?\s+(?:error|issue|problem|correction)|feedback|opens\s+in\s+a\s+new\s+(?:tab|window)"
            r"|follow(?:\s+us)?(?:\s+on\s+.{1,40})?|\d+\s+shares?|\u00d7"
            r"|(?:image|photo|slide)\s+\d+\s+(?:of|/)\s+\d+|click\s+to\s+(?:enlarge|expand|zoom)"
            r"|expand|collapse|view\s+(?:gallery|slideshow|image)|enlarge\s+(?:image|photo)"
        ),
    ),
)

_COOKIE = re.compile(r"\bcookies?\b", _I)
_COOKIE_CONTEXT = re.compile(
    r"\b(?:we|our|site|website|use|uses|accept|consent|preferences|settings|policy|experience|"
    r"privacy|browsing|personali[sz]e|analytics|partners)\b",
    _I,
)
# A newsletter box is a call to action: "Get our free weekly newsletter ...".
_NEWSLETTER = re.compile(
    r"^(?:subscribe|sign\s*-?\s*up|join|get|receive|stay\s+(?:informed|up\s+to\s+date|in\s+touch)"
    r"|want|never\s+miss|don'?t\s+miss|like\s+(?:this|what\s+you)|enjoy(?:ed)?\s+this|love\s+this"
    r"|be\s+the\s+first|the\s+\w+\s+newsletter|our\s+newsletter|newsletter"
    r"|thanks?\s+(?:you\s+)?for\s+reading)\b",
    _I,
)
_TAGS = re.compile(
    r"^(?:tags?|tagged(?:\s+(?:with|as))?|filed\s+under|category|categories|keywords|topics?|labels)"
    r"\s*[:\uff1a]\s*\S.{0,300}$",
    _I,
)
_BIO = re.compile(r"^(?:about\s+the\s+(?:author|authors|writer|contributor)s?)\b.*$", _I)
_CREDIT = re.compile(
    r"^\(?(?:photo(?:graph)?|image|illustration|picture|graphic|video|header\s+image|top\s+image"
    r"|main\s+image|lead\s+image|photo\s+credit|image\s+credit|credit|credits|source\s+image)"
    r"(?:\s+(?:by|courtesy\s+of|via))?\s*[:\uff1a]\s*.{1,300}$"
    r"|^\(?(?:photo(?:graph)?|image|illustration|picture)s?\s+(?:by|courtesy\s+of|via)\s+.{1,200}$",
    _I,
)
_CREDIT_ANYWHERE = re.compile(
    r"\b(?:credit|photograph|photo)\s*[:\uff1a]|\b(?:getty\s+images|shutterstock|istock(?:photo)?"
    r"|unsplash|alamy|adobe\s+stock|dreamstime|pexels)\b",
    _I,
)
_COPYRIGHT = re.compile(r"^(?:©|\(c\)\s|copyright\b)|\ball\s+rights\s+reserved\b", _I)
_REVIEW_LINE = re.compile(
    r"^\**\s*(?:(?:page|article|content|this\s+page\s+was)\s+)?(?:last\s+)?"
    r"(?:medically\s+|clinically\s+|expert\s+|fact[\s-]*)?"
    r"(?:reviewed|checked|verified)(?:\s+by\b|\s+on\b|\s*[:\uff1a]).{0,200}$"
    r"|^\**\s*next\s+review(?:\s+due)?\s*(?:on\b|[:\uff1a]).{0,100}$",
    _I,
)
_REVIEWER = re.compile(
    r"^\**\s*(?:medically|clinically|expert)\s+reviewed\s+by\s+(?P<who>[^|·•:]+?)\s*(?:[|·•]|$)",
    _I,
)

# Breadcrumbs: "Home > News > Research", "Home / Conditions / Depression".
_CRUMB = r"\s*[>\u203a\u00bb\u2192]\s*|\s+/\s+|\s+\|\s+"
_BREADCRUMB = re.compile(
    rf"^(?=.{{0,160}}$)[^>\u203a\u00bb/|]+(?:(?:{_CRUMB})[^>\u203a\u00bb/|]+)+$"
)

_SPONSOR = re.compile(
    r"^(?:"
    r"(?P<label>sponsored(?:\s+(?:content|post|article|feature|story|partner\s+content))?"
    r"|paid(?:\s+(?:content|post|partnership|promotion|feature))|advertorial|partner\s+content"
    r"|promoted(?:\s+content)?|branded\s+content|advertiser\s+content|paid\s+advertisement"
    r"|this\s+is\s+(?:a\s+)?paid\s+(?:advertisement|content|post))"
    r"(?:\s*(?:by|from|for|with|[.:|·•\u2014\u2013-])\s*(?P<who1>.{1,200}))?"
    r"|(?P<label2>sponsored\s+by|paid\s+for\s+by|presented\s+by|brought\s+to\s+you\s+by"
    r"|in\s+(?:paid\s+)?partnership\s+with|produced\s+in\s+partnership\s+with|funded\s+by)"
    r"\s+(?P<who2>.{1,80})"
    r"|this\s+(?:article|content|post|page|story|feature)\s+(?:is|was)\s+(?:sponsored|paid\s+for"
    r"|funded|produced|created|written)\s+(?:by|in\s+partnership\s+with|for)\s+(?P<who3>.{1,80})"
    r")\s*[.!]?$",
    _I,
)

_OUTLET = re.compile(
    r"^(?:this\s+(?:article|story|piece|post)\s+(?:was\s+)?)?(?:originally|first)\s+"
    r"(?:published|appeared|ran)\s+(?:in|on|at|by)\s+(?P<outlet>.+?)"
    r"(?:\s*(?:,\s*|\s+on\s+|\s+in\s+)(?P<date>(?:\w+\.?\s+)?\d{1,2}(?:st|[n]d|rd|th)?,?\s+\w+\.?,?\s+\d{4}"
    r"|\w+\.?\s+\d{1,2},?\s+\d{4}|\w+\s+\d{4}|\d{4}-\d\d-\d\d))?\s*[.!]?$"
    r"|^(?:republished|reprinted|reproduced)\s+(?:with\s+permission\s+)?(?:from|courtesy\s+of)\s+"
    r"(?P<outlet2>.+?)\s*[.!]?$",
    _I,
)


def furniture(text: str) -> str | None:
    """What a line of page furniture is ("share row", "cookie banner" ...), or None."""
    if not text:
        return None
    stripped = text.strip("*_ ")
    for what, pattern in _LINES:
        if pattern.match(stripped):
            return what
    if _SHARE_ROW.match(stripped):
        return "share row"
    short = len(stripped) <= 400
    if short and _COOKIE.search(stripped) and _COOKIE_CONTEXT.search(stripped):
        return "cookie banner"
    if (
        len(stripped) <= 220
        and _NEWSLETTER.match(stripped)
        and _sentence_count(stripped) <= 2
        and re.search(
            r"\b(?:newsletters?|inbox|e-?mails?|updates|mailing\s+list|subscrib\w*)\b", stripped, _I
        )
    ):
        return "newsletter box"
    if len(stripped) <= 120 and _READING_TIME.search(stripped):
        return "reading time"
    if _TAGS.match(stripped):
        return "tags"
    if _BIO.match(stripped):
        return "author bio"
    if len(stripped) <= 300 and (_CREDIT.match(stripped) or _credit_line(stripped)):
        return "photo credit"
    if len(stripped) <= 300 and _COPYRIGHT.search(stripped):
        return "copyright line"
    if _REVIEW_LINE.match(stripped):
        return "review line"
    return None


def standalone(text: str) -> bool:
    """A line that is never part of a wrapped paragraph: furniture or a fact line."""
    return bool(
        furniture(text)
        or byline(text)
        or dates(text)
        or sponsorship(text)
        or outlet(text)
        or breadcrumb(text)
    )


def _credit_line(text: str) -> bool:
    """A caption that ends in a credit: "A clinic waiting room. Credit: J. Doe"."""
    return (
        len(text) <= 250 and bool(_CREDIT_ANYWHERE.search(text)) and not _sentence_count(text) > 2
    )


def _sentence_count(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s|$)", text))


def reviewer(text: str) -> str:
    match = _REVIEWER.match(text.strip())
    return clean_name(match.group("who")) if match else ""


def breadcrumb(text: str) -> bool:
    """Navigation above a headline: "Home / Conditions / Depression"."""
    if not _BREADCRUMB.match(text) or text.endswith((".", "?", "!")):
        return False
    parts = [p.strip() for p in re.split(_CRUMB, text) if p.strip()]
    if any(len(p.split()) > 6 for p in parts):
        return False
    return len(parts) >= 3 or (len(parts) == 2 and parts[0].lower() in ("home", "start"))


_SECTIONS = (
    r"news|latest(?:\s+news)?|breaking(?:\s+news)?|research|science|opinion|analysis|features?"
    r"|health|mental\s+health|wellness|wellbeing|well-being|blog|explainer|explained|commentary"
    r"|perspectives?|editorial|interview|q\s*&\s*a|guides?|conditions|depression|treatments?"
    r"|exclusive|in\s+depth|long\s+read|study|studies|press\s+release|news\s+release|media\s+release"
    r"|for\s+immediate\s+release|announcement|podcast|video|update|spotlight|special\s+report"
    r"|report|first\s+person|essay|reviews?|insights?|clinical|medicine|psychiatry|patient\s+stories"
    r"|magazine|lifestyle|living|community|resources|evidence|fact\s+check|ask\s+the\s+expert"
)
_SECTION_LABEL = re.compile(
    rf"^(?:{_SECTIONS})(?:\s*[|·•/,:\u2014\u2013-]\s*(?:{_SECTIONS}|free|premium|standard|members?|"
    r"subscriber|\d+\s*min\w*(?:\s+read)?))*$",
    _I,
)


def kicker(text: str) -> bool:
    """A section or kicker label: "News", "Research · 6 min read", "MENTAL HEALTH"."""
    stripped = text.strip("*_ ")
    if _SECTION_LABEL.match(stripped) or sponsorship(stripped):
        return True
    words = stripped.split()
    letters = [c for c in stripped if c.isalpha() and c.isascii()]
    shouting = bool(letters) and all(c.isupper() for c in letters)
    return bool(shouting and len(words) <= 4 and not stripped.endswith((".", "?", "!")))


def sponsorship(text: str) -> tuple[str, str] | None:
    """A sponsorship or advertorial label: (the label as written, the sponsor if named)."""
    match = _SPONSOR.match(text.strip("*_ "))
    if not match:
        return None
    who = next((match.group(g) for g in ("who1", "who2", "who3") if match.group(g)), "")
    return text.strip("*_ "), who.strip(" .")


def outlet(text: str) -> tuple[str, str] | None:
    """ "Originally published in X (on <date>)." -> (X, the date text or "")."""
    match = _OUTLET.match(text.strip("*_ "))
    if not match:
        return None
    name = (match.group("outlet") or match.group("outlet2") or "").strip(" *_\"'\u201c\u201d")
    if not name or len(name) > 120:
        return None
    return name, match.group("date") or ""

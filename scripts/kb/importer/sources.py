"""The sources a draft cites, and the references.bib entries it adds.

Three kinds of source: the web article itself (its headline, byline, dates
and outlet as the page states them, and the digest of the saved copy), each
publication it says it reports on ("Read the original source at X."), and
each line of its own reference list. A new entry holds only what the page
states; its note says which facts the page did not state, and never claims
one is missing when the page gives it.

Keys are deterministic: words of the headline (or author, publisher) and the
year, with a letter added when the key is taken by another source ("2026b").
A headline with no Latin letters (a CJK title) takes "article", the year and
six hex digits of the copy's digest, so two such titles never share a key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb import bib
from kb.importer.model import Article, Attribution, Dated, Reference
from kb.importer.text import fold
from kb.slugs import words

#: Removed lines that label the page's kind ("Press release · 3 min read").
_LABELS = frozenset({"section label", "reading time", "above the headline"})
_PRESS_RELEASE = re.compile(
    r"\b(?:press|news|media)\s+release\b|\bfor\s+immediate\s+release\b", re.I
)

#: The most reference-list lines one import turns into entries: a page that
#: lists more is not an article's reference list (the rest become one TODO).
MAX_REFERENCES = 200
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_KEY_STOPWORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "by", "for", "from", "how", "in", "into", "is"}
    | {"it", "its", "of", "on", "or", "s", "the", "to", "what", "why", "with"}
)


@dataclass
class Source:
    key: str
    label: str  # what the summary calls it
    new_entry: str | None = None  # BibTeX text to add, if not in references.bib yet
    replaces: bool = False  # --force: the new entry replaces this key's old one
    #: The sentence that named it; None for the web article and reference-list items.
    attribution: Attribution | None = None
    reference: Reference | None = None
    missing: tuple[str, ...] = ()  # facts the page does not state


class _Taken:
    """Keys in use: the .bib's (case-insensitive) and those planned in this import."""

    def __init__(self, bibliography: bib.Bibliography, planned: set[str]):
        self.bibliography = bibliography
        self.planned = planned

    def __contains__(self, key: object) -> bool:
        return key in self.bibliography or str(key).lower() in self.planned

    def add(self, key: str) -> None:
        self.planned.add(key.lower())


def make_key(*phrases: str, max_words: int = 4) -> str:
    """A BibTeX key from words, in lowerCamelCase: "esketamineRoleTreatment"."""
    found = []
    for phrase in phrases:
        significant = [w for w in words(phrase) if w.lower() not in _KEY_STOPWORDS]
        found.extend(significant[:max_words])
    camel = "".join(
        w.lower() if i == 0 else w[:1].upper() + w[1:].lower() for i, w in enumerate(found)
    )
    return camel if camel[:1].isalpha() else ""


def free_key(base: str, taken) -> str:
    """*base*, or *base* with the first free letter b, c, ... after it."""
    if base not in taken:
        return base
    for n in range(2, 10_000):
        suffix = ""
        while n:
            n, r = divmod(n - 1, 26)
            suffix = chr(ord("a") + r) + suffix
        if base + suffix not in taken:
            return base + suffix
    raise RuntimeError("no free key")  # pragma: no cover - 10,000 entries of one headline


def same(a: str, b: str) -> bool:
    return fold(bib.plain_value(a)) == fold(bib.plain_value(b))


def main_date(article: Article) -> Dated | None:
    """The date an entry carries: the publication date, else the update."""
    dates = article.facts.dates
    return next((d for d in dates if d.kind == "published"), dates[0] if dates else None)


def article_key(article: Article) -> str:
    """The key the web article's entry would have if nothing else had it."""
    dated = main_date(article)
    year = str(dated.year) if dated else ""
    base = make_key(article.title, max_words=3)
    if not base:
        base = f"article{article.digest.removeprefix('sha256:')[:6]}"
    return f"{base}{year}"


def _date_text(dated: Dated) -> str:
    if dated.iso:
        return dated.iso
    if dated.month:
        return f"{_MONTH_NAMES[dated.month - 1]} {dated.year}"
    return dated.text


def article_fields(article: Article) -> tuple[dict[str, str], tuple[str, ...]]:
    """The web article's entry fields (only what the page states), and what it lacks."""
    facts = article.facts
    fields: dict[str, str] = {"title": article.title}
    if facts.authors:
        fields["author"] = " and ".join(facts.authors)
    outlet = facts.outlet
    if outlet and re.match(r"https?://", outlet):
        fields["url"] = outlet
    elif outlet:
        fields["howpublished"] = outlet
    dated = main_date(article)
    if dated:
        fields["year"] = str(dated.year)
        if dated.month:
            fields["month"] = _MONTH_NAMES[dated.month - 1]
        if dated.iso:
            fields["date"] = dated.iso
    missing = tuple(
        name
        for name, present in (
            ("author", "author" in fields),
            ("publisher", "howpublished" in fields),
            ("date", dated is not None),
            ("address", "url" in fields),
        )
        if not present
    )
    note = ["Web article imported with kb import"]
    if facts.byline:
        note.append(f'Byline on the page: "{facts.byline}"')
    if facts.dates:
        stated = "; ".join(f"{d.kind} {_date_text(d)} (as written: {d.text})" for d in facts.dates)
        note.append(f"Dates stated on the page: {stated}")
    if facts.outlet_line:
        note.append(f'The page says: "{facts.outlet_line}"')
    if facts.reviewed_by:
        note.append(f"The page says it was reviewed by {facts.reviewed_by}")
    if facts.copyright:
        note.append(f'Copyright line on the page: "{facts.copyright}"')
    if facts.sponsorship:
        labels = "; ".join(f'"{s}"' for s in facts.sponsorship)
        note.append(f"The page is labelled as sponsored or paid content: {labels}")
    named = ", ".join(a.publisher for a in article.attributions)
    if named:
        note.append(f"It reports on a source at {named}")
    if missing:
        note.append(f"Not stated in the saved copy: {', '.join(missing)}")
    fields["note"] = ". ".join(note)
    fields["description"] = _article_description(article, dated)
    fields["contenthash"] = article.digest
    return fields, missing


def _article_description(article: Article, dated: Dated | None) -> str:
    """What the source is, for readers, from what the page states only."""
    facts = article.facts
    kind = (
        "Press release"
        if _PRESS_RELEASE.search(" ".join(r.text for r in article.removed))
        else "Web article"
    )
    text = f"Sponsored {kind.lower()}" if facts.sponsorship else kind
    text += f" in {facts.outlet}" if facts.outlet else " (publisher not recorded)"
    if facts.authors:
        names = facts.authors
        text += " by " + (
            ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
        )
    if dated:
        when = f"{_MONTH_NAMES[dated.month - 1]} {dated.year}" if dated.month else str(dated.year)
        text += f", {'updated' if dated.kind == 'updated' else 'published'} {when}"
    named = ", ".join(a.publisher for a in article.attributions)
    if named:
        text += f", reporting on a source at {named}"
    return text


def named_source_fields(article: Article, publisher: str) -> dict[str, str]:
    return {
        "howpublished": publisher,
        "note": f'The source named by the web article "{article.title}". Its title, '
        "author, date and address are not stated there",
        "description": f"A source at {publisher}, named by a web article; its title, author "
        "and date are not recorded",
    }


def reference_fields(article: Article, ref: Reference) -> dict[str, str]:
    fields: dict[str, str] = {}
    if ref.authors:
        fields["author"] = " and ".join(ref.authors)
    if ref.title:
        fields["title"] = ref.title
    if ref.container:
        fields["howpublished"] = ref.container
    if ref.year:
        fields["year"] = ref.year
    if ref.doi:
        fields["doi"] = ref.doi
    if ref.url:
        fields["url"] = ref.url
    note = f'Listed in the reference list of the web article "{article.title}"'
    note += f'; as written there: "{ref.raw}"'
    fields["note"] = note
    fields["description"] = "Listed in the reference list of a web article, as written there"
    return fields


def reference_key(ref: Reference) -> str:
    first = ref.authors[0] if ref.authors else ref.container
    surname = (
        first.split(",")[0].split()[0] if first and "," in first else (first.split() or [""])[0]
    )
    base = make_key(surname, ref.title, max_words=2)
    return f"{base}{ref.year}" if base else make_key(ref.raw) or "reference"


def find_entry(bibliography: bib.Bibliography, matches) -> str | None:
    for key in bibliography:
        if matches(bibliography.fields(key)):
            return key
    return None


def plan_named_sources(
    article: Article, bibliography: bib.Bibliography, taken: _Taken
) -> list[Source]:
    """An entry for each publication the article says it reports on."""
    sources: list[Source] = []
    seen: set[str] = set()
    for attribution in article.attributions:
        publisher = attribution.publisher
        if fold(publisher) in seen:
            continue
        seen.add(fold(publisher))
        existing = find_entry(
            bibliography,
            lambda f, p=publisher: (
                same(f.get("howpublished", ""), p)
                and fold(bib.plain_value(article.title)) in fold(bib.plain_value(f.get("note", "")))
            ),
        )
        if existing:
            label = f"{publisher} [{existing}] (already in the .bib)"
            sources.append(Source(existing, label, attribution=attribution))
            continue
        title_part = make_key(article.title, max_words=2)
        base = (
            (make_key(publisher, max_words=3) or "source") + title_part[:1].upper() + title_part[1:]
        )
        key = free_key(base, taken)
        taken.add(key.lower())
        entry = bib.format_misc(key, named_source_fields(article, publisher))
        sources.append(
            Source(key, f"{publisher} [{key}] (new entry)", entry, attribution=attribution)
        )
    return sources


def plan_references(
    article: Article, bibliography: bib.Bibliography, taken: _Taken
) -> list[Source]:
    """An entry for each readable line of the article's reference list."""
    sources: list[Source] = []
    for ref in article.references[:MAX_REFERENCES]:
        if not ref.parsed:
            continue
        existing = None
        if ref.doi:
            existing = find_entry(
                bibliography, lambda f, d=ref.doi: f.get("doi", "").lower() == d.lower()
            )
        if existing is None and ref.title:
            existing = find_entry(bibliography, lambda f, t=ref.title: same(f.get("title", ""), t))
        if existing:
            sources.append(
                Source(existing, f"reference [{existing}] (already in the .bib)", reference=ref)
            )
            continue
        key = free_key(reference_key(ref) or "reference", taken)
        taken.add(key.lower())
        entry = bib.format_misc(key, reference_fields(article, ref))
        sources.append(Source(key, f"reference [{key}] (new entry)", entry, reference=ref))
    return sources


def taken_keys(bibliography: bib.Bibliography, also: set[str] | None = None) -> _Taken:
    return _Taken(bibliography, {k.lower() for k in also or set()})

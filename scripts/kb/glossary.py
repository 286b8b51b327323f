"""The glossary page, read as data.

``docs/glossary.md`` holds Sphinx ``glossary`` blocks in MyST syntax. Several
term lines before one indented definition are synonyms of one entry::

    :::{glossary}
    TRD
    Treatment-resistant depression
      Depression that has not improved enough after ...
    :::

The importer links terms with it, the linter checks ``{term}`` roles against
it, and the handouts print definitions from it: nobody keeps a second list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from kb import paths

_FENCE_OPEN = re.compile(r"^(?P<fence>:{3,}|`{3,})\s*\{glossary\}\s*$")
_OPTION = re.compile(r"^:[\w-]+:")
# MyST roles: {name}`text` ; a role's visible text is the part before <target>.
_ROLE = re.compile(r"\{(?P<name>[\w:-]+)\}`(?P<body>[^`]*)`")
_EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)


@dataclass(frozen=True)
class Entry:
    """One glossary entry: its terms (first is the headword) and definition."""

    terms: tuple[str, ...]
    definition: str  # MyST source, dedented
    line: int  # 1-based line of the first term

    @property
    def headword(self) -> str:
        return self.terms[0]

    @property
    def plain_definition(self) -> str:
        """The definition as plain text: roles reduced to what a reader sees."""
        return plain_text(self.definition)

    @property
    def citations(self) -> tuple[str, ...]:
        keys: list[str] = []
        for m in _ROLE.finditer(self.definition):
            if m.group("name").startswith("cite"):
                keys.extend(k.strip() for k in m.group("body").split(","))
        return tuple(keys)


def role_text_and_target(body: str) -> tuple[str, str]:
    """A role's shown text and its target: "NMDA receptors <NMDA receptor>"
    gives both parts; plain "remission" is both (whitespace folded)."""
    explicit = _EXPLICIT.match(body)
    if explicit:
        return explicit.group("text"), " ".join(explicit.group("target").split())
    text = " ".join(body.split())
    return text, text


def plain_text(source: str) -> str:
    def repl(m: re.Match[str]) -> str:
        name, body = m.group("name"), m.group("body")
        if name.startswith("cite"):
            return ""
        return role_text_and_target(body)[0]

    text = _ROLE.sub(repl, source)
    text = re.sub(r"\s+([.,;:])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def plural_forms(term: str) -> set[str]:
    """English plurals of a term's last word: receptor -> receptors, -y -> -ies."""
    head, _, last = term.rpartition(" ")
    prefix = f"{head} " if head else ""
    if not last or not last[-1].isalpha() or last.isupper():
        # Acronyms: SSRI -> SSRIs
        return {f"{term}s"} if last.isupper() else set()
    forms = set()
    lower = last.lower()
    if lower.endswith("s") and not lower.endswith("ss"):
        return set()  # "series", "diagnosis": already plural or irregular
    if lower.endswith(("ss", "x", "z", "ch", "sh")):
        forms.add(f"{prefix}{last}es")
    elif lower.endswith("y") and lower[-2:-1] not in set("aeiou"):
        forms.add(f"{prefix}{last[:-1]}ies")
    else:
        forms.add(f"{prefix}{last}s")
    return forms


@dataclass
class Glossary:
    entries: list[Entry] = field(default_factory=list)
    path: Path | None = None

    @cached_property
    def by_term(self) -> dict[str, Entry]:
        """Every term and synonym, case-folded, to its entry."""
        return {t.casefold(): e for e in self.entries for t in e.terms}

    @cached_property
    def variants(self) -> dict[str, str]:
        """Every way a term may appear in prose (case-folded) -> the term to
        link to. Includes synonyms and plurals; longest first, so that
        "NMDA receptors" wins over "receptor" when matching text."""
        found: dict[str, str] = {}
        for entry in self.entries:
            for term in entry.terms:
                for form in (term, *plural_forms(term)):
                    found.setdefault(form.casefold(), term)
        return dict(sorted(found.items(), key=lambda kv: (-len(kv[0]), kv[0])))

    def find(self, phrase: str) -> Entry | None:
        """The entry a phrase (term, synonym or plural, any case) refers to."""
        key = re.sub(r"\s+", " ", phrase).strip().casefold()
        if key in self.by_term:
            return self.by_term[key]
        target = self.variants.get(key)
        return self.by_term.get(target.casefold()) if target else None

    def __contains__(self, phrase: str) -> bool:
        return self.find(phrase) is not None


def parse(text: str, path: Path | None = None) -> Glossary:
    lines = text.lstrip("\ufeff").splitlines()
    entries: list[Entry] = []
    i = 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i].strip())
        i += 1
        if not m:
            continue
        # One glossary block: term lines, then an indented definition.
        terms: list[tuple[int, str]] = []
        body: list[str] = []
        while i < len(lines) and lines[i].strip() != m.group("fence"):
            line = lines[i]
            i += 1
            if not line.strip():
                if body:
                    body.append("")
            elif line[0].isspace():
                body.append(line)
            elif not _OPTION.match(line):
                if body:
                    entries.append(_entry(terms, body))
                    terms, body = [], []
                # "term : classifier" is Sphinx's glossary syntax; keep the term.
                terms.append((i, line.split(" : ")[0].strip()))
        if terms and body:
            entries.append(_entry(terms, body))
        i += 1
    return Glossary(entries, path)


def _entry(terms: list[tuple[int, str]], body: list[str]) -> Entry:
    return Entry(
        terms=tuple(t for _, t in terms),
        definition=_dedent(body),
        line=terms[0][0],
    )


def _dedent(body: list[str]) -> str:
    while body and not body[-1].strip():
        body.pop()
    indent = min(len(b) - len(b.lstrip()) for b in body if b.strip())
    return "\n".join(b[indent:] for b in body)


def load(path: Path | str = paths.GLOSSARY) -> Glossary:
    path = Path(path)
    return parse(path.read_text(encoding="utf-8"), path)


# -- Linking terms in imported text ---------------------------------------------------------

_HYPHENS = r"\-\u2010\u2011"
# Addresses are never linked: a term inside a URL or an e-mail address is not prose.
# (Bounded: an unbounded \S+ before "@" is quadratic on a long run of
# non-space characters, and the importer reads files of up to 1 MB.)
_PROTECTED = re.compile(r"(?:https?://|www\.)\S+|[^\s@]{1,64}@[^\s@]{1,255}\.\w+")


def _term_key(text: str) -> str:
    return re.sub(rf"[\s{_HYPHENS}]+", " ", text).casefold()


class TermLinker:
    """Links the first use of each glossary entry on a page with ``{term}``.

    Every form the glossary knows (terms, synonyms, plurals) is matched as
    whole words, longest first; hyphen and space are interchangeable. A form
    written in capitals (an acronym such as IV) only matches in capitals.
    The importer uses it; it lives here, beside the glossary it reads.
    """

    def __init__(self, glossary: Glossary | None):
        self.glossary = glossary
        self.linked: list[str] = []  # headwords, in page order
        self._done: set[str] = set()
        self._targets: dict[str, str] = {}
        alternatives: list[str] = []
        for entry in glossary.entries if glossary else []:
            for term in entry.terms:
                for form in (term, *sorted(plural_forms(term))):
                    key = _term_key(form)
                    if key in self._targets or not key.strip():
                        continue
                    self._targets[key] = term
                    words = re.split(rf"[\s{_HYPHENS}]+", form.strip())
                    body = rf"[\s{_HYPHENS}]+".join(re.escape(w) for w in words)
                    acronym = term.upper() == term and any(c.isalpha() for c in term)
                    alternatives.append(body if acronym else f"(?i:{body})")
        alternatives.sort(key=len, reverse=True)
        self._pattern = (
            re.compile(rf"(?<![\w{_HYPHENS}])(?:{'|'.join(alternatives)})(?![\w{_HYPHENS}])")
            if alternatives
            else None
        )

    def link(self, text: str) -> list[tuple[bool, str]]:
        """Split text into (is_markup, piece) with ``{term}`` roles inserted."""
        if self._pattern is None or self.glossary is None:
            return [(False, text)]
        pieces: list[tuple[bool, str]] = []
        protected = [m.span() for m in _PROTECTED.finditer(text)]
        pos = 0
        for match in self._pattern.finditer(text):
            if any(a < match.end() and match.start() < b for a, b in protected):
                continue
            term = self._targets.get(_term_key(match.group()))
            entry = self.glossary.find(term) if term else None
            if term is None or entry is None or entry.headword in self._done:
                continue
            self._done.add(entry.headword)
            self.linked.append(entry.headword)
            shown = match.group()
            role = (
                f"{{term}}`{shown}`"
                if shown.casefold() == term.casefold()
                else f"{{term}}`{shown} <{term}>`"
            )
            pieces.append((False, text[pos : match.start()]))
            pieces.append((True, role))
            pos = match.end()
        pieces.append((False, text[pos:]))
        return [(markup, piece) for markup, piece in pieces if piece]

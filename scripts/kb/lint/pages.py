"""The rules for one page: front matter, required parts, citations, glossary
terms, unsafe HTML and URLs, review dates, reading grade, links and TODO markers.

Everything knowledge-base-wide (the bib keys, the glossary, today's date) is in
a :class:`Context` built once per run, so checking a page costs one parse.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from sphinxcontrib.bibtex.citation_target import parse_citation_targets

from kb import schema
from kb.glossary import Glossary, role_text_and_target
from kb.lint import myst
from kb.lint.rules import Finding

#: Roles of sphinxcontrib-bibtex that cite ({cite:p}, {cite:t}, {footcite}, ...).
_CITE_ROLE = re.compile(r"^(?:cite|footcite)(?::\w+)?$")
_TERM_ROLES = frozenset({"term", "std:term"})

_SCRIPT = re.compile(r"<\s*script\b", re.I)
_EVENT_HANDLER = re.compile(r"<[a-z][^>]*?[\s\"'/](?P<attr>on[a-z]+)\s*=", re.I | re.S)
_SCHEMES = r"(?P<scheme>(?:javascript|vbscript|data)\s*:)"
#: Unsafe schemes where a URL is expected: a Markdown link or reference
#: definition, an autolink, an HTML attribute or a directive option.
_UNSAFE_URL = re.compile(
    r"(?:\]\(\s*<?|\]:\s*<?|<|=\s*[\"']?|^\s*:[\w-]+:\s*)\s*" + _SCHEMES, re.I | re.M
)
_TODO = re.compile(rf"\b{re.escape(schema.TODO_MARKER)}\b")

#: A review due this soon is a warning.
REVIEW_NOTICE = dt.timedelta(days=60)
#: Highest US school grade for the summary of a page for patients.
MAX_GRADE = 8.0


@dataclass
class Context:
    """What every page is checked against."""

    bib_keys: set[str]
    glossary: Glossary
    today: dt.date
    extensions: frozenset[str] = myst.DEFAULT_EXTENSIONS
    #: Every key cited on the pages checked so far (for CITE002).
    cited: set[str] = field(default_factory=set)

    @cached_property
    def keys_by_case(self) -> dict[str, str]:
        return {key.casefold(): key for key in self.bib_keys}

    @cached_property
    def term_pattern(self) -> re.Pattern[str] | None:
        """Any glossary term, synonym or plural as a whole word; longest first."""
        forms = list(self.glossary.variants)
        if not forms:
            return None
        alternation = "|".join(re.escape(form) for form in forms)
        return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", re.I)


def check_page(path: str, text: str, ctx: Context, *, is_article: bool) -> list[Finding]:
    return list(_PageCheck(path, text, ctx, is_article).run())


class _PageCheck:
    def __init__(self, path: str, text: str, ctx: Context, is_article: bool):
        self.path = path
        self.text = text
        self.ctx = ctx
        self.is_article = is_article
        self.page = myst.parse(text, ctx.extensions)
        self.cited_here: set[str] = set()

    def at(self, offset: int, code: str, message: str) -> Finding:
        line, column = self.page.source.position(offset)
        return Finding.make(self.path, line, column, code, message)

    def run(self) -> Iterator[Finding]:
        article, front = None, None
        if self.is_article:
            article, front, problems = _front_matter(self.text)
            for p in problems:
                yield Finding.make(self.path, p.line, p.column, p.code, p.message)
        yield from self.roles()
        yield from self.html()
        yield from self.links()
        yield from self.todo_markers()
        if self.is_article:
            yield from self.required_parts()
            yield from self.first_uses()
            if article is not None and front is not None:
                yield from self.article_metadata(article, front)

    # -- Citations and glossary terms ---------------------------------------------

    def roles(self) -> Iterator[Finding]:
        glossary = self.ctx.glossary
        for role in myst.items(self.page, myst.Role):
            if _CITE_ROLE.match(role.name):
                try:
                    keys = [t.key for t in parse_citation_targets(role.content)]
                except ValueError:
                    yield self.at(
                        role.offset,
                        "CITE001",
                        f"malformed citation {role.content!r}: write "
                        "{cite:p}`key` or {cite:p}`key1,key2`",
                    )
                    continue
                for key in keys:
                    self.cited_here.add(key)
                    if key in self.ctx.bib_keys:
                        continue
                    # BibTeX would accept another case; the site writes keys one way.
                    same = self.ctx.keys_by_case.get(key.casefold())
                    fix = (
                        f"write it as in references.bib, '{same}'"
                        if same
                        else "add the source there (kb import) or fix the key"
                    )
                    yield self.at(
                        role.offset,
                        "CITE001",
                        f"citation key '{key}' is not in references.bib: {fix}",
                    )
            elif role.name in _TERM_ROLES:
                target = role_text_and_target(role.content)[1]
                # The build resolves synonyms and plurals too (kb.sphinxext.glossary_links).
                if glossary.find(target) is not None:
                    continue
                hint = "add it to docs/glossary.md or link a term that is there"
                yield self.at(role.offset, "TERM001", f"'{target}' is not a glossary term: {hint}")
        self.ctx.cited |= self.cited_here

    def first_uses(self) -> Iterator[Finding]:
        """A glossary term's first appearance in an article should be a {term} link."""
        pattern, glossary = self.ctx.term_pattern, self.ctx.glossary
        if pattern is None:
            return
        seen: set[str] = set()
        for item in self.page.items:
            if isinstance(item, myst.Role) and item.name in _TERM_ROLES:
                entry = glossary.find(role_text_and_target(item.content)[1])
                if entry is not None:
                    seen.add(entry.headword)
            elif isinstance(item, myst.Text) and not item.inline.heading:
                for match in pattern.finditer(item.text):
                    words = match.group(0)
                    entry = glossary.find(words)
                    if entry is None or entry.headword in seen:
                        continue
                    seen.add(entry.headword)
                    term = glossary.variants.get(words.casefold(), entry.headword)
                    link = (
                        f"{{term}}`{words}`"
                        if words.casefold() == term.casefold()
                        else f"{{term}}`{words} <{term}>`"
                    )
                    yield self.at(
                        item.to_file(match.start()),
                        "TERM002",
                        f"first use of the glossary term '{words}' is not linked: write {link}",
                    )

    # -- Safety ------------------------------------------------------------------

    def html(self) -> Iterator[Finding]:
        for item in self.page.items:
            if isinstance(item, myst.Html):
                if not item.content.lstrip().startswith("</"):
                    yield self.at(
                        item.offset,
                        "HTML001",
                        "raw HTML is not allowed: use MyST Markdown or a directive instead",
                    )
                yield from self._dangerous(item.content, item.offset)
            elif isinstance(item, myst.Directive) and item.name in ("raw", "eval-rst"):
                if item.name == "raw" or re.search(r"^\s*\.\.\s+raw::", item.body, re.M):
                    yield self.at(
                        item.offset,
                        "HTML001",
                        f"the {{{item.name}}} directive can inject raw HTML and is not "
                        "allowed: use MyST Markdown instead",
                    )
                yield from self._dangerous(item.body, self._body_offset(item))
            elif isinstance(item, myst.Directive):
                # Options such as a card's :link: are URLs too.
                yield from self._unsafe_urls(item.options, self._body_offset(item))
            elif isinstance(item, myst.Text):
                for match in _UNSAFE_URL.finditer(item.text):
                    yield self._unsafe_url_finding(item.to_file(match.start("scheme")), match)

    def _body_offset(self, directive: myst.Directive) -> int:
        return self.page.source.offset(directive.body_line0)

    def _dangerous(self, html: str, offset: int) -> Iterator[Finding]:
        # The offset of the text in the file maps positions inside it
        # (raw HTML and directive bodies are verbatim slices of the file).
        for match in _SCRIPT.finditer(html):
            yield self.at(
                offset + match.start(),
                "HTML002",
                "<script> is not allowed: pages never run scripts; remove it",
            )
        for match in _EVENT_HANDLER.finditer(html):
            attr = match.group("attr")
            yield self.at(
                offset + match.start("attr"),
                "HTML003",
                f"inline event handler '{attr}=' is not allowed: pages never run scripts",
            )
        yield from self._unsafe_urls(html, offset)

    def _unsafe_urls(self, text: str, offset: int) -> Iterator[Finding]:
        for match in _UNSAFE_URL.finditer(text):
            yield self._unsafe_url_finding(offset + match.start("scheme"), match)

    def _unsafe_url_finding(self, offset: int, match: re.Match[str]) -> Finding:
        scheme = re.sub(r"\s", "", match.group("scheme")).lower()
        return self.at(
            offset,
            "HTML004",
            f"'{scheme}' URLs are not allowed: link to an https:// page or a page of the site",
        )

    def links(self) -> Iterator[Finding]:
        lowered = self.text.lower()
        for link in myst.items(self.page, myst.Link):
            scheme = link.href.split(":", 1)[0].strip().lower() if ":" in link.href else ""
            # Point at the URL itself, not the link text before it.
            found = lowered.find(f"{scheme}:", link.offset) if scheme else -1
            at = found if found >= 0 else link.offset
            if scheme in ("javascript", "vbscript", "data"):
                yield self.at(
                    at,
                    "HTML004",
                    f"'{scheme}:' URLs are not allowed: link to an https:// page or a page "
                    "of the site",
                )
            elif scheme == "http":
                yield self.at(
                    at,
                    "LINK001",
                    f"insecure link {link.href}: use https:// if the site offers it",
                )

    def todo_markers(self) -> Iterator[Finding]:
        for match in _TODO.finditer(self.text):
            if self.page.in_code(match.start()):
                continue
            line, _ = self.page.source.position(match.start())
            snippet = self.page.source.lines[line - 1].strip()
            if len(snippet) > 60:
                snippet = snippet[:57] + "..."
            yield self.at(
                match.start(),
                "TODO001",
                f"unfinished part ({snippet!r}): write it, then remove the "
                f"{schema.TODO_MARKER} marker",
            )

    # -- Article structure and metadata ---------------------------------------------

    def required_parts(self) -> Iterator[Finding]:
        directives = myst.items(self.page, myst.Directive)
        needed = (
            ("key-takeaway", "ADM001", "Key takeaway", "before '## References'"),
            ("evidence-note", "ADM002", "Evidence quality note", "before '## References'"),
        )
        for name, code, title, where in needed:
            found = [d for d in directives if d.name == name]
            if not found:
                yield Finding.make(
                    self.path,
                    1,
                    1,
                    code,
                    f"no {title}: add a ':::{{{name}}}' block {where}",
                )
            elif not any(d.has_content for d in found):
                yield self.at(
                    found[0].offset, code, f"the {title} is empty: write it in this block"
                )
        if not any(d.name == "bibliography" for d in directives):
            yield Finding.make(
                self.path,
                1,
                1,
                "REF001",
                "no reference list: end the article with '## References' and a "
                "':::{bibliography}' block with ':filter: docname in docnames'",
            )

    def article_metadata(
        self, article: schema.Article, front: schema.FrontMatter
    ) -> Iterator[Finding]:
        def key_at(key: str) -> tuple[int, int]:
            return front.key_lines.get(key, (1, 1))

        for key in article.sources:
            if key == schema.TODO_MARKER:  # a placeholder, reported as TODO001
                continue
            line, column = _list_item_position(self.page.source, front, "sources", key)
            if key not in self.ctx.bib_keys:
                yield Finding.make(
                    self.path,
                    line,
                    column,
                    "CITE003",
                    f"source '{key}' is not in references.bib: add it there or fix the key",
                )
            elif key not in self.cited_here:
                yield Finding.make(
                    self.path,
                    line,
                    column,
                    "CITE004",
                    f"source '{key}' is never cited on this page: cite it with "
                    f"{{cite:p}}`{key}` where it supports the text, or remove it from sources",
                )

        today = self.ctx.today
        for p in schema.review_problems(article, front, today):
            yield Finding.make(self.path, p.line, p.column, p.code, p.message)
        due = article.next_review
        if due is None:  # a draft, never reviewed: nothing is due
            pass
        elif due < today:
            yield Finding.make(
                self.path,
                *key_at("next_review"),
                "REV001",
                f"review overdue since {due.isoformat()} ({(today - due).days} days): "
                "review the page against its sources, then update last_reviewed and "
                "next_review",
            )
        elif due - today <= REVIEW_NOTICE:
            yield Finding.make(
                self.path,
                *key_at("next_review"),
                "REV002",
                f"review due on {due.isoformat()} (in {(due - today).days} days): plan the review",
            )

        if article.for_patients:
            grade = reading_grade(article.summary)
            if grade > MAX_GRADE:
                yield Finding.make(
                    self.path,
                    *key_at("summary"),
                    "READ001",
                    f"the summary reads at US grade {grade:.1f} (Flesch-Kincaid); pages "
                    f"for patients need grade {MAX_GRADE:.0f} or below: use shorter "
                    "sentences and everyday words",
                )
            else:
                yield Finding.make(
                    self.path,
                    *key_at("summary"),
                    "READ002",
                    f"the summary reads at US grade {grade:.1f} (limit {MAX_GRADE:.0f})",
                )


def reading_grade(text: str) -> float:
    import textstat  # slow to import (hyphenation dictionaries): only for patient pages

    return round(float(textstat.flesch_kincaid_grade(text)), 1)


def _front_matter(
    text: str,
) -> tuple[schema.Article | None, schema.FrontMatter | None, list[schema.Problem]]:
    try:
        front = schema.split_front_matter(text)
    except schema.FrontMatterError as exc:
        return None, None, [schema.Problem("FM000", exc.line, 1, exc.message)]
    article, problems = schema.validate(front)
    return article, front, problems


def _list_item_position(
    source: myst.Source, front: schema.FrontMatter, key: str, value: str
) -> tuple[int, int]:
    """Where a value of a front-matter list is written (else the key's position)."""
    line, column = front.key_lines.get(key, (1, 1))
    later = [ln for ln, _ in front.key_lines.values() if ln > line]
    end = min(later, default=front.body_start - 1)
    pattern = re.compile(rf"(?<![\w:-]){re.escape(value)}(?![\w:-])")
    for number in range(line, end):
        text = source.lines[number - 1] if number - 1 < len(source.lines) else ""
        # On the key's own line, look after "key:".
        match = pattern.search(text, column + len(key) if number == line else 0)
        if match:
            return number, match.start() + 1
    return line, column

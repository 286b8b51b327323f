"""references.bib cleaned where it enters the build (SECURITY.md, "URLs", "Text").

sphinxcontrib-bibtex parses the .bib files when the builder starts (its
``builder-inited`` handler) and keeps the entries in its domain's data; the
bibliography, citations, handouts and every other view of a source are
formatted from them. Right after it, every field of every entry (and every
name) is cleaned once, whatever the field is called, so that a field added
later (``description``, say) is covered too:

- ``\\url{...}`` and ``\\href{...}{...}`` with a URL the policy forbids become
  ``[removed]`` (an ``\\href`` keeps its text); a ``url`` field with such a
  URL is dropped;
- script URLs and HTML markup in the text become ``[removed]``.

Each change is a warning of type ``kb``, subtype ``unsafe-bib``, at the .bib
file and the field's line. ``kb check`` reports the same (BIB008).

This reads the domain's ``bibdata`` (sphinxcontrib-bibtex 2.x, the
``BibtexDomain.bibdata`` property); with another major version it warns and
leaves the job to the doctree passes of :mod:`kb.sphinxext.safety`, which
still drop the links and script URLs, but not markup shown as text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pybtex.database import Person
from sphinx.util import logging

from kb import bib as kb_bib
from kb import policy

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

TESTED_MAJOR_VERSIONS = ("2",)
_URL_COMMAND = re.compile(r"\\url\s*\{(?P<url>[^{}]*)\}")
_HREF_COMMAND = re.compile(r"\\href\s*\{(?P<url>[^{}]*)\}\s*\{(?P<text>[^{}]*)\}")


def clean_field(name: str, value: str) -> str | None:
    """The field's value with forbidden URLs, script URLs and markup removed
    (None: drop the field)."""
    if name.lower() == "url" and not policy.is_safe_url(value.strip("{} ")):
        return None
    value = _HREF_COMMAND.sub(
        lambda m: m.group(0) if policy.is_safe_url(m.group("url")) else m.group("text"), value
    )
    value = _URL_COMMAND.sub(
        lambda m: m.group(0) if policy.is_safe_url(m.group("url")) else policy.REMOVED, value
    )
    return policy.clean_text(value)


def _domain_data(app: Sphinx) -> Any:
    from importlib.metadata import PackageNotFoundError, version

    try:
        domain = app.env.domains["cite"]
        installed = version("sphinxcontrib-bibtex")
    except (KeyError, PackageNotFoundError):
        return None
    if installed.split(".")[0] not in TESTED_MAJOR_VERSIONS:
        logger.warning(
            "kb.sphinxext.safe_bib was tested with sphinxcontrib-bibtex %s.x, not %s: "
            "references.bib fields are not cleaned at the source",
            "/".join(TESTED_MAJOR_VERSIONS),
            installed,
            type="kb",
            subtype="unsafe-bib",
        )
        return None
    return getattr(domain, "bibdata", None)


def _field_lines(bibfiles: Any) -> dict[tuple[str, str], str]:
    """(key, field) -> "file:line", for the warnings."""
    lines = {}
    for path in bibfiles:
        scan = kb_bib.scan(Path(path))
        for entry in scan.entries:
            for item in entry.fields.values():
                lines[(entry.key.lower(), item.name)] = f"{path}:{item.line}"
            lines.setdefault((entry.key.lower(), ""), f"{path}:{entry.line}")
    return lines


#: Where the domain keeps what was removed, so that a build reusing the parsed
#: (already cleaned) files warns again, and -W still fails.
_REMOVED = "kb_removed"


def clean_bibliography(app: Sphinx) -> None:
    bibdata = _domain_data(app)
    if bibdata is None:
        return
    stamp = tuple(sorted((str(p), f.mtime) for p, f in bibdata.bibfiles.items()))
    data = app.env.domains["cite"].data
    found = _clean(bibdata)
    if found:
        data[_REMOVED] = (stamp, found)
    elif data.get(_REMOVED, (None,))[0] == stamp:
        found = data[_REMOVED][1]
    for message, where in found:
        logger.warning(message, location=where, type="kb", subtype="unsafe-bib")


def _clean(bibdata: Any) -> list[tuple[str, str | None]]:
    """Clean every entry in place; return (message, "file:line") for each change."""
    found: list[tuple[str, str | None]] = []
    lines: dict[tuple[str, str], str] | None = None
    for key, entry in bibdata.data.entries.items():
        changes: list[str] = []
        for name in list(entry.fields.keys()):
            value = str(entry.fields[name])
            cleaned = clean_field(name, value)
            if cleaned == value:
                continue
            changes.append(name.lower())
            if cleaned is None:
                del entry.fields[name]
            else:
                entry.fields[name] = cleaned
        for role, persons in entry.persons.items():
            for i, person in enumerate(persons):
                text = str(person)
                if policy.text_problems(text):
                    persons[i] = Person(policy.clean_text(text))
                    changes.append(role.lower())
        if not changes:
            continue
        if lines is None:
            lines = _field_lines(bibdata.bibfiles)
        for name in changes:
            where = lines.get((key.lower(), name)) or lines.get((key.lower(), ""))
            message = (
                "script URL, forbidden link, TeX file command or markup removed from the "
                f"{name} field of '{key}' [BIB008]"
            )
            found.append((message, where))
    return found


def refuse_symlinked_bibfiles(app: Sphinx, config: Any) -> None:
    """A .bib file that is a symlink is not read: a pull request could point it
    at any file, and a parse error would print that file's text."""
    if not getattr(config, "bibtex_bibfiles", None):
        return
    kept = []
    for name in config.bibtex_bibfiles:
        path = Path(app.confdir, name)
        if path.is_symlink():
            logger.warning(
                "%s is a symlink: it is not read [PATH001]",
                name,
                location=str(path),
                type="kb",
                subtype="unsafe-path",
            )
        else:
            kept.append(name)
    config.bibtex_bibfiles = kept


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", refuse_symlinked_bibfiles, priority=900)
    # After sphinxcontrib-bibtex has parsed the files (its handler has priority 500).
    app.connect("builder-inited", clean_bibliography, priority=600)
    return {
        "version": "1",
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }

"""No directive reads a file outside docs/ (SECURITY.md, "Files").

Every directive that reads a file is replaced by a checked subclass of itself:
``include`` (reStructuredText's ``.. include::`` inside ``{eval-rst}`` and
MyST's ``{include}``, see :mod:`kb.sphinxext.myst_adapter`), ``literalinclude``
(and its ``:diff:``), ``csv-table`` (``:file:``, ``:url:``) and ``raw``
(``:file:``, ``:url:``). Images (Markdown's ``![]()``, ``image``, ``figure``,
sphinx-design's card images) and ``{download}`` links are files too: they are
checked when the page has been read, before Sphinx notes them for copying.

A file may be read only if :func:`kb.policy.read_problem` allows it: a regular
file, at most 1 MB, inside the source folder or a folder listed in
``kb_read_allowed`` (conf.py, relative to it), once symlinks are resolved.
Fetching from a URL is never allowed. A refusal is a warning of type ``kb``,
subtype ``unsafe-path``, at the directive's file and line, so a strict build
fails; nothing is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst.directives.misc import Include as DocutilsInclude
from docutils.parsers.rst.directives.misc import Raw, adapt_path
from sphinx import addnodes
from sphinx.directives.code import LiteralInclude
from sphinx.directives.other import Include as SphinxInclude
from sphinx.directives.patches import CSVTable
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from kb import policy
from kb.sphinxext import myst_adapter

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

SUBTYPE = "unsafe-path"
URL = "reading from a URL is not allowed"


def allowed_roots(env: BuildEnvironment) -> list[Path]:
    return [Path(env.srcdir), *map(Path, env.config.kb_read_allowed)]


def _absolute_allow_list(app: Sphinx, config: Any) -> None:
    # Written relative to conf.py; kept absolute so directives need no app.
    config.kb_read_allowed = [str(Path(app.confdir, p).resolve()) for p in config.kb_read_allowed]


def refuse(location: Any, what: str, target: str, why: str, code: str = "PATH001") -> None:
    advice = {
        "PATH001": "keep the files a page uses inside docs/",
        "PATH002": "pages never fetch anything while the site is built or read",
        "PATH003": "use a PNG, JPEG or a plain SVG, and link to pages rather than HTML files",
    }[code]
    logger.warning(
        "%s %r refused: %s; %s [%s]",
        what,
        target,
        why,
        advice,
        code,
        location=location,
        type="kb",
        subtype=SUBTYPE,
    )


def may_read(directive: SphinxDirective, what: str, target: str, *paths: Path | str) -> bool:
    """Whether every candidate path of *target* may be read; warns if not."""
    if policy.is_remote(target):
        refuse(directive.get_location(), what, target, "it is a URL", "PATH002")
        return False
    roots = allowed_roots(directive.env)
    for path in paths:
        why = policy.read_problem(path, roots)
        if why:
            refuse(directive.get_location(), what, target, why)
            return False
    return True


def _docutils_paths(directive: SphinxDirective, value: str) -> list[Path]:
    """Where docutils (and Sphinx, for an absolute path) would look for *value*."""
    document = directive.state.document
    found = [
        Path(adapt_path(value, document.current_source, document.settings.root_prefix)).absolute()
    ]
    if value.startswith("/"):
        found.append(Path(directive.env.srcdir, value[1:]))
    return found


def _sphinx_paths(env: BuildEnvironment, target: str, docname: str | None = None) -> list[Path]:
    """Where Sphinx reads *target* from ("/x" is in the source folder), and, for
    an absolute path, where docutils alone would: both must be allowed, so that
    "/etc/passwd" is refused whichever reads it."""
    args = (target, docname) if docname else (target,)
    found = [Path(env.relfn2path(*args)[1])]
    if target.startswith("/"):
        found.append(Path(target))
    return found


class CheckedInclude(SphinxDirective):
    """``include``, reading only allowed files. Deliberately not a subclass of
    docutils' Include: MyST would then read the file itself, unchecked."""

    required_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar = {**DocutilsInclude.option_spec, **myst_adapter.MYST_INCLUDE_OPTIONS}

    def run(self) -> list[nodes.Node]:
        target = self.arguments[0]
        if target.startswith("<") and target.endswith(">"):
            paths = [Path(DocutilsInclude.standard_include_path, target[1:-1])]
        else:
            paths = _sphinx_paths(self.env, target)
        if not may_read(self, "include of", target, *paths):
            return []
        if myst_adapter.in_markdown(self.state):
            return myst_adapter.include(self, SphinxInclude)
        options = {k: v for k, v in self.options.items() if k in DocutilsInclude.option_spec}
        return list(
            SphinxInclude(
                self.name,
                self.arguments,
                options,
                self.content,
                self.lineno,
                self.content_offset,
                self.block_text,
                self.state,
                self.state_machine,
            ).run()
        )


class CheckedLiteralInclude(LiteralInclude):
    def run(self) -> list[nodes.Node]:
        targets = [self.arguments[0]]
        if self.options.get("diff"):
            targets.append(self.options["diff"])
        for target in targets:
            if not may_read(self, "literalinclude of", target, *_sphinx_paths(self.env, target)):
                return []
        return list(super().run())


class CheckedCSVTable(CSVTable, SphinxDirective):
    def run(self) -> list[nodes.Node]:
        if "url" in self.options:
            refuse(self.get_location(), "csv-table :url:", self.options["url"], URL, "PATH002")
            return []
        value = self.options.get("file")
        if value and not may_read(self, "csv-table :file:", value, *_docutils_paths(self, value)):
            return []
        return list(super().run())


class CheckedRaw(Raw, SphinxDirective):
    def run(self) -> list[nodes.Node]:
        if "url" in self.options:
            refuse(self.get_location(), "raw :url:", self.options["url"], URL, "PATH002")
            return []
        value = self.options.get("file")
        if value and not may_read(self, "raw :file:", value, *_docutils_paths(self, value)):
            return []
        return list(super().run())


# -- Images and downloads ------------------------------------------------------------


def check_files(app: Sphinx, doctree: nodes.document) -> None:
    """Drop images and download links to files outside docs/ (or remote images),
    before Sphinx's collectors note them for copying into the output."""
    env = app.env
    roots = allowed_roots(env)
    for image in list(doctree.findall(nodes.image)):
        uri = image.get("uri", "")
        if policy.is_remote(uri):
            refuse(
                image,
                "image",
                uri,
                "a remote or data: image is a request to another site",
                "PATH002",
            )
            image.parent.remove(image)
            continue
        problem = file_problem(_sphinx_paths(env, uri, env.docname), roots, image=True)
        if problem:
            refuse(image, "image", uri, *problem)
            image.parent.remove(image)
    for ref in list(doctree.findall(addnodes.download_reference)):
        target = ref.get("reftarget", "")
        if policy.is_remote(target):
            continue  # a link, not a file: the URL policy applies
        problem = file_problem(_sphinx_paths(env, target, env.docname), roots, image=False)
        if problem:
            refuse(ref, "download of", target, *problem)
            ref.replace_self(nodes.inline(ref.astext(), ref.astext()))


def file_problem(paths: list[Path], roots: list[Path], *, image: bool) -> tuple[str, str] | None:
    """Why an image or download may not be copied into the site, with its rule:
    it may not be read (PATH001), or it would run scripts there (PATH003), for
    every file an ``image.*`` matches."""
    first = paths[0]
    matches = sorted(first.parent.glob(first.name)) if "*" in first.name else []
    for path in [*paths, *matches]:
        why = policy.read_problem(path, roots)
        if why:
            return why, "PATH001"
    for path in matches or [first]:
        why = policy.active_file_problem(path, image=image)
        if why:
            return why, "PATH003"
    return None


def setup(app: Sphinx) -> dict[str, Any]:
    # Folders outside docs/ that pages may read from, relative to conf.py.
    app.add_config_value("kb_read_allowed", [], "env", types=[list, tuple])
    app.connect("config-inited", _absolute_allow_list)
    app.add_directive("include", CheckedInclude, override=True)
    app.add_directive("literalinclude", CheckedLiteralInclude, override=True)
    app.add_directive("csv-table", CheckedCSVTable, override=True)
    app.add_directive("raw", CheckedRaw, override=True)
    # Before the image and download collectors (priority 500).
    app.connect("doctree-read", check_files, priority=100)
    return {
        "version": "1",
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }

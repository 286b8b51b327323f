"""The one place that reaches into MyST-Parser's internals, for two reasons.

1. Includes. MyST does not run the registered ``include`` directive for
   ``{include}``: its renderer recognises any subclass of docutils' ``Include``
   and reads the file itself, in ``myst_parser.mocking.MockIncludeDirective``
   (see https://github.com/executablebooks/MyST-Parser/pull/80 and, for the
   event it later gained, https://github.com/executablebooks/MyST-Parser/issues/881).
   An override of ``include`` therefore never sees a Markdown include. The
   knowledge base's checked include (:mod:`kb.sphinxext.safe_files`) is not such
   a subclass, so MyST runs it like any directive; once the path is allowed, it
   hands over to MyST's own include here (:func:`include`). Tested with
   MyST-Parser 4 and 5: with another version, or if the class has moved, a
   Markdown include is refused with a warning rather than run unchecked.

2. Front matter, faster. MyST reads each page's front matter twice
   (``read_topmatter`` for file-level options, then ``render_front_matter``)
   with ``yaml.safe_load``, PyYAML's pure-Python parser: about 7% of a clean
   build here. MyST has no option to choose the loader (none is asked for
   upstream that we could find). On the tested release (:data:`TESTED`), the
   two places get a ``yaml`` whose ``safe_load`` parses with libyaml's
   ``CSafeLoader`` (the same safe constructor and resolver; kb.schema reads
   front matter with it already), and falls back to the pure-Python parser on
   any error, so that malformed YAML is reported exactly as upstream reports
   it. On any other release upstream's code is left alone, with a ``kb.perf``
   warning.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging

from kb.sphinxext.versions import in_series, installed_version

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

logger = logging.getLogger(__name__)


# -- 1. Includes ------------------------------------------------------------

TESTED_MAJOR_VERSIONS = ("4", "5")

#: The options MyST adds to ``include`` (mdit_to_docutils/base.py, run_directive).
MYST_INCLUDE_OPTIONS = {
    "relative-images": directives.flag,
    "relative-docs": directives.path,
    "heading-offset": directives.nonnegative_int,
}


def _mock_include() -> type | None:
    try:
        import myst_parser
        from myst_parser.mocking import MockIncludeDirective, MockState
    except ImportError:
        return None
    if myst_parser.__version__.split(".")[0] not in TESTED_MAJOR_VERSIONS:
        return None
    return MockIncludeDirective if MockState else None


def in_markdown(state: Any) -> bool:
    """Whether the directive is being run by MyST's renderer (a Markdown page)."""
    return hasattr(state, "_renderer")


def include(directive: Any, klass: type) -> list[nodes.Node]:
    """Run MyST's include for *directive* (a checked ``{include}``)."""
    mock = _mock_include()
    if mock is None:
        logger.warning(
            "this version of MyST-Parser is not one kb.sphinxext.myst_adapter was tested "
            "with (%s.x): the include is refused",
            "/".join(TESTED_MAJOR_VERSIONS),
            location=directive.get_location(),
            type="kb",
            subtype="unsafe-path",
        )
        return []
    return mock(
        directive.state._renderer,
        name=directive.name,
        klass=klass,
        arguments=directive.arguments,
        options=directive.options,
        body=list(directive.content),
        lineno=directive.lineno,
    ).run()


# -- 2. Front matter with libyaml --------------------------------------------

#: Distribution -> the release series this module is written and tested against.
TESTED = {"myst-parser": "5.2"}


def is_tested(distribution: str) -> bool:
    """True when the installed release is in the series of :data:`TESTED`."""
    return in_series(installed_version(distribution), TESTED[distribution])


def safe_load(stream: str) -> Any:
    """``yaml.safe_load`` through libyaml; the pure-Python parser on any error."""
    try:
        return yaml.load(stream, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return yaml.safe_load(stream)


#: PyYAML as MyST's modules see it: the same module but for ``safe_load``.
fast_yaml = types.SimpleNamespace(**{**vars(yaml), "safe_load": safe_load})


def read_topmatter(text: str | Iterator[str]) -> dict[str, Any] | None:
    """myst_parser.config.main.read_topmatter (5.2.0), parsing with :func:`safe_load`."""
    from myst_parser.config.main import TopmatterReadError
    from myst_parser.parsers.directives import YAML_LOAD_ERRORS

    if isinstance(text, str):
        if not text.startswith("---"):
            return None
        text = iter(text.splitlines())
    try:
        if not next(text).startswith("---"):
            return None
    except StopIteration:
        return None
    top_matter = []
    for line in text:
        if line.startswith(("---", "...")):
            break
        top_matter.append(line.rstrip() + "\n")
    try:
        metadata = safe_load("".join(top_matter))
    except YAML_LOAD_ERRORS as err:
        raise TopmatterReadError("Malformed YAML") from err
    if not isinstance(metadata, dict):
        raise TopmatterReadError(f"YAML is not a dict: {type(metadata)}")
    return metadata


def install(app: Sphinx, config: Config) -> None:
    if "myst_parser" not in app.extensions or not getattr(yaml, "__with_libyaml__", False):
        return
    import myst_parser.mdit_to_docutils.base as base
    import myst_parser.parsers.sphinx_ as sphinx_parser

    if base.yaml is fast_yaml:
        return
    if not is_tested("myst-parser"):
        logger.warning(
            "myst-parser %s is not a tested release (tested: %s.*): its front-matter "
            "parsing is left as upstream has it (pure-Python YAML, slower). Test this "
            "release and update kb.sphinxext.myst_adapter.TESTED and pyproject.toml.",
            installed_version("myst-parser"),
            TESTED["myst-parser"],
            type="kb",
            subtype="perf",
        )
        return
    base.yaml = fast_yaml
    sphinx_parser.read_topmatter = read_topmatter


def setup(app: Sphinx) -> dict[str, Any]:
    # After every extension's setup(), whatever conf.py's order.
    app.connect("config-inited", install)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

"""The one place that reaches into MyST-Parser's internals.

MyST does not run the registered ``include`` directive for ``{include}``: its
renderer recognises any subclass of docutils' ``Include`` and reads the file
itself, in ``myst_parser.mocking.MockIncludeDirective`` (see
https://github.com/executablebooks/MyST-Parser/pull/80 and, for the event it
later gained, https://github.com/executablebooks/MyST-Parser/issues/881).
An override of ``include`` therefore never sees a Markdown include. The
knowledge base's checked include (:mod:`kb.sphinxext.safe_files`) is not such
a subclass, so MyST runs it like any directive; once the path is allowed, it
hands over to MyST's own include here.

Tested with MyST-Parser 4 and 5. With another version, or if the class has
moved, a Markdown include is refused with a warning rather than run unchecked.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging

logger = logging.getLogger(__name__)

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

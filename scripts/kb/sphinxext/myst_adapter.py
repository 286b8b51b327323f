"""The one place that reaches into myst-parser's internals: libyaml for front matter.

MyST reads each page's front matter twice (``read_topmatter`` for file-level
options, then ``render_front_matter``) with ``yaml.safe_load``, PyYAML's
pure-Python parser: about 7% of a clean build here. MyST has no option to
choose the loader (none is asked for upstream that we could find). On the
tested release, the two places get a ``yaml`` whose ``safe_load`` parses with
libyaml's ``CSafeLoader`` (the same safe constructor and resolver; kb.schema
reads front matter with it already), and falls back to the pure-Python
parser on any error, so that malformed YAML is reported exactly as upstream
reports it. On any other release upstream's code is left alone, with a
``kb.perf`` warning.
"""

from __future__ import annotations

import importlib.metadata
import types
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import yaml
from sphinx.util import logging

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

logger = logging.getLogger(__name__)

#: Distribution -> the release series this module is written and tested against.
TESTED = {"myst-parser": "5.2"}


def installed_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def is_tested(distribution: str) -> bool:
    version = installed_version(distribution)
    series = TESTED[distribution]
    return version is not None and (version == series or version.startswith(series + "."))


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

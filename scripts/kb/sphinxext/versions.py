"""Which release of a package is installed, for the adapters' version checks.

Each adapter (``bibtex_adapter``, ``myst_adapter``, ``sphinx_adapter``) names the
release series it is tested against and falls back to upstream's own code,
with a ``kb.perf`` warning, on any other release.
"""

from __future__ import annotations

import importlib.metadata


def installed_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def in_series(version: str | None, series: str) -> bool:
    """``9.0.4`` is in the series ``9.0``; ``9.1.0`` and ``19.0`` are not."""
    return version is not None and (version == series or version.startswith(series + "."))

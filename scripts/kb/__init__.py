"""Tooling for the ketamine and esketamine TRD knowledge base.

One package for everything a contributor runs: the Sphinx extension, the
importer, the linter, the scaffold, the PDF handouts and the benchmark.
The ``kb`` command (``kb.cli``) is the way in.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ketamine-kb")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

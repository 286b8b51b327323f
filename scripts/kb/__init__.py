"""Tooling for the ketamine and esketamine TRD knowledge base.

One package for everything a contributor runs: the Sphinx extension, the
importer, the linter, the scaffold, the PDF handouts and the benchmark.
The ``kb`` command (``kb.cli``) is the way in.
"""

import os
import signal
import sys


def _quit_quietly(signum: int, frame: object) -> None:
    os._exit(130)  # nothing has been written yet: the shell's code for Ctrl-C


# Ctrl-C while the ``kb`` command is still importing its modules ends it at
# once, with exit code 130 and no traceback; kb.cli.main takes over from there
# (it puts Python's own handler back inside its try block). Other programs
# that import kb (Sphinx, pytest) keep their own handling.
_STARTING_KB = os.path.basename(sys.argv[0] if sys.argv else "") in ("kb", "-m")
if _STARTING_KB and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
    signal.signal(signal.SIGINT, _quit_quietly)

from importlib.metadata import PackageNotFoundError, version  # noqa: E402 - after the handler

try:
    __version__ = version("ketamine-kb")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

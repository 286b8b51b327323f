"""The ``kb`` command: one entry point for every contributor task.

Each subcommand lives in its own module and registers itself here with a
parser; ``main`` returns the exit code (0 ok, 1 failure, 2 usage error).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kb import __version__


def _add_build(sub: argparse._SubParsersAction) -> None:
    from kb import build

    p = sub.add_parser("build", help="build the site (html), the PDFs (pdf), or both (all)")
    p.add_argument("target", choices=["html", "pdf", "all"], help="what to build")
    p.add_argument(
        "--clean", action="store_true", help="start from an empty build folder for that target"
    )
    p.set_defaults(func=build.main)


#: Each adds one subcommand; later modules append to this tuple.
SUBCOMMANDS = (_add_build,)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kb",
        description="Tools for the ketamine and esketamine TRD knowledge base.",
    )
    parser.add_argument("--version", action="version", version=f"kb {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)  # exits 2 on usage errors
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

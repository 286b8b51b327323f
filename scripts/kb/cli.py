"""The ``kb`` command: one entry point for every contributor task.

Each subcommand lives in its own module and registers itself here with a
parser; ``main`` returns the exit code (0 ok, 1 failure, 2 usage error).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import kb
from kb import __version__


def _add_build(sub: argparse._SubParsersAction) -> None:
    from kb import build

    p = sub.add_parser("build", help="build the site (html), the PDFs (pdf), or both (all)")
    p.add_argument("target", choices=["html", "pdf", "all"], help="what to build")
    p.add_argument(
        "--clean", action="store_true", help="start from an empty build folder for that target"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="run Sphinx even if no input changed since the last successful HTML build",
    )
    p.add_argument(
        "--root",
        type=Path,
        default=None,
        help="the knowledge base to build (the folder holding docs/; default: this repository)",
    )
    p.set_defaults(func=build.main)


def _add_bench(sub: argparse._SubParsersAction) -> None:
    from kb import bench

    p = sub.add_parser(
        "bench",
        help="time the builds on a synthetic knowledge base of N articles (see BENCHMARKS.md)",
    )
    bench.add_arguments(p)
    p.set_defaults(func=bench.main)


def _add_check(sub: argparse._SubParsersAction) -> None:
    from kb import lint

    p = sub.add_parser(
        "check",
        help="lint the content: every finding with its rule code, location and fix",
        description="Check pages, references.bib and the glossary. Exit status: 1 if any "
        "error was found, 0 otherwise, 2 on a usage error. Never changes a file.",
    )
    lint.add_arguments(p)
    p.set_defaults(func=lint.main)


def _add_new(sub: argparse._SubParsersAction) -> None:
    from kb import scaffold

    p = sub.add_parser(
        "new",
        help="start a new article with every required part marked TODO",
    )
    scaffold.add_arguments(p)
    p.set_defaults(func=scaffold.main)


def _add_import(sub: argparse._SubParsersAction) -> None:
    from kb import importer

    p = sub.add_parser(
        "import",
        help="turn articles saved from web pages into draft pages in docs/articles/",
        description="Import articles saved as text from web pages. Each FILE becomes "
        "docs/articles/<slug>.md, and the source it names is added to references.bib. "
        "Exit status: 1 if any file could not be imported (the others are still written), "
        "2 on a usage error.",
    )
    importer.add_arguments(p)
    p.set_defaults(func=importer.main)


def _add_reviews(sub: argparse._SubParsersAction) -> None:
    from kb import reviews

    p = sub.add_parser(
        "reviews",
        help="report the articles due for review (Markdown), as of today or --today",
        description="List articles whose review is overdue or due soon, and drafts not "
        "yet reviewed. Exit status 0 (it reports; kb check enforces). Never changes a "
        "page.",
    )
    reviews.add_arguments(p)
    p.set_defaults(func=reviews.main)


def _add_serve(sub: argparse._SubParsersAction) -> None:
    from kb import serve

    p = sub.add_parser(
        "serve",
        help="live preview: rebuild in place on every change and reload the browser",
        description="Build the site, serve docs/_build/html and rebuild on every change "
        "with one Sphinx kept in memory, so a saved page is served again within a second.",
    )
    serve.add_arguments(p)
    p.set_defaults(func=serve.main)


#: Each adds one subcommand; later modules append to this tuple.
SUBCOMMANDS = (
    _add_build,
    _add_bench,
    _add_check,
    _add_new,
    _add_import,
    _add_reviews,
    _add_serve,
)


def _command_in(argv: Sequence[str]) -> str | None:
    return next((a for a in argv if not a.startswith("-")), None)


def make_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The ``kb`` parser. Given the command line, only the named subcommand is
    set up: each one imports its module, and ``kb import`` should not wait for
    Sphinx (which ``kb check`` and ``kb build`` import) before it starts."""
    wanted = _command_in(argv) if argv is not None else None
    adders = [add for add in SUBCOMMANDS if add.__name__ == f"_add_{wanted}"] or SUBCOMMANDS
    parser = argparse.ArgumentParser(
        prog="kb",
        description="Tools for the ketamine and esketamine TRD knowledge base.",
    )
    parser.add_argument("--version", action="version", version=f"kb {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in adders:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Ctrl-C at any moment, even while the parser imports a subcommand's
    # module, ends with the shell's code for it and no traceback.
    try:
        if signal.getsignal(signal.SIGINT) is kb._quit_quietly:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        argv = list(sys.argv[1:] if argv is None else argv)
        args = make_parser(argv).parse_args(argv)  # exits 2 on usage errors
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `kb import --dry-run x | head`: the reader left
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - nothing more is written
        return 0


if __name__ == "__main__":
    sys.exit(main())

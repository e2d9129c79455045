"""Entry point of the `hygiene` console command: discovers sub-commands and maps errors to exit codes."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import pkgutil
import sys

from detector.errors import EXIT_ERROR, HygieneError
from hygiene import commands
from hygiene.parsing import OneLineParser


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with every module in `hygiene.commands` as a sub-command."""
    parser = OneLineParser(
        prog="hygiene",
        description="Crawl news sites, score pages for injected tag noise and spam, store clean items.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"hygiene.commands.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one sub-command and return its exit code; errors become one line on stderr and exit code 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
        if sys.stdout is not None:
            sys.stdout.flush()
    except HygieneError as exc:
        _report(f"hygiene: error: {exc}")
        code = exc.exit_code
    except KeyboardInterrupt:
        _report("hygiene: interrupted")
        code = 130
    except BrokenPipeError:
        code = EXIT_ERROR
    except OSError as exc:
        _report(f"hygiene: error: I/O: {exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""))
        code = EXIT_ERROR
    return code


def _report(line: str) -> None:
    """An error line on stderr, unless stderr itself is closed."""
    if sys.stderr is not None:
        with contextlib.suppress(OSError):  # stderr full or gone: the exit code still tells
            print(line, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())

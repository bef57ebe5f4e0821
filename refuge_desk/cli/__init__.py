"""`refuge-desk`: the app, or an admin command (a stable interface: scripts rely on it).

Exit status: 0 success, 2 bad usage, 1 anything else with a plain sentence on stderr (never a
traceback: it may hold resident data; a redacted one goes to the log).

The commands live in one module per group (app, vault, records, users, audit, retention),
each registering its parsers with ``add_parsers``; what they share is in cli.common. Only
this module imports the groups, and none of them imports this module.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable
from pathlib import Path

from refuge_desk import __version__
from refuge_desk.cli import app, audit, records, retention, users, vault
from refuge_desk.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    PASSPHRASE_STDIN_HELP,
    Passphrases,
    say,
)
from refuge_desk.diagnostics import crash_report, logging_setup
from refuge_desk.domain import dates
from refuge_desk.domain.errors import UserError, ValidationError

__all__ = ["NO_TERMINAL", "build_parser", "guarded", "main"]

NO_TERMINAL = (
    "There is no terminal to ask for a passphrase: run this in a terminal, or give "
    "the passphrases one per line on standard input with --passphrase-stdin."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="refuge-desk",
        description="Refuge Desk: encrypted case records for women's refuges. Without a "
        f"command it starts the app. Dates are written {dates.FORMS}.",
    )
    app.add_options(parser)
    parser.add_argument(
        "--version",
        action="version",
        version=f"refuge-desk {__version__}",
        help="print the version and exit",
    )
    parser.add_argument("--passphrase-stdin", action="store_true", help=PASSPHRASE_STDIN_HELP)
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", help="an admin command (without one, the app starts)"
    )
    for group in (vault, users, records, audit, retention):
        group.add_parsers(sub)
    return parser


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command and app.chosen(args):
        parser.error(app.NOT_WITH_A_COMMAND)
    return args


# -- entry point -----------------------------------------------------------------------------
def guarded(action: Callable[[], int], log_file: Path | None) -> int:
    """Run ``action``; turn any exception into exit 1 and plain sentences on stderr."""
    try:
        return action()
    except ValidationError as exc:
        for problem in exc.problems:
            say(problem)
    except UserError as exc:
        say(str(exc))
    except (KeyboardInterrupt, EOFError):
        say("Cancelled.")
    except Exception as exc:
        logging_setup.log_unexpected(exc, "the refuge-desk command")
        report = crash_report.write_report(exc, log_file.parent) if log_file else None
        say(logging_setup.crash_message(report))
    return EXIT_FAILED


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
    try:
        args = _parse(argv)
    except SystemExit as exc:  # argparse: bad usage (2), or --help / --version (0)
        return exc.code if isinstance(exc.code, int) else (EXIT_USAGE if exc.code else EXIT_OK)
    log_file = logging_setup.configure(None)
    if not args.command:
        return guarded(lambda: app.run(args), log_file)
    asks = getattr(args, "asks_passphrase", True)
    if asks and not args.passphrase_stdin and not sys.stdin.isatty():
        say(NO_TERMINAL)
        return EXIT_USAGE
    asker = Passphrases(args.passphrase_stdin)
    return guarded(lambda: int(args.run(args, asker)), log_file)

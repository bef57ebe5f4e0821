"""`refuge-desk` without a command: the app (--vault DIR, --demo), or --self-test."""

from __future__ import annotations

import argparse
from pathlib import Path

NOT_WITH_A_COMMAND = (
    "--vault, --demo and --self-test start the app; they cannot be used with a command"
)


def add_options(parser: argparse.ArgumentParser) -> None:
    """The app's options, on the top-level parser (they exclude one another)."""
    options = parser.add_mutually_exclusive_group()
    options.add_argument(
        "--vault",
        metavar="DIR",
        help="the vault folder to open in the app (default: the one in your app-data "
        "folder); for a missing or empty folder the app sets up a new vault there, whose "
        "parent folder must exist",
    )
    options.add_argument(
        "--demo",
        action="store_true",
        help="start the app on a new throw-away vault of fictional residents",
    )
    options.add_argument(
        "--self-test", action="store_true", help="headless check that this installation works"
    )


def chosen(args: argparse.Namespace) -> bool:
    """Whether any of the app's options was given."""
    return bool(args.vault or args.demo or args.self_test)


def run(args: argparse.Namespace) -> int:
    # Imported here, not at the top: admin commands never load Qt (nor the self-test's checks).
    if args.self_test:
        from refuge_desk.services import selftest

        return selftest.run()
    from refuge_desk.app import run_gui

    if args.demo:
        return run_gui(None, True)
    return run_gui(Path(args.vault) if args.vault else None, False)

"""`refuge-desk audit verify|export`: check the audit log's hash chain, export it as CSV.

Registered by cli.build_parser with ``add_audit_parser(sub, command)``. Handlers follow cli.py:
``(args, asker) -> exit code``; errors are raised as UserError and turned into plain
sentences by cli.guarded.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from refuge_desk.services import audit

if TYPE_CHECKING:
    from refuge_desk.cli import Passphrases

EXIT_OK, EXIT_FAILED = 0, 1


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of 0 or more, not {text!r}")
    return value


def cmd_audit_verify(args: argparse.Namespace, asker: Passphrases) -> int:
    from refuge_desk import cli  # here, not at the top: cli imports this module

    with cli._signed_in(args, asker) as session:
        result = audit.verify(session, expect_at_least=args.expect_at_least)
    if not result.ok:
        print(result.message, file=sys.stderr)
        return EXIT_FAILED
    print(
        f"All {result.count:,} entries intact (newest hash {result.newest_hash}). "
        "Note the number and the hash somewhere outside this computer: removing the newest "
        "entries can only be found by comparing with them (--expect-at-least)."
    )
    return EXIT_OK


def cmd_audit_export(args: argparse.Namespace, asker: Passphrases) -> int:
    from refuge_desk import cli  # here, not at the top: cli imports this module

    out = cli._new_output_file(args.out)
    with cli._signed_in(args, asker) as session:
        written = audit.export_csv(
            session,
            out,
            reference=args.resident,
            date_from=args.start,
            date_to=args.end,
        )
    print(f"Wrote {out} ({written:,} entries; residents by reference only, not encrypted).")
    return EXIT_OK


Command = Callable[..., argparse.ArgumentParser]


def add_audit_parser(sub: Any, command: Command) -> None:
    """``sub``: the top-level subparsers; ``command``: cli.build_parser's helper
    ``command(name, run, help_text, into)``."""
    from refuge_desk import cli  # here, not at the top: cli imports this module

    group = sub.add_parser(
        "audit",
        help="check or export the audit log (managers)",
        description="check or export the audit log (managers)",
    )
    actions = group.add_subparsers(
        dest="audit_command", metavar="ACTION", required=True, help="what to do"
    )
    p = command(
        "verify",
        cmd_audit_verify,
        "check the audit log's hash chain: exit 0 if every entry is intact, 1 with the first "
        "broken link",
        actions,
    )
    p.add_argument("dir", metavar="DIR", help=cli.VAULT_DIR_HELP)
    p.add_argument("--user", required=True, metavar="MANAGER", help=cli.MANAGER_HELP)
    p.add_argument(
        "--expect-at-least",
        type=_count,
        metavar="N",
        help="the entry count noted at an earlier check: fewer means the newest were removed",
    )
    p = command(
        "export",
        cmd_audit_export,
        "write audit log entries as CSV (residents by reference only)",
        actions,
    )
    p.add_argument("dir", metavar="DIR", help=cli.VAULT_DIR_HELP)
    p.add_argument("--user", required=True, metavar="MANAGER", help=cli.MANAGER_HELP)
    p.add_argument("--out", required=True, metavar="FILE.csv", help=cli.NEW_FILE_HELP)
    p.add_argument(
        "--from",
        dest="start",
        type=cli._day,
        metavar="DATE",
        help=cli._date_help("first day (local time; default: the first entry)"),
    )
    p.add_argument(
        "--to",
        dest="end",
        type=cli._day,
        metavar="DATE",
        help=cli._date_help("last day, included (local time; default: the newest entry)"),
    )
    p.add_argument("--resident", metavar="REF", help="only entries about this reference")

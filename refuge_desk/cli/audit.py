"""`refuge-desk audit verify|export`: check the audit log (its hash chain, signatures and the
heads recorded in managers' key slots and, with --backup, in a backup), export it as CSV.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from refuge_desk.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    MANAGER_HELP,
    NEW_FILE_HELP,
    VAULT_DIR_HELP,
    Passphrases,
    Subparsers,
    command,
    count,
    date_help,
    day,
    new_output_file,
    say,
    signed_in,
)
from refuge_desk.domain.errors import UserError
from refuge_desk.services import audit
from refuge_desk.services.export import keys as backup_keys
from refuge_desk.services.export import verify as backup_verify
from refuge_desk.services.export.verify import BackupHead


def _backup_head(args: argparse.Namespace) -> BackupHead | None:
    """What the backup given with --backup recorded, read before any passphrase is asked."""
    if args.backup is None:
        return None
    identity = backup_keys.read_identity_file(Path(args.identity_file))
    return backup_verify.audit_head(Path(args.backup), identity)


def cmd_audit_verify(args: argparse.Namespace, asker: Passphrases) -> int:
    if (args.backup is None) != (args.identity_file is None):
        say(
            "--backup and --identity-file go together: the backup file, and the backup key "
            "file that opens it."
        )
        return EXIT_USAGE
    recorded = _backup_head(args)
    name = Path(args.backup).name if args.backup else ""
    with signed_in(args, asker) as session:
        if recorded is not None and not recorded.vault_ids & audit.vault_ids(session):
            raise UserError(
                f"The backup {name} is of another vault, so it says nothing about this "
                "vault's audit log."
            )
        result = audit.verify(
            session,
            expect_at_least=args.expect_at_least,
            backup_head=recorded.head if recorded is not None else None,
            backup_name=name,
        )
    if not result.ok:
        say(result.message)
        return EXIT_FAILED
    print(
        f"All {result.count:,} entries intact (newest hash {result.newest_hash}). "
        "Note the number and the hash somewhere outside this computer: removing the newest "
        "entries can only be found by comparing with them (--expect-at-least), or with a "
        "backup kept elsewhere (--backup)."
    )
    if recorded is not None and recorded.head is not None:
        print(f"The {recorded.head.count:,} entries the backup {name} recorded are all there.")
    elif recorded is not None:
        print(
            f"The backup {name} records no audit log head (it was made before keys per "
            "account), so there was nothing in it to compare."
        )
    return EXIT_OK


def cmd_audit_export(args: argparse.Namespace, asker: Passphrases) -> int:
    out = new_output_file(args.out)
    with signed_in(args, asker) as session:
        written = audit.export_csv(
            session,
            out,
            reference=args.resident,
            date_from=args.start,
            date_to=args.end,
        )
    print(f"Wrote {out} ({written:,} entries; residents by reference only, not encrypted).")
    return EXIT_OK


# -- parsing ---------------------------------------------------------------------------------
def add_parsers(sub: Subparsers) -> None:
    """Register the ``audit`` group and its actions in the top-level subparsers ``sub``."""
    group = sub.add_parser(
        "audit",
        help="check or export the audit log (managers)",
        description="check or export the audit log (managers)",
    )
    actions = group.add_subparsers(
        dest="audit_command", metavar="ACTION", required=True, help="what to do"
    )
    p = command(
        actions,
        "verify",
        cmd_audit_verify,
        "check the audit log's hash chain, signatures and recorded heads: exit 0 if every "
        "entry is intact, 1 with the first problem",
    )
    p.add_argument("dir", metavar="DIR", help=VAULT_DIR_HELP)
    p.add_argument("--user", required=True, metavar="MANAGER", help=MANAGER_HELP)
    p.add_argument(
        "--expect-at-least",
        type=count,
        metavar="N",
        help="the entry count noted at an earlier check: fewer (not counting this check's "
        "own entries) means the newest were removed",
    )
    p.add_argument(
        "--backup",
        metavar="FILE",
        help="a backup (.age) made earlier: the entries it recorded must all still be in the "
        "log (needs --identity-file)",
    )
    p.add_argument(
        "--identity-file",
        metavar="KEY",
        help="the backup key file that opens the --backup file",
    )
    p = command(
        actions,
        "export",
        cmd_audit_export,
        "write audit log entries as CSV (residents by reference only)",
    )
    p.add_argument("dir", metavar="DIR", help=VAULT_DIR_HELP)
    p.add_argument("--user", required=True, metavar="MANAGER", help=MANAGER_HELP)
    p.add_argument("--out", required=True, metavar="FILE.csv", help=NEW_FILE_HELP)
    p.add_argument(
        "--from",
        dest="start",
        type=day,
        metavar="DATE",
        help=date_help("first day (local time; default: the first entry)"),
    )
    p.add_argument(
        "--to",
        dest="end",
        type=day,
        metavar="DATE",
        help=date_help("last day, included (local time; default: the newest entry)"),
    )
    p.add_argument("--resident", metavar="REF", help="only entries about this reference")

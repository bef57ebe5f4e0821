"""`refuge-desk purge` and `refuge-desk retention due|hold`: managers' retention commands."""

from __future__ import annotations

import argparse
import sys

from refuge_desk.cli.common import (
    EXIT_OK,
    REFERENCE_HELP,
    Passphrases,
    Subparsers,
    command,
    signed_in,
    vault_and_user,
)
from refuge_desk.domain.errors import UserError
from refuge_desk.services import retention


def _typed_reference(args: argparse.Namespace, asker: Passphrases, reference: str) -> str:
    if args.confirm is not None:
        return str(args.confirm)
    prompt = f"Type the reference {reference} to delete it for good"
    if asker.from_stdin:
        return asker.ask(prompt)
    if not sys.stdin.isatty():
        raise UserError(f"Give --confirm {reference} to delete without a terminal.")
    return input(f"{prompt}: ")


def cmd_purge(args: argparse.Namespace, asker: Passphrases) -> int:
    with signed_in(args, asker) as session:
        rid = retention.id_for_reference(session, args.resident)
        reference = retention.reference_of(session, rid)
        print(retention.what_goes(session, rid))
        typed = _typed_reference(args, asker, reference)
        retention.purge(session, rid, typed)
        retention.compact(session)
    print(f"{reference} has been deleted for good.")
    return EXIT_OK


def cmd_retention_due(args: argparse.Namespace, asker: Passphrases) -> int:
    with signed_in(args, asker) as session:
        data = retention.due_list(session)
    print(
        f"Policy: {data.policy.years} years after move-on; children's records until "
        f"{data.policy.child_age}."
    )
    for title, items in (
        ("Due for deletion", data.due),
        ("Kept for a child", data.kept_for_children),
    ):
        print(f"{title}: {len(items)}")
        for d in items:
            print(f"  {d.reference}\t{d.reason}")
    print(f"On legal hold: {len(data.held)}")
    for h in data.held:
        print(f"  {h.reference}\t{h.reason}")
    if data.more:
        print(
            "More closed records are waiting than are listed: deal with these first.",
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_retention_hold(args: argparse.Namespace, asker: Passphrases) -> int:
    with signed_in(args, asker) as session:
        rid = retention.id_for_reference(session, args.resident)
        if args.lift:
            retention.lift_hold(session, rid, args.reason)
        else:
            retention.place_hold(session, rid, args.reason)
        reference = retention.reference_of(session, rid)
    print(
        f"The legal hold on {reference} is lifted."
        if args.lift
        else f"{reference} is on legal hold."
    )
    return EXIT_OK


# -- parsing ---------------------------------------------------------------------------------
def add_parsers(sub: Subparsers) -> None:
    """Register ``purge`` and the ``retention`` group in the top-level subparsers ``sub``."""
    p = command(sub, "purge", cmd_purge, "delete one resident's record for good (managers)")
    vault_and_user(p, "MANAGER")
    p.add_argument("--resident", required=True, metavar="REF", help=REFERENCE_HELP)
    p.add_argument(
        "--confirm", metavar="REF", help="her reference again, instead of typing it when asked"
    )
    group = sub.add_parser(
        "retention",
        help="records due for deletion, legal holds (managers)",
        description="records due for deletion, legal holds (managers)",
    )
    group_sub = group.add_subparsers(
        dest="retention_command", metavar="ACTION", required=True, help="what to do"
    )
    p = command(group_sub, "due", cmd_retention_due, "list records due for deletion")
    vault_and_user(p, "MANAGER")
    p = command(group_sub, "hold", cmd_retention_hold, "place or lift a legal hold")
    vault_and_user(p, "MANAGER")
    p.add_argument("--resident", required=True, metavar="REF", help=REFERENCE_HELP)
    p.add_argument(
        "--reason",
        required=True,
        metavar="TEXT",
        help="why it is placed or lifted (kept in her record's change history)",
    )
    p.add_argument("--lift", action="store_true", help="lift the hold instead of placing it")

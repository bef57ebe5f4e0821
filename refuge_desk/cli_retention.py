"""`refuge-desk purge` and `refuge-desk retention due`: managers' retention commands.

Registered by cli.build_parser through ``add_retention_parsers(sub, command)``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from refuge_desk.domain.errors import UserError
from refuge_desk.services import retention

if TYPE_CHECKING:
    from refuge_desk.cli import Passphrases

Command = Callable[..., argparse.ArgumentParser]
EXIT_OK = 0  # as cli.py: 1 (a plain sentence on stderr) comes from its guarded()


def _signed_in(args: argparse.Namespace, asker: Passphrases) -> Any:
    from refuge_desk import cli  # cli.py imports this module to register the commands

    return cli._signed_in(args, asker)


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
    with _signed_in(args, asker) as session:
        rid = retention.id_for_reference(session, args.resident)
        reference = retention.reference_of(session, rid)
        print(retention.what_goes(session, rid))
        typed = _typed_reference(args, asker, reference)
        retention.purge(session, rid, typed)
        retention.compact(session)
    print(f"{reference} has been deleted for good.")
    return EXIT_OK


def cmd_retention_due(args: argparse.Namespace, asker: Passphrases) -> int:
    with _signed_in(args, asker) as session:
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
    with _signed_in(args, asker) as session:
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


def add_retention_parsers(sub: Any, command: Command) -> None:
    """``sub``: the top-level subparsers; ``command``: build_parser's local ``command``."""
    from refuge_desk import cli  # here, not at the top: cli imports this module

    def vault_and_manager(p: argparse.ArgumentParser) -> None:
        p.add_argument("dir", metavar="DIR", help=cli.VAULT_DIR_HELP)
        p.add_argument("--user", required=True, metavar="MANAGER", help=cli.MANAGER_HELP)

    p = command("purge", cmd_purge, "delete one resident's record for good (managers)")
    vault_and_manager(p)
    p.add_argument("--resident", required=True, metavar="REF", help=cli.REFERENCE_HELP)
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
    p = command("due", cmd_retention_due, "list records due for deletion", group_sub)
    vault_and_manager(p)
    p = command("hold", cmd_retention_hold, "place or lift a legal hold", group_sub)
    vault_and_manager(p)
    p.add_argument("--resident", required=True, metavar="REF", help=cli.REFERENCE_HELP)
    p.add_argument(
        "--reason",
        required=True,
        metavar="TEXT",
        help="why it is placed or lifted (kept in her record's change history)",
    )
    p.add_argument("--lift", action="store_true", help="lift the hold instead of placing it")

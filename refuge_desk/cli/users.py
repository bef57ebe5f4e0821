"""`refuge-desk users add|list|disable|role|rekey|passphrase-seen|finish-move`: managers'
staff commands.

Disabling an account, lowering a role and "a passphrase may have been seen" change every key
of the vault (services/rekey.py): a progress line goes to standard error while that runs, only
when it is a terminal, and one sentence at the end says how long it took.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from refuge_desk.cli.common import (
    EXIT_OK,
    MANAGER_HELP,
    VAULT_DIR_HELP,
    Passphrases,
    Subparsers,
    add_passphrase_stdin,
    command,
    signed_in,
)
from refuge_desk.domain.errors import UserError
from refuge_desk.domain.roles import Role
from refuge_desk.services import key_upgrade
from refuge_desk.services import staff as staff_service
from refuge_desk.services.session import Session

Progress = Callable[[int, int], None]
PROGRESS_TEXT = "Changing every key of the vault..."
AFTER_REKEY = "her {which} and any old copy of the key file open nothing of the vault now"


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


@contextlib.contextmanager
def _progress() -> Iterator[Progress | None]:
    """A callback showing "... 42%" on one line of stderr, only if stderr is a terminal
    (a script's log gets nothing); the line is cleared at the end, however it ends."""
    stream = sys.stderr
    if not _is_terminal(stream):
        yield None
        return
    shown = [0]

    def show(done: int, total: int) -> None:
        text = f"\r{PROGRESS_TEXT} {min(100, 100 * done // max(1, total)):3d}%"
        with contextlib.suppress(OSError, ValueError):
            stream.write(text)
            stream.flush()
            shown[0] = len(text)

    try:
        yield show
    finally:
        if shown[0]:
            with contextlib.suppress(OSError, ValueError):
                stream.write("\r" + " " * shown[0] + "\r")
                stream.flush()


def _changed_keys(seconds: float, after: str) -> str:
    return f"Every key of the vault was changed in {seconds:.1f} s; {after}."


def _rekeyed(session: Session, epoch_before: int) -> bool:
    return session.keyfile.epoch > epoch_before


def cmd_users_add(args: argparse.Namespace, asker: Passphrases) -> int:
    with signed_in(args, asker) as session:
        session.require(session.role.manages_staff, "add staff")
        passphrase, confirm = asker.choose(f"Choose a passphrase for {args.new_user}")
        user = staff_service.add(
            session,
            args.new_user,
            args.full_name or args.new_user,
            Role(args.role),
            passphrase,
            confirm,
        )
    print(f"Added {user.username} ({user.role.label}).")
    return EXIT_OK


def cmd_users_list(args: argparse.Namespace, asker: Passphrases) -> int:
    with signed_in(args, asker) as session:
        session.require(session.role.manages_staff, "list the staff accounts")
        users = staff_service.list_staff(session)
        status = staff_service.status(session)
    # Staff names only: residents are never listed here.
    for user in users:
        fields = [
            user.username,
            user.full_name,
            user.role.value,
            "active" if user.active else "disabled",
        ]
        if status.get(user.id):
            fields.append(status[user.id])
        print("\t".join(fields))
    return EXIT_OK


def cmd_users_disable(args: argparse.Namespace, asker: Passphrases) -> int:
    with signed_in(args, asker) as session:
        user = staff_service.find(session, args.name)
        if not user.active:
            raise UserError(f"The account {user.username} is disabled already.")
        started = time.perf_counter()
        with _progress() as progress:
            staff_service.disable(session, user.id, progress)
        seconds = time.perf_counter() - started
    after = AFTER_REKEY.format(which="passphrase")
    print(f"{user.username} is disabled. {_changed_keys(seconds, after)}")
    return EXIT_OK


def cmd_users_role(args: argparse.Namespace, asker: Passphrases) -> int:
    role = Role(args.role)
    with signed_in(args, asker) as session:
        user = staff_service.find(session, args.name)
        if user.active and user.role is role:
            print(f"{user.username} is a {role.label.lower()} already; nothing was changed.")
            return EXIT_OK
        epoch = session.keyfile.epoch
        started = time.perf_counter()
        with _progress() as progress:
            changed = staff_service.change_role(session, user.id, role, progress)
        seconds = time.perf_counter() - started
        rekeyed = _rekeyed(session, epoch)
    said = f"{changed.username} is now a {changed.role.label.lower()}."
    if rekeyed:
        said += " " + _changed_keys(
            seconds, "the keys of her former role, and any old copy of the key file, open nothing"
        )
    print(said)
    return EXIT_OK


def cmd_users_rekey(args: argparse.Namespace, asker: Passphrases) -> int:
    with signed_in(args, asker) as session, _progress() as progress:
        seconds = staff_service.rekey_now(session, progress)
    print(_changed_keys(seconds, "any old copy of the key file opens nothing of the vault now"))
    return EXIT_OK


def cmd_users_passphrase_seen(args: argparse.Namespace, asker: Passphrases) -> int:
    with signed_in(args, asker) as session:
        user = staff_service.find(session, args.name)  # before asking: a manager, a real name
        passphrase, confirm = asker.choose(f"Choose a new passphrase for {user.username}")
        started = time.perf_counter()
        with _progress() as progress:
            staff_service.passphrase_seen(session, user.id, passphrase, confirm, progress)
        seconds = time.perf_counter() - started
    after = AFTER_REKEY.format(which="old passphrase")
    print(f"{user.username} has a new passphrase and new keys. {_changed_keys(seconds, after)}")
    return EXIT_OK


def cmd_users_finish_move(args: argparse.Namespace, asker: Passphrases) -> int:
    with signed_in(args, asker) as session:
        epoch = session.keyfile.epoch
        started = time.perf_counter()
        with _progress() as progress:
            left = key_upgrade.finish_now(session, progress)
        seconds = time.perf_counter() - started
        rekeyed = _rekeyed(session, epoch)
    if not rekeyed:
        print("This vault has no move to keys per account to finish; nothing was changed.")
        return EXIT_OK
    accounts = f"{left} account{'' if left == 1 else 's'}"
    print(
        "The move to keys per account is finished. "
        + _changed_keys(
            seconds,
            f"{accounts} now need{'s' if left == 1 else ''} a new passphrase from a manager "
            "(refuge-desk users list shows which; reset them on the Staff page)",
        )
    )
    return EXIT_OK


# -- parsing ---------------------------------------------------------------------------------
def add_parsers(sub: Subparsers) -> None:
    """Register the ``users`` group and its actions in the top-level subparsers ``sub``."""
    users = sub.add_parser("users", help="staff accounts", description="staff accounts")
    add_passphrase_stdin(users)
    users_sub = users.add_subparsers(
        dest="users_command", metavar="ACTION", required=True, help="what to do"
    )

    def vault(p: argparse.ArgumentParser) -> None:
        p.add_argument("dir", metavar="DIR", help=VAULT_DIR_HELP)

    def manager(p: argparse.ArgumentParser) -> None:
        p.add_argument("--user", required=True, metavar="MANAGER", help=MANAGER_HELP)

    p = command(users_sub, "add", cmd_users_add, "add a staff account (managers)")
    vault(p)
    p.add_argument("new_user", metavar="NEW_USER", help="the new account's user name")
    p.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in Role],
        help="what she may do: manager, worker (a support worker) or volunteer",
    )
    manager(p)
    p.add_argument(
        "--full-name", metavar="NAME", help="the new person's full name (default: NEW_USER)"
    )

    name_help = "the account's user name"
    p = command(
        users_sub,
        "list",
        cmd_users_list,
        "list the staff accounts: user name, full name, role, active or disabled, and what "
        "an account needs (managers)",
    )
    vault(p)
    manager(p)

    p = command(
        users_sub,
        "disable",
        cmd_users_disable,
        "disable a staff account; every key of the vault is changed, so her passphrase and "
        "old copies of the key file open nothing (managers)",
    )
    vault(p)
    p.add_argument("name", metavar="NAME", help=name_help)
    manager(p)

    p = command(
        users_sub,
        "role",
        cmd_users_role,
        "change an account's role; lowering it changes every key of the vault (managers)",
    )
    vault(p)
    p.add_argument("name", metavar="NAME", help=name_help)
    p.add_argument(
        "role",
        choices=[r.value for r in Role],
        metavar="|".join(r.value for r in Role),
        help="the new role: manager, worker (a support worker) or volunteer",
    )
    manager(p)

    p = command(
        users_sub,
        "rekey",
        cmd_users_rekey,
        "change every key of the vault now (managers)",
    )
    vault(p)
    manager(p)

    p = command(
        users_sub,
        "passphrase-seen",
        cmd_users_passphrase_seen,
        "her passphrase may have been seen: give her a new one (asked twice) and new keys, "
        "and change every key of the vault (managers)",
    )
    vault(p)
    p.add_argument("name", metavar="NAME", help=name_help)
    manager(p)

    p = command(
        users_sub,
        "finish-move",
        cmd_users_finish_move,
        "finish a 0.1 vault's move to keys per account now: accounts that have not signed in "
        "since need a new passphrase from a manager (managers)",
    )
    vault(p)
    manager(p)

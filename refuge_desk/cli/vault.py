"""`refuge-desk init|import-residents|check|seed|backup|verify-backup|restore|backup-key|
recover`: making a vault, filling and checking it, its backups and its backup key, and the
recovery key."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import secrets
from pathlib import Path

from refuge_desk.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    NEW_VAULT_HELP,
    USER_HELP,
    VAULT_DIR_HELP,
    Passphrases,
    Subparsers,
    command,
    count,
    existing_vault,
    say,
    signed_in,
    vault_and_user,
)
from refuge_desk.domain import dates
from refuge_desk.domain.errors import UserError, WrongCredentials
from refuge_desk.services import auth, check, demo, importer
from refuge_desk.services.export import backup as backup_service
from refuge_desk.services.export import keys as backup_keys
from refuge_desk.services.export import restore as restore_service
from refuge_desk.services.export import verify as verify_service
from refuge_desk.store.vault import VaultFolder

RECOVERY_ADVICE = (
    "Write this recovery key down on paper now and keep it in the office safe. "
    "It is shown only this once, and it is the only way back in if every "
    "manager forgets her passphrase."
)
BACKUP_KEY_ADVICE = (
    "This is the secret backup key: backups can only be opened with it. Print it or write it "
    "on the recovery sheet now and keep it in the office safe with the recovery key. It is "
    "not kept on this computer and is shown only this once."
)
BACKUP_KEY_FILE_ADVICE = (
    "The secret backup key is in {path} (readable by you only). Print it or copy it onto the "
    "recovery sheet, keep it in the office safe, then delete the file from this computer."
)


def cmd_init(args: argparse.Namespace, asker: Passphrases) -> int:
    folder = VaultFolder(Path(args.dir))
    folder.check_new()  # before any question; creating the vault checks again, under the lock
    identity, public = _backup_pair(args)
    identity_out = Path(args.identity_out) if args.identity_out else None
    done = wrote_key = False
    try:
        passphrase, confirm = asker.choose(f"Choose a passphrase for {args.user}")
        org = auth.Organisation(args.org, args.refuge, args.refuge_address or "")
        if identity_out is not None:
            backup_keys.write_identity_file(identity_out, identity, dt.datetime.now(dt.UTC))
            wrote_key = True
        session, recovery_key = auth.setup_vault(
            folder, org, args.user, args.full_name or "", passphrase, confirm
        )
        try:
            backup_keys.set_recipient(session, public)
        finally:
            auth.lock(session)
        done = True
    finally:
        folder.release()
        if not done and identity_out is not None and wrote_key:
            with contextlib.suppress(OSError):
                identity_out.unlink()
    print(f"Vault created in {folder.path} with manager {args.user.strip()}.")
    print()
    print(f"    Recovery key: {recovery_key}")
    print()
    print(RECOVERY_ADVICE)
    _print_backup_key(identity, identity_out)
    return EXIT_OK


def _backup_pair(args: argparse.Namespace) -> tuple[str, str]:
    """(secret identity or "" for a key made elsewhere, public key), checked before any change."""
    if args.backup_recipient:
        return "", str(backup_keys.parse_recipient(args.backup_recipient))
    if args.identity_out:
        backup_keys.check_new_key_file(Path(args.identity_out))
    return backup_keys.new_identity()


def _print_backup_key(identity: str, identity_out: Path | None) -> None:
    print()
    if not identity:
        print("Backups will be encrypted to the backup public key you gave.")
    elif identity_out is not None:
        print(BACKUP_KEY_FILE_ADVICE.format(path=identity_out))
    else:
        print(f"    Backup key: {identity}")
        print()
        print(BACKUP_KEY_ADVICE)


def cmd_backup_key(args: argparse.Namespace, asker: Passphrases) -> int:
    identity, public = _backup_pair(args)
    identity_out = Path(args.identity_out) if args.identity_out else None
    with signed_in(args, asker) as session:
        session.require(session.role.manages_settings, "change the backup key")
        if identity_out is not None:
            backup_keys.write_identity_file(identity_out, identity, session.now())
        try:
            backup_keys.set_recipient(session, public)
        except BaseException:
            if identity_out is not None:
                with contextlib.suppress(OSError):
                    identity_out.unlink()
            raise
    print(f"New backups of this vault will be encrypted to {public}.")
    _print_backup_key(identity, identity_out)
    return EXIT_OK


def cmd_backup(args: argparse.Namespace, asker: Passphrases) -> int:
    to = Path(args.to) if args.to else None
    with signed_in(args, asker) as session:
        result = backup_service.make_backup(session, to)
    print(result.path)
    return EXIT_OK


def cmd_verify_backup(args: argparse.Namespace, asker: Passphrases) -> int:
    identity = backup_keys.read_identity_file(Path(args.identity_file))
    problems = verify_service.verify_backup(Path(args.file), identity)
    for problem in problems:
        say(problem)
    if not problems:
        print("ok")
    return EXIT_FAILED if problems else EXIT_OK


def cmd_restore(args: argparse.Namespace, asker: Passphrases) -> int:
    identity = backup_keys.read_identity_file(Path(args.identity_file))
    passphrase, confirm = asker.choose(f"Choose a passphrase for {args.user}")
    result = restore_service.restore(
        Path(args.file),
        identity,
        Path(args.new_dir),
        args.user,
        args.full_name or "",
        passphrase,
        confirm,
    )
    rows = sum(result.rows.values())
    print(f"Restored {rows} rows into a new vault in {result.folder}.")
    print(f"{args.user.strip()} is its manager. Other staff accounts: {result.disabled_staff},")
    print("disabled until a manager resets their passphrases on the Staff page.")
    print()
    print(f"    Recovery key: {result.recovery_key}")
    print()
    print(RECOVERY_ADVICE)
    return EXIT_OK


def cmd_import(args: argparse.Namespace, asker: Passphrases) -> int:
    csv_path = Path(args.file)
    if not csv_path.is_file():
        raise UserError(f"The file {csv_path} does not exist.")
    with signed_in(args, asker) as session:
        imported = importer.import_file(session, csv_path)
    # The CSV line and the new reference only: terminals keep scrollback, so never a name.
    for item in imported:
        print(f"line {item.line}: {item.reference}")
        print("".join(f"  check: {w}\n" for w in item.warnings), end="")  # letters, no names
    print(f"Imported {len(imported)} resident{'' if len(imported) == 1 else 's'}.")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, asker: Passphrases) -> int:
    with existing_vault(args.dir) as folder:
        problems = check.check_vault(folder, args.user, asker.ask(f"Passphrase for {args.user}"))
    for line in problems or ["ok"]:
        print(line)
    return EXIT_FAILED if problems else EXIT_OK


def cmd_seed(args: argparse.Namespace, asker: Passphrases) -> int:
    with signed_in(args, asker) as session:
        session.require(session.role.manages_settings, "add fictional residents")
        added = demo.seed(
            session, args.residents, args.notes_per_resident, seed_value=secrets.randbits(32)
        )
    print(f"Added {added} fictional resident{'' if added == 1 else 's'}.")
    return EXIT_OK


def cmd_recover(args: argparse.Namespace, asker: Passphrases) -> int:
    with existing_vault(args.dir) as folder:
        recovery_key = asker.ask("Recovery key")
        passphrase, confirm = asker.choose(f"Choose a new passphrase for {args.user}")
        try:
            session = auth.recover(folder, recovery_key, args.user, passphrase, confirm)
        except WrongCredentials as exc:
            raise UserError("That recovery key does not open this vault.") from exc
        auth.lock(session)
    print(f"{args.user.strip()} can now sign in with the new passphrase.")
    return EXIT_OK


# -- parsing ---------------------------------------------------------------------------------
def _backup_key_options(p: argparse.ArgumentParser) -> None:
    key = p.add_mutually_exclusive_group()
    key.add_argument(
        "--backup-recipient" if p.prog.endswith(" init") else "--recipient",
        dest="backup_recipient",
        metavar="AGE_PUBLIC_KEY",
        help="encrypt backups to this age public key (age1...), made elsewhere",
    )
    key.add_argument(
        "--identity-out",
        metavar="FILE",
        help="make a new key pair and write its secret key to FILE (mode 0600, never "
        "overwritten) instead of printing it",
    )


def add_parsers(sub: Subparsers) -> None:
    """Register this group's commands in the top-level subparsers ``sub``."""
    p = command(sub, "init", cmd_init, "create a new vault and its first manager")
    p.add_argument("dir", metavar="DIR", help=NEW_VAULT_HELP)
    p.add_argument("--org", required=True, metavar="NAME", help="organisation name")
    p.add_argument("--refuge", required=True, metavar="NAME", help="refuge name")
    p.add_argument(
        "--refuge-address", metavar="TEXT", help="the refuge's address (kept inside the vault)"
    )
    p.add_argument("--user", required=True, metavar="USER", help="the first manager's user name")
    p.add_argument("--full-name", metavar="NAME", help="her full name (default: the user name)")
    _backup_key_options(p)

    p = command(
        sub,
        "import-residents",
        cmd_import,
        "import residents from a UTF-8 CSV file (managers and support workers)",
    )
    p.add_argument("dir", metavar="DIR", help=VAULT_DIR_HELP)
    p.add_argument(
        "file",
        metavar="FILE.csv",
        help=f"a UTF-8 CSV file with a header row; dates in it as {dates.FORMS}",
    )
    p.add_argument("--user", required=True, metavar="USER", help=USER_HELP)

    p = command(sub, "check", cmd_check, "check the vault file and its key slots")
    vault_and_user(p)

    p = command(sub, "seed", cmd_seed, "add fictional residents (for trials and demos; managers)")
    vault_and_user(p, "MANAGER")
    p.add_argument("--residents", required=True, type=count, metavar="N", help="how many to add")
    p.add_argument(
        "--notes-per-resident",
        type=count,
        default=0,
        metavar="K",
        help="case notes for each (default 0)",
    )

    p = command(
        sub,
        "backup",
        cmd_backup,
        "make an encrypted backup of the whole vault (managers and support workers); "
        "prints the backup's path",
    )
    vault_and_user(p)
    p.add_argument("--to", metavar="FOLDER", help="where to write it (default: the set folder)")

    p = command(
        sub,
        "verify-backup",
        cmd_verify_backup,
        "check a backup with the secret backup key: exit 0 only if it is whole",
    )
    p.set_defaults(asks_passphrase=False)
    p.add_argument("file", metavar="FILE", help="the backup file (.age)")
    p.add_argument("--identity-file", required=True, metavar="FILE", help="the backup key file")

    p = command(
        sub,
        "restore",
        cmd_restore,
        "restore a backup into a new vault in an empty folder; you become its manager",
    )
    p.add_argument("file", metavar="FILE", help="the backup file (.age)")
    p.add_argument("new_dir", metavar="NEW_DIR", help=NEW_VAULT_HELP)
    p.add_argument("--identity-file", required=True, metavar="FILE", help="the backup key file")
    p.add_argument(
        "--user",
        required=True,
        metavar="NEW_MANAGER",
        help="your user name (an account in the backup keeps its name; else a new one)",
    )
    p.add_argument("--full-name", metavar="NAME", help="for a new account")

    p = command(
        sub,
        "backup-key",
        cmd_backup_key,
        "give the vault a new backup key pair, or a backup public key made elsewhere "
        "(managers; for vaults made before backups existed, or to replace the key)",
    )
    vault_and_user(p, "MANAGER")
    _backup_key_options(p)

    p = command(sub, "recover", cmd_recover, "set a manager's new passphrase with the recovery key")
    p.add_argument("dir", metavar="DIR", help=VAULT_DIR_HELP)
    p.add_argument(
        "--user",
        required=True,
        metavar="MANAGER",
        help="the manager who forgot her passphrase (you are asked for the recovery key)",
    )

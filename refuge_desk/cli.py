"""`refuge-desk`: the app, or an admin command (a stable interface: scripts rely on it).

Exit status: 0 success, 2 bad usage, 1 anything else with a plain sentence on stderr (never a
traceback: it may hold resident data; a redacted one goes to the log).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import secrets
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from refuge_desk import __version__
from refuge_desk.diagnostics import crash_report, logging_setup
from refuge_desk.domain import dates
from refuge_desk.domain.errors import UserError, ValidationError, VaultError, WrongCredentials
from refuge_desk.domain.roles import Role
from refuge_desk.services import auth, check, demo, importer, plan_print, sar, stats
from refuge_desk.services import residents as residents_service
from refuge_desk.services import staff as staff_service
from refuge_desk.services.export import backup as backup_service
from refuge_desk.services.export import keys as backup_keys
from refuge_desk.services.export import restore as restore_service
from refuge_desk.services.export import transfer
from refuge_desk.services.export import verify as verify_service
from refuge_desk.services.pdf.document import Paper
from refuge_desk.services.session import Session
from refuge_desk.store.vault import VaultFolder

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
NO_TERMINAL = (
    "There is no terminal to ask for a passphrase: run this in a terminal, or give "
    "the passphrases one per line on standard input with --passphrase-stdin."
)
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
# Help texts shared by several commands.
VAULT_DIR_HELP = "the vault folder"
NEW_VAULT_HELP = "an empty or new folder for the vault (its parent folder must exist)"
USER_HELP = "your user name (you are asked for your passphrase)"
MANAGER_HELP = "a manager's user name (you are asked for her passphrase)"
REFERENCE_HELP = "her reference, e.g. R-0007"
NEW_FILE_HELP = "the file to write (never overwritten; not encrypted)"


class Passphrases:
    """Asks on the terminal (hidden) or reads one per line from stdin, in the order asked."""

    def __init__(self, from_stdin: bool) -> None:
        self.from_stdin = from_stdin

    def ask(self, prompt: str) -> str:
        if not self.from_stdin:
            return getpass.getpass(f"{prompt}: ")
        raw = sys.stdin.buffer.readline()
        if not raw:
            raise UserError(
                "Standard input ended before every passphrase was given (one per line)."
            )
        try:
            return raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            raise UserError("A passphrase on standard input is not UTF-8 text.") from exc

    def choose(self, prompt: str) -> tuple[str, str | None]:
        """A new passphrase: typed twice on a terminal, read once from stdin."""
        first = self.ask(prompt)
        if self.from_stdin:
            return first, None
        return first, self.ask("Type it again")


# -- commands --------------------------------------------------------------------------------
def _new_output_file(name: str) -> Path:
    """A file the command will create: never overwrite one, and say so if the folder is not
    there (a typo or an unplugged drive)."""
    out = Path(name)
    if out.exists():
        raise UserError(f"{out} already exists. Choose a new file name, or delete it first.")
    if not out.parent.is_dir():
        raise UserError(f"The folder {out.parent} does not exist.")
    return out


@contextlib.contextmanager
def _existing_vault(path: str) -> Iterator[VaultFolder]:
    folder = VaultFolder(Path(path))
    if not folder.db_path.is_file():
        raise VaultError(f"There is no vault in {folder.path}.")
    folder.acquire()
    try:
        yield folder
    finally:
        folder.release()


@contextlib.contextmanager
def _signed_in(args: argparse.Namespace, asker: Passphrases) -> Iterator[Session]:
    with _existing_vault(args.dir) as folder:
        session = auth.sign_in(folder, args.user, asker.ask(f"Passphrase for {args.user}"))
        try:
            yield session
        finally:
            auth.lock(session)  # a manager's key slot records the audit log's head


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
    with _signed_in(args, asker) as session:
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
    with _signed_in(args, asker) as session:
        result = backup_service.make_backup(session, to)
    print(result.path)
    return EXIT_OK


def cmd_verify_backup(args: argparse.Namespace, asker: Passphrases) -> int:
    identity = backup_keys.read_identity_file(Path(args.identity_file))
    problems = verify_service.verify_backup(Path(args.file), identity)
    for problem in problems:
        _say(problem)
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


def cmd_users_add(args: argparse.Namespace, asker: Passphrases) -> int:
    with _signed_in(args, asker) as session:
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


def cmd_import(args: argparse.Namespace, asker: Passphrases) -> int:
    csv_path = Path(args.file)
    if not csv_path.is_file():
        raise UserError(f"The file {csv_path} does not exist.")
    with _signed_in(args, asker) as session:
        imported = importer.import_file(session, csv_path)
    # The CSV line and the new reference only: terminals keep scrollback, so never a name.
    for item in imported:
        print(f"line {item.line}: {item.reference}")
        print("".join(f"  check: {w}\n" for w in item.warnings), end="")  # letters, no names
    print(f"Imported {len(imported)} resident{'' if len(imported) == 1 else 's'}.")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, asker: Passphrases) -> int:
    with _existing_vault(args.dir) as folder:
        problems = check.check_vault(folder, args.user, asker.ask(f"Passphrase for {args.user}"))
    for line in problems or ["ok"]:
        print(line)
    return EXIT_FAILED if problems else EXIT_OK


def cmd_seed(args: argparse.Namespace, asker: Passphrases) -> int:
    with _signed_in(args, asker) as session:
        session.require(session.role.manages_settings, "add fictional residents")
        added = demo.seed(
            session, args.residents, args.notes_per_resident, seed_value=secrets.randbits(32)
        )
    print(f"Added {added} fictional resident{'' if added == 1 else 's'}.")
    return EXIT_OK


def cmd_plan_pdf(args: argparse.Namespace, asker: Passphrases) -> int:
    out = _new_output_file(args.out)
    variant = plan_print.Variant(args.variant)
    if variant is not plan_print.Variant.DISCREET and (args.title or args.name_on):
        raise UserError("--title and --name-on are for a discreet copy (--variant discreet).")
    options = plan_print.PrintOptions(
        variant=variant,
        paper=Paper(args.paper),
        large_print=args.large_print,
        language=args.language or "",
        discreet_title=args.title or plan_print.DEFAULT_DISCREET_TITLE,
        discreet_name=plan_print.NameOnCopy(args.name_on or "first"),
    )
    with _signed_in(args, asker) as session:
        resident_id = residents_service.id_for_reference(session, args.resident)
        pdf = plan_print.make_pdf(session, resident_id, options, plan_print.LATEST)
        plan_print.save_pdf(session, resident_id, pdf, options.variant, out)
    what = {"blank": "a blank form", "draft": "the DRAFT (nothing agreed yet)"}.get(
        pdf.what, f"version {pdf.what[1:]}"
    )
    print(f"Wrote {out} ({what}, {options.variant.value} copy).")
    _say("This PDF is not encrypted: keep it safe, and delete it when it has been printed.")
    for note in pdf.notes:
        _say(note)
    return EXIT_OK


def cmd_sar(args: argparse.Namespace, asker: Passphrases) -> int:
    out = _new_output_file(args.out)
    with _signed_in(args, asker) as session:
        resident_id = residents_service.id_for_reference(session, args.resident)
        result = sar.export(session, resident_id, out, set(args.withhold or ()))
    withheld = ", ".join(result.withheld) or "nothing"
    print(f"Wrote {out} (withheld: {withheld}).")
    _say("This file is not encrypted: give it to her safely, then delete it from this computer.")
    return EXIT_OK


def _day(text: str) -> dt.date:
    """A date option, read as the CSV import reads dates (domain.dates)."""
    try:
        return dates.parse_day(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_stats(args: argparse.Namespace, asker: Passphrases) -> int:
    out = _new_output_file(args.out)
    with _signed_in(args, asker) as session:
        result = stats.export_csv(session, args.start, args.end, out)
    print(f"Wrote {out} ({len(result)} counts; 1 to 4 shown as <5).")
    return EXIT_OK


def cmd_transfer_out(args: argparse.Namespace, asker: Passphrases) -> int:
    out = _new_output_file(args.out)
    with _signed_in(args, asker) as session:
        resident_id = residents_service.id_for_reference(session, args.resident)
        chosen = [int(n) for n in args.note] if args.note else None
        made = transfer.write(
            session, resident_id, out, include_notes=not args.no_notes, note_ids=chosen
        )
    print(f"Wrote {out}.")
    print()
    print(f"    One-time passphrase: {made.passphrase}")
    print()
    print(
        "Read the passphrase to the receiving refuge by phone; never send it with the file. "
        "Delete the file once they have it."
    )
    return EXIT_OK


def cmd_transfer_in(args: argparse.Namespace, asker: Passphrases) -> int:
    package = Path(args.file)
    if not package.is_file():
        raise UserError(f"The file {package} does not exist.")
    with _signed_in(args, asker) as session:
        words = asker.ask("One-time passphrase of the transfer (from the other refuge)")
        arrived = transfer.receive(session, package.read_bytes(), words)
    print(
        f"Imported as {arrived.reference} (their {arrived.from_reference}), with "
        f"{arrived.versions} safety-plan version{'' if arrived.versions == 1 else 's'}."
    )
    return EXIT_OK


def cmd_recover(args: argparse.Namespace, asker: Passphrases) -> int:
    with _existing_vault(args.dir) as folder:
        recovery_key = asker.ask("Recovery key")
        passphrase, confirm = asker.choose(f"Choose a new passphrase for {args.user}")
        try:
            session = auth.recover(folder, recovery_key, args.user, passphrase, confirm)
        except WrongCredentials as exc:
            raise UserError("That recovery key does not open this vault.") from exc
        auth.lock(session)
    print(f"{args.user.strip()} can now sign in with the new passphrase.")
    return EXIT_OK


def run_app(args: argparse.Namespace) -> int:
    if args.self_test:
        from refuge_desk.services import selftest

        return selftest.run()
    from refuge_desk.app import run_gui  # only here: admin commands never load Qt widgets

    if args.demo:
        return run_gui(None, True)
    return run_gui(Path(args.vault) if args.vault else None, False)


# -- parsing ---------------------------------------------------------------------------------
def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of 0 or more, not {text!r}")
    return value


def _date_help(what: str) -> str:
    return f"{what}, as {dates.FORMS}"


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--passphrase-stdin",
        action="store_true",
        default=argparse.SUPPRESS,
        help="read passphrases one per line from standard input",
    )
    parser = argparse.ArgumentParser(
        prog="refuge-desk",
        description="Refuge Desk: encrypted case records for women's refuges. Without a "
        f"command it starts the app. Dates are written {dates.FORMS}.",
    )
    app = parser.add_mutually_exclusive_group()
    app.add_argument(
        "--vault",
        metavar="DIR",
        help="the vault folder to open in the app (default: the one in your app-data "
        "folder); for a missing or empty folder the app sets up a new vault there, whose "
        "parent folder must exist",
    )
    app.add_argument(
        "--demo",
        action="store_true",
        help="start the app on a new throw-away vault of fictional residents",
    )
    app.add_argument(
        "--self-test", action="store_true", help="headless check that this installation works"
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"refuge-desk {__version__}",
        help="print the version and exit",
    )
    parser.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help="read passphrases one per line from standard input",
    )
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", help="an admin command (without one, the app starts)"
    )

    def command(
        name: str,
        run: Callable[..., int],
        help_text: str,
        into: argparse._SubParsersAction[argparse.ArgumentParser] = sub,
    ) -> argparse.ArgumentParser:
        p = into.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(run=run)
        return p

    def vault_and_user(p: argparse.ArgumentParser, who: str = "USER") -> None:
        p.add_argument("dir", metavar="DIR", help=VAULT_DIR_HELP)
        p.add_argument(
            "--user",
            required=True,
            metavar=who,
            help=MANAGER_HELP if who == "MANAGER" else USER_HELP,
        )

    p = command("init", cmd_init, "create a new vault and its first manager")
    p.add_argument("dir", metavar="DIR", help=NEW_VAULT_HELP)
    p.add_argument("--org", required=True, metavar="NAME", help="organisation name")
    p.add_argument("--refuge", required=True, metavar="NAME", help="refuge name")
    p.add_argument(
        "--refuge-address", metavar="TEXT", help="the refuge's address (kept inside the vault)"
    )
    p.add_argument("--user", required=True, metavar="USER", help="the first manager's user name")
    p.add_argument("--full-name", metavar="NAME", help="her full name (default: the user name)")
    _backup_key_options(p)

    users = sub.add_parser(
        "users", parents=[common], help="staff accounts", description="staff accounts"
    )
    users_sub = users.add_subparsers(
        dest="users_command", metavar="ACTION", required=True, help="what to do"
    )
    p = command("add", cmd_users_add, "add a staff account (managers)", users_sub)
    p.add_argument("dir", metavar="DIR", help=VAULT_DIR_HELP)
    p.add_argument("new_user", metavar="NEW_USER", help="the new account's user name")
    p.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in Role],
        help="what she may do: manager, worker (a support worker) or volunteer",
    )
    p.add_argument("--user", required=True, metavar="MANAGER", help=MANAGER_HELP)
    p.add_argument(
        "--full-name", metavar="NAME", help="the new person's full name (default: NEW_USER)"
    )

    from refuge_desk.cli_users import add_users_actions  # it builds on this module

    add_users_actions(users_sub, command)

    p = command(
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

    p = command("check", cmd_check, "check the vault file and its key slots")
    vault_and_user(p)

    p = command("seed", cmd_seed, "add fictional residents (for trials and demos; managers)")
    vault_and_user(p, "MANAGER")
    p.add_argument("--residents", required=True, type=_count, metavar="N", help="how many to add")
    p.add_argument(
        "--notes-per-resident",
        type=_count,
        default=0,
        metavar="K",
        help="case notes for each (default 0)",
    )

    p = command(
        "plan-pdf",
        cmd_plan_pdf,
        "write a resident's safety plan as a PDF (latest agreed version, else the draft, "
        "else a blank form)",
    )
    vault_and_user(p)
    p.add_argument("--resident", required=True, metavar="REF", help=REFERENCE_HELP)
    p.add_argument("--out", required=True, metavar="FILE.pdf", help=NEW_FILE_HELP)
    p.add_argument(
        "--variant",
        choices=[v.value for v in plan_print.Variant],
        default="resident",
        help="which copy: resident (her copy, the default), staff, discreet or blank",
    )
    p.add_argument("--large-print", action="store_true", help="body text at 16 pt or more")
    p.add_argument(
        "--paper",
        choices=[p.value for p in Paper],
        default="a4",
        help="paper size (default a4)",
    )
    p.add_argument("--language", metavar="CODE", help="headings in this language (e.g. ar)")
    p.add_argument("--title", metavar="TEXT", help='title of a discreet copy (default "My notes")')
    p.add_argument(
        "--name-on",
        choices=[n.value for n in plan_print.NameOnCopy],
        help="her name on a discreet copy: first name (default), initials or none",
    )

    p = command(
        "sar",
        cmd_sar,
        "subject access request: everything held about one resident, as PDF or JSON (managers)",
    )
    vault_and_user(p, "MANAGER")
    p.add_argument("--resident", required=True, metavar="REF", help=REFERENCE_HELP)
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE.pdf|FILE.json",
        help="the file to write, .pdf or .json (never overwritten; not encrypted)",
    )
    p.add_argument(
        "--withhold",
        action="append",
        metavar="PART",
        help="withhold a restricted part (repeatable): "
        + ", ".join(sorted(sar.RESTRICTED_ITEMS))
        + ", marac, or note:ID for one restricted case note",
    )

    p = command(
        "stats",
        cmd_stats,
        "funder statistics for a date range, counts only, as CSV (managers)",
    )
    vault_and_user(p, "MANAGER")
    p.add_argument(
        "--from",
        dest="start",
        required=True,
        type=_day,
        metavar="DATE",
        help=_date_help("first day"),
    )
    p.add_argument(
        "--to",
        dest="end",
        required=True,
        type=_day,
        metavar="DATE",
        help=_date_help("last day, included"),
    )
    p.add_argument("--out", required=True, metavar="FILE.csv", help=NEW_FILE_HELP)

    p = command(
        "backup",
        cmd_backup,
        "make an encrypted backup of the whole vault (managers and support workers); "
        "prints the backup's path",
    )
    vault_and_user(p)
    p.add_argument("--to", metavar="FOLDER", help="where to write it (default: the set folder)")

    p = command(
        "verify-backup",
        cmd_verify_backup,
        "check a backup with the secret backup key: exit 0 only if it is whole",
    )
    p.set_defaults(asks_passphrase=False)
    p.add_argument("file", metavar="FILE", help="the backup file (.age)")
    p.add_argument("--identity-file", required=True, metavar="FILE", help="the backup key file")

    p = command(
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
        "backup-key",
        cmd_backup_key,
        "give the vault a new backup key pair, or a backup public key made elsewhere "
        "(managers; for vaults made before backups existed, or to replace the key)",
    )
    vault_and_user(p, "MANAGER")
    _backup_key_options(p)

    p = command(
        "transfer-out",
        cmd_transfer_out,
        "one resident's file for another refuge, protected by a one-time passphrase",
    )
    vault_and_user(p)
    p.add_argument("--resident", required=True, metavar="REF", help=REFERENCE_HELP)
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="the transfer file to write (never overwritten)",
    )
    p.add_argument("--no-notes", action="store_true", help="leave all her notes out")
    p.add_argument(
        "--note",
        action="append",
        type=int,
        metavar="ID",
        help="send only these case notes (repeatable; default: every case note you may see)",
    )

    p = command("transfer-in", cmd_transfer_in, "import a resident transferred from another refuge")
    p.add_argument("dir", metavar="DIR", help=VAULT_DIR_HELP)
    p.add_argument("file", metavar="FILE", help="the transfer file from the other refuge")
    p.add_argument("--user", required=True, metavar="USER", help=USER_HELP)

    p = command("recover", cmd_recover, "set a manager's new passphrase with the recovery key")
    p.add_argument("dir", metavar="DIR", help=VAULT_DIR_HELP)
    p.add_argument(
        "--user",
        required=True,
        metavar="MANAGER",
        help="the manager who forgot her passphrase (you are asked for the recovery key)",
    )
    from refuge_desk.cli_audit import add_audit_parser  # it builds on this module

    add_audit_parser(sub, command)
    from refuge_desk.cli_retention import add_retention_parsers

    add_retention_parsers(sub, command)
    return parser


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


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command and (args.vault or args.demo or args.self_test):
        parser.error(
            "--vault, --demo and --self-test start the app; they cannot be used with a command"
        )
    return args


# -- entry point -----------------------------------------------------------------------------
def _say(text: str) -> None:
    print(text, file=sys.stderr)


def guarded(action: Callable[[], int], log_file: Path | None) -> int:
    """Run ``action``; turn any exception into exit 1 and plain sentences on stderr."""
    try:
        return action()
    except ValidationError as exc:
        for problem in exc.problems:
            _say(problem)
    except UserError as exc:
        _say(str(exc))
    except (KeyboardInterrupt, EOFError):
        _say("Cancelled.")
    except Exception as exc:
        logging_setup.log_unexpected(exc, "the refuge-desk command")
        report = crash_report.write_report(exc, log_file.parent) if log_file else None
        _say(logging_setup.crash_message(report))
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
        return guarded(lambda: run_app(args), log_file)
    asks = getattr(args, "asks_passphrase", True)
    if asks and not args.passphrase_stdin and not sys.stdin.isatty():
        _say(NO_TERMINAL)
        return EXIT_USAGE
    asker = Passphrases(args.passphrase_stdin)
    return guarded(lambda: int(args.run(args, asker)), log_file)

"""What every group of `refuge-desk` commands shares: exit codes, help texts, the passphrase
asker, opening a vault and signing in, option parsers, and ``command`` to register one.

A command's handler is ``(args, asker) -> exit code``; it raises UserError (or another error
of domain.errors) for a plain sentence on stderr, turned into exit 1 by cli.guarded. This
module imports nothing of the cli package, so every group module can import it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeAlias

from refuge_desk.domain import dates
from refuge_desk.domain.errors import UserError, VaultError
from refuge_desk.services import auth
from refuge_desk.services.session import Session
from refuge_desk.store.vault import VaultFolder

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# Help texts shared by several commands.
VAULT_DIR_HELP = "the vault folder"
NEW_VAULT_HELP = "an empty or new folder for the vault (its parent folder must exist)"
USER_HELP = "your user name (you are asked for your passphrase)"
MANAGER_HELP = "a manager's user name (you are asked for her passphrase)"
REFERENCE_HELP = "her reference, e.g. R-0007"
NEW_FILE_HELP = "the file to write (never overwritten; not encrypted)"
PASSPHRASE_STDIN_HELP = "read passphrases one per line from standard input"


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


Handler: TypeAlias = Callable[[argparse.Namespace, Passphrases], int]
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


# -- what the commands share -----------------------------------------------------------------
def say(text: str) -> None:
    """A line on standard error: warnings, problems, anything that is not the result."""
    print(text, file=sys.stderr)


def new_output_file(name: str) -> Path:
    """A file the command will create: never overwrite one, and say so if the folder is not
    there (a typo or an unplugged drive)."""
    out = Path(name)
    if out.exists():
        raise UserError(f"{out} already exists. Choose a new file name, or delete it first.")
    if not out.parent.is_dir():
        raise UserError(f"The folder {out.parent} does not exist.")
    return out


@contextlib.contextmanager
def existing_vault(path: str) -> Iterator[VaultFolder]:
    """The vault in ``path``, locked against other processes while the command runs."""
    folder = VaultFolder(Path(path))
    if not folder.db_path.is_file():
        raise VaultError(f"There is no vault in {folder.path}.")
    folder.acquire()
    try:
        yield folder
    finally:
        folder.release()


@contextlib.contextmanager
def signed_in(args: argparse.Namespace, asker: Passphrases) -> Iterator[Session]:
    """``args.user`` signed in to the vault in ``args.dir`` (her passphrase is asked)."""
    with existing_vault(args.dir) as folder:
        session = auth.sign_in(folder, args.user, asker.ask(f"Passphrase for {args.user}"))
        try:
            yield session
        finally:
            auth.lock(session)  # a manager's key slot records the audit log's head


# -- parsing ---------------------------------------------------------------------------------
def count(text: str) -> int:
    """A whole-number option of 0 or more."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of 0 or more, not {text!r}")
    return value


def day(text: str) -> dt.date:
    """A date option, read as the CSV import reads dates (domain.dates)."""
    try:
        return dates.parse_day(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def date_help(what: str) -> str:
    """The help of a date option (type=day): what it is, and the forms it accepts."""
    return f"{what}, as {dates.FORMS}"


def add_passphrase_stdin(p: argparse.ArgumentParser) -> None:
    """``--passphrase-stdin`` after the command's name too; it keeps one given before it."""
    p.add_argument(
        "--passphrase-stdin",
        action="store_true",
        default=argparse.SUPPRESS,
        help=PASSPHRASE_STDIN_HELP,
    )


def command(into: Subparsers, name: str, run: Handler, help_text: str) -> argparse.ArgumentParser:
    """Register the command ``name`` (in the top-level subparsers or a group's): ``run``
    handles it, ``help_text`` is its help and description."""
    p = into.add_parser(name, help=help_text, description=help_text)
    add_passphrase_stdin(p)
    p.set_defaults(run=run)
    return p


def vault_and_user(p: argparse.ArgumentParser, who: str = "USER") -> None:
    """The vault folder and ``--user`` (``who``: USER for any staff member, or MANAGER)."""
    p.add_argument("dir", metavar="DIR", help=VAULT_DIR_HELP)
    p.add_argument(
        "--user",
        required=True,
        metavar=who,
        help=MANAGER_HELP if who == "MANAGER" else USER_HELP,
    )

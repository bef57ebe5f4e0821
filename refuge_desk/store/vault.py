"""A vault folder: vault.db (SQLCipher) + keyslots.json + vault.lock."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from refuge_desk.domain.errors import VaultCorrupt, VaultError
from refuge_desk.store import migrations
from refuge_desk.store.db import Database
from refuge_desk.store.instance_lock import InstanceLock
from refuge_desk.store.keyslots import KeySlotFile, new_recovery_key, zero

DB_NAME = "vault.db"
KEYSLOTS_NAME = "keyslots.json"
LOCK_NAME = "vault.lock"


@dataclass(slots=True)
class VaultFolder:
    path: Path
    _lock: InstanceLock | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.path = Path(self.path).expanduser().absolute()

    @property
    def db_path(self) -> Path:
        return self.path / DB_NAME

    @property
    def keyslots_path(self) -> Path:
        return self.path / KEYSLOTS_NAME

    def exists(self) -> bool:
        return self.db_path.exists() or self.keyslots_path.exists()

    def acquire(self) -> None:
        """Claim the folder for this process (raises VaultInUse). It must exist already: a new
        vault's folder is made and claimed by ``claim_new``."""
        if self._lock is None:
            if not self.path.is_dir():
                raise VaultError(f"There is no vault folder {self.path}.")
            lock = InstanceLock(self.path / LOCK_NAME)
            lock.acquire()
            self._lock = lock

    def release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @property
    def claimed(self) -> bool:
        return self._lock is not None

    def check_new(self) -> None:
        """Raise VaultError (a plain sentence) unless a new vault can be made here: an empty
        folder (a left-over vault.lock aside), or a missing one whose parent folder exists.

        A missing parent is refused rather than made: a mistyped path must not quietly put a
        vault somewhere nobody will look for it."""
        path = self.path
        if path.is_dir():
            if self.exists():
                raise VaultError(f"{path} already holds a vault.")
            try:
                others = [p for p in path.iterdir() if p.name != LOCK_NAME]
            except OSError as exc:
                raise VaultError(f"The folder {path} cannot be read ({exc.strerror}).") from exc
            if others:
                raise VaultError(f"{path} is not empty. Choose an empty folder for a new vault.")
            return
        if path.exists():
            raise VaultError(f"{path} is not a folder.")
        for ancestor in reversed(path.parents):
            if ancestor.is_dir():
                continue
            if ancestor.exists():
                raise VaultError(f"{ancestor} is not a folder, so there can be no vault in {path}.")
            raise VaultError(
                f"The folder {path.parent} does not exist. Check the path for a typing mistake, "
                "or make that folder first."
            )

    def claim_new(self) -> bool:
        """Make (or take) the empty folder of a new vault, owner-only, and claim it; True if
        this call made the folder. Raises VaultError, VaultInUse.

        Two windows or commands may race for the same missing folder, so the folder is checked
        again once the lock is held: the loser is refused (in use, or already a vault) and
        nothing of the winner's is touched."""
        self.check_new()
        made = False
        try:
            self.path.mkdir(mode=0o700)
            made = True
        except FileExistsError:
            pass  # made meanwhile by the other side of a race: the lock decides
        except OSError as exc:
            raise VaultError(f"The folder {self.path} could not be made ({exc.strerror}).") from exc
        lock_was_there = (self.path / LOCK_NAME).exists()
        try:
            self.acquire()
            self.check_new()
        except BaseException:
            self._give_up_claim(made, lock_was_there)
            raise
        _owner_only_folder(self.path)
        return made

    def _give_up_claim(self, made_folder: bool, lock_was_there: bool) -> None:
        """Refused before anything was written. Whatever is in the folder may be another's
        new vault: only the lock file this call made goes (and the folder, if it made that
        and it is empty now)."""
        if self._lock is not None and not lock_was_there:
            with contextlib.suppress(OSError):
                (self.path / LOCK_NAME).unlink()  # while held: nobody else has it
        self.release()
        if made_folder:
            with contextlib.suppress(OSError):  # not empty: leave it
                self.path.rmdir()

    def discard_new(self, made_folder: bool) -> None:
        """Undo a failed creation after ``claim_new`` succeeded: every vault file (all made by
        this creation, as the folder was empty under the lock), the lock, the folder if made."""
        if self._lock is not None:
            for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm", KEYSLOTS_NAME, LOCK_NAME):
                with contextlib.suppress(OSError):
                    (self.path / name).unlink()
            self.release()
        if made_folder:
            with contextlib.suppress(OSError):  # someone else's file in it: leave the folder
                self.path.rmdir()

    def load_keyslots(self) -> KeySlotFile:
        if not self.db_path.exists():
            raise VaultError(f"There is no vault in {self.path}.")
        return KeySlotFile.load(self.keyslots_path)

    def save_keyslots(self, slots: KeySlotFile) -> None:
        # The write is atomic (temp file + rename), so a failure leaves the old file whole.
        try:
            slots.save(self.keyslots_path)
        except OSError as exc:
            raise VaultError(
                "The key file could not be written (is the disk full or read-only?). "
                "Nothing was changed."
            ) from exc


@dataclass(slots=True)
class NewVault:
    keyslots: KeySlotFile
    data_key: bytearray
    recovery_key: str
    db: Database
    made_folder: bool  # for ``folder.discard_new`` if the caller's part fails


def create(folder: VaultFolder) -> NewVault:
    """Make an empty vault (schema at LATEST) with a fresh data key and a recovery slot.

    The folder's parent must exist (``VaultFolder.check_new``). The new vault stays claimed
    by ``folder`` (its lock held) until ``folder.release()``. The caller adds the first staff
    account and its key slot, then saves the key slots; if that fails it calls
    ``folder.discard_new(made_folder)``.
    """
    made_folder = folder.claim_new()
    data_key = bytearray(secrets.token_bytes(32))
    try:
        db = Database(folder.db_path, data_key)
    except BaseException:
        folder.discard_new(made_folder)
        raise
    try:
        migrations.migrate(db)
    except BaseException:
        db.close()
        folder.discard_new(made_folder)
        raise
    slots = KeySlotFile(vault_id=str(uuid.uuid4()))
    recovery_key = new_recovery_key()
    slots.set_recovery_slot(recovery_key, data_key)
    return NewVault(slots, data_key, recovery_key, db, made_folder)


def _owner_only_folder(path: Path) -> None:
    """Only this user may list or open the vault folder (POSIX; it may exist already)."""
    if os.name == "posix":
        with contextlib.suppress(OSError):  # a file system without modes
            os.chmod(path, 0o700)


def open_database(
    folder: VaultFolder,
    data_key: bytes | bytearray,
    *,
    full_check: bool = False,
    now: dt.datetime | None = None,
) -> Database:
    """Open, verify and (after an encrypted copy) migrate the database."""
    # SQLCipher would happily create a new, empty database in place of a missing or emptied
    # file (e.g. truncated by a crash or a sync tool): refuse before touching it.
    try:
        size = folder.db_path.stat().st_size
    except FileNotFoundError:
        raise VaultCorrupt(f"The vault file {folder.db_path} is missing.") from None
    if size == 0:
        raise VaultCorrupt(
            f"The vault file {folder.db_path} is empty, so it was not opened. "
            "Restore it from a backup."
        )
    db = Database(folder.db_path, data_key)
    try:
        problems = db.integrity_problems(read_rows=full_check)
        if problems:
            raise VaultCorrupt(
                f"The vault file {folder.db_path} is damaged or was changed outside Refuge "
                "Desk, so it was not opened. Restore it from a backup."
            )
        version = db.user_version
        if version == 0:
            raise VaultCorrupt(
                f"The vault file {folder.db_path} holds no Refuge Desk data, so it was not "
                "opened. Restore it from a backup."
            )
        if version > migrations.LATEST:
            raise VaultError(
                f"The vault in {folder.path} was made by a newer version of Refuge Desk "
                f"(format {version}; this version reads up to {migrations.LATEST}). "
                "Install the newer version to open it."
            )
        if migrations.pending(db):
            copy_before_migration(folder, db, now or dt.datetime.now(dt.UTC))
            migrations.migrate(db)
    except BaseException:
        db.close()
        raise
    return db


def copy_before_migration(folder: VaultFolder, db: Database, now: dt.datetime) -> Path:
    """An encrypted copy (same key) of the database, taken before changing its schema."""
    db.checkpoint()
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    target = folder.path / f"vault-v{db.user_version}-before-upgrade-{stamp}.db"
    tmp = target.with_suffix(".tmp")
    shutil.copyfile(folder.db_path, tmp)
    if os.name == "posix":
        os.chmod(tmp, 0o600)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return target


def discard_key(key: bytearray) -> None:
    zero(key)

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
        """Claim the vault for this process (raises VaultInUse)."""
        if self._lock is None:
            self.path.mkdir(parents=True, exist_ok=True)
            lock = InstanceLock(self.path / LOCK_NAME)
            lock.acquire()
            self._lock = lock

    def release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

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


def create(folder: VaultFolder) -> NewVault:
    """Make an empty vault (schema at LATEST) with a fresh data key and a recovery slot.

    The caller adds the first staff account and its key slot, then saves the key slots.
    """
    if folder.exists():
        raise VaultError(f"{folder.path} already holds a vault.")
    folder.path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if any(p for p in folder.path.iterdir() if p.name != "vault.lock"):
        raise VaultError(f"{folder.path} is not empty. Choose an empty folder for a new vault.")
    _owner_only_folder(folder.path)
    data_key = bytearray(secrets.token_bytes(32))
    db = Database(folder.db_path, data_key)
    try:
        migrations.migrate(db)
    except BaseException:
        db.close()
        raise
    slots = KeySlotFile(vault_id=str(uuid.uuid4()))
    recovery_key = new_recovery_key()
    slots.set_recovery_slot(recovery_key, data_key)
    return NewVault(slots, data_key, recovery_key, db)


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

"""A vault folder: vault.db (the case database) + rota.db (the rota) + keyslots.json +
vault.lock. Both databases are SQLCipher files, each under its own key."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from refuge_desk.domain.errors import VaultCorrupt, VaultError
from refuge_desk.store import fs, keyfile, migrations, rota
from refuge_desk.store.crypto import new_key
from refuge_desk.store.db import Database
from refuge_desk.store.instance_lock import InstanceLock
from refuge_desk.store.keyfile import KeyFile
from refuge_desk.store.keymem import wipe
from refuge_desk.store.keyslots import KeySlotFile, zero

DB_NAME = "vault.db"
ROTA_NAME = "rota.db"
KEYSLOTS_NAME = "keyslots.json"
LOCK_NAME = "vault.lock"
STAGED = ".next-"  # "vault.db.next-3": a rekey's new file for epoch 3, not yet in place


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
    def rota_path(self) -> Path:
        return self.path / ROTA_NAME

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
            names = [n + s for n in (DB_NAME, ROTA_NAME) for s in ("", "-wal", "-shm")]
            for name in (*names, KEYSLOTS_NAME, LOCK_NAME):
                with contextlib.suppress(OSError):
                    (self.path / name).unlink()
            self.release()
        if made_folder:
            with contextlib.suppress(OSError):  # someone else's file in it: leave the folder
                self.path.rmdir()

    def load_keyslots(self) -> KeySlotFile:
        """The 0.1 release's key file (format 1)."""
        if not self.db_path.exists():
            raise VaultError(f"There is no vault in {self.path}.")
        return KeySlotFile.load(self.keyslots_path)

    def key_format(self) -> int:
        if not self.db_path.exists():
            raise VaultError(f"There is no vault in {self.path}.")
        return keyfile.read_format(self.keyslots_path)

    def load_keyfile(self) -> KeyFile:
        if not self.db_path.exists():
            raise VaultError(f"There is no vault in {self.path}.")
        return keyfile.load(self.keyslots_path)

    def save_keyslots(self, slots: KeySlotFile | KeyFile) -> None:
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
    vault_id: str
    case_key: bytearray
    rota_key: bytearray
    case_db: Database
    rota_db: Database
    made_folder: bool  # for ``folder.discard_new`` if the caller's part fails

    def close(self) -> None:
        self.case_db.close()
        self.rota_db.close()
        wipe(self.case_key)
        wipe(self.rota_key)


def create(folder: VaultFolder, schema: int = migrations.LATEST) -> NewVault:
    """Make an empty vault: the case database (schema at ``schema``) and the rota file, each
    under a fresh key. No key file yet: the caller writes it (services/auth.setup_vault).

    The folder's parent must exist (``VaultFolder.check_new``). The new vault stays claimed
    by ``folder`` (its lock held) until ``folder.release()``. If the caller's part fails it
    calls ``folder.discard_new(made_folder)``.
    """
    made_folder = folder.claim_new()
    case_key, rota_key = new_key(), new_key()
    opened: list[Database] = []
    try:
        case_db = Database(folder.db_path, case_key)
        opened.append(case_db)
        migrations.migrate(case_db, schema)
        rota_db = Database(folder.rota_path, rota_key)
        opened.append(rota_db)
        rota.create_schema(rota_db)
    except BaseException:
        for db in opened:
            db.close()
        wipe(case_key)
        wipe(rota_key)
        folder.discard_new(made_folder)
        raise
    return NewVault(str(uuid.uuid4()), case_key, rota_key, case_db, rota_db, made_folder)


def open_rota(folder: VaultFolder, rota_key: bytes | bytearray) -> Database:
    """Open and check the rota file."""
    try:
        size = folder.rota_path.stat().st_size
    except FileNotFoundError:
        raise VaultCorrupt(f"The rota file {folder.rota_path} is missing.") from None
    if size == 0:
        raise VaultCorrupt(f"The rota file {folder.rota_path} is empty, so it was not opened.")
    db = Database(folder.rota_path, rota_key)
    try:
        if db.integrity_problems():
            raise VaultCorrupt(
                f"The rota file {folder.rota_path} is damaged or was changed outside Refuge "
                "Desk, so it was not opened."
            )
    except BaseException:
        db.close()
        raise
    return db


def staged_name(final: str, epoch: int) -> str:
    return f"{final}{STAGED}{epoch}"


def settle(folder: VaultFolder, kf: KeyFile) -> KeyFile:
    """Finish a rekey a crash interrupted, and clear what an abandoned one left.

    The key file is the commit point: once it names epoch N with a ``swap``, the new files
    are the vault (their keys are the only ones in the file), so moving them into place is
    all that is left, and doing it twice is harmless. New files of a rekey whose key file
    was never written are of no use (their keys are lost): they are removed.
    """
    if kf.swap is not None:
        # keyslots.json is read before anyone has signed in, and anyone with the folder can
        # edit it: only the rekey's own two files, by their own names, are ever moved.
        expected = {name: staged_name(name, kf.swap.epoch) for name in (DB_NAME, ROTA_NAME)}
        if kf.swap.epoch != kf.epoch or not kf.swap.files.items() <= expected.items():
            raise VaultCorrupt(
                f"The key file {folder.keyslots_path} names files to move that are not the "
                "vault's own, so nothing was moved. It was changed outside Refuge Desk: "
                "restore it from a backup."
            )
        for final, staged in kf.swap.files.items():
            target, source = folder.path / final, folder.path / staged
            if source.exists():
                for suffix in ("-wal", "-shm"):  # the old file's: they must not meet the new
                    with contextlib.suppress(FileNotFoundError):
                        (folder.path / (final + suffix)).unlink()
                os.replace(source, target)
        fs.fsync_dir(folder.path)
        kf = kf.copy()
        kf.swap = None
        kf.save(folder.keyslots_path)
    for leftover in folder.path.glob(f"*{STAGED}*"):
        with contextlib.suppress(OSError):
            leftover.unlink()
    return kf


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

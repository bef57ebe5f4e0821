"""Restore a backup into a NEW vault: a new data key, a new vault id, the restorer as manager.

All or nothing: the backup is checked in full first, and any problem while building the new
vault removes everything made (and the folder, if this created it).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from pyrage import x25519

from refuge_desk.domain.errors import UserError, ValidationError
from refuge_desk.domain.roles import Role
from refuge_desk.domain.text import clean
from refuge_desk.services import auth
from refuge_desk.services.export import keys
from refuge_desk.services.export.backup import (
    LAST_FAILURE_KEY,
    LAST_FILE_KEY,
    LAST_REASON_KEY,
    LAST_SUCCESS_KEY,
)
from refuge_desk.services.export.format import (
    MANIFEST,
    TABLES_DIR,
    Manifest,
    decode_row,
    dump_tables,
    open_members,
    table_columns,
)
from refuge_desk.services.export.verify import check_backup
from refuge_desk.services.session import Clock, system_clock
from refuge_desk.store import audit_repo, meta_repo, migrations, staff_repo, vault
from refuge_desk.store.db import Database, DatabaseError, VaultFull
from refuge_desk.store.keyslots import KeySlotFile, new_recovery_key, zero
from refuge_desk.store.vault import VaultFolder

BATCH = 1000
# Facts about the old vault's own backups: the new vault has a new id, so it starts afresh.
DROPPED_META = (LAST_SUCCESS_KEY, LAST_FILE_KEY, LAST_FAILURE_KEY, LAST_REASON_KEY)


@dataclass(frozen=True, slots=True)
class RestoreResult:
    folder: Path
    vault_id: str  # new
    from_vault_id: str
    backup_created_at: str
    recovery_key: str  # of the new vault: shown once
    manager_id: int
    disabled_staff: int  # other accounts, disabled until a manager resets their passphrase
    rows: dict[str, int]


def _check_target(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise UserError(f"{path} is not a folder.")
    if path.is_dir() and any(path.iterdir()):
        raise UserError(f"{path} is not empty. Choose an empty or new folder for the vault.")
    if not path.exists() and not path.parent.is_dir():
        raise UserError(f"The folder {path.parent} does not exist.")


def _load_rows(db: Database, path: Path, identity: x25519.Identity, manifest: Manifest) -> None:
    """Every row as it was (same ids). Triggers are off meanwhile; FTS is rebuilt after."""
    columns = {t: table_columns(db, t) for t in dump_tables(db)}
    if set(manifest.tables) != set(columns):
        raise UserError(
            "The backup's tables do not match its vault format, so it was not restored."
        )
    with db.transaction():
        db.execute("PRAGMA defer_foreign_keys = ON")  # parents may come after children
        triggers = [
            (str(r[0]), str(r[1]))
            for r in db.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        ]
        for name, _ in triggers:
            db.execute(f'DROP TRIGGER "{name}"')
        with open_members(path, identity) as members:
            for name, stream in members:
                if name == MANIFEST:
                    continue
                table = name[len(TABLES_DIR) : -len(".jsonl")]
                cols = columns[table]
                wanted = set(cols)
                listed = ", ".join(f'"{c}"' for c in cols)
                marks = ", ".join("?" for _ in cols)
                sql = f'INSERT INTO "{table}" ({listed}) VALUES ({marks})'
                sha = hashlib.sha256()
                count = 0
                batch: list[tuple[object, ...]] = []
                for line in stream:
                    sha.update(line)
                    row = decode_row(line)
                    if set(row) != wanted:
                        raise UserError(
                            f"A row of table {table} has columns its vault format does not "
                            "have, so the backup was not restored."
                        )
                    batch.append(tuple(row[c] for c in cols))
                    count += 1
                    if len(batch) >= BATCH:
                        db.executemany(sql, batch)
                        batch.clear()
                if batch:
                    db.executemany(sql, batch)
                if sha.hexdigest() != manifest.members[name] or count != manifest.tables[table]:
                    raise UserError(
                        "The backup file changed while it was being restored, so it was not."
                    )
        for vt in db.query("SELECT name, sql FROM sqlite_master WHERE sql LIKE '%fts5%'"):
            if str(vt[1]).upper().startswith("CREATE VIRTUAL TABLE"):
                db.execute(f'INSERT INTO "{vt[0]}" ("{vt[0]}") VALUES (\'rebuild\')')
        for _, sql in triggers:
            db.execute(sql)


def _take_over(
    db: Database, manifest: Manifest, vault_id: str, username: str, full_name: str, now: str
) -> tuple[int, int]:
    """The restorer becomes an active manager; every other account is disabled."""
    with db.transaction():
        old_id = meta_repo.get(db, "vault_id", manifest.vault_id)
        meta_repo.put(db, "vault_id", vault_id)
        meta_repo.put(db, "restored_from_vault_id", old_id)
        meta_repo.put(db, "restored_from_backup", manifest.created_at)
        meta_repo.put(db, "restored_at", now)
        for key in DROPPED_META:
            db.execute("DELETE FROM meta WHERE key = ?", (key,))
        existing = staff_repo.by_username(db, username)
        db.execute("UPDATE staff SET active = 0 WHERE active != 0")
        if existing is not None:
            uid = existing.id
            db.execute(
                "UPDATE staff SET active = 1, role = ? WHERE id = ?", (Role.MANAGER.value, uid)
            )
        else:
            uid = staff_repo.insert(db, username, full_name or username, Role.MANAGER, now, None)
        others = int(db.scalar("SELECT count(*) FROM staff WHERE id != ?", (uid,)))
        audit_repo.record(db, now, uid, "vault.restore", f"backup {manifest.created_at}")
    return uid, others


def _remove(folder: VaultFolder, made_folder: bool) -> None:
    for name in (
        vault.DB_NAME,
        vault.DB_NAME + "-wal",
        vault.DB_NAME + "-shm",
        vault.KEYSLOTS_NAME,
        vault.LOCK_NAME,  # the folder was empty before: leave it so
    ):
        with contextlib.suppress(OSError):
            (folder.path / name).unlink()
    if made_folder:
        with contextlib.suppress(OSError):
            folder.path.rmdir()


def restore(
    path: Path,
    identity: str | x25519.Identity,
    new_dir: Path,
    manager_username: str,
    full_name: str,
    passphrase: str,
    confirm: str | None = None,
    *,
    clock: Clock = system_clock,
) -> RestoreResult:
    """Build a new vault from a backup. Raises UserError / ValidationError; nothing half-made.

    If ``manager_username`` is in the backup, that account becomes an active manager (its
    name is kept); otherwise a new manager account is added with ``full_name``.
    """
    problems = auth.validate_username(manager_username)
    if problems:
        raise ValidationError(problems)
    username, full_name = manager_username.strip(), clean(full_name).strip()
    auth.check_new_passphrase(passphrase, confirm, [username, full_name])
    ident = keys.parse_identity(identity) if isinstance(identity, str) else identity
    folder = VaultFolder(Path(new_dir))
    _check_target(folder.path)
    checked = check_backup(Path(path), ident)
    if checked.problems or checked.manifest is None:
        raise ValidationError([*checked.problems, "Nothing was restored."])
    manifest = checked.manifest
    made_folder = not folder.path.exists()
    try:
        folder.path.mkdir(mode=0o700, exist_ok=True)
        if os.name == "posix":
            os.chmod(folder.path, 0o700)
    except OSError as exc:
        raise UserError(f"The folder {folder.path} could not be made ({exc.strerror}).") from exc
    folder.acquire()
    data_key = bytearray(secrets.token_bytes(32))
    db: Database | None = None
    try:
        now = clock().isoformat(timespec="seconds")
        db = Database(folder.db_path, data_key)
        migrations.migrate(db, manifest.schema_version)
        _load_rows(db, Path(path), ident, manifest)
        migrations.migrate(db)
        vault_id = str(uuid.uuid4())
        uid, others = _take_over(db, manifest, vault_id, username, full_name, now)
        if db.integrity_problems() or db.query("PRAGMA foreign_key_check"):
            raise UserError("The restored vault did not pass its checks, so it was removed.")
        slots = KeySlotFile(vault_id=vault_id)
        recovery_key = new_recovery_key()
        slots.set_recovery_slot(recovery_key, data_key)
        slots.set_user_slot(uid, username, passphrase, data_key)
        folder.save_keyslots(slots)
        db.close()
    except BaseException as exc:
        if db is not None:
            db.close()
        folder.release()
        _remove(folder, made_folder)
        if isinstance(exc, OSError):
            raise UserError(
                f"The new vault could not be written to {folder.path} ({exc.strerror}). "
                "Nothing was restored."
            ) from exc
        full = isinstance(exc, VaultFull)
        if full or (isinstance(exc, DatabaseError) and "full" in str(exc).lower()):
            raise UserError(
                f"The disk holding {folder.path} is full, so nothing was restored. Free some "
                "space or choose another folder; the backup itself is fine."
            ) from exc
        if isinstance(exc, DatabaseError | ValueError | OverflowError | TypeError):
            raise UserError(
                "The backup's rows could not be put back into a vault, so nothing was "
                "restored. The backup may have been made with a changed copy of Refuge Desk."
            ) from exc
        raise
    finally:
        zero(data_key)
        folder.release()
    return RestoreResult(
        folder.path,
        vault_id,
        manifest.vault_id,
        manifest.created_at,
        recovery_key,
        uid,
        others,
        dict(manifest.tables),
    )

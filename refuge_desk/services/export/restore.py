"""Restore a backup into a NEW vault: a new data key, a new vault id, the restorer as manager.

All or nothing: the backup is checked in full first, and any problem while building the new
vault removes everything made (and the folder, if this created it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyrage
from pyrage import x25519

from refuge_desk.domain.errors import UserError, ValidationError
from refuge_desk.domain.roles import Role
from refuge_desk.domain.staff import validate_username
from refuge_desk.domain.text import clean
from refuge_desk.services import access
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
from refuge_desk.services.keys_setup import found_keyfile
from refuge_desk.services.passphrase_policy import check_new_passphrase
from refuge_desk.services.session import Clock, system_clock
from refuge_desk.store import (
    audit_repo,
    crypto,
    grants,
    meta_repo,
    migrations,
    notes_repo,
    rota,
    staff_repo,
    vault,
)
from refuge_desk.store.crypto import AccountKeys, b64, new_key, unb64
from refuge_desk.store.db import Database, DatabaseError, VaultFull
from refuge_desk.store.grants import Kind
from refuge_desk.store.keyfile import CASE, MANAGERS, ROTA, user_ref
from refuge_desk.store.keymem import Keyring, take, wipe
from refuge_desk.store.keyslots import new_recovery_key
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
    # Restricted notes whose key the backup did not carry (made before its managers' key was
    # sealed for the backup key): kept, but they cannot be opened.
    unreadable_notes: int = 0


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
            (str(r["name"]), str(r["sql"]))
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
            if str(vt["sql"]).upper().startswith("CREATE VIRTUAL TABLE"):
                db.execute(f'INSERT INTO "{vt["name"]}" ("{vt["name"]}") VALUES (\'rebuild\')')
        for _, sql in triggers:
            db.execute(sql)


def _plainly(exc: BaseException, folder: VaultFolder) -> BaseException:
    """What went wrong while the new vault was being made, as one sentence."""
    if isinstance(exc, OSError):
        return UserError(
            f"The new vault could not be written to {folder.path} ({exc.strerror}). "
            "Nothing was restored."
        )
    full = isinstance(exc, VaultFull)
    if full or (isinstance(exc, DatabaseError) and "full" in str(exc).lower()):
        return UserError(
            f"The disk holding {folder.path} is full, so nothing was restored. Free some "
            "space or choose another folder; the backup itself is fine."
        )
    if isinstance(exc, DatabaseError | ValueError | OverflowError | TypeError):
        return UserError(
            "The backup's rows could not be put back into a vault, so nothing was "
            "restored. The backup may have been made with a changed copy of Refuge Desk."
        )
    return exc


def _signer(vault_id: str, me: AccountKeys) -> Callable[[int], audit_repo.Signer]:
    def for_user(uid: int) -> audit_repo.Signer:
        def sign(entry_hash: str) -> tuple[int, str]:
            return uid, b64(me.sign(audit_repo.signed_message(vault_id, entry_hash)))

        return sign

    return for_user


def _old_managers_key(manifest: Manifest, identity: x25519.Identity) -> bytearray | None:
    """The backed-up vault's managers' key, sealed in the manifest for the backup key."""
    sealed = (manifest.keys or {}).get("managers_key") or ""
    if not sealed:
        return None
    try:
        return take(pyrage.decrypt(unb64(str(sealed)), [identity]))
    except (pyrage.DecryptError, ValueError):
        return None


def _reseal_notes(
    db: Database,
    manifest: Manifest,
    old_managers: bytearray | None,
    vault_id: str,
    keys_ring: Keyring,
    uid: int,
    me: AccountKeys,
) -> int:
    """Restricted notes under the new vault's keys (their labels name the vault): opened
    with the backed-up managers' key, sealed again for the managers and, for her own notes,
    for the restorer. Returns how many could not be opened."""
    old_id = str((manifest.keys or {}).get("vault_id") or manifest.vault_id)
    managers = keys_ring.get(MANAGERS) or bytearray()
    old_private = crypto.managers_receive_key(old_managers) if old_managers else None
    unreadable = 0
    rows = db.query(
        "SELECT id, resident_id, author_id, sealed FROM case_notes WHERE sealed IS NOT NULL"
    )
    amended_by = {  # the author of the restricted note each restricted amendment corrects
        int(r["id"]): None if r["author_id"] is None else int(r["author_id"])
        for r in db.query(
            "SELECT a.id, o.author_id FROM case_notes a JOIN case_notes o ON o.id = a.amends_id "
            "WHERE a.sealed IS NOT NULL AND o.restricted = 1"
        )
    }
    with db.transaction():
        for row in rows:
            note_id, resident_id = row["id"], row["resident_id"]
            author_id, sealed = row["author_id"], row["sealed"]
            key = None
            for k in db.query(
                "SELECT recipient, wrapped FROM note_keys "
                "WHERE note_id = ? AND recipient IN (?, ?)",
                (note_id, notes_repo.MANAGERS, notes_repo.MANAGERS_PUBLIC),
            ):
                recipient, wrapped = k["recipient"], k["wrapped"]
                label = notes_repo.key_label(old_id, int(note_id), str(recipient))
                try:
                    if recipient == notes_repo.MANAGERS and old_managers is not None:
                        key = crypto.unseal(old_managers, bytes(wrapped), label)
                    elif old_private is not None:
                        key = crypto.unwrap(old_private, bytes(wrapped), label)
                except crypto.Unreadable:
                    key = None
                if key is not None:
                    break
            if key is None:
                unreadable += 1
                continue
            try:
                old_label = notes_repo.text_label(old_id, int(note_id), int(resident_id), author_id)
                plain = crypto.unseal(key, bytes(sealed), old_label)
            except crypto.Unreadable:
                unreadable += 1
                wipe(key)
                continue
            wipe(key)
            fresh = crypto.new_key()
            try:
                nid = int(note_id)
                label = notes_repo.text_label(vault_id, nid, int(resident_id), author_id)
                db.execute("DELETE FROM note_keys WHERE note_id = ?", (nid,))
                _replace_sealed(db, nid, crypto.seal(fresh, plain, label))
                managers_label = notes_repo.key_label(vault_id, nid, notes_repo.MANAGERS)
                notes_repo.put_key(
                    db, nid, notes_repo.MANAGERS, 1, crypto.seal(managers, fresh, managers_label)
                )
                people = sorted(
                    {user_ref(u) for u in (author_id, amended_by.get(nid)) if u is not None}
                )
                body = notes_repo.readers_body(vault_id, nid, int(resident_id), author_id, people)
                record = {"readers": people, "by": uid, "sig": b64(me.sign(body))}
                notes_repo.put_key(db, nid, notes_repo.READERS, 1, json.dumps(record).encode())
                if author_id == uid:
                    ref = user_ref(uid)
                    mine = notes_repo.key_label(vault_id, nid, ref)
                    notes_repo.put_key(
                        db, nid, ref, 1, crypto.wrap_to(me.receive_public, fresh, mine)
                    )
            finally:
                wipe(fresh)
                wipe(plain)
    return unreadable


def _replace_sealed(db: Database, note_id: int, sealed: bytes) -> None:
    """A restored note's text sealed again under the new vault's labels: the one place a
    note's row is rewritten, with the never-edited guard lifted for this transaction only."""
    guard = db.scalar(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'case_notes_never_edited'"
    )
    db.execute("DROP TRIGGER IF EXISTS case_notes_never_edited")
    db.execute("UPDATE case_notes SET sealed = ? WHERE id = ?", (sealed, note_id))
    if guard:
        db.execute(str(guard))


def _keep_previous_chain(db: Database, manifest: Manifest) -> str:
    """The backed-up vault's statements, so ``audit verify`` can still check the signatures
    of the entries made there (they were signed with that vault's keys). Returns the
    SHA-256 of what is kept ("" when nothing), for the restorer to sign (the case database
    is writable by every support worker: unsigned, it would vouch for any key)."""
    info = manifest.keys or {}
    if not info.get("statements"):
        return ""
    boundary = int(db.scalar("SELECT coalesce(max(id), 0) FROM audit_log"))
    eras = json.loads(meta_repo.get(db, "audit_previous_chains", "[]"))
    eras.append(
        {
            "upto": boundary,
            "vault_id": str(info.get("vault_id", "")),
            "root": str(info.get("root", "")),
            "statements": info["statements"],
        }
    )
    text = json.dumps(eras)
    meta_repo.put(db, "audit_previous_chains", text)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _take_over(
    db: Database,
    manifest: Manifest,
    vault_id: str,
    username: str,
    full_name: str,
    now: str,
    signer: Callable[[int], audit_repo.Signer],
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
    # After the previous chain's boundary is known (see _keep_previous_chain): signed anew.
    return uid, others


def restore(
    path: Path,
    identity: str | x25519.Identity,
    new_dir: Path | VaultFolder,
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

    ``new_dir`` must be an empty or missing folder whose parent exists. Given as a VaultFolder
    (the app's), the new vault stays claimed by it afterwards; given as a Path, the claim ends
    with the call.
    """
    problems = validate_username(manager_username)
    if problems:
        raise ValidationError(problems)
    username, full_name = manager_username.strip(), clean(full_name).strip()
    check_new_passphrase(passphrase, confirm, [username, full_name])
    ident = keys.parse_identity(identity) if isinstance(identity, str) else identity
    keep_claim = isinstance(new_dir, VaultFolder)
    folder = new_dir if isinstance(new_dir, VaultFolder) else VaultFolder(Path(new_dir))
    folder.check_new()  # before the slow check of the backup; claim_new checks again
    checked = check_backup(Path(path), ident)
    if checked.problems or checked.manifest is None:
        raise ValidationError([*checked.problems, "Nothing was restored."])
    manifest = checked.manifest
    try:
        new = vault.create(folder, manifest.schema_version)
    except BaseException as exc:
        if not keep_claim:
            folder.release()
        plain = _plainly(exc, folder)
        if plain is exc:
            raise
        raise plain from exc
    keys_ring = Keyring()
    keys_ring.put(CASE, new.case_key)
    keys_ring.put(ROTA, new.rota_key)
    keys_ring.put(MANAGERS, new_key())
    me = AccountKeys.generate()
    db = new.case_db
    unreadable = 0
    try:
        now = clock().isoformat(timespec="seconds")
        _load_rows(db, Path(path), ident, manifest)
        migrations.migrate(db)
        vault_id = new.vault_id
        signer = _signer(vault_id, me)
        uid, others = _take_over(db, manifest, vault_id, username, full_name, now, signer)
        if db.integrity_problems() or db.query("PRAGMA foreign_key_check"):
            raise UserError("The restored vault did not pass its checks, so it was removed.")
        recovery_key = new_recovery_key()
        kf, kek = found_keyfile(
            vault_id, uid, username, passphrase, me, keys_ring, now, recovery_key
        )
        wipe(kek)
        # The backup key she restored with (she holds its secret half): signed, so the new
        # vault's backups and the managers' key go to it, as the old vault's did.
        recipient = str(ident.to_public())
        keys.sign_backup_key(kf, me, uid, recipient, now)
        meta_repo.put(db, keys.RECIPIENT_KEY, recipient)
        access.wrap_for_backup(kf, recipient, keys_ring)
        for staff in staff_repo.all_staff(db):
            if staff.id != uid:  # kept for their history; a manager resets them to return
                tag = kf.tag_for(staff.username)
                for kind in (Kind.PENDING, Kind.DISABLE):
                    kf.statements.append(
                        grants.make(
                            kf.statements,
                            vault_id,
                            kind,
                            now,
                            me,
                            user_ref(uid),
                            user_id=staff.id,
                            tag=tag,
                            role=staff.role.value,
                        )
                    )
        old_managers = _old_managers_key(manifest, ident)
        try:
            unreadable = _reseal_notes(db, manifest, old_managers, vault_id, keys_ring, uid, me)
        finally:
            if old_managers is not None:
                wipe(old_managers)
        history = _keep_previous_chain(db, manifest)
        if history:
            kf.statements.append(
                grants.make(
                    kf.statements, vault_id, Kind.HISTORY, now, me, user_ref(uid), tag=history
                )
            )
        audit_repo.record(
            db, now, uid, "vault.restore", f"backup {manifest.created_at}", signer=signer(uid)
        )
        rota.rebuild(db, new.rota_db)
        folder.save_keyslots(kf)
        new.case_db.close()
        new.rota_db.close()
    except BaseException as exc:
        new.case_db.close()
        new.rota_db.close()
        folder.discard_new(new.made_folder)
        plain = _plainly(exc, folder)
        if plain is exc:
            raise
        raise plain from exc
    finally:
        keys_ring.wipe_all()
        if not keep_claim:
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
        unreadable,
    )

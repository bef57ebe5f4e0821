"""Back up, restore into a new folder, compare every table row by row."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pyrage
import pytest
from pyrage import x25519

from refuge_desk.domain.errors import WrongCredentials
from refuge_desk.domain.roles import Role
from refuge_desk.services import auth
from refuge_desk.services import staff as staff_service
from refuge_desk.services.export import backup, format, keys, restore, verify
from refuge_desk.store import meta_repo, migrations, staff_repo
from refuge_desk.store.db import Database
from refuge_desk.store.vault import VaultFolder
from tests.conftest import MANAGER, WORKER, FakeClock
from tests.services.export.conftest import Seeded, snapshot, unpack

NEW_PASSPHRASE = "walnut orchid lighthouse drizzle"
# Written by the restore itself; every other meta row comes back as it was.
RESTORE_META = {
    "audit_previous_chains",
    "vault_id",
    "restored_from_vault_id",
    "restored_from_backup",
    "restored_at",
}


def _restore_as(seeded: Seeded, path: Path, target: Path, who: str) -> restore.RestoreResult:
    return restore.restore(
        path, seeded.identity, target, who, "", NEW_PASSPHRASE, clock=seeded.session.clock
    )


def test_every_row_of_every_table_comes_back(seeded: Seeded, tmp_path: Path) -> None:
    source = seeded.session
    before = snapshot(source.db)
    assert before["plan_versions"] and before["plan_reviews"] and before["drafts"]
    assert before["children"] and before["abusers"] and before["audit_log"]

    made = backup.make_backup(source, seeded.dest)
    assert made.rows == {t: len(rows) for t, rows in before.items()}
    result = _restore_as(seeded, made.path, tmp_path / "restored", WORKER[0])

    restored = auth.sign_in(VaultFolder(tmp_path / "restored"), WORKER[0], NEW_PASSPHRASE)
    try:
        after = snapshot(restored.db)
        fts_words = ["a", "r", "z", "ب", "о"]
        fts = "SELECT rowid FROM residents_fts WHERE residents_fts MATCH ? ORDER BY rowid"
        for word in fts_words:  # the search index was rebuilt from the restored rows
            q = f'"{word}"*'
            assert restored.db.query(fts, (q,)) == source.db.query(fts, (q,))
    finally:
        restored.close()

    assert set(after) == set(before)
    for table in sorted(before):
        if table in ("staff", "meta", "audit_log"):
            continue
        assert after[table] == before[table], table
    # Staff: the restorer is an active manager; every other account is disabled; else equal.
    worker_id = result.manager_id
    for old, new in zip(before["staff"], after["staff"], strict=True):
        if new["id"] == worker_id:
            assert (new["role"], new["active"]) == (Role.MANAGER.value, 1)
        else:
            assert new["active"] == 0
        assert {k: v for k, v in new.items() if k not in ("role", "active")} == {
            k: v for k, v in old.items() if k not in ("role", "active")
        }
    # Meta: a new vault id and where it came from; the old vault's backup history is dropped.
    old_meta = {r["key"]: r["value"] for r in before["meta"]}
    new_meta = {r["key"]: r["value"] for r in after["meta"]}
    assert new_meta["vault_id"] != old_meta["vault_id"] == result.from_vault_id
    assert new_meta["restored_from_vault_id"] == old_meta["vault_id"]
    assert {k: v for k, v in new_meta.items() if k not in RESTORE_META} == {
        k: v for k, v in old_meta.items() if k != "vault_id"
    }
    # Audit: the old entries, then the restore's own, then her sign-in above.
    assert after["audit_log"][: len(before["audit_log"])] == before["audit_log"]
    extra = after["audit_log"][len(before["audit_log"]) :]
    assert [r["action"] for r in extra] == ["vault.restore", "signin"]
    assert result.disabled_staff == len(before["staff"]) - 1


def test_other_staff_come_back_disabled_until_a_manager_resets_them(
    seeded: Seeded, tmp_path: Path
) -> None:
    made = backup.make_backup(seeded.session, seeded.dest)
    target = tmp_path / "restored"
    _restore_as(seeded, made.path, target, "newboss")
    folder = VaultFolder(target)
    clock = seeded.session.clock
    assert isinstance(clock, FakeClock)
    with pytest.raises(WrongCredentials):  # no key slot: the old passphrase is useless
        auth.sign_in(folder, MANAGER[0], MANAGER[2], clock=clock, seconds=clock.seconds)
    clock.advance(3600)
    boss = auth.sign_in(folder, "newboss", NEW_PASSPHRASE, clock=clock, seconds=clock.seconds)
    try:
        assert boss.role is Role.MANAGER
        old_manager = staff_repo.by_username(boss.db, MANAGER[0])
        assert old_manager is not None and not old_manager.active
        staff_service.reset_passphrase(boss, old_manager.id, "amber violin cactus meadow")
    finally:
        boss.close()
    again = auth.sign_in(
        folder, MANAGER[0], "amber violin cactus meadow", clock=clock, seconds=clock.seconds
    )
    assert again.user.active
    again.close()


def test_the_age_tool_opens_a_backup_with_the_identity_alone(
    seeded: Seeded, tmp_path: Path
) -> None:
    made = backup.make_backup(seeded.session, seeded.dest)
    key_file = tmp_path / "key.txt"
    keys.write_identity_file(key_file, seeded.identity, seeded.session.now())
    age = shutil.which("age")
    if age is not None:
        plain = subprocess.run(
            [age, "-d", "-i", str(key_file), str(made.path)], capture_output=True, check=True
        ).stdout
    else:  # the standard tool is not installed here: the same format through pyrage
        plain = pyrage.decrypt(made.path.read_bytes(), [keys.read_identity_file(key_file)])
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r:gz") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]
    manifest = json.loads(members.pop(format.MANIFEST))
    assert manifest["format_version"] == 1 and manifest["kind"] == "backup"
    assert manifest["schema_version"] == migrations.LATEST
    assert manifest["vault_id"] == meta_repo.get(seeded.session.db, "vault_id")
    assert set(members) == set(manifest["members"])
    for name, data in members.items():
        assert hashlib.sha256(data).hexdigest() == manifest["members"][name]
        table = name.removeprefix("tables/").removesuffix(".jsonl")
        assert data.count(b"\n") == manifest["tables"][table]
    # One JSON object per line, column -> value.
    first = json.loads(members["tables/residents.jsonl"].splitlines()[0])
    assert {"id", "reference", "full_name", "notes"} <= set(first)


def test_rows_round_trip_every_sqlite_type() -> None:
    row = {"i": -(2**63), "f": 0.1, "t": "ش\nline\u2028two", "n": None, "b": b"\x00\xffbin"}
    line = format.encode_row(row)
    assert line.count(b"\n") == 1 and line.endswith(b"\n")
    assert format.decode_row(line) == row
    with pytest.raises(ValueError):
        format.decode_row(b'{"x": {"other": 1}}\n')
    with pytest.raises(ValueError):
        format.decode_row(b'{"x": [1, 2]}\n')


def test_a_backup_from_an_older_vault_format_is_restored_then_migrated(
    tmp_path: Path, clock: FakeClock
) -> None:
    """A version-5 vault (before the outcome columns) written as a backup by this code."""
    db = Database(tmp_path / "old.db", b"k" * 32)
    migrations.migrate(db, 5)
    stamp = "2025-01-02T03:04:05+00:00"
    with db.transaction():
        meta_repo.put(db, "vault_id", "0123abcd-0000-4000-8000-000000000000")
        db.execute(
            "INSERT INTO staff (id, username, full_name, role, active, created_at, updated_at) "
            "VALUES (1, 'old.boss', 'Old Boss', 'manager', 1, ?, ?)",
            (stamp, stamp),
        )
        db.execute(
            "INSERT INTO residents (id, ref_no, reference, full_name, status, created_at, "
            "updated_at) VALUES (7, 7, 'R-0007', 'Nadia Old', 'resident', ?, ?)",
            (stamp, stamp),
        )
    identity, public = keys.new_identity()
    made = backup.write_backup(
        db, tmp_path, x25519.Recipient.from_str(public), "0123abcd-0000", clock()
    )
    db.close()
    members = unpack(made.path.read_bytes(), identity)
    assert json.loads(members["manifest.json"])["schema_version"] == 5
    assert b"referral_outcome" not in members["tables/residents.jsonl"]

    restore.restore(made.path, identity, tmp_path / "new", "old.boss", "", NEW_PASSPHRASE)
    session = auth.sign_in(VaultFolder(tmp_path / "new"), "old.boss", NEW_PASSPHRASE)
    try:
        assert session.db.user_version == migrations.LATEST
        row = session.db.query_one("SELECT reference, referral_outcome FROM residents")
        assert tuple(row) == ("R-0007", "")  # type: ignore[arg-type]
        hits = session.db.query("SELECT rowid FROM residents_fts WHERE residents_fts MATCH 'nad*'")
        assert [r[0] for r in hits] == [7]
    finally:
        session.close()
    assert verify.verify_backup(made.path, identity) == []

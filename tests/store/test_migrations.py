"""Schema migrations on PRAGMA user_version: upgrade with an encrypted copy; atomic steps."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import pytest

from refuge_desk.store import migrations, vault
from refuge_desk.store.db import Database
from refuge_desk.store.vault import VaultFolder

NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)


def _tables(db: Database) -> set[str]:
    return {str(r[0]) for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}


@pytest.fixture
def v1_vault(tmp_path: Path) -> tuple[VaultFolder, bytes]:
    folder = VaultFolder(tmp_path / "vault")
    folder.path.mkdir()
    key = secrets.token_bytes(32)
    db = Database(folder.db_path, key)
    migrations.migrate(db, target=1)
    assert db.user_version == 1
    with db.transaction():
        db.execute("INSERT INTO meta (key, value) VALUES ('org_name', 'Upgrade Test Aid')")
        db.execute(
            "INSERT INTO staff (username, full_name, role, created_at, updated_at) "
            "VALUES ('mira', 'Mira Manager', 'manager', '2025-01-01', '2025-01-01')"
        )
    db.close()
    return folder, key


def test_steps_are_ordered_and_latest_is_the_last() -> None:
    versions = [v for v, _ in migrations.STEPS]
    assert versions == sorted(versions) == list(range(1, len(versions) + 1))
    assert versions[-1] == migrations.LATEST


def test_open_migrates_keeps_rows_and_leaves_an_encrypted_copy(
    v1_vault: tuple[VaultFolder, bytes],
) -> None:
    folder, key = v1_vault
    db = vault.open_database(folder, key, now=NOW)
    try:
        assert db.user_version == migrations.LATEST
        assert db.scalar("SELECT value FROM meta WHERE key = 'org_name'") == "Upgrade Test Aid"
        assert db.scalar("SELECT full_name FROM staff WHERE username = 'mira'") == "Mira Manager"
        assert {"drafts", "audit_log"} <= _tables(db)
    finally:
        db.close()

    copies = sorted(folder.path.glob("vault-v1-before-upgrade-*.db"))
    assert [c.name for c in copies] == ["vault-v1-before-upgrade-20261124T100000Z.db"]
    raw = copies[0].read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert b"Upgrade Test Aid" not in raw and b"Mira Manager" not in raw
    old = Database(copies[0], key)
    try:
        assert old.user_version == 1
        assert old.scalar("SELECT value FROM meta WHERE key = 'org_name'") == "Upgrade Test Aid"
        assert "drafts" not in _tables(old)
    finally:
        old.close()
    assert not list(folder.path.glob("*.tmp"))


def test_open_at_latest_takes_no_copy(v1_vault: tuple[VaultFolder, bytes]) -> None:
    folder, key = v1_vault
    vault.open_database(folder, key, now=NOW).close()
    vault.open_database(folder, key, now=NOW + dt.timedelta(hours=1)).close()
    assert len(list(folder.path.glob("vault-v*-before-upgrade-*.db"))) == 1


def _failing_v2(db: Database) -> None:
    db.executescript(migrations.V2_DRAFTS_AND_AUDIT)
    raise RuntimeError("disk full half way through")


def test_failing_step_rolls_back_entirely(
    v1_vault: tuple[VaultFolder, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, key = v1_vault
    monkeypatch.setattr(migrations, "STEPS", [migrations.STEPS[0], (2, _failing_v2)])
    db = Database(folder.db_path, key)
    try:
        with pytest.raises(RuntimeError):
            migrations.migrate(db, target=2)
        assert db.user_version == 1
        assert not {"drafts", "audit_log"} & _tables(db)
        assert db.scalar("SELECT value FROM meta WHERE key = 'org_name'") == "Upgrade Test Aid"
    finally:
        db.close()


def test_failing_step_during_open_leaves_the_vault_at_its_old_version(
    v1_vault: tuple[VaultFolder, bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, key = v1_vault
    monkeypatch.setattr(migrations, "STEPS", [migrations.STEPS[0], (2, _failing_v2)])
    with pytest.raises(RuntimeError):
        vault.open_database(folder, key, now=NOW)
    monkeypatch.undo()
    db = Database(folder.db_path, key)
    try:
        assert db.user_version == 1
        assert "drafts" not in _tables(db)
    finally:
        db.close()
    # The copy taken before the attempt is there, and a later open upgrades normally.
    assert len(list(folder.path.glob("vault-v1-before-upgrade-*.db"))) == 1
    db = vault.open_database(folder, key, now=NOW + dt.timedelta(minutes=1))
    assert db.user_version == migrations.LATEST
    db.close()

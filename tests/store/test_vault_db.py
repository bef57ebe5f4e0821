"""Opening the SQLCipher vault: PRAGMAs, wrong keys, tampering, truncation, newer versions."""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import stat
from pathlib import Path

import pytest

from refuge_desk.domain.errors import VaultCorrupt, VaultError
from refuge_desk.store import fs, migrations, vault
from refuge_desk.store.db import Database
from refuge_desk.store.keyfile import KeyFile
from refuge_desk.store.vault import VaultFolder


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _assert_plain(message: str) -> None:
    for technical in ("Traceback", "sqlcipher", "DatabaseError", "file is not a database"):
        assert technical not in message


def test_pragmas_in_effect_after_open(bare_vault: tuple[VaultFolder, bytes]) -> None:
    folder, key = bare_vault
    db = vault.open_database(folder, key)
    try:
        assert db.scalar("PRAGMA journal_mode") == "wal"
        assert db.scalar("PRAGMA foreign_keys") == 1
        assert db.scalar("PRAGMA secure_delete") == 1
        assert db.scalar("PRAGMA temp_store") == 2  # MEMORY
        assert db.scalar("PRAGMA synchronous") == 2  # FULL
        assert db.user_version == migrations.LATEST
        assert db.scalar("SELECT value FROM meta WHERE key = 'probe'") == "kept"
    finally:
        db.close()


def test_file_on_disk_is_encrypted(bare_vault: tuple[VaultFolder, bytes]) -> None:
    folder, _ = bare_vault
    raw = folder.db_path.read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert b"probe" not in raw and b"CREATE TABLE" not in raw


def test_wrong_data_key_is_refused_plainly(bare_vault: tuple[VaultFolder, bytes]) -> None:
    folder, key = bare_vault
    before = _digest(folder.db_path)
    with pytest.raises(VaultCorrupt) as err:
        vault.open_database(folder, secrets.token_bytes(32))
    assert str(folder.db_path) in str(err.value)
    _assert_plain(str(err.value))
    assert _digest(folder.db_path) == before
    vault.open_database(folder, key).close()  # the right key still opens it


def test_tampered_byte_is_refused_naming_the_file(bare_vault: tuple[VaultFolder, bytes]) -> None:
    folder, key = bare_vault
    data = bytearray(folder.db_path.read_bytes())
    assert len(data) >= 8 * 4096, "the test needs a file of several pages"
    middle = len(data) // 2
    for i in range(middle, middle + 4):
        data[i] ^= 0x5A
    folder.db_path.write_bytes(bytes(data))
    with pytest.raises(VaultCorrupt) as err:
        vault.open_database(folder, key)
    assert str(folder.db_path) in str(err.value)
    _assert_plain(str(err.value))


def test_tampered_first_page_is_refused(bare_vault: tuple[VaultFolder, bytes]) -> None:
    folder, key = bare_vault
    data = bytearray(folder.db_path.read_bytes())
    data[100] ^= 0x01
    folder.db_path.write_bytes(bytes(data))
    with pytest.raises(VaultCorrupt) as err:
        vault.open_database(folder, key)
    assert str(folder.db_path) in str(err.value)


@pytest.mark.parametrize("keep", [0.5, 0.2])
def test_truncated_file_is_refused(bare_vault: tuple[VaultFolder, bytes], keep: float) -> None:
    folder, key = bare_vault
    data = folder.db_path.read_bytes()
    folder.db_path.write_bytes(data[: int(len(data) * keep) + 100])  # not on a page boundary
    with pytest.raises(VaultCorrupt) as err:
        vault.open_database(folder, key)
    assert str(folder.db_path) in str(err.value)
    _assert_plain(str(err.value))


def test_full_check_reads_every_row(bare_vault: tuple[VaultFolder, bytes]) -> None:
    folder, key = bare_vault
    db = vault.open_database(folder, key, full_check=True)
    assert db.integrity_problems(read_rows=True) == []
    db.close()


def test_newer_vault_version_is_refused_and_left_unchanged(
    bare_vault: tuple[VaultFolder, bytes],
) -> None:
    folder, key = bare_vault
    db = Database(folder.db_path, key)
    db.execute(f"PRAGMA user_version = {migrations.LATEST + 1}")
    db.close()
    before = _digest(folder.db_path)
    names_before = sorted(p.name for p in folder.path.iterdir())
    with pytest.raises(VaultError) as err:
        vault.open_database(folder, key)
    assert not isinstance(err.value, VaultCorrupt)
    message = str(err.value)
    assert "newer version of Refuge Desk" in message
    assert str(folder.path) in message
    _assert_plain(message)
    assert _digest(folder.db_path) == before
    assert sorted(p.name for p in folder.path.iterdir()) == names_before  # no upgrade copy


def test_create_refuses_a_folder_that_already_holds_a_vault(
    bare_vault: tuple[VaultFolder, bytes],
) -> None:
    folder, _ = bare_vault
    before = _digest(folder.db_path)
    with pytest.raises(VaultError, match="already holds a vault"):
        vault.create(VaultFolder(folder.path))
    assert _digest(folder.db_path) == before


def test_create_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "holiday-photos.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(VaultError, match="not empty"):
        vault.create(VaultFolder(tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == ["holiday-photos.jpg"]


def test_load_keyslots_without_a_vault_says_so(tmp_path: Path) -> None:
    with pytest.raises(VaultError, match="There is no vault in"):
        VaultFolder(tmp_path).load_keyslots()


def test_missing_keyslots_next_to_a_vault_is_corrupt(
    bare_vault: tuple[VaultFolder, bytes],
) -> None:
    folder, _ = bare_vault
    folder.keyslots_path.unlink()
    with pytest.raises(VaultCorrupt) as err:
        folder.load_keyslots()
    assert str(folder.keyslots_path) in str(err.value)


def test_transaction_rolls_back_on_error(bare_vault: tuple[VaultFolder, bytes]) -> None:
    folder, key = bare_vault
    db = vault.open_database(folder, key)
    try:
        with pytest.raises(RuntimeError), db.transaction():
            db.execute("INSERT INTO meta (key, value) VALUES ('half', 'done')")
            raise RuntimeError("stop")
        assert db.scalar("SELECT count(*) FROM meta WHERE key = 'half'") == 0
    finally:
        db.close()
    assert db.closed


def test_emptied_file_is_refused_and_not_recreated(
    bare_vault: tuple[VaultFolder, bytes],
) -> None:
    folder, key = bare_vault
    folder.db_path.write_bytes(b"")  # what a crash or a sync tool can leave behind
    with pytest.raises(VaultCorrupt) as err:
        vault.open_database(folder, key)
    assert str(folder.db_path) in str(err.value)
    assert "empty" in str(err.value)
    assert folder.db_path.stat().st_size == 0


def test_missing_file_is_refused_and_not_recreated(
    bare_vault: tuple[VaultFolder, bytes],
) -> None:
    folder, key = bare_vault
    folder.db_path.unlink()
    with pytest.raises(VaultCorrupt, match="missing"):
        vault.open_database(folder, key)
    assert not folder.db_path.exists()


def test_database_without_a_schema_is_refused(tmp_path: Path) -> None:
    folder = VaultFolder(tmp_path)
    key = secrets.token_bytes(32)
    db = Database(folder.db_path, key)  # keyed, but never given the Refuge Desk schema
    db.close()
    with pytest.raises(VaultCorrupt, match="holds no Refuge Desk data"):
        vault.open_database(folder, key)


# -- file modes ----------------------------------------------------------------------------------
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix_only
def test_new_vault_is_owner_only_even_in_a_folder_made_0755(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        folder = VaultFolder(tmp_path / "vault")
        folder.path.mkdir(mode=0o755)  # as acquire() or the person may have made it
        new = vault.create(folder)
        with new.case_db.transaction():
            new.case_db.execute("INSERT INTO meta (key, value) VALUES ('probe', 'x')")
        folder.save_keyslots(KeyFile(new.vault_id, "root"))
        key = bytes(new.case_key)
        assert _mode(folder.path) == 0o700
        names = {p.name: _mode(p) for p in folder.path.iterdir()}
        assert names["vault.db"] == 0o600
        assert names["keyslots.json"] == 0o600
        assert names.get("vault.db-wal", 0o600) == 0o600
        new.close()
        db = vault.open_database(folder, key)
        try:
            for name in ("vault.db", "vault.db-wal", "vault.db-shm"):
                assert _mode(folder.path / name) == 0o600, name
        finally:
            db.close()
    finally:
        os.umask(old_umask)


@posix_only
def test_reopen_tightens_a_loose_database_file(bare_vault: tuple[VaultFolder, bytes]) -> None:
    folder, key = bare_vault
    os.chmod(folder.db_path, 0o644)
    db = vault.open_database(folder, key)
    try:
        assert _mode(folder.db_path) == 0o600
    finally:
        db.close()


def test_key_file_write_failure_is_a_plain_sentence(
    bare_vault: tuple[VaultFolder, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, _key = bare_vault
    before = folder.keyslots_path.read_bytes()
    slots = folder.load_keyfile()

    def read_only(*_args: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(fs, "atomic_write", read_only)
    with pytest.raises(VaultError) as err:
        folder.save_keyslots(slots)
    assert str(err.value) == (
        "The key file could not be written (is the disk full or read-only?). Nothing was changed."
    )
    assert folder.keyslots_path.read_bytes() == before

"""The vault folder and files are for this user only; a failed key-file write says so plainly."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from refuge_desk.domain.errors import VaultError
from refuge_desk.store import keyslots, vault
from refuge_desk.store.keyfile import KeyFile
from refuge_desk.store.vault import VaultFolder

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

    monkeypatch.setattr(keyslots, "atomic_write", read_only)
    with pytest.raises(VaultError) as err:
        folder.save_keyslots(slots)
    assert str(err.value) == (
        "The key file could not be written (is the disk full or read-only?). Nothing was changed."
    )
    assert folder.keyslots_path.read_bytes() == before

"""Store-level helpers: a bare vault (schema + recovery slot) without any staff account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from refuge_desk.store import vault
from refuge_desk.store.keyfile import KeyFile
from refuge_desk.store.vault import VaultFolder


@pytest.fixture
def bare_vault(tmp_path: Path) -> Iterator[tuple[VaultFolder, bytes]]:
    """A closed vault at the latest schema, with one row in meta; yields (folder, data key)."""
    folder = VaultFolder(tmp_path / "vault")
    new = vault.create(folder)
    with new.case_db.transaction():
        new.case_db.execute("INSERT INTO meta (key, value) VALUES ('probe', 'kept')")
    KeyFile(new.vault_id, "root").save(folder.keyslots_path)
    key = bytes(new.case_key)
    new.close()
    yield folder, key

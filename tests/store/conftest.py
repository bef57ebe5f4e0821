"""Store-level helpers: a bare vault (schema + recovery slot) without any staff account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from refuge_desk.store import vault
from refuge_desk.store.vault import VaultFolder


@pytest.fixture
def bare_vault(tmp_path: Path) -> Iterator[tuple[VaultFolder, bytes]]:
    """A closed vault at the latest schema, with one row in meta; yields (folder, data key)."""
    folder = VaultFolder(tmp_path / "vault")
    new = vault.create(folder)
    with new.db.transaction():
        new.db.execute("INSERT INTO meta (key, value) VALUES ('probe', 'kept')")
    new.keyslots.save(folder.keyslots_path)
    key = bytes(new.data_key)
    new.db.close()
    yield folder, key

"""A restore that adds a new manager cleans her name as every name entering a vault is."""

from __future__ import annotations

from pathlib import Path

import pytest

from refuge_desk.domain.errors import ValidationError
from refuge_desk.services import auth
from refuge_desk.services.export import backup, restore
from refuge_desk.store.vault import VaultFolder
from tests.services.export.conftest import Seeded

NEW_PASSPHRASE = "walnut orchid lighthouse drizzle"


def test_a_new_manager_name_is_cleaned_and_a_hidden_user_name_refused(
    seeded: Seeded, tmp_path: Path
) -> None:
    made = backup.make_backup(seeded.session, seeded.dest)
    with pytest.raises(ValidationError, match="invisible or control characters"):
        restore.restore(
            made.path, seeded.identity, tmp_path / "no", "new\u200bboss", "", NEW_PASSPHRASE
        )
    restore.restore(
        made.path,
        seeded.identity,
        tmp_path / "new",
        "newboss",
        "\u202eNora\u200b New\x00",
        NEW_PASSPHRASE,
    )
    session = auth.sign_in(VaultFolder(tmp_path / "new"), "newboss", NEW_PASSPHRASE)
    try:
        assert session.user.full_name == "Nora New"
    finally:
        session.close()

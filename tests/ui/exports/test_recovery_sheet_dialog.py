"""The recovery sheet: both secrets at set-up, and a manager's new sheet on demand."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from refuge_desk.domain.errors import PermissionDenied, UserError
from refuge_desk.services import auth, recovery
from refuge_desk.services.export import keys
from refuge_desk.store.vault import VaultFolder
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.exports.recovery_sheet_dialog import NewRecoverySheetDialog, recovery_sheet_pdf
from tests.conftest import MANAGER, WORKER, sign_in_as


def _text(pdf: bytes) -> str:
    return "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def _key_file(tmp_path: Path, identity: str, name: str = "key.txt") -> Path:
    path = tmp_path / name
    path.write_text(f"# a key file\n{identity}\n")
    return path


def test_a_new_sheet_with_the_current_backup_key_replaces_the_recovery_key(
    qtbot, manager_session, vault_dir, clock, tmp_path: Path
):
    identity = keys.generate_for(manager_session)
    dialogs = ScriptedDialogs(str(_key_file(tmp_path, identity)))
    dialog = NewRecoverySheetDialog(manager_session, dialogs)
    qtbot.addWidget(dialog)
    assert dialog.opt_current.isChecked()
    assert dialog.make() is True
    new_key = dialog.panel.key.text()
    assert new_key and dialog.panel.identity.text().replace(" ", "") == identity
    text = _text(dialog.panel.sheet_pdf())
    assert new_key.replace("-", "") in text.replace("-", "") and identity in text
    assert not dialog.done_button.isEnabled()
    dialog.panel.confirm.setChecked(True)
    dialog.done_button.click()
    assert recovery.is_confirmed(manager_session)
    assert dialog.panel.key.text() == ""  # forgotten once confirmed
    # the new key opens the vault; the backup key is unchanged
    manager_session.close()
    session = auth.recover(
        VaultFolder(vault_dir), new_key, MANAGER[0], "new harbour lantern quietly", clock=clock
    )
    assert keys.recipient(session) == str(keys.parse_identity(identity).to_public())
    session.close()


def test_a_key_file_for_another_vault_is_refused_plainly_and_nothing_changes(
    qtbot, manager_session, tmp_path: Path
):
    keys.generate_for(manager_session)
    other, _ = keys.new_identity()
    slots_before = manager_session.folder.keyslots_path.read_bytes()
    dialogs = ScriptedDialogs(str(_key_file(tmp_path, other)))
    dialog = NewRecoverySheetDialog(manager_session, dialogs)
    qtbot.addWidget(dialog)
    assert dialog.make() is False
    assert "different backup key" in dialog.error.text()
    assert manager_session.folder.keyslots_path.read_bytes() == slots_before
    assert dialog.pages.currentIndex() == 0


def test_a_new_backup_key_or_none_and_workers_cannot(qtbot, manager_session, vault_dir, clock):
    dialog = NewRecoverySheetDialog(manager_session, ScriptedDialogs())
    qtbot.addWidget(dialog)
    assert not dialog.opt_current.isEnabled() and dialog.opt_new.isChecked()  # no key yet
    assert dialog.make() is True
    identity = dialog.panel.identity.text().replace(" ", "")
    assert identity.startswith("AGE-SECRET-KEY-1")
    assert keys.recipient(manager_session) == str(keys.parse_identity(identity).to_public())
    only_key = recovery_sheet_pdf(manager_session, "AAAA-BBBB")
    assert "AGE-SECRET-KEY" not in _text(only_key)
    worker = sign_in_as(vault_dir, WORKER, clock)
    with pytest.raises(PermissionDenied):
        NewRecoverySheetDialog(worker, ScriptedDialogs())
    with pytest.raises(UserError):
        recovery.replace_key(worker)


def test_leaving_an_unconfirmed_sheet_asks_and_keeps_the_vault_unconfirmed(qtbot, manager_session):
    dialogs = ScriptedDialogs(False, True)  # "close anyway?": no, then yes
    dialog = NewRecoverySheetDialog(manager_session, dialogs)
    qtbot.addWidget(dialog)
    dialog.opt_none.setChecked(True)
    assert dialog.make() is True
    assert dialog.panel.identity.isHidden()
    dialog.reject()
    assert dialog.result() == 0 and dialog.panel.key.text()  # still open after "no"
    dialog.reject()
    assert not recovery.is_confirmed(manager_session)  # asked again at the next sign-in

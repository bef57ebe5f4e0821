"""Restore from a backup in the app: from the set-up wizard of an empty laptop to signed in,
with every resident back; a wrong key is refused inside the dialog and nothing is made."""

from __future__ import annotations

from pathlib import Path

import pytest

from refuge_desk.domain.errors import VaultInUse
from refuge_desk.domain.residents import Resident
from refuge_desk.services import residents
from refuge_desk.services.export import backup, keys
from refuge_desk.store.vault import VaultFolder
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.exports.restore_dialog import RestoreDialog
from refuge_desk.ui.shell.main_window import MainWindow
from tests.conftest import FakeClock

NEW_PASS = "harbour maple quietly ember"


def _backup(session, tmp_path: Path) -> tuple[Path, str]:
    for name in ("Lejla Hodžić", "Mariam Tesfaye"):
        residents.save(session, Resident(full_name=name))
    identity = keys.generate_for(session)
    folder = tmp_path / "usb"
    folder.mkdir()
    return backup.make_backup(session, folder).path, identity


def test_restore_from_the_setup_wizard_and_sign_in(qtbot, manager_session, tmp_path, clock):
    made, identity = _backup(manager_session, tmp_path)
    key_file = tmp_path / "key.txt"
    key_file.write_text(f"# backup key\n{identity}\n", "utf-8")
    (tmp_path / "new-laptop").mkdir()  # the app-data folder: the app makes it at start
    laptop = VaultFolder(tmp_path / "new-laptop" / "vault")
    done: list[bool] = []
    errors: list[str] = []

    def fill(dialog: RestoreDialog) -> None:
        assert isinstance(dialog, RestoreDialog)
        try:
            _fill_and_finish(dialog)
        finally:
            if not done:
                errors.append(dialog.error.text())
                dialog.reject()

    dialogs = ScriptedDialogs(fill, str(made), str(key_file))
    window = MainWindow(
        laptop, dialogs, clock=clock, idle_clock=clock.seconds, signin_seconds=clock.seconds
    )
    qtbot.addWidget(window)
    window.show()
    assert window.wizard is not None

    def _fill_and_finish(dialog: RestoreDialog) -> None:
        dialog.choose_file()
        dialog.load_key()
        assert dialog.key.toPlainText() == identity
        dialog.user.setText("amira")
        dialog.full_name.setText("Amira Haddad")
        dialog.fields.first.setText(NEW_PASS)
        dialog.fields.second.setText(NEW_PASS)
        assert dialog.run()
        assert len(dialog.recovery_key.text()) > 20
        assert not dialog.finish_button.isEnabled()
        dialog.confirm.setChecked(True)
        dialog.finish_button.click()
        done.append(True)

    window.wizard.restore_requested.emit()
    assert done == [True], errors
    assert window.session is not None and window.session.user.username == "amira"
    names = {r.full_name for r in residents.list_residents(window.session)}
    assert names == {"Lejla Hodžić", "Mariam Tesfaye"}
    # The window has held the restored vault since it was made: no other may open it.
    assert laptop.claimed
    with pytest.raises(VaultInUse):
        VaultFolder(laptop.path).acquire()
    window.shutdown()
    laptop.release()


def test_a_wrong_key_is_refused_and_nothing_is_made(qtbot, manager_session, tmp_path, clock):
    made, _identity = _backup(manager_session, tmp_path)
    other_identity, _ = keys.new_identity()
    laptop = VaultFolder(tmp_path / "new-laptop" / "vault")
    dialog = RestoreDialog(laptop, clock, ScriptedDialogs())
    qtbot.addWidget(dialog)
    dialog.file.setText(str(made))
    dialog.key.setPlainText(other_identity)
    dialog.user.setText("amira")
    dialog.full_name.setText("Amira Haddad")
    dialog.fields.first.setText(NEW_PASS)
    dialog.fields.second.setText(NEW_PASS)
    assert not dialog.run()
    assert dialog.error.text()
    assert not laptop.path.exists()
    assert isinstance(clock, FakeClock)

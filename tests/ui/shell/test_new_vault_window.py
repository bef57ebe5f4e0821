"""`refuge-desk --vault NEW`: the set-up wizard is shown for that folder and nothing exists
until it finishes; cancelling leaves nothing behind; two windows racing for one missing
folder cannot both make a vault there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWizard

from refuge_desk import app
from refuge_desk.domain.errors import VaultError, VaultInUse
from refuge_desk.store.instance_lock import IN_USE
from refuge_desk.store.vault import VaultFolder
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.shell.main_window import MainWindow
from refuge_desk.ui.shell.setup_wizard import SetupWizard
from tests.conftest import FakeClock
from tests.store.test_new_vault_folder import HOLD_NEW

PASSPHRASE = "marble otter quietly sings"


def _window(qtbot, folder: VaultFolder, clock: FakeClock) -> MainWindow:
    window = MainWindow(
        folder,
        ScriptedDialogs(),
        clock=clock,
        idle_clock=clock.seconds,
        signin_seconds=clock.seconds,
    )
    qtbot.addWidget(window)
    window.show()
    return window


def _fill_in(wizard: SetupWizard, username: str) -> None:
    wizard.org_page.org.setText("Harbour Women's Aid")
    wizard.org_page.refuge.setText("Lighthouse")
    wizard.next()
    page = wizard.manager_page
    page.username.setText(username)
    page.fields.first.setText(PASSPHRASE)
    page.fields.second.setText(PASSPHRASE)


def _finish(qtbot, wizard: SetupWizard) -> None:
    with qtbot.waitSignal(wizard.created, timeout=15000):
        wizard.next()
    wizard.key_page.confirm.setChecked(True)
    with qtbot.waitSignal(wizard.finished_setup, timeout=15000):
        wizard.button(QWizard.WizardButton.FinishButton).click()


def test_a_missing_folder_gets_the_wizard_and_nothing_until_it_finishes(
    qtbot, tmp_path: Path, clock: FakeClock
) -> None:
    target = tmp_path / "new-vault"
    folder = app.vault_for_window(target)  # run_gui's check before the window
    window = _window(qtbot, folder, clock)
    wizard = window.wizard
    assert wizard is not None and window.stack.currentWidget() is wizard
    _fill_in(wizard, "amira")
    assert not target.exists()
    _finish(qtbot, wizard)
    assert window.session is not None and window.session.user.username == "amira"
    assert {p.name for p in target.iterdir()} >= {"keyslots.json", "vault.db", "vault.lock"}
    # The window holds the vault from the moment it was made: a second one is refused.
    assert folder.claimed
    with pytest.raises(VaultInUse):
        VaultFolder(target).acquire()
    window.shutdown()
    folder.release()


def test_cancelling_the_wizard_leaves_nothing_behind(
    qtbot, tmp_path: Path, clock: FakeClock
) -> None:
    target = tmp_path / "new-vault"
    window = _window(qtbot, app.vault_for_window(target), clock)
    wizard = window.wizard
    assert wizard is not None
    _fill_in(wizard, "amira")
    wizard.reject()  # Cancel
    assert not window.isVisible()
    assert list(tmp_path.iterdir()) == []


def test_vault_for_window_refuses_what_cannot_become_a_vault(tmp_path: Path) -> None:
    some_file = tmp_path / "some-file.txt"
    some_file.write_text("x", encoding="utf-8")
    for target, sentence in (
        (some_file, f"{some_file} is not a folder."),
        (some_file / "v", f"{some_file} is not a folder, so there can be no vault in "),
        (tmp_path / "no" / "v", f"The folder {tmp_path / 'no'} does not exist."),
    ):
        with pytest.raises(VaultError) as err:
            app.vault_for_window(target)
        assert str(err.value).startswith(sentence)
    assert list(tmp_path.iterdir()) == [some_file]


def test_the_default_vault_gets_its_private_app_folder_but_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    folder = app.vault_for_window(None)
    assert folder.path == tmp_path / "data" / "RefugeDesk" / "vault"
    assert (tmp_path / "data" / "RefugeDesk").is_dir()
    assert not folder.path.exists()


def test_two_windows_racing_for_one_missing_folder(qtbot, tmp_path: Path, clock: FakeClock):
    target = tmp_path / "new-vault"
    first = _window(qtbot, app.vault_for_window(target), clock)
    second = _window(qtbot, app.vault_for_window(target), clock)
    assert first.wizard is not None and second.wizard is not None
    _fill_in(first.wizard, "amira")
    _fill_in(second.wizard, "bea")
    _finish(qtbot, first.wizard)
    keys_before = (target / "keyslots.json").read_bytes()
    late = second.wizard
    late.next()
    page = late.manager_page
    qtbot.waitUntil(lambda: bool(page.error.text()), timeout=15000)
    assert page.error.text() == f"{target} already holds a vault."
    assert late.currentPage() is page and late.session is None
    assert (target / "keyslots.json").read_bytes() == keys_before
    late.reject()  # she gives up: the first window's vault is untouched
    assert (target / "keyslots.json").read_bytes() == keys_before
    assert first.session is not None and first.session.user.username == "amira"
    first.shutdown()
    first.folder.release()


def test_another_window_making_a_vault_there_right_now(qtbot, tmp_path: Path, clock: FakeClock):
    target = tmp_path / "new-vault"
    window = _window(qtbot, app.vault_for_window(target), clock)
    assert window.wizard is not None
    _fill_in(window.wizard, "amira")
    other = subprocess.Popen(  # the other window's creation step, paused with the claim held
        [sys.executable, "-c", HOLD_NEW, str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "made"
        window.wizard.next()
        page = window.wizard.manager_page
        qtbot.waitUntil(lambda: bool(page.error.text()), timeout=15000)
        assert page.error.text() == IN_USE
        assert window.wizard.session is None
        assert [p.name for p in target.iterdir()] == ["vault.lock"]  # the other's, untouched
    finally:
        assert other.stdin is not None
        other.stdin.close()
        other.wait(timeout=30)


def test_cancel_is_ignored_while_the_vault_is_being_made(qtbot, tmp_path: Path, clock):
    target = tmp_path / "new-vault"
    window = _window(qtbot, app.vault_for_window(target), clock)
    wizard = window.wizard
    assert wizard is not None
    _fill_in(wizard, "amira")
    with qtbot.waitSignal(wizard.created, timeout=15000):
        wizard.next()  # made off the UI thread
        wizard.reject()  # Escape meanwhile: the vault would be made with its key never shown
        assert window.isVisible() and window.wizard is wizard
    assert wizard.session is not None and wizard.key_page.key.text()
    window.shutdown()
    window.folder.release()

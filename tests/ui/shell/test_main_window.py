"""The main window: lock sequence, unlock back to the same place, auto-lock, quick hide."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog

from refuge_desk.domain.residents import Child, Resident, Status
from refuge_desk.services import drafts, plans, residents, settings
from refuge_desk.services.session import Session
from refuge_desk.store.vault import VaultFolder
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.shell.main_window import MainWindow
from tests.conftest import MANAGER, VOLUNTEER, FakeClock, sign_in_as

NAME = "Оксана Петренко"


@pytest.fixture
def resident(manager_session: Session) -> Resident:
    return residents.save(
        manager_session,
        Resident(full_name=NAME, status=Status.REFERRAL, children=[Child(full_name="Ivan")]),
    )


def make_window(qtbot, vault_dir, clock: FakeClock, *answers: object) -> MainWindow:
    window = MainWindow(
        VaultFolder(vault_dir),
        ScriptedDialogs(*answers),
        clock=clock,
        idle_clock=clock.seconds,
        signin_seconds=clock.seconds,
    )
    qtbot.addWidget(window)
    window.show()
    return window


def unlock(qtbot, window: MainWindow, passphrase: str) -> None:
    window.signin.passphrase.setText(passphrase)
    with qtbot.waitSignal(window.signin.unlocked, timeout=15000):
        window.signin.submit()


def type_in_editor(qtbot, window: MainWindow, resident_id: int, extra: str) -> None:
    window.open_resident(resident_id)
    editor = window.editor
    assert editor is not None and window.workspace.currentWidget() is editor
    editor.full_name.end(False)
    qtbot.keyClicks(editor.full_name, extra)
    assert editor.has_unsaved_changes()


def test_lock_clears_everything_and_unlock_brings_her_back_with_her_typing(
    qtbot, manager_session, resident, vault_dir, clock
):
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    assert window.windowTitle() == "Refuge Desk"
    page = window.page("residents")
    assert page.model.rowCount() == 1
    type_in_editor(qtbot, window, resident.id, " Smith")
    window.editor.set_current_tab(2)
    key = manager_session.data_key

    window.acts.lock.trigger()

    assert not manager_session.is_open
    assert bytes(key) == bytes(len(key))  # the data key bytes we held are zeroed
    assert window.stack.currentWidget() is window.signin and window.signin.unlocking
    assert page.model.rowCount() == 0
    assert window.editor.full_name.text() == ""
    assert window.toolbar.isHidden()
    # The typed text is parked inside the vault, not lost.
    unlock(qtbot, window, MANAGER[2])
    assert window.workspace.currentWidget() is window.editor
    assert window.editor.full_name.text() == NAME + " Smith"
    assert window.editor.has_unsaved_changes()
    assert window.editor.current_tab() == 2  # the same tab she was on
    assert manager_session.is_open
    assert page.model.rowCount() == 1
    # Saving clears the parked draft.
    assert window.editor.save()
    assert [d for d in drafts.mine(manager_session) if d.kind == drafts.RESIDENT] == []
    assert residents.get(manager_session, resident.id).full_name == NAME + " Smith"
    window.shutdown()


def test_no_widget_keeps_resident_text_after_lock(
    qtbot, manager_session, resident, vault_dir, clock
):
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    window.page("residents").show_names.setChecked(True)
    window.open_resident(resident.id)
    window.lock("manual")
    from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QTextEdit

    texts = []
    for cls, getter in (
        (QLineEdit, "text"),
        (QLabel, "text"),
        (QPlainTextEdit, "toPlainText"),
        (QTextEdit, "toPlainText"),
    ):
        texts += [getattr(w, getter)() for w in window.findChildren(cls)]
    assert not [t for t in texts if "Оксана" in t or "Петренко" in t or "Ivan" in t]
    window.shutdown()


def test_auto_lock_after_idle_with_injected_clock(
    qtbot, manager_session, resident, vault_dir, clock
):
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    assert window.idle.timeout == settings.AUTO_LOCK_DEFAULT * 60
    clock.advance(4 * 60)
    window.idle.check()
    assert manager_session.is_open
    qtbot.keyClick(window.page("residents").search, Qt.Key.Key_A)  # activity resets it
    clock.advance(4 * 60)
    window.idle.check()
    assert manager_session.is_open
    clock.advance(61)
    window.idle.check()
    assert not manager_session.is_open
    assert window.signin.unlocking
    window.shutdown()


def test_manager_sets_auto_lock_minutes(qtbot, manager_session, vault_dir, clock):
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    settings.set_auto_lock_minutes(manager_session, 1)
    from refuge_desk.ui.admin.settings_dialog import SettingsDialog

    dialog = SettingsDialog(manager_session, window)
    assert dialog.auto_lock.value() == 1
    dialog.auto_lock.setValue(30)
    assert dialog.review_weeks.value() == 6
    dialog.review_weeks.setValue(8)
    dialog.save()
    assert settings.auto_lock_minutes(manager_session) == 30
    assert plans.review_weeks(manager_session) == 8
    window.shutdown()


def test_quick_hide_hides_every_window_within_200_ms_and_locks(
    qtbot, manager_session, resident, vault_dir, clock
):
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    type_in_editor(qtbot, window, resident.id, " X")
    extra = QDialog(window)
    extra.setWindowTitle("Some dialog")
    extra.show()
    with qtbot.waitActive(extra):
        extra.activateWindow()
    assert "F12" in window.acts.hide.text()
    qtbot.keyClick(extra, Qt.Key.Key_F12)  # works from any window, a dialog included
    assert not extra.isVisible()
    assert window.isMinimized() or not window.isVisible()
    assert window.stack.currentWidget() is window.signin  # comes back on the lock screen
    assert not manager_session.is_open
    kept = [d for d in _drafts_after_unlock(qtbot, window) if d.kind == drafts.RESIDENT]
    assert kept and NAME + " X" in kept[0].payload
    window.shutdown()


def _drafts_after_unlock(qtbot, window: MainWindow) -> list[drafts.DraftRow]:
    window.showNormal()
    unlock(qtbot, window, MANAGER[2])
    assert window.session is not None
    return drafts.mine(window.session)


def test_lock_closes_dialogs_and_clears_our_clipboard(qtbot, manager_session, vault_dir, clock):
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    dialog = QDialog(window)
    dialog.open()
    with qtbot.waitActive(window):
        window.activateWindow()
    QGuiApplication.clipboard().setText(NAME)  # copied while Refuge Desk is in front
    window.lock("manual")
    assert not dialog.isVisible()
    assert QGuiApplication.clipboard().text() == ""
    window.shutdown()


def test_lock_leaves_text_copied_in_another_program(qtbot, manager_session, vault_dir, clock):
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    window.clipboard._ours = None
    QGuiApplication.clipboard().blockSignals(True)  # as if another program had set it
    QGuiApplication.clipboard().setText("someone else's text")
    QGuiApplication.clipboard().blockSignals(False)
    window.lock("manual")
    assert QGuiApplication.clipboard().text() == "someone else's text"
    QGuiApplication.clipboard().clear()
    window.shutdown()


def test_typing_is_autosaved_and_offered_after_a_crash(
    qtbot, manager_session, resident, vault_dir, clock
):
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    type_in_editor(qtbot, window, resident.id, " Nowak")
    window.autosave_draft()  # what the 3-second timer does while she types
    # Crash: the process dies without locking; the next start signs her in again.
    window.hide()
    manager_session.close()
    fresh = sign_in_as(vault_dir, MANAGER, clock)
    second = make_window(qtbot, vault_dir, clock, "open")  # "Open them now"
    second.start_session(fresh)
    assert second.dialogs.asked and second.dialogs.asked[0][1] == "Unsaved changes kept"
    assert NAME not in second.dialogs.asked[0][2]  # the question names no one
    assert second.workspace.currentWidget() is second.editor
    assert second.editor.full_name.text() == NAME + " Nowak"
    second.shutdown()


def test_declining_a_kept_draft_discards_it(qtbot, manager_session, resident, vault_dir, clock):
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    type_in_editor(qtbot, window, resident.id, " Nowak")
    window.autosave_draft()
    window.sign_out()
    assert window.stack.currentWidget() is window.signin and not window.signin.unlocking
    fresh = sign_in_as(vault_dir, MANAGER, clock)
    second = make_window(qtbot, vault_dir, clock, "discard", True)  # and "yes, for good"
    second.start_session(fresh)
    assert drafts.mine(fresh) == []
    assert residents.get(fresh, resident.id).full_name == NAME
    second.shutdown()


def test_volunteer_gets_no_editor_no_staff_no_import(
    qtbot, manager_session, resident, vault_dir, clock
):
    vol = sign_in_as(vault_dir, VOLUNTEER, clock)
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(vol)
    assert window.editor is None
    assert not window.acts.staff.isVisible() and not window.acts.import_residents.isVisible()
    assert not window.acts.settings.isVisible()
    assert window.workspace.currentWidget() is window.page("home")  # her home: the rota
    assert not window.acts.tasks.isVisible() and not window.acts.notes.isVisible()
    window.show_section("residents")
    window.open_resident(resident.id)  # a volunteer's double-click opens nothing more
    page = window.page("residents")
    assert window.workspace.currentWidget() is page
    assert page.model.rows[0].full_name == ""
    window.shutdown()
    vol.close()


def test_first_run_shows_the_wizard_and_then_the_workspace(qtbot, tmp_path, clock):
    window = make_window(qtbot, tmp_path / "new", clock)
    wizard = window.wizard
    assert wizard is not None and window.stack.currentWidget() is wizard
    wizard.org_page.org.setText("Org")
    wizard.org_page.refuge.setText("Refuge")
    wizard.next()
    wizard.manager_page.username.setText("amira")
    wizard.manager_page.fields.first.setText("marble otter quietly sings")
    wizard.manager_page.fields.second.setText("marble otter quietly sings")
    with qtbot.waitSignal(wizard.created, timeout=15000):
        wizard.next()
    wizard.key_page.confirm.setChecked(True)
    wizard.accept()
    assert window.session is not None and window.session.user.username == "amira"
    assert window.stack.currentWidget() is window.workspace
    assert not window.toolbar.isHidden()
    window.shutdown()


def test_quick_hide_and_lock_work_inside_a_modal_dialog(
    qtbot, manager_session, resident, vault_dir, clock
):
    from PySide6.QtWidgets import QApplication, QMessageBox

    from refuge_desk.ui.common.dialogs import Dialogs

    class RealBoxes(ScriptedDialogs):
        """The app's own Save/Discard/Cancel box, worked by the test instead of exec()."""

        save_discard_cancel = Dialogs.save_discard_cancel

    seen: list[str] = []

    def press_f12_in_the_box(box: QMessageBox) -> None:
        seen.append(box.text())
        qtbot.keyClick(box.focusWidget() or box, Qt.Key.Key_F12)

    window = MainWindow(
        VaultFolder(vault_dir),
        RealBoxes(press_f12_in_the_box),
        clock=clock,
        idle_clock=clock.seconds,
        signin_seconds=clock.seconds,
    )
    qtbot.addWidget(window)
    window.show()
    window.start_session(manager_session)
    type_in_editor(qtbot, window, resident.id, " Modal")

    answer = window.editor.request_close()  # the real Save/Discard/Cancel box
    assert seen and "save" in seen[0].lower()
    assert answer is False  # the box was closed by the lock, nothing saved or discarded
    assert not manager_session.is_open
    assert window.isMinimized() or not window.isVisible()
    assert QApplication.activeModalWidget() is None
    window.showNormal()
    unlock(qtbot, window, MANAGER[2])
    assert window.editor.full_name.text() == NAME + " Modal"  # her typing came back

    # Ctrl+L from inside a modal dialog too.
    modal = QDialog(window)
    modal.setModal(True)
    modal.open()
    qtbot.keyClick(modal, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert not manager_session.is_open and not modal.isVisible()
    window.shutdown()


def test_quick_hide_during_sign_in_does_not_open_the_vault(
    qtbot, manager_session, vault_dir, clock
):
    manager_session.close()
    window = make_window(qtbot, vault_dir, clock)
    window.signin.username.setText(MANAGER[0])
    window.signin.passphrase.setText(MANAGER[2])
    with qtbot.waitSignal(window.signin.settled, timeout=15000):  # the derivation ends
        window.signin.submit()  # key derivation starts on a worker thread
        window.quick_hide()  # F12 straight after Enter
    assert window.session is None
    assert window.stack.currentWidget() is window.signin
    assert window.signin.passphrase.text() == ""
    window.shutdown()


def test_leaving_the_wizard_before_confirming_makes_a_new_key_next_time(qtbot, tmp_path, clock):
    from refuge_desk.services import auth, recovery

    folder = tmp_path / "v"
    window = make_window(qtbot, folder, clock)
    wizard = window.wizard
    wizard.org_page.org.setText("Org")
    wizard.org_page.refuge.setText("Refuge")
    wizard.next()
    wizard.manager_page.username.setText("amira")
    wizard.manager_page.fields.first.setText("marble otter quietly sings")
    wizard.manager_page.fields.second.setText("marble otter quietly sings")
    with qtbot.waitSignal(wizard.created, timeout=15000):
        wizard.next()
    first_key = wizard.key_page.key.text()
    wizard.reject()  # Escape on the key page
    assert window.wizard is wizard and window.session is None
    assert not wizard.key_page.warning.isHidden()
    window.close()  # she closes the window instead
    session = auth.sign_in(
        VaultFolder(folder),
        "amira",
        "marble otter quietly sings",
        clock=clock,
        seconds=clock.seconds,
    )
    assert not recovery.is_confirmed(session)
    second = make_window(qtbot, folder, clock)
    second.start_session(session)
    prompt = second.recovery_prompt
    assert prompt is not None and prompt.isVisible()
    new_key = prompt.key.text()
    assert new_key and new_key != first_key
    assert not prompt.ok.isEnabled()
    prompt.confirm.setChecked(True)
    prompt.ok.click()
    assert recovery.is_confirmed(session)
    second.shutdown()
    import pytest as _pytest

    from refuge_desk.domain.errors import WrongCredentials

    with _pytest.raises(WrongCredentials):
        auth.recover(VaultFolder(folder), first_key, "amira", "pebble harbour violin crane")
    auth.recover(VaultFolder(folder), new_key, "amira", "pebble harbour violin crane").close()


def test_keep_for_later_keeps_the_draft(qtbot, manager_session, resident, vault_dir, clock):
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    type_in_editor(qtbot, window, resident.id, " Later")
    window.sign_out()
    assert "unsaved changes were kept" in window.signin.error.text()
    fresh = sign_in_as(vault_dir, MANAGER, clock)
    second = make_window(qtbot, vault_dir, clock, "later")
    second.start_session(fresh)
    assert resident.reference in second.dialogs.asked[0][2]
    assert len(drafts.mine(fresh)) == 1
    second.shutdown()

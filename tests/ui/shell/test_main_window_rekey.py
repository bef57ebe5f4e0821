"""The main window around a rekey (a lock, quick hide or close asked for meanwhile waits for it,
and the timers leave the vault alone), and the sentences a sign-in or unlock leaves for her:
alarms loudly, notices calmly, each once."""

from __future__ import annotations

import logging
import tarfile
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from refuge_desk import APP_NAME
from refuge_desk.domain.errors import WrongCredentials
from refuge_desk.services import auth, retention
from refuge_desk.services.key_upgrade import MOVED
from refuge_desk.services.session import Session
from refuge_desk.ui.admin.staff_page import PassphraseSeenDialog, StaffPage
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.shell import main_window
from refuge_desk.ui.shell.main_window import ALARM_TITLE, MainWindow
from tests.conftest import MANAGER, WORKER, FakeClock, sign_in_as
from tests.raw import raw_connection
from tests.ui.admin.test_staff_rekey import (
    FIXTURE,
    NEW_PASSPHRASE,
    V01_MANAGER,
    active,
    hold_the_rekey,
)
from tests.ui.shell.test_main_window import make_window, unlock


def asked(window: MainWindow) -> list[tuple[str, str, str]]:
    assert isinstance(window.dialogs, ScriptedDialogs)
    return window.dialogs.asked


def staff_page_of(window: MainWindow, session: Session) -> StaffPage:
    window.start_session(session)
    window.show_section("staff")
    page = window.page("staff")
    assert isinstance(page, StaffPage) and page.runner is window.jobs
    page.select_user(WORKER[0])
    return page


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_a_lock_asked_for_during_a_rekey_waits_for_it_then_locks(
    qtbot: QtBot,
    manager_session: Session,
    vault_dir: Path,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    window = make_window(qtbot, vault_dir, clock, True)  # Yes: disable her account
    page = staff_page_of(window, manager_session)
    gate = hold_the_rekey(monkeypatch)
    assert window.editor is not None
    parked: list[int] = []
    monkeypatch.setattr(window.editor.casework, "park", lambda: parked.append(1))
    compacted: list[Session] = []
    monkeypatch.setattr(retention, "compact", compacted.append)
    later: list[int] = []

    class Timer:  # the compaction's "try again later", recorded instead of armed
        @staticmethod
        def singleShot(ms: int, _slot: object) -> None:
            later.append(ms)

    seen: dict[str, object] = {}

    def during() -> None:
        clock.advance(3600)
        window.idle.check()  # the idle lock is due
        window.acts.lock.trigger()  # and she presses Lock too
        window.autosave_draft()  # the 3-second tick
        with monkeypatch.context() as m:
            m.setattr(main_window, "QTimer", Timer)
            window.compact_if_idle()  # after a purge, once she is idle
        seen["compacted"], seen["compact later"] = list(compacted), list(later)
        dialog = window.jobs.dialog
        assert dialog is not None
        seen["open"] = manager_session.is_open
        seen["lock screen"] = window.stack.currentWidget() is window.signin
        seen["label"] = dialog.labelText()
        seen["parked"] = list(parked)
        gate.set()

    window.jobs.started.connect(lambda: QTimer.singleShot(0, during))
    with caplog.at_level(logging.INFO):
        assert page.disable() is True

    assert seen == {
        "open": True,  # the lock waited for the rekey
        "lock screen": False,
        "label": "Changing the vault's keys… This takes a few seconds.\n\n"
        "Refuge Desk locks as soon as this is done.",
        "parked": [],  # the autosave left the vault alone
        "compacted": [],  # so did the compaction: it tries again later
        "compact later": [main_window.COMPACT_DELAY_MS],
    }
    assert not manager_session.is_open
    assert window.stack.currentWidget() is window.signin and window.signin.unlocking
    assert [a for a in asked(window) if a[0] == "error"] == []
    no_errors_logged(caplog)
    assert not window.jobs.running and window.jobs.dialog is None

    unlock(qtbot, window, MANAGER[2])  # her passphrase opens the vault under its new keys
    assert window.stack.currentWidget() is window.workspace
    assert active(page, WORKER[0]) == "Disabled"
    with pytest.raises(WrongCredentials):
        sign_in_as(vault_dir, WORKER, clock)
    window.shutdown()


def test_quick_hide_during_a_rekey_hides_at_once_and_locks_when_it_ends(
    qtbot: QtBot,
    manager_session: Session,
    vault_dir: Path,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    window = make_window(qtbot, vault_dir, clock, True)
    page = staff_page_of(window, manager_session)
    gate = hold_the_rekey(monkeypatch)
    seen: dict[str, object] = {}

    def during() -> None:
        window.quick_hide()
        dialog = window.jobs.dialog
        seen["minimised"] = window.isMinimized()
        seen["bar hidden"] = dialog is not None and not dialog.isVisible()
        seen["open"] = manager_session.is_open
        gate.set()

    window.jobs.started.connect(lambda: QTimer.singleShot(0, during))
    assert page.disable() is True
    assert seen == {"minimised": True, "bar hidden": True, "open": True}
    assert not manager_session.is_open and window.signin.unlocking
    no_errors_logged(caplog)
    window.shutdown()


def test_closing_the_window_during_a_rekey_closes_it_when_the_rekey_ends(
    qtbot: QtBot,
    manager_session: Session,
    vault_dir: Path,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window(qtbot, vault_dir, clock, True)
    page = staff_page_of(window, manager_session)
    gate = hold_the_rekey(monkeypatch)
    seen: dict[str, object] = {}

    def during() -> None:
        seen["closed"] = window.close()
        seen["label"] = window.jobs.dialog.labelText() if window.jobs.dialog else ""
        seen["open"] = manager_session.is_open
        gate.set()

    window.jobs.started.connect(lambda: QTimer.singleShot(0, during))
    assert page.disable() is True
    assert seen["closed"] is False and seen["open"] is True
    assert str(seen["label"]).endswith("Refuge Desk closes as soon as this is done.")
    assert not window.isVisible() and not manager_session.is_open
    clock.advance(120)
    again = sign_in_as(vault_dir, MANAGER, clock)  # the rekey finished whole
    again.close()


def _delete_newest_audit_entries(vault_dir: Path, key: bytes, n: int = 3) -> None:
    """What an intruder holding the case key could do while the vault is locked."""
    conn = raw_connection(vault_dir / "vault.db", key, isolation_level=None, timeout=5.0)
    try:
        conn.execute("DELETE FROM audit_log WHERE id > (SELECT max(id) FROM audit_log) - ?", (n,))
    finally:
        conn.close()


def alarms(window: MainWindow) -> list[tuple[str, str, str]]:
    return [a for a in asked(window) if a[1] == ALARM_TITLE]


def sign_in_through_the_window(qtbot: QtBot, window: MainWindow, who: tuple[str, ...]) -> None:
    window.signin.username.setText(who[0])
    window.signin.passphrase.setText(who[2])
    with qtbot.waitSignal(window.signin.signed_in, timeout=15000):
        window.signin.submit()


def test_an_audit_alarm_at_sign_in_is_shown_loudly_once(
    qtbot: QtBot, manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    key = bytes(manager_session.data_key)
    auth.lock(manager_session)  # binds the log's head into her key slot
    _delete_newest_audit_entries(vault_dir, key)
    window = make_window(qtbot, vault_dir, clock)
    sign_in_through_the_window(qtbot, window, MANAGER)
    [(kind, _title, text)] = alarms(window)
    assert kind == "error"
    assert "entries were deleted and the chain was rebuilt outside Refuge Desk" in text
    assert "recorded this in the audit log" in text
    assert window.session is not None and window.session.alarms == []
    window.lock("manual")
    unlock(qtbot, window, MANAGER[2])
    assert len(alarms(window)) == 1  # once: this lock bound the log's head as it is now
    window.shutdown()


def test_an_audit_alarm_found_at_unlock_is_shown(
    qtbot: QtBot, manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    assert alarms(window) == []
    key = bytes(manager_session.data_key)
    window.lock("manual")
    _delete_newest_audit_entries(vault_dir, key)
    unlock(qtbot, window, MANAGER[2])
    [(kind, _title, text)] = alarms(window)
    assert kind == "error" and "entries were deleted" in text
    assert manager_session.alarms == []
    window.shutdown()


def test_the_notice_after_a_01_vault_moves_to_keys_per_account_is_shown_calmly_once(
    qtbot: QtBot, tmp_path: Path, clock: FakeClock
) -> None:
    with tarfile.open(FIXTURE) as tar:
        tar.extractall(tmp_path, filter="data")
    window = make_window(qtbot, tmp_path / "vault", clock)
    sign_in_through_the_window(qtbot, window, V01_MANAGER)
    notices = [a for a in asked(window) if a[2].startswith(MOVED)]
    assert [(kind, title) for kind, title, _text in notices] == [("info", APP_NAME)]
    assert "2 colleagues will move over when they next sign in" in notices[0][2]
    assert alarms(window) == []
    session = window.session
    assert session is not None and session.notices == []
    window.show_section("staff")
    page = window.page("staff")
    assert isinstance(page, StaffPage) and page.finish_button.isVisibleTo(page)
    window.lock("manual")
    unlock(qtbot, window, V01_MANAGER[2])
    assert len([a for a in asked(window) if a[2].startswith(MOVED)]) == 1
    window.shutdown()


def test_a_lock_during_the_rekey_of_passphrase_seen_closes_its_dialog_quietly(
    qtbot: QtBot,
    manager_session: Session,
    vault_dir: Path,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The rekey runs from inside the dialog's OK: the lock that follows it closes the dialog
    under its feet, and nothing may fail or be shown over the lock screen."""
    window = make_window(qtbot, vault_dir, clock)
    page = staff_page_of(window, manager_session)
    dialog = page.passphrase_seen()
    assert isinstance(dialog, PassphraseSeenDialog)
    dialog.passphrase.first.setText(NEW_PASSPHRASE)
    dialog.passphrase.second.setText(NEW_PASSPHRASE)
    gate = hold_the_rekey(monkeypatch)

    def during() -> None:
        window.lock("screen")
        gate.set()

    window.jobs.started.connect(lambda: QTimer.singleShot(0, during))
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert not dialog.isVisible() and not manager_session.is_open
    assert window.signin.unlocking and not page.done_note.isVisibleTo(page)
    assert [a for a in asked(window) if a[0] in ("error", "info")] == []
    no_errors_logged(caplog)
    clock.advance(120)
    sign_in_as(vault_dir, (WORKER[0], WORKER[1], NEW_PASSPHRASE), clock).close()
    unlock(qtbot, window, MANAGER[2])
    assert window.stack.currentWidget() is window.workspace
    window.shutdown()

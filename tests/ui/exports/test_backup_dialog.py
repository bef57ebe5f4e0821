"""Backups in the app: the key shown once, settings, Back up now, a due backup on lock (not on
quick hide), and the status line."""

from __future__ import annotations

import io
import threading
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QProgressBar, QPushButton

from refuge_desk.services.export import backup, keys
from refuge_desk.services.export import format as export_format
from refuge_desk.services.export.verify import verify_backup
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.exports.backup_dialog import BackupDialog, NewBackupKeyDialog
from tests.conftest import WORKER, FakeClock, sign_in_as
from tests.ui.shell.test_main_window import make_window, unlock


def _backups(folder: Path) -> list[Path]:
    return sorted(folder.glob("refuge-desk-*.age"))


def test_first_opening_makes_the_key_then_settings_and_back_up_now(
    qtbot, manager_session, tmp_path: Path
):
    folder = tmp_path / "usb"
    folder.mkdir()
    shown: list[str] = []

    def confirm_key(key_dialog: NewBackupKeyDialog) -> None:
        assert isinstance(key_dialog, NewBackupKeyDialog)
        shown.append(key_dialog.key.toPlainText())
        sheet = PdfReader(io.BytesIO(key_dialog.sheet_pdf())).pages[0].extract_text()
        assert key_dialog.identity in "".join(sheet.split())
        assert not key_dialog.done_button.isEnabled()
        key_dialog.confirm.setChecked(True)
        key_dialog.done_button.click()

    dialogs = ScriptedDialogs(confirm_key, str(folder))
    dialog = BackupDialog(manager_session, dialogs)
    qtbot.addWidget(dialog)
    dialog.show()  # no backup key yet: it is made and shown once
    assert dialogs.asked[0][:2] == ("dialog", "Your backup key")
    [identity] = shown
    assert identity.startswith("AGE-SECRET-KEY-1")
    assert keys.recipient(manager_session)  # only the public half is kept
    dialog.choose_folder()
    assert dialog.folder.text() == str(folder)
    dialog.keep.setValue(3)
    dialog.save()
    assert backup.settings(manager_session).keep == 3
    assert dialog.back_up_now()
    [made] = _backups(folder)
    assert verify_backup(made, identity) == []
    assert "Last good backup" in dialog.state.text()


def test_a_due_backup_runs_on_lock_but_never_on_quick_hide(
    qtbot, manager_session, vault_dir, clock: FakeClock, tmp_path: Path
):
    folder = tmp_path / "usb"
    folder.mkdir()
    keys.generate_for(manager_session)
    backup.save_settings(manager_session, folder, 1, 14)
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    assert "No backup made yet" in window.status_label.text()
    window.quick_hide()
    assert _backups(folder) == []
    window.showNormal()
    unlock(qtbot, window, "copper falcon pillow river")
    window.lock("manual")
    assert len(_backups(folder)) == 1
    unlock(qtbot, window, "copper falcon pillow river")
    assert "Last backup" in window.status_label.text()
    window.lock("manual")  # not due again within the day
    assert len(_backups(folder)) == 1
    window.shutdown()


def test_a_failed_backup_is_shown_and_a_worker_cannot_change_settings(
    qtbot, manager_session, vault_dir, clock: FakeClock, tmp_path: Path
):
    folder = tmp_path / "usb"
    folder.mkdir()
    keys.generate_for(manager_session)
    backup.save_settings(manager_session, folder, 1, 14)
    folder.rmdir()  # the USB stick was pulled
    manager_session.close()
    worker = sign_in_as(vault_dir, WORKER, clock)
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(worker)
    dialog = BackupDialog(worker, ScriptedDialogs())
    qtbot.addWidget(dialog)
    assert not dialog.settings_box.isEnabled()
    assert not dialog.back_up_now()
    assert "is not there" in dialog.error.text() or "not there" in dialog.state.text()
    window.update_status()
    assert "The last backup failed" in window.status_label.text()
    window.shutdown()


def test_check_a_backup_good_and_damaged(qtbot, manager_session, tmp_path: Path):
    folder = tmp_path / "usb"
    folder.mkdir()
    identity = keys.generate_for(manager_session)
    backup.save_settings(manager_session, folder, 1, 14)
    made = backup.make_backup(manager_session).path
    key_file = tmp_path / "key.txt"
    key_file.write_text(f"# created: today\n{identity}\n", "utf-8")
    damaged = tmp_path / "damaged.age"
    data = bytearray(made.read_bytes())
    data[len(data) // 2] ^= 1
    damaged.write_bytes(bytes(data))
    dialogs = ScriptedDialogs(str(made), str(key_file), None, str(damaged), str(key_file))
    dialog = BackupDialog(manager_session, dialogs)
    qtbot.addWidget(dialog)
    assert dialog.check_backup() is True
    assert dialogs.asked[-1][0] == "info" and "every part checks out" in dialogs.asked[-1][2]
    assert dialog.check_backup() is False
    assert dialogs.asked[-1][0] == "error" and "NOT usable" in dialogs.asked[-1][2]


def _gate_the_dump(monkeypatch) -> threading.Event:
    """Hold the backup's worker thread at its first table until the test lets it go."""
    gate = threading.Event()
    real = export_format.table_jsonl

    def held(db, table):
        assert gate.wait(10)
        return real(db, table)

    monkeypatch.setattr(export_format, "table_jsonl", held)
    return gate


def test_a_due_backup_on_close_shows_a_progress_bar_and_can_be_skipped(
    qtbot, manager_session, vault_dir, clock: FakeClock, tmp_path: Path, monkeypatch
):
    folder = tmp_path / "usb"
    folder.mkdir()
    keys.generate_for(manager_session)
    backup.save_settings(manager_session, folder, 1, 14)
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    gate = _gate_the_dump(monkeypatch)
    seen: dict[str, object] = {}

    def skip() -> None:
        dialog = window.backup_runner.dialog
        assert dialog is not None and window.backup_runner.busy
        seen["label"] = dialog.labelText()
        seen["range"] = (dialog.minimum(), dialog.maximum())
        seen["ui responsive"] = True  # this timer ran while the backup was under way
        skip_button = dialog.findChild(QPushButton)
        seen["button"] = skip_button.text()
        skip_button.click()
        gate.set()

    # The skip runs from the event loop while the worker is held: the UI stays responsive.
    window.backup_runner.started.connect(lambda: QTimer.singleShot(0, skip))
    window.lock("close")
    assert seen["label"] == "Making the backup that is due before Refuge Desk closes…"
    assert seen["range"] == (0, 1000) and seen["ui responsive"] is True
    assert seen["button"] == "Skip this time"
    assert list(folder.iterdir()) == []  # skipped: no backup and no partial file
    assert not manager_session.is_open and not window.backup_runner.busy
    window.shutdown()


def test_back_up_now_runs_in_the_background_and_moves_the_bar(
    qtbot, manager_session, tmp_path: Path, monkeypatch
):
    folder = tmp_path / "usb"
    folder.mkdir()
    keys.generate_for(manager_session)
    backup.save_settings(manager_session, folder, 1, 14)
    dialogs = ScriptedDialogs()
    dialog = BackupDialog(manager_session, dialogs)
    qtbot.addWidget(dialog)
    gate = _gate_the_dump(monkeypatch)
    values: list[int] = []

    def watch() -> None:
        bar = dialog.runner.dialog
        assert bar is not None
        bar.findChild(QProgressBar).valueChanged.connect(values.append)
        gate.set()

    dialog.runner.started.connect(lambda: QTimer.singleShot(0, watch))
    assert dialog.back_up_now() is True
    assert len(_backups(folder)) == 1
    assert values and values[-1] == 1000 and values == sorted(values)


def test_an_idle_lock_during_back_up_now_ends_quietly(
    qtbot, manager_session, vault_dir, clock: FakeClock, tmp_path: Path, monkeypatch
):
    """Review finding: the dialog read the closed vault after a lock and showed a crash."""
    folder = tmp_path / "usb"
    folder.mkdir()
    keys.generate_for(manager_session)
    backup.save_settings(manager_session, folder, 1, 14)
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    dialog = BackupDialog(manager_session, window.dialogs, window, window.backup_runner)
    gate = _gate_the_dump(monkeypatch)

    def idle_lock() -> None:
        gate.set()  # the worker goes on (and stops at the next table, or finishes)
        window.lock("idle")

    window.backup_runner.started.connect(lambda: QTimer.singleShot(0, idle_lock))
    assert dialog.back_up_now() in (True, False)  # no error escaped, nothing read after the lock
    assert not manager_session.is_open and not window.backup_runner.busy
    assert not [p for p in folder.iterdir() if p.name.endswith(".partial")]
    window.shutdown()

"""What the laptop may give away: screen capture (Windows call, tested with a stand-in for
user32 here), core dumps, the clipboard (concealed and cleared), lock on minimise."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog

from refuge_desk import os_protect
from refuge_desk.services import settings
from refuge_desk.ui.shell.capture_guard import CaptureGuard
from refuge_desk.ui.shell.clipboard import CONCEAL_FORMATS, ClipboardGuard
from tests.ui.shell.test_main_window import make_window


class FakeUser32:
    def __init__(self, refuse: set[int] = frozenset()) -> None:  # type: ignore[assignment]
        self.calls: list[tuple[int, int]] = []
        self.refuse = refuse

    def __call__(self, hwnd: int, value: int) -> bool:
        self.calls.append((hwnd, value))
        return value not in self.refuse


def test_windows_are_excluded_from_capture_with_a_fallback_and_a_training_switch() -> None:
    user32 = FakeUser32()
    assert os_protect.protect_window(42, False, user32) == "exclude"
    assert user32.calls == [(42, os_protect.WDA_EXCLUDEFROMCAPTURE)]
    older = FakeUser32(refuse={os_protect.WDA_EXCLUDEFROMCAPTURE})  # before Windows 10 2004
    assert os_protect.protect_window(7, False, older) == "monitor"
    assert older.calls == [(7, 0x11), (7, os_protect.WDA_MONITOR)]
    training = FakeUser32()
    assert os_protect.protect_window(9, True, training) == "allowed"
    assert training.calls == [(9, os_protect.WDA_NONE)]
    if sys.platform != "win32":
        assert os_protect.protect_window(1, False) == "unsupported"


def test_every_window_is_protected_when_shown(qtbot) -> None:
    user32 = FakeUser32()
    guard = CaptureGuard(set_affinity=user32)
    app = QGuiApplication.instance()
    app.installEventFilter(guard)
    try:
        dialog = QDialog()
        qtbot.addWidget(dialog)
        dialog.show()
        hwnd = int(dialog.winId())
        assert guard.applied[hwnd] == "exclude"
        assert (hwnd, os_protect.WDA_EXCLUDEFROMCAPTURE) in user32.calls
        guard.set_allowed(True, [dialog])
        assert guard.applied[hwnd] == "allowed"
    finally:
        app.removeEventFilter(guard)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX core-dump limits")
def test_core_dumps_are_off() -> None:
    # In a child process: the test runner itself should stay dumpable for debugging.
    code = (
        "import resource, sys; from refuge_desk import os_protect; "
        "done = os_protect.disable_core_dumps(); "
        "print(','.join(done)); print(resource.getrlimit(resource.RLIMIT_CORE)); "
        "print(open('/proc/self/status').read() if sys.platform.startswith('linux') else '')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "rlimit_core" in out and "(0, 0)" in out
    if sys.platform.startswith("linux"):
        assert "not_dumpable" in out


def test_copied_text_is_concealed_and_cleared_after_the_setting(qtbot, monkeypatch) -> None:
    monkeypatch.setattr(
        QGuiApplication,
        "applicationState",
        staticmethod(
            lambda: __import__("PySide6.QtCore").QtCore.Qt.ApplicationState.ApplicationActive
        ),
    )
    guard = ClipboardGuard(clear_after=1)
    clipboard = QGuiApplication.clipboard()
    try:
        clipboard.setText("R-0007 Amira's safe number")
        data = clipboard.mimeData()
        assert data.text() == "R-0007 Amira's safe number"
        for fmt in CONCEAL_FORMATS:
            assert data.hasFormat(fmt), fmt
        assert guard.timer.isActive() and guard.timer.interval() == 1000
        qtbot.waitUntil(lambda: clipboard.text() == "", timeout=3000)
    finally:
        guard.detach()
        clipboard.clear()


def test_minimising_locks_when_the_setting_is_on(qtbot, manager_session, vault_dir, clock):
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    assert window.lock_on_minimise is True  # the default
    window.showMinimized()
    qtbot.waitUntil(lambda: not manager_session.is_open, timeout=3000)
    window.shutdown()


def test_protection_settings_are_managers_only_and_checked(manager_session, vault_dir, clock):
    from refuge_desk.domain.errors import PermissionDenied, ValidationError
    from tests.conftest import WORKER, sign_in_as

    assert settings.protections(manager_session) == settings.Protections()
    with pytest.raises(ValidationError):
        settings.set_protections(manager_session, settings.Protections(False, 5, True))
    settings.set_protections(manager_session, settings.Protections(True, 60, False))
    assert settings.protections(manager_session) == settings.Protections(True, 60, False)
    worker = sign_in_as(vault_dir, WORKER, clock)
    with pytest.raises(PermissionDenied):
        settings.set_protections(worker, settings.Protections())
    worker.close()

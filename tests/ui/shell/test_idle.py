from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from refuge_desk.ui.shell.idle import IdleWatcher
from refuge_desk.ui.shell.screen_lock import (
    WM_WTSSESSION_CHANGE,
    WTS_SESSION_LOCK,
    ScreenLockMonitor,
    is_windows_lock_message,
)
from tests.conftest import FakeClock


def test_idle_fires_after_timeout_and_input_resets_it(qtbot):
    clock = FakeClock()
    watcher = IdleWatcher(300, clock.seconds)
    app = QApplication.instance()
    app.installEventFilter(watcher)
    try:
        edit = QLineEdit()
        qtbot.addWidget(edit)
        edit.show()
        watcher.start()
        clock.advance(299)
        with qtbot.assertNotEmitted(watcher.idle):
            watcher.check()
        qtbot.keyClick(edit, Qt.Key.Key_A)  # typing is activity
        clock.advance(200)
        with qtbot.assertNotEmitted(watcher.idle):
            watcher.check()
        QApplication.sendEvent(
            edit,
            QMouseEvent(
                QEvent.Type.MouseButtonPress,
                QPointF(2, 2),
                QPointF(2, 2),
                Qt.MouseButton.LeftButton,
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
            ),
        )
        clock.advance(299)
        with qtbot.assertNotEmitted(watcher.idle):
            watcher.check()
        clock.advance(1)
        with qtbot.waitSignal(watcher.idle, timeout=100):
            watcher.check()
        assert not watcher.enabled  # fires once until restarted
        with qtbot.assertNotEmitted(watcher.idle):
            watcher.check()
    finally:
        app.removeEventFilter(watcher)


def test_key_events_are_not_swallowed(qtbot):
    watcher = IdleWatcher(60, FakeClock().seconds)
    edit = QLineEdit()
    qtbot.addWidget(edit)
    ev = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
    assert watcher.eventFilter(edit, ev) is False


def test_screen_lock_messages():
    assert is_windows_lock_message(WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK)
    assert not is_windows_lock_message(WM_WTSSESSION_CHANGE, 0x8)  # unlock
    assert not is_windows_lock_message(0x0010, WTS_SESSION_LOCK)


def test_dbus_screensaver_activation_emits_screen_locked(qtbot):
    monitor = ScreenLockMonitor()
    with qtbot.waitSignal(monitor.screen_locked, timeout=100):
        monitor.on_active(True)
    with qtbot.assertNotEmitted(monitor.screen_locked):
        monitor.on_active(False)

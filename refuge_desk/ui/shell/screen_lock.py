"""Lock the vault when the computer's screen locks, where the OS tells us.

- Windows: WM_WTSSESSION_CHANGE with WTS_SESSION_LOCK (after WTSRegisterSessionNotification).
- Linux desktops: the org.freedesktop.ScreenSaver / org.gnome.ScreenSaver ActiveChanged signal
  on the session D-Bus.
- Elsewhere (or with no session bus) nothing is reported and the idle timer still applies.
"""

from __future__ import annotations

import contextlib
import sys

from PySide6.QtCore import SLOT, QAbstractNativeEventFilter, QCoreApplication, QObject, Signal, Slot

WM_WTSSESSION_CHANGE = 0x02B1
WTS_SESSION_LOCK = 0x7
WTS_CONSOLE_DISCONNECT = 0x2
WTS_REMOTE_DISCONNECT = 0x4

_DBUS_SERVICES = (
    ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"),
    ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"),
    ("org.mate.ScreenSaver", "/org/mate/ScreenSaver"),
)


def is_windows_lock_message(message: int, wparam: int) -> bool:
    return message == WM_WTSSESSION_CHANGE and wparam in (
        WTS_SESSION_LOCK,
        WTS_CONSOLE_DISCONNECT,
        WTS_REMOTE_DISCONNECT,
    )


class _WinFilter(QAbstractNativeEventFilter):  # pragma: no cover - Windows only
    def __init__(self, monitor: ScreenLockMonitor) -> None:
        super().__init__()
        self._monitor = monitor

    def nativeEventFilter(self, event_type: object, message: object) -> tuple[bool, int]:
        if bytes(event_type) == b"windows_generic_MSG":  # type: ignore[call-overload]
            import ctypes.wintypes

            msg = ctypes.wintypes.MSG.from_address(int(message))  # type: ignore[call-overload]
            if is_windows_lock_message(msg.message, msg.wParam):
                self._monitor.screen_locked.emit()
        return False, 0


class ScreenLockMonitor(QObject):
    screen_locked = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._filter: QAbstractNativeEventFilter | None = None
        self.source = "none"

    def install(self, app: QCoreApplication, window_id: int | None = None) -> None:
        if sys.platform == "win32":  # pragma: no cover - Windows only
            self._install_windows(app, window_id)
        else:
            self._install_dbus()

    def _install_windows(
        self, app: QCoreApplication, window_id: int | None
    ) -> None:  # pragma: no cover
        if sys.platform != "win32":
            return
        import ctypes

        self._filter = _WinFilter(self)
        app.installNativeEventFilter(self._filter)
        if window_id:
            with contextlib.suppress(OSError, AttributeError):
                ctypes.windll.wtsapi32.WTSRegisterSessionNotification(window_id, 0)
                self.source = "windows"

    def _install_dbus(self) -> None:
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:
            return
        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            return
        for service, path in _DBUS_SERVICES:
            iface = service
            # PySide6's stub types the slot as bytes, but only the str from SLOT() is accepted
            # (bytes raise ValueError: checked against a real session bus, PySide6 6.11).
            slot = SLOT("_on_active(bool)")
            if bus.connect(service, path, iface, "ActiveChanged", self, slot):  # type: ignore[call-overload]
                self.source = "dbus"

    @Slot(bool)
    def _on_active(self, active: bool) -> None:
        if active:
            self.screen_locked.emit()

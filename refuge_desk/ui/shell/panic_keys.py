"""F12 (quick hide) and Ctrl+L (lock) from anywhere, modal dialogs included.

QAction shortcuts do not fire while a modal dialog runs its own event loop, and quick hide
must never wait for a dialog to close. An application-wide event filter sees every key press
first, whatever window has focus.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent

HIDE_KEY = Qt.Key.Key_F12
LOCK_KEY = Qt.Key.Key_L


class PanicKeys(QObject):
    def __init__(
        self,
        on_hide: Callable[[], None],
        on_lock: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._on_hide = on_hide
        self._on_lock = on_lock

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.isAutoRepeat():
            return event.key() in (HIDE_KEY, LOCK_KEY) and self._matches(event)
        if not self._matches(event):
            return False
        if event.key() == HIDE_KEY:
            self._on_hide()
        else:
            self._on_lock()
        return True

    @staticmethod
    def _matches(event: QKeyEvent) -> bool:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() == HIDE_KEY:
            return mods == Qt.KeyboardModifier.NoModifier
        return event.key() == LOCK_KEY and mods == Qt.KeyboardModifier.ControlModifier

"""Know whether the clipboard still holds text copied from Refuge Desk, to clear it on lock.

``ownsClipboard()`` is only reliable on X11; elsewhere we note a digest (never the text) of
what arrived on the clipboard while our app was the active one.
"""

from __future__ import annotations

import contextlib
import hashlib

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class ClipboardGuard(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ours: str | None = None
        self._clipboard = QGuiApplication.clipboard()
        self._clipboard.dataChanged.connect(self._changed)
        self._attached = True

    def _changed(self) -> None:
        active = QGuiApplication.applicationState() == Qt.ApplicationState.ApplicationActive
        if active or self._clipboard.ownsClipboard():
            self._ours = _digest(self._clipboard.text())

    def holds_our_text(self) -> bool:
        if self._clipboard.ownsClipboard():
            return True
        text = self._clipboard.text()
        return bool(text) and self._ours == _digest(text)

    def clear_if_ours(self) -> bool:
        with contextlib.suppress(RuntimeError):
            if self.holds_our_text():
                self._clipboard.clear()
                self._ours = None
                return True
        return False

    def detach(self) -> None:
        if self._attached:
            self._attached = False
            self._clipboard.dataChanged.disconnect(self._changed)

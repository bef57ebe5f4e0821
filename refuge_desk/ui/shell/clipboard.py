"""Know whether the clipboard still holds text copied from Refuge Desk, to clear it on lock.

``ownsClipboard()`` is only reliable on X11; elsewhere we note a digest (never the text) of
what arrived on the clipboard while our app was the active one.
"""

from __future__ import annotations

import contextlib
import hashlib

from PySide6.QtCore import QMimeData, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication

# Hints that ask clipboard managers and OS clipboard history not to keep a copy (the same ones
# password managers use): KDE Klipper, macOS pasteboard managers, Windows clipboard history and
# cloud clipboard.
CONCEAL_FORMATS: dict[str, bytes] = {
    "x-kde-passwordManagerHint": b"secret",
    "org.nspasteboard.ConcealedType": b"",
    'application/x-qt-windows-mime;value="ExcludeClipboardContentFromMonitorProcessing"': b"1",
    'application/x-qt-windows-mime;value="CanIncludeInClipboardHistory"': b"\x00\x00\x00\x00",
    'application/x-qt-windows-mime;value="CanUploadToCloudClipboard"': b"\x00\x00\x00\x00",
}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class ClipboardGuard(QObject):
    """Text copied in Refuge Desk is re-offered with "do not keep" hints and cleared after
    ``clear_after`` seconds (if still ours), on lock and on exit."""

    def __init__(self, parent: QObject | None = None, clear_after: int = 30) -> None:
        super().__init__(parent)
        self._ours: str | None = None
        self._clipboard = QGuiApplication.clipboard()
        self._clipboard.dataChanged.connect(self._changed)
        self._attached = True
        self._concealing = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.clear_if_ours)
        self.clear_after = clear_after

    def _changed(self) -> None:
        if self._concealing:
            return
        active = QGuiApplication.applicationState() == Qt.ApplicationState.ApplicationActive
        if active or self._clipboard.ownsClipboard():
            text = self._clipboard.text()
            self._ours = _digest(text)
            if text:
                self._conceal(text)
                self.timer.start(self.clear_after * 1000)

    def _conceal(self, text: str) -> None:
        data = QMimeData()
        data.setText(text)
        for fmt, value in CONCEAL_FORMATS.items():
            data.setData(fmt, value)
        self._concealing = True
        try:
            self._clipboard.setMimeData(data)
        finally:
            self._concealing = False

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

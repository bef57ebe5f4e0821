"""Keeps every Refuge Desk window out of screen captures (Windows), as each one is shown."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from refuge_desk import os_protect


class CaptureGuard(QObject):
    """App-wide event filter: on each top-level window's first show, apply the policy."""

    def __init__(
        self,
        parent: QObject | None = None,
        set_affinity: os_protect.SetAffinity | None = None,
    ) -> None:
        super().__init__(parent)
        self.allow_capture = False  # a manager's setting, for training sessions
        self.set_affinity = set_affinity
        self.applied: dict[int, str] = {}  # native window id -> what was applied

    def apply(self, widget: QWidget) -> str:
        hwnd = int(widget.winId())
        result = os_protect.protect_window(hwnd, self.allow_capture, self.set_affinity)
        self.applied[hwnd] = result
        return result

    def set_allowed(self, allowed: bool, windows: list[QWidget]) -> None:
        self.allow_capture = allowed
        for w in windows:
            if w.isWindow() and w.isVisible():
                self.apply(w)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow():
            self.apply(watched)
        return False

"""Inactivity auto-lock: an app-wide event filter notes input; a timer compares with a clock.

The clock is injectable (seconds as float) so tests advance time instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
    QEvent.Type.InputMethod,
}


class IdleWatcher(QObject):
    idle = Signal()

    def __init__(
        self,
        timeout_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        poll_ms: int = 5000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self.timeout = timeout_seconds
        self.last_activity = clock()
        self.enabled = False
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        self.enabled = True
        self.last_activity = self._clock()
        self._timer.start()

    def stop(self) -> None:
        self.enabled = False
        self._timer.stop()

    def touch(self) -> None:
        self.last_activity = self._clock()

    def seconds_left(self) -> float:
        return max(0.0, self.timeout - (self._clock() - self.last_activity))

    def check(self) -> None:
        if self.enabled and self._clock() - self.last_activity >= self.timeout:
            self.stop()
            self.idle.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self.last_activity = self._clock()
        return False

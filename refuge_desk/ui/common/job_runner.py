"""Slow vault work (a backup, changing the vault's keys) on a worker thread, behind a
determinate progress dialog, while the screen stays responsive.

The vault's connection serialises use, and a rekey closes and reopens it: while a job runs
the UI thread must leave the vault alone. The main window skips its draft autosave and its
compaction while ``running``, and a lock, sign-out or close asked for during a job that
cannot stop halfway is done as soon as the job ends (``finished`` is emitted on the UI thread
just before ``run_job`` returns, after its dialog has closed). Whoever closes the vault calls
``wait()`` first.

A job either can be skipped (``cancel_text`` names the button; the progress callback then
raises ``cancel_with`` at the job's next step) or cannot (a rekey): then the dialog has no
button, and Escape or closing it does nothing.

``run_job`` waits in a ``QEventLoop`` of its own (not a dialog's ``exec()``): the loop ends
when the worker's ``finished`` arrives, so a test never waits on a person.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QProgressDialog, QWidget

STEPS = 1000  # the bar's resolution
Progress = Callable[[int, int], None]  # (done, total), called from the worker thread
T = TypeVar("T")


class JobProgressDialog(QProgressDialog):
    """The bar; without a cancel text it has no button and cannot be closed by her."""

    def __init__(self, text: str, cancel_text: str | None, parent: QWidget) -> None:
        super().__init__(text, cancel_text or "", 0, STEPS, parent)
        self.closable = cancel_text is not None
        if not self.closable:
            self.setCancelButton(None)

    def reject(self) -> None:
        if self.closable:  # Escape, or a lock closing every dialog
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.closable:
            super().closeEvent(event)
        else:
            event.ignore()

    def finish(self) -> None:
        self.closable = True
        self.close()


class _Relay(QObject):
    """Lives on the UI thread: the worker's signals reach the dialog through it (queued)."""

    progress = Signal(int, int)
    finished = Signal()

    def __init__(self, dialog: JobProgressDialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.progress.connect(self.show_progress)

    @Slot(int, int)
    def show_progress(self, done: int, total: int) -> None:
        self.dialog.setValue(min(STEPS, int(STEPS * done / total)) if total else 0)


class JobRunner(QObject):
    started = Signal()  # the worker is under way and the progress dialog is up
    finished = Signal()  # run_job is about to return (its dialog is closed)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._depth = 0  # run_job calls under way (a lock's backup may run inside another)
        self.cancellable = True  # of the job under way
        self.dialog: JobProgressDialog | None = None  # while one runs (tests look at it)

    @property
    def busy(self) -> bool:
        """The worker thread is still working."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def running(self) -> bool:
        """A job is under way: from the start of ``run_job`` until just before it returns."""
        return self._depth > 0

    def wait(self) -> None:
        """Block until a running job has stopped (it never needs the UI thread)."""
        if self._thread is not None:
            self._thread.join()

    def run_job(
        self,
        work: Callable[[Progress], T],
        parent: QWidget,
        *,
        title: str,
        text: str,
        cancel_text: str | None = None,
        cancel_with: type[BaseException] | None = None,
        name: str = "job_progress",
    ) -> T:
        """Run ``work(progress)`` on a worker thread, showing ``text`` above a bar; returns
        what it returns or raises what it raised (``cancel_with`` when she skipped it)."""
        if self.busy:
            self.wait()
        stop = threading.Event()
        result: list[T] = []
        error: list[BaseException] = []
        dialog = JobProgressDialog(text, cancel_text, parent)
        relay = _Relay(dialog)

        def report(done: int, total: int) -> None:
            if stop.is_set() and cancel_with is not None:
                raise cancel_with
            relay.progress.emit(done, total)

        def work_thread() -> None:
            try:
                result.append(work(report))
            except BaseException as exc:
                error.append(exc)
            finally:
                relay.finished.emit()

        dialog.setObjectName(name)
        dialog.setWindowTitle(title)
        dialog.setAccessibleName(title)
        dialog.setAccessibleDescription(text)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumWidth(440)
        if dialog.closable:
            dialog.canceled.connect(stop.set)  # the button, Escape or closing it
            dialog.rejected.connect(stop.set)  # closed by a lock
        loop = QEventLoop()
        relay.finished.connect(loop.quit)  # queued: emitted from the worker thread
        self._depth += 1
        outer = self.cancellable, self.dialog
        self.cancellable = dialog.closable
        self.dialog = dialog
        # Shown through QProgressDialog's own slot, so it knows: a hidden bar (quick hide)
        # would otherwise show itself again at its next value.
        dialog.forceShow()
        self._thread = threading.Thread(target=work_thread, name=name, daemon=False)
        self._thread.start()
        try:
            self.started.emit()
            loop.exec()
            self.wait()
        finally:
            self.cancellable, self.dialog = outer
            if dialog.closable:
                dialog.canceled.disconnect(stop.set)
                dialog.rejected.disconnect(stop.set)
            dialog.finish()
            dialog.deleteLater()
            relay.deleteLater()
            self._depth -= 1
            self.finished.emit()
        if error:
            raise error[0]
        return result[0]

"""A backup on a worker thread, behind a progress bar, with "Skip this time".

The vault's connection serialises use (one lock in ``Database``) and the backup reads in one
transaction, so the UI thread stays responsive only while it leaves the vault alone: the main
window skips its draft autosave while ``busy`` (the next tick parks). A backup of 20,000
residents holds the vault for about a third of a second. Whoever closes the vault calls
``wait()`` first.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from refuge_desk.services.export import backup
from refuge_desk.services.session import Session

STEPS = 1000  # the bar's resolution


class _Bridge(QObject):
    progress = Signal(int, int)
    finished = Signal()


class BackupRunner(QObject):
    started = Signal()  # the worker is under way and the progress dialog is up

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self.dialog: QProgressDialog | None = None  # while one runs (tests look at it)

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self) -> None:
        """Block until a running backup has stopped (it never needs the UI thread)."""
        if self._thread is not None:
            self._thread.join()

    def run(
        self,
        session: Session,
        parent: QWidget,
        text: str,
        skip_text: str = "Skip this time",
        folder: Path | None = None,
    ) -> backup.BackupResult:
        """Back up now, showing progress; returns the result or raises what make_backup raises
        (``UserError`` with a plain sentence, ``backup.Cancelled`` when she skipped)."""
        if self.busy:
            self.wait()
        bridge = _Bridge()
        stop = threading.Event()
        outcome: dict[str, object] = {}

        def report(done: int, total: int) -> None:
            if stop.is_set():
                raise backup.Cancelled
            bridge.progress.emit(done, total)

        def work() -> None:
            try:
                outcome["result"] = backup.make_backup(session, folder, report)
            except BaseException as exc:
                outcome["error"] = exc
            finally:
                bridge.finished.emit()

        dialog = QProgressDialog(text, skip_text, 0, STEPS, parent)
        dialog.setObjectName("backup_progress")
        dialog.setWindowTitle("Backup")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(stop.set)  # the button, Escape or closing it
        dialog.rejected.connect(stop.set)  # closed by a lock
        bridge.progress.connect(
            lambda done, total: dialog.setValue(int(STEPS * done / total) if total else 0)
        )
        loop = QEventLoop()
        bridge.finished.connect(loop.quit)  # queued: emitted from the worker thread
        self.dialog = dialog
        dialog.show()
        self._thread = threading.Thread(target=work, name="backup", daemon=False)
        self._thread.start()
        self.started.emit()
        try:
            loop.exec()
            self.wait()
        finally:
            self.dialog = None
            dialog.canceled.disconnect(stop.set)
            dialog.rejected.disconnect(stop.set)
            dialog.close()
            dialog.deleteLater()
        error = outcome.get("error")
        if isinstance(error, BaseException):
            raise error
        result = outcome["result"]
        assert isinstance(result, backup.BackupResult)
        return result

"""A backup on a worker thread, behind a progress bar, with "Skip this time".

The vault's connection serialises use and the backup reads in one transaction, so the UI
thread stays responsive only while it leaves the vault alone: the main window skips its draft
autosave while the runner is ``busy`` (the next tick parks). A backup of 20,000 residents
holds the vault for about a third of a second. Whoever closes the vault calls ``wait()``
first. The thread, the bar and the waiting are ui/common/job_runner.py's.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from refuge_desk.services.export import backup
from refuge_desk.services.session import Session
from refuge_desk.ui.common.job_runner import STEPS, JobRunner, Progress

__all__ = ["STEPS", "BackupRunner"]


class BackupRunner(JobRunner):
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

        def work(report: Progress) -> backup.BackupResult:
            return backup.make_backup(session, folder, report)

        return self.run_job(
            work,
            parent,
            title="Backup",
            text=text,
            cancel_text=skip_text,
            cancel_with=backup.Cancelled,
            name="backup_progress",
        )

"""Backups: when the last good one was made, "Back up now", and (managers) where and how often.

A vault made before backups existed gets its backup key the first time a manager opens this:
the secret half is shown once, with its recovery sheet to print, and never stored.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.dates import stamp_text
from refuge_desk.domain.errors import UserError
from refuge_desk.services.export import backup, keys
from refuge_desk.services.export.verify import verify_backup
from refuge_desk.services.session import Session
from refuge_desk.ui.common import style
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import ErrorBox, wait_cursor
from refuge_desk.ui.common.pdf_preview import PdfPreviewDialog
from refuge_desk.ui.exports.backup_runner import BackupRunner
from refuge_desk.ui.exports.recovery_sheet_dialog import NewRecoverySheetDialog, recovery_sheet_pdf


def status_text(session: Session) -> tuple[str, bool]:
    """One line for the status bar, and whether it is a warning."""
    st = backup.status(session)
    if not st.configured:
        return "Backups are not set up", True
    if st.failure_reason:
        return "The last backup failed: open Backups… to see why", True
    if st.last_success is None:
        return "No backup made yet", True
    when = stamp_text(st.last_success.isoformat())
    return (f"Backup overdue (last {when})", True) if st.overdue else (f"Last backup {when}", False)


class NewBackupKeyDialog(QDialog):
    """The secret backup key, shown once: print the sheet or write it down, then confirm."""

    def __init__(
        self, session: Session, identity: str, dialogs: Dialogs, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your backup key")
        self.session = session
        self.identity = identity
        self.dialogs = dialogs
        intro = QLabel(
            "Every backup of this vault opens with this secret key. It is shown only now and is "
            "not kept on this laptop. Print the recovery sheet (or write the key down exactly) "
            "and keep it in the office safe."
        )
        intro.setWordWrap(True)
        self.key = QPlainTextEdit(identity)
        self.key.setObjectName("backup_identity")
        self.key.setAccessibleName("Backup key")
        self.key.setReadOnly(True)
        self.key.setMaximumHeight(70)
        self.print_button = QPushButton("Print recovery sheet…")
        self.print_button.clicked.connect(lambda: self.print_sheet())
        self.confirm = QCheckBox("I have printed or written down the backup key")
        self.done_button = QPushButton("Done")
        self.done_button.setObjectName("primary")
        self.done_button.setEnabled(False)
        self.confirm.toggled.connect(self.done_button.setEnabled)
        self.done_button.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.print_button)
        row.addStretch(1)
        row.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.key)
        layout.addWidget(self.confirm)
        layout.addLayout(row)

    def sheet_pdf(self) -> bytes:
        return recovery_sheet_pdf(self.session, identity=self.identity)

    def print_sheet(self) -> None:
        preview = PdfPreviewDialog(
            self.sheet_pdf(),
            "Recovery sheet",
            self.dialogs,
            lambda: None,
            lambda: None,
            self,
            suggested_name="recovery-sheet.pdf",
        )
        self.dialogs.run(preview)

    def reject(self) -> None:
        # Closing without confirming would lose the only copy of the key: ask first.
        if self.confirm.isChecked() or self.dialogs.confirm(
            self,
            "Backup key not saved?",
            "You have not confirmed that the backup key is printed or written down. Without "
            "it no backup can be opened. Close anyway?",
        ):
            super().reject()


class BackupDialog(QDialog):
    def __init__(
        self,
        session: Session,
        dialogs: Dialogs,
        parent: QWidget | None = None,
        runner: BackupRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self.runner = runner or BackupRunner(self)
        self.setWindowTitle("Backups")
        manager = session.role.manages_settings
        self.state = QLabel()
        self.state.setObjectName("backup_state")
        self.state.setWordWrap(True)
        self.error = ErrorBox()
        self.now_button = QPushButton("Back up &now")
        self.now_button.setObjectName("primary")
        self.now_button.clicked.connect(lambda: self.back_up_now())

        conf = backup.settings(session)
        self.folder = QLineEdit(conf.folder)
        self.folder.setObjectName("backup_folder")
        self.folder.setAccessibleName("Backup folder")
        self.folder.setPlaceholderText("e.g. the encrypted USB drive or a network share")
        browse = QPushButton("Choose…")
        browse.clicked.connect(lambda: self.choose_folder())
        self.interval = QSpinBox()
        self.interval.setObjectName("backup_interval")
        self.interval.setRange(*backup.INTERVAL_RANGE)
        self.interval.setSuffix(" day(s)")
        self.interval.setValue(conf.interval_days)
        self.keep = QSpinBox()
        self.keep.setObjectName("backup_keep")
        self.keep.setRange(*backup.KEEP_RANGE)
        self.keep.setValue(conf.keep)
        self.verify_button = QPushButton("&Check a backup…")
        self.verify_button.setToolTip(
            "Open a backup with the key from the recovery sheet and check it"
        )
        self.verify_button.clicked.connect(lambda: self.check_backup())
        self.new_key_button = QPushButton("Make a new backup key…")
        self.new_key_button.clicked.connect(lambda: self.new_key())
        self.sheet_button = QPushButton("New recovery sheet…")
        self.sheet_button.setToolTip(
            "Print a new sheet with a new vault recovery key and the backup key"
        )
        self.sheet_button.clicked.connect(lambda: self.new_sheet())
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Back up to:", folder_row)
        form.addRow("Back up every:", self.interval)
        form.addRow("Keep the newest:", self.keep)
        key_row = QHBoxLayout()
        key_row.addWidget(self.new_key_button)
        key_row.addWidget(self.sheet_button)
        key_row.addStretch(1)
        form.addRow("", key_row)
        settings_box = QWidget()
        settings_box.setLayout(form)
        settings_box.setEnabled(manager)
        self.settings_box = settings_box
        note = QLabel(
            "A backup is made when Refuge Desk locks, signs out or closes and one is due. It "
            "is encrypted to the organisation's backup key: only the recovery sheet opens it."
            + ("" if manager else " Only a manager can change these settings.")
        )
        note.setWordWrap(True)
        note.setObjectName("muted")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(manager)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.state, 1)
        top.addWidget(self.verify_button)
        top.addWidget(self.now_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(settings_box)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(640, 320)
        self.refresh()

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        if self.session.role.manages_settings and not keys.recipient(self.session):
            self.new_key()  # vaults made before backups existed get their key now

    def refresh(self) -> None:
        st = backup.status(self.session)
        lines = []
        if st.last_success:
            lines.append(f"Last good backup: {stamp_text(st.last_success.isoformat())}")
            if st.last_file:
                lines.append(f"File: {Path(st.last_file).name}")
        else:
            lines.append("No backup has been made yet.")
        if st.failure_reason:
            lines.append(f"Last attempt failed: {st.failure_reason}")
        if not st.configured:
            lines.append("Set a folder and a backup key to start making backups.")
        elif st.overdue:
            lines.append("A backup is due.")
        self.state.setText("\n".join(lines))
        warn = st.overdue or bool(st.failure_reason) or not st.configured
        self.state.setStyleSheet(f"color: {style.DANGER};" if warn else "")

    def choose_folder(self) -> None:
        path = self.dialogs.choose_folder(self, "Back up to which folder?")
        if path is not None:
            self.folder.setText(str(path))

    def save(self) -> None:
        try:
            backup.save_settings(
                self.session,
                Path(self.folder.text().strip()),
                self.interval.value(),
                self.keep.value(),
            )
        except UserError as exc:
            self.error.show_problems(getattr(exc, "problems", None) or [str(exc)])
            return
        self.error.clear_problems()
        self.refresh()
        self.accept()

    def back_up_now(self) -> bool:
        try:
            result = self.runner.run(self.session, self, "Making a backup…", "Stop")
        except backup.Cancelled:
            if self.session.is_open:
                self.refresh()
            return False
        except UserError as exc:
            if self.session.is_open:
                self.error.show_problems([str(exc)])
                self.refresh()
            return False
        if not self.session.is_open:
            return True  # an idle lock came while it finished: nothing more to show
        self.error.clear_problems()
        self.refresh()
        self.dialogs.info(self, "Backups", f"Backup made: {result.path.name}.")
        return True

    def check_backup(self) -> bool | None:
        """Decrypt a backup with the key file, check every hash and row count; say plainly."""
        path = self.dialogs.open_file(self, "Which backup?", "Backups (*.age)")
        if path is None:
            return None
        key_file = self.dialogs.open_file(
            self, "The backup key file (from the recovery sheet)", "Key files (*.txt *)"
        )
        if key_file is None:
            return None
        try:
            identity = keys.read_identity_file(key_file)
        except UserError as exc:
            self.dialogs.error(self, "Check a backup", str(exc))
            return False
        with wait_cursor():
            problems = verify_backup(path, identity)
        if problems:
            self.dialogs.error(
                self, "Check a backup", f"{path.name} is NOT usable:\n\n• " + "\n• ".join(problems)
            )
            return False
        self.dialogs.info(
            self, "Check a backup", f"{path.name} opens with this key and every part checks out."
        )
        return True

    def new_key(self) -> None:
        if keys.recipient(self.session) and not self.dialogs.confirm(
            self,
            "Make a new backup key?",
            "New backups will open only with the new key. Keep the old recovery sheet too: "
            "backups made so far still need it.",
        ):
            return
        try:
            identity = keys.generate_for(self.session)
        except UserError as exc:
            self.error.show_problems([str(exc)])
            return
        self.dialogs.run(NewBackupKeyDialog(self.session, identity, self.dialogs, self))
        self.refresh()

    def new_sheet(self) -> None:
        self.dialogs.run(NewRecoverySheetDialog(self.session, self.dialogs, self))
        self.refresh()


def due_now(session: Session, now: dt.datetime | None = None) -> bool:
    try:
        return backup.backup_due(session, now or session.now())
    except UserError:
        return False

"""Restore from a backup onto a laptop with no vault: a new vault, with her as its manager.

Every row comes back; the other staff accounts come back disabled until a manager resets
their passphrases. The new vault gets a new recovery key, shown once here.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.errors import UserError
from refuge_desk.services.export import restore as restore_service
from refuge_desk.services.export.restore import RestoreResult
from refuge_desk.services.session import Clock
from refuge_desk.services.vault_folder import VaultFolder
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import ErrorBox, wait_cursor
from refuge_desk.ui.common.passphrase_field import NewPassphraseFields


class RestoreDialog(QDialog):
    def __init__(
        self, folder: VaultFolder, clock: Clock, dialogs: Dialogs, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from a backup")
        self.folder = folder
        self.clock = clock
        self.dialogs = dialogs
        self.restored: RestoreResult | None = None
        self.username = ""
        self.passphrase = ""

        self.file = QLineEdit()
        self.file.setObjectName("backup_file")
        self.file.setAccessibleName("Backup file")
        self.file.setPlaceholderText("refuge-desk-….age on the backup drive")
        choose = QPushButton("Choose…")
        choose.clicked.connect(lambda: self.choose_file())
        self.key = QPlainTextEdit()
        self.key.setObjectName("backup_key")
        self.key.setAccessibleName("Backup key")
        self.key.setPlaceholderText("AGE-SECRET-KEY-1… from the recovery sheet")
        self.key.setMaximumHeight(64)
        load = QPushButton("Load key file…")
        load.clicked.connect(lambda: self.load_key())
        self.user = QLineEdit()
        self.user.setObjectName("restore_username")
        self.full_name = QLineEdit()
        self.full_name.setObjectName("restore_full_name")
        self.fields = NewPassphraseFields(
            lambda: [self.user.text(), self.full_name.text()], label="New passphrase"
        )
        self.error = ErrorBox()
        self.restore_button = QPushButton("&Restore")
        self.restore_button.setObjectName("primary")
        self.restore_button.clicked.connect(lambda: self.run())
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)

        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(choose)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key, 1)
        key_row.addWidget(load)
        form = QFormLayout()
        form.addRow("Backup file:", file_row)
        form.addRow("Backup key:", key_row)
        form.addRow("Your user name:", self.user)
        form.addRow("Your full name:", self.full_name)
        form.addRow("New passphrase:", self.fields)
        intro = QLabel(
            "The backup becomes a new vault on this laptop, with you as its manager. Other "
            "staff accounts come back disabled until you reset their passphrases."
        )
        intro.setWordWrap(True)
        ask = QWidget()
        ask_layout = QVBoxLayout(ask)
        ask_layout.addWidget(intro)
        ask_layout.addLayout(form)
        ask_layout.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.restore_button)
        ask_layout.addLayout(buttons)

        done = QWidget()
        done_layout = QVBoxLayout(done)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.recovery_key = QLineEdit()
        self.recovery_key.setObjectName("new_recovery_key")
        self.recovery_key.setAccessibleName("New recovery key")
        self.recovery_key.setReadOnly(True)
        self.confirm = QCheckBox("I have written down the new recovery key")
        self.finish_button = QPushButton("Sign in")
        self.finish_button.setObjectName("primary")
        self.finish_button.setEnabled(False)
        self.confirm.toggled.connect(self.finish_button.setEnabled)
        self.finish_button.clicked.connect(self.accept)
        done_layout.addWidget(self.summary)
        done_layout.addWidget(QLabel("The new vault's recovery key (shown only now):"))
        done_layout.addWidget(self.recovery_key)
        done_layout.addWidget(self.confirm)
        done_layout.addStretch(1)
        done_layout.addWidget(self.finish_button)

        self.pages = QStackedWidget()
        self.pages.addWidget(ask)
        self.pages.addWidget(done)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.resize(640, 520)

    def choose_file(self) -> None:
        path = self.dialogs.open_file(self, "Choose the backup", "Backups (*.age)")
        if path is not None:
            self.file.setText(str(path))

    def load_key(self) -> None:
        path = self.dialogs.open_file(self, "Choose the backup key file", "Key files (*.txt *)")
        if path is None:
            return
        try:
            lines = path.read_text("utf-8", errors="replace").splitlines()
        except OSError as exc:
            self.error.show_problems([f"The key file could not be read ({exc.strerror})."])
            return
        key = next((ln.strip() for ln in lines if ln.strip().startswith("AGE-SECRET-KEY-")), "")
        self.key.setPlainText(key)

    def run(self) -> bool:
        problems = self.fields.problems()
        if problems:
            self.error.show_problems(problems)
            return False
        try:
            with wait_cursor():
                # The app's folder: the restored vault stays claimed by this window.
                result = restore_service.restore(
                    Path(self.file.text().strip()),
                    "".join(self.key.toPlainText().split()),
                    self.folder,
                    self.user.text(),
                    self.full_name.text(),
                    self.fields.passphrase(),
                    self.fields.confirmation(),
                    clock=self.clock,
                )
        except UserError as exc:
            self.error.show_problems(getattr(exc, "problems", None) or [str(exc)])
            return False
        self.restored = result
        self.username = self.user.text().strip()
        self.passphrase = self.fields.passphrase()
        self.fields.clear()
        disabled = result.disabled_staff
        self.summary.setText(
            f"Restored the backup made {result.backup_created_at[:10]}: "
            f"{sum(result.rows.values()):,} rows. "
            + (
                f"{disabled} other staff account(s) are disabled until you reset them."
                if disabled
                else ""
            )
        )
        self.recovery_key.setText(result.recovery_key)
        self.pages.setCurrentIndex(1)
        return True

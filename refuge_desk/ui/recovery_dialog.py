"""A manager who forgot her passphrase sets a new one with the recovery key."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.errors import UserError
from refuge_desk.services import auth
from refuge_desk.services.session import Clock, Session, system_clock
from refuge_desk.store.vault import VaultFolder
from refuge_desk.ui.passphrase_field import NewPassphraseFields


class RecoveryDialog(QDialog):
    def __init__(
        self, folder: VaultFolder, clock: Clock = system_clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.folder = folder
        self._clock = clock
        self.session: Session | None = None
        self.setWindowTitle("Use the recovery key")
        intro = QLabel(
            "Type the recovery key from the paper kept in the office safe, the manager's user "
            "name, and a new passphrase for her. Other staff: ask a manager to reset yours."
        )
        intro.setWordWrap(True)
        self.key = QLineEdit()
        self.key.setObjectName("recovery_key_input")
        self.key.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.username = QLineEdit()
        self.username.setObjectName("recovery_username")
        self.fields = NewPassphraseFields(lambda: [self.username.text()], label="New passphrase")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Set new passphrase")
        form = QFormLayout()
        form.addRow("Recovery key:", self.key)
        form.addRow("Manager's user name:", self.username)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.fields)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(520)

    def submit(self) -> None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.session = auth.recover(
                self.folder,
                self.key.text(),
                self.username.text(),
                self.fields.passphrase(),
                self.fields.confirmation(),
                clock=self._clock,
            )
        except UserError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.key.clear()
        self.fields.clear()
        self.accept()

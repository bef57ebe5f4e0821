"""A manager who forgot her passphrase sets a new one with the recovery key."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.errors import UserError
from refuge_desk.services import auth, recovery
from refuge_desk.services.session import Clock, Session, system_clock
from refuge_desk.services.vault_folder import VaultFolder
from refuge_desk.ui.common.passphrase_field import NewPassphraseFields


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


class NewRecoveryKeyDialog(QDialog):
    """Shown to a manager when the recovery key was never confirmed: make and show a new one."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("New recovery key")
        intro = QLabel(
            "Nobody confirmed writing down this vault's recovery key when it was set up, so "
            "Refuge Desk has made a new one. The old key no longer works.\n\n"
            "Write this key on paper, exactly as shown, and keep it in the office safe — not "
            "on this computer, not in an email, not in a photo."
        )
        intro.setWordWrap(True)
        self.key = QLabel(recovery.replace_key(session))
        self.key.setObjectName("new_recovery_key")
        self.key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key.setStyleSheet(
            "font-family: 'DejaVu Sans Mono', 'Consolas', monospace; font-size: 20pt; "
            "font-weight: bold; background: #f3f0e8; padding: 16px; "
            "border: 2px dashed #b26a00; border-radius: 6px;"
        )
        self.confirm = QCheckBox("I have written the recovery key down and put it somewhere safe.")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Done")
        self.ok.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.key)
        layout.addWidget(self.confirm)
        layout.addWidget(self.buttons)
        self.confirm.toggled.connect(self.ok.setEnabled)
        self.buttons.accepted.connect(self.accept)
        self.setMinimumWidth(560)

    def accept(self) -> None:
        if not self.confirm.isChecked():
            return
        recovery.mark_confirmed(self.session)
        self.key.clear()
        super().accept()

    def reject(self) -> None:
        # Closing (or a lock) before confirming: the flag stays unset and a new key is made
        # next time; the key shown here is forgotten.
        self.key.clear()
        super().reject()

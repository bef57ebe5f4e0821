"""Vault settings a manager may change (stored encrypted in the vault)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.errors import UserError
from refuge_desk.services import settings
from refuge_desk.services.session import Session


class SettingsDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Settings")
        self.auto_lock = QSpinBox()
        self.auto_lock.setObjectName("auto_lock_minutes")
        self.auto_lock.setRange(*settings.AUTO_LOCK_RANGE)
        self.auto_lock.setSuffix(" minutes")
        self.auto_lock.setValue(settings.auto_lock_minutes(session))
        self.error = QLabel()
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()
        form = QFormLayout()
        form.addRow("Lock after no use for:", self.auto_lock)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Applies to everyone who signs in on this vault."))
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

    def save(self) -> None:
        try:
            settings.set_auto_lock_minutes(self.session, self.auto_lock.value())
        except UserError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()

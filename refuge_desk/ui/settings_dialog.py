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
from refuge_desk.services import plans, settings
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
        self.review_weeks = QSpinBox()
        self.review_weeks.setObjectName("plan_review_weeks")
        self.review_weeks.setRange(*plans.REVIEW_WEEKS_RANGE)
        self.review_weeks.setSuffix(" weeks")
        self.review_weeks.setValue(plans.review_weeks(session))
        self.error = QLabel()
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()
        form = QFormLayout()
        form.addRow("Lock after no use for:", self.auto_lock)
        form.addRow("Review safety plans every:", self.review_weeks)
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
            if self.auto_lock.value() != settings.auto_lock_minutes(self.session):
                settings.set_auto_lock_minutes(self.session, self.auto_lock.value())
            if self.review_weeks.value() != plans.review_weeks(self.session):
                plans.set_review_weeks(self.session, self.review_weeks.value())
        except UserError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()

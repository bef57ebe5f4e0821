"""Vault settings a manager may change (stored encrypted in the vault)."""

from __future__ import annotations

from dataclasses import astuple

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.errors import UserError, ValidationError
from refuge_desk.domain.risk import Thresholds
from refuge_desk.services import plans, risk, settings
from refuge_desk.services.session import Session
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.residents.history_dialog import HistoryDialog


class SettingsDialog(QDialog):
    def __init__(
        self, session: Session, parent: QWidget | None = None, dialogs: Dialogs | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs or Dialogs()
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
        limits = risk.thresholds(session)
        self.risk_medium = QSpinBox()
        self.risk_medium.setObjectName("risk_threshold_medium")
        self.risk_medium.setRange(*risk.THRESHOLD_RANGE)
        self.risk_medium.setPrefix("from ")
        self.risk_medium.setSuffix(" “yes” answers")
        self.risk_medium.setValue(limits.medium)
        self.risk_high = QSpinBox()
        self.risk_high.setObjectName("risk_threshold_high")
        self.risk_high.setRange(*risk.THRESHOLD_RANGE)
        self.risk_high.setPrefix("from ")
        self.risk_high.setSuffix(" “yes” answers")
        self.risk_high.setValue(limits.high)
        self.risk_weeks = QSpinBox()
        self.risk_weeks.setObjectName("risk_review_weeks")
        self.risk_weeks.setRange(*settings.RISK_REVIEW_WEEKS_RANGE)
        self.risk_weeks.setSuffix(" weeks")
        self.risk_weeks.setValue(settings.risk_review_weeks(session))
        prot = settings.protections(session)
        self.lock_minimise = QCheckBox("Also lock when Refuge Desk is minimised")
        self.lock_minimise.setObjectName("lock_on_minimise")
        self.lock_minimise.setChecked(prot.lock_on_minimise)
        self.clipboard_seconds = QSpinBox()
        self.clipboard_seconds.setObjectName("clipboard_clear_seconds")
        self.clipboard_seconds.setRange(*settings.CLIPBOARD_SECONDS_RANGE)
        self.clipboard_seconds.setSuffix(" seconds")
        self.clipboard_seconds.setValue(prot.clipboard_clear_seconds)
        self.allow_capture = QCheckBox(
            "Allow screenshots and screen sharing (for a training session only)"
        )
        self.allow_capture.setObjectName("allow_screen_capture")
        self.allow_capture.setToolTip(
            "Off: on Windows, Refuge Desk's windows are blank in screenshots, screen sharing "
            "and remote-support tools."
        )
        self.allow_capture.setChecked(prot.allow_screen_capture)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()
        form = QFormLayout()
        form.addRow("Lock after no use for:", self.auto_lock)
        form.addRow("Review safety plans every:", self.review_weeks)
        form.addRow("Medium risk:", self.risk_medium)
        form.addRow("High risk:", self.risk_high)
        form.addRow("Review risk checklists every:", self.risk_weeks)
        form.addRow("", self.lock_minimise)
        form.addRow("Clear copied text after:", self.clipboard_seconds)
        form.addRow("", self.allow_capture)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.history_button = QPushButton("History of changes…")
        self.history_button.setObjectName("settings_history")
        self.history_button.setToolTip("Who changed which setting, when, and from what")
        self.history_button.clicked.connect(lambda: self.open_history())
        buttons.addButton(self.history_button, QDialogButtonBox.ButtonRole.ResetRole)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Applies to everyone who signs in on this vault."))
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

    def open_history(self) -> HistoryDialog:
        dialog = HistoryDialog.for_settings(self.session, self.dialogs, self)
        dialog.open()
        return dialog

    def save(self) -> None:
        medium, high = self.risk_medium.value(), self.risk_high.value()
        try:
            # Checked first so a bad pair changes nothing else either.
            if Thresholds(medium, high).problems():
                raise ValidationError(Thresholds(medium, high).problems())
            if self.auto_lock.value() != settings.auto_lock_minutes(self.session):
                settings.set_auto_lock_minutes(self.session, self.auto_lock.value())
            if self.review_weeks.value() != plans.review_weeks(self.session):
                plans.set_review_weeks(self.session, self.review_weeks.value())
            if (medium, high) != astuple(risk.thresholds(self.session)):
                risk.set_thresholds(self.session, medium, high)
            if self.risk_weeks.value() != settings.risk_review_weeks(self.session):
                settings.set_risk_review_weeks(self.session, self.risk_weeks.value())
            wanted = settings.Protections(
                self.allow_capture.isChecked(),
                self.clipboard_seconds.value(),
                self.lock_minimise.isChecked(),
            )
            if wanted != settings.protections(self.session):
                settings.set_protections(self.session, wanted)
        except UserError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()

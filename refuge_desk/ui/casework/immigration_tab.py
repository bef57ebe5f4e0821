"""The Immigration & money tab: visa, MVDAC countdown, applications, solicitor, rent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain import deadlines as d
from refuge_desk.domain.dates import stamp_text
from refuge_desk.domain.deadlines import APPLICATION_KINDS, MAX_SHORT, Application, Immigration
from refuge_desk.domain.errors import UserError
from refuge_desk.services import immigration
from refuge_desk.services.session import Session
from refuge_desk.ui.common import style
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import (
    ErrorBox,
    OptionalDateEdit,
    apply_or_show,
    form_dialog_layout,
    format_date,
    line_edit,
    text_area,
)
from refuge_desk.ui.common.table_models import RowsModel, read_only_rows


def mvdac_words(granted: dt.date | None, today: dt.date) -> str:
    if granted is None:
        return "No MVDAC grant recorded."
    return "MVDAC leave " + d.countdown(d.mvdac_end(granted), today)


class ApplicationsModel(RowsModel[Application]):
    HEADERS = ("Application", "Deadline", "Sent on", "Decision")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.today = dt.date.today()

    def display(self, row: Application, column: int) -> str:
        deadline = "—"
        if row.deadline_on:
            deadline = format_date(row.deadline_on)
            if row.open:
                deadline += " — " + d.countdown(row.deadline_on, self.today, "due", "was due")
        return [
            row.kind_label,
            deadline,
            format_date(row.submitted_on) or "not sent",
            row.decision or "—",
        ][column]

    def record_id(self, row: Application) -> int | None:
        return row.id

    def extra(self, row: Application, column: int, role: int) -> Any:
        urgent = row.open and row.deadline_on and (row.deadline_on - self.today).days <= 28
        if role == Qt.ItemDataRole.ForegroundRole and urgent:
            return QBrush(QColor(style.DANGER))
        return None


class ApplicationDialog(QDialog):
    def __init__(self, session: Session, app: Application, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.app = app
        self.setWindowTitle("Edit application" if app.id else "Add an application or deadline")
        self.setMinimumWidth(480)
        self.kind = QComboBox()
        for key, label in APPLICATION_KINDS.items():
            self.kind.addItem(label, key)
        self.kind.setCurrentIndex(max(0, self.kind.findData(app.kind)))
        self.deadline = OptionalDateEdit()
        self.deadline.set_value(app.deadline_on)
        self.submitted = OptionalDateEdit()
        self.submitted.set_value(app.submitted_on)
        self.decision = line_edit(MAX_SHORT, "e.g. granted, refused, waiting", "decision")
        self.decision.setText(app.decision)
        self.notes = text_area(3, "", "application_notes")
        self.notes.setPlainText(app.notes)
        self.error = ErrorBox()
        form = QFormLayout()
        form.addRow("Kind", self.kind)
        form.addRow("Deadline", self.deadline)
        form.addRow("Sent on", self.submitted)
        form.addRow("Decision", self.decision)
        form.addRow("Notes", self.notes)
        form_dialog_layout(self, self.error, form, self.save)

    def value(self) -> Application:
        return Application(
            id=self.app.id,
            resident_id=self.app.resident_id,
            kind=str(self.kind.currentData()),
            deadline_on=self.deadline.value(),
            submitted_on=self.submitted.value(),
            decision=self.decision.text(),
            notes=self.notes.toPlainText(),
        )

    def save(self) -> None:
        if apply_or_show(
            self.error, lambda: immigration.save_application(self.session, self.value())
        ):
            self.accept()


class ImmigrationTab(QWidget):
    changed = Signal()

    def __init__(self, session: Session, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self.resident_id: int | None = None

        self.status = QLabel()
        self.status.setObjectName("record_status")
        self.status.setWordWrap(True)
        status_hint = QLabel("Immigration status and NRPF are changed on the Personal tab.")
        status_hint.setObjectName("muted")

        self.visa_type = line_edit(MAX_SHORT, "e.g. spouse visa, eVisa", "visa_type")
        self.visa_expires = OptionalDateEdit()
        self.visa_words = QLabel()
        self.visa_words.setObjectName("visa_countdown")
        self.documents = text_area(2, "e.g. passport and BRP are with him", "documents")
        self.mvdac_applied = OptionalDateEdit()
        self.mvdac_granted = OptionalDateEdit()
        self.countdown = QLabel()
        self.countdown.setObjectName("mvdac_countdown")
        self.countdown.setWordWrap(True)
        self.solicitor = line_edit(MAX_SHORT, "Name, firm, phone", "solicitor")
        self.rent = line_edit(MAX_SHORT, "While benefits are unavailable", "rent_paid_by")
        self.notes = text_area(3, "", "immigration_notes")
        self.saved = QLabel()
        self.saved.setObjectName("muted")
        self.error = ErrorBox()
        self.save_button = QPushButton("&Save")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        self.mvdac_granted.changed.connect(self._update_countdown)
        self.visa_expires.changed.connect(self._update_countdown)

        form = QFormLayout()
        form.addRow("Visa or leave", self.visa_type)
        form.addRow("Visa ends", self.visa_expires)
        form.addRow("", self.visa_words)
        form.addRow("Documents held by the abuser", self.documents)
        form.addRow("MVDAC applied on", self.mvdac_applied)
        form.addRow("MVDAC granted on", self.mvdac_granted)
        form.addRow("", self.countdown)
        form.addRow("Solicitor", self.solicitor)
        form.addRow("Who pays the rent", self.rent)
        form.addRow("Notes", self.notes)
        details = QGroupBox("Immigration and money")
        details.setLayout(form)

        self.apps = ApplicationsModel(self)
        self.apps_view = QTableView()
        self.apps_view.setObjectName("applications")
        self.apps_view.setModel(self.apps)
        read_only_rows(self.apps_view)
        self.apps_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.apps_view.setMinimumHeight(120)
        self.apps_view.doubleClicked.connect(lambda _i: self.edit_application())
        self.add_app = QPushButton("Add &application or deadline…")
        self.add_app.clicked.connect(self.add_application)
        self.edit_app = QPushButton("Edit…")
        self.edit_app.clicked.connect(self.edit_application)
        app_buttons = QHBoxLayout()
        app_buttons.addStretch(1)
        app_buttons.addWidget(self.edit_app)
        app_buttons.addWidget(self.add_app)
        apps_box = QGroupBox("Applications and deadlines (SET(DV) and others)")
        apps_layout = QVBoxLayout(apps_box)
        apps_layout.addWidget(self.apps_view)
        apps_layout.addLayout(app_buttons)

        bottom = QHBoxLayout()
        bottom.addWidget(self.saved, 1)
        bottom.addWidget(self.save_button)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.addWidget(self.status)
        layout.addWidget(status_hint)
        layout.addWidget(self.error)
        layout.addWidget(details)
        layout.addLayout(bottom)
        layout.addWidget(apps_box)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def _update_countdown(self) -> None:
        today = self.session.today()
        granted = self.mvdac_granted.value()
        self.countdown.setText(mvdac_words(granted, today))
        ended = granted is not None and d.mvdac_end(granted) < today
        soon = granted is not None and (d.mvdac_end(granted) - today).days <= 28
        colour = style.DANGER if soon else style.TEXT
        self.countdown.setStyleSheet(
            f"color: {colour}; font-weight: {'bold' if soon else 'normal'};"
        )
        if ended:
            self.countdown.setText(self.countdown.text() + " — she may need urgent advice.")
        visa = self.visa_expires.value()
        self.visa_words.setText("Visa " + d.countdown(visa, today, "ends", "ended") if visa else "")

    def load(self, resident_id: int) -> None:
        self.resident_id = resident_id
        self.refresh()

    def refresh(self) -> None:
        if self.resident_id is None:
            return
        try:
            view = immigration.get(self.session, self.resident_id)
        except UserError as err:
            self.clear()
            self.dialogs.error(self, "Immigration and money", str(err))
            return
        status = view.immigration_status or "not recorded"
        nrpf = "Yes: no recourse to public funds" if view.nrpf else "No"
        self.status.setText(
            f"<b>Immigration status:</b> {_escape(status)} &nbsp; · &nbsp; <b>NRPF:</b> {nrpf}"
        )
        self._show(view.record)
        self.apps.today = self.session.today()
        self.apps.set_rows(view.applications)
        self.edit_app.setEnabled(bool(view.applications))
        editable = self.session.role.edits_residents
        self.save_button.setEnabled(editable)
        self.add_app.setEnabled(editable)

    def _show(self, rec: Immigration) -> None:
        self.error.clear_problems()
        self.visa_type.setText(rec.visa_type)
        self.visa_expires.set_value(rec.visa_expires_on)
        self.documents.setPlainText(rec.documents_with_abuser)
        self.mvdac_applied.set_value(rec.mvdac_applied_on)
        self.mvdac_granted.set_value(rec.mvdac_granted_on)
        self.solicitor.setText(rec.solicitor)
        self.rent.setText(rec.rent_paid_by)
        self.notes.setPlainText(rec.notes)
        self.saved.setText(
            f"Last saved {stamp_text(rec.updated_at)} by {rec.updated_by or 'unknown'}"
            if rec.updated_at
            else "Nothing saved yet."
        )
        self._update_countdown()

    def value(self) -> Immigration:
        return Immigration(
            resident_id=self.resident_id or 0,
            visa_type=self.visa_type.text(),
            visa_expires_on=self.visa_expires.value(),
            documents_with_abuser=self.documents.toPlainText(),
            mvdac_applied_on=self.mvdac_applied.value(),
            mvdac_granted_on=self.mvdac_granted.value(),
            solicitor=self.solicitor.text(),
            rent_paid_by=self.rent.text(),
            notes=self.notes.toPlainText(),
        )

    def save(self) -> None:
        if self.resident_id is None:
            return
        self.error.clear_problems()
        if apply_or_show(self.error, lambda: immigration.save(self.session, self.value())):
            self.refresh()
            self.changed.emit()

    def clear(self) -> None:
        self.resident_id = None
        self.status.clear()
        self._show(Immigration())
        self.countdown.clear()
        self.saved.clear()
        self.apps.clear()

    def _run(self, app: Application) -> None:
        dialog = ApplicationDialog(self.session, app, self)
        if self.dialogs.run(dialog) == QDialog.DialogCode.Accepted:
            self.refresh()
            self.changed.emit()

    def add_application(self) -> None:
        if self.resident_id is not None:
            self._run(Application(resident_id=self.resident_id))

    def edit_application(self) -> None:
        index = self.apps_view.currentIndex()
        rows = self.apps.rows
        if index.isValid():
            self._run(rows[index.row()])
        elif len(rows) == 1:
            self._run(rows[0])
        else:
            self.dialogs.info(self, "Applications", "Choose an application in the list first.")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

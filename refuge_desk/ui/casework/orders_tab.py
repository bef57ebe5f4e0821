"""The Court orders tab of a resident's record: list, add and edit orders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.deadlines import MAX_SHORT, ORDER_TYPES, CourtOrder
from refuge_desk.domain.errors import UserError
from refuge_desk.services import orders
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


class OrdersModel(RowsModel[CourtOrder]):
    COL_TYPE, COL_PROTECTS, COL_STARTS, COL_ENDS, COL_STATUS, COL_COURT = range(6)
    HEADERS = ("Order", "Protects", "Starts", "Ends", "Status", "Court")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.today = dt.date.today()

    def display(self, row: CourtOrder, column: int) -> str:
        return [
            row.type_label,
            row.protected_people or "—",
            format_date(row.starts_on) or "—",
            format_date(row.expires_on) or "Until further order",
            row.status_text(self.today),
            row.court or "—",
        ][column]

    def record_id(self, row: CourtOrder) -> int | None:
        return row.id

    def extra(self, row: CourtOrder, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.expired(self.today):
                return QBrush(QColor(style.MUTED))
            if row.expires_on and (row.expires_on - self.today).days <= 14:
                return QBrush(QColor(style.DANGER))
        if role == Qt.ItemDataRole.ToolTipRole and row.conditions:
            return row.conditions
        return None


class OrderDialog(QDialog):
    def __init__(self, session: Session, order: CourtOrder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.order = order
        self.setWindowTitle("Edit court order" if order.id else "Add a court order")
        self.setMinimumWidth(520)
        self.kind = QComboBox()
        for key, label in ORDER_TYPES.items():
            self.kind.addItem(label, key)
        self.kind.setCurrentIndex(max(0, self.kind.findData(order.order_type)))
        self.protected = line_edit(MAX_SHORT, "e.g. her, and her son Sami", "protected_people")
        self.protected.setText(order.protected_people)
        self.conditions = text_area(3, "What he must not do", "conditions")
        self.conditions.setPlainText(order.conditions)
        self.starts = OptionalDateEdit()
        self.starts.set_value(order.starts_on)
        self.expires = OptionalDateEdit()
        self.expires.set_value(order.expires_on)
        self.expires.set_box.setToolTip("Leave unticked for an order made until further order")
        self.court = line_edit(MAX_SHORT, "", "court")
        self.court.setText(order.court)
        self.notes = text_area(2, "", "order_notes")
        self.notes.setPlainText(order.notes)
        self.error = ErrorBox()
        form = QFormLayout()
        form.addRow("Type of order", self.kind)
        form.addRow("Protects", self.protected)
        form.addRow("Conditions", self.conditions)
        form.addRow("Starts", self.starts)
        form.addRow("Ends", self.expires)
        hint = QLabel("Leave “Ends” unticked if the order lasts until further order.")
        hint.setObjectName("muted")
        form.addRow("", hint)
        form.addRow("Court", self.court)
        form.addRow("Notes", self.notes)
        form_dialog_layout(self, self.error, form, self.save)

    def value(self) -> CourtOrder:
        return CourtOrder(
            id=self.order.id,
            resident_id=self.order.resident_id,
            order_type=str(self.kind.currentData()),
            protected_people=self.protected.text(),
            conditions=self.conditions.toPlainText(),
            starts_on=self.starts.value(),
            expires_on=self.expires.value(),
            court=self.court.text(),
            notes=self.notes.toPlainText(),
        )

    def save(self) -> None:
        if apply_or_show(self.error, lambda: orders.save(self.session, self.value())):
            self.accept()


class OrdersTab(QWidget):
    changed = Signal()

    def __init__(self, session: Session, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self.resident_id: int | None = None
        self.model = OrdersModel(self)
        self.view = QTableView()
        self.view.setAccessibleName("Court orders")
        self.view.setObjectName("orders")
        self.view.setModel(self.model)
        read_only_rows(self.view)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.doubleClicked.connect(lambda _i: self.edit_selected())
        self.empty = QLabel("No court orders recorded for her.")
        self.empty.setObjectName("muted")
        self.add_button = QPushButton("&Add order…")
        self.add_button.setObjectName("primary")
        self.add_button.clicked.connect(self.add)
        self.edit_button = QPushButton("&Edit…")
        self.edit_button.clicked.connect(self.edit_selected)
        heading = QLabel("Court orders")
        heading.setObjectName("heading")
        hint = QLabel("Expired orders are greyed; orders ending within 14 days are red.")
        hint.setObjectName("muted")
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.edit_button)
        top.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.empty)
        layout.addWidget(self.view, 1)
        layout.addWidget(hint)

    def load(self, resident_id: int) -> None:
        self.resident_id = resident_id
        self.refresh()

    def refresh(self) -> None:
        if self.resident_id is None:
            return
        try:
            rows = orders.list_orders(self.session, self.resident_id)
        except UserError as err:
            self.model.clear()
            self.dialogs.error(self, "Court orders", str(err))
            return
        self.model.today = self.session.today()
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        self.edit_button.setEnabled(bool(rows))
        self.add_button.setEnabled(self.session.role.edits_residents)

    def clear(self) -> None:
        self.resident_id = None
        self.model.clear()

    def selected(self) -> CourtOrder | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return self.model.rows[0] if len(self.model.rows) == 1 else None
        return self.model.rows[index.row()]

    def _run(self, order: CourtOrder) -> None:
        dialog = OrderDialog(self.session, order, self)
        if self.dialogs.run(dialog) == QDialog.DialogCode.Accepted:
            self.refresh()
            self.changed.emit()

    def add(self) -> None:
        if self.resident_id is not None:
            self._run(CourtOrder(resident_id=self.resident_id))

    def edit_selected(self) -> None:
        order = self.selected()
        if order is None:
            self.dialogs.info(self, "Court orders", "Choose an order in the list first.")
            return
        self._run(order)

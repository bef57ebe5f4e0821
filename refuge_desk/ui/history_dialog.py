"""Her record's change history: each field's old and new value, who and when; a manager can
put an old value back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.errors import UserError
from refuge_desk.services import history
from refuge_desk.services.session import Session
from refuge_desk.ui.dialogs import Dialogs
from refuge_desk.ui.forms import format_stamp

HEADERS = ("When", "Who", "Field", "Before", "After")


def _short(value: str | None) -> str:
    if value is None or value == "":
        return "(empty)"
    text = " ".join(value.split())
    return text[:120] + ("…" if len(text) > 120 else "")


class HistoryDialog(QDialog):
    def __init__(
        self, session: Session, dialogs: Dialogs, resident_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self.resident_id = resident_id
        self.restored = False
        self.setWindowTitle("Change history")
        intro = QLabel(
            "Every change to her record: the value before and after, who and when. "
            + (
                "Choose a change and “Put back the value before” to undo it (that is recorded "
                "as a new change)."
                if session.role.manages_staff
                else "A manager can put an old value back."
            )
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("history_table")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.restore_button = QPushButton("Put back the value before")
        self.restore_button.setVisible(session.role.manages_staff)
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(lambda: self.restore_selected())
        self.table.itemSelectionChanged.connect(self._selection)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.restore_button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.resize(900, 520)
        self.changes: list[history.ChangeRow] = []
        self.refresh()

    def refresh(self) -> None:
        self.changes = history.for_resident(self.session, self.resident_id)
        self.table.setRowCount(len(self.changes))
        for i, c in enumerate(self.changes):
            values = (
                format_stamp(c.at),
                c.who,
                c.field.replace("_", " ").capitalize(),
                _short(c.old_value),
                _short(c.new_value),
            )
            for j, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setData(Qt.ItemDataRole.UserRole, c.id)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()

    def _selected(self) -> history.ChangeRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.changes[rows[0].row()] if rows else None

    def _selection(self) -> None:
        change = self._selected()
        self.restore_button.setEnabled(change is not None and history.restorable(change))

    def restore_selected(self) -> bool:
        change = self._selected()
        if change is None:
            return False
        field = change.field.replace("_", " ")
        if not self.dialogs.confirm(
            self,
            "Put back the value before?",
            f"Set {field} back to “{_short(change.old_value)}”? This is saved as a new change.",
        ):
            return False
        try:
            history.restore_value(self.session, change.id)
        except UserError as exc:
            self.dialogs.error(self, "Change history", str(exc))
            return False
        self.restored = True
        self.refresh()
        return True

"""A manager's audit screen: filter the log, check its hash chain, export it as CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.errors import UserError
from refuge_desk.services import audit
from refuge_desk.services import staff as staff_service
from refuge_desk.services.audit import AuditEntry
from refuge_desk.services.session import Session
from refuge_desk.ui.common import style
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import OptionalDateEdit, label_for, wait_cursor
from refuge_desk.ui.common.table_models import PagedRowsModel

PAGE = 200
OK_GREEN = "#1e6b34"


class AuditModel(PagedRowsModel[AuditEntry]):
    """Newest first; fetched a page at a time as the table scrolls."""

    HEADERS = ("When", "Who", "What", "Reference", "Detail", "Entry")

    def display(self, row: AuditEntry, column: int) -> str:
        who = row.who or "(not signed in)"
        return (row.when, who, row.action_text, row.reference, row.detail, f"{row.id:,}")[column]

    def record_id(self, row: AuditEntry) -> int:
        return row.id


class AuditPage(QWidget):
    def __init__(self, session: Session, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs

        self.person = QComboBox()
        self.person.setAccessibleName("Person")
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("Resident reference, e.g. R-0007")
        self.reference.setMaxLength(40)
        self.action = QComboBox()
        self.action.setAccessibleName("Action")
        self.date_from = OptionalDateEdit()
        self.date_to = OptionalDateEdit()
        self.apply_button = QPushButton("Show")
        filters = QHBoxLayout()
        for label, widget in (
            ("Person", self.person),
            ("Resident", self.reference),
            ("Action", self.action),
            ("From", self.date_from),
            ("To", self.date_to),
        ):
            filters.addWidget(label_for(label, widget))
            filters.addWidget(widget)
        filters.addWidget(self.apply_button)

        self.model = AuditModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("Audit log")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # what happened
        for column, width in ((0, 150), (1, 190), (3, 130), (4, 110), (5, 70)):
            self.table.setColumnWidth(column, width)

        self.shown = QLabel()
        self.shown.setStyleSheet(f"color: {style.MUTED};")
        self.check_button = QPushButton("Check the chain")
        self.check_button.setToolTip(
            "Check that no entry was changed or deleted outside Refuge Desk"
        )
        self.export_button = QPushButton("Export CSV…")
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        actions = QHBoxLayout()
        actions.addWidget(self.shown, 1)
        actions.addWidget(self.check_button)
        actions.addWidget(self.export_button)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.result)

        self.apply_button.clicked.connect(self.apply_filters)
        self.reference.returnPressed.connect(self.apply_filters)
        self.person.activated.connect(lambda _i: self.apply_filters())
        self.action.activated.connect(lambda _i: self.apply_filters())
        self.date_from.changed.connect(self.apply_filters)
        self.date_to.changed.connect(self.apply_filters)
        self.check_button.clicked.connect(self.check_chain)
        self.export_button.clicked.connect(self.export_csv)

    # -- LockablePage --------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            people = staff_service.list_staff(self.session)
            actions = audit.actions(self.session)
        except UserError as exc:
            self.clear()
            self.shown.setText(str(exc))
            return
        _refill(
            self.person,
            [("Everyone", None), ("Not signed in (failed sign-ins)", audit.SIGNED_OUT)]
            + [(u.full_name, u.id) for u in people],
        )
        _refill(self.action, [("Every action", None), *((w, a) for a, w in actions)])
        self.apply_filters()

    def clear(self) -> None:
        self.model.clear()
        self.person.clear()
        self.action.clear()
        self.reference.clear()
        self.result.clear()
        self.shown.clear()

    # -- filters -------------------------------------------------------------------------
    def filters(self) -> dict[str, Any]:
        return {
            "user_id": self.person.currentData(),
            "reference": self.reference.text().strip() or None,
            "action": self.action.currentData(),
            "date_from": self.date_from.value(),
            "date_to": self.date_to.value(),
        }

    def apply_filters(self) -> None:
        f = self.filters()
        try:
            total = audit.count(self.session, **f)
        except UserError as exc:
            self.model.clear()
            self.shown.setText(str(exc))
            return

        def fetch(offset: int) -> list[AuditEntry]:
            return audit.query(self.session, **f, limit=PAGE, offset=offset)

        self.model.reset(total, fetch)
        self.shown.setText(f"{total:,} entries" if total != 1 else "1 entry")

    # -- actions -------------------------------------------------------------------------
    def check_chain(self) -> None:
        try:
            with wait_cursor():
                result = audit.verify(self.session)
        except UserError as exc:
            self.dialogs.error(self, "Check the chain", str(exc))
            return
        colour = OK_GREEN if result.ok else style.DANGER
        self.result.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.result.setText(result.message)
        self.apply_filters()  # the check itself is an entry

    def export_csv(self) -> bool:
        path = self.dialogs.save_file(self, "Export audit log", "CSV files (*.csv)", "audit.csv")
        if path is None:
            return False
        path = path if path.suffix.lower() == ".csv" else Path(f"{path}.csv")
        try:
            with wait_cursor():
                written = audit.export_csv(self.session, path, **self.filters())
        except UserError as exc:
            self.dialogs.error(self, "Export audit log", str(exc))
            return False
        self.dialogs.info(
            self,
            "Export audit log",
            f"Saved {written:,} entries to {path}. The file is not encrypted; residents appear "
            "by reference only.",
        )
        self.apply_filters()
        return True


def _refill(combo: QComboBox, items: list[tuple[str, Any]]) -> None:
    keep = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for text, data in items:
        combo.addItem(text, data)
    found = combo.findData(keep) if keep is not None else 0
    combo.setCurrentIndex(max(0, found))
    combo.blockSignals(False)

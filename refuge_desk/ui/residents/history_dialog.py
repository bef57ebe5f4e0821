"""Change history: each field's old and new value, who and when, for her record (with her
plan draft, orders, referrals and immigration details) or for the vault's settings. A manager
can put an old value of her record back."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
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

from refuge_desk.domain.dates import stamp_text
from refuge_desk.domain.errors import UserError
from refuge_desk.services import history, residents
from refuge_desk.services.session import Session
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import label_for
from refuge_desk.ui.common.table_models import read_only_rows

HEADERS = ("When", "Who", "Field", "Before", "After")
ALL = "All changes"


def _short(value: str | None, setting: bool = False) -> str:
    if value is None or value == "":
        return "(the default)" if setting else "(empty)"
    text = " ".join(value.split())
    return text[:120] + ("…" if len(text) > 120 else "")


def _shown(label: str, chosen: str) -> bool:
    """ "Children" shows every child's changes; "Children · Lina · school" just that."""
    return chosen == ALL or label == chosen or label.startswith(chosen + " · ")


class HistoryDialog(QDialog):
    def __init__(
        self,
        session: Session,
        dialogs: Dialogs,
        resident_id: int | None,
        parent: QWidget | None = None,
        *,
        field: str = "",
        load: Callable[[], list[history.ChangeRow]] | None = None,
        intro: str = "",
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self.resident_id = resident_id
        self.restored = False
        self._load = load or (lambda: history.for_resident(session, resident_id or 0))
        can_restore = session.role.manages_staff and load is None
        self.setWindowTitle("Change history")
        if not intro:
            intro = (
                "Every change to her record, her safety-plan draft, court orders, MARAC "
                "referrals and immigration details: the value before and after, who and when. "
            ) + (
                "Choose a change to her record and “Put back the value before” to undo it "
                "(that is recorded as a new change)."
                if session.role.manages_staff
                else "A manager can put an old value of her record back."
            )
        intro_label = QLabel(intro)
        intro_label.setWordWrap(True)
        self.field_filter = QComboBox()
        self.field_filter.setObjectName("history_field")
        self.field_filter.currentIndexChanged.connect(lambda _i: self._fill())
        self.count = QLabel()
        self.count.setObjectName("muted")
        filter_row = QHBoxLayout()
        filter_row.addWidget(label_for("Show:", self.field_filter))
        filter_row.addWidget(self.field_filter, 1)
        filter_row.addWidget(self.count)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("history_table")
        self.table.setAccessibleName("Changes")
        self.table.setHorizontalHeaderLabels(HEADERS)
        read_only_rows(self.table)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.restore_button = QPushButton("Put back the value before")
        self.restore_button.setVisible(can_restore)
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
        layout.addWidget(intro_label)
        layout.addLayout(filter_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.resize(960, 540)
        self.all_changes: list[history.ChangeRow] = []
        self.changes: list[history.ChangeRow] = []
        self._wanted = field.replace("_", " ").capitalize() if field else ""
        self.refresh()

    @classmethod
    def for_settings(
        cls, session: Session, dialogs: Dialogs, parent: QWidget | None = None
    ) -> HistoryDialog:
        return cls(
            session,
            dialogs,
            None,
            parent,
            load=lambda: history.for_settings(session),
            intro="Every change to the settings: the value before and after, who and when.",
        )

    def refresh(self) -> None:
        self.all_changes = self._load()
        wanted = self.field_filter.currentText() if self.field_filter.count() else self._wanted
        found = {history.field_label(c) for c in self.all_changes}
        found |= {label.split(" · ")[0] for label in found if " · " in label}  # groups
        labels = sorted(found, key=str.casefold)
        self.field_filter.blockSignals(True)
        self.field_filter.clear()
        self.field_filter.addItem(ALL)
        self.field_filter.addItems(labels)
        index = self.field_filter.findText(wanted) if wanted else 0
        if index < 0:  # a field with no changes yet: say so rather than show everything
            self.field_filter.addItem(wanted)
            index = self.field_filter.count() - 1
        self.field_filter.setCurrentIndex(index)
        self.field_filter.blockSignals(False)
        self._fill()

    def _fill(self) -> None:
        chosen = self.field_filter.currentText()
        self.changes = [c for c in self.all_changes if _shown(history.field_label(c), chosen)]
        self.count.setText(
            f"{len(self.changes)} change{'s' if len(self.changes) != 1 else ''}"
            if self.changes
            else "No changes recorded"
        )
        self.table.setRowCount(len(self.changes))
        for i, c in enumerate(self.changes):
            values = (
                stamp_text(c.at),
                c.who,
                history.field_label(c),
                _short(history.shown_value(c, c.old_value), c.entity == history.SETTING),
                _short(history.shown_value(c, c.new_value)),
            )
            for j, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setData(Qt.ItemDataRole.UserRole, c.id)
                if (
                    j >= 3
                    and c.old_value is not None
                    and len(v) < len(c.old_value if j == 3 else c.new_value or "")
                ):
                    item.setToolTip((c.old_value if j == 3 else c.new_value) or "")
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        for column in (3, 4):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 320))
        self._selection()

    def _selected(self) -> history.ChangeRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.changes[rows[0].row()] if rows else None

    def _selection(self) -> None:
        change = self._selected()
        self.restore_button.setEnabled(
            self.restore_button.isVisible() is not False
            and change is not None
            and history.restorable(change)
        )

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
            residents.restore_value(self.session, change.id)
        except UserError as exc:
            self.dialogs.error(self, "Change history", str(exc))
            return False
        self.restored = True
        self.refresh()
        return True

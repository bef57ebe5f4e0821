"""Managers' retention screen: the policy, records due for deletion, legal holds, purge."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain import retention as rules
from refuge_desk.domain.errors import UserError
from refuge_desk.services import retention
from refuge_desk.services.session import Session
from refuge_desk.ui.common.dialogs import Dialogs

TITLE = "Retention and deletion"


def _table(headers: list[str], spoken: str) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setAccessibleName(spoken)
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.verticalHeader().setVisible(False)
    header = t.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return t


def _fill(table: QTableWidget, rows: list[tuple[int, list[str]]]) -> None:
    table.setRowCount(0)
    table.setRowCount(len(rows))
    for i, (rid, cells) in enumerate(rows):
        for j, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, rid)
            table.setItem(i, j, item)


def _selected(table: QTableWidget) -> tuple[int, str] | None:
    row = table.currentRow()
    item = table.item(row, 0) if row >= 0 else None
    if item is None:
        return None
    return int(item.data(Qt.ItemDataRole.UserRole)), item.text()


class RetentionPage(QWidget):
    """``refresh()`` loads from the vault; ``clear()`` empties it (on lock)."""

    purged = Signal(int)  # the resident id deleted: other views drop her
    holds_changed = Signal()

    def __init__(self, session: Session, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs

        settings = QGroupBox("Policy")
        form = QFormLayout(settings)
        self.years = QSpinBox()
        self.years.setRange(*rules.YEARS_RANGE)
        self.years.setSuffix(" years after move-on")
        self.child_age = QSpinBox()
        self.child_age.setRange(*rules.CHILD_AGE_RANGE)
        self.child_age.setPrefix("until the child is ")
        self.save_policy = QPushButton("Save policy")
        self.save_policy.clicked.connect(self._save_policy)
        form.addRow("Keep records", self.years)
        form.addRow("Keep children's records", self.child_age)
        form.addRow("", self.save_policy)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.due = _table(["Reference", "Why it is due", "Since"], "Records due for deletion")
        self.kept = _table(["Reference", "Why it is kept", "Since"], "Records kept longer")
        self.held = _table(["Reference", "Legal hold reason"], "Records on legal hold")

        self.hold_button = QPushButton("Place on legal hold…")
        self.lift_button = QPushButton("Lift hold")
        self.purge_button = QPushButton("Delete for good…")
        self.hold_button.clicked.connect(self._hold)
        self.lift_button.clicked.connect(self._lift)
        self.purge_button.clicked.connect(self._purge)
        buttons = QHBoxLayout()
        for b in (self.hold_button, self.lift_button, self.purge_button):
            buttons.addWidget(b)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(settings)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("Due for deletion"))
        layout.addWidget(self.due, 3)
        layout.addWidget(QLabel("Past the period but kept for a child"))
        layout.addWidget(self.kept, 1)
        layout.addWidget(QLabel("On legal hold"))
        layout.addWidget(self.held, 1)
        layout.addLayout(buttons)

    # -- loading -------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            data = retention.due_list(self.session)
        except UserError as exc:
            self.clear()
            self.summary.setText(str(exc))
            return
        self.years.setValue(data.policy.years)
        self.child_age.setValue(data.policy.child_age)
        _fill(self.due, [(d.resident_id, [d.reference, d.reason, d.since]) for d in data.due])
        _fill(
            self.kept,
            [(d.resident_id, [d.reference, d.reason, d.since]) for d in data.kept_for_children],
        )
        _fill(self.held, [(h.resident_id, [h.reference, h.reason]) for h in data.held])
        more = " More closed records are waiting: deal with these first." if data.more else ""
        self.summary.setText(
            f"{len(data.due)} due for deletion, {len(data.kept_for_children)} kept for a "
            f"child, {len(data.held)} on legal hold.{more}"
        )

    def clear(self) -> None:
        for t in (self.due, self.kept, self.held):
            t.setRowCount(0)
        self.summary.clear()

    # -- actions -------------------------------------------------------------------------
    def _fail(self, exc: UserError) -> None:
        self.dialogs.error(self, TITLE, str(exc))

    def _save_policy(self) -> None:
        try:
            retention.set_policy(self.session, self.years.value(), self.child_age.value())
        except UserError as exc:
            self._fail(exc)
            return
        self.refresh()

    def _hold_target(self) -> tuple[int, str] | None:
        chosen = _selected(self.due) or _selected(self.kept)
        if chosen is not None:
            return chosen
        ref = self.dialogs.ask_text(self, TITLE, "Reference of the record to hold (R-0007):")
        if not ref:
            return None
        try:
            return retention.id_for_reference(self.session, ref), ref.strip().upper()
        except UserError as exc:
            self._fail(exc)
            return None

    def _hold(self) -> None:
        target = self._hold_target()
        if target is None:
            return
        rid, ref = target
        reason = self.dialogs.ask_text(
            self, TITLE, f"Why must {ref} be kept (a court case, a request)? It will not be "
            "deleted until the hold is lifted.",
        )  # fmt: skip
        if reason is None:
            return
        try:
            retention.place_hold(self.session, rid, reason)
        except UserError as exc:
            self._fail(exc)
            return
        self.dialogs.info(self, TITLE, f"{ref} is on legal hold.")
        self.holds_changed.emit()
        self.refresh()

    def _lift(self) -> None:
        chosen = _selected(self.held)
        if chosen is None:
            self.dialogs.info(self, TITLE, "Choose a record in the legal hold list first.")
            return
        rid, ref = chosen
        reason = self.dialogs.ask_text(self, TITLE, f"Why is the hold on {ref} lifted?")
        if reason is None:
            return
        try:
            retention.lift_hold(self.session, rid, reason)
        except UserError as exc:
            self._fail(exc)
            return
        self.dialogs.info(self, TITLE, f"The legal hold on {ref} is lifted.")
        self.holds_changed.emit()
        self.refresh()

    def _purge(self) -> None:
        chosen = _selected(self.due)
        if chosen is None:
            self.dialogs.info(self, TITLE, "Choose a record in the list of those due first.")
            return
        rid, ref = chosen
        try:
            what = retention.what_goes(self.session, rid)
        except UserError as exc:
            self._fail(exc)
            return
        typed = self.dialogs.ask_text(
            self, TITLE, f"{what}\n\nTo delete it, type the reference {ref}:"
        )
        if typed is None:
            return
        try:
            retention.purge(self.session, rid, typed)
        except UserError as exc:
            self._fail(exc)
            return
        self.dialogs.info(self, TITLE, f"{ref} has been deleted for good.")
        self.purged.emit(rid)
        self.refresh()

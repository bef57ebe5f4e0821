"""Plan reviews: safety plans overdue or due within a week, overdue first and in red."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.errors import UserError
from refuge_desk.domain.plans import DUE_SOON_DAYS, DueReview
from refuge_desk.domain.residents import initials
from refuge_desk.services import plans
from refuge_desk.services.session import Session
from refuge_desk.ui.common import style
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import format_date, plural
from refuge_desk.ui.common.table_models import RowsModel, read_only_rows
from refuge_desk.ui.residents.residents_page import ResidentsTable

EMPTY_TEXT = f"No safety-plan reviews are due in the next {DUE_SOON_DAYS} days."


def when_text(days_left: int) -> str:
    if days_left < 0:
        return f"{plural(-days_left, 'day')} overdue"
    if days_left == 0:
        return "due today"
    return f"in {plural(days_left, 'day')}"


class DueReviewsModel(RowsModel[DueReview]):
    COL_REFERENCE, COL_NAME, COL_DATE, COL_WHEN, COL_REVIEWER, COL_KEY_WORKER = range(6)
    HEADERS = ("Reference", "Name", "Review date", "When", "Reviewer", "Key worker")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.today = dt.date.today()
        self.privacy = True

    def set_today(self, today: dt.date) -> None:
        self.today = today

    def set_privacy(self, on: bool) -> None:
        self.privacy = on
        if self.rows:  # repaint the names only: the current row stays current
            top, bottom = (
                self.index(0, self.COL_NAME),
                self.index(len(self.rows) - 1, self.COL_NAME),
            )
            self.dataChanged.emit(top, bottom, [Qt.ItemDataRole.DisplayRole])

    def display(self, row: DueReview, column: int) -> str:
        c = column
        if c == self.COL_REFERENCE:
            return row.reference
        if c == self.COL_NAME:
            name = row.resident_name.strip()
            return (initials(name) if self.privacy else name) or "—"
        if c == self.COL_DATE:
            return format_date(row.review_date)
        if c == self.COL_WHEN:
            return when_text(row.days_left(self.today))
        if c == self.COL_REVIEWER:
            return row.reviewer or "No one named"
        if c == self.COL_KEY_WORKER:
            return row.key_worker or "Not assigned"
        return ""

    def record_id(self, row: DueReview) -> int:
        return row.resident_id

    def extra(self, row: DueReview, column: int, role: int) -> Any:
        overdue = row.days_left(self.today) < 0
        if overdue and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(style.DANGER))
        if overdue and role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(style.DANGER_SOFT))
        if overdue and role == Qt.ItemDataRole.FontRole and column == self.COL_WHEN:
            font = QFont()
            font.setBold(True)
            return font
        return None


class PlanReviewsPage(QWidget):
    open_plan = Signal(int)

    def __init__(self, session: Session, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self.setWindowTitle("Plan reviews")
        heading = QLabel("Plan reviews")
        heading.setObjectName("heading")
        self.scope = QLabel()
        self.scope.setObjectName("muted")
        self.scope.setWordWrap(True)
        self.show_names = QCheckBox("Show &names")
        self.show_names.setToolTip("Names are shown as initials until you tick this")
        self.model = DueReviewsModel(self)
        self.show_names.toggled.connect(lambda on: self.model.set_privacy(not on))
        self.view = ResidentsTable()
        self.view.setAccessibleName("Plans to review")
        self.view.setObjectName("plan_reviews")
        self.view.setModel(self.model)
        read_only_rows(self.view)
        self.view.setAlternatingRowColors(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.doubleClicked.connect(self._open_index)
        self.view.activated_row.connect(self._open_row)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setObjectName("plan_reviews_empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet(f"color: {style.MUTED}; font-size: 12pt; padding: 30px;")
        self.message = QLabel()
        self.message.setObjectName("error_box")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(
            f"background: {style.DANGER_SOFT}; color: {style.DANGER};"
            f" border: 1px solid {style.DANGER}; border-radius: 4px; padding: 6px 8px;"
        )
        self.message.hide()
        hint = QLabel("Double-click a row or press Enter to open her plan.")
        hint.setObjectName("muted")
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.show_names)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.scope)
        layout.addWidget(self.message)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(hint)
        self.hint = hint
        self.empty.hide()

    def refresh(self) -> None:
        self.message.hide()
        try:
            rows = plans.due_reviews(self.session)
            today = self.session.today()
        except UserError as err:
            self.model.clear()
            self.message.setText(str(err))
            self.message.show()
            self.view.hide()
            self.empty.hide()
            self.hint.hide()
            return
        if self.session.role.manages_staff:
            self.scope.setText(
                f"Every safety plan overdue or due for review in the next {DUE_SOON_DAYS} days."
            )
        else:
            self.scope.setText(
                f"Plans you review or are key worker for, overdue or due in the next "
                f"{DUE_SOON_DAYS} days."
            )
        self.model.set_today(today)
        self.model.set_rows(rows)  # ordered by review date in SQL: overdue plans come first
        self.view.setVisible(bool(rows))
        self.hint.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        if rows:  # current (for Enter) but not selected, so overdue red stays visible
            self.view.selectionModel().setCurrentIndex(
                self.model.index(0, 0), QItemSelectionModel.SelectionFlag.NoUpdate
            )

    def clear(self) -> None:
        self.model.clear()
        self.show_names.setChecked(False)
        self.model.set_privacy(True)
        self.scope.clear()

    def _open_index(self, index: QModelIndex) -> None:
        self._open_row(index.row())

    def _open_row(self, row: int) -> None:
        resident_id = self.model.id_at(row)
        if resident_id is not None:
            self.open_plan.emit(resident_id)

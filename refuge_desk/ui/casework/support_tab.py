"""Support needs and outcomes: where she started, where she is now, and what she reached."""

from __future__ import annotations

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.errors import UserError
from refuge_desk.domain.support import (
    AREAS,
    MAX_COMMENT,
    MAX_GOAL,
    AreaNeed,
    Level,
    Outcome,
    Stage,
    SupportReview,
)
from refuge_desk.services import support
from refuge_desk.services.session import Session
from refuge_desk.ui.common import style
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import (
    DATE_FORMAT,
    ErrorBox,
    apply_or_show,
    day_of,
    format_date,
    label_for,
)

GRID = ("Area", "Need at entry", "Need now", "Change", "Goal", "Outcome at exit")


class SupportReviewDialog(QDialog):
    """One review: a stage, a date, and for each area the need, goal, outcome and comment."""

    def __init__(
        self,
        session: Session,
        resident_id: int,
        previous: SupportReview | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.resident_id = resident_id
        self.setWindowTitle("New support review")
        self.stage_box = QComboBox()
        for stage in Stage:
            self.stage_box.addItem(stage.label, stage.value)
        self.stage_box.setCurrentIndex(0 if previous is None else 1)
        self.stage_box.currentIndexChanged.connect(lambda _i: self._stage_changed())
        self.date_edit = QDateEdit()
        self.date_edit.setDisplayFormat(DATE_FORMAT)
        self.date_edit.setCalendarPopup(True)
        today = session.today()
        self.date_edit.setDate(QDate(today.year, today.month, today.day))
        form = QHBoxLayout()
        form.addWidget(label_for("Stage", self.stage_box))
        form.addWidget(self.stage_box)
        form.addSpacing(16)
        form.addWidget(label_for("Date", self.date_edit))
        form.addWidget(self.date_edit)
        form.addStretch(1)

        grid = QGridLayout()
        for col, head in enumerate(("Area", "Need", "Goal", "Outcome (at exit)", "Comment")):
            label = QLabel(head)
            label.setStyleSheet("font-weight: 600;")
            grid.addWidget(label, 0, col)
        self.rows: dict[str, tuple[QComboBox, QLineEdit, QComboBox, QLineEdit]] = {}
        for r, (key, area_name) in enumerate(AREAS, start=1):
            level = QComboBox()
            for lv in Level:
                level.addItem(lv.label, lv.value)
            goal = QLineEdit()
            goal.setMaxLength(MAX_GOAL)
            goal.setPlaceholderText("What she wants to reach")
            outcome = QComboBox()
            for oc in Outcome:
                outcome.addItem(oc.label or "—", oc.value)
            comment = QLineEdit()
            comment.setMaxLength(MAX_COMMENT)
            if previous is not None:
                need = previous.need(key)
                level.setCurrentIndex(level.findData(need.level.value))
                goal.setText(need.goal)
            for control, column in ((level, "need"), (goal, "goal"), (outcome, "outcome")):
                control.setAccessibleName(f"{area_name}: {column}")
            comment.setAccessibleName(f"{area_name}: comment")
            grid.addWidget(QLabel(area_name), r, 0)
            grid.addWidget(level, r, 1)
            grid.addWidget(goal, r, 2)
            grid.addWidget(outcome, r, 3)
            grid.addWidget(comment, r, 4)
            self.rows[key] = (level, goal, outcome, comment)
        grid.setRowStretch(len(AREAS) + 1, 1)
        grid.setColumnStretch(2, 2)
        grid.setColumnStretch(4, 2)
        inner = QWidget()
        inner.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.error = ErrorBox()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(980, 520)
        self._stage_changed()

    def stage(self) -> Stage:
        return Stage(self.stage_box.currentData())

    def _stage_changed(self) -> None:
        at_exit = self.stage() is Stage.EXIT
        for _level, _goal, outcome, _comment in self.rows.values():
            outcome.setEnabled(at_exit)
            if not at_exit:
                outcome.setCurrentIndex(0)

    def needs(self) -> list[AreaNeed]:
        return [
            AreaNeed(
                key,
                Level(level.currentData()),
                goal.text(),
                Outcome(outcome.currentData()),
                comment.text(),
            )
            for key, (level, goal, outcome, comment) in self.rows.items()
        ]

    def save(self) -> None:
        when = day_of(self.date_edit.date())
        ok = apply_or_show(
            self.error,
            lambda: support.record_review(
                self.session, self.resident_id, self.stage(), when, self.needs()
            ),
            refused_intro="The review was not saved:",
        )
        if ok:
            self.accept()


class SupportTab(QWidget):
    changed = Signal()

    def __init__(self, session: Session, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self.resident_id: int | None = None
        self.latest: SupportReview | None = None  # her newest review, the next one starts from it
        intro = QLabel(
            "Need in each area at entry and now. Record a review every few weeks and at "
            "move-on (exit), with the outcome of each goal."
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(f"color: {style.MUTED};")
        self.grid = QTableWidget(len(AREAS), len(GRID))
        self.grid.setObjectName("support_grid")
        self.grid.setAccessibleName("Support reviews by area")
        self.grid.setHorizontalHeaderLabels(list(GRID))
        self.grid.verticalHeader().hide()
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for col, width in enumerate((160, 110, 110, 130)):
            self.grid.setColumnWidth(col, width)
        self.grid.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.history = QLabel()
        self.history.setWordWrap(True)
        self.new_button = QPushButton("New support review…")
        self.new_button.clicked.connect(self.new_review)
        top = QHBoxLayout()
        top.addWidget(intro, 1)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.history)
        self.setEnabled(False)

    def load(self, resident_id: int) -> None:
        self.resident_id = resident_id
        self.setEnabled(True)
        self.refresh()

    def clear(self) -> None:
        self.resident_id = None
        self.latest = None
        self.grid.clearContents()
        self.history.clear()
        self.setEnabled(False)

    def refresh(self) -> None:
        if self.resident_id is None:
            return
        self.grid.clearContents()
        try:
            reviews = support.list_reviews(self.session, self.resident_id)
            progress = support.distance_travelled(self.session, self.resident_id)
        except UserError as err:
            self.history.setText(str(err))
            return
        self.latest = reviews[-1] if reviews else None
        for row, p in enumerate(progress):
            cells = (
                p.label,
                p.entry_level.label if p.entry_level else "",
                p.latest_level.label if p.latest_level else "",
                p.change_text,
                p.goal,
                p.outcome.label,
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 4:
                    item.setToolTip(text)
                self.grid.setItem(row, col, item)
        if not reviews:
            self.history.setText("No support review yet: start with the entry review.")
        else:
            lines = [
                f"{format_date(r.reviewed_on)} · {r.stage.label} · {r.recorded_by}"
                for r in reversed(reviews)
            ]
            self.history.setText("Reviews, newest first:\n" + "\n".join(lines))

    def new_review(self) -> None:
        if self.resident_id is None:
            return
        dialog = SupportReviewDialog(self.session, self.resident_id, self.latest, self)
        if self.dialogs.run(dialog) == QDialog.DialogCode.Accepted:
            self.refresh()
            self.changed.emit()

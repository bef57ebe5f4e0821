"""Tasks: free tasks and automatic ones from dates, with done / reopen and one-click open."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
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

from refuge_desk.domain import deadlines as d
from refuge_desk.domain.deadlines import MAX_SHORT, TaskDraft, TaskItem
from refuge_desk.domain.errors import UserError
from refuge_desk.services import tasks
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


class TasksModel(RowsModel[TaskItem]):
    COL_DUE, COL_WHEN, COL_TASK, COL_RESIDENT, COL_WHO, COL_SOURCE = range(6)
    HEADERS = ("Due", "When", "Task", "Resident", "For", "From")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.today = dt.date.today()

    def display(self, row: TaskItem, column: int) -> str:
        when = "done" if row.done else d.due_words(row.due_on, self.today)
        source = "Added by staff" if not row.automatic else "Automatic"
        return [
            format_date(row.due_on) or "—",
            when,
            row.title,
            row.resident_label or "—",
            row.assignee or ("key worker not set" if row.automatic else "anyone"),
            source,
        ][column]

    def record_id(self, row: TaskItem) -> int | None:
        return row.resident_id

    def extra(self, row: TaskItem, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and row.details:
            return row.details
        if row.done and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(style.MUTED))
        if row.overdue(self.today):
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(style.DANGER))
            if role == Qt.ItemDataRole.FontRole and column == self.COL_WHEN:
                font = QFont()
                font.setBold(True)
                return font
        return None


class TaskDialog(QDialog):
    def __init__(
        self,
        session: Session,
        draft: TaskDraft,
        key: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.key = key
        self.setWindowTitle("Edit task" if key else "Add a task")
        self.setMinimumWidth(460)
        self.title = line_edit(MAX_SHORT, "What needs doing", "task_title")
        self.title.setText(draft.title)
        self.details = text_area(3, "", "task_details")
        self.details.setPlainText(draft.details)
        self.due = OptionalDateEdit()
        self.due.set_value(draft.due_on)
        self.assignee = QComboBox()
        self.assignee.addItem("Anyone (no one named)", None)
        for sid, name in tasks.staff_options(session):
            self.assignee.addItem(name, sid)
        wanted = draft.assignee_id if key else (draft.assignee_id or session.user.id)
        self.assignee.setCurrentIndex(max(0, self.assignee.findData(wanted)))
        self.resident = QComboBox()
        self.resident.addItem("Not about one resident", None)
        for rid, label in tasks.resident_options(session):
            self.resident.addItem(label, rid)
        self.resident.setCurrentIndex(max(0, self.resident.findData(draft.resident_id)))
        self.error = ErrorBox()
        form = QFormLayout()
        form.addRow("Task", self.title)
        form.addRow("Details", self.details)
        form.addRow("Due", self.due)
        form.addRow("For", self.assignee)
        form.addRow("Resident", self.resident)
        form_dialog_layout(self, self.error, form, self.save)

    def value(self) -> TaskDraft:
        return TaskDraft(
            self.title.text(),
            self.details.toPlainText(),
            self.due.value(),
            self.assignee.currentData(),
            self.resident.currentData(),
        )

    def save(self) -> None:
        draft = self.value()
        if self.key:
            ok = apply_or_show(self.error, lambda: tasks.update(self.session, self.key, draft))
        else:
            ok = apply_or_show(self.error, lambda: tasks.add(self.session, draft))
        if ok:
            self.accept()


class TasksPage(QWidget):
    open_target = Signal(object)  # a deadlines.Target
    changed = Signal()

    def __init__(self, session: Session, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self.resident_id: int | None = None
        heading = QLabel("Tasks")
        heading.setObjectName("heading")
        self.scope = QComboBox()
        self.scope.setObjectName("task_scope")
        self.scope.setAccessibleName("Whose tasks to show")
        self.scope.addItem("My tasks", "mine")
        self.scope.addItem("Everyone's tasks", "everyone")
        self.scope.currentIndexChanged.connect(lambda _i: self.refresh())
        self.show_done = QCheckBox("Show &done")
        self.show_done.toggled.connect(lambda _on: self.refresh())
        self.filter_label = QLabel()
        self.filter_label.setObjectName("muted")
        self.model = TasksModel(self)
        self.view = QTableView()
        self.view.setObjectName("tasks")
        self.view.setAccessibleName("Tasks")
        self.view.setModel(self.model)
        read_only_rows(self.view)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TasksModel.COL_TASK, QHeaderView.ResizeMode.Stretch)
        self.view.doubleClicked.connect(lambda _i: self.open_selected())
        self.view.selectionModel().currentRowChanged.connect(lambda *_a: self._buttons())
        self.empty = QLabel("Nothing to do here. Well done.")
        self.empty.setObjectName("muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.add_button = QPushButton("&Add task…")
        self.add_button.setObjectName("primary")
        self.add_button.clicked.connect(self.add)
        self.edit_button = QPushButton("&Edit…")
        self.edit_button.clicked.connect(self.edit_selected)
        self.done_button = QPushButton("&Mark done")
        self.done_button.clicked.connect(self.toggle_done)
        self.open_button = QPushButton("&Open her record")
        self.open_button.clicked.connect(self.open_selected)
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addWidget(self.filter_label)
        top.addStretch(1)
        top.addWidget(self.show_done)
        top.addWidget(self.scope)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.add_button)
        hint = QLabel(
            "Automatic tasks come from review dates, court orders, MVDAC, visas, application "
            "deadlines and move-on dates; marking one done keeps it done for that date."
        )
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        layout.addWidget(hint)

    def set_resident(self, resident_id: int | None) -> None:
        """Show only tasks about one resident (None: all)."""
        self.resident_id = resident_id
        self.refresh()

    def refresh(self) -> None:
        self.scope.setVisible(self.session.role.manages_staff)
        try:
            rows = tasks.list_tasks(
                self.session,
                scope=self.scope.currentData(),
                include_done=self.show_done.isChecked(),
                resident_id=self.resident_id,
            )
        except UserError as err:
            self.model.clear()
            self.dialogs.error(self, "Tasks", str(err))
            return
        self.model.today = self.session.today()
        self.model.set_rows(rows)
        label = rows[0].resident_label if self.resident_id and rows else ""
        self.filter_label.setText(f"about {label}" if label else "")
        self.empty.setVisible(not rows)
        self._buttons()

    def clear(self) -> None:
        self.model.clear()
        self.resident_id = None
        self.filter_label.clear()

    def selected(self) -> TaskItem | None:
        index = self.view.currentIndex()
        return self.model.rows[index.row()] if index.isValid() else None

    def _buttons(self) -> None:
        item = self.selected()
        self.edit_button.setEnabled(item is not None and not item.automatic)
        self.done_button.setEnabled(item is not None)
        self.done_button.setText("&Reopen" if item is not None and item.done else "&Mark done")
        self.open_button.setEnabled(item is not None and item.resident_id is not None)

    def add(self) -> None:
        dialog = TaskDialog(self.session, TaskDraft(resident_id=self.resident_id), "", self)
        if self.dialogs.run(dialog) == QDialog.DialogCode.Accepted:
            self.refresh()
            self.changed.emit()

    def edit_selected(self) -> None:
        item = self.selected()
        if item is None or item.automatic:
            return
        draft = tasks.draft_of(self.session, item.key)
        dialog = TaskDialog(self.session, draft, item.key, self)
        if self.dialogs.run(dialog) == QDialog.DialogCode.Accepted:
            self.refresh()
            self.changed.emit()

    def toggle_done(self) -> None:
        item = self.selected()
        if item is None:
            return
        try:
            tasks.set_done(self.session, item.key, not item.done)
        except UserError as err:
            self.dialogs.error(self, "Tasks", str(err))
            return
        self.refresh()
        self.changed.emit()

    def open_selected(self) -> None:
        item = self.selected()
        if item is not None and item.resident_id is not None:
            self.open_target.emit(item.target)

"""One editor widget per safety-plan field kind, each showing whether it prints on her copy.

Every editor has ``value()`` (exactly the content shape documented in domain/plans.py),
``set_value(v)``, ``set_read_only(bool)``, ``clear()`` and a ``changed`` signal. Editors are
cheap to build but a page only builds those of the section on screen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain import plans as plan_domain
from refuge_desk.domain.plan_template import Audience, FieldKind, TemplateField
from refuge_desk.ui.common import style
from refuge_desk.ui.common.forms import OptionalDateEdit

STAFF_TINT = "#fdf3e1"  # staff-only fields: a warm tint, distinct from her copy's white
STAFF_BORDER = "#d9a441"
RESIDENT_BADGE = "Resident copy"
STAFF_BADGE = "Staff only"
MIN_LINES, MAX_LINES = 3, 14
READ_ONLY_BG = "#f1f2f0"

BADGE_STYLE = (
    "QLabel#badge_resident {"
    f" color: {style.ACCENT_DARK}; background: {style.ACCENT_SOFT};"
    f" border: 1px solid {style.ACCENT}; border-radius: 3px; padding: 0 5px; font-size: 8pt; }}"
    "QLabel#badge_staff {"
    f" color: {style.RESTRICTED}; background: {style.WARNING_SOFT};"
    f" border: 1px solid {STAFF_BORDER}; border-radius: 3px; padding: 0 5px;"
    " font-size: 8pt; font-weight: bold; }"
)
_CARD = {
    Audience.RESIDENT: (
        f"QFrame#plan_field {{ background: {style.SURFACE}; border: 1px solid {style.BORDER};"
        " border-radius: 5px; }"
    ),
    Audience.STAFF: (
        f"QFrame#plan_field {{ background: {STAFF_TINT}; border: 1px solid {STAFF_BORDER};"
        f" border-left: 4px solid {STAFF_BORDER}; border-radius: 5px; }}"
    ),
}


def audience_badge(audience: Audience) -> QLabel:
    badge = QLabel(RESIDENT_BADGE if audience is Audience.RESIDENT else STAFF_BADGE)
    if audience is Audience.RESIDENT:
        badge.setObjectName("badge_resident")
        badge.setToolTip("Printed on her copy of the plan.")
    else:
        badge.setObjectName("badge_staff")
        badge.setToolTip("Never printed on her copy: staff copy only.")
    badge.setStyleSheet(BADGE_STYLE)
    badge.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return badge


def prompts_label(prompts: tuple[str, ...]) -> QLabel | None:
    """The template's prompts as quiet grey hint lines for the worker."""
    if not prompts:
        return None
    label = QLabel("\n".join(f"› {p}" for p in prompts))
    label.setObjectName("plan_prompts")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet(f"color: {style.MUTED}; font-style: italic;")
    return label


class GrowingTextEdit(QPlainTextEdit):
    """A text area that grows with its content up to MAX_LINES, then scrolls."""

    def __init__(self, min_lines: int = MIN_LINES, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editable_min = self.min_lines = min_lines
        self.setTabChangesFocus(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout = self.document().documentLayout()
        layout.documentSizeChanged.connect(lambda _s: self._fit())
        self._fit()

    def _fit(self) -> None:
        # QPlainTextEdit's document size is counted in visual lines (laid out lazily, so it
        # settles as the text is painted); that is all the growing needs.
        lines = int(self.document().documentLayout().documentSize().height())
        lines = max(self.min_lines, min(MAX_LINES, lines))
        chrome = self.height() - self.viewport().height()  # frame, padding from the style
        if not 0 <= chrome <= 60:  # not laid out yet
            chrome = 2 * self.frameWidth() + 8
        doc_margin = int(self.document().documentMargin() * 2)
        height = lines * self.fontMetrics().lineSpacing() + doc_margin + chrome + 2
        if height != self.height():
            self.setFixedHeight(height)

    def set_read_only(self, on: bool) -> None:
        """Read only looks it: a grey box, one line high when empty."""
        self.setReadOnly(on)
        self.min_lines = 1 if on else self.editable_min
        self.setPlaceholderText("Not filled in." if on else "")
        self.setStyleSheet(f"background: {READ_ONLY_BG};" if on else "")
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit()


class FieldEditor(QFrame):
    """A field's card: label, audience badge, prompts, then the kind-specific editor."""

    changed = Signal()

    def __init__(self, f: TemplateField, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = f
        self.read_only = False
        self.setObjectName("plan_field")
        self.setProperty("audience", f.audience.value)
        self.setStyleSheet(_CARD[f.audience])
        self.title = QLabel(f.label)
        self.title.setObjectName("plan_field_title")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold; background: transparent; border: none;")
        self.badge = audience_badge(f.audience)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.title, 1)
        head.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(10, 8, 10, 10)
        self.body.setSpacing(6)
        self.body.addLayout(head)
        hints = prompts_label(f.prompts)
        if hints is not None:
            hints.setStyleSheet(hints.styleSheet() + " background: transparent; border: none;")
            self.body.addWidget(hints)

    def _emit(self, *_args: object) -> None:
        self.changed.emit()

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def set_read_only(self, on: bool) -> None:
        self.read_only = on

    def clear(self) -> None:
        self.set_value(plan_domain.empty_value(self.field))


class TextFieldEditor(FieldEditor):
    def __init__(self, f: TemplateField, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        self.edit = GrowingTextEdit()
        self.edit.setAccessibleName(f.label)
        self.too_long = QLabel(
            f"Only the first {plan_domain.MAX_FIELD_TEXT:,} characters of this part are kept."
        )
        self.too_long.setStyleSheet(f"color: {style.DANGER}; background: transparent;")
        self.too_long.hide()
        self.body.addWidget(self.edit)
        self.body.addWidget(self.too_long)
        self.edit.textChanged.connect(self._text_changed)
        self.setFocusProxy(self.edit)

    def _text_changed(self) -> None:
        over = self.edit.document().characterCount() - 1 > plan_domain.MAX_FIELD_TEXT
        if over != self.too_long.isVisible():
            self.too_long.setVisible(over)
        self.changed.emit()

    def value(self) -> str:
        return self.edit.toPlainText()

    def set_value(self, value: Any) -> None:
        self.edit.setPlainText(value if isinstance(value, str) else "")

    def set_read_only(self, on: bool) -> None:
        super().set_read_only(on)
        self.edit.set_read_only(on)


def _choice_row(labels: list[str], owner: QWidget) -> tuple[QButtonGroup, list[QRadioButton]]:
    group = QButtonGroup(owner)
    buttons = []
    for i, text in enumerate(labels):
        button = QRadioButton(text)
        group.addButton(button, i)
        buttons.append(button)
    return group, buttons


def _uncheck(group: QButtonGroup) -> None:
    group.setExclusive(False)
    for b in group.buttons():
        b.setChecked(False)
    group.setExclusive(True)


class YesNoEditor(FieldEditor):
    CHOICES = (("yes", "Yes"), ("no", "No"), ("", "Not answered"))

    def __init__(self, f: TemplateField, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        self.group, self.buttons = _choice_row([label for _k, label in self.CHOICES], self)
        row = QHBoxLayout()
        for b in self.buttons:
            row.addWidget(b)
        row.addStretch(1)
        self.body.addLayout(row)
        self.buttons[2].setChecked(True)
        self.group.idToggled.connect(lambda _i, on: self.changed.emit() if on else None)

    def value(self) -> str:
        checked = self.group.checkedId()
        return self.CHOICES[checked][0] if checked >= 0 else ""

    def set_value(self, value: Any) -> None:
        keys = [k for k, _label in self.CHOICES]
        self.buttons[keys.index(value) if value in ("yes", "no") else 2].setChecked(True)

    def set_read_only(self, on: bool) -> None:
        super().set_read_only(on)
        for b in self.buttons:
            b.setEnabled(not on or b.isChecked())


class DateFieldEditor(FieldEditor):
    def __init__(self, f: TemplateField, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        self.date = OptionalDateEdit()
        self.date.take_label(f.label)
        self.body.addWidget(self.date)
        self.date.changed.connect(self.changed)
        self.setFocusProxy(self.date)

    def value(self) -> str:
        day = self.date.value()
        return day.isoformat() if day else ""

    def set_value(self, value: Any) -> None:
        try:
            day = dt.date.fromisoformat(value) if isinstance(value, str) and value else None
        except ValueError:
            day = None
        self.date.set_value(day)

    def set_read_only(self, on: bool) -> None:
        super().set_read_only(on)
        self.date.set_box.setEnabled(not on)
        self.date.edit.setEnabled(not on and self.date.value() is not None)
        self.date.edit.setReadOnly(on)


CHECK_LABELS = ("Have", "Copy kept", "Needed", "Not applicable")


class ChecklistEditor(FieldEditor):
    """One row per item with four exclusive choices and a button to clear the row."""

    def __init__(self, f: TemplateField, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(2)
        for col, text in enumerate(CHECK_LABELS, start=1):
            head = QLabel(text)
            head.setStyleSheet(f"color: {style.MUTED}; font-size: 9pt; background: transparent;")
            grid.addWidget(head, 0, col, Qt.AlignmentFlag.AlignCenter)
        self.groups: dict[str, QButtonGroup] = {}
        self.clear_buttons: dict[str, QToolButton] = {}
        for row, item in enumerate(f.items, start=1):
            label = QLabel(item.label)
            label.setWordWrap(True)
            label.setStyleSheet("background: transparent;")
            grid.addWidget(label, row, 0)
            group, buttons = _choice_row(["" for _ in CHECK_LABELS], self)
            for col, (b, text) in enumerate(zip(buttons, CHECK_LABELS, strict=True), start=1):
                b.setAccessibleName(f"{item.label}: {text}")
                b.setToolTip(text)
                grid.addWidget(b, row, col, Qt.AlignmentFlag.AlignCenter)
            clear = QToolButton()
            clear.setText("Clear")
            clear.setAutoRaise(True)
            clear.setToolTip(f"Clear the answer for {item.label}")
            clear.setAccessibleName(f"Clear {item.label}")
            policy = clear.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            clear.setSizePolicy(policy)
            clear.hide()
            clear.clicked.connect(lambda _c=False, i=item.id: self._clear_row(i))
            group.idToggled.connect(lambda _id, on, i=item.id: self._toggled(i, on))
            grid.addWidget(clear, row, len(CHECK_LABELS) + 1)
            self.groups[item.id] = group
            self.clear_buttons[item.id] = clear
        grid.setColumnMinimumWidth(0, 300)
        grid.setColumnStretch(len(CHECK_LABELS) + 2, 1)
        self.body.addLayout(grid)

    def _show_clear(self, item_id: str) -> None:
        answered = self.groups[item_id].checkedId() >= 0
        self.clear_buttons[item_id].setVisible(answered and not self.read_only)

    def _toggled(self, item_id: str, on: bool) -> None:
        self._show_clear(item_id)
        if on:
            self.changed.emit()

    def _clear_row(self, item_id: str) -> None:
        group = self.groups[item_id]
        if group.checkedId() >= 0:
            _uncheck(group)
            self._show_clear(item_id)
            self.changed.emit()

    def value(self) -> dict[str, str]:
        out = {}
        for item_id, group in self.groups.items():
            if group.checkedId() >= 0:
                out[item_id] = plan_domain.CHECK_STATES[group.checkedId()]
        return out

    def set_value(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        for item_id, group in self.groups.items():
            state = value.get(item_id)
            if state in plan_domain.CHECK_STATES:
                group.button(plan_domain.CHECK_STATES.index(state)).setChecked(True)
            else:
                _uncheck(group)
            self._show_clear(item_id)

    def set_read_only(self, on: bool) -> None:
        super().set_read_only(on)
        for item_id, group in self.groups.items():
            for b in group.buttons():
                b.setEnabled(not on or b.isChecked())
            self._show_clear(item_id)


KNOWS_CHOICES = (("", "Not answered"), ("yes", "Yes"), ("no", "No"), ("not_known", "Not known"))


class RowsTableEditor(FieldEditor):
    """An editable table of rows with Add / Remove; one column may be a fixed choice."""

    COLUMNS: tuple[tuple[str, str], ...] = ()
    CHOICE_COLUMN = ""
    ADD_LABEL = "Add a row"

    def __init__(self, f: TemplateField, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setAccessibleName(f.label)
        self.table.setHorizontalHeaderLabels([h for _k, h in self.COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(True)
        self.table.setWordWrap(True)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        if self.CHOICE_COLUMN:
            col = self._col(self.CHOICE_COLUMN)
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(self._emit)
        self.add_button = QPushButton(self.ADD_LABEL)
        self.remove_button = QPushButton("Remove row")
        self.remove_button.setToolTip("Remove the selected row")
        self.add_button.clicked.connect(self._add_clicked)
        self.remove_button.clicked.connect(self.remove_current_row)
        self.empty_note = QLabel("Nothing here yet.")
        self.empty_note.setStyleSheet(f"color: {style.MUTED}; background: transparent;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        self.body.addWidget(self.table)
        self.body.addWidget(self.empty_note)
        self.body.addLayout(buttons)
        self._fit()

    def _col(self, key: str) -> int:
        return [k for k, _h in self.COLUMNS].index(key)

    def _fit(self) -> None:
        rows = self.table.rowCount()
        self.table.setVisible(rows > 0 or not self.read_only)
        self.empty_note.setVisible(rows == 0 and self.read_only)
        self.remove_button.setEnabled(rows > 0)
        self.table.resizeRowsToContents()
        height = self.table.horizontalHeader().height() + 2 * self.table.frameWidth() + 4
        height += sum(self.table.rowHeight(r) for r in range(rows))
        if rows == 0:
            height += self.table.verticalHeader().defaultSectionSize()
        self.table.setFixedHeight(height)

    def _choice_combo(self, current: str) -> QComboBox:
        combo = QComboBox()
        for key, label in KNOWS_CHOICES:
            combo.addItem(label, key)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.currentIndexChanged.connect(self._emit)
        combo.setEnabled(not self.read_only)
        return combo

    def add_row(self, row: dict[str, str] | None = None) -> int:
        row = row or {}
        index = self.table.rowCount()
        if index >= plan_domain.MAX_ROWS:
            return -1
        self.table.blockSignals(True)
        self.table.insertRow(index)
        for col, (key, _header) in enumerate(self.COLUMNS):
            if key == self.CHOICE_COLUMN:
                self.table.setCellWidget(index, col, self._choice_combo(row.get(key, "")))
                continue
            self.table.setItem(index, col, QTableWidgetItem(row.get(key, "")))
        self.table.blockSignals(False)
        self._fit()
        return index

    def _add_clicked(self) -> None:
        index = self.add_row()
        if index < 0:
            return
        self.table.setCurrentCell(index, 0)
        self.table.setFocus()
        item = self.table.item(index, 0)
        if item is not None:
            self.table.editItem(item)
        self.changed.emit()

    def remove_current_row(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            row = self.table.rowCount() - 1
        if row < 0:
            return
        self.table.removeRow(row)
        self._fit()
        self.changed.emit()

    def cell(self, row: int, key: str) -> str:
        col = self._col(key)
        if key == self.CHOICE_COLUMN:
            combo = self.table.cellWidget(row, col)
            return str(combo.currentData()) if isinstance(combo, QComboBox) else ""
        item = self.table.item(row, col)
        return item.text() if item is not None else ""

    def set_cell(self, row: int, key: str, text: str) -> None:
        col = self._col(key)
        if key == self.CHOICE_COLUMN:
            combo = self.table.cellWidget(row, col)
            if isinstance(combo, QComboBox):
                combo.setCurrentIndex(max(0, combo.findData(text)))
            return
        item = self.table.item(row, col)
        if item is not None:
            item.setText(text)

    def value(self) -> list[dict[str, str]]:
        rows = []
        for r in range(self.table.rowCount()):
            row = {key: self.cell(r, key) for key, _h in self.COLUMNS}
            if any(v.strip() for v in row.values()):
                rows.append(row)
        return rows

    def set_value(self, value: Any) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        self.table.blockSignals(False)
        for row in value if isinstance(value, list) else []:
            if isinstance(row, dict):
                self.add_row(row)
        self._fit()

    def set_read_only(self, on: bool) -> None:
        super().set_read_only(on)
        triggers = QAbstractItemView.EditTrigger
        self.table.setEditTriggers(
            triggers.NoEditTriggers
            if on
            else triggers.DoubleClicked | triggers.EditKeyPressed | triggers.AnyKeyPressed
        )
        for r in range(self.table.rowCount()):
            if self.CHOICE_COLUMN:
                widget = self.table.cellWidget(r, self._col(self.CHOICE_COLUMN))
                if widget is not None:
                    widget.setEnabled(not on)
        self.add_button.setVisible(not on)
        self.remove_button.setVisible(not on)
        self._fit()


class ContactsEditor(RowsTableEditor):
    COLUMNS = (
        ("name", "Name"),
        ("relationship", "Relationship"),
        ("number", "Number"),
        ("safe_times", "Safe times"),
        ("knows", "Knows where she is?"),
    )
    CHOICE_COLUMN = "knows"
    ADD_LABEL = "Add a contact"


class CodeWordsEditor(RowsTableEditor):
    COLUMNS = (
        ("word", "Code word or signal"),
        ("meaning", "What it means"),
        ("who", "Agreed with"),
    )
    ADD_LABEL = "Add a code word"


class ChildBlock(QFrame):
    """One child's part of the plan: her name as heading and a text area per sub-field."""

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(
        self, f: TemplateField, block: dict[str, Any], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.child_id: int | None = block.get("child_id")
        self.setObjectName("child_block")
        self.setStyleSheet(
            f"QFrame#child_block {{ border: 1px solid {style.BORDER}; border-radius: 4px;"
            " background: transparent; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        head = QHBoxLayout()
        self.heading = QLabel(block.get("name") or "Child")
        self.heading.setStyleSheet("font-weight: bold; font-size: 11pt; border: none;")
        self.name_edit = QLineEdit(block.get("name", ""))
        self.name_edit.setMaxLength(200)
        self.name_edit.setPlaceholderText("Child's name")
        self.name_edit.textChanged.connect(self._renamed)
        on_record = self.child_id is not None
        self.name_edit.setVisible(not on_record)
        self.record_note = QLabel("from her record" if on_record else "not on the record")
        self.record_note.setStyleSheet(f"color: {style.MUTED}; border: none;")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Take this child's part out of the plan")
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        head.addWidget(self.heading)
        head.addWidget(self.name_edit, 1)
        head.addWidget(self.record_note)
        head.addStretch(0 if not on_record else 1)
        head.addWidget(self.remove_button)
        layout.addLayout(head)
        self.areas: dict[str, GrowingTextEdit] = {}
        raw = block.get("values")
        values: dict[str, str] = raw if isinstance(raw, dict) else {}
        for cf in f.child_fields:
            label = QLabel(cf.label)
            label.setStyleSheet("border: none; font-weight: 600;")
            layout.addWidget(label)
            hints = prompts_label(cf.prompts)
            if hints is not None:
                hints.setStyleSheet(hints.styleSheet() + " border: none;")
                layout.addWidget(hints)
            area = GrowingTextEdit(min_lines=2)
            area.setAccessibleName(cf.label)
            area.setPlainText(values.get(cf.id, ""))
            area.textChanged.connect(self.changed)
            layout.addWidget(area)
            self.areas[cf.id] = area

    def _renamed(self, text: str) -> None:
        self.heading.setText(text.strip() or "Child")
        self.changed.emit()

    def name(self) -> str:
        return self.name_edit.text() if self.child_id is None else self.heading.text()

    def value(self) -> dict[str, Any]:
        values = {k: a.toPlainText() for k, a in self.areas.items() if a.toPlainText()}
        return {"child_id": self.child_id, "name": self.name(), "values": values}

    def set_read_only(self, on: bool) -> None:
        self.name_edit.setReadOnly(on)
        self.remove_button.setVisible(not on)
        for area in self.areas.values():
            area.set_read_only(on)


class ChildrenEditor(FieldEditor):
    def __init__(self, f: TemplateField, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        self.blocks: list[ChildBlock] = []
        self.column = QVBoxLayout()
        self.column.setSpacing(8)
        self.empty_note = QLabel("No children in this part of the plan.")
        self.empty_note.setStyleSheet(f"color: {style.MUTED}; background: transparent;")
        self.add_button = QPushButton("Add a child not on the record")
        self.add_button.clicked.connect(self._add_clicked)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        self.body.addLayout(self.column)
        self.body.addWidget(self.empty_note)
        self.body.addLayout(row)

    def add_block(self, block: dict[str, Any] | None = None) -> ChildBlock | None:
        if len(self.blocks) >= plan_domain.MAX_ROWS:
            return None
        child = ChildBlock(self.field, block or {"child_id": None, "name": "", "values": {}})
        child.set_read_only(self.read_only)
        child.changed.connect(self.changed)
        child.remove_requested.connect(self._remove)
        self.blocks.append(child)
        self.column.addWidget(child)
        self.empty_note.setVisible(False)
        return child

    def _add_clicked(self) -> None:
        child = self.add_block()
        if child is not None:
            child.name_edit.setFocus()
            self.changed.emit()

    def _remove(self, child: ChildBlock) -> None:
        self.blocks.remove(child)
        child.setParent(None)
        child.deleteLater()
        self.empty_note.setVisible(not self.blocks)
        self.changed.emit()

    def value(self) -> list[dict[str, Any]]:
        return [b.value() for b in self.blocks]

    def set_value(self, value: Any) -> None:
        for b in self.blocks:
            b.setParent(None)
            b.deleteLater()
        self.blocks = []
        for block in value if isinstance(value, list) else []:
            if isinstance(block, dict):
                self.add_block(block)
        self.empty_note.setVisible(not self.blocks)

    def set_read_only(self, on: bool) -> None:
        super().set_read_only(on)
        self.add_button.setVisible(not on)
        for b in self.blocks:
            b.set_read_only(on)


EDITORS: dict[FieldKind, type[FieldEditor]] = {
    FieldKind.TEXT: TextFieldEditor,
    FieldKind.CHECKLIST: ChecklistEditor,
    FieldKind.CONTACTS: ContactsEditor,
    FieldKind.CODE_WORDS: CodeWordsEditor,
    FieldKind.CHILDREN: ChildrenEditor,
    FieldKind.DATE: DateFieldEditor,
    FieldKind.YES_NO: YesNoEditor,
}


def make_editor(f: TemplateField, parent: QWidget | None = None) -> FieldEditor:
    return EDITORS[f.kind](f, parent)

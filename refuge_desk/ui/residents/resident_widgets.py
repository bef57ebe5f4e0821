"""Parts of the resident editor: phone rows, abusers, children, and drafts back to a Resident."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.residents import (
    MAX_NAME,
    MAX_SHORT,
    Abuser,
    Child,
    ContactSafety,
    Phone,
    Resident,
    Status,
)
from refuge_desk.ui.common import style
from refuge_desk.ui.common.forms import (
    ErrorBox,
    OptionalDateEdit,
    format_date,
    line_edit,
    text_area,
)

SAFETY_CHOICES = (
    ("NOT safe to contact", ContactSafety.UNSAFE),
    ("Safe to contact", ContactSafety.SAFE),
)
_UNSAFE_STYLE = f"QComboBox {{ color: {style.DANGER}; font-weight: bold; }}"


def safety_combo() -> QComboBox:
    combo = QComboBox()
    for label, value in SAFETY_CHOICES:
        combo.addItem(label, value.value)

    def paint() -> None:
        unsafe = combo.currentData() == ContactSafety.UNSAFE.value
        combo.setStyleSheet(_UNSAFE_STYLE if unsafe else "")

    combo.currentIndexChanged.connect(lambda _i: paint())
    paint()
    return combo


def set_safety(combo: QComboBox, safety: ContactSafety) -> None:
    combo.setCurrentIndex(max(0, combo.findData(safety.value)))


class _PhoneRow:
    def __init__(self, phone: Phone) -> None:
        self.number = line_edit(40, "07700 900000")
        self.number.setText(phone.number)
        self.label = line_edit(100, "mobile, work…")
        self.label.setText(phone.label)
        self.safety = safety_combo()
        set_safety(self.safety, phone.safety)
        self.safe_times = line_edit(MAX_SHORT, "e.g. weekdays 10–12")
        self.safe_times.setText(phone.safe_times)
        self.remove = QPushButton("Remove")
        self.remove.setToolTip("Remove this number")

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.number, self.label, self.safety, self.safe_times, self.remove)

    def name_parts(self, n: int) -> None:
        """What a screen reader says for each box of the n-th phone row."""
        for widget, what in zip(self.widgets()[:4], PhonesEditor.HEADERS, strict=False):
            widget.setAccessibleName(f"Phone {n}: {what.rstrip('?').lower()}")
        self.remove.setAccessibleName(f"Remove phone {n}")

    def value(self) -> Phone:
        return Phone(
            self.number.text(),
            self.label.text(),
            ContactSafety(self.safety.currentData()),
            self.safe_times.text(),
        )


class PhonesEditor(QWidget):
    """A small table of phone numbers typed in place; rows added and removed with buttons."""

    changed = Signal()
    HEADERS = ("Number", "Label", "Safe to contact?", "Safe times", "")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        for col, text in enumerate(self.HEADERS):
            head = QLabel(text)
            head.setObjectName("muted")
            self.grid.addWidget(head, 0, col)
        self.grid.setColumnStretch(0, 3)
        self.grid.setColumnStretch(1, 2)
        self.grid.setColumnStretch(3, 3)
        self.empty = QLabel("No phone numbers recorded.")
        self.empty.setObjectName("muted")
        self.rows: list[_PhoneRow] = []
        self._layout_rows()

    def _layout_rows(self) -> None:
        self.grid.removeWidget(self.empty)
        for r, row in enumerate(self.rows, start=1):
            for c, w in enumerate(row.widgets()):
                self.grid.removeWidget(w)
                self.grid.addWidget(w, r, c)
        for r, row in enumerate(self.rows, start=1):
            row.name_parts(r)
        self.empty.setVisible(not self.rows)
        if not self.rows:
            self.grid.addWidget(self.empty, 1, 0, 1, len(self.HEADERS))

    def add_phone(self, phone: Phone | None = None) -> _PhoneRow:
        row = _PhoneRow(phone or Phone())
        for edit in (row.number, row.label, row.safe_times):
            edit.textChanged.connect(self.changed)
        row.safety.currentIndexChanged.connect(lambda _i: self.changed.emit())
        row.remove.clicked.connect(lambda: self.remove_phone(self.rows.index(row)))
        self.rows.append(row)
        self._layout_rows()
        self.changed.emit()
        return row

    def remove_phone(self, index: int) -> None:
        row = self.rows.pop(index)
        for w in row.widgets():
            self.grid.removeWidget(w)
            w.deleteLater()
        self._layout_rows()
        self.changed.emit()

    def phones(self) -> list[Phone]:
        return [row.value() for row in self.rows]

    def set_phones(self, phones: list[Phone]) -> None:
        self.blockSignals(True)
        while self.rows:
            self.remove_phone(len(self.rows) - 1)
        for p in phones:
            self.add_phone(p)
        self.blockSignals(False)

    def any_unsafe(self) -> bool:
        return any(p.safety is ContactSafety.UNSAFE for p in self.phones())


_ABUSER_FIELDS = (
    ("name", "Name"),
    ("aliases", "Aliases"),
    ("relationship", "Relationship"),
    ("vehicle", "Vehicle"),
    ("known_areas", "Known areas"),
)


class AbuserForm(QGroupBox):
    changed = Signal()
    removed = Signal(object)

    def __init__(self, abuser: Abuser, number: int, parent: QWidget | None = None) -> None:
        super().__init__(f"Abuser {number}", parent)
        form = QFormLayout(self)
        self.edits: dict[str, QLineEdit] = {}
        for name, label in _ABUSER_FIELDS:
            edit = line_edit(MAX_SHORT * 4, name=f"abuser_{name}")
            edit.setText(getattr(abuser, name))
            edit.textChanged.connect(self.changed)
            self.edits[name] = edit
            if name == "relationship":
                edit.setPlaceholderText("e.g. ex-partner, husband, brother-in-law")
            if name == "known_areas":
                edit.setPlaceholderText("Areas, streets, workplaces she should avoid")
            form.addRow(f"{label}:", edit)
        self.description = text_area(3, "Appearance and anything that helps staff recognise him")
        self.description.setPlainText(abuser.description)
        self.description.textChanged.connect(self.changed)
        form.insertRow(3, "Description:", self.description)
        self.remove = QPushButton("Remove this abuser")
        self.remove.clicked.connect(lambda: self.removed.emit(self))
        form.addRow("", self.remove)

    def value(self) -> Abuser:
        values = {name: edit.text() for name, edit in self.edits.items()}
        return Abuser(description=self.description.toPlainText(), **values)


class AbusersEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.forms: list[AbuserForm] = []
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.empty = QLabel("No abuser recorded.")
        self.empty.setObjectName("muted")
        self.column.addWidget(self.empty)
        self.add_button = QPushButton("Add abuser")
        self.add_button.clicked.connect(lambda: self.add_abuser())
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        self.column.addLayout(buttons)
        self.column.addStretch(1)

    def add_abuser(self, abuser: Abuser | None = None) -> AbuserForm:
        form = AbuserForm(abuser or Abuser(), len(self.forms) + 1)
        form.changed.connect(self.changed)
        form.removed.connect(self._remove)
        self.column.insertWidget(len(self.forms) + 1, form)
        self.forms.append(form)
        self.empty.setVisible(False)
        self.changed.emit()
        return form

    def _remove(self, form: AbuserForm) -> None:
        self.forms.remove(form)
        self.column.removeWidget(form)
        form.deleteLater()
        for i, f in enumerate(self.forms, 1):
            f.setTitle(f"Abuser {i}")
        self.empty.setVisible(not self.forms)
        self.changed.emit()

    def abusers(self) -> list[Abuser]:
        return [f.value() for f in self.forms]

    def set_abusers(self, abusers: list[Abuser]) -> None:
        self.blockSignals(True)
        for form in list(self.forms):
            self._remove(form)
        for a in abusers:
            self.add_abuser(a)
        self.blockSignals(False)


class ChildDialog(QDialog):
    """Add or edit one child. The editor opens it non-modally-blocking (``open()``).

    ``child`` fills the fields; ``original`` (default: ``child``) is the child being edited,
    whose id is kept and against which typing counts as a change. A dialog reopened from a
    draft gets the parked values as ``child`` and the listed child as ``original``.
    """

    edited = Signal()

    def __init__(
        self, child: Child, parent: QWidget | None = None, *, original: Child | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Child")
        self.child = original if original is not None else child
        self.error = ErrorBox()
        self.full_name = line_edit(MAX_NAME, name="child_name")
        self.full_name.setText(child.full_name)
        self.date_of_birth = OptionalDateEdit()
        self.date_of_birth.set_value(child.date_of_birth)
        self.school = line_edit(MAX_SHORT, "School or nursery")
        self.school.setText(child.school)
        self.may_collect = text_area(2, "Names of the people allowed to collect the child")
        self.may_collect.setPlainText(child.may_collect)
        self.notes = text_area(3)
        self.notes.setPlainText(child.notes)
        form = QFormLayout()
        form.addRow("Name *:", self.full_name)
        form.addRow("Date of birth:", self.date_of_birth)
        form.addRow("School or nursery:", self.school)
        form.addRow("Who may collect:", self.may_collect)
        form.addRow("Notes:", self.notes)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.error)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(460, 380)
        for edit in (self.full_name, self.school):
            edit.textChanged.connect(self.edited)
        for area in (self.may_collect, self.notes):
            area.textChanged.connect(self.edited)
        self.date_of_birth.changed.connect(self.edited)

    def is_changed(self) -> bool:
        """True when the fields differ from the child being edited (or a blank new one)."""
        start = self.child
        start = Child(
            start.id,
            start.full_name.strip(),
            start.date_of_birth,
            start.school,
            start.may_collect,
            start.notes,
        )
        return self.value() != start

    def value(self) -> Child:
        return Child(
            self.child.id,
            self.full_name.text().strip(),
            self.date_of_birth.value(),
            self.school.text(),
            self.may_collect.toPlainText(),
            self.notes.toPlainText(),
        )

    def accept(self) -> None:
        if not self.full_name.text().strip():
            self.error.show_problems(["The child's name is required."])
            self.full_name.setFocus()
            return
        super().accept()


class ChildrenEditor(QWidget):
    changed = Signal()
    HEADERS = ("Name", "Date of birth", "School or nursery", "Who may collect", "Notes")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.children_: list[Child] = []
        self.dialog: ChildDialog | None = None  # the open add / edit dialog, if any
        self.dialog_index: int | None = None  # the row it edits; None when adding
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setAccessibleName("Children")
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda _i: self.edit_child())
        self.add_button = QPushButton("Add child")
        self.edit_button = QPushButton("Edit")
        self.remove_button = QPushButton("Remove")
        self.add_button.clicked.connect(lambda: self.add_child())
        self.edit_button.clicked.connect(lambda: self.edit_child())
        self.remove_button.clicked.connect(lambda: self.remove_child())
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.table)

    def _open(self, child: Child, index: int | None, original: Child | None = None) -> ChildDialog:
        self._close_dialog()
        dialog = ChildDialog(child, self, original=original)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)

        def apply() -> None:
            if index is None:
                self.children_.append(dialog.value())
            else:
                self.children_[index] = dialog.value()
            self._fill()
            self.changed.emit()

        def finished(_result: int) -> None:
            if self.dialog is dialog:
                self.dialog = None
                self.dialog_index = None
            dialog.deleteLater()
            self.changed.emit()  # its typing no longer counts as unsaved

        dialog.accepted.connect(apply)
        dialog.finished.connect(finished)
        dialog.edited.connect(self.changed)
        self.dialog = dialog
        self.dialog_index = index
        dialog.open()
        return dialog

    def _close_dialog(self) -> None:
        dialog = self.dialog
        self.dialog = None
        self.dialog_index = None
        if dialog is not None:
            dialog.reject()

    def pending(self) -> tuple[int | None, Child] | None:
        """The open dialog's row (None when adding) and its typed value; None when closed.

        Part of the editor's unsaved state, so a lock parks it in the draft.
        """
        if self.dialog is None:
            return None
        return self.dialog_index, self.dialog.value()

    def pending_changed(self) -> bool:
        return self.dialog is not None and self.dialog.is_changed()

    def reopen(self, index: int | None, child: Child) -> ChildDialog:
        """Open the dialog again with values parked in a draft."""
        if index is not None and not 0 <= index < len(self.children_):
            index = None
        original = self.children_[index] if index is not None else Child()
        return self._open(child, index, original)

    def add_child(self) -> ChildDialog:
        return self._open(Child(), None)

    def edit_child(self) -> ChildDialog | None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.children_):
            return None
        return self._open(self.children_[row], row)

    def remove_child(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.children_):
            del self.children_[row]
            self._fill()
            self.changed.emit()

    def _fill(self) -> None:
        self.table.setRowCount(len(self.children_))
        for r, c in enumerate(self.children_):
            cells = (
                c.full_name,
                format_date(c.date_of_birth),
                c.school,
                c.may_collect.replace("\n", "; "),
                c.notes.replace("\n", " "),
            )
            for col, text in enumerate(cells):
                self.table.setItem(r, col, QTableWidgetItem(text))

    def child_list(self) -> list[Child]:
        return [
            Child(c.id, c.full_name, c.date_of_birth, c.school, c.may_collect, c.notes)
            for c in self.children_
        ]

    def set_children(self, children: list[Child]) -> None:
        self._close_dialog()
        self.children_ = [
            Child(c.id, c.full_name, c.date_of_birth, c.school, c.may_collect, c.notes)
            for c in children
        ]
        self._fill()


# -- drafts: the plain dict made by domain.residents.to_plain, back into a Resident ----------

_DATES = {"date_of_birth", "referral_date", "arrival_date", "move_on_date"}


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _str(d: dict[str, Any], key: str) -> str:
    value = d.get(key, "")
    return "" if value is None else str(value)


def _phone(p: dict[str, Any]) -> Phone:
    safety = p.get("safety")
    return Phone(
        _str(p, "number"),
        _str(p, "label"),
        ContactSafety.SAFE if safety == "safe" else ContactSafety.UNSAFE,
        _str(p, "safe_times"),
    )


def child_from_plain(c: dict[str, Any]) -> Child:
    """A child from a draft payload (``to_plain`` form); broken values fall back to blank."""
    cid = c.get("id")
    return Child(
        cid if isinstance(cid, int) else None,
        _str(c, "full_name"),
        _date(c.get("date_of_birth")),
        _str(c, "school"),
        _str(c, "may_collect"),
        _str(c, "notes"),
    )


def resident_from_plain(data: dict[str, Any]) -> Resident:
    """Rebuild a Resident from a draft payload; unknown or broken values fall back to blank."""
    res = Resident()
    for f in fields(Resident):
        if f.name not in data:
            continue
        v = data[f.name]
        if f.name in _DATES:
            setattr(res, f.name, _date(v))
        elif f.name == "status":
            res.status = Status(v) if v in {s.value for s in Status} else Status.REFERRAL
        elif f.name == "email_safety":
            res.email_safety = ContactSafety.SAFE if v == "safe" else ContactSafety.UNSAFE
        elif f.name == "phones":
            res.phones = [_phone(p) for p in v if isinstance(p, dict)]
        elif f.name == "abusers":
            res.abusers = [
                Abuser(**{a.name: _str(x, a.name) for a in fields(Abuser)})
                for x in v
                if isinstance(x, dict)
            ]
        elif f.name == "children":
            res.children = [child_from_plain(c) for c in v if isinstance(c, dict)]
        elif f.name in ("id", "room_id", "key_worker_id"):
            setattr(res, f.name, v if isinstance(v, int) else None)
        elif f.name == "version":
            res.version = v if isinstance(v, int) and not isinstance(v, bool) else 0
        elif f.name in ("interpreter_needed", "nrpf"):
            setattr(res, f.name, bool(v))
        else:
            setattr(res, f.name, "" if v is None else str(v))
    return res

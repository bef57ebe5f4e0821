"""Small form helpers shared by the case-work screens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.errors import UserError, ValidationError
from refuge_desk.ui.common import style

DATE_FORMAT = "dd MMM yyyy"
_UNSET = QDate(1800, 1, 1)


def day_of(value: QDate) -> dt.date:
    """A Qt date as a Python date (PySide6 types ``toPython`` as ``object``)."""
    return dt.date(value.year(), value.month(), value.day())


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def qdatetime(moment: dt.datetime) -> QDateTime:
    """A naive local date and time as a Qt one (to the second)."""
    return QDateTime(qdate(moment.date()), QTime(moment.hour, moment.minute, moment.second))


def moment_of(value: QDateTime) -> dt.datetime:
    """A Qt date and time as a naive Python one (to the second)."""
    d, t = value.date(), value.time()
    return dt.datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), t.second())


class OptionalDateEdit(QWidget):
    """A date that may be "not set": a tick box switches the date on; unticked it is blank."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.set_box = QCheckBox()
        self.set_box.setToolTip("Tick to enter a date")
        self.set_box.setAccessibleDescription("Tick to enter a date; unticked it is not set")
        self.edit = QDateEdit()
        self.edit.setDisplayFormat(DATE_FORMAT)
        self.edit.setCalendarPopup(True)
        self.edit.setMinimumDate(_UNSET)
        self.edit.setMaximumDate(QDate(2200, 12, 31))
        self.edit.setSpecialValueText("not set")
        self.edit.setMinimumWidth(130)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.set_box)
        layout.addWidget(self.edit)
        layout.addStretch(1)
        self.setFocusProxy(self.edit)
        self.set_box.toggled.connect(self._toggled)
        self.edit.dateChanged.connect(lambda _d: self.changed.emit())
        self.set_value(None)

    def take_label(self, text: str) -> None:
        """The screen reader's names for both parts: "Date of birth: known" (the tick box)
        and "Date of birth" (the date), from the label whose buddy this is."""
        self.set_box.setAccessibleName(f"{text}: known")
        self.edit.setAccessibleName(text)

    def _toggled(self, on: bool) -> None:
        self.edit.setEnabled(on)
        if on and self.edit.date() == _UNSET:
            self.edit.setDate(QDate.currentDate())
        elif not on:
            self.edit.setDate(_UNSET)
        if on:
            self.edit.setFocus()
        self.changed.emit()

    def value(self) -> dt.date | None:
        if not self.set_box.isChecked() or self.edit.date() == _UNSET:
            return None
        return day_of(self.edit.date())

    def set_value(self, value: dt.date | None) -> None:
        self.set_box.blockSignals(True)
        self.set_box.setChecked(value is not None)
        self.set_box.blockSignals(False)
        self.edit.setEnabled(value is not None)
        self.edit.setDate(qdate(value) if value else _UNSET)


def line_edit(max_length: int, placeholder: str = "", name: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setMaxLength(max_length)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    if name:
        edit.setObjectName(name)
    return edit


def text_area(lines: int = 3, placeholder: str = "", name: str = "") -> QPlainTextEdit:
    area = QPlainTextEdit()
    area.setTabChangesFocus(True)
    # A few lines high; it scrolls rather than swallowing the whole form.
    height = area.fontMetrics().lineSpacing() * lines + 16
    area.setMinimumHeight(height)
    area.setMaximumHeight(height + area.fontMetrics().lineSpacing() * 3)
    if placeholder:
        area.setPlaceholderText(placeholder)
    if name:
        area.setObjectName(name)
    return area


def restricted_marker(tip: str = "") -> QLabel:
    label = QLabel("restricted")
    label.setObjectName("restricted")
    label.setToolTip(tip or "Staff only: never shown to relief workers or volunteers.")
    return label


def with_marker(widget: QWidget, *, stretch: bool = True) -> QWidget:
    """A field with the small "restricted" marker right after it."""
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget, 1 if stretch else 0)
    layout.addWidget(restricted_marker(), 0, Qt.AlignmentFlag.AlignVCenter)
    if not stretch:
        layout.addStretch(1)
    return box


class ErrorBox(QLabel):
    """Problems shown inline in a red box (never a modal)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("error_box")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Colours also set here so the box is red even without the app style sheet.
        self.setStyleSheet(
            f"QLabel#error_box {{ background: {style.DANGER_SOFT}; color: {style.DANGER};"
            f" border: 1px solid {style.DANGER}; border-radius: 4px; padding: 6px 8px; }}"
        )
        self.hide()

    def show_problems(self, problems: list[str], intro: str = "") -> None:
        lines = [intro] if intro else []
        lines += [f"• {p}" for p in problems]
        self.setText("\n".join(lines))
        self.show()

    def clear_problems(self) -> None:
        self.clear()
        self.hide()


@contextmanager
def wait_cursor() -> Iterator[None]:
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


def apply_or_show(
    error: ErrorBox,
    action: Callable[[], object],
    *,
    check_intro: str = "Please check:",
    refused_intro: str = "",
) -> bool:
    """Run a dialog's service call; a refusal is shown in ``error`` as plain sentences."""
    try:
        with wait_cursor():
            action()
    except ValidationError as err:
        error.show_problems(err.problems, check_intro)
        return False
    except UserError as err:
        error.show_problems([str(err)], refused_intro)
        return False
    return True


def form_dialog_layout(
    dialog: QDialog, error: ErrorBox, form: QLayout, on_save: Callable[[], object]
) -> QDialogButtonBox:
    """The usual small form dialog: problems on top, the form, then Save / Cancel."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(on_save)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(error)
    layout.addLayout(form)
    layout.addWidget(buttons)
    return buttons


def format_date(value: dt.date | str | None) -> str:
    """'2026-11-24' or a date -> '24 Nov 2026'; '' when unset or unreadable."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
    else:
        day = value
    return day.strftime("%d %b %Y")


def label_for(text: str, widget: QWidget) -> QLabel:
    """A label whose &-letter (Alt+letter) moves to ``widget``, and that a screen reader
    reads as the widget's name."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"

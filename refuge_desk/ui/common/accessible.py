"""What a screen reader reads for each control: its name, taken from the label she sees.

Qt names a line edit from the label whose buddy it is, but not a drop-down (it reads the
value chosen), nor the parts of a composite field (a date's tick box and date, a field with
the "restricted" marker). ``LabelNamer`` (an app-wide event filter the main window installs)
gives those the label's words as each label is polished, before it is first shown.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSlider,
    QTabBar,
    QTextEdit,
    QWidget,
)

# What a worker can focus or work: each one needs a name a screen reader can say.
INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QTextEdit,
    QPlainTextEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QTabBar,
    QSlider,
)
_FROM_LABEL = "refuge_desk_named_from_label"


def plain(text: str) -> str:
    """A label's words as spoken: no markup, no &-letter marker, no trailing colon."""
    if "<" in text:  # rich text: the words only
        text = QTextDocumentFragment.fromHtml(text).toPlainText()
    text = re.sub(r"&(.)", r"\1", text)
    return " ".join(text.split()).rstrip(" :*")


def inner_part(widget: QWidget) -> bool:
    """A part Qt builds inside a control (a spin box's line edit, a combo's list, a table's
    header, a tab bar's scroll arrows): the reader names the control, not the part."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractSpinBox | QComboBox | QTabBar | QAbstractItemView):
            return True
        parent = parent.parentWidget()
    return isinstance(widget, QHeaderView) or widget.objectName().startswith("qt_")


def _has_own_words(widget: QWidget) -> bool:
    if widget.accessibleName() and not widget.property(_FROM_LABEL):
        return True
    return isinstance(widget, QAbstractButton) and bool(widget.text().strip())


def set_name(widget: QWidget, name: str) -> None:
    """Name a control from a label (kept in step if the label is named again later)."""
    widget.setAccessibleName(name)
    widget.setProperty(_FROM_LABEL, True)


def name_from_label(buddy: QWidget, text: str) -> None:
    """Give the label's words to the control (or the one control inside a composite field)
    that a screen reader would otherwise leave unnamed or read by its value."""
    if not text:
        return
    take = getattr(buddy, "take_label", None)
    if callable(take):  # a composite field of ours names its own parts
        take(text)
        return
    composites = [
        w for w in buddy.findChildren(QWidget) if callable(getattr(w, "take_label", None))
    ]
    if len(composites) == 1:  # a date with the "restricted" marker after it
        composites[0].take_label(text)  # type: ignore[attr-defined]  # checked just above
        return
    if isinstance(buddy, INTERACTIVE):
        if isinstance(buddy, QComboBox) and not _has_own_words(buddy):
            set_name(buddy, text)
        return
    controls = [
        w
        for w in buddy.findChildren(QWidget)
        if isinstance(w, INTERACTIVE) and not inner_part(w) and not _has_own_words(w)
    ]
    if len(controls) == 1:
        set_name(controls[0], text)


class LabelNamer(QObject):
    """App-wide event filter: as each label with a buddy is polished, name the buddy."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Polish and isinstance(watched, QLabel):
            buddy = watched.buddy()
            if buddy is not None:
                name_from_label(buddy, plain(watched.text()))
        return False

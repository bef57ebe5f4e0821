"""Right-click a field's label on her record for that field's change history."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QMenu, QWidget

HINT = "Right-click for the history of this field"


def offer_field_history(
    root: QWidget, fields: dict[str, QWidget], open_for: Callable[[str], object]
) -> dict[str, QLabel]:
    """Give each form label whose row holds one of ``fields`` a "History of this field…"
    menu. Returns the labels by field name."""
    found: dict[str, QLabel] = {}
    for form in root.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            label_item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field_item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            label = label_item.widget() if label_item is not None else None
            holder = field_item.widget() if field_item is not None else None
            if not isinstance(label, QLabel) or holder is None or not label.text():
                continue
            name = next(
                (n for n, w in fields.items() if w is holder or holder.isAncestorOf(w)), None
            )
            if name is None or name in found:
                continue
            found[name] = label
            _attach(label, name, open_for)
    return found


def _attach(label: QLabel, name: str, open_for: Callable[[str], object]) -> None:
    label.setToolTip(HINT)
    label.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    title = label.text().rstrip(":* ").strip()
    menu = QMenu(label)
    menu.setObjectName("field_history_menu")
    menu.addAction(f"History of “{title}”…", lambda: open_for(name))
    label.customContextMenuRequested.connect(lambda pos: menu.popup(label.mapToGlobal(QPoint(pos))))

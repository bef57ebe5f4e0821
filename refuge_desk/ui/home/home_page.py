"""The home screen: calm cards of what needs doing today and this week; one click opens it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.deadlines import Target
from refuge_desk.domain.errors import UserError
from refuge_desk.services import home
from refuge_desk.services.home import HomeItem, HomeSection, HomeView
from refuge_desk.services.session import Session
from refuge_desk.ui.common import style
from refuge_desk.ui.common.dialogs import Dialogs

__all__ = ["HomePage", "Target"]

SHOWN = 8  # lines per card; the rest is one click away

_COLOURS = {
    "danger": (style.DANGER, style.DANGER_SOFT),
    "warn": ("#7a4b00", style.WARNING_SOFT),
    "ok": (style.TEXT, style.SURFACE),
}


def _item_button(text: str, level: str, name: str) -> QPushButton:
    fg, bg = _COLOURS.get(level, _COLOURS["ok"])
    button = QPushButton(text)
    button.setObjectName(name)
    button.setFlat(True)
    button.setToolTip(text)
    # Long lines are cut at the card's edge (full text in the tooltip) instead of widening it.
    button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    button.setMinimumWidth(120)
    button.setStyleSheet(
        f"QPushButton {{ text-align: left; padding: 6px 8px; color: {fg}; background: {bg};"
        f" border: 1px solid {style.BORDER}; border-radius: 4px; }}"
        f" QPushButton:hover {{ border-color: {style.ACCENT}; }}"
    )
    return button


class Card(QFrame):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("home_card")
        self.setStyleSheet(
            f"QFrame#home_card {{ background: {style.SURFACE}; border: 1px solid {style.BORDER};"
            " border-radius: 6px; }"
        )
        self.heading = QLabel(title)
        self.heading.setObjectName("heading")
        self.body = QVBoxLayout()
        self.body.setSpacing(4)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.body)
        layout.addStretch(1)


class HomePage(QWidget):
    open_target = Signal(object)  # a Target(resident_id, tab)

    def __init__(self, session: Session, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self.view: HomeView | None = None
        self.greeting = QLabel()
        self.greeting.setObjectName("heading")
        self.greeting.setStyleSheet("font-size: 14pt;")
        self.scope = QComboBox()
        self.scope.setObjectName("home_scope")
        self.scope.setAccessibleName("Whose tasks to show")
        self.scope.addItem("My tasks", "mine")
        self.scope.addItem("Everyone's tasks", "everyone")
        self.scope.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.message = QLabel()
        self.message.setObjectName("error_box")
        self.message.setWordWrap(True)
        self.message.hide()
        top = QHBoxLayout()
        top.addWidget(self.greeting)
        top.addStretch(1)
        top.addWidget(self.scope)
        top.addWidget(self.refresh_button)
        self.cards = QWidget()
        self.grid = QGridLayout(self.cards)
        self.grid.setSpacing(12)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.cards)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(scroll, 1)
        self.buttons: list[tuple[QPushButton, Target]] = []

    # -- building ----------------------------------------------------------------------

    def clear(self) -> None:
        self.view = None
        self.buttons = []
        self.greeting.clear()
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()

    def refresh(self) -> None:
        try:
            view = home.build(self.session, scope=self.scope.currentData())
        except UserError as err:
            self.clear()
            self.message.setText(str(err))
            self.message.show()
            return
        self.message.hide()
        self.clear()
        self.view = view
        self.greeting.setText(f"{view.greeting} — {view.today.strftime('%A %d %B %Y')}")
        self.scope.setVisible(view.can_choose_scope)
        first = 0
        if view.backup is not None:  # a banner across the top: it must not be missed
            self.grid.addWidget(self._backup_card(view), 0, 0, 1, 2)
            first = 1
        cards: list[QWidget] = [self._section_card(s) for s in view.sections]
        cards.append(self._rooms_card(view))
        columns = 2
        for n, card in enumerate(cards):
            self.grid.addWidget(card, first + n // columns, n % columns)
        for column in range(columns):
            self.grid.setColumnStretch(column, 1)

    def _add(self, card: Card, text: str, level: str, target: Target, name: str) -> None:
        button = _item_button(text, level, name)
        button.clicked.connect(lambda _c=False, t=target: self.open_target.emit(t))
        card.body.addWidget(button)
        self.buttons.append((button, target))

    def _backup_card(self, view: HomeView) -> Card:
        assert view.backup is not None
        card = Card("Backups")
        card.setObjectName("home_card")
        label = view.backup.text + ("" if view.backup.level == "ok" else "  Open backups ›")
        self._add(card, label, view.backup.level, view.backup.target, "home_backup")
        return card

    def _rooms_card(self, view: HomeView) -> Card:
        card = Card("Rooms")
        self._add(card, view.occupancy.text, "ok", Target(None, "rooms"), "home_rooms")
        return card

    def _section_card(self, section: HomeSection) -> Card:
        title = f"{section.title} ({section.total})" if section.total else section.title
        card = Card(title)
        if not section.items:
            empty = QLabel(section.empty)
            empty.setObjectName("muted")
            empty.setWordWrap(True)
            card.body.addWidget(empty)
        for item in section.items[:SHOWN]:
            self._add(card, _line(item), item.level, item.target, f"home_item_{section.key}")
        if section.total > SHOWN:
            rest = section.total - SHOWN
            where = Target(None, "residents" if section.key == "rota" else "tasks")
            page = "the residents list" if section.key == "rota" else "the Tasks page"
            self._add(card, f"and {rest} more: open {page} ›", "ok", where, "home_more")
        return card

    def item_buttons(self, section_key: str) -> list[QPushButton]:
        """The clickable lines of one card (for tests and keyboard focus)."""
        return [b for b, _t in self.buttons if b.objectName() == f"home_item_{section_key}"]


def _line(item: HomeItem) -> str:
    parts = [item.title]
    if item.who:
        parts.append(item.who)
    if item.when:
        parts.append(item.when)
    # Each part isolated (FSI … PDI): an Arabic or Hebrew name must not pull the dots and the
    # "days overdue" after it into right-to-left order.
    return "  ·  ".join(f"\u2068{p}\u2069" for p in parts)

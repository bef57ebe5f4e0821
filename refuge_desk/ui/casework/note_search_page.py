"""Search every resident's case notes (restricted ones only for managers and authors)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
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

from refuge_desk.domain.dates import local_text
from refuge_desk.domain.errors import UserError
from refuge_desk.domain.notes import SearchHit
from refuge_desk.services import notes
from refuge_desk.services.session import Session
from refuge_desk.ui.common import style
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import plural

RESIDENT_ROLE = Qt.ItemDataRole.UserRole
COLUMNS = ("When", "Reference", "Name", "Type", "Found in the note")
PAGE = 50


class NoteSearchPage(QWidget):
    open_resident = Signal(int)

    def __init__(self, session: Session, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self._query = ""
        self._shown = 0
        title = QLabel("Search case notes")
        title.setObjectName("page_title")
        self.search = QLineEdit()
        self.search.setAccessibleName("Search case notes")
        self.search.setPlaceholderText("Words or the start of words, e.g. housing bid")
        self.search.setClearButtonEnabled(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self.refresh)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("note_hits")
        self.table.setAccessibleName("Notes found")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for col, width in enumerate((140, 90, 160, 120)):
            self.table.setColumnWidth(col, width)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self._open_current())
        for key in ("Return", "Enter"):
            shortcut = QShortcut(QKeySequence(key), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self._open_current)
        self.status = QLabel("Type a word to search the notes of every resident.")
        self.status.setStyleSheet(f"color: {style.MUTED};")
        self.status.setWordWrap(True)
        self.more_button = QPushButton("More results")
        self.more_button.clicked.connect(self._more)
        self.more_button.hide()
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.more_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

    def clear(self) -> None:
        self._timer.stop()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.table.setRowCount(0)
        self._query = ""
        self._shown = 0
        self.more_button.hide()
        self.status.setText("Type a word to search the notes of every resident.")

    def refresh(self) -> None:
        self._timer.stop()
        self._query = self.search.text().strip()
        self.table.setRowCount(0)
        self._shown = 0
        self.more_button.hide()
        if not self._query:
            self.status.setText("Type a word to search the notes of every resident.")
            return
        self._fetch()

    def _more(self) -> None:
        self._fetch()

    def _fetch(self) -> None:
        try:
            page = notes.search(self.session, self._query, None, PAGE, self._shown)
        except UserError as err:
            self.status.setText(str(err))
            return
        for hit in page.hits:
            self._add_row(hit)
        self._shown += len(page.hits)
        if not self._shown:
            self.status.setText("No notes match. Try fewer words or the start of a word.")
        else:
            self.status.setText(
                f"{plural(self._shown, 'note')} shown, most recently written first. "
                "Double-click or press Enter to open the resident."
            )
        self.more_button.setVisible(page.has_more)

    def _add_row(self, hit: SearchHit) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        type_text = hit.note_type.label + (" (restricted)" if hit.restricted else "")
        name = hit.name if hit.name == hit.full_name else f"{hit.name} ({hit.full_name})"
        cells = (local_text(hit.happened_at), hit.reference, name, type_text, hit.snippet)
        for col, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setData(RESIDENT_ROLE, hit.resident_id)
            if col == 4:
                item.setToolTip(hit.snippet)
            self.table.setItem(row, col, item)

    def _open_current(self) -> None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        if item is not None:
            self.open_resident.emit(int(item.data(RESIDENT_ROLE)))

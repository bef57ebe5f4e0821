"""A resident's case notes: a composer always at the top, her notes newest first below.

The composer stays open so a worker can write a long key-work note without a modal in the
way; "Amend…" turns the same composer into an amendment of the selected note, so what she
types is always in one place, and parked in the vault on lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.dates import local_text
from refuge_desk.domain.errors import UserError
from refuge_desk.domain.notes import MAX_TEXT, Note, NoteType, SearchHit
from refuge_desk.services import notes
from refuge_desk.services.session import Session
from refuge_desk.ui.common import style
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import (
    ErrorBox,
    apply_or_show,
    label_for,
    moment_of,
    plural,
    qdatetime,
)

ID_ROLE = Qt.ItemDataRole.UserRole
COLUMNS = ("When", "Type", "Written by", "Marks", "Note")


def first_line(text: str, width: int = 140) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


class NotesTab(QWidget):
    changed = Signal()

    def __init__(self, session: Session, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self.resident_id: int | None = None
        self._amends: Note | None = None
        self._when_set = False
        self._loaded = 0
        self._notes: dict[int, Note] = {}
        self._build()

    # -- layout ------------------------------------------------------------------------
    def _build(self) -> None:
        composer = QFrame()
        composer.setObjectName("note_composer")
        composer.setFrameShape(QFrame.Shape.StyledPanel)
        c = QVBoxLayout(composer)
        top = QHBoxLayout()
        self.type_box = QComboBox()
        for t in NoteType:
            self.type_box.addItem(t.label, t.value)
        self.when_edit = QDateTimeEdit()
        self.when_edit.setDisplayFormat("dd MMM yyyy HH:mm")
        self.when_edit.setCalendarPopup(True)
        self.when_edit.setToolTip("When it happened. Leave it for now; change it to back-date.")
        self.when_edit.dateTimeChanged.connect(self._when_changed)
        self.restricted_box = QCheckBox("Restricted: managers and me only")
        top.addWidget(label_for("Type", self.type_box))
        top.addWidget(self.type_box)
        top.addSpacing(12)
        top.addWidget(label_for("When", self.when_edit))
        top.addWidget(self.when_edit)
        top.addSpacing(12)
        top.addWidget(self.restricted_box)
        top.addStretch(1)
        c.addLayout(top)
        self.amend_banner = QFrame()
        b = QHBoxLayout(self.amend_banner)
        b.setContentsMargins(0, 0, 0, 0)
        self.amend_label = QLabel()
        self.amend_label.setWordWrap(True)
        self.cancel_amend = QPushButton("Cancel amendment")
        self.cancel_amend.clicked.connect(self._stop_amending)
        b.addWidget(self.amend_label, 1)
        b.addWidget(self.cancel_amend)
        self.amend_banner.hide()
        c.addWidget(self.amend_banner)
        self.text = QPlainTextEdit()
        self.text.setObjectName("note_text")
        self.text.setAccessibleName("New case note")
        self.text.setPlaceholderText("Write the note here. It is saved when you press Save note.")
        self.text.setMinimumHeight(self.text.fontMetrics().lineSpacing() * 6 + 16)
        self.text.setTabChangesFocus(True)
        self.text.textChanged.connect(self._text_changed)
        c.addWidget(self.text)
        self.error = ErrorBox()
        c.addWidget(self.error)
        bottom = QHBoxLayout()
        self.counter = QLabel()
        self.counter.setStyleSheet(f"color: {style.MUTED};")
        self.save_button = QPushButton("Save note")
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Ctrl+Enter")
        self.save_button.clicked.connect(self.save)
        QShortcut(QKeySequence("Ctrl+Return"), self.text, self.save)
        bottom.addWidget(self.counter)
        bottom.addStretch(1)
        bottom.addWidget(self.save_button)
        c.addLayout(bottom)

        self.search = QLineEdit()
        self.search.setAccessibleName("Search her notes")
        self.search.setPlaceholderText("Search her notes (words or the start of words)")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.refresh_list)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())

        self.tree = QTreeWidget()
        self.tree.setObjectName("notes_list")
        self.tree.setAccessibleName("Case notes")
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(24)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        for col, width in enumerate((140, 120, 130, 150)):
            self.tree.setColumnWidth(col, width)
        self.tree.currentItemChanged.connect(lambda _c, _p: self._show_selected())
        self.reader = QPlainTextEdit()
        self.reader.setReadOnly(True)
        self.reader.setObjectName("note_reader")
        self.reader.setAccessibleName("The chosen note")
        self.reader.setPlaceholderText("Choose a note to read it in full.")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tree)
        split.addWidget(self.reader)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        actions = QHBoxLayout()
        self.amend_button = QPushButton("Amend…")
        self.amend_button.setToolTip("Add a correction. The original note stays as it is.")
        self.amend_button.setEnabled(False)
        self.amend_button.clicked.connect(self.amend_selected)
        self.more_button = QPushButton("Show older notes")
        self.more_button.clicked.connect(self._more)
        self.status = QLabel()
        self.status.setStyleSheet(f"color: {style.MUTED};")
        self.status.setWordWrap(True)
        actions.addWidget(self.amend_button)
        actions.addWidget(self.status, 1)
        actions.addWidget(self.more_button)

        layout = QVBoxLayout(self)
        layout.addWidget(composer)
        layout.addWidget(self.search)
        layout.addWidget(split, 1)
        layout.addLayout(actions)
        self._reset_composer()
        self.setEnabled(False)

    # -- LockablePage ------------------------------------------------------------------
    def load(self, resident_id: int) -> None:
        if resident_id != self.resident_id:
            self._reset_composer()
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
        self.resident_id = resident_id
        self.setEnabled(True)
        self.refresh_list()

    def refresh(self) -> None:
        if self.resident_id is not None:
            self.refresh_list()

    def clear(self) -> None:
        self.resident_id = None
        self._search_timer.stop()
        self._reset_composer()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.tree.clear()
        self.reader.clear()
        self._notes.clear()
        self.status.clear()
        self.setEnabled(False)

    # -- DraftHolder -------------------------------------------------------------------
    def has_unsaved_changes(self) -> bool:
        return bool(self.text.toPlainText().strip())

    def draft_payload(self) -> dict[str, Any]:
        return {
            "resident_id": self.resident_id,
            "text": self.text.toPlainText(),
            "type": self.type_box.currentData(),
            "restricted": self.restricted_box.isChecked(),
            "amends_id": self._amends.id if self._amends else None,
            "when": self._when().isoformat() if self._when_set else None,
        }

    def restore_draft(self, payload: dict[str, Any]) -> None:
        rid = payload.get("resident_id")
        if isinstance(rid, int) and rid != self.resident_id:
            self.load(rid)
        self._reset_composer()
        amends = payload.get("amends_id")
        if isinstance(amends, int):
            # Gone, or no longer hers to see: the text stays, as a new note.
            with contextlib.suppress(UserError):
                self._start_amending(notes.get(self.session, amends))
        if self._amends is None:
            index = self.type_box.findData(payload.get("type"))
            self.type_box.setCurrentIndex(max(0, index))
            self.restricted_box.setChecked(bool(payload.get("restricted")))
        when = payload.get("when")
        if isinstance(when, str) and when:
            self._set_when(dt.datetime.fromisoformat(when))
            self._when_set = True
        self.text.setPlainText(str(payload.get("text", "")))

    # -- composer ----------------------------------------------------------------------
    def _now_local(self) -> dt.datetime:
        return self.session.now().astimezone()

    def _set_when(self, moment: dt.datetime) -> None:
        local = moment.astimezone().replace(tzinfo=None, second=0, microsecond=0)
        self.when_edit.blockSignals(True)
        self.when_edit.setDateTime(qdatetime(local))
        self.when_edit.blockSignals(False)

    def _when(self) -> dt.datetime:
        naive = moment_of(self.when_edit.dateTime())
        return naive.astimezone()

    def _when_changed(self, _value: QDateTime) -> None:
        self._when_set = True

    def _reset_composer(self) -> None:
        self._stop_amending()
        self.text.clear()
        self.type_box.setCurrentIndex(0)
        self.restricted_box.setChecked(False)
        self._set_when(self._now_local())
        self._when_set = False
        self.error.clear_problems()
        self._text_changed()

    def _text_changed(self) -> None:
        n = len(self.text.toPlainText())
        self.counter.setText(f"{n:,} / {MAX_TEXT:,} characters" if n else "")

    def _start_amending(self, note: Note) -> None:
        self._amends = note
        self.amend_label.setText(
            f"Amending the {note.note_type.label.lower()} note of {local_text(note.happened_at)}"
            f" by {note.author or 'a former member of staff'}. The original stays as it is; "
            "your correction is added under it."
        )
        self.amend_banner.show()
        self.type_box.setCurrentIndex(max(0, self.type_box.findData(note.note_type.value)))
        self.type_box.setEnabled(False)
        self.restricted_box.setChecked(note.restricted)
        self.restricted_box.setEnabled(not note.restricted)
        self.save_button.setText("Save amendment")
        self.text.setFocus()

    def _stop_amending(self) -> None:
        self._amends = None
        self.amend_banner.hide()
        self.type_box.setEnabled(True)
        self.restricted_box.setEnabled(True)
        self.save_button.setText("Save note")

    def save(self) -> None:
        if self.resident_id is None:
            return
        rid = self.resident_id
        text = self.text.toPlainText()
        when = self._when() if self._when_set else None
        restricted = self.restricted_box.isChecked()
        amends = self._amends

        def action() -> None:
            if amends is not None:
                notes.amend(self.session, amends.id, text, when, restricted)
            else:
                kind = NoteType(self.type_box.currentData())
                notes.add(self.session, rid, text, kind, when, restricted)

        if not apply_or_show(self.error, action, refused_intro="The note was not saved:"):
            return
        self._reset_composer()
        self.refresh_list()
        self.changed.emit()

    def amend_selected(self) -> None:
        note_id = self._selected_id()
        if note_id is None:
            return
        if self.has_unsaved_changes():
            self.dialogs.info(
                self,
                "Finish the note first",
                "Save the note you are writing, or clear it, before amending another note.",
            )
            return
        try:
            self._start_amending(notes.get(self.session, note_id))
        except UserError as err:
            self.dialogs.error(self, "Cannot amend", str(err))

    # -- list --------------------------------------------------------------------------
    def refresh_list(self) -> None:
        if self.resident_id is None:
            return
        self.tree.clear()
        self.reader.clear()
        self._notes.clear()
        self._loaded = 0
        query = self.search.text().strip()
        try:
            if query:
                self._show_hits(query)
            else:
                self._append_page()
        except UserError as err:
            self.status.setText(str(err))
            self.more_button.hide()

    def _append_page(self) -> None:
        assert self.resident_id is not None
        page = notes.list_notes(self.session, self.resident_id, offset=self._loaded)
        for note in page.notes:
            item = self._item(note, amendment=False)
            self.tree.addTopLevelItem(item)
            for amendment in note.amendments:
                item.addChild(self._item(amendment, amendment=True))
            item.setExpanded(True)
        self._loaded += len(page.notes)
        self.tree.setRootIsDecorated(False)
        parts = [f"Showing {self._loaded:,} of {plural(page.total, 'note')}, newest first."]
        if page.hidden_restricted:
            # Said so she knows the record is not complete before acting on it.
            parts.append(
                f"{plural(page.hidden_restricted, 'restricted note')} not shown to you: "
                "ask a manager if you need to know more."
            )
        if page.total == 0 and not page.hidden_restricted:
            parts = ["No notes yet."]
        self.status.setText(" ".join(parts))
        self.more_button.setVisible(self._loaded < page.total)

    def _more(self) -> None:
        try:
            self._append_page()
        except UserError as err:
            self.status.setText(str(err))

    def _show_hits(self, query: str) -> None:
        assert self.resident_id is not None
        page = notes.search(self.session, query, self.resident_id, limit=200)
        for hit in page.hits:
            self.tree.addTopLevelItem(self._hit_item(hit))
        count = len(page.hits)
        more = " (the 200 newest)" if page.has_more else ""
        self.status.setText(
            f"{plural(count, 'note')} found{more}." if count else "No notes match this search."
        )
        self.more_button.hide()

    def _marks(self, restricted: bool, amended: bool, amendment: bool) -> str:
        marks = []
        if restricted:
            marks.append("restricted")
        if amended:
            marks.append("amended")
        if amendment:
            marks.append("amendment")
        return ", ".join(marks)

    def _item(self, note: Note, *, amendment: bool) -> QTreeWidgetItem:
        self._notes[note.id] = note
        marks = self._marks(note.restricted, note.amended, amendment)
        text = ("↳ " if amendment else "") + first_line(note.text)
        item = QTreeWidgetItem(
            [local_text(note.happened_at), note.note_type.label, note.author, marks, text]
        )
        item.setData(0, ID_ROLE, note.id)
        if note.restricted:
            item.setForeground(3, QBrush(QColor(style.RESTRICTED)))
        return item

    def _hit_item(self, hit: SearchHit) -> QTreeWidgetItem:
        marks = self._marks(hit.restricted, False, hit.is_amendment)
        item = QTreeWidgetItem(
            [local_text(hit.happened_at), hit.note_type.label, hit.author, marks, hit.snippet]
        )
        item.setData(0, ID_ROLE, hit.note_id)
        if hit.restricted:
            item.setForeground(3, QBrush(QColor(style.RESTRICTED)))
        return item

    def _selected_id(self) -> int | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        value = item.data(0, ID_ROLE)
        return int(value) if value is not None else None

    def _show_selected(self) -> None:
        note_id = self._selected_id()
        self.amend_button.setEnabled(note_id is not None)
        if note_id is None:
            self.reader.clear()
            return
        note = self._notes.get(note_id)
        if note is None:
            try:
                note = notes.get(self.session, note_id)
            except UserError as err:
                self.reader.setPlainText(str(err))
                return
        head = f"{note.note_type.label} · {local_text(note.happened_at)} · {note.author}"
        if note.restricted:
            head += " · restricted"
        if note.amends_id is not None:
            head += " · amendment"
        elif note.amended:
            head += " · amended (see the amendments under it)"
        self.reader.setPlainText(head + "\n\n" + note.text)

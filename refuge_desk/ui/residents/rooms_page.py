"""Rooms and their occupancy; managers add, edit and delete rooms."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.errors import UserError, ValidationError
from refuge_desk.domain.residents import Room
from refuge_desk.services import rooms as rooms_service
from refuge_desk.services.session import Session
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import ErrorBox, form_dialog_layout, line_edit, plural, text_area
from refuge_desk.ui.common.table_models import RoomsModel


class RoomDialog(QDialog):
    """Add or edit one room. Saves through the service and shows problems inline."""

    def __init__(
        self, session: Session, room: Room | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.room = room or Room()
        self.saved_room: Room | None = None
        self.setWindowTitle("Edit room" if self.room.id else "Add room")
        self.error = ErrorBox()
        self.name = line_edit(80, "e.g. Room 4, Flat B", "room_name")
        self.name.setText(self.room.name)
        self.beds = QSpinBox()
        self.beds.setRange(1, 20)
        self.beds.setValue(max(1, min(20, self.room.beds)))
        self.accessible = QCheckBox("Accessible (step-free, suitable for a wheelchair)")
        self.accessible.setChecked(self.room.accessible)
        self.notes = text_area(3)
        self.notes.setPlainText(self.room.notes)
        form = QFormLayout()
        form.addRow("Name *:", self.name)
        form.addRow("Beds:", self.beds)
        form.addRow("", self.accessible)
        form.addRow("Notes:", self.notes)
        self.buttons = form_dialog_layout(self, self.error, form, self.accept)
        self.resize(440, 300)

    def accept(self) -> None:
        room = Room(
            self.room.id,
            self.name.text(),
            self.beds.value(),
            self.accessible.isChecked(),
            self.notes.toPlainText(),
        )
        try:
            self.saved_room = rooms_service.save(self.session, room)
        except ValidationError as err:
            self.error.show_problems(err.problems, "Not saved yet. Please check:")
            return
        except UserError as err:
            self.error.show_problems([str(err)])
            return
        super().accept()


class RoomsPage(QWidget):
    def __init__(self, session: Session, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self.dialog: RoomDialog | None = None
        self.setWindowTitle("Rooms")
        manager = session.role.manages_rooms

        self.summary = QLabel()
        self.summary.setObjectName("heading")
        self.add_button = QPushButton("Add room")
        self.add_button.setObjectName("primary")
        self.edit_button = QPushButton("Edit room")
        self.delete_button = QPushButton("Delete room")
        top = QHBoxLayout()
        top.addWidget(self.summary)
        top.addStretch(1)
        for b in (self.add_button, self.edit_button, self.delete_button):
            b.setVisible(manager)
            top.addWidget(b)

        self.model = RoomsModel(self)
        self.view = QTableView()
        self.view.setAccessibleName("Rooms")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(RoomsModel.COL_NOTES, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(80)
        note = QLabel("Occupied beds count residents with status “Resident” and their children.")
        note.setObjectName("muted")

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(note)
        layout.addWidget(self.view, 1)

        self.add_button.clicked.connect(lambda: self.add_room())
        self.edit_button.clicked.connect(lambda: self.edit_room())
        self.delete_button.clicked.connect(lambda: self.delete_room())
        if manager:
            self.view.doubleClicked.connect(lambda _i: self.edit_room())
        self.refresh()

    def refresh(self) -> None:
        try:
            rows = rooms_service.occupancy(self.session)
        except UserError as err:
            self.model.clear()
            self.summary.setText(str(err))
            return
        self.model.set_rows(rows)
        beds = sum(r.room.beds for r in rows)
        used = sum(r.occupied for r in rows)
        over = [r for r in rows if r.over]
        text = f"{plural(len(rows), 'room')} · {beds} beds: {used} used, {max(0, beds - used)} free"
        if over:
            text += f" · {plural(len(over), 'room')} over capacity"
        self.summary.setText(text)

    def clear(self) -> None:
        if self.dialog is not None:
            self.dialog.reject()
        self.model.clear()
        self.summary.clear()

    def selected_room(self) -> Room | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        return self.model.rows[index.row()].room

    def select_room(self, name: str) -> None:
        for i, occ in enumerate(self.model.rows):
            if occ.room.name == name:
                self.view.selectRow(i)
                return

    def _open(self, room: Room | None) -> RoomDialog:
        dialog = RoomDialog(self.session, room, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(self.refresh)
        dialog.finished.connect(lambda _r: self._closed(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _closed(self, dialog: RoomDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def add_room(self) -> RoomDialog:
        return self._open(None)

    def edit_room(self) -> RoomDialog | None:
        room = self.selected_room()
        if room is None:
            self.dialogs.info(self, "Edit room", "Choose a room in the list first.")
            return None
        return self._open(room)

    def delete_room(self) -> bool:
        room = self.selected_room()
        if room is None or room.id is None:
            self.dialogs.info(self, "Delete room", "Choose a room in the list first.")
            return False
        if not self.dialogs.confirm(
            self, "Delete room", f"Delete “{room.name}”? This cannot be undone."
        ):
            return False
        try:
            rooms_service.delete(self.session, room.id)
        except UserError as err:
            self.dialogs.error(self, "Room not deleted", str(err))
            return False
        self.refresh()
        return True

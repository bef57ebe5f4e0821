"""The rooms page: occupancy, add / edit / delete, managers only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt

from refuge_desk.domain.residents import Child, Resident, Room, Status
from refuge_desk.services import residents, rooms
from refuge_desk.services.session import Session
from refuge_desk.ui.admin.staff_page import StaffPage
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.common.table_models import RoomsModel
from refuge_desk.ui.residents.rooms_page import RoomsPage
from tests.conftest import WORKER, FakeClock, sign_in_as

NEW_PASSPHRASE = "lilac tundra marble whistle"


def cell(model, row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    return model.index(row, column).data(role)


def room_row(page: RoomsPage, name: str) -> int:
    for i, occ in enumerate(page.model.rows):
        if occ.room.name == name:
            return i
    raise AssertionError(f"no room {name}")


def rooms_page(qtbot, session: Session, *answers: object) -> RoomsPage:
    page = RoomsPage(session, ScriptedDialogs(*answers))
    qtbot.addWidget(page)
    return page


def staff_page(qtbot, session: Session, *answers: object) -> StaffPage:
    page = StaffPage(session, ScriptedDialogs(*answers))
    qtbot.addWidget(page)
    return page


def test_add_edit_room_through_dialog(qtbot, manager_session):
    page = rooms_page(qtbot, manager_session)
    assert page.model.rowCount() == 0
    dialog = page.add_room()
    qtbot.keyClicks(dialog.name, "Blue room")
    dialog.beds.setValue(3)
    dialog.accessible.setChecked(True)
    dialog.notes.setPlainText("Ground floor")
    dialog.accept()
    assert dialog.saved_room is not None
    stored = rooms.occupancy(manager_session)
    assert [(o.room.name, o.room.beds, o.room.accessible) for o in stored] == [
        ("Blue room", 3, True)
    ]
    assert cell(page.model, 0, RoomsModel.COL_FREE) == "3"
    assert cell(page.model, 0, RoomsModel.COL_ACCESSIBLE) == "Yes"
    assert page.summary.text().startswith("1 room · 3 beds: 0 used, 3 free")

    page.select_room("Blue room")
    dialog = page.edit_room()
    assert dialog.name.text() == "Blue room" and dialog.beds.value() == 3
    dialog.beds.setValue(2)
    dialog.accept()
    assert rooms.occupancy(manager_session)[0].room.beds == 2
    assert cell(page.model, 0, RoomsModel.COL_BEDS) == "2"


def test_room_dialog_shows_problems_inline(qtbot, manager_session):
    rooms.save(manager_session, Room(name="Room 1", beds=2))
    page = rooms_page(qtbot, manager_session)
    dialog = page.add_room()
    dialog.accept()  # no name
    assert "Room name is required." in dialog.error.text()
    dialog.name.setText("room 1")
    dialog.accept()
    assert "already a room called" in dialog.error.text()
    assert dialog.isVisible() or dialog.result() == 0
    assert len(rooms.occupancy(manager_session)) == 1
    assert page.dialogs.asked == []
    assert dialog.beds.minimum() == 1 and dialog.beds.maximum() == 20


def test_occupancy_and_over_capacity(qtbot, manager_session):
    small = rooms.save(manager_session, Room(name="Small", beds=2))
    rooms.save(manager_session, Room(name="Empty", beds=4))
    residents.save(
        manager_session,
        Resident(
            full_name="Test Mother",
            status=Status.RESIDENT,
            arrival_date=dt.date(2026, 11, 1),
            room_id=small.id,
            children=[Child(full_name="One"), Child(full_name="Two")],
        ),
    )
    page = rooms_page(qtbot, manager_session)
    r = room_row(page, "Small")
    assert cell(page.model, r, RoomsModel.COL_OCCUPIED) == "3"
    assert cell(page.model, r, RoomsModel.COL_FREE) == "0 (1 over)"
    assert cell(page.model, r, RoomsModel.COL_OCCUPIED, Qt.ItemDataRole.BackgroundRole)
    empty = room_row(page, "Empty")
    assert cell(page.model, empty, RoomsModel.COL_FREE) == "4"
    assert cell(page.model, empty, RoomsModel.COL_OCCUPIED, Qt.ItemDataRole.BackgroundRole) is None
    assert "1 room over capacity" in page.summary.text()


def test_delete_room(qtbot, manager_session):
    used = rooms.save(manager_session, Room(name="Used", beds=2))
    rooms.save(manager_session, Room(name="Spare", beds=2))
    residents.save(manager_session, Resident(full_name="Referral Person", room_id=used.id))
    page = rooms_page(qtbot, manager_session, False, True, True)
    page.select_room("Spare")
    assert not page.delete_room()  # she said No
    assert len(rooms.occupancy(manager_session)) == 2
    page.select_room("Spare")
    assert page.delete_room()
    assert [o.room.name for o in rooms.occupancy(manager_session)] == ["Used"]
    page.select_room("Used")
    assert not page.delete_room()
    kind, _title, text = page.dialogs.asked[-1]
    assert kind == "error" and text.startswith("This room still has residents")
    assert page.model.rowCount() == 1


def test_room_buttons_only_for_managers(qtbot, manager_session, vault_dir: Path, clock: FakeClock):
    rooms.save(manager_session, Room(name="Room 1", beds=2))
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        page = rooms_page(qtbot, worker)
        assert page.model.rowCount() == 1
        for b in (page.add_button, page.edit_button, page.delete_button):
            assert b.isHidden()
        page.clear()
        assert page.model.rowCount() == 0 and page.summary.text() == ""
    finally:
        worker.close()

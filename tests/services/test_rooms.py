"""Rooms: occupancy at a glance, unique names, no deleting a room in use, managers only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from refuge_desk.domain.errors import NotFound, PermissionDenied, ValidationError, VaultError
from refuge_desk.domain.residents import Child, Resident, Room, Status
from refuge_desk.services import demo, residents, rooms
from refuge_desk.services.residents import CURRENT
from refuge_desk.services.session import Session
from refuge_desk.store.vault import VaultFolder
from tests.conftest import WORKER, FakeClock, sign_in_as

ARRIVED = dt.date(2026, 11, 1)


def _place(session: Session, room_id: int | None, status: Status, kids: int) -> Resident:
    return residents.save(
        session,
        Resident(
            full_name=f"Someone {status.value} {kids}",
            status=status,
            room_id=room_id,
            arrival_date=ARRIVED if status is not Status.REFERRAL else None,
            children=[Child(full_name=f"Kid {i}") for i in range(kids)],
        ),
    )


def test_occupancy_counts_residents_and_children_in_status_resident(
    manager_session: Session,
) -> None:
    big = rooms.save(
        manager_session, Room(name="Family suite", beds=4, accessible=True, notes="ground floor")
    )
    small = rooms.save(manager_session, Room(name="attic", beds=1))
    empty = rooms.save(manager_session, Room(name="Blue room", beds=2))
    assert big.id and small.id and empty.id
    _place(manager_session, big.id, Status.RESIDENT, 2)  # 3 people
    _place(manager_session, big.id, Status.REFERRAL, 3)  # not yet here
    _place(manager_session, big.id, Status.MOVED_ON, 1)  # gone
    _place(manager_session, small.id, Status.RESIDENT, 1)  # 2 people in 1 bed
    occupancy = {o.room.name: o for o in rooms.occupancy(manager_session)}
    assert list(occupancy) == ["attic", "Blue room", "Family suite"]  # by name, any case
    assert (occupancy["Family suite"].occupied, occupancy["Family suite"].free) == (3, 1)
    assert occupancy["Family suite"].room == Room(big.id, "Family suite", 4, True, "ground floor")
    assert (occupancy["attic"].occupied, occupancy["attic"].free, occupancy["attic"].over) == (
        2,
        0,
        1,
    )
    assert (occupancy["Blue room"].occupied, occupancy["Blue room"].free) == (0, 2)
    assert rooms.totals(manager_session) == (7, 5)


def test_room_names_are_unique_in_any_case(manager_session: Session) -> None:
    rose = rooms.save(manager_session, Room(name="Rose", beds=2))
    with pytest.raises(ValidationError) as err:
        rooms.save(manager_session, Room(name=" rose ", beds=1))
    assert err.value.problems == ["There is already a room called “rose”."]
    renamed = rooms.save(manager_session, Room(rose.id, "Rose", beds=3, notes="bunk beds"))
    assert (renamed.beds, renamed.notes) == (3, "bunk beds")
    with pytest.raises(ValidationError) as err:
        rooms.save(manager_session, Room(name="", beds=0))
    assert err.value.problems == ["Room name is required.", "Beds must be between 1 and 20."]
    assert len(rooms.occupancy(manager_session)) == 1


def test_cannot_delete_a_room_with_residents(manager_session: Session) -> None:
    room = rooms.save(manager_session, Room(name="Oak", beds=2))
    assert room.id is not None
    person = _place(manager_session, room.id, Status.REFERRAL, 0)
    with pytest.raises(VaultError, match="still has residents"):
        rooms.delete(manager_session, room.id)
    person.room_id = None
    residents.save(manager_session, person)
    rooms.delete(manager_session, room.id)
    assert rooms.occupancy(manager_session) == []
    with pytest.raises(NotFound, match="no longer exists"):
        rooms.delete(manager_session, room.id)


def test_moved_on_residents_do_not_block_deleting_and_lose_the_room(
    manager_session: Session,
) -> None:
    room = rooms.save(manager_session, Room(name="Oak", beds=2))
    assert room.id is not None
    gone = _place(manager_session, room.id, Status.MOVED_ON, 0)
    rooms.delete(manager_session, room.id)
    assert residents.get(manager_session, gone.id or 0).room_id is None


def test_only_managers_change_rooms(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    room = rooms.save(manager_session, Room(name="Oak", beds=2))
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        assert [o.room.name for o in rooms.occupancy(worker)] == ["Oak"]  # she may look
        with pytest.raises(PermissionDenied):
            rooms.save(worker, Room(name="Elm", beds=1))
        with pytest.raises(PermissionDenied):
            rooms.save(worker, Room(room.id, "Oak", beds=9))
        with pytest.raises(PermissionDenied):
            rooms.delete(worker, room.id or 0)
    finally:
        worker.close()
    assert [(o.room.name, o.room.beds) for o in rooms.occupancy(manager_session)] == [("Oak", 2)]


def test_rooms_in_natural_order(manager_session: Session) -> None:
    for name in ["Room 10", "Room 2", "annex", "Room 1", "Oak", "room 11", "Room 2a"]:
        rooms.save(manager_session, Room(name=name, beds=2))
    names = [o.room.name for o in rooms.occupancy(manager_session)]
    assert names == ["annex", "Oak", "Room 1", "Room 2", "Room 2a", "Room 10", "room 11"]


def _assert_no_room_over_capacity(session: Session) -> None:
    occupancy = rooms.occupancy(session)
    assert occupancy
    assert [(o.room.name, o.over) for o in occupancy if o.over] == []


def test_demo_vault_keeps_every_room_within_its_beds(tmp_path: Path) -> None:
    session = demo.create_demo_vault(VaultFolder(tmp_path / "demo"), clock=FakeClock())
    try:
        _assert_no_room_over_capacity(session)
        rows = residents.list_residents(session, statuses=CURRENT)
        here = [r for r in rows if r.status == Status.RESIDENT]
        assert here and all(r.room for r in here)
        # More women than beds: the rest wait as referrals, without a room.
        demo.seed(session, 80, seed_value=3)
        _assert_no_room_over_capacity(session)
        beds, occupied = rooms.totals(session)
        assert occupied <= beds
        rows = residents.list_residents(session, statuses=(Status.REFERRAL,))
        assert rows
    finally:
        session.close()

from __future__ import annotations

from refuge_desk.domain.errors import NotFound, ValidationError, VaultError
from refuge_desk.domain.residents import Room, RoomOccupancy, validate_room
from refuge_desk.domain.text import clean_record
from refuge_desk.services import history
from refuge_desk.services.session import Session
from refuge_desk.store import rooms_repo


def occupancy(session: Session) -> list[RoomOccupancy]:
    return rooms_repo.occupancy(session.db)


def totals(session: Session) -> tuple[int, int]:
    """(beds in all rooms, beds occupied)."""
    rooms = occupancy(session)
    return sum(r.room.beds for r in rooms), sum(r.occupied for r in rooms)


def save(session: Session, room: Room) -> Room:
    session.require(session.role.manages_rooms, "change rooms")
    room = clean_record(room)
    problems = validate_room(room)
    existing = rooms_repo.id_by_name(session.db, room.name)
    if existing is not None and existing != room.id:
        problems.append(f"There is already a room called “{room.name.strip()}”.")
    if problems:
        raise ValidationError(problems)
    with session.db.transaction():
        before = rooms_repo.by_id(session.db, room.id) if room.id is not None else None
        rid = rooms_repo.save(session.db, room, session.stamp(), session.user.id)
        session.audit("room.save", f"room:{rid}")
        saved = rooms_repo.by_id(session.db, rid)
        assert saved is not None
        history.record_changes(session, history.ROOM, rid, f"room:{rid}", before, saved)
    return saved


def delete(session: Session, room_id: int) -> None:
    session.require(session.role.manages_rooms, "delete rooms")
    if rooms_repo.by_id(session.db, room_id) is None:
        raise NotFound("That room no longer exists.")
    if rooms_repo.residents_in(session.db, room_id):
        raise VaultError("This room still has residents or referrals assigned; move them first.")
    with session.db.transaction():
        rooms_repo.delete(session.db, room_id)
        session.audit("room.delete", f"room:{room_id}")

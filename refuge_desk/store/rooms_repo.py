from __future__ import annotations

import re

from refuge_desk.domain.residents import Room, RoomOccupancy
from refuge_desk.store.db import Database, Row


def _room(r: Row) -> Room:
    return Room(
        int(r["id"]), str(r["name"]), int(r["beds"]), bool(r["accessible"]), str(r["notes"])
    )


def occupancy(db: Database) -> list[RoomOccupancy]:
    rows = db.query(
        "SELECT rm.id, rm.name, rm.beds, rm.accessible, rm.notes, "
        "  COALESCE(SUM(1 + r.child_count), 0) AS occupied "
        "FROM rooms rm LEFT JOIN residents r ON r.room_id = rm.id AND r.status = 'resident' "
        "GROUP BY rm.id"
    )
    found = [RoomOccupancy(_room(r), int(r["occupied"])) for r in rows]
    return sorted(found, key=lambda occ: natural_key(occ.room.name))


_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Room 2 before Room 10; letters compared without case."""
    # Number parts as (0, n), text parts as (1, text): a tuple never compares int with str.
    return tuple(
        (0, int(part)) if part.isdecimal() else (1, part.casefold())
        for part in _DIGITS.split(name.strip())
        if part
    )


def by_id(db: Database, room_id: int) -> Room | None:
    r = db.query_one("SELECT id, name, beds, accessible, notes FROM rooms WHERE id = ?", (room_id,))
    return None if r is None else _room(r)


def id_by_name(db: Database, name: str) -> int | None:
    value = db.scalar("SELECT id FROM rooms WHERE name = ? COLLATE NOCASE", (name.strip(),))
    return None if value is None else int(value)


def save(db: Database, room: Room, now: str, by: int) -> int:
    if room.id is None:
        return db.execute(
            "INSERT INTO rooms (name, beds, accessible, notes, created_at, created_by, "
            "updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (room.name.strip(), room.beds, int(room.accessible), room.notes, now, by, now, by),
        )
    db.execute(
        "UPDATE rooms SET name = ?, beds = ?, accessible = ?, notes = ?, updated_at = ?, "
        "updated_by = ? WHERE id = ?",
        (room.name.strip(), room.beds, int(room.accessible), room.notes, now, by, room.id),
    )
    return room.id


def residents_in(db: Database, room_id: int) -> int:
    return int(
        db.scalar(
            "SELECT count(*) FROM residents WHERE room_id = ? "
            "AND status IN ('referral', 'resident')",
            (room_id,),
        )
    )


def delete(db: Database, room_id: int) -> None:
    db.execute("DELETE FROM rooms WHERE id = ?", (room_id,))

"""The few extra facts the home screen needs beyond tasks: arrivals and the rota."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from refuge_desk.store.db import Database
from refuge_desk.store.tasks_repo import CURRENT_SQL, ROTA_NAME
from refuge_desk.store.values import to_date


@dataclass(frozen=True, slots=True)
class Arrival:
    resident_id: int
    label: str
    arrival_date: dt.date
    status: str


def arrivals(db: Database, start: dt.date, end: dt.date) -> list[Arrival]:
    """Current residents arriving (or arrived) between ``start`` and ``end`` (index on date)."""
    rows = db.query(
        f"SELECT r.id, r.reference || ' ' || {ROTA_NAME} AS label, r.arrival_date, r.status "
        f"FROM residents r WHERE r.arrival_date BETWEEN ? AND ? AND {CURRENT_SQL} "
        "ORDER BY r.arrival_date, r.ref_no",
        (start.isoformat(), end.isoformat()),
    )
    return [
        Arrival(int(r["id"]), str(r["label"]), to_date(r["arrival_date"]), str(r["status"]))
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class RotaLine:
    resident_id: int
    name: str
    room: str
    alerts: str


def rota(db: Database) -> list[RotaLine]:
    """Who is here now, for everyone (volunteers too): rota name, room, alerts only."""
    rows = db.query(
        f"SELECT r.id, {ROTA_NAME} AS rota_name, coalesce(rm.name, '') AS room, r.alerts "
        "FROM residents r "
        "LEFT JOIN rooms rm ON rm.id = r.room_id WHERE r.status = 'resident' "
        "ORDER BY rm.name COLLATE NOCASE, r.ref_no"
    )
    return [
        RotaLine(int(r["id"]), str(r["rota_name"]), str(r["room"]), str(r["alerts"])) for r in rows
    ]

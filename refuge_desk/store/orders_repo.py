"""Court orders, one row each."""

from __future__ import annotations

from refuge_desk.domain.deadlines import CourtOrder
from refuge_desk.store.db import Database, Row
from refuge_desk.store.values import opt_date, opt_iso

_COLS = (
    "o.id, o.resident_id, o.order_type, o.protected_people, o.conditions, o.starts_on, "
    "o.expires_on, o.court, o.notes, o.updated_at, coalesce(s.full_name, '') AS updated_by_name "
    "FROM court_orders o LEFT JOIN staff s ON s.id = o.updated_by"
)


def _order(r: Row) -> CourtOrder:
    return CourtOrder(
        int(r["id"]),
        int(r["resident_id"]),
        str(r["order_type"]),
        str(r["protected_people"]),
        str(r["conditions"]),
        opt_date(r["starts_on"]),
        opt_date(r["expires_on"]),
        str(r["court"]),
        str(r["notes"]),
        str(r["updated_at"]),
        str(r["updated_by_name"]),
    )


def for_resident(db: Database, resident_id: int) -> list[CourtOrder]:
    """Soonest end first, "until further order" after."""
    rows = db.query(
        f"SELECT {_COLS} WHERE o.resident_id = ? ORDER BY o.expires_on IS NULL, o.expires_on, o.id",
        (resident_id,),
    )
    return [_order(r) for r in rows]


def get(db: Database, order_id: int) -> CourtOrder | None:
    r = db.query_one(f"SELECT {_COLS} WHERE o.id = ?", (order_id,))
    return _order(r) if r else None


def _values(o: CourtOrder) -> tuple[object, ...]:
    return (
        o.order_type,
        o.protected_people.strip(),
        o.conditions.strip(),
        opt_iso(o.starts_on),
        opt_iso(o.expires_on),
        o.court.strip(),
        o.notes.strip(),
    )


def insert(db: Database, o: CourtOrder, now: str, by: int) -> int:
    return db.execute(
        "INSERT INTO court_orders (order_type, protected_people, conditions, starts_on, "
        "expires_on, court, notes, resident_id, created_at, created_by, updated_at, updated_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*_values(o), o.resident_id, now, by, now, by),
    )


def update(db: Database, o: CourtOrder, now: str, by: int) -> None:
    db.execute(
        "UPDATE court_orders SET order_type = ?, protected_people = ?, conditions = ?, "
        "starts_on = ?, expires_on = ?, court = ?, notes = ?, updated_at = ?, updated_by = ? "
        "WHERE id = ?",
        (*_values(o), now, by, o.id),
    )


def delete(db: Database, order_id: int) -> None:
    db.execute("DELETE FROM court_orders WHERE id = ?", (order_id,))

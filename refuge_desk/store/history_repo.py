"""Field-level change history: old and new value, who and when (inside the vault)."""

from __future__ import annotations

from dataclasses import dataclass

from refuge_desk.store.db import Database, Row

_SELECT = (
    "SELECT h.id, h.at, COALESCE(s.full_name, '') AS who, h.entity, h.entity_id, h.ref, h.field, "
    "h.old_value, h.new_value FROM change_history h LEFT JOIN staff s ON s.id = h.user_id "
)


@dataclass(frozen=True, slots=True)
class ChangeRow:
    id: int
    at: str
    who: str
    entity: str
    entity_id: int
    ref: str
    field: str
    old_value: str | None
    new_value: str | None


def _change(r: Row) -> ChangeRow:
    return ChangeRow(
        r["id"],
        r["at"],
        r["who"],
        r["entity"],
        r["entity_id"],
        r["ref"],
        r["field"],
        r["old_value"],
        r["new_value"],
    )


def record(
    db: Database,
    at: str,
    user_id: int | None,
    entity: str,
    entity_id: int,
    ref: str,
    changes: list[tuple[str, str | None, str | None]],
) -> None:
    db.executemany(
        "INSERT INTO change_history (at, user_id, entity, entity_id, ref, field, old_value, "
        "new_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(at, user_id, entity, entity_id, ref, f, old, new) for f, old, new in changes],
    )


def for_entity(db: Database, entity: str, entity_id: int, field: str = "") -> list[ChangeRow]:
    sql = _SELECT + "WHERE h.entity = ? AND h.entity_id = ?"
    params: list[object] = [entity, entity_id]
    if field:
        sql += " AND h.field = ?"
        params.append(field)
    return [_change(r) for r in db.query(sql + " ORDER BY h.id DESC", params)]


def get(db: Database, change_id: int) -> ChangeRow | None:
    r = db.query_one(
        _SELECT + "WHERE h.id = ?",
        (change_id,),
    )
    return _change(r) if r is not None else None


def for_ref(db: Database, ref: str) -> list[ChangeRow]:
    rows = db.query(
        _SELECT + "WHERE h.ref = ? ORDER BY h.id DESC",
        (ref,),
    )
    return [_change(r) for r in rows]


def record_folded(
    db: Database,
    at: str,
    user_id: int | None,
    entity: str,
    entity_id: int,
    ref: str,
    changes: list[tuple[str, str | None, str | None]],
    since: str,
) -> None:
    """Like ``record``, but a field this person changed since ``since`` (and nobody after
    her) has its row brought up to date instead of a new row: "before" stays the value when
    she started. A field typed back to that value leaves no row."""
    for field, old, new in changes:
        last = db.query_one(
            "SELECT id, user_id, at, old_value FROM change_history "
            "WHERE entity = ? AND entity_id = ? AND field = ? ORDER BY id DESC LIMIT 1",
            (entity, entity_id, field),
        )
        if last is not None and last["user_id"] == user_id and str(last["at"]) > since:
            if last["old_value"] == new:
                db.execute("DELETE FROM change_history WHERE id = ?", (last["id"],))
            else:
                db.execute(
                    "UPDATE change_history SET at = ?, new_value = ? WHERE id = ?",
                    (at, new, last["id"]),
                )
            continue
        record(db, at, user_id, entity, entity_id, ref, [(field, old, new)])

"""Edits in progress, parked inside the encrypted vault (on lock, and as she types)."""

from __future__ import annotations

from dataclasses import dataclass

from refuge_desk.store.db import Database


@dataclass(frozen=True, slots=True)
class DraftRow:
    id: int
    user_id: int
    kind: str
    record_id: int | None
    payload: str
    updated_at: str


def put(
    db: Database, user_id: int, kind: str, record_id: int | None, payload: str, now: str
) -> None:
    # NULL never equals NULL in a UNIQUE constraint, so delete-then-insert for new records.
    with db.transaction():
        db.execute(
            "DELETE FROM drafts WHERE user_id = ? AND kind = ? AND record_id IS ?",
            (user_id, kind, record_id),
        )
        db.execute(
            "INSERT INTO drafts (user_id, kind, record_id, payload, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (user_id, kind, record_id, payload, now),
        )


def for_user(db: Database, user_id: int) -> list[DraftRow]:
    rows = db.query(
        "SELECT id, user_id, kind, record_id, payload, updated_at FROM drafts "
        "WHERE user_id = ? ORDER BY updated_at DESC",
        (user_id,),
    )
    return [
        DraftRow(
            int(r["id"]),
            int(r["user_id"]),
            str(r["kind"]),
            None if r["record_id"] is None else int(r["record_id"]),
            str(r["payload"]),
            str(r["updated_at"]),
        )
        for r in rows
    ]


def delete(db: Database, user_id: int, kind: str, record_id: int | None) -> None:
    db.execute(
        "DELETE FROM drafts WHERE user_id = ? AND kind = ? AND record_id IS ?",
        (user_id, kind, record_id),
    )


def delete_all_for_user(db: Database, user_id: int, kind: str) -> int:
    """Every draft of one kind a user holds; returns how many went."""
    with db.transaction():
        count = int(
            db.scalar("SELECT count(*) FROM drafts WHERE user_id = ? AND kind = ?", (user_id, kind))
        )
        db.execute("DELETE FROM drafts WHERE user_id = ? AND kind = ?", (user_id, kind))
    return count

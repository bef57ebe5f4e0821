"""Who did what and when; records are named by reference only, never by a person's name."""

from __future__ import annotations

from refuge_desk.store.db import Database


def record(db: Database, at: str, user_id: int | None, action: str, ref: str = "") -> None:
    db.execute(
        "INSERT INTO audit_log (at, user_id, action, ref) VALUES (?, ?, ?, ?)",
        (at, user_id, action, ref),
    )


def recent(db: Database, limit: int = 200) -> list[tuple[str, int | None, str, str]]:
    rows = db.query(
        "SELECT at, user_id, action, ref FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
    )
    return [(str(r[0]), r[1], str(r[2]), str(r[3])) for r in rows]

"""Who did what and when; records are named by reference only, never by a person's name."""

from __future__ import annotations

from refuge_desk.store import audit_chain
from refuge_desk.store.db import Database


def record(
    db: Database, at: str, user_id: int | None, action: str, ref: str = "", detail: str = ""
) -> None:
    """One entry, chained to the one before (see audit_chain). Callers hold a transaction
    or run in autocommit; the chain is read and extended under the connection's lock."""
    with db.transaction():
        prev = audit_chain.last_hash(db)
        row_id = db.execute(
            "INSERT INTO audit_log (at, user_id, action, ref, detail, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, '')",
            (at, user_id, action, ref, detail, prev),
        )
        h = audit_chain.entry_hash(prev, row_id, at, user_id, action, ref, detail)
        db.execute("UPDATE audit_log SET hash = ? WHERE id = ?", (h, row_id))


def recent(db: Database, limit: int = 200) -> list[tuple[str, int | None, str, str]]:
    rows = db.query(
        "SELECT at, user_id, action, ref FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
    )
    return [(str(r[0]), r[1], str(r[2]), str(r[3])) for r in rows]


def for_reference(db: Database, reference: str) -> list[tuple[str, str, str, str]]:
    """(at, staff full name, action, ref) of every entry about one record, oldest first."""
    rows = db.query(
        "SELECT a.at, coalesce(s.full_name, ''), a.action, a.ref FROM audit_log a "
        "LEFT JOIN staff s ON s.id = a.user_id "
        "WHERE a.ref = ? OR a.ref LIKE ? ORDER BY a.id",
        (reference, reference + " %"),
    )
    return [(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]

"""Who did what and when; records are named by reference only, never by a person's name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from refuge_desk.store import audit_chain
from refuge_desk.store.db import Database

# Signs an entry's hash: returns (the signing account's id, base64 Ed25519 signature).
Signer = Callable[[str], tuple[int, str]]


def signed_message(vault_id: str, entry_hash: str) -> bytes:
    """What an account signs for one audit entry: its chained hash, bound to the vault."""
    return f"refuge-desk/v2/audit|{vault_id}|{entry_hash}".encode()


def record(
    db: Database,
    at: str,
    user_id: int | None,
    action: str,
    ref: str = "",
    detail: str = "",
    *,
    signer: Signer | None = None,
) -> None:
    """One entry, chained to the one before (see audit_chain) and signed by ``signer`` (the
    acting account). Callers hold a transaction or run in autocommit; the chain is read and
    extended under the connection's lock."""
    with db.transaction():
        prev = audit_chain.last_hash(db)
        row_id = db.execute(
            "INSERT INTO audit_log (at, user_id, action, ref, detail, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, '')",
            (at, user_id, action, ref, detail, prev),
        )
        h = audit_chain.entry_hash(prev, row_id, at, user_id, action, ref, detail)
        by, sig = signer(h) if signer is not None else (None, "")
        db.execute(
            "UPDATE audit_log SET hash = ?, signer = ?, sig = ? WHERE id = ?", (h, by, sig, row_id)
        )


def recent(db: Database, limit: int = 200) -> list[tuple[str, int | None, str, str]]:
    rows = db.query(
        "SELECT at, user_id, action, ref FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
    )
    return [(str(r["at"]), r["user_id"], str(r["action"]), str(r["ref"])) for r in rows]


def for_reference(db: Database, reference: str) -> list[tuple[str, str, str, str]]:
    """(at, staff full name, action, ref) of every entry about one record, oldest first."""
    rows = db.query(
        "SELECT a.at, coalesce(s.full_name, '') AS who, a.action, a.ref FROM audit_log a "
        "LEFT JOIN staff s ON s.id = a.user_id "
        "WHERE a.ref = ? OR a.ref LIKE ? ORDER BY a.id",
        (reference, reference + " %"),
    )
    return [(str(r["at"]), str(r["who"]), str(r["action"]), str(r["ref"])) for r in rows]


@dataclass(frozen=True, slots=True)
class Filter:
    """Entries to list; ``start``/``end`` are ISO instants (``at >= start``, ``at < end``)."""

    user_id: int | None = None
    reference: str = ""
    action: str = ""
    start: str = ""
    end: str = ""
    signed_out: bool = False  # only entries with no user (failed sign-ins)


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    at: str
    user_id: int | None
    who: str
    action: str
    ref: str
    detail: str
    hash: str


def _where(f: Filter) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    if f.signed_out:
        parts.append("a.user_id IS NULL")
    elif f.user_id is not None:
        parts.append("a.user_id = ?")
        params.append(f.user_id)
    if f.reference.strip():
        ref = f.reference.strip()
        parts.append("(a.ref = ? OR a.ref LIKE ? ESCAPE '\\')")
        params += [ref, _like_escape(ref) + " %"]
    if f.action:
        parts.append("a.action = ?")
        params.append(f.action)
    if f.start:
        parts.append("a.at >= ?")
        params.append(f.start)
    if f.end:
        parts.append("a.at < ?")
        params.append(f.end)
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def entries(db: Database, f: Filter, limit: int = 200, offset: int = 0) -> list[Entry]:
    """Matching entries, newest first."""
    where, params = _where(f)
    rows = db.query(
        "SELECT a.id, a.at, a.user_id, coalesce(s.full_name, '') AS who, a.action, a.ref, "
        "a.detail, "
        f"a.hash FROM audit_log a LEFT JOIN staff s ON s.id = a.user_id{where} "
        "ORDER BY a.id DESC LIMIT ? OFFSET ?",
        (*params, limit, offset),
    )
    return [
        Entry(
            int(r["id"]),
            str(r["at"]),
            r["user_id"],
            str(r["who"]),
            str(r["action"]),
            str(r["ref"]),
            str(r["detail"]),
            str(r["hash"]),
        )
        for r in rows
    ]


def count(db: Database, f: Filter) -> int:
    where, params = _where(f)
    return int(db.scalar(f"SELECT count(*) FROM audit_log a{where}", params))


def actions(db: Database) -> list[str]:
    rows = db.query("SELECT DISTINCT action FROM audit_log ORDER BY action")
    return [str(r["action"]) for r in rows]


def count_all(db: Database) -> int:
    return int(db.scalar("SELECT count(*) FROM audit_log"))


def head(db: Database) -> tuple[int, str]:
    """(how many entries, the newest one's hash)."""
    row = db.query_one(
        "SELECT (SELECT count(*) FROM audit_log) AS entries, "
        "coalesce((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '') AS newest"
    )
    assert row is not None
    return int(row["entries"]), str(row["newest"])


def still_at(db: Database, count: int, entry_hash: str) -> bool:
    """Whether the entry with this hash is still the ``count``-th of the log."""
    if count == 0:
        return True
    row = db.query_one("SELECT id FROM audit_log WHERE hash = ?", (entry_hash,))
    if row is None:
        return False
    before = db.scalar("SELECT count(*) FROM audit_log WHERE id <= ?", (row["id"],))
    return int(before) == count


def signatures(db: Database) -> list[tuple[int, str, str, int | None, str]]:
    """(id, at, hash, signer, sig) of every entry, oldest first."""
    rows = db.query("SELECT id, at, hash, signer, sig FROM audit_log ORDER BY id")
    return [
        (
            int(r["id"]),
            str(r["at"]),
            str(r["hash"]),
            None if r["signer"] is None else int(r["signer"]),
            str(r["sig"]),
        )
        for r in rows
    ]

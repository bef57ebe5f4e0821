"""The audit log's hash chain: each entry holds the SHA-256 of the entry before it and of its
own content, so an entry edited or deleted with a raw SQLCipher connection breaks the chain.

entry hash = SHA-256 of the canonical JSON of
    [prev_hash, id, at, user_id, action, ref, detail]
The first entry's prev_hash is "" (empty).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from refuge_desk.store.db import Database

COLUMNS = "id, at, user_id, action, ref, detail, prev_hash, hash"


def entry_hash(
    prev_hash: str, row_id: int, at: str, user_id: Any, action: str, ref: str, detail: str
) -> str:
    payload = json.dumps(
        [prev_hash, int(row_id), at, user_id, action, ref, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def last_hash(db: Database) -> str:
    value = db.scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
    return str(value or "")


def chain_existing(db: Database) -> None:
    """Migration 9: chain the entries made before the chain existed, in id order."""
    prev = ""
    for r in db.query("SELECT id, at, user_id, action, ref, detail FROM audit_log ORDER BY id"):
        h = entry_hash(
            prev,
            r["id"],
            str(r["at"]),
            r["user_id"],
            str(r["action"]),
            str(r["ref"]),
            str(r["detail"]),
        )
        db.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, r["id"]))
        prev = h


@dataclass(frozen=True, slots=True)
class Break:
    """The first broken link. ``kind``: "changed" (entry ``row_id`` does not hash to what it
    holds), "deleted" (ids ``after_id``+1 .. ``row_id``-1 are missing, or entries before the
    first one are), "relinked" (``row_id`` does not point at ``after_id``'s hash)."""

    kind: str
    row_id: int
    at: str
    after_id: int | None


@dataclass(frozen=True, slots=True)
class Walk:
    count: int
    newest_id: int | None
    newest_hash: str
    broken: Break | None


def walk(db: Database) -> Walk:
    """Check every entry in id order; stops at the first broken link."""
    cursor_rows = db.query(f"SELECT {COLUMNS} FROM audit_log ORDER BY id")
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    sha = hashlib.sha256
    prev_id: int | None = None
    prev = ""
    count = 0
    for row_id, at, user_id, action, ref, detail, prev_hash, stored in cursor_rows:
        count += 1
        payload = dumps([prev_hash, row_id, at, user_id, action, ref, detail])
        if sha(payload.encode("utf-8")).hexdigest() != stored:
            return Walk(count, prev_id, prev, Break("changed", row_id, str(at), prev_id))
        if prev_id is None:
            if prev_hash != "":
                return Walk(count, prev_id, prev, Break("deleted", row_id, str(at), None))
        elif row_id != prev_id + 1:
            return Walk(count, prev_id, prev, Break("deleted", row_id, str(at), prev_id))
        elif prev_hash != prev:
            return Walk(count, prev_id, prev, Break("relinked", row_id, str(at), prev_id))
        prev_id, prev = row_id, stored
    return Walk(count, prev_id, prev, None)

"""The audit log's hash chain: each entry holds the SHA-256 of the entry before it and of its
own content, so an entry edited or deleted with a raw SQLCipher connection breaks the chain.

entry hash = SHA-256 of the canonical JSON of
    [prev_hash, id, at, user_id, action, ref, detail]
The first entry's prev_hash is "" (empty).
"""

from __future__ import annotations

import hashlib
import json
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
        h = entry_hash(prev, r[0], str(r[1]), r[2], str(r[3]), str(r[4]), str(r[5]))
        db.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, r[0]))
        prev = h

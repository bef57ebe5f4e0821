"""What a failed operation must leave untouched: every table's rows and the folder's files."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from refuge_desk.store.db import Database

# SQLite's own files change size on any read or checkpoint; their content is in the tables.
SQLITE_FILES = ("vault.db", "vault.db-wal", "vault.db-shm", "vault.lock")


def row_counts(db: Database) -> dict[str, int]:
    names = [
        str(r[0])
        for r in db.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {n: int(db.scalar(f'SELECT count(*) FROM "{n}"')) for n in names}


def files(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative name -> SHA-256), SQLite's own by name only."""
    out: dict[str, str] = {}
    if not folder.exists():
        return out
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(dirpath) / name
            rel = str(path.relative_to(folder))
            out[rel] = "" if name in SQLITE_FILES else hashlib.sha256(path.read_bytes()).hexdigest()
    return out

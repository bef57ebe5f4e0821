"""A plaintext SQLite copy of the benchmark vault, for the encryption-overhead comparison.

Synthetic data only, made in the benchmark's temp folder and deleted with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlcipher3

from refuge_desk.store import db as store_db
from refuge_desk.store.db import Database, Row


def open_plain_copy(path: Path) -> Any:
    """A plaintext SQLite connection (no key): benchmark only, never part of the app."""
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.row_factory = sqlcipher3.Row
    return conn


def export_plain_copy(db: Database, target: Path) -> None:
    """SQLCipher's own export of every table, index and trigger into an unkeyed file."""
    quoted = str(target).replace("'", "''")
    db.execute(f"ATTACH DATABASE '{quoted}' AS plain KEY ''")
    try:
        db.execute("SELECT sqlcipher_export('plain')")
    finally:
        db.execute("DETACH DATABASE plain")


class PlainDatabase:
    """The read half of ``store.db.Database`` over a plaintext connection.

    Same page cache size and temp store as the vault's connection, so the only difference
    left between the two is the encryption.
    """

    def __init__(self, path: Path) -> None:
        self._conn: Any = open_plain_copy(path)
        self._conn.execute("PRAGMA temp_store = MEMORY")
        self._conn.execute(f"PRAGMA cache_size = -{store_db.CACHE_KIB}")
        self._conn.execute("PRAGMA journal_mode = WAL")

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Row]:
        return self._conn.execute(sql, params).fetchall()  # type: ignore[no-any-return]

    def query_one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Row | None:
        return self._conn.execute(sql, params).fetchone()  # type: ignore[no-any-return]

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = self.query_one(sql, params)
        return None if row is None else row[0]

    def quick_check(self) -> list[str]:
        """Reads every page once, as sign-in's integrity check does on the vault."""
        rows = self.query("PRAGMA quick_check")
        return [str(r[0]) for r in rows if str(r[0]).lower() != "ok"]

    def close(self) -> None:
        self._conn.close()

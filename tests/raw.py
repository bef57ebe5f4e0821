"""What an intruder holding a key could do: a raw SQLCipher connection to a vault file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlcipher3

from refuge_desk.store.sqlkey import key_connection


def raw_connection(path: Path, key: bytes | bytearray, **kwargs: Any) -> Any:
    conn = sqlcipher3.connect(str(path), **kwargs)
    key_connection(conn, key, path=str(path))
    return conn

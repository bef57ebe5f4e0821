"""Key a SQLCipher connection from bytes, so no Python string ever holds the key.

``PRAGMA key = "x'…'"`` would put the key into a ``str`` (which cannot be wiped) and into the
connection's statement cache. Instead we call SQLCipher's own ``sqlite3_key_v2`` on the
connection's handle with the key in a bytearray. The handle is the first field after the
object header of the sqlcipher3 Connection; it is checked against ``sqlite3_db_filename``
before it is trusted. SQLCipher copies the key into memory it wipes when the connection
closes.

Where the extension module does not export ``sqlite3_key_v2`` (a build that hides its
symbols), the fallback builds the PRAGMA as a one-off string straight from the bytearray,
runs it outside the statement cache, and zeroes that string's characters afterwards.
"""

from __future__ import annotations

import ctypes
import os
import sys
from typing import Any

import sqlcipher3

from refuge_desk.store.keymem import sqlcipher_hex, wipe

_HANDLE_OFFSET = object.__basicsize__  # PyObject_HEAD, then ``sqlite3 *db``
_STR_HEADER = sys.getsizeof("") - 1  # CPython: a compact ASCII str's characters follow this


class _Native:
    def __init__(self) -> None:
        self.ok = False
        if os.environ.get("REFUGE_DESK_KEY_FALLBACK"):  # tests of the fallback path
            return
        try:
            lib = ctypes.CDLL(sqlcipher3._sqlite3.__file__)
            self.key_v2 = lib.sqlite3_key_v2
            self.filename = lib.sqlite3_db_filename
        except (OSError, AttributeError):
            return
        self.key_v2.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int]
        self.key_v2.restype = ctypes.c_int
        self.filename.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        self.filename.restype = ctypes.c_char_p
        self.ok = True

    def handle(self, conn: Any, path: str | None) -> int | None:
        handle = ctypes.c_void_p.from_address(id(conn) + _HANDLE_OFFSET).value
        if not handle:
            return None
        if path is not None:
            name = self.filename(handle, b"main")
            if name is None or os.path.realpath(name.decode()) != os.path.realpath(path):
                return None
        return int(handle)


_native = _Native()


def uses_native_keying() -> bool:
    return _native.ok


def key_connection(
    conn: Any, key: bytes | bytearray, *, schema: str = "main", path: str | None = None
) -> None:
    """Key ``schema`` of ``conn`` (before its first read) with a 256-bit raw key."""
    text = sqlcipher_hex(key)
    try:
        handle = _native.handle(conn, path) if _native.ok else None
        if handle is not None:
            buf = (ctypes.c_char * len(text)).from_buffer(text)
            rc = _native.key_v2(handle, schema.encode(), buf, len(text))
            if rc != 0:
                raise sqlcipher3.DatabaseError(f"sqlite3_key_v2 failed ({rc})")
            return
        _pragma_key(conn, text, schema)
    finally:
        wipe(text)


_memory_security = False


def _pragma_key(conn: Any, text: bytearray, schema: str) -> None:
    global _memory_security
    if not schema.isidentifier():
        raise ValueError("schema must be a plain name")
    if not _memory_security:
        # SQLite copies the statement's text while it runs; with this on, SQLCipher wipes
        # every allocation it frees (for the rest of the process: it cannot be turned off).
        conn.execute("PRAGMA cipher_memory_security = ON")
        _memory_security = True
    head = f'PRAGMA "{schema}".key = "'.encode()
    statement = bytearray(head) + text + b'"'
    try:
        sql = _fresh_str(statement)
    finally:
        wipe(statement)
    try:
        conn.executescript(sql)  # not the statement cache: nothing keeps the text
    finally:
        ctypes.memset(id(sql) + _STR_HEADER, 0, len(sql))


def _fresh_str(data: bytearray) -> str:
    """A new str made directly from our buffer (no intermediate copies)."""
    make = ctypes.pythonapi.PyUnicode_FromStringAndSize
    make.restype = ctypes.py_object
    make.argtypes = [ctypes.c_void_p, ctypes.c_ssize_t]
    buf = (ctypes.c_char * len(data)).from_buffer(data)
    value: str = make(ctypes.addressof(buf), len(data))
    return value

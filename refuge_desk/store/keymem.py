"""Key material in memory: held in bytearrays we can wipe, never in a ``str``.

The cryptography library returns ``bytes`` (immutable) from decrypt and derive. A ``bytes``
object cannot be cleared through Python, so ``take`` copies it into a bytearray and wipes the
original in place (CPython keeps a bytes object's data inline after its header). Anything
that must hold a key as text (SQLCipher's ``x'…'`` form) is built in a bytearray as well.
"""

from __future__ import annotations

import ctypes
import sys

_BYTES_HEADER = sys.getsizeof(b"") - 1  # CPython: the data follows the object header
_HEX = b"0123456789abcdef"


def wipe(buf: bytearray | memoryview) -> None:
    """Overwrite a buffer we own with zeros (its length stays)."""
    view = memoryview(buf).cast("B")
    if view.readonly:
        raise TypeError("cannot wipe a read-only buffer")
    n = len(view)
    if n:
        ctypes.memset((ctypes.c_char * n).from_buffer(view), 0, n)


def wipe_bytes(data: bytes) -> None:
    """Zero an immutable ``bytes`` object's memory in place.

    Only for a fresh object that nothing else refers to (a decrypt or derive result): the
    empty and one-byte objects are shared singletons, so they are never touched.
    """
    n = len(data)
    if n <= 1 or type(data) is not bytes:
        return
    ctypes.memset(id(data) + _BYTES_HEADER, 0, n)


def take(data: bytes) -> bytearray:
    """A wipeable copy of ``data``; the original is wiped."""
    out = bytearray(data)
    wipe_bytes(data)
    return out


def sqlcipher_hex(key: bytes | bytearray) -> bytearray:
    """SQLCipher's raw-key form ``x'<64 hex digits>'`` as bytes we can wipe."""
    out = bytearray(3 + 2 * len(key))
    out[0:2] = b"x'"
    for i, byte in enumerate(key):
        out[2 + 2 * i] = _HEX[byte >> 4]
        out[3 + 2 * i] = _HEX[byte & 15]
    out[-1] = ord("'")
    return out


class Keyring:
    """The keys a session holds, by name; every one wiped by ``wipe_all``."""

    def __init__(self) -> None:
        self._keys: dict[str, bytearray] = {}

    def put(self, name: str, key: bytearray) -> None:
        old = self._keys.get(name)
        if old is not None and old is not key:
            wipe(old)
        self._keys[name] = key

    def drop(self, name: str) -> None:
        key = self._keys.pop(name, None)
        if key is not None:
            wipe(key)

    def get(self, name: str) -> bytearray | None:
        return self._keys.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._keys

    def names(self) -> list[str]:
        return sorted(self._keys)

    def wipe_all(self) -> None:
        """Zero every key; the (zeroed) buffers stay, so holders see them cleared."""
        for key in self._keys.values():
            wipe(key)

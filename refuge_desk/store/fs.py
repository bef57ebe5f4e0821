"""Writing files so that a crash or a full disk leaves the old file or the new one, whole.

Callers look these up through the module (``fs.atomic_write(...)``), so tests can make the
disk "full" in one place.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def atomic_write(path: Path, payload: bytes) -> None:
    """Temp file in the same folder, fsync, rename over, fsync the folder.

    If the folder cannot be synced after the rename, the old file is put back (so "nothing
    was changed" stays true) and the error is raised."""
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        old = None
    _replace(path, payload)
    try:
        fsync_dir(path.parent)
    except OSError:
        if old is not None:
            with contextlib.suppress(OSError):
                _replace(path, old)
        raise


def _replace(path: Path, payload: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(payload)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be synced)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

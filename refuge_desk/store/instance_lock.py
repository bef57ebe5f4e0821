"""One writer per vault: an OS file lock on vault.lock (0600), released by the OS if we die."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO

from refuge_desk.domain.errors import VaultError, VaultInUse

IN_USE = (
    "The vault is in use by another Refuge Desk window or command on this computer. "
    "Close it there first."
)


class InstanceLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[bytes] | None = None

    def acquire(self) -> None:
        for _attempt in range(3):
            fh = self._open()
            try:
                _lock(fh)
            except OSError as exc:
                fh.close()
                raise VaultInUse(IN_USE) from exc
            if _still_at(fh, self.path):
                break
            # The holder deleted the file as it gave up (a failed new vault): the lock we got
            # is on a file nobody else will open. Try again on whatever is there now.
            fh.close()
        else:
            raise VaultInUse(IN_USE)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}\n".encode())
        fh.flush()
        self._fh = fh

    def _open(self) -> IO[bytes]:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
        except OSError as exc:
            raise VaultError(
                f"The lock file {self.path} cannot be opened ({exc.strerror})."
            ) from exc
        if hasattr(os, "fchmod"):
            # Tightens a lock file older versions left 0644; fails only for another owner.
            with contextlib.suppress(OSError):
                os.fchmod(fd, 0o600)
        return os.fdopen(fd, "r+b")  # held for the lock's lifetime

    def release(self) -> None:
        if self._fh is None:
            return
        with contextlib.suppress(OSError):
            _unlock(self._fh)
        self._fh.close()
        self._fh = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _still_at(fh: IO[bytes], path: Path) -> bool:
    if os.name != "posix":
        return True  # Windows cannot delete a file that is open
    try:
        here = os.stat(path)
    except OSError:
        return False
    mine = os.fstat(fh.fileno())
    return (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fh: IO[bytes]) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]

    def _unlock(fh: IO[bytes]) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]

else:
    import fcntl

    def _lock(fh: IO[bytes]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fh: IO[bytes]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

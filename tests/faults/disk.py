"""A drive that fails: the OS calls Python makes on files under one folder raise OSError.

Only file descriptors opened under ``folder`` (and renames into it) fail, so SQLite, pytest
and everything else keep working. ``after`` is how many bytes the drive still takes first.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ENOSPC, EIO = errno.ENOSPC, errno.EIO


class FailingDisk:
    def __init__(self, folder: Path, code: int, at: str, after: int = 0) -> None:
        assert at in ("write", "fsync", "replace", "fsync_dir")
        self.folder = folder.resolve()
        self.code, self.at, self.left = code, at, after
        self.fds: dict[int, Path] = {}
        self.failed = 0

    def _ours(self, path: Any) -> bool:
        p = Path(os.fsdecode(path)).resolve()
        return p == self.folder or self.folder in p.parents

    def _fail(self) -> None:
        self.failed += 1
        raise OSError(self.code, os.strerror(self.code))

    def install(self, mp: pytest.MonkeyPatch) -> None:
        real_open, real_write, real_fsync = os.open, os.write, os.fsync
        real_replace, real_close = os.replace, os.close

        def fake_open(path: Any, flags: int, mode: int = 0o777, **kw: Any) -> int:
            fd = real_open(path, flags, mode, **kw)
            if self._ours(path):
                self.fds[fd] = Path(os.fsdecode(path))
            return fd

        def fake_write(fd: int, data: Any) -> int:
            if fd in self.fds and self.at == "write":
                if self.left <= 0:
                    self._fail()
                n = real_write(fd, memoryview(data)[: self.left])
                self.left -= n
                return n
            return real_write(fd, data)

        def fake_fsync(fd: Any) -> None:
            path = self.fds.get(fd if isinstance(fd, int) else fd.fileno())
            if path is not None:
                is_dir = Path(path).resolve() == self.folder
                if (self.at == "fsync" and not is_dir) or (self.at == "fsync_dir" and is_dir):
                    self._fail()
            real_fsync(fd)

        def fake_replace(src: Any, dst: Any, **kw: Any) -> None:
            if self.at == "replace" and self._ours(dst):
                self._fail()
            real_replace(src, dst, **kw)

        def fake_close(fd: int) -> None:
            self.fds.pop(fd, None)
            real_close(fd)

        mp.setattr(os, "open", fake_open)
        mp.setattr(os, "write", fake_write)
        mp.setattr(os, "fsync", fake_fsync)
        mp.setattr(os, "replace", fake_replace)
        mp.setattr(os, "close", fake_close)


@contextmanager
def failing(folder: Path, code: int, at: str, after: int = 0) -> Iterator[FailingDisk]:
    disk = FailingDisk(folder, code, at, after)
    with pytest.MonkeyPatch.context() as mp:
        disk.install(mp)
        yield disk

"""Crash reports that hold no personal data, and a record of hard (native) crashes.

A report names the program, the machine's kind and the redacted traceback (exception types
and file:line frames, from ``redact.redact_exception``), and nothing else: no exception
message, no locals, no command line (a vault path may name a place), no environment, no
working folder, no user or host name. No Qt import here: a report must be writable even when
Qt is what failed, and the CLI has no Qt at all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import faulthandler
import os
import platform
import sys
import threading
from importlib import metadata
from pathlib import Path
from typing import BinaryIO

from refuge_desk.diagnostics.redact import redact_exception
from refuge_desk.services import paths
from refuge_desk.store import fs

PREFIX = "crash-"
SUFFIX = ".txt"
MAX_REPORTS = 20
NATIVE_FILE_NAME = "native-crash.txt"
NATIVE_MAX_BYTES = 256 * 1024  # past this, the native record starts afresh
_PRIVATE = 0o600


def write_report(
    exc: BaseException,
    folder: Path,
    *,
    now: dt.datetime | None = None,
    thread_name: str | None = None,
) -> Path | None:
    """Write one redacted report into ``folder``; its path, or None if it could not be saved.

    The file is written under a temporary name, flushed to disk and renamed, so a reader
    never sees half a report. At most ``MAX_REPORTS`` are kept: the oldest go. Never raises:
    it runs while something else has already gone wrong.
    """
    try:
        when = (now or dt.datetime.now()).astimezone()
        thread = thread_name if thread_name is not None else threading.current_thread().name
        text = _report_text(exc, when, thread)
        folder = Path(folder)
        paths.make_private_dir(folder)
        target = _free_name(folder, when)
        fs.atomic_write(target, text.encode("utf-8"))  # private (0600), whole or not at all
        _prune(folder, keep=target)
        return target
    except Exception:  # a report that cannot be written must not crash the crash
        return None


def _report_text(exc: BaseException, when: dt.datetime, thread: str) -> str:
    lines = [
        "Refuge Desk crash report (no personal data: error types and code lines only)",
        f"app version: {_app_version()}",
        f"python: {platform.python_version()} ({platform.python_implementation()})",
        f"platform: {platform.system()} {platform.release()} {platform.machine()}",
    ]
    qt = _qt_version()
    if qt:
        lines.append(f"qt: {qt}")
    lines += [
        f"time: {when.isoformat(timespec='seconds')}",
        f"thread: {thread}",
        "",
        redact_exception(exc),
        "",
    ]
    return "\n".join(lines)


def _app_version() -> str:
    try:
        return metadata.version("refuge-desk")
    except metadata.PackageNotFoundError:
        return "unknown"


def _qt_version() -> str:
    """PySide6 and Qt versions if the app already loaded them; never imports Qt."""
    pyside = sys.modules.get("PySide6")
    if pyside is None:
        return ""
    text = f"PySide6 {getattr(pyside, '__version__', 'unknown')}"
    core = sys.modules.get("PySide6.QtCore")
    if core is not None:
        with contextlib.suppress(Exception):
            text += f", Qt {core.qVersion()}"
    return text


def _free_name(folder: Path, when: dt.datetime) -> Path:
    stem = f"{PREFIX}{when:%Y%m%d-%H%M%S}-{os.getpid()}"
    target = folder / f"{stem}{SUFFIX}"
    n = 2
    while target.exists():  # two crashes of one process in the same second
        target = folder / f"{stem}-{n}{SUFFIX}"
        n += 1
    return target


def _prune(folder: Path, keep: Path) -> None:
    """Delete the oldest reports past ``MAX_REPORTS``, never the one just written."""

    def age(path: Path) -> tuple[str, int]:
        stamp = path.name[len(PREFIX) : len(PREFIX) + 15]  # YYYYMMDD-HHMMSS
        try:
            return stamp, path.stat().st_mtime_ns
        except OSError:
            return stamp, 0

    others = sorted((p for p in folder.glob(f"{PREFIX}*{SUFFIX}") if p != keep), key=age)
    for old in others[: max(0, len(others) - (MAX_REPORTS - 1))]:
        with contextlib.suppress(OSError):
            old.unlink()


class NativeCrashLog:
    """The open file Python's ``faulthandler`` writes to if the process dies hard.

    A segfault or abort (in Qt, say) kills the process before any Python code can run, so
    the file must be open beforehand. Whoever enables the handler keeps this object for as
    long as crashes should be recorded (the app: a local of ``run_gui``), rather than a module
    global holding it. CPython's faulthandler also holds its own reference to the file until it
    is disabled, so the record still works during interpreter shut-down, after the holder is
    gone. ``close()`` disables the handler and closes the file.

    faulthandler prints only "Fatal Python error: <signal>", the file, line and function of
    each thread's frames and the names of loaded extension modules: never values, so no
    resident data. Its file names are full paths (they show where the app is installed).
    """

    def __init__(self, path: Path, file: BinaryIO) -> None:
        self.path = path
        self._file = file

    def close(self) -> None:
        if self._file.closed:
            return
        with contextlib.suppress(Exception):
            faulthandler.disable()
        self._file.close()


def enable_fault_handler(folder: Path) -> NativeCrashLog | None:
    """Record hard crashes of every thread in ``folder/native-crash.txt`` (owner-only).

    The file is appended to, and started afresh once it passes ``NATIVE_MAX_BYTES``. Returns
    the holder to keep (see ``NativeCrashLog``), or None if the folder cannot be written;
    never raises.
    """
    try:
        folder = Path(folder)
        paths.make_private_dir(folder)
        path = folder / NATIVE_FILE_NAME
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags, _PRIVATE)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, _PRIVATE)
            if os.fstat(fd).st_size > NATIVE_MAX_BYTES:
                os.ftruncate(fd, 0)
            file = os.fdopen(fd, "ab", buffering=0)
        except BaseException:
            os.close(fd)
            raise
        try:
            faulthandler.enable(file=file, all_threads=True)
        except BaseException:
            file.close()
            raise
        return NativeCrashLog(path, file)
    except Exception:  # no crash record is better than no app
        return None

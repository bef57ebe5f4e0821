"""What the operating system could otherwise give away: screen captures and core dumps.

- Windows: every top-level window is excluded from screen capture, screenshots and screen
  sharing (``SetWindowDisplayAffinity`` with ``WDA_EXCLUDEFROMCAPTURE``, Windows 10 2004+;
  older Windows falls back to ``WDA_MONITOR``, which shows the window black in captures).
  A manager can allow capture for training.
- POSIX: no core dump of this process (``RLIMIT_CORE`` 0), and on Linux the process is not
  dumpable (``PR_SET_DUMPABLE`` 0: no core file, and other processes of the same user cannot
  read its memory through /proc or ptrace).
"""

from __future__ import annotations

import contextlib
import ctypes
import sys
from collections.abc import Callable

WDA_NONE = 0x00
WDA_MONITOR = 0x01
WDA_EXCLUDEFROMCAPTURE = 0x11
PR_SET_DUMPABLE = 4

SetAffinity = Callable[[int, int], bool]


def _windows_set_affinity(hwnd: int, value: int) -> bool:
    user32 = ctypes.windll.user32  # type: ignore[attr-defined]
    return bool(user32.SetWindowDisplayAffinity(ctypes.c_void_p(hwnd), ctypes.c_uint(value)))


def protect_window(hwnd: int, allow_capture: bool, set_affinity: SetAffinity | None = None) -> str:
    """Apply the capture policy to one native window; returns what was applied
    ("exclude", "monitor", "allowed", "failed" or "unsupported" off Windows)."""
    if set_affinity is None:
        if sys.platform != "win32":
            return "unsupported"
        set_affinity = _windows_set_affinity
    if allow_capture:
        return "allowed" if set_affinity(hwnd, WDA_NONE) else "failed"
    if set_affinity(hwnd, WDA_EXCLUDEFROMCAPTURE):
        return "exclude"
    return "monitor" if set_affinity(hwnd, WDA_MONITOR) else "failed"


def disable_core_dumps() -> list[str]:
    """Turn core dumps off where the OS allows; returns what was done (for the log)."""
    done: list[str] = []
    if sys.platform == "win32":
        return done  # Windows Error Reporting: a per-machine policy, not a process setting
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        done.append("rlimit_core")
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0:
                done.append("not_dumpable")
    return done

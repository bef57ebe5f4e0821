"""Increasing delay after wrong sign-ins for a user name: 1, 2, 4 ... capped at 30 s.

Kept in signin-throttle.json in the vault folder (no names: keyed by the key-slot tag), so
restarting the app does not reset it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path

from refuge_desk.store import fs

CAP_SECONDS = 30.0
FILE_NAME = "signin-throttle.json"


class SignInThrottle:
    def __init__(self, folder: Path, clock_seconds: Callable[[], float]) -> None:
        self._path = folder / FILE_NAME
        self._now = clock_seconds
        self._state: dict[str, dict[str, float]] = self._load()

    def _load(self) -> dict[str, dict[str, float]]:
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
            return {
                str(k): {"failures": float(v["failures"]), "until": float(v["until"])}
                for k, v in data.items()
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def _save(self) -> None:
        # A read-only folder must not stop sign-in; the delay still holds in memory.
        with contextlib.suppress(OSError):
            fs.atomic_write(self._path, json.dumps(self._state).encode())

    @staticmethod
    def delay_after(failures: int) -> float:
        return min(CAP_SECONDS, float(2 ** max(0, failures - 1)))

    def wait_left(self, tag: str) -> float:
        entry = self._state.get(tag)
        if not entry:
            return 0.0
        return max(0.0, entry["until"] - self._now())

    def failed(self, tag: str) -> float:
        entry = self._state.setdefault(tag, {"failures": 0.0, "until": 0.0})
        entry["failures"] += 1
        delay = self.delay_after(int(entry["failures"]))
        entry["until"] = self._now() + delay
        self._save()
        return delay

    def succeeded(self, tag: str) -> None:
        if self._state.pop(tag, None) is not None:
            self._save()

"""When the plan page writes her typing to the vault: plain rules, no Qt, tested on their own.

A save comes ``quiet_ms`` after her last change, but never later than ``max_unsaved_ms`` after
the first change not yet saved (so steady typing is still saved). Once a save is refused
because someone else changed the plan, nothing more is tried until she reloads it.
"""

from __future__ import annotations

from dataclasses import dataclass

AUTOSAVE_MS = 3000  # after the last change
MAX_UNSAVED_MS = 10_000  # while she keeps typing, save at least this often


@dataclass(frozen=True, slots=True)
class Touch:
    first: bool  # the first change since the last save (say "not saved yet")
    save_in_ms: int | None  # when to save; None: do not (the plan changed under her)


@dataclass(slots=True)
class SaveSchedule:
    quiet_ms: int = AUTOSAVE_MS
    max_unsaved_ms: int = MAX_UNSAVED_MS
    dirty: bool = False
    stale: bool = False
    _since: float = 0.0

    def touched(self, now: float) -> Touch:
        """She changed something at ``now`` (seconds, monotonic)."""
        first = not self.dirty
        if first:
            self.dirty = True
            self._since = now
        if self.stale:
            return Touch(first, None)
        left = self.max_unsaved_ms - (now - self._since) * 1000
        return Touch(first, max(0, min(self.quiet_ms, round(left))))

    def saved(self) -> None:
        self.dirty = False

    def refused(self, *, stale: bool) -> None:
        """A save was refused: the typing stays unsaved; ``stale`` stops further tries."""
        self.stale = self.stale or stale

    def reset(self) -> None:
        """A fresh load (or the typing was kept elsewhere): nothing unsaved, tries allowed."""
        self.dirty = False
        self.stale = False

    def forget(self) -> None:
        self.dirty = False

"""The lock, in KeePassXC's order, and where to bring her back to afterwards.

1. Park what she typed, inside the vault, before anything is cleared.
2. Close dialogs (ours and any other modal window).
3. Clear the clipboard if it still holds our text.
4. Clear every model and widget holding resident data; stop the timers.
5. Make a backup that is due while the vault is still open (never on quick hide).
6. Close the connections and zero the key.

Each step runs whatever the one before did (a failing step is logged as a bug): the vault
must end up closed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from refuge_desk.diagnostics.logging_setup import log_unexpected
from refuge_desk.services import auth
from refuge_desk.services.session import Session

log = logging.getLogger(__name__)

Step = tuple[str, Callable[[], object]]


@dataclass(slots=True)
class Whereabouts:
    """Where she was when the vault locked, to bring her back there."""

    section: str = "residents"
    editing: bool = False
    record_id: int | None = None
    tab: int = 0


@dataclass(slots=True)
class LockSteps:
    """What the window does at each step (its own parts, passed in)."""

    park: list[Step]  # 1: drafts, plan typing
    close: list[Step]  # 2: dialogs
    forget: list[Step]  # 3-4: clipboard, pages, timers
    backup_if_due: Callable[[str], object]  # 5
    wait_for_jobs: Callable[[], object]


class LockSequence:
    def __init__(self, steps: LockSteps) -> None:
        self._steps = steps
        self.running = False

    def run(self, session: Session, reason: str) -> None:
        """Lock ``session``; a second lock asked for meanwhile (F12 during its backup) is a
        no-op, the first finishes the job."""
        if self.running:
            return
        self.running = True
        try:
            log.info("locking (%s)", reason)
            s = self._steps
            steps: list[Step] = [
                *s.park,
                *s.close,
                *s.forget,
                ("backup", lambda: s.backup_if_due(reason)),
                ("wait for backup", s.wait_for_jobs),
                ("close vault", lambda: auth.lock(session)),
            ]
            for name, step in steps:
                try:
                    step()
                except Exception as exc:
                    log_unexpected(exc, f"lock: {name}")
            session.close()  # idempotent; zeroes the key even if auth.lock failed
        finally:
            self.running = False

"""A lock, sign-out or close asked for while a job that cannot stop halfway (a rekey) runs:
remembered, said on the job's bar, and done as soon as the job ends."""

from __future__ import annotations

import logging

from refuge_desk.ui.common.job_runner import JobRunner

log = logging.getLogger(__name__)

CLOSE = "close"
SIGN_OUT = "sign out"
# When several were asked for meanwhile, the strongest wins: close > sign out > hide > lock.
_RANK = {CLOSE: 4, SIGN_OUT: 3, "quick hide": 2}
_TEXT = {
    CLOSE: "Refuge Desk closes as soon as this is done.",
    SIGN_OUT: "You are signed out as soon as this is done.",
}
_LOCKS = "Refuge Desk locks as soon as this is done."


class JobGate:
    def __init__(self, jobs: JobRunner) -> None:
        self.jobs = jobs
        self.pending = ""  # a lock reason, SIGN_OUT or CLOSE

    @property
    def vault_busy(self) -> bool:
        """A job holds the vault: timers (draft autosave, compaction) leave it alone."""
        return self.jobs.running or self.jobs.busy

    def defer(self, what: str) -> bool:
        """True when ``what`` must wait for the running job (it is then remembered)."""
        if not self.jobs.running or self.jobs.cancellable:
            return False
        if not self.pending or _RANK.get(what, 1) > _RANK.get(self.pending, 1):
            self.pending = what
        dialog = self.jobs.dialog
        if dialog is not None:
            first = dialog.labelText().split("\n\n")[0]
            dialog.setLabelText(f"{first}\n\n{_TEXT.get(self.pending, _LOCKS)}")
        log.info("%s waits for the running job", what)
        return True

    def take(self) -> str:
        """What to do now the job has ended ('' while an outer job still runs, or nothing)."""
        if self.jobs.running:
            return ""
        what, self.pending = self.pending, ""
        return what

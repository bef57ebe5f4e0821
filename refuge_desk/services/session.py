"""The signed-in user and her open vault: passed to every service, never global."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from refuge_desk.domain.errors import PermissionDenied, VaultError
from refuge_desk.domain.roles import Role
from refuge_desk.domain.staff import StaffUser
from refuge_desk.store import audit_repo
from refuge_desk.store.db import Database
from refuge_desk.store.keyslots import KeySlotFile, zero
from refuge_desk.store.vault import VaultFolder

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(slots=True)
class Session:
    folder: VaultFolder
    db_: Database | None
    data_key: bytearray
    keyslots: KeySlotFile
    user: StaffUser
    clock: Clock = field(default=system_clock)

    @property
    def db(self) -> Database:
        if self.db_ is None or self.db_.closed:
            raise VaultError("The vault is locked. Unlock it to go on.")
        return self.db_

    @property
    def is_open(self) -> bool:
        return self.db_ is not None and not self.db_.closed

    @property
    def role(self) -> Role:
        return self.user.role

    def now(self) -> dt.datetime:
        return self.clock()

    def stamp(self) -> str:
        return self.clock().astimezone(dt.UTC).isoformat(timespec="seconds")

    def today(self) -> dt.date:
        return self.clock().astimezone().date()

    def require(self, allowed: bool, what: str) -> None:
        if not allowed:
            raise PermissionDenied(f"Your role ({self.role.label}) does not allow you to {what}.")

    def audit(self, action: str, ref: str = "") -> None:
        audit_repo.record(self.db, self.stamp(), self.user.id, action, ref)

    def close(self) -> None:
        """Close the connection and zero the data key. The session cannot be used again."""
        if self.db_ is not None:
            self.db_.close()
            self.db_ = None
        zero(self.data_key)

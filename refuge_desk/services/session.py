"""The signed-in user and her open vault: passed to every service, never global.

A session holds the keys her role may hold (store/keymem.Keyring: the case key, the rota
key, the managers' key; her slot's key-encryption key, to bind the audit head into her slot
when she locks) and her own private keys. A manager's or support worker's session opens the
case database (``case_db``) and the rota file; a relief worker's opens the rota file only,
and ``db`` is then the rota file (its tables have the case database's names and columns for
what she may see).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from refuge_desk.domain.errors import PermissionDenied, VaultError
from refuge_desk.domain.roles import Role
from refuge_desk.domain.staff import StaffUser
from refuge_desk.store import audit_repo, rota, values
from refuge_desk.store.crypto import AccountKeys, b64
from refuge_desk.store.db import Database
from refuge_desk.store.keyfile import KeyFile
from refuge_desk.store.keymem import Keyring
from refuge_desk.store.vault import VaultFolder

Clock = Callable[[], dt.datetime]
LOCKED = "The vault is locked. Unlock it to go on."


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(slots=True, eq=False)
class Session:
    folder: VaultFolder
    case_db_: Database | None
    rota_db_: Database | None
    keys: Keyring
    account: AccountKeys | None
    keyfile: KeyFile
    user: StaffUser
    clock: Clock = field(default=system_clock)
    # Entries in the audit log before this session wrote any (``audit verify`` must not be
    # satisfied by the checking run's own entries).
    audit_base: int = 0
    # Restricted notes' keys opened this session (wiped with the rest at lock).
    note_keys: Keyring = field(default_factory=Keyring)
    # Sentences for her after sign-in: ``notices`` calm (the vault moved to keys per
    # account), ``alarms`` loud (the audit log was changed outside Refuge Desk).
    notices: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)

    @property
    def db(self) -> Database:
        """The case database; for a relief worker, the rota file."""
        db = self.case_db_ if self.case_db_ is not None else self.rota_db_
        if db is None or db.closed:
            raise VaultError(LOCKED)
        return db

    @property
    def case_db(self) -> Database:
        if self.case_db_ is None:
            if self.rota_db_ is None or self.rota_db_.closed:
                raise VaultError(LOCKED)
            raise PermissionDenied(
                f"Your role ({self.role.label}) does not open residents' case records."
            )
        if self.case_db_.closed:
            raise VaultError(LOCKED)
        return self.case_db_

    @property
    def rota_db(self) -> Database:
        if self.rota_db_ is None or self.rota_db_.closed:
            raise VaultError(LOCKED)
        return self.rota_db_

    @property
    def has_case(self) -> bool:
        return self.case_db_ is not None

    @property
    def is_open(self) -> bool:
        db = self.case_db_ if self.case_db_ is not None else self.rota_db_
        return db is not None and not db.closed

    @property
    def data_key(self) -> bytearray:
        """The case key (the case database's SQLCipher key); empty for a relief worker."""
        return self.keys.get("case") or bytearray()

    @property
    def keyslots(self) -> KeyFile:
        return self.keyfile

    @property
    def role(self) -> Role:
        return self.user.role

    def now(self) -> dt.datetime:
        return self.clock()

    def stamp(self) -> str:
        return values.to_stamp(self.clock())

    def today(self) -> dt.date:
        return self.clock().astimezone().date()

    def require(self, allowed: bool, what: str) -> None:
        if not allowed:
            raise PermissionDenied(f"Your role ({self.role.label}) does not allow you to {what}.")

    def sign(self, message: bytes) -> bytes:
        if self.account is None:
            raise VaultError(LOCKED)
        return self.account.sign(message)

    def audit(self, action: str, ref: str = "", detail: str = "") -> None:
        """A signed entry: into the audit log, or (a relief worker) into the rota's inbox,
        from which the next manager or support worker session moves it into the log."""
        if self.case_db_ is not None:
            signer = self.signer if self.account is not None else None  # a 0.1 vault: unsigned
            audit_repo.record(
                self.case_db, self.stamp(), self.user.id, action, ref, detail, signer=signer
            )
            return
        at = self.stamp()
        content = inbox_content(self.keyfile.vault_id, at, self.user.id, action, ref, detail)
        self.rota_db.execute(
            "INSERT INTO audit_inbox (at, user_id, action, ref, detail, sig) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (at, self.user.id, action, ref, detail, b64(self.sign(content))),
        )

    def signer(self, entry_hash: str) -> tuple[int, str]:
        """(who signed, signature) for an audit entry's hash."""
        message = audit_repo.signed_message(self.keyfile.vault_id, entry_hash)
        return self.user.id, b64(self.sign(message))

    def wire(self) -> None:
        """With the case key, every commit brings the rota file up to date."""
        case, rota_db = self.case_db_, self.rota_db_
        if case is None or rota_db is None:
            return

        def sync() -> None:
            if rota.pending(case):
                rota.apply_outbox(case, rota_db)

        case.after_commit = sync

    def close(self) -> None:
        """Close both files and wipe every key. The session cannot be used again."""
        for db in (self.case_db_, self.rota_db_):
            if db is not None:
                db.after_commit = None
                db.close()
        self.case_db_ = self.rota_db_ = None
        self.keys.wipe_all()
        self.note_keys.wipe_all()
        self.account = None  # OpenSSL clears the private keys when they are freed


def inbox_content(
    vault_id: str, at: str, user_id: int, action: str, ref: str, detail: str
) -> bytes:
    """What a relief worker signs for one of her audit entries."""
    body = {"vault_id": vault_id, "at": at, "user_id": user_id, "action": action, "ref": ref}
    body["detail"] = detail
    return (
        b"refuge-desk/v2/audit-inbox\n"
        + json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )

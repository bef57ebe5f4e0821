"""Who may sign in, with which role and keys: a chain of statements signed with Ed25519.

Every change to an account is a statement: a grant, a role change, a disable, a passphrase
reset, her own passphrase change. Each names the one before it (``prev``, a SHA-256), so
statements cannot be reordered or dropped from the middle, and each is signed by someone
entitled to make it: a manager who is active at that point of the chain; the account itself
for its own passphrase change or its first keys after an upgrade; the recovery key for a
manager's new passphrase. The first statement is the vault's first manager's, signed by her
own key: that key is the vault's root, and its fingerprint is bound into every key slot.

``replay`` checks the chain from the root and returns every account's state. It stops at
the first statement that does not verify: that one and everything after it count for
nothing, and each is reported as a ``Problem`` naming the account it was about.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from refuge_desk.store.crypto import AccountKeys, b64, fingerprint, unb64, verify


class Kind(StrEnum):
    ROOT = "root"  # the first manager, signed by herself
    RECOVERY = "recovery"  # the recovery key's public keys, signed by a manager
    GRANT = "grant"  # a new account with its keys
    ROLE = "role"  # a new role for an active account
    DISABLE = "disable"  # the account opens nothing any more
    RESET = "reset"  # new keys and slot (a passphrase reset by a manager or the recovery key)
    SLOT = "slot"  # her own new passphrase: same keys, a new slot, signed by herself
    PENDING = "pending"  # upgrade: an account that will make her own keys at her next sign-in
    JOIN = "join"  # her own first keys, completing a pending grant; signed by the new key
    MANAGERS_KEY = "managers-key"  # the managers' public key of a key epoch, by a manager
    BACKUP_KEY = "backup-key"  # the organisation's backup key (age recipient), by a manager
    HISTORY = "history"  # a restored vault: SHA-256 (in ``tag``) of the old vaults' statements


RECOVERY_SIGNER = "recovery"
SELF_SIGNER = "self"


@dataclass(frozen=True, slots=True)
class Statement:
    seq: int
    prev: str
    kind: Kind
    at: str
    user_id: int | None = None
    tag: str = ""
    role: str = ""
    receive: str = ""  # X25519 public key, base64
    signing: str = ""  # Ed25519 public key, base64
    slot: str = ""  # the key slot issued with it
    by: str = ""  # "user:<id>", "recovery" or "self"
    sig: str = ""
    recipient: str = ""  # BACKUP_KEY: the age public key ("age1…")
    epoch: int = 0  # MANAGERS_KEY: the key epoch it belongs to (a rekey's own statement)

    def body(self, vault_id: str) -> bytes:
        data = {
            "vault_id": vault_id,
            "seq": self.seq,
            "prev": self.prev,
            "kind": self.kind.value,
            "at": self.at,
            "user_id": self.user_id,
            "tag": self.tag,
            "role": self.role,
            "receive": self.receive,
            "signing": self.signing,
            "slot": self.slot,
            "by": self.by,
        }
        if self.recipient:  # only when set: every earlier statement keeps its digest
            data["recipient"] = self.recipient
        if self.epoch:
            data["epoch"] = self.epoch
        return b"refuge-desk/v2/statement\n" + _canonical(data)

    def digest(self, vault_id: str) -> str:
        return hashlib.sha256(self.body(vault_id) + self.sig.encode("ascii")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "seq": self.seq,
            "prev": self.prev,
            "kind": self.kind.value,
            "at": self.at,
            "user_id": self.user_id,
            "tag": self.tag,
            "role": self.role,
            "receive": self.receive,
            "signing": self.signing,
            "slot": self.slot,
            "by": self.by,
            "sig": self.sig,
        }
        if self.recipient:
            out["recipient"] = self.recipient
        if self.epoch:
            out["epoch"] = self.epoch
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Statement:
        uid = d.get("user_id")
        return cls(
            seq=int(d["seq"]),
            prev=str(d["prev"]),
            kind=Kind(d["kind"]),
            at=str(d["at"]),
            user_id=None if uid is None else int(uid),
            tag=str(d.get("tag", "")),
            role=str(d.get("role", "")),
            receive=str(d.get("receive", "")),
            signing=str(d.get("signing", "")),
            slot=str(d.get("slot", "")),
            by=str(d.get("by", "")),
            sig=str(d.get("sig", "")),
            recipient=str(d.get("recipient", "")),
            epoch=int(d.get("epoch", 0)),
        )


def _canonical(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True, slots=True)
class Account:
    user_id: int
    tag: str
    role: str
    active: bool
    receive: bytes  # b"" while pending
    signing: bytes
    slot: str
    pending: bool = False


@dataclass(frozen=True, slots=True)
class Problem:
    """A statement that did not verify. ``user_id`` is the account it was about."""

    seq: int
    user_id: int | None
    kind: str
    why: str


@dataclass(slots=True)
class Chain:
    root_fpr: str
    accounts: dict[int, Account] = field(default_factory=dict)
    recovery_receive: bytes = b""
    recovery_signing: bytes = b""
    # Anyone seals a restricted note's key for this; only the managers' key opens it.
    managers_receive: bytes = b""
    # The organisation's backup key as a manager signed it: the managers' key is sealed for
    # this one only (never for a key named in the case database, which workers can change).
    backup_recipient: str = ""
    # The key epoch of the newest MANAGERS_KEY statement: every rekey signs one, after the
    # disable or lowered role that called for it. A key file whose epoch is newer than this
    # had its statements cut short (rolled back to before someone lost her access).
    epoch: int = 0
    # A restored vault's audit log is checked against the statements of the vaults it was
    # restored from (kept in the case database): only if their SHA-256 is this one.
    history: str = ""
    head_seq: int = -1
    head: str = ""
    problems: list[Problem] = field(default_factory=list)
    # Every signing key each account has ever held: her audit entries are checked with them.
    signing_keys: dict[int, set[bytes]] = field(default_factory=dict)

    def account(self, user_id: int | None) -> Account | None:
        return None if user_id is None else self.accounts.get(user_id)

    def issued(self, user_id: int, slot_id: str) -> bool:
        acc = self.accounts.get(user_id)
        return acc is not None and acc.active and not acc.pending and acc.slot == slot_id

    def managers(self) -> list[Account]:
        return [a for a in self.accounts.values() if a.active and a.role == "manager"]

    def active(self) -> list[Account]:
        return [a for a in self.accounts.values() if a.active]


def replay(statements: list[Statement], vault_id: str, root_fpr: str) -> Chain:
    chain = Chain(root_fpr)
    prev = ""
    for index, st in enumerate(statements):
        why = _check(chain, st, index, prev, vault_id)
        if why:
            chain.problems.append(Problem(st.seq, st.user_id, st.kind.value, why))
            for later in statements[index + 1 :]:
                chain.problems.append(
                    Problem(later.seq, later.user_id, later.kind.value, "follows one that failed")
                )
            break
        _apply(chain, st)
        prev = st.digest(vault_id)
        chain.head_seq, chain.head = st.seq, prev
    return chain


def _signer_key(chain: Chain, st: Statement) -> tuple[bytes, str]:
    """(public key to check the signature with, or b"", why not)."""
    if st.by == SELF_SIGNER:
        if st.kind in (Kind.ROOT, Kind.JOIN):
            return _pub(st.signing), ""
        if st.kind is Kind.SLOT:
            acc = chain.account(st.user_id)
            if acc is None or not acc.active or acc.pending:
                return b"", "her account is not active"
            return acc.signing, ""
        return b"", "an account cannot sign this for herself"
    if st.by == RECOVERY_SIGNER:
        if st.kind is not Kind.RESET or not chain.recovery_signing:
            return b"", "the recovery key cannot sign this"
        acc = chain.account(st.user_id)
        if acc is None or acc.role != "manager":
            return b"", "the recovery key resets managers' passphrases only"
        return chain.recovery_signing, ""
    if st.by.startswith("user:"):
        try:
            signer = chain.account(int(st.by[5:]))
        except ValueError:
            return b"", "unknown signer"
        if signer is None or not signer.active or signer.pending or signer.role != "manager":
            return b"", "not signed by an active manager"
        return signer.signing, ""
    return b"", "unknown signer"


def _check(chain: Chain, st: Statement, index: int, prev: str, vault_id: str) -> str:
    if st.seq != index or st.prev != prev:
        return "out of order"
    if (index == 0) != (st.kind is Kind.ROOT):
        return "the first statement must be the root's, and only the first"
    key, why = _signer_key(chain, st)
    if why:
        return why
    if not key or not verify(key, _sig(st.sig), st.body(vault_id)):
        return "the signature does not verify"
    if st.kind is Kind.ROOT and fingerprint(key) != chain.root_fpr:
        return "not the vault's root"
    acc = chain.account(st.user_id)
    if st.kind in (Kind.ROOT, Kind.GRANT, Kind.PENDING):
        if st.user_id is None or acc is not None:
            return "the account exists already"
        if st.role not in ("manager", "worker", "volunteer"):
            return "unknown role"
        if st.kind is Kind.ROOT and st.role != "manager":
            return "the root must be a manager"
    elif st.kind is Kind.RECOVERY:
        if not st.receive or not st.signing:
            return "keys missing"
    elif st.kind is Kind.MANAGERS_KEY:
        if not _pub(st.receive) or st.by == SELF_SIGNER:
            return "key missing"
        if st.epoch and st.epoch < chain.epoch:
            return "a key epoch older than one before it"
    elif st.kind is Kind.BACKUP_KEY:
        if not st.recipient.startswith("age1") or not st.by.startswith("user:"):
            return "key missing"
    elif st.kind is Kind.HISTORY:
        if len(st.tag) != 64 or not st.by.startswith("user:"):
            return "digest missing"
    else:
        if acc is None:
            return "no such account"
        if st.kind is Kind.JOIN and not acc.pending:
            return "the account had made her keys already"
        if st.kind is Kind.JOIN and chain.epoch > 1:
            # The move to keys per account ends with the vault's first rekey: an account
            # still pending then gets a new passphrase from a manager, never a JOIN.
            return "the move to keys per account was over"
        if st.kind is Kind.SLOT and (not acc.active or acc.pending):
            return "the account is not active"
        if st.kind is Kind.ROLE and not acc.active:
            return "the account is not active"
        if st.kind is Kind.ROLE and st.role not in ("manager", "worker", "volunteer"):
            return "unknown role"
    if st.kind in (Kind.ROOT, Kind.GRANT, Kind.RESET, Kind.JOIN, Kind.RECOVERY) and not (
        _pub(st.receive) and _pub(st.signing)
    ):
        return "keys missing"
    if st.kind in (Kind.ROOT, Kind.GRANT, Kind.RESET, Kind.JOIN, Kind.SLOT) and not st.slot:
        return "no key slot"
    return ""


def _apply(chain: Chain, st: Statement) -> None:
    uid = st.user_id
    if st.kind is Kind.RECOVERY:
        chain.recovery_receive, chain.recovery_signing = _pub(st.receive), _pub(st.signing)
        return
    if st.kind is Kind.MANAGERS_KEY:
        chain.managers_receive = _pub(st.receive)
        chain.epoch = st.epoch or chain.epoch
        return
    if st.kind is Kind.BACKUP_KEY:
        chain.backup_recipient = st.recipient
        return
    if st.kind is Kind.HISTORY:
        chain.history = st.tag
        return
    assert uid is not None
    acc = chain.accounts.get(uid)
    if st.kind in (Kind.ROOT, Kind.GRANT, Kind.RESET, Kind.JOIN):
        chain.signing_keys.setdefault(uid, set()).add(_pub(st.signing))
    if st.kind in (Kind.ROOT, Kind.GRANT):
        chain.accounts[uid] = Account(
            uid, st.tag, st.role, True, _pub(st.receive), _pub(st.signing), st.slot
        )
    elif st.kind is Kind.PENDING:
        chain.accounts[uid] = Account(uid, st.tag, st.role, True, b"", b"", "", pending=True)
    elif acc is None:
        return
    elif st.kind is Kind.ROLE:
        chain.accounts[uid] = replace(acc, role=st.role)
    elif st.kind is Kind.DISABLE:
        chain.accounts[uid] = replace(acc, active=False, pending=False, slot="")
    elif st.kind in (Kind.RESET, Kind.JOIN):
        chain.accounts[uid] = replace(
            acc,
            active=True,
            pending=False,
            receive=_pub(st.receive),
            signing=_pub(st.signing),
            slot=st.slot,
        )
    elif st.kind is Kind.SLOT:
        chain.accounts[uid] = replace(acc, slot=st.slot)


def _pub(text: str) -> bytes:
    try:
        raw = unb64(text) if text else b""
    except ValueError:
        return b""
    return raw if len(raw) == 32 else b""


def _sig(text: str) -> bytes:
    try:
        return unb64(text)
    except ValueError:
        return b""


def make(
    chain_statements: list[Statement],
    vault_id: str,
    kind: Kind,
    at: str,
    signer: AccountKeys,
    by: str,
    *,
    user_id: int | None = None,
    tag: str = "",
    role: str = "",
    keys: tuple[bytes, bytes] | None = None,
    slot: str = "",
    recipient: str = "",
    epoch: int = 0,
) -> Statement:
    """The next statement, signed with ``signer``'s key (``by`` says who that is)."""
    seq = len(chain_statements)
    prev = chain_statements[-1].digest(vault_id) if chain_statements else ""
    receive, signing = keys if keys is not None else (b"", b"")
    st = Statement(
        seq=seq,
        prev=prev,
        kind=kind,
        at=at,
        user_id=user_id,
        tag=tag,
        role=role,
        receive=b64(receive) if receive else "",
        signing=b64(signing) if signing else "",
        slot=slot,
        by=by,
        recipient=recipient,
        epoch=epoch,
    )
    return replace(st, sig=b64(signer.sign(st.body(vault_id))))

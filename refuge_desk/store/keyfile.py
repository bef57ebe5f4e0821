"""keyslots.json, format 2: key slots, key envelopes and the signed staff statements.

- A **slot** (one per account, and one for the recovery key) seals that account's two private
  keys (X25519 to receive keys, Ed25519 to sign) under Argon2id(passphrase) with AES-256-GCM.
  Its associated data binds the vault id, the root's fingerprint, the slot id, the account
  and, for a manager, the audit log's head as it stood when she last locked or signed out.
- An **envelope** holds one key (the case key, the rota key, the managers' key) for one
  recipient's X25519 public key, for one key epoch. Which envelopes an account may use is
  decided by her role in the statements chain, never by which envelopes exist.
- **statements** are the signed chain of who may sign in with which role (store/grants.py).
- **legacy** holds format-1 slots of accounts that have not made their own keys yet (a vault
  upgraded from 0.1 keeps them until each has signed in once, or a manager finishes the move).
- **swap** marks a rekey whose new files are written but not yet in place (store/vault.py).

keyslots.json holds no names: a slot is found by SHA-256(vault id, user name).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from refuge_desk.domain.errors import VaultCorrupt, WrongCredentials
from refuge_desk.store import crypto, fs, grants
from refuge_desk.store.crypto import Unreadable, b64, unb64
from refuge_desk.store.grants import Chain, Statement
from refuge_desk.store.keymem import wipe
from refuge_desk.store.keyslots import KdfParams, KeySlot, normalise_recovery_key

FORMAT = 2
USER, RECOVERY = "user", "recovery"
CASE, ROTA, MANAGERS = "case", "rota", "managers"
LEGACY_ROTA = "legacy-rota"  # the rota key sealed with the 0.1 data key, during an upgrade
BACKUP = "backup"  # the organisation's backup key (age), for the managers' key
SEALED_SECRET = 12 + crypto.AccountKeys.SECRET_BYTES + 16


def tag_for(vault_id: str, username: str) -> str:
    norm = username.strip().casefold()
    return hashlib.sha256(f"{vault_id}\x00{norm}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditHead:
    count: int
    hash: str


@dataclass(slots=True)
class Slot:
    id: str
    kind: str  # USER | RECOVERY
    user_id: int | None
    tag: str
    kdf: KdfParams
    sealed: bytes
    head: AuditHead | None = None

    def label(self, vault_id: str, root_fpr: str) -> bytes:
        head = f"{self.head.count}:{self.head.hash}" if self.head else "-"
        return (
            f"refuge-desk/v2/slot|{vault_id}|{root_fpr}|{self.id}|{self.kind}|{self.user_id}|{head}"
        ).encode()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "user_id": self.user_id,
            "tag": self.tag,
            "kdf": {
                "name": "argon2id",
                "salt": b64(self.kdf.salt),
                "memory_kib": self.kdf.memory_kib,
                "iterations": self.kdf.iterations,
                "lanes": self.kdf.lanes,
            },
            "sealed": b64(self.sealed),
            "audit_head": None if self.head is None else [self.head.count, self.head.hash],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Slot:
        kdf = KdfParams.from_json(d["kdf"])  # bounded: an edited file cannot make sign-in hang
        sealed = unb64(d["sealed"])
        if len(sealed) != SEALED_SECRET:
            raise ValueError("bad sealed keys")
        kind = str(d["kind"])
        if kind not in (USER, RECOVERY):
            raise ValueError("unknown slot kind")
        head = d.get("audit_head")
        uid = d.get("user_id")
        return cls(
            str(d["id"]),
            kind,
            None if uid is None else int(uid),
            str(d.get("tag", "")),
            kdf,
            sealed,
            None if head is None else AuditHead(int(head[0]), str(head[1])),
        )


@dataclass(slots=True)
class Envelope:
    to: str  # "user:<id>", RECOVERY or BACKUP
    purpose: str  # CASE | ROTA | MANAGERS | LEGACY_ROTA
    epoch: int
    sealed: bytes

    def label(self, vault_id: str) -> bytes:
        return (
            f"refuge-desk/v2/envelope|{vault_id}|{self.to}|{self.purpose}|{self.epoch}"
        ).encode()

    def to_json(self) -> dict[str, Any]:
        return {
            "to": self.to,
            "purpose": self.purpose,
            "epoch": self.epoch,
            "sealed": b64(self.sealed),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Envelope:
        return cls(str(d["to"]), str(d["purpose"]), int(d["epoch"]), unb64(d["sealed"]))


@dataclass(slots=True)
class Swap:
    """A rekey to ``epoch`` whose new files (final name -> staged name) are ready."""

    epoch: int
    files: dict[str, str]


def user_ref(user_id: int) -> str:
    return f"user:{user_id}"


@dataclass(slots=True)
class KeyFile:
    vault_id: str
    root_fpr: str
    epoch: int = 1
    statements: list[Statement] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    legacy: list[KeySlot] = field(default_factory=list)
    swap: Swap | None = None
    # True from a 0.1 vault's move to keys per account until its first rekey: the case key is
    # still the 0.1 release's data key, which every old slot (now ``legacy``) unwraps.
    upgrading: bool = False
    # Why a rekey is owed ("" when none): written with the change that calls for it, cleared
    # by the rekey itself, so an interrupted one is run again at the next manager sign-in.
    rekey_due: str = ""

    # -- persistence ---------------------------------------------------------------------
    @classmethod
    def parse(cls, data: dict[str, Any], path: Path) -> KeyFile:
        try:
            if data.get("format") != FORMAT:
                raise ValueError("format")
            swap = data.get("swap")
            return cls(
                vault_id=str(data["vault_id"]),
                root_fpr=str(data["root"]),
                epoch=int(data["epoch"]),
                statements=[Statement.from_json(s) for s in data["statements"]],
                slots=[Slot.from_json(s) for s in data["slots"]],
                envelopes=[Envelope.from_json(e) for e in data["envelopes"]],
                legacy=[KeySlot.from_json(s) for s in data.get("legacy", [])],
                upgrading=bool(data.get("upgrading", False)),
                rekey_due=str(data.get("rekey_due", "")),
                swap=None
                if swap is None
                else Swap(int(swap["epoch"]), {str(k): str(v) for k, v in swap["files"].items()}),
            )
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            raise VaultCorrupt(f"The key file {path} is damaged and cannot be read.") from exc

    def to_bytes(self) -> bytes:
        data: dict[str, Any] = {
            "format": FORMAT,
            "vault_id": self.vault_id,
            "root": self.root_fpr,
            "epoch": self.epoch,
            "statements": [s.to_json() for s in self.statements],
            "slots": [s.to_json() for s in self.slots],
            "envelopes": [e.to_json() for e in self.envelopes],
        }
        if self.legacy:
            data["legacy"] = [s.to_json() for s in self.legacy]
        if self.upgrading:
            data["upgrading"] = True
        if self.rekey_due:
            data["rekey_due"] = self.rekey_due
        if self.swap is not None:
            data["swap"] = {"epoch": self.swap.epoch, "files": self.swap.files}
        return json.dumps(data, indent=1).encode()

    def save(self, path: Path) -> None:
        fs.atomic_write(path, self.to_bytes())  # looked up here: tests make it fail

    def copy(self) -> KeyFile:
        """An independent copy to edit (a failed write then leaves this one as it was)."""
        return KeyFile.parse(json.loads(self.to_bytes()), Path("keyslots.json"))

    # -- statements ----------------------------------------------------------------------
    def chain(self) -> Chain:
        return grants.replay(self.statements, self.vault_id, self.root_fpr)

    def tag_for(self, username: str) -> str:
        return tag_for(self.vault_id, username)

    # -- slots ---------------------------------------------------------------------------
    def user_slot(self, username: str) -> Slot | None:
        tag = self.tag_for(username)
        return next((s for s in self.slots if s.kind == USER and s.tag == tag), None)

    def slot_of(self, user_id: int) -> Slot | None:
        return next((s for s in self.slots if s.kind == USER and s.user_id == user_id), None)

    def recovery_slot(self) -> Slot | None:
        return next((s for s in self.slots if s.kind == RECOVERY), None)

    def legacy_slot(self, username: str) -> KeySlot | None:
        tag = self.tag_for(username)
        return next((s for s in self.legacy if s.tag == tag), None)

    def put_slot(self, slot: Slot) -> None:
        self.slots = [
            s
            for s in self.slots
            if not (s.kind == slot.kind and s.user_id == slot.user_id) and s.id != slot.id
        ]
        self.slots.append(slot)

    def drop_account(self, user_id: int) -> None:
        """Her slot, legacy slot and envelopes go (the statements keep her history)."""
        self.slots = [s for s in self.slots if not (s.kind == USER and s.user_id == user_id)]
        self.legacy = [s for s in self.legacy if s.user_id != user_id]
        ref = user_ref(user_id)
        self.envelopes = [e for e in self.envelopes if e.to != ref]

    def new_slot(
        self,
        kind: str,
        user_id: int | None,
        tag: str,
        secret: bytes | bytearray,
        passphrase: bytes,
        head: AuditHead | None = None,
    ) -> tuple[Slot, bytearray]:
        """A slot sealing ``secret``; returns it and its key-encryption key (to reseal)."""
        kdf = KdfParams(secrets.token_bytes(16))
        slot = Slot(str(uuid.uuid4()), kind, user_id, tag, kdf, b"", head)
        kek = kdf.derive(passphrase)
        slot.sealed = crypto.seal(kek, secret, slot.label(self.vault_id, self.root_fpr))
        return slot, kek

    def reseal(
        self, slot: Slot, kek: bytes | bytearray, secret: bytes | bytearray, head: AuditHead
    ) -> Slot:
        """The same slot with a new audit head bound into it (same passphrase)."""
        new = Slot(slot.id, slot.kind, slot.user_id, slot.tag, slot.kdf, b"", head)
        new.sealed = crypto.seal(kek, secret, new.label(self.vault_id, self.root_fpr))
        return new

    def open_slot(self, slot: Slot, passphrase: bytes) -> tuple[bytearray, bytearray]:
        """(key-encryption key, the two private keys). WrongCredentials if it does not open."""
        kek = slot.kdf.derive(passphrase)
        try:
            return kek, crypto.unseal(kek, slot.sealed, slot.label(self.vault_id, self.root_fpr))
        except Unreadable as exc:
            wipe(kek)
            raise WrongCredentials() from exc

    @staticmethod
    def recovery_secret(recovery_key: str) -> bytes:
        return normalise_recovery_key(recovery_key)

    # -- envelopes -----------------------------------------------------------------------
    def envelope(self, to: str, purpose: str, epoch: int | None = None) -> Envelope | None:
        want = self.epoch if epoch is None else epoch
        return next(
            (e for e in self.envelopes if e.to == to and e.purpose == purpose and e.epoch == want),
            None,
        )

    def put_envelope(self, to: str, purpose: str, sealed: bytes, epoch: int | None = None) -> None:
        env = Envelope(to, purpose, self.epoch if epoch is None else epoch, sealed)
        self.envelopes = [
            e
            for e in self.envelopes
            if not (e.to == to and e.purpose == purpose and e.epoch == env.epoch)
        ]
        self.envelopes.append(env)

    def wrap_for(
        self, to: str, public: bytes, purpose: str, key: bytes | bytearray, epoch: int | None = None
    ) -> None:
        env = Envelope(to, purpose, self.epoch if epoch is None else epoch, b"")
        self.put_envelope(
            to, purpose, crypto.wrap_to(public, key, env.label(self.vault_id)), env.epoch
        )

    def open_envelope(self, to: str, purpose: str, private: X25519PrivateKey) -> bytearray | None:
        env = self.envelope(to, purpose)
        if env is None:
            return None
        try:
            return crypto.unwrap(private, env.sealed, env.label(self.vault_id))
        except Unreadable:
            return None

    def drop_stale_envelopes(self) -> None:
        self.envelopes = [e for e in self.envelopes if e.epoch == self.epoch]


def read_format(path: Path) -> int:
    """1 (the 0.1 release's file) or 2; VaultCorrupt when missing or not ours."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return int(data["format"])
    except FileNotFoundError as exc:
        raise VaultCorrupt(f"The key file {path} is missing.") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise VaultCorrupt(f"The key file {path} is damaged and cannot be read.") from exc


def load(path: Path) -> KeyFile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise VaultCorrupt(f"The key file {path} is missing.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise VaultCorrupt(f"The key file {path} is damaged and cannot be read.") from exc
    if not isinstance(data, dict):
        raise VaultCorrupt(f"The key file {path} is damaged and cannot be read.")
    return KeyFile.parse(data, path)

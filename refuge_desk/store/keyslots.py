"""LUKS-style key slots: each wraps the vault's random data key.

A staff slot: Argon2id(passphrase, salt) -> key-encryption key -> AES-256-GCM(data key),
with the vault id, slot id and user id as associated data (a slot cannot be moved to another
account or vault). The recovery slot wraps the same data key under a random recovery key.

keyslots.json holds no names: a slot is found by SHA-256(vault id, user name). That keeps
names from a casual reader of the file, not from someone testing guessed names.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from refuge_desk.domain.errors import VaultCorrupt, WrongCredentials
from refuge_desk.store import fs
from refuge_desk.store.keymem import take

FORMAT = 1
KDF_MEMORY_KIB = 65536  # 64 MiB
KDF_ITERATIONS = 3
KDF_LANES = 4
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def _unb64(s: str) -> bytes:
    return base64.b64decode(s.encode("ascii"), validate=True)


MAX_LANES = 64
MAX_MEMORY_KIB = 4 * 1024 * 1024
MAX_ITERATIONS = 64
NONCE_BYTES = 12  # AES-GCM
WRAPPED_BYTES = 32 + 16  # a 256-bit data key and its GCM tag


@dataclass(slots=True)
class KdfParams:
    salt: bytes
    memory_kib: int = KDF_MEMORY_KIB
    iterations: int = KDF_ITERATIONS
    lanes: int = KDF_LANES

    def derive(self, secret: bytes) -> bytearray:
        kdf = Argon2id(
            salt=self.salt,
            length=32,
            iterations=self.iterations,
            lanes=self.lanes,
            memory_cost=self.memory_kib,
        )
        return take(kdf.derive(secret))

    @classmethod
    def from_json(cls, k: dict[str, Any]) -> KdfParams:
        if k.get("name") != "argon2id":
            raise ValueError("unknown kdf")
        params = cls(_unb64(k["salt"]), int(k["memory_kib"]), int(k["iterations"]), int(k["lanes"]))
        if params.memory_kib < 8 or params.iterations < 1 or len(params.salt) < 16:
            raise ValueError("weak kdf")
        # Argon2's own limits, and ours: an edited file must not make sign-in hang or eat
        # the machine's memory (4 GiB, 64 passes and 64 lanes are far above what we write).
        if not (1 <= params.lanes <= MAX_LANES and params.memory_kib >= 8 * params.lanes):
            raise ValueError("impossible kdf lanes")
        if params.memory_kib > MAX_MEMORY_KIB or params.iterations > MAX_ITERATIONS:
            raise ValueError("kdf cost out of bounds")
        return params


@dataclass(slots=True)
class KeySlot:
    id: str
    kind: str  # "user" | "recovery"
    user_id: int | None
    tag: str  # lookup tag of the user name ("" for recovery)
    kdf: KdfParams
    nonce: bytes
    wrapped: bytes

    def aad(self, vault_id: str) -> bytes:
        return f"refuge-desk/v{FORMAT}/{vault_id}/{self.id}/{self.kind}/{self.user_id}".encode()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "user_id": self.user_id,
            "tag": self.tag,
            "kdf": {
                "name": "argon2id",
                "salt": _b64(self.kdf.salt),
                "memory_kib": self.kdf.memory_kib,
                "iterations": self.kdf.iterations,
                "lanes": self.kdf.lanes,
            },
            "nonce": _b64(self.nonce),
            "wrapped_key": _b64(self.wrapped),
        }

    def pin(self) -> str:
        """ "<id>:<SHA-256 of the slot as written>": what a PENDING grant pins (a slot swapped
        for one under other words no longer matches)."""
        body = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":")).encode()
        return f"{self.id}:{hashlib.sha256(b'refuge-desk/v1-slot/' + body).hexdigest()}"

    def unwrap_with(self, kek: bytes | bytearray, vault_id: str) -> bytearray:
        """The data key, with ``kek`` (Argon2id of her passphrase with this slot's salt);
        WrongCredentials if it does not open."""
        try:
            return take(AESGCM(kek).decrypt(self.nonce, self.wrapped, self.aad(vault_id)))
        except InvalidTag as exc:
            raise WrongCredentials() from exc

    def opens_with(self, kek: bytes | bytearray, vault_id: str) -> bool:
        try:
            key = self.unwrap_with(kek, vault_id)
        except WrongCredentials:
            return False
        zero(key)
        return True

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> KeySlot:
        params = KdfParams.from_json(d["kdf"])
        nonce, wrapped = _unb64(d["nonce"]), _unb64(d["wrapped_key"])
        if len(nonce) != NONCE_BYTES or len(wrapped) != WRAPPED_BYTES:
            raise ValueError("bad nonce or wrapped key")
        uid = d.get("user_id")
        return cls(
            str(d["id"]),
            str(d["kind"]),
            None if uid is None else int(uid),
            str(d.get("tag", "")),
            params,
            nonce,
            wrapped,
        )


@dataclass(slots=True)
class KeySlotFile:
    vault_id: str
    slots: list[KeySlot] = field(default_factory=list)

    # -- persistence ---------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path) -> KeySlotFile:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError("format")
            return cls(str(data["vault_id"]), [KeySlot.from_json(s) for s in data["slots"]])
        except FileNotFoundError as exc:
            raise VaultCorrupt(f"The key file {path} is missing.") from exc
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise VaultCorrupt(f"The key file {path} is damaged and cannot be read.") from exc

    def save(self, path: Path) -> None:
        payload = json.dumps(
            {
                "format": FORMAT,
                "vault_id": self.vault_id,
                "slots": [s.to_json() for s in self.slots],
            },
            indent=2,
        ).encode()
        fs.atomic_write(path, payload)  # looked up here: tests make it fail

    # -- slots ---------------------------------------------------------------------------
    def tag_for(self, username: str) -> str:
        norm = username.strip().casefold()
        return hashlib.sha256(f"{self.vault_id}\x00{norm}".encode()).hexdigest()

    def user_slot(self, username: str) -> KeySlot | None:
        tag = self.tag_for(username)
        return next((s for s in self.slots if s.kind == "user" and s.tag == tag), None)

    def recovery_slot(self) -> KeySlot | None:
        return next((s for s in self.slots if s.kind == "recovery"), None)

    def set_user_slot(
        self, user_id: int, username: str, passphrase: str, data_key: bytes | bytearray
    ) -> KeySlot:
        slot = _wrap(
            self.vault_id,
            "user",
            user_id,
            self.tag_for(username),
            passphrase.encode("utf-8"),
            data_key,
        )
        self.slots = [s for s in self.slots if not (s.kind == "user" and s.user_id == user_id)]
        self.slots.append(slot)
        return slot

    def remove_user_slot(self, user_id: int) -> None:
        self.slots = [s for s in self.slots if not (s.kind == "user" and s.user_id == user_id)]

    def set_recovery_slot(self, recovery_key: str, data_key: bytes | bytearray) -> KeySlot:
        slot = _wrap(
            self.vault_id, "recovery", None, "", normalise_recovery_key(recovery_key), data_key
        )
        self.slots = [s for s in self.slots if s.kind != "recovery"]
        self.slots.append(slot)
        return slot

    def unwrap(self, slot: KeySlot, secret: bytes) -> bytearray:
        kek = slot.kdf.derive(secret)
        try:
            return take(AESGCM(kek).decrypt(slot.nonce, slot.wrapped, slot.aad(self.vault_id)))
        except InvalidTag as exc:
            raise WrongCredentials() from exc
        finally:
            zero(kek)

    def unwrap_user(self, username: str, passphrase: str) -> tuple[KeySlot, bytearray]:
        slot = self.user_slot(username)
        if slot is None:
            # Same work as a real attempt, so timing does not tell which part was wrong.
            KdfParams(secrets.token_bytes(16)).derive(passphrase.encode("utf-8"))
            raise WrongCredentials()
        return slot, self.unwrap(slot, passphrase.encode("utf-8"))

    def unwrap_recovery(self, recovery_key: str) -> bytearray:
        slot = self.recovery_slot()
        if slot is None:
            raise WrongCredentials()
        return self.unwrap(slot, normalise_recovery_key(recovery_key))


def _wrap(
    vault_id: str,
    kind: str,
    user_id: int | None,
    tag: str,
    secret: bytes,
    data_key: bytes | bytearray,
) -> KeySlot:
    slot = KeySlot(
        str(uuid.uuid4()),
        kind,
        user_id,
        tag,
        KdfParams(secrets.token_bytes(16)),
        secrets.token_bytes(12),
        b"",
    )
    kek = slot.kdf.derive(secret)
    try:
        slot.wrapped = AESGCM(kek).encrypt(slot.nonce, data_key, slot.aad(vault_id))
    finally:
        zero(kek)
    return slot


def new_recovery_key() -> str:
    """160 random bits as 8 groups of 4 easy-to-read characters."""
    chars = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(32))
    return "-".join(chars[i : i + 4] for i in range(0, 32, 4))


def normalise_recovery_key(text: str) -> bytes:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return cleaned.encode("ascii", "ignore")


def zero(buf: bytearray) -> None:
    for i in range(len(buf)):
        buf[i] = 0

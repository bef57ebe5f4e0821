"""The few cryptographic operations the key model is built from (all from ``cryptography``).

- ``seal``/``unseal``: AES-256-GCM with associated data that says what the bytes are for.
- ``wrap_to``/``unwrap``: a key for someone's X25519 public key (ephemeral ECDH, HKDF-SHA256,
  AES-256-GCM), as age and HPKE do; only her private key opens it.
- ``AccountKeys``: one account's X25519 (receive) and Ed25519 (sign) key pairs.

Every key comes back as a bytearray (``keymem.take``), so it can be wiped.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from refuge_desk.store.keymem import take, wipe, wipe_bytes

KEY_BYTES = 32
NONCE_BYTES = 12
_RAW = serialization.Encoding.Raw


class Unreadable(Exception):
    """Sealed bytes that do not open with this key and label (wrong key, or changed)."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def new_key() -> bytearray:
    return bytearray(secrets.token_bytes(KEY_BYTES))


def seal(key: bytes | bytearray, plaintext: bytes | bytearray, label: bytes) -> bytes:
    """nonce || ciphertext+tag."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, label)


def unseal(key: bytes | bytearray, sealed: bytes, label: bytes) -> bytearray:
    if len(sealed) < NONCE_BYTES + 16:
        raise Unreadable
    try:
        plain = AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], label)
    except InvalidTag as exc:
        raise Unreadable from exc
    return take(plain)


def _envelope_key(shared: bytes, epk: bytes, recipient: bytes, label: bytes) -> bytearray:
    hkdf = HKDF(hashes.SHA256(), KEY_BYTES, salt=epk + recipient, info=b"refuge-desk/wrap/" + label)
    try:
        return take(hkdf.derive(shared))
    finally:
        wipe_bytes(shared)


def wrap_to(recipient: bytes, key: bytes | bytearray, label: bytes) -> bytes:
    """epk (32) || nonce || ciphertext+tag, readable with the recipient's private key."""
    eph = X25519PrivateKey.generate()
    epk = eph.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    shared = eph.exchange(X25519PublicKey.from_public_bytes(recipient))
    kek = _envelope_key(shared, epk, recipient, label)
    try:
        return epk + seal(kek, key, label)
    finally:
        wipe(kek)


def unwrap(private: X25519PrivateKey, sealed: bytes, label: bytes) -> bytearray:
    if len(sealed) < KEY_BYTES:
        raise Unreadable
    epk, rest = sealed[:KEY_BYTES], sealed[KEY_BYTES:]
    mine = private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(epk))
    except ValueError as exc:  # a low-order point: not something we wrote
        raise Unreadable from exc
    kek = _envelope_key(shared, epk, mine, label)
    try:
        return unseal(kek, rest, label)
    finally:
        wipe(kek)


def fingerprint(public: bytes) -> str:
    return hashlib.sha256(b"refuge-desk/key/" + public).hexdigest()


def verify(public: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(slots=True)
class AccountKeys:
    """An account's private keys (held by OpenSSL, which clears them when freed)."""

    receive: X25519PrivateKey
    signing: Ed25519PrivateKey

    SECRET_BYTES = 2 * KEY_BYTES

    @classmethod
    def generate(cls) -> AccountKeys:
        return cls(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())

    @classmethod
    def from_secret(cls, secret: bytes | bytearray) -> AccountKeys:
        if len(secret) != cls.SECRET_BYTES:
            raise Unreadable
        view = memoryview(secret)
        return cls(
            X25519PrivateKey.from_private_bytes(view[:KEY_BYTES]),
            Ed25519PrivateKey.from_private_bytes(view[KEY_BYTES:]),
        )

    def secret(self) -> bytearray:
        """Both private keys, to seal into her key slot (wipe it after)."""
        fmt, none = serialization.PrivateFormat.Raw, serialization.NoEncryption()
        out = bytearray(self.SECRET_BYTES)  # filled in place: no reallocated copies
        parts = (
            self.receive.private_bytes(_RAW, fmt, none),
            self.signing.private_bytes(_RAW, fmt, none),
        )
        for i, part in enumerate(parts):
            out[i * KEY_BYTES : (i + 1) * KEY_BYTES] = part
            wipe_bytes(part)
        return out

    @property
    def receive_public(self) -> bytes:
        return self.receive.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)

    @property
    def signing_public(self) -> bytes:
        return self.signing.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)

    def sign(self, message: bytes) -> bytes:
        return self.signing.sign(message)


def managers_receive_key(managers_key: bytes | bytearray) -> X25519PrivateKey:
    """The X25519 key pair that belongs to the managers' key: its public half is in the
    statements, so a support worker can seal a restricted note's key for the managers."""
    hkdf = HKDF(hashes.SHA256(), KEY_BYTES, salt=None, info=b"refuge-desk/managers-x25519")
    seed = hkdf.derive(managers_key)
    try:
        return X25519PrivateKey.from_private_bytes(seed)
    finally:
        wipe_bytes(seed)


def public_of(private: X25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)

"""Which keys each role holds, and handing them to the accounts that should have them.

- a manager: the case key, the rota key and the managers' key (restricted notes);
- a support worker: the case key and the rota key;
- a relief worker: the rota key only;
- the recovery key: everything a manager holds;
- the organisation's backup key: the managers' key (so a restored backup can open the
  restricted notes it carries; the backup key itself lives in the office safe).

An envelope exists only for the current key epoch; a rekey makes new keys and new envelopes.
"""

from __future__ import annotations

import pyrage

from refuge_desk.domain.roles import Role
from refuge_desk.services.session import Session
from refuge_desk.store.grants import Chain
from refuge_desk.store.keyfile import (
    BACKUP,
    CASE,
    MANAGERS,
    RECOVERY,
    ROTA,
    KeyFile,
    user_ref,
)
from refuge_desk.store.keymem import Keyring, take, wipe_bytes

BACKUP_RECIPIENT_KEY = "backup_recipient"  # meta key of the organisation's age public key


def keys_for(role: Role) -> tuple[str, ...]:
    if role is Role.MANAGER:
        return (CASE, ROTA, MANAGERS)
    if role is Role.WORKER:
        return (CASE, ROTA)
    return (ROTA,)


def wrap_for_account(kf: KeyFile, user_id: int, public: bytes, role: Role, keys: Keyring) -> None:
    """Envelopes of every key her role holds (those ``keys`` has) for her public key."""
    for purpose in keys_for(role):
        key = keys.get(purpose)
        if key is not None:
            kf.wrap_for(user_ref(user_id), public, purpose, key)


def wrap_for_recovery(kf: KeyFile, public: bytes, keys: Keyring) -> None:
    for purpose in (CASE, ROTA, MANAGERS):
        key = keys.get(purpose)
        if key is not None:
            kf.wrap_for(RECOVERY, public, purpose, key)


def wrap_for_backup(kf: KeyFile, recipient: str, keys: Keyring) -> None:
    """The managers' key for the organisation's backup key (age), read by a restore."""
    key = keys.get(MANAGERS)
    if key is None or not recipient:
        return
    plain = bytes(key)
    try:
        sealed = pyrage.encrypt(plain, [pyrage.x25519.Recipient.from_str(recipient)])
    finally:
        wipe_bytes(plain)
    kf.put_envelope(BACKUP, MANAGERS, sealed)


def open_backup_envelope(kf: KeyFile, identity: pyrage.x25519.Identity) -> bytearray | None:
    env = kf.envelope(BACKUP, MANAGERS)
    if env is None:
        return None
    try:
        return take(pyrage.decrypt(env.sealed, [identity]))
    except pyrage.DecryptError:
        return None


def missing(kf: KeyFile, chain: Chain, keys: Keyring, backup_recipient: str) -> KeyFile | None:
    """A copy of ``kf`` with the envelopes that should exist and do not (an account that
    made her own keys at an upgrade, a manager who joined, a new recovery key, a new backup
    key), as far as ``keys`` allows; None when nothing is missing."""
    out = kf.copy()
    changed = False
    for acc in chain.active():
        if acc.pending:
            continue
        for purpose in keys_for(Role(acc.role)):
            key = keys.get(purpose)
            if key is not None and out.envelope(user_ref(acc.user_id), purpose) is None:
                out.wrap_for(user_ref(acc.user_id), acc.receive, purpose, key)
                changed = True
    if chain.recovery_receive:
        for purpose in (CASE, ROTA, MANAGERS):
            key = keys.get(purpose)
            if key is not None and out.envelope(RECOVERY, purpose) is None:
                out.wrap_for(RECOVERY, chain.recovery_receive, purpose, key)
                changed = True
    if (
        backup_recipient
        and keys.get(MANAGERS) is not None
        and out.envelope(BACKUP, MANAGERS) is None
    ):
        wrap_for_backup(out, backup_recipient, keys)
        changed = True
    return out if changed else None


def issue_missing(session: Session) -> bool:
    """Write the envelopes that should exist and do not; True if it wrote any."""
    if not session.has_case:
        return False
    chain = session.keyfile.chain()
    if session.keyfile.epoch > 1 and chain.epoch != session.keyfile.epoch:
        return False  # statements cut short: hand nothing to anyone (sign-in refuses too)
    fixed = missing(session.keyfile, chain, session.keys, chain.backup_recipient)
    if fixed is None:
        return False
    session.folder.save_keyslots(fixed)
    session.keyfile = fixed
    return True

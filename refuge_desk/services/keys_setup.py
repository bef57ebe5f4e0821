"""Making the keys of a vault and of an account: a new vault's key file, the recovery
key's keys, the managers' public key, an account's new keys after a reset.

Each function edits a KeyFile (a copy the caller saves) and signs what it adds with the
manager's (or the recovery key's) Ed25519 key; see store/grants.py for who may sign what.
"""

from __future__ import annotations

from refuge_desk.domain.roles import Role
from refuge_desk.services import access
from refuge_desk.store import grants
from refuge_desk.store.crypto import (
    AccountKeys,
    fingerprint,
    managers_receive_key,
    public_of,
)
from refuge_desk.store.grants import Kind
from refuge_desk.store.keyfile import MANAGERS, RECOVERY, USER, KeyFile, user_ref
from refuge_desk.store.keymem import Keyring, wipe
from refuge_desk.store.keyslots import normalise_recovery_key


def found_keyfile(
    vault_id: str,
    user_id: int,
    username: str,
    passphrase: str,
    me: AccountKeys,
    keys: Keyring,
    now: str,
    recovery_key: str,
) -> tuple[KeyFile, bytearray]:
    """The key file of a new vault: its first manager is the root, signed by herself, and the
    recovery key's keys are certified by her. Returns the file and her slot's KEK."""
    kf = KeyFile(vault_id, fingerprint(me.signing_public))
    tag = kf.tag_for(username)
    secret = me.secret()
    try:
        slot, kek = kf.new_slot(USER, user_id, tag, secret, passphrase.encode("utf-8"))
    finally:
        wipe(secret)
    kf.put_slot(slot)
    kf.statements.append(
        grants.make(
            kf.statements,
            vault_id,
            Kind.ROOT,
            now,
            me,
            grants.SELF_SIGNER,
            user_id=user_id,
            tag=tag,
            role=Role.MANAGER.value,
            keys=(me.receive_public, me.signing_public),
            slot=slot.id,
        )
    )
    access.wrap_for_account(kf, user_id, me.receive_public, Role.MANAGER, keys)
    publish_managers_key(kf, me, user_id, keys, now)
    set_recovery(kf, me, user_id, recovery_key, keys, now)
    return kf, kek


def publish_managers_key(
    kf: KeyFile, signer: AccountKeys, signer_id: int, keys: Keyring, now: str
) -> None:
    """The public half of the managers' key, signed by a manager: what a support worker
    seals her restricted notes' keys for. It names the key file's epoch, which binds each
    rekey (and the disable or lowered role before it) into the statements."""
    managers = keys.get(MANAGERS)
    if managers is None:
        return
    public = public_of(managers_receive_key(managers))
    kf.statements.append(
        grants.make(
            kf.statements,
            kf.vault_id,
            Kind.MANAGERS_KEY,
            now,
            signer,
            user_ref(signer_id),
            keys=(public, b""),
            epoch=kf.epoch,
        )
    )


def set_recovery(
    kf: KeyFile, signer: AccountKeys, signer_id: int, recovery_key: str, keys: Keyring, now: str
) -> None:
    """New recovery keys sealed under ``recovery_key``, certified by the manager ``signer``;
    the recovery key then holds every key a manager holds."""
    recovery = AccountKeys.generate()
    secret = recovery.secret()
    try:
        slot, kek = kf.new_slot(RECOVERY, None, "", secret, normalise_recovery_key(recovery_key))
    finally:
        wipe(secret)
    wipe(kek)
    kf.put_slot(slot)
    kf.envelopes = [e for e in kf.envelopes if e.to != RECOVERY]
    kf.statements.append(
        grants.make(
            kf.statements,
            kf.vault_id,
            Kind.RECOVERY,
            now,
            signer,
            user_ref(signer_id),
            keys=(recovery.receive_public, recovery.signing_public),
            slot=slot.id,
        )
    )
    access.wrap_for_recovery(kf, recovery.receive_public, keys)


def reset_keys(
    kf: KeyFile,
    user_id: int,
    username: str,
    passphrase: str,
    role: Role,
    keys: Keyring,
    now: str,
    signer: AccountKeys,
    by: str,
) -> tuple[KeyFile, AccountKeys, bytearray]:
    """A copy of ``kf`` in which the account has new keys, a new slot under ``passphrase``
    and her role's envelopes (a RESET statement signed by ``signer``)."""
    out = kf.copy()
    me = AccountKeys.generate()
    tag = out.tag_for(username)
    secret = me.secret()
    try:
        slot, kek = out.new_slot(USER, user_id, tag, secret, passphrase.encode("utf-8"))
    finally:
        wipe(secret)
    out.drop_account(user_id)
    out.put_slot(slot)
    out.statements.append(
        grants.make(
            out.statements,
            out.vault_id,
            Kind.RESET,
            now,
            signer,
            by,
            user_id=user_id,
            tag=tag,
            role=role.value,
            keys=(me.receive_public, me.signing_public),
            slot=slot.id,
        )
    )
    access.wrap_for_account(out, user_id, me.receive_public, role, keys)
    return out, me, kek

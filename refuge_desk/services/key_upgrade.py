"""A vault made by the 0.1 release moves to keys per account, by itself.

In 0.1 every key slot wraps one data key. The move happens at the first manager sign-in:

1. She gets her own key pairs and becomes the vault's root; a new recovery key is made (the
   old one opened the old slot only: she is asked to print a new recovery sheet).
2. The rota file is made under a new rota key; the managers' key is made, and every
   restricted note's text is sealed (the old data key no longer reads them).
3. Every other account has a *pending* grant (its role, signed by her) and keeps its 0.1 slot
   (``legacy``): nobody else's passphrase is known here, and a slot can only be made with it.
   At her next sign-in each colleague makes her own keys with her own passphrase (``join``).
4. Until then the case key is still the 0.1 data key, which those old slots unwrap (no worse
   than 0.1, and restricted notes are already sealed). When nobody is pending any more — or
   a manager chooses to finish now — a manager's sign-in rekeys: from then on no 0.1 slot
   opens anything.

Before the move, every role signs in the 0.1 way (``sign_in_v1``).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from refuge_desk.domain.errors import SignInThrottled, VaultError, WrongCredentials
from refuge_desk.domain.roles import Role
from refuge_desk.services import access, audit, note_seal, recovery, rekey
from refuge_desk.services.export.keys import sign_backup_key
from refuge_desk.services.keys_setup import found_keyfile
from refuge_desk.services.passphrase_policy import check_new_passphrase
from refuge_desk.services.session import Clock, Session, system_clock
from refuge_desk.services.throttle import SignInThrottle
from refuge_desk.store import crypto, grants, meta_repo, rota, staff_repo, vault
from refuge_desk.store.crypto import AccountKeys, new_key
from refuge_desk.store.db import Database
from refuge_desk.store.grants import Kind
from refuge_desk.store.keyfile import CASE, LEGACY_ROTA, MANAGERS, ROTA, USER, KeyFile, user_ref
from refuge_desk.store.keymem import Keyring, wipe
from refuge_desk.store.keyslots import KeySlotFile, new_recovery_key
from refuge_desk.store.vault import VaultFolder

MOVED = (
    "Refuge Desk now keeps a key for each account, so a role's limits hold even against "
    "someone with a copy of the vault folder."
)


def _legacy_label(vault_id: str) -> bytes:
    return f"refuge-desk/v2/legacy-rota|{vault_id}".encode()


def sign_in_v1(
    folder: VaultFolder,
    username: str,
    passphrase: str,
    *,
    clock: Clock = system_clock,
    seconds: Callable[[], float] | None = None,
    full_check: bool = False,
) -> Session:
    """The 0.1 release's sign-in; a manager's moves the vault to keys per account. The
    caller (auth.sign_in) then does what follows every sign-in."""
    slots = folder.load_keyslots()
    throttle = SignInThrottle(folder.path, seconds or time.time)
    tag = slots.tag_for(username)
    wait = throttle.wait_left(tag)
    if wait > 0:
        raise SignInThrottled(wait)
    try:
        slot, data_key = slots.unwrap_user(username, passphrase)
    except WrongCredentials as exc:
        exc.retry_after = throttle.failed(tag)
        audit.note_failed_signin(folder, clock)
        raise
    try:
        db = vault.open_database(folder, data_key, full_check=full_check)
    except BaseException:
        wipe(data_key)
        raise
    user = staff_repo.by_id(db, slot.user_id) if slot.user_id is not None else None
    if user is None or not user.active:
        db.close()
        wipe(data_key)
        err = WrongCredentials()
        err.retry_after = throttle.failed(tag)
        audit.note_failed_signin(folder, clock)
        raise err
    throttle.succeeded(tag)
    if user.role is Role.MANAGER:
        return upgrade(folder, slots, db, data_key, user.id, username, passphrase, clock)
    keys = Keyring()
    keys.put(CASE, data_key)
    # A placeholder key file: a 0.1 session signs nothing and holds no account keys.
    return Session(folder, db, None, keys, None, KeyFile(slots.vault_id, ""), user, clock)


def upgrade(
    folder: VaultFolder,
    old: KeySlotFile,
    db: Database,
    data_key: bytearray,
    user_id: int,
    username: str,
    passphrase: str,
    clock: Clock,
) -> Session:
    """Move the vault to keys per account (see the module's text); returns her session."""
    now = clock().isoformat(timespec="seconds")
    me = AccountKeys.generate()
    keys = Keyring()
    keys.put(CASE, data_key)
    keys.put(ROTA, new_key())
    keys.put(MANAGERS, new_key())
    rota_db: Database | None = None
    try:
        for suffix in ("", "-wal", "-shm"):  # a move a crash interrupted left one behind
            with contextlib.suppress(FileNotFoundError):
                (folder.path / (vault.ROTA_NAME + suffix)).unlink()
        rota_db = Database(folder.rota_path, keys.get(ROTA) or b"")
        rota.create_schema(rota_db)
        rota.rebuild(db, rota_db)
        kf, kek = found_keyfile(
            old.vault_id, user_id, username, passphrase, me, keys, now, new_recovery_key()
        )
        keys.put("kek", kek)
        kf.upgrading = True
        for staff in staff_repo.all_staff(db):
            if staff.id == user_id:
                continue
            tag = kf.tag_for(staff.username)
            kf.statements.append(
                grants.make(
                    kf.statements,
                    kf.vault_id,
                    Kind.PENDING,
                    now,
                    me,
                    user_ref(user_id),
                    user_id=staff.id,
                    tag=tag,
                    role=staff.role.value,
                )
            )
            legacy = next(
                (s for s in old.slots if s.kind == "user" and s.user_id == staff.id), None
            )
            if not staff.active or legacy is None:
                kf.statements.append(
                    grants.make(
                        kf.statements,
                        kf.vault_id,
                        Kind.DISABLE,
                        now,
                        me,
                        user_ref(user_id),
                        user_id=staff.id,
                        tag=tag,
                    )
                )
            else:
                kf.legacy.append(legacy)
        kf.put_envelope(
            "legacy",
            LEGACY_ROTA,
            crypto.seal(data_key, keys.get(ROTA) or b"", _legacy_label(kf.vault_id)),
        )
        recipient = meta_repo.get(db, access.BACKUP_RECIPIENT_KEY)
        if recipient:  # the 0.1 vault's backup key, which its backups already went to
            sign_backup_key(kf, me, user_id, recipient, now)
        access.wrap_for_backup(kf, recipient, keys)
        folder.save_keyslots(kf)  # the commit point of the move
    except BaseException:
        if rota_db is not None:
            rota_db.close()
        db.close()
        keys.wipe_all()
        raise
    user = staff_repo.by_id(db, user_id)
    assert user is not None
    session = Session(folder, db, rota_db, keys, me, kf, user, clock)
    session.wire()
    recovery.mark_unconfirmed(session)  # she is asked to print the new recovery sheet now
    sealed = note_seal.seal_legacy(session)
    pending = sum(1 for a in kf.chain().accounts.values() if a.pending and a.active)
    session.audit("keys.upgrade", "", f"{pending} accounts to move; {sealed} notes sealed")
    session.notices.append(
        MOVED
        + (
            f" {pending} colleague{'s' if pending != 1 else ''} will move over when they next "
            "sign in. Please print the new recovery sheet now: the old one no longer works."
            if pending
            else " Please print the new recovery sheet now: the old one no longer works."
        )
    )
    return session


def join(folder: VaultFolder, kf: KeyFile, username: str, passphrase: str, clock: Clock) -> KeyFile:
    """Her first sign-in after the move: she makes her own keys with her own passphrase.
    Her 0.1 slot proves the passphrase; the pending grant signed by a manager gives the role.
    Returns the key file with her new slot (WrongCredentials if the passphrase is wrong)."""
    legacy = kf.legacy_slot(username)
    if legacy is None or legacy.user_id is None:
        raise WrongCredentials()
    data_key = KeySlotFile(kf.vault_id, [legacy]).unwrap(legacy, passphrase.encode("utf-8"))
    try:
        chain = kf.chain()
        acc = chain.account(legacy.user_id)
        if acc is None or not acc.pending or not acc.active:
            raise VaultError(
                f"The account “{username.strip()}” cannot sign in: no manager moved it to "
                "keys per account. Ask a manager to set its passphrase again."
            )
        role = Role(acc.role)
        me = AccountKeys.generate()
        out = kf.copy()
        secret = me.secret()
        try:
            slot, kek = out.new_slot(
                USER, legacy.user_id, acc.tag, secret, passphrase.encode("utf-8")
            )
        finally:
            wipe(secret)
        wipe(kek)
        out.put_slot(slot)
        out.legacy = [s for s in out.legacy if s.user_id != legacy.user_id]
        out.statements.append(
            grants.make(
                out.statements,
                out.vault_id,
                Kind.JOIN,
                clock().isoformat(timespec="seconds"),
                me,
                grants.SELF_SIGNER,
                user_id=legacy.user_id,
                tag=acc.tag,
                role=role.value,
                keys=(me.receive_public, me.signing_public),
                slot=slot.id,
            )
        )
        keys = Keyring()
        env = out.envelope("legacy", LEGACY_ROTA)
        if env is not None:
            keys.put(ROTA, crypto.unseal(data_key, env.sealed, _legacy_label(out.vault_id)))
        if role.sees_case_detail:
            keys.put(CASE, bytearray(data_key))  # until the rekey, the case key is the old one
        access.wrap_for_account(out, legacy.user_id, me.receive_public, role, keys)
        keys.wipe_all()
        folder.save_keyslots(out)
        return out
    finally:
        wipe(data_key)


def settle_after_sign_in(session: Session) -> None:
    """A manager's sign-in: seal what a 0.1 session wrote, give readers their note keys, run
    a rekey that is owed (a crash, or the end of the move)."""
    if MANAGERS not in session.keys:
        session.notices.append(
            "Restricted notes open for you once another manager has signed in on this "
            "computer: she gives you the managers' key."
        )
        return
    note_seal.seal_legacy(session)
    note_seal.give_missing_keys(session)
    kf = session.keyfile
    chain = kf.chain()
    nobody_pending = not any(a.pending and a.active for a in chain.accounts.values())
    reason = kf.rekey_due or (
        "the move to keys per account is finished" if kf.upgrading and nobody_pending else ""
    )
    if reason:
        rekey.rekey(session, reason)


def finish_now(session: Session, progress: Callable[[int, int], None] | None = None) -> int:
    """A manager ends the move without waiting: accounts that have not signed in since then
    lose their 0.1 slots (a manager sets their passphrases again). Returns how many.
    ``progress`` is the rekey's (per mille, from the thread running it)."""
    session.require(session.role is Role.MANAGER, "finish the move to keys per account")
    kf = session.keyfile
    if not kf.upgrading:
        return 0
    left = len(kf.legacy)
    rekey.rekey(session, "a manager finished the move to keys per account", progress)
    return left


def recover_v1(
    folder: VaultFolder,
    recovery_key: str,
    username: str,
    new_passphrase: str,
    confirm: str | None = None,
) -> None:
    """The 0.1 recovery: a new passphrase for a manager (her next sign-in moves the vault)."""
    slots = folder.load_keyslots()
    data_key = slots.unwrap_recovery(recovery_key)
    db = vault.open_database(folder, data_key)
    try:
        user = staff_repo.by_username(db, username)
        if user is None or not user.active or user.role is not Role.MANAGER:
            raise VaultError(
                "The recovery key can only set a new passphrase for an active manager's account."
            )
        org = [meta_repo.get(db, "org_name"), meta_repo.get(db, "refuge_name")]
        check_new_passphrase(new_passphrase, confirm, [username, user.full_name, *org])
        slots.set_user_slot(user.id, user.username, new_passphrase, data_key)
        folder.save_keyslots(slots)
    finally:
        db.close()
        wipe(data_key)

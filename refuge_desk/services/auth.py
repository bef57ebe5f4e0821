"""Set up a vault, sign in, unlock, lock, and recover access with the recovery key.

Sign-in (format 2, keys per account): her passphrase opens her key slot, which holds her two
private keys; the signed statements say whether the account is active, with which role and
which slot; her role's keys come out of the envelopes for her public key; and the files her
role may open are opened with them. Anything that does not verify is refused with one
sentence that names the account.

A vault made by the 0.1 release (one data key in every slot) is signed into the old way until
a manager signs in: that moves it to keys per account (services/key_upgrade.py).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from refuge_desk.domain.errors import (
    SignInThrottled,
    ValidationError,
    VaultError,
    WrongCredentials,
)
from refuge_desk.domain.roles import Role
from refuge_desk.domain.staff import StaffUser, validate_username
from refuge_desk.domain.text import clean, clean_record, multiline_text
from refuge_desk.services import access, audit, key_upgrade, note_seal
from refuge_desk.services.keys_setup import found_keyfile, reset_keys
from refuge_desk.services.passphrase_policy import check_new_passphrase
from refuge_desk.services.session import Clock, Session, system_clock
from refuge_desk.services.throttle import SignInThrottle
from refuge_desk.store import audit_repo, grants, meta_repo, rota, staff_repo, vault
from refuge_desk.store.crypto import (
    AccountKeys,
    new_key,
)
from refuge_desk.store.db import Database
from refuge_desk.store.grants import Chain
from refuge_desk.store.keyfile import (
    CASE,
    MANAGERS,
    RECOVERY,
    ROTA,
    KeyFile,
    Slot,
    user_ref,
)
from refuge_desk.store.keymem import Keyring, wipe
from refuge_desk.store.keyslots import KdfParams, new_recovery_key, normalise_recovery_key
from refuge_desk.store.vault import VaultFolder


class AccountRefused(VaultError):
    """Her slot opened, but the statements or the staff list do not back it: one plain
    sentence naming the account (it is never a wrong passphrase)."""


@dataclass(frozen=True, slots=True)
class Organisation:
    org_name: str
    refuge_name: str
    refuge_address: str = multiline_text()


# -- a new vault -----------------------------------------------------------------------------


def setup_vault(
    folder: VaultFolder,
    org: Organisation,
    username: str,
    full_name: str,
    passphrase: str,
    confirm: str | None = None,
    clock: Clock = system_clock,
) -> tuple[Session, str]:
    """Create the vault and its first manager. Returns the session and the recovery key.

    The vault stays claimed by ``folder`` (see ``vault.create``) until ``folder.release()``.
    """
    org, full_name = clean_record(org), clean(full_name)
    problems = validate_username(username)
    if not org.org_name.strip():
        problems.append("Organisation name is required.")
    if not org.refuge_name.strip():
        problems.append("Refuge name is required.")
    if not full_name.strip():
        full_name = username
    if problems:
        raise ValidationError(problems)
    check_new_passphrase(passphrase, confirm, [username, full_name, org.org_name, org.refuge_name])
    new = vault.create(folder)
    keys = Keyring()
    keys.put(CASE, new.case_key)
    keys.put(ROTA, new.rota_key)
    keys.put(MANAGERS, new_key())
    me = AccountKeys.generate()
    recovery_key = new_recovery_key()
    try:
        db = new.case_db
        now = clock().isoformat(timespec="seconds")
        with db.transaction():
            meta_repo.put(db, "vault_id", new.vault_id)
            meta_repo.put(db, "org_name", org.org_name.strip())
            meta_repo.put(db, "refuge_name", org.refuge_name.strip())
            meta_repo.put(db, "refuge_address", org.refuge_address.strip())
            meta_repo.put(db, "created_at", now)
            uid = staff_repo.insert(db, username, full_name, Role.MANAGER, now, None)
        kf, kek = found_keyfile(
            new.vault_id, uid, username, passphrase, me, keys, now, recovery_key
        )
        keys.put("kek", kek)
        rota.rebuild(db, new.rota_db)
        folder.save_keyslots(kf)
    except BaseException:
        new.case_db.close()
        new.rota_db.close()
        keys.wipe_all()
        folder.discard_new(new.made_folder)
        raise
    user = staff_repo.by_id(new.case_db, uid)
    assert user is not None
    session = Session(folder, new.case_db, new.rota_db, keys, me, kf, user, clock)
    session.wire()
    session.audit("vault.create")
    return session, recovery_key


# -- signing in ------------------------------------------------------------------------------
def _throttle(folder: VaultFolder, seconds: Callable[[], float] | None) -> SignInThrottle:
    return SignInThrottle(folder.path, seconds or time.time)


def sign_in(
    folder: VaultFolder,
    username: str,
    passphrase: str,
    *,
    clock: Clock = system_clock,
    seconds: Callable[[], float] | None = None,
    full_check: bool = False,
    audit_action: str = "signin",
) -> Session:
    """Derive her slot's key (slow: run it off the UI thread), check her account, open what
    her role may open.

    Raises WrongCredentials (never saying which part), SignInThrottled, AccountRefused (a
    plain sentence naming the account), VaultError.
    """
    if folder.key_format() == 1:
        # The 0.1 release's vaults: the old sign-in, which moves a manager's to the new keys.
        session = key_upgrade.sign_in_v1(
            folder, username, passphrase, clock=clock, seconds=seconds, full_check=full_check
        )
        after_sign_in(session, audit_action)
        return session
    kf = vault.settle(folder, folder.load_keyfile())
    throttle = _throttle(folder, seconds)
    tag = kf.tag_for(username)
    wait = throttle.wait_left(tag)
    if wait > 0:
        raise SignInThrottled(wait)
    try:
        slot = kf.user_slot(username)
        if slot is None:
            if kf.legacy_slot(username) is not None:
                kf = key_upgrade.join(folder, kf, username, passphrase, clock)
                slot = kf.user_slot(username)
            if slot is None:
                # Same work as a real attempt, so timing does not tell which part was wrong.
                KdfParams(bytes(16)).derive(passphrase.encode("utf-8"))
                raise WrongCredentials()
        kek, secret = kf.open_slot(slot, passphrase.encode("utf-8"))
    except WrongCredentials as exc:
        exc.retry_after = throttle.failed(tag)
        audit.note_failed_signin(folder, clock)
        raise
    try:
        me = AccountKeys.from_secret(secret)
    finally:
        wipe(secret)
    try:
        session = open_session(folder, kf, slot, me, kek, username, clock, full_check)
    except BaseException:
        wipe(kek)
        raise
    throttle.succeeded(tag)
    after_sign_in(session, audit_action)
    return session


CUT_SHORT = (
    "the key file's signed changes stop before the vault's last change of keys: they were "
    "cut short outside Refuge Desk (someone may be trying to undo a disable or a lowered "
    "role). Restore keyslots.json from a backup; a manager can run “refuge-desk check”."
)


def cut_short(kf: KeyFile, chain: Chain) -> bool:
    """The statements end before the rekey that made the key file's current epoch."""
    return kf.epoch > 1 and chain.epoch != kf.epoch


def _refuse(username: str, why: str) -> AccountRefused:
    return AccountRefused(f"The account “{username.strip()}” cannot sign in: {why}")


def check_account(chain: Chain, slot: Slot, me: AccountKeys, username: str) -> Role:
    """Her role, if the statements back this slot and these keys; else AccountRefused."""
    acc = chain.account(slot.user_id)
    said = [p for p in chain.problems if p.user_id == slot.user_id]
    if acc is None:
        if said:
            raise _refuse(
                username,
                "a change to it in the key file was not signed by a manager. "
                "Ask a manager to run “refuge-desk check”.",
            )
        raise _refuse(
            username, "no manager ever granted it. Its key slot was added outside Refuge Desk."
        )
    if not acc.active:
        raise _refuse(
            username,
            "it was disabled by a manager. Its old key slot was put back outside Refuge Desk.",
        )
    if acc.pending or acc.slot != slot.id:
        raise _refuse(
            username, "its key slot was not issued by a manager or by the account itself."
        )
    if acc.receive != me.receive_public or acc.signing != me.signing_public:
        raise _refuse(username, "its key slot holds keys no manager granted to it.")
    if acc.tag != slot.tag:
        raise _refuse(username, "its key slot was moved from another account.")
    return Role(acc.role)


def _staff_row(db: Database, user_id: int) -> StaffUser | None:
    return staff_repo.by_id(db, user_id)


def open_session(
    folder: VaultFolder,
    kf: KeyFile,
    slot: Slot,
    me: AccountKeys,
    kek: bytearray,
    username: str,
    clock: Clock,
    full_check: bool = False,
) -> Session:
    """Check her account and open what her role may open (her slot is already open)."""
    chain = kf.chain()
    if cut_short(kf, chain):
        raise _refuse(username, CUT_SHORT)
    role = check_account(chain, slot, me, username)
    assert slot.user_id is not None
    keys = Keyring()
    keys.put("kek", kek)
    ref = user_ref(slot.user_id)
    try:
        for purpose in access.keys_for(role):
            key = kf.open_envelope(ref, purpose, me.receive)
            if key is not None:
                keys.put(purpose, key)
        if ROTA not in keys or (role.sees_case_detail and CASE not in keys):
            raise _refuse(
                username,
                "its keys have not been given to it yet. A manager or support worker needs to "
                "sign in once on this computer first.",
            )
        rota_db = vault.open_rota(folder, keys.get(ROTA) or bytearray())
        case_db = None
        try:
            if role.sees_case_detail:
                case_db = vault.open_database(folder, keys.get(CASE) or b"", full_check=full_check)
            row = _staff_row(case_db or rota_db, slot.user_id)
            if row is None:
                raise _refuse(username, "it is missing from the staff list.")
            if not row.active:
                raise _refuse(
                    username,
                    "the staff list says it is disabled, but its key file does not. One of "
                    "them was changed outside Refuge Desk: a manager should run “refuge-desk "
                    "check”.",
                )
            if row.role is not role:
                raise _refuse(
                    username,
                    f"the staff list says {row.role.label.lower()}, but a manager granted "
                    f"{role.label.lower()}. The staff list was changed outside Refuge Desk.",
                )
        except BaseException:
            rota_db.close()
            if case_db is not None:
                case_db.close()
            raise
    except BaseException:
        keys.wipe_all()
        raise
    session = Session(folder, case_db, rota_db, keys, me, kf, row, clock)
    session.wire()
    return session


def after_sign_in(session: Session, audit_action: str) -> None:
    """Settle what other sessions left (best effort where it cannot stop her working), then
    write her own entry."""
    if session.account is None:  # a 0.1 vault before its move: nothing but the old ways
        audit.record_failed_signins(session)
        session.audit(audit_action)
        return
    if session.has_case:
        session.audit_base = audit_repo.count_all(session.case_db)
        rota.ensure_current(session.case_db, session.rota_db)
        audit.import_inbox(session)
        audit.record_failed_signins(session)
        if session.role is Role.MANAGER:
            audit.check_heads(session)
            drop_unsigned_statements(session)
            key_upgrade.settle_after_sign_in(session)
        access.issue_missing(session)
    session.audit(audit_action)


def drop_unsigned_statements(session: Session) -> None:
    """At a manager's sign-in: statements no manager signed count for nothing; they are
    taken out of the key file (so hers build on the signed chain) and she is told, loudly."""
    chain = session.keyfile.chain()
    if not chain.problems:
        return
    fixed = session.keyfile.copy()
    fixed.statements = fixed.statements[: chain.head_seq + 1]
    session.folder.save_keyslots(fixed)
    session.keyfile = fixed
    names = []
    for p in chain.problems:
        row = staff_repo.by_id(session.db, p.user_id) if p.user_id is not None else None
        name = f"“{row.username}”" if row else "an unknown account"
        if name not in names:
            names.append(name)
    session.alarms.append(
        f"The key file held {len(chain.problems)} change(s) to staff accounts "
        f"({', '.join(names)}) that no manager signed. They counted for nothing and have been "
        "removed. Someone with access to this computer's files made them: review the audit "
        "log and the staff list."
    )
    session.audit("keys.unsigned_removed", "", f"{len(chain.problems)} statements")


def unlock(
    session: Session, passphrase: str, *, seconds: Callable[[], float] | None = None
) -> None:
    """Reopen a locked session for the same user (the same Session object)."""
    fresh = sign_in(
        session.folder,
        session.user.username,
        passphrase,
        clock=session.clock,
        seconds=seconds,
        audit_action="unlock",
    )
    session.close()
    session.case_db_, session.rota_db_ = fresh.case_db_, fresh.rota_db_
    session.keys, session.account = fresh.keys, fresh.account
    session.keyfile, session.user = fresh.keyfile, fresh.user
    session.note_keys, session.audit_base = fresh.note_keys, fresh.audit_base
    session.notices.extend(fresh.notices)  # the window shows them after the unlock
    session.alarms.extend(fresh.alarms)
    session.wire()


def lock(session: Session) -> None:
    """Write the lock's entry and bind the audit head into a manager's slot, then close and
    wipe every key, whatever happens to those writes."""
    try:
        # A failing write (full disk, pulled drive) must not keep the vault open.
        with contextlib.suppress(Exception):
            if session.is_open:
                session.audit("lock")
        with contextlib.suppress(Exception):
            if session.is_open:
                audit.record_head(session)
    finally:
        session.close()


# -- the recovery key ------------------------------------------------------------------------
def open_recovery(kf: KeyFile, recovery_key: str) -> tuple[AccountKeys, Keyring]:
    """The recovery keys and every key they hold; WrongCredentials if it does not open."""
    slot = kf.recovery_slot()
    chain = kf.chain()
    if slot is None or not chain.recovery_receive:
        KdfParams(bytes(16)).derive(normalise_recovery_key(recovery_key))
        raise WrongCredentials()
    kek, secret = kf.open_slot(slot, normalise_recovery_key(recovery_key))
    wipe(kek)
    try:
        keys_ = AccountKeys.from_secret(secret)
    finally:
        wipe(secret)
    if keys_.signing_public != chain.recovery_signing:
        raise VaultError(
            "The recovery key's slot holds keys no manager certified. The key file was changed "
            "outside Refuge Desk; restore it from a backup."
        )
    keys = Keyring()
    for purpose in (CASE, ROTA, MANAGERS):
        key = kf.open_envelope(RECOVERY, purpose, keys_.receive)
        if key is not None:
            keys.put(purpose, key)
    return keys_, keys


def recover(
    folder: VaultFolder,
    recovery_key: str,
    username: str,
    new_passphrase: str,
    confirm: str | None = None,
    *,
    clock: Clock = system_clock,
) -> Session:
    """Forgotten passphrase: the recovery key gives an active manager new keys and a new
    passphrase (a statement signed by the recovery key)."""
    if folder.key_format() == 1:
        key_upgrade.recover_v1(folder, recovery_key, username, new_passphrase, confirm)
        return sign_in(
            folder, username, new_passphrase, clock=clock, audit_action="passphrase.recover"
        )
    kf = vault.settle(folder, folder.load_keyfile())
    recovery, keys = open_recovery(kf, recovery_key)
    if CASE not in keys or ROTA not in keys:
        keys.wipe_all()
        raise VaultError("The recovery key holds no keys for this vault's current files.")
    db = vault.open_database(folder, keys.get(CASE) or b"")
    try:
        user = staff_repo.by_username(db, username)
        chain = kf.chain()
        acc = chain.account(user.id) if user is not None else None
        if user is None or acc is None or not acc.active or acc.role != Role.MANAGER.value:
            raise VaultError(
                "The recovery key can only set a new passphrase for an active manager's account."
            )
        org = [meta_repo.get(db, "org_name"), meta_repo.get(db, "refuge_name")]
        check_new_passphrase(new_passphrase, confirm, [username, user.full_name, *org])
        now = clock().isoformat(timespec="seconds")
        new_kf, _new_keys, kek = reset_keys(
            kf,
            user.id,
            user.username,
            new_passphrase,
            Role.MANAGER,
            keys,
            now,
            recovery,
            grants.RECOVERY_SIGNER,
        )
        folder.save_keyslots(new_kf)
    except BaseException:
        db.close()
        keys.wipe_all()
        raise
    db.close()
    keys.wipe_all()
    session = sign_in(
        folder, username, new_passphrase, clock=clock, audit_action="passphrase.recover"
    )
    wipe(kek)

    note_seal.rewrap_for_new_keys(session, user.id)
    return session

"""Set up a vault, sign in, unlock, and recover access with the recovery key."""

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
from refuge_desk.domain.text import clean, clean_record, hidden_characters, multiline_text
from refuge_desk.services import audit, passphrase_policy
from refuge_desk.services.session import Clock, Session, system_clock
from refuge_desk.services.throttle import SignInThrottle
from refuge_desk.store import audit_repo, meta_repo, staff_repo, vault
from refuge_desk.store.keyslots import zero
from refuge_desk.store.vault import VaultFolder

MAX_USERNAME = 64


@dataclass(frozen=True, slots=True)
class Organisation:
    org_name: str
    refuge_name: str
    refuge_address: str = multiline_text()


def validate_username(username: str) -> list[str]:
    u = username.strip()
    if not u:
        return ["User name is required."]
    if len(u) > MAX_USERNAME:
        return [f"User name is too long (at most {MAX_USERNAME} characters)."]
    if any(ch.isspace() for ch in u):
        return ["User name cannot contain spaces."]
    if hidden_characters(u):
        return ["User name cannot contain invisible or control characters; type it again."]
    return []


def check_new_passphrase(passphrase: str, confirm: str | None, user_inputs: list[str]) -> None:
    problems: list[str] = []
    if confirm is not None and passphrase != confirm:
        problems.append("The two passphrases are not the same.")
    problems += passphrase_policy.assess(passphrase, user_inputs).problems
    if problems:
        raise ValidationError(problems)


def setup_vault(
    folder: VaultFolder,
    org: Organisation,
    username: str,
    full_name: str,
    passphrase: str,
    confirm: str | None = None,
    clock: Clock = system_clock,
) -> tuple[Session, str]:
    """Create the vault and its first manager. Returns the session and the recovery key."""
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
    try:
        db = new.db
        now = clock().isoformat(timespec="seconds")
        with db.transaction():
            meta_repo.put(db, "vault_id", new.keyslots.vault_id)
            meta_repo.put(db, "org_name", org.org_name.strip())
            meta_repo.put(db, "refuge_name", org.refuge_name.strip())
            meta_repo.put(db, "refuge_address", org.refuge_address.strip())
            meta_repo.put(db, "created_at", now)
            uid = staff_repo.insert(db, username, full_name, Role.MANAGER, now, None)
            audit_repo.record(db, now, uid, "vault.create")
        new.keyslots.set_user_slot(uid, username, passphrase, new.data_key)
        folder.save_keyslots(new.keyslots)
    except BaseException:
        new.db.close()
        zero(new.data_key)
        _remove_half_made(folder)
        raise
    user = staff_repo.by_id(new.db, uid)
    assert user is not None
    return Session(folder, new.db, new.data_key, new.keyslots, user, clock), new.recovery_key


def _remove_half_made(folder: VaultFolder) -> None:
    for name in (
        vault.DB_NAME,
        vault.DB_NAME + "-wal",
        vault.DB_NAME + "-shm",
        vault.KEYSLOTS_NAME,
    ):
        with contextlib.suppress(OSError):
            (folder.path / name).unlink()


def _monotonic_throttle(folder: VaultFolder, seconds: Callable[[], float] | None) -> SignInThrottle:
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
    """Derive the key (slow: run it off the UI thread), open and verify the vault.

    Raises WrongCredentials (never saying which part), SignInThrottled, VaultError.
    """
    slots = folder.load_keyslots()
    throttle = _monotonic_throttle(folder, seconds)
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
        zero(data_key)
        raise
    user = staff_repo.by_id(db, slot.user_id) if slot.user_id is not None else None
    if user is None or not user.active:
        db.close()
        zero(data_key)
        err = WrongCredentials()
        err.retry_after = throttle.failed(tag)
        audit.note_failed_signin(folder, clock)
        raise err
    throttle.succeeded(tag)
    session = Session(folder, db, data_key, slots, user, clock)
    audit.record_failed_signins(session)
    session.audit(audit_action)
    return session


def unlock(
    session: Session, passphrase: str, *, seconds: Callable[[], float] | None = None
) -> None:
    """Reopen a locked session for the same user."""
    fresh = sign_in(
        session.folder,
        session.user.username,
        passphrase,
        clock=session.clock,
        seconds=seconds,
        audit_action="unlock",
    )
    session.db_ = fresh.db_
    session.data_key = fresh.data_key
    session.keyslots = fresh.keyslots
    session.user = fresh.user


def lock(session: Session) -> None:
    """Close the connection and zero the key, whatever happens to the audit entry."""
    try:
        # A failing write (full disk, pulled drive) must not keep the vault open.
        with contextlib.suppress(Exception):
            if session.is_open:
                session.audit("lock")
    finally:
        session.close()


def recover(
    folder: VaultFolder,
    recovery_key: str,
    username: str,
    new_passphrase: str,
    confirm: str | None = None,
    *,
    clock: Clock = system_clock,
) -> Session:
    """Forgotten passphrase: the recovery key sets a new one for an active manager."""
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
        # `slots` is this call's own copy (loaded above): on failure it is simply dropped.
        slots.set_user_slot(user.id, user.username, new_passphrase, data_key)
        with db.transaction():
            audit_repo.record(
                db, clock().isoformat(timespec="seconds"), user.id, "passphrase.recover"
            )
            # Saved last, so a failed save rolls the audit entry back. If COMMIT fails after
            # it, the new passphrase works without its audit entry: harmless, she proved the
            # recovery key.
            folder.save_keyslots(slots)
    except BaseException:
        db.close()
        zero(data_key)
        raise
    return Session(folder, db, data_key, slots, user, clock)

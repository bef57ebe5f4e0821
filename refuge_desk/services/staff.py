"""Staff accounts: managers add, change roles, disable, reset; everyone changes her own.

Each change is a statement in the key file signed by the manager who makes it (store/grants),
written together with the database change: the key file is saved as the LAST step inside the
database transaction, so a failed save rolls the database back. Disabling an account,
lowering a role and "a passphrase may have been seen" then rekey (services/rekey.py): the
key file records that the rekey is owed before it starts, so one that never finished is run
at the next manager's sign-in.
"""

from __future__ import annotations

from collections.abc import Callable

from refuge_desk.domain.errors import NotFound, ValidationError, VaultError
from refuge_desk.domain.roles import Role
from refuge_desk.domain.staff import StaffUser, validate_username
from refuge_desk.domain.text import clean
from refuge_desk.services import access, drafts, note_seal, rekey
from refuge_desk.services.keys_setup import reset_keys
from refuge_desk.services.passphrase_policy import check_new_passphrase
from refuge_desk.services.session import Session
from refuge_desk.store import grants, meta_repo, staff_repo
from refuge_desk.store.crypto import AccountKeys
from refuge_desk.store.grants import Kind
from refuge_desk.store.keyfile import USER, KeyFile, user_ref
from refuge_desk.store.keymem import wipe

Progress = Callable[[int, int], None]
_RANK = {Role.VOLUNTEER: 0, Role.WORKER: 1, Role.MANAGER: 2}


def _org_inputs(session: Session) -> list[str]:
    return [meta_repo.get(session.db, "org_name"), meta_repo.get(session.db, "refuge_name")]


def list_staff(session: Session) -> list[StaffUser]:
    """Managers (staff page) and workers (key worker choice); volunteers have no use for it."""
    session.require(session.role.sees_case_detail, "see the list of staff")
    return staff_repo.all_staff(session.db)


def find(session: Session, username: str) -> StaffUser:
    """The account with this user name (as at sign-in: spaces around it and letter case do
    not count), for a manager's command on it; NotFound in a plain sentence if there is none."""
    session.require(session.role.manages_staff, "change staff accounts")
    user = staff_repo.by_username(session.db, username)
    if user is None:
        wanted = username.strip().casefold()
        user = next(
            (u for u in staff_repo.all_staff(session.db) if u.username.casefold() == wanted), None
        )
    if user is None:
        raise NotFound(f"There is no staff account with the user name “{username.strip()}”.")
    return user


def _get(session: Session, user_id: int) -> StaffUser:
    user = staff_repo.by_id(session.db, user_id)
    if user is None:
        raise NotFound("That staff account no longer exists.")
    return user


def _signer(session: Session) -> AccountKeys:
    if session.account is None:
        raise VaultError("Sign in again to change staff accounts (your session holds no keys).")
    return session.account


def _statement(
    session: Session,
    kf: KeyFile,
    kind: Kind,
    user_id: int,
    tag: str,
    role: str = "",
    keys: tuple[bytes, bytes] | None = None,
    slot: str = "",
) -> None:
    kf.statements.append(
        grants.make(
            kf.statements,
            kf.vault_id,
            kind,
            session.stamp(),
            _signer(session),
            user_ref(session.user.id),
            user_id=user_id,
            tag=tag,
            role=role,
            keys=keys,
            slot=slot,
        )
    )


def status(session: Session) -> dict[int, str]:
    """A plain word on accounts that need a manager: "has not signed in since the move to
    keys per account", "needs a new passphrase" (its 0.1 slot was retired)."""
    out: dict[int, str] = {}
    kf = session.keyfile
    if not kf.statements:
        return out
    legacy = {s.user_id for s in kf.legacy}
    for acc in kf.chain().accounts.values():
        if acc.pending and acc.active:
            out[acc.user_id] = (
                "will make her own keys when she next signs in"
                if acc.user_id in legacy
                else "needs a new passphrase from a manager"
            )
    return out


def add(
    session: Session,
    username: str,
    full_name: str,
    role: Role,
    passphrase: str,
    confirm: str | None = None,
) -> StaffUser:
    session.require(session.role.manages_staff, "add staff")
    full_name = clean(full_name)
    problems = validate_username(username)
    if not full_name.strip():
        problems.append("Full name is required.")
    elif len(full_name) > 200:
        problems.append("Full name is too long (at most 200 characters).")
    if not problems and staff_repo.by_username(session.db, username) is not None:
        problems.append(f"The user name “{username.strip()}” is taken; choose another.")
    if problems:
        raise ValidationError(problems)
    check_new_passphrase(passphrase, confirm, [username, full_name, *_org_inputs(session)])
    kf = session.keyfile.copy()
    new = AccountKeys.generate()
    with session.db.transaction():
        uid = staff_repo.insert(
            session.db, username, full_name, role, session.stamp(), session.user.id
        )
        tag = kf.tag_for(username)
        secret = new.secret()
        try:
            slot, kek = kf.new_slot(USER, uid, tag, secret, passphrase.encode("utf-8"))
        finally:
            wipe(secret)
        wipe(kek)
        kf.put_slot(slot)
        _statement(
            session,
            kf,
            Kind.GRANT,
            uid,
            tag,
            role.value,
            (new.receive_public, new.signing_public),
            slot.id,
        )
        access.wrap_for_account(kf, uid, new.receive_public, role, session.keys)
        session.audit("staff.add", f"user:{uid}")
        session.folder.save_keyslots(kf)  # last: if it fails, there is no account
    session.keyfile = kf
    return _get(session, uid)


def _signed_role(session: Session, user: StaffUser) -> Role:
    """Her role as the signed statements say: the keys a change hands out follow it, never
    the staff list (a table of the case database, which every support worker can change)."""
    acc = session.keyfile.chain().account(user.id)
    if acc is None:
        raise VaultError(
            f"No manager ever granted the account “{user.username}” in the key file, so its "
            "keys cannot be changed. A manager should run “refuge-desk check”."
        )
    role = Role(acc.role)
    if role is not user.role:
        raise VaultError(
            f"The staff list says “{user.username}” is a {user.role.label.lower()}, but a "
            f"manager granted {role.label.lower()}: the staff list was changed outside Refuge "
            "Desk, so nothing was changed. A manager should run “refuge-desk check”."
        )
    return role


def _guard_last_manager(
    session: Session, user: StaffUser, new_role: Role | None, new_active: bool | None
) -> None:
    loses_manager = (
        user.role is Role.MANAGER
        and user.active
        and ((new_role is not None and new_role is not Role.MANAGER) or new_active is False)
    )
    if loses_manager and staff_repo.active_managers(session.db) <= 1:
        raise VaultError("There must always be at least one active manager.")


def _after_own_change(session: Session, user_id: int) -> None:
    """Her own role changed: her session keeps only what the new role holds."""
    if user_id != session.user.id:
        return
    session.user = _get(session, user_id)
    for purpose in ("case", "rota", "managers"):
        if purpose not in access.keys_for(session.role):
            session.keys.drop(purpose)


def change_role(
    session: Session, user_id: int, role: Role, progress: Progress | None = None
) -> StaffUser:
    session.require(session.role.manages_staff, "change roles")
    user = _get(session, user_id)
    if not user.active:
        # A role is an envelope of keys: a disabled account must get none (with an old copy
        # of her slot they would open the current vault). Resetting her passphrase enables it.
        raise VaultError(
            "That account is disabled: reset its passphrase first (that enables it again), "
            "then change its role."
        )
    _guard_last_manager(session, user, role, None)
    signed = _signed_role(session, user)
    if role is signed:
        return user
    lowered = _RANK[role] < _RANK[signed]
    kf = session.keyfile.copy()
    acc = kf.chain().account(user_id)
    with session.db.transaction():
        staff_repo.update(session.db, user_id, session.stamp(), session.user.id, role=role)
        _statement(session, kf, Kind.ROLE, user_id, kf.tag_for(user.username), role.value)
        if acc is not None and acc.receive and not lowered:
            access.wrap_for_account(kf, user_id, acc.receive, role, session.keys)
        if lowered:
            kf.rekey_due = "a role was lowered"
        session.audit("staff.role", f"user:{user_id}:{role.value}")
        if not role.sees_case_detail:
            drafts.drop_case_detail_drafts(session, user_id)
        session.folder.save_keyslots(kf)
    session.keyfile = kf
    if lowered and user_id == session.user.id:
        # She stepped down herself: from her ROLE statement on she is no manager, so the
        # new managers' key cannot carry her signature (it would count for nothing, and
        # support workers would go on sealing notes for the old key, which she holds). The
        # rekey is owed (``rekey_due``): the next other manager's sign-in runs it.
        session.notices.append(
            "The vault's keys will be changed the next time another manager signs in."
        )
    elif lowered:
        rekey.rekey(session, "a role was lowered", progress)
    _after_own_change(session, user_id)
    return _get(session, user_id)


def disable(session: Session, user_id: int, progress: Progress | None = None) -> StaffUser:
    """The account stays (her history keeps her name); her key slot and keys go, and the
    vault is rekeyed, so a copy of her old slot opens nothing."""
    session.require(session.role.manages_staff, "disable staff accounts")
    user = _get(session, user_id)
    if user_id == session.user.id:
        raise VaultError("You cannot disable your own account while signed in.")
    _guard_last_manager(session, user, None, False)
    kf = session.keyfile.copy()
    with session.db.transaction():
        staff_repo.update(session.db, user_id, session.stamp(), session.user.id, active=False)
        _statement(session, kf, Kind.DISABLE, user_id, kf.tag_for(user.username))
        kf.drop_account(user_id)
        kf.rekey_due = "an account was disabled"
        session.audit("staff.disable", f"user:{user_id}")
        drafts.drop_case_detail_drafts(session, user_id)
        session.folder.save_keyslots(kf)
    session.keyfile = kf
    rekey.rekey(session, "an account was disabled", progress)
    return _get(session, user_id)


def reset_passphrase(
    session: Session,
    user_id: int,
    passphrase: str,
    confirm: str | None = None,
    *,
    enable: bool = True,
) -> StaffUser:
    """A manager sets a new passphrase: new keys and a new slot for the account (this also
    re-enables a disabled one). Her restricted notes' keys follow her new keys."""
    session.require(session.role.manages_staff, "reset passphrases")
    user = _get(session, user_id)
    check_new_passphrase(
        passphrase, confirm, [user.username, user.full_name, *_org_inputs(session)]
    )
    kf, new, kek = reset_keys(
        session.keyfile,
        user_id,
        user.username,
        passphrase,
        _signed_role(session, user),
        session.keys,
        session.stamp(),
        _signer(session),
        user_ref(session.user.id),
    )
    with session.db.transaction():
        if enable and not user.active:
            staff_repo.update(session.db, user_id, session.stamp(), session.user.id, active=True)
        session.audit("staff.reset_passphrase", f"user:{user_id}")
        session.folder.save_keyslots(kf)
    session.keyfile = kf
    if user_id == session.user.id:
        session.account = new
        session.keys.put("kek", kek)
    else:
        wipe(kek)
    note_seal.rewrap_for_new_keys(session, user_id)
    return _get(session, user_id)


def passphrase_seen(
    session: Session,
    user_id: int,
    passphrase: str,
    confirm: str | None = None,
    progress: Progress | None = None,
) -> StaffUser:
    """ "Her passphrase may have been seen": a new passphrase and new keys for her, then a
    rekey, so whoever saw it opens nothing, even with a copy of the vault folder."""
    session.require(session.role.manages_staff, "reset passphrases")
    user = reset_passphrase(session, user_id, passphrase, confirm, enable=False)
    kf = session.keyfile.copy()
    kf.rekey_due = "a passphrase may have been seen"
    session.folder.save_keyslots(kf)
    session.keyfile = kf
    rekey.rekey(session, "a passphrase may have been seen", progress)
    return user


def rekey_now(session: Session, progress: Progress | None = None) -> float:
    """A manager changes every key of the vault (``refuge-desk users rekey``)."""
    session.require(session.role.manages_staff, "change the vault's keys")
    return rekey.rekey(session, "a manager asked for new keys", progress)


def change_own_passphrase(
    session: Session, current: str, new: str, confirm: str | None = None
) -> None:
    """Her own new passphrase: the same keys in a new slot, a statement signed by herself."""
    user = session.user
    kf = session.keyfile
    slot = kf.slot_of(user.id)
    if slot is None or session.account is None:
        raise VaultError("Your account has no key slot; ask a manager to reset your passphrase.")
    # Proves she knows the current one (someone at an unlocked, unattended laptop does not).
    old_kek, secret = kf.open_slot(slot, current.encode("utf-8"))
    wipe(old_kek)
    wipe(secret)
    if new == current:
        raise ValidationError(["The new passphrase is the same as the current one."])
    check_new_passphrase(new, confirm, [user.username, user.full_name, *_org_inputs(session)])
    out = kf.copy()
    secret = session.account.secret()
    try:
        new_slot, kek = out.new_slot(USER, user.id, slot.tag, secret, new.encode("utf-8"))
    finally:
        wipe(secret)
    out.put_slot(new_slot)
    out.statements.append(
        grants.make(
            out.statements,
            out.vault_id,
            Kind.SLOT,
            session.stamp(),
            session.account,
            grants.SELF_SIGNER,
            user_id=user.id,
            tag=slot.tag,
            slot=new_slot.id,
        )
    )
    with session.db.transaction():
        session.audit("staff.change_own_passphrase", f"user:{user.id}")
        session.folder.save_keyslots(out)
    session.keyfile = out
    session.keys.put("kek", kek)

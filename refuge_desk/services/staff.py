"""Staff accounts: managers add, change roles, disable, reset; everyone changes her own."""

from __future__ import annotations

import copy

from refuge_desk.domain.errors import NotFound, ValidationError, VaultError
from refuge_desk.domain.roles import Role
from refuge_desk.domain.staff import StaffUser
from refuge_desk.domain.text import clean
from refuge_desk.services import auth, drafts
from refuge_desk.services.session import Session
from refuge_desk.store import meta_repo, staff_repo
from refuge_desk.store.keyslots import KeySlotFile

# Key slots and the database change together (P2-8). Every change below edits a deep copy of
# session.keyslots, does its DB work in the transaction, and saves the copy as the LAST step
# inside it: a failed save rolls the DB back and leaves session.keyslots as it was. The copy
# becomes session.keyslots only after COMMIT. If COMMIT itself fails after a good save, the
# file is ahead of the DB: a slot added for an account that was rolled back is an orphan
# (sign-in finds no such user and refuses; `check` reports it), and session.keyslots still
# matches the DB, so the next save puts the file back in step.


def _org_inputs(session: Session) -> list[str]:
    return [meta_repo.get(session.db, "org_name"), meta_repo.get(session.db, "refuge_name")]


def list_staff(session: Session) -> list[StaffUser]:
    """Managers (staff page) and workers (key worker choice); volunteers have no use for it."""
    session.require(session.role.sees_case_detail, "see the list of staff")
    return staff_repo.all_staff(session.db)


def _edit_slots(session: Session) -> KeySlotFile:
    return copy.deepcopy(session.keyslots)


def _get(session: Session, user_id: int) -> StaffUser:
    user = staff_repo.by_id(session.db, user_id)
    if user is None:
        raise NotFound("That staff account no longer exists.")
    return user


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
    problems = auth.validate_username(username)
    if not full_name.strip():
        problems.append("Full name is required.")
    elif len(full_name) > 200:
        problems.append("Full name is too long (at most 200 characters).")
    if not problems and staff_repo.by_username(session.db, username) is not None:
        problems.append(f"The user name “{username.strip()}” is taken; choose another.")
    if problems:
        raise ValidationError(problems)
    auth.check_new_passphrase(passphrase, confirm, [username, full_name, *_org_inputs(session)])
    slots = _edit_slots(session)
    with session.db.transaction():
        uid = staff_repo.insert(
            session.db, username, full_name, role, session.stamp(), session.user.id
        )
        slots.set_user_slot(uid, username.strip(), passphrase, session.data_key)
        session.audit("staff.add", f"user:{uid}")
        session.folder.save_keyslots(slots)  # last: if it fails, there is no account
    session.keyslots = slots
    return _get(session, uid)


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


def change_role(session: Session, user_id: int, role: Role) -> StaffUser:
    session.require(session.role.manages_staff, "change roles")
    user = _get(session, user_id)
    _guard_last_manager(session, user, role, None)
    with session.db.transaction():
        staff_repo.update(session.db, user_id, session.stamp(), session.user.id, role=role)
        session.audit("staff.role", f"user:{user_id}:{role.value}")
        if not role.sees_case_detail:
            drafts.drop_case_detail_drafts(session, user_id)
    if user_id == session.user.id:
        session.user = _get(session, user_id)
    return _get(session, user_id)


def disable(session: Session, user_id: int) -> StaffUser:
    """The account stays (her history keeps her name); her key slot is removed."""
    session.require(session.role.manages_staff, "disable staff accounts")
    user = _get(session, user_id)
    if user_id == session.user.id:
        raise VaultError("You cannot disable your own account while signed in.")
    _guard_last_manager(session, user, None, False)
    slots = _edit_slots(session)
    slots.remove_user_slot(user_id)
    with session.db.transaction():
        staff_repo.update(session.db, user_id, session.stamp(), session.user.id, active=False)
        session.audit("staff.disable", f"user:{user_id}")
        drafts.drop_case_detail_drafts(session, user_id)
        session.folder.save_keyslots(slots)
    session.keyslots = slots
    return _get(session, user_id)


def reset_passphrase(
    session: Session,
    user_id: int,
    passphrase: str,
    confirm: str | None = None,
    *,
    enable: bool = True,
) -> StaffUser:
    """A manager sets a new passphrase (a new key slot); this also re-enables the account."""
    session.require(session.role.manages_staff, "reset passphrases")
    user = _get(session, user_id)
    auth.check_new_passphrase(
        passphrase, confirm, [user.username, user.full_name, *_org_inputs(session)]
    )
    slots = _edit_slots(session)
    slots.set_user_slot(user_id, user.username, passphrase, session.data_key)
    with session.db.transaction():
        if enable and not user.active:
            staff_repo.update(session.db, user_id, session.stamp(), session.user.id, active=True)
        session.audit("staff.reset_passphrase", f"user:{user_id}")
        session.folder.save_keyslots(slots)
    session.keyslots = slots
    return _get(session, user_id)


def change_own_passphrase(
    session: Session, current: str, new: str, confirm: str | None = None
) -> None:
    user = session.user
    slot = session.keyslots.user_slot(user.username)
    if slot is None:
        raise VaultError("Your account has no key slot; ask a manager to reset your passphrase.")
    # Proves she knows the current one (someone at an unlocked, unattended laptop does not).
    key = session.keyslots.unwrap(slot, current.encode("utf-8"))
    key[:] = bytes(len(key))
    if new == current:
        raise ValidationError(["The new passphrase is the same as the current one."])
    auth.check_new_passphrase(new, confirm, [user.username, user.full_name, *_org_inputs(session)])
    slots = _edit_slots(session)
    slots.set_user_slot(user.id, user.username, new, session.data_key)
    with session.db.transaction():
        session.audit("staff.change_own_passphrase", f"user:{user.id}")
        session.folder.save_keyslots(slots)
    session.keyslots = slots

"""Vault check (the `check` command; the app can reuse it): file integrity and key slots.

Every problem is one plain sentence. Slots are described by their owner's user name (staff
user names are not resident data) or by the first characters of their id.
"""

from __future__ import annotations

from collections.abc import Sequence

from refuge_desk.domain.errors import VaultCorrupt
from refuge_desk.domain.staff import StaffUser
from refuge_desk.services import auth
from refuge_desk.services.session import Clock, Session, system_clock
from refuge_desk.store import meta_repo, staff_repo
from refuge_desk.store.keyslots import KeySlot, KeySlotFile
from refuge_desk.store.vault import VaultFolder

MIN_MEMORY_KIB = 65536  # 64 MiB
MIN_ITERATIONS = 3


def key_slot_problems(staff: Sequence[StaffUser], slots: KeySlotFile) -> list[str]:
    """Every active account has one matching slot; no other user slots; a recovery slot;
    every slot's key derivation at least as strong as the house minimum."""
    problems: list[str] = []
    by_id = {u.id: u for u in staff}
    user_slots = [s for s in slots.slots if s.kind == "user"]
    for user in staff:
        if not user.active:
            continue
        mine = [s for s in user_slots if s.user_id == user.id]
        if not mine:
            problems.append(
                f"Active staff member “{user.username}” has no key slot, so she "
                "cannot sign in; a manager should reset her passphrase."
            )
        elif len(mine) > 1:
            problems.append(
                f"Active staff member “{user.username}” has {len(mine)} key slots instead of one."
            )
        elif mine[0].tag != slots.tag_for(user.username):
            problems.append(
                f"The key slot of “{user.username}” does not match her user "
                "name, so she cannot sign in."
            )
    for slot in user_slots:
        owner = by_id.get(slot.user_id) if slot.user_id is not None else None
        if owner is None:
            problems.append(
                f"Key slot {slot.id[:8]} belongs to no staff account; it should be removed."
            )
        elif not owner.active:
            problems.append(
                f"The disabled account “{owner.username}” still has a key slot, "
                "so it could still open the vault."
            )
    recovery = [s for s in slots.slots if s.kind == "recovery"]
    if not recovery:
        problems.append(
            "There is no recovery key slot: if every manager forgets her "
            "passphrase, the vault cannot be opened."
        )
    elif len(recovery) > 1:
        problems.append(f"There are {len(recovery)} recovery key slots instead of one.")
    for slot in slots.slots:
        if slot.kind not in ("user", "recovery"):
            problems.append(f"Key slot {slot.id[:8]} is of an unknown kind.")
        if slot.kdf.memory_kib < MIN_MEMORY_KIB or slot.kdf.iterations < MIN_ITERATIONS:
            what = _describe(slot, by_id)
            problems.append(
                f"{what[0].upper()}{what[1:]} uses weaker key "
                f"derivation ({slot.kdf.memory_kib // 1024} MiB, "
                f"{slot.kdf.iterations} passes) than required (at least "
                f"{MIN_MEMORY_KIB // 1024} MiB and {MIN_ITERATIONS} passes)."
            )
    return problems


def _describe(slot: KeySlot, by_id: dict[int, StaffUser]) -> str:
    if slot.kind == "recovery":
        return "the recovery key slot"
    owner = by_id.get(slot.user_id) if slot.user_id is not None else None
    if owner is not None:
        return f"the key slot of “{owner.username}”"
    return f"key slot {slot.id[:8]}"


def vault_key_problems(session: Session) -> list[str]:
    """Key-slot problems of the signed-in vault, reading keyslots.json as it is on disk."""
    slots = session.folder.load_keyslots()
    problems = key_slot_problems(staff_repo.all_staff(session.db), slots)
    stored_id = meta_repo.get(session.db, "vault_id")
    if stored_id and stored_id != slots.vault_id:
        problems.append(f"The key file {session.folder.keyslots_path} belongs to another vault.")
    return problems


def session_problems(session: Session) -> list[str]:
    """The whole check for a vault that is already open (the app's menu action)."""
    if session.db.integrity_problems(read_rows=True):
        return [
            f"The vault file {session.folder.db_path} is damaged or was changed outside "
            "Refuge Desk. Restore it from a backup."
        ]
    try:
        return vault_key_problems(session)
    except VaultCorrupt as exc:
        return [str(exc)]


def check_vault(
    folder: VaultFolder, username: str, passphrase: str, *, clock: Clock = system_clock
) -> list[str]:
    """Sign in with the full file check, then check the key slots. Empty list: all is well.

    A damaged file is reported as a problem; a wrong user name or passphrase still raises.
    """
    try:
        session = auth.sign_in(
            folder, username, passphrase, clock=clock, full_check=True, audit_action="vault.check"
        )
    except VaultCorrupt as exc:
        return [str(exc)]
    try:
        return vault_key_problems(session)
    except VaultCorrupt as exc:
        return [str(exc)]
    finally:
        session.close()

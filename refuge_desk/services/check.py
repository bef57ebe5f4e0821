"""Vault check (the `check` command; the app can reuse it): file integrity and key slots.

Every problem is one plain sentence. Slots are described by their owner's user name (staff
user names are not resident data) or by the first characters of their id.
"""

from __future__ import annotations

from collections.abc import Sequence

from refuge_desk.domain.errors import VaultCorrupt
from refuge_desk.domain.roles import Role
from refuge_desk.domain.staff import StaffUser
from refuge_desk.services import access, auth
from refuge_desk.services.session import Clock, Session, system_clock
from refuge_desk.store import meta_repo, rota, staff_repo
from refuge_desk.store.keyfile import RECOVERY, USER, KeyFile, user_ref
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


_KINDS = {
    "root": "its first grant",
    "recovery": "the recovery key",
    "grant": "a new account",
    "role": "a role change",
    "disable": "a disable",
    "reset": "a passphrase reset",
    "slot": "its own passphrase change",
    "pending": "a move to keys per account",
    "join": "its own first keys",
    "managers-key": "the managers' key",
    "backup-key": "the backup key",
}


def key_file_problems(staff: Sequence[StaffUser], kf: KeyFile) -> list[str]:
    """Format 2: the signed statements, each slot against them, the staff list against them,
    the recovery key, every account's keys, and the strength of each slot."""
    problems: list[str] = []
    by_id = {u.id: u for u in staff}

    def name(user_id: int | None) -> str:
        user = by_id.get(user_id) if user_id is not None else None
        return f"“{user.username}”" if user else f"account {user_id}"

    chain = kf.chain()
    if auth.cut_short(kf, chain):
        problems.append(
            f"The key file's signed changes end before the vault's last change of keys "
            f"(epoch {kf.epoch}): they were cut short outside Refuge Desk, perhaps to undo a "
            "disable or a lowered role. Nobody can sign in until keyslots.json is restored "
            "from a backup."
        )
    for p in chain.problems:
        what = _KINDS.get(p.kind, p.kind)
        problems.append(
            f"A change to {name(p.user_id)} in the key file ({what}) does not verify: {p.why}. "
            "It counts for nothing; restore keyslots.json from a backup if it was needed."
        )
    for slot in kf.slots:
        if slot.kind == USER:
            acc = chain.account(slot.user_id)
            if acc is None:
                problems.append(
                    f"The key slot {slot.id[:8]} of {name(slot.user_id)} was not issued by a "
                    "manager: it is refused at sign-in and should be removed."
                )
            elif not acc.active:
                problems.append(
                    f"The disabled account {name(slot.user_id)} has a key slot again: it is "
                    "refused at sign-in and should be removed."
                )
            elif acc.slot != slot.id or acc.tag != slot.tag:
                problems.append(
                    f"The key slot of {name(slot.user_id)} is not the one that was issued to "
                    "her: she is refused at sign-in; a manager should reset her passphrase."
                )
        elif slot.kind != RECOVERY:
            problems.append(f"Key slot {slot.id[:8]} is of an unknown kind.")
        if slot.kdf.memory_kib < MIN_MEMORY_KIB or slot.kdf.iterations < MIN_ITERATIONS:
            what = (
                "the recovery key slot"
                if slot.kind == RECOVERY
                else f"the key slot of {name(slot.user_id)}"
            )
            problems.append(
                f"{what[0].upper()}{what[1:]} uses weaker key derivation "
                f"({slot.kdf.memory_kib // 1024} MiB, {slot.kdf.iterations} passes) than "
                f"required (at least {MIN_MEMORY_KIB // 1024} MiB and {MIN_ITERATIONS} passes)."
            )
    legacy = {s.user_id for s in kf.legacy}
    for user in staff:
        acc = chain.account(user.id)
        if acc is None:
            problems.append(
                f"The staff list has {name(user.id)}, but no manager ever granted that "
                "account: the staff list was changed outside Refuge Desk."
            )
            continue
        if acc.role != user.role.value or acc.active != user.active:
            granted = Role(acc.role).label.lower() + ("" if acc.active else ", disabled")
            listed = user.role.label.lower() + ("" if user.active else ", disabled")
            problems.append(
                f"The staff list says {name(user.id)} is {listed}, but a manager granted "
                f"{granted}: the staff list was changed outside Refuge Desk."
            )
        if not acc.active:
            continue
        if acc.pending:
            if user.id not in legacy:
                problems.append(
                    f"{name(user.id)[0].upper()}{name(user.id)[1:]} cannot sign in until a "
                    "manager sets her passphrase again."
                )
            continue
        if kf.slot_of(user.id) is None:
            problems.append(
                f"Active staff member {name(user.id)} has no key slot, so she cannot sign in; "
                "a manager should reset her passphrase."
            )
        lacking = [
            p for p in access.keys_for(Role(acc.role)) if kf.envelope(user_ref(user.id), p) is None
        ]
        if lacking:
            problems.append(
                f"{name(user.id)[0].upper()}{name(user.id)[1:]} has not been given every key "
                f"of her role yet ({', '.join(lacking)}); a manager's next sign-in gives them."
            )
    if kf.recovery_slot() is None or not chain.recovery_receive:
        problems.append(
            "There is no recovery key: if every manager forgets her passphrase, the vault "
            "cannot be opened. A manager should print a new recovery sheet."
        )
    if kf.rekey_due:
        problems.append(
            f"A change of the vault's keys did not finish ({kf.rekey_due}); the next "
            "manager's sign-in finishes it."
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
    """Key problems of the signed-in vault, reading keyslots.json as it is on disk."""
    staff = staff_repo.all_staff(session.db)
    if session.folder.key_format() == 1:
        slots = session.folder.load_keyslots()
        problems = key_slot_problems(staff, slots)
        vault_id = slots.vault_id
    else:
        kf = session.folder.load_keyfile()
        problems = key_file_problems(staff, kf)
        vault_id = kf.vault_id
        if session.has_case:
            wrong = rota.differences(session.case_db, session.rota_db)
            if wrong:
                problems.append(
                    f"The rota file differs from the case records ({', '.join(wrong)}); the "
                    "next sign-in of a manager or support worker writes it again."
                )
    stored_id = meta_repo.get(session.db, "vault_id")
    if stored_id and stored_id != vault_id:
        problems.append(f"The key file {session.folder.keyslots_path} belongs to another vault.")
    return problems


def session_problems(session: Session) -> list[str]:
    """The whole check for a vault that is already open (the app's menu action)."""
    if session.db.integrity_problems(read_rows=True):
        return [
            f"The vault file {session.db.path} is damaged or was changed outside "
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
    except auth.AccountRefused as exc:
        return [str(exc)]
    try:
        # What her sign-in found and set right (unsigned statements, audit heads) first.
        return [*session.alarms, *vault_key_problems(session)]
    except VaultCorrupt as exc:
        return [str(exc)]
    finally:
        auth.lock(session)

"""services.check: each kind of key-slot problem, on real slots made by the keyslots module."""

from __future__ import annotations

import shutil
from pathlib import Path

from refuge_desk.domain.roles import Role
from refuge_desk.domain.staff import StaffUser
from refuge_desk.services import auth, check
from refuge_desk.store.keyslots import KeySlotFile
from refuge_desk.store.vault import VaultFolder
from tests.conftest import MANAGER, WORKER

KEY = bytearray(range(32))


def test_key_slot_problems_lists_each_kind_of_problem() -> None:
    slots = KeySlotFile(vault_id="vault-1")
    staff = [
        StaffUser(1, "mira", "Mira", Role.MANAGER),
        StaffUser(2, "wendy", "Wendy", Role.WORKER),  # active, no slot
        StaffUser(3, "vera", "Vera", Role.VOLUNTEER, active=False),  # disabled, has a slot
        StaffUser(4, "sam", "Sam", Role.WORKER),  # slot under another name
    ]
    slots.set_user_slot(1, "mira", "pass one", KEY)
    slots.set_user_slot(3, "vera", "pass three", KEY)
    slots.set_user_slot(4, "samantha", "pass four", KEY)
    stray = slots.set_user_slot(9, "gone", "pass nine", KEY)
    slots.slots[0].kdf.memory_kib = 16384
    slots.slots[0].kdf.iterations = 2
    # no recovery slot at all

    problems = check.key_slot_problems(staff, slots)

    assert problems == [
        "Active staff member “wendy” has no key slot, so she cannot sign in; a manager "
        "should reset her passphrase.",
        "The key slot of “sam” does not match her user name, so she cannot sign in.",
        "The disabled account “vera” still has a key slot, so it could still open the vault.",
        f"Key slot {stray.id[:8]} belongs to no staff account; it should be removed.",
        "There is no recovery key slot: if every manager forgets her passphrase, the vault "
        "cannot be opened.",
        "The key slot of “mira” uses weaker key derivation (16 MiB, 2 passes) than required "
        "(at least 64 MiB and 3 passes).",
    ]


def test_a_sound_vault_has_no_problems(template_vault: Path, tmp_path: Path) -> None:
    shutil.copytree(template_vault, tmp_path / "v")
    folder = VaultFolder(tmp_path / "v")
    assert check.check_vault(folder, MANAGER[0], MANAGER[2]) == []
    session = auth.sign_in(folder, WORKER[0], WORKER[2])
    try:
        assert check.session_problems(session) == []
    finally:
        session.close()

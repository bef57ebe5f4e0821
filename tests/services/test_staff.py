"""Staff accounts: add, roles, disable, reset, own passphrase, last manager, permissions."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from refuge_desk.domain.errors import (
    NotFound,
    PermissionDenied,
    ValidationError,
    VaultError,
    WrongCredentials,
)
from refuge_desk.domain.residents import Room
from refuge_desk.domain.roles import Role
from refuge_desk.domain.staff import StaffUser
from refuge_desk.services import auth, rooms, settings, staff
from refuge_desk.services.session import Session
from refuge_desk.store import fs, keyfile
from refuge_desk.store.keyfile import KeyFile
from refuge_desk.store.vault import VaultFolder
from tests.conftest import MANAGER, ORG, VOLUNTEER, WORKER, FakeClock, sign_in_as

NEW_PASS = "lilac trombone meadow vortex"
OTHER_PASS = "basil kayak umbrella nebula"


def _user(session: Session, username: str) -> StaffUser:
    return next(u for u in staff.list_staff(session) if u.username == username)


def test_manager_adds_worker_and_volunteer(manager_session: Session) -> None:
    users = {u.username: u for u in staff.list_staff(manager_session)}
    assert set(users) == {MANAGER[0], WORKER[0], VOLUNTEER[0]}
    assert users[WORKER[0]].role is Role.WORKER
    assert users[WORKER[0]].full_name == WORKER[1]
    assert users[VOLUNTEER[0]].role is Role.VOLUNTEER
    assert all(u.active for u in users.values())
    slots = keyfile.load(manager_session.folder.keyslots_path)
    assert {s.user_id for s in slots.slots if s.kind == "user"} == {u.id for u in users.values()}
    actions = [r[0] for r in manager_session.db.query("SELECT action FROM audit_log")]
    assert actions.count("staff.add") == 2


def test_add_validation(manager_session: Session) -> None:
    with pytest.raises(ValidationError) as err:
        staff.add(manager_session, "WORKER", "Another Wendy", Role.WORKER, NEW_PASS)
    assert err.value.problems == ["The user name “WORKER” is taken; choose another."]
    with pytest.raises(ValidationError) as err:
        staff.add(manager_session, "", "  ", Role.WORKER, NEW_PASS)
    assert err.value.problems == ["User name is required.", "Full name is required."]
    with pytest.raises(ValidationError) as err:
        staff.add(manager_session, "nadia", "Nadia Noor", Role.WORKER, NEW_PASS, OTHER_PASS)
    assert "The two passphrases are not the same." in err.value.problems
    with pytest.raises(ValidationError):
        staff.add(manager_session, "nadia", "Nadia Noor", Role.WORKER, "Nadia Noor")
    assert len(staff.list_staff(manager_session)) == 3


def test_change_role(manager_session: Session, vault_dir: Path, clock: FakeClock) -> None:
    worker = _user(manager_session, WORKER[0])
    changed = staff.change_role(manager_session, worker.id, Role.VOLUNTEER)
    assert changed.role is Role.VOLUNTEER
    session = sign_in_as(vault_dir, WORKER, clock)
    try:
        assert session.role is Role.VOLUNTEER
    finally:
        session.close()


def test_disable_removes_the_slot_and_keeps_the_row_then_reset_enables(
    manager_session: Session,
    vault_dir: Path,
    clock: FakeClock,
) -> None:
    worker = _user(manager_session, WORKER[0])
    disabled = staff.disable(manager_session, worker.id)
    assert not disabled.active
    assert _user(manager_session, WORKER[0]).full_name == WORKER[1]  # history keeps her name
    slots = keyfile.load(vault_dir / "keyslots.json")
    assert worker.id not in {s.user_id for s in slots.slots}
    with pytest.raises(WrongCredentials):
        sign_in_as(vault_dir, WORKER, clock)

    clock.advance(60)
    enabled = staff.reset_passphrase(manager_session, worker.id, NEW_PASS, NEW_PASS)
    assert enabled.active
    session = sign_in_as(vault_dir, (WORKER[0], WORKER[1], NEW_PASS), clock)
    assert session.role is Role.WORKER
    session.close()


def test_a_disabled_account_gets_no_new_role_and_no_keys(manager_session: Session) -> None:
    """Raising a disabled account's role used to wrap the current keys for her old public
    key: with a copy of her old slot they would open the vault she was shut out of."""
    worker = _user(manager_session, WORKER[0])
    staff.disable(manager_session, worker.id)
    with pytest.raises(VaultError, match="That account is disabled: reset its passphrase"):
        staff.change_role(manager_session, worker.id, Role.MANAGER)
    kf = manager_session.keyfile
    assert [e for e in kf.envelopes if e.to == keyfile.user_ref(worker.id)] == []
    assert kf.chain().problems == []
    assert _user(manager_session, WORKER[0]).role is Role.WORKER


def test_find_by_user_name(manager_session: Session) -> None:
    assert staff.find(manager_session, f"  {WORKER[0].upper()} ").username == WORKER[0]
    with pytest.raises(NotFound) as err:
        staff.find(manager_session, "nadia")
    assert str(err.value) == "There is no staff account with the user name “nadia”."


def test_reset_passphrase_replaces_the_old_one(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    volunteer = _user(manager_session, VOLUNTEER[0])
    staff.reset_passphrase(manager_session, volunteer.id, NEW_PASS)
    with pytest.raises(WrongCredentials):
        sign_in_as(vault_dir, VOLUNTEER, clock)
    clock.advance(60)
    sign_in_as(vault_dir, (VOLUNTEER[0], "", NEW_PASS), clock).close()


def test_change_own_passphrase_needs_the_current_one(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    session = sign_in_as(vault_dir, WORKER, clock)
    try:
        with pytest.raises(WrongCredentials):
            staff.change_own_passphrase(session, "not my current passphrase", NEW_PASS)
        with pytest.raises(ValidationError, match="same as the current"):
            staff.change_own_passphrase(session, WORKER[2], WORKER[2])
        with pytest.raises(ValidationError):
            staff.change_own_passphrase(session, WORKER[2], "tooshort")
        staff.change_own_passphrase(session, WORKER[2], NEW_PASS, NEW_PASS)
    finally:
        session.close()
    with pytest.raises(WrongCredentials):
        sign_in_as(vault_dir, WORKER, clock)
    clock.advance(60)
    sign_in_as(vault_dir, (WORKER[0], "", NEW_PASS), clock).close()


def test_last_active_manager_cannot_be_demoted_or_disabled(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    me = manager_session.user
    with pytest.raises(VaultError, match="at least one active manager"):
        staff.change_role(manager_session, me.id, Role.WORKER)
    with pytest.raises(VaultError, match="cannot disable your own account"):
        staff.disable(manager_session, me.id)
    assert _user(manager_session, MANAGER[0]).role is Role.MANAGER

    # With a second manager, one may be demoted; then the other is the last one again.
    worker = _user(manager_session, WORKER[0])
    staff.change_role(manager_session, worker.id, Role.MANAGER)
    staff.change_role(manager_session, me.id, Role.WORKER)
    assert manager_session.role is Role.WORKER  # her own session follows the change
    second = sign_in_as(vault_dir, WORKER, clock)
    try:
        with pytest.raises(VaultError, match="at least one active manager"):
            staff.change_role(second, second.user.id, Role.VOLUNTEER)
        staff.change_role(second, me.id, Role.MANAGER)
        staff.disable(second, me.id)  # two managers: disabling one is allowed
        assert not _user(second, MANAGER[0]).active
    finally:
        second.close()


@pytest.mark.parametrize("who", [WORKER, VOLUNTEER], ids=["worker", "volunteer"])
def test_manager_only_functions_refuse_other_roles(
    manager_session: Session, vault_dir: Path, clock: FakeClock, who: tuple[str, str, str]
) -> None:
    target = _user(manager_session, MANAGER[0])
    session = sign_in_as(vault_dir, who, clock)
    calls: list[Callable[[], object]] = [
        lambda: staff.add(session, "nadia", "Nadia Noor", Role.MANAGER, NEW_PASS),
        lambda: staff.change_role(session, session.user.id, Role.MANAGER),
        lambda: staff.disable(session, target.id),
        lambda: staff.reset_passphrase(session, target.id, NEW_PASS),
        lambda: rooms.save(session, Room(name="Attic", beds=2)),
        lambda: rooms.delete(session, 1),
        lambda: settings.set_auto_lock_minutes(session, 10),
    ]
    try:
        for call in calls:
            with pytest.raises(PermissionDenied) as err:
                call()
            assert str(err.value).startswith("Your role (")
    finally:
        session.close()
    assert len(staff.list_staff(manager_session)) == 3
    assert _user(manager_session, MANAGER[0]).active
    assert _user(manager_session, who[0]).role is not Role.MANAGER
    assert rooms.occupancy(manager_session) == []


# -- a key file that cannot be written changes nothing -------------------------------------------
PLAIN = "The key file could not be written (is the disk full or read-only?). Nothing was changed."


def _disk_full(*_args: Any) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def _slots(s: KeyFile) -> list[dict[str, Any]]:
    return [slot.to_json() for slot in s.slots]


def _state(session: Session) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], bytes]:
    staff_rows = [tuple(r) for r in session.db.query("SELECT * FROM staff ORDER BY id")]
    audit_rows = [tuple(r) for r in session.db.query("SELECT * FROM audit_log ORDER BY id")]
    return staff_rows, audit_rows, session.folder.keyslots_path.read_bytes()


def _fails_cleanly(session: Session, change: Callable[[], object]) -> None:
    before, slots_before = _state(session), _slots(session.keyslots)
    with pytest.raises(VaultError) as err:
        change()
    assert str(err.value) == PLAIN
    assert _state(session) == before
    assert _slots(session.keyslots) == slots_before


def _worker_id(session: Session) -> int:
    return next(u.id for u in staff.list_staff(session) if u.username == WORKER[0])


def test_add_with_a_failing_save(manager_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as m:
        m.setattr(KeyFile, "save", _disk_full)
        _fails_cleanly(
            manager_session,
            lambda: staff.add(manager_session, "nadia", "Nadia Noor", Role.WORKER, NEW_PASS),
        )
    added = staff.add(manager_session, "nadia", "Nadia Noor", Role.WORKER, NEW_PASS)
    assert manager_session.keyslots.user_slot("nadia") is not None
    assert added.active


def test_disable_with_a_failing_save_keeps_her_slot(
    manager_session: Session,
    vault_dir: Path,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    uid = _worker_id(manager_session)
    with monkeypatch.context() as m:
        m.setattr(fs, "atomic_write", _disk_full)
        _fails_cleanly(manager_session, lambda: staff.disable(manager_session, uid))
    # The next good save (any change) must not lock out the still-active worker.
    staff.add(manager_session, "nadia", "Nadia Noor", Role.WORKER, NEW_PASS)
    sign_in_as(vault_dir, WORKER, clock).close()


def test_reset_and_change_own_with_a_failing_save(
    manager_session: Session,
    vault_dir: Path,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    uid = _worker_id(manager_session)
    with monkeypatch.context() as m:
        m.setattr(fs, "atomic_write", _disk_full)
        _fails_cleanly(
            manager_session, lambda: staff.reset_passphrase(manager_session, uid, NEW_PASS)
        )
        _fails_cleanly(
            manager_session,
            lambda: staff.change_own_passphrase(manager_session, MANAGER[2], NEW_PASS),
        )
    sign_in_as(vault_dir, WORKER, clock).close()
    sign_in_as(vault_dir, MANAGER, clock).close()


def test_recover_with_a_failing_save_keeps_the_old_passphrase(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = VaultFolder(tmp_path / "vault")
    session, recovery = auth.setup_vault(folder, ORG, *MANAGER, clock=clock)
    session.close()
    with monkeypatch.context() as m:
        m.setattr(fs, "atomic_write", _disk_full)
        with pytest.raises(VaultError) as err:
            auth.recover(folder, recovery, MANAGER[0], NEW_PASS, clock=clock)
    assert str(err.value) == PLAIN
    old = sign_in_as(folder.path, MANAGER, clock)
    try:
        actions = [r[0] for r in old.db.query("SELECT action FROM audit_log")]
        assert "passphrase.recover" not in actions
    finally:
        old.close()
    with pytest.raises(WrongCredentials):
        sign_in_as(folder.path, (MANAGER[0], "", NEW_PASS), clock)

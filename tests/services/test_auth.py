"""Vault set-up, sign-in with its throttle, lock/unlock and recovery."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refuge_desk.domain.errors import (
    SignInThrottled,
    ValidationError,
    VaultError,
    WrongCredentials,
)
from refuge_desk.domain.roles import Role
from refuge_desk.services import auth, staff
from refuge_desk.services.session import Session
from refuge_desk.services.throttle import FILE_NAME
from refuge_desk.store import staff_repo
from refuge_desk.store.db import DatabaseError
from refuge_desk.store.vault import VaultFolder
from tests.conftest import MANAGER, ORG, VOLUNTEER, WORKER, FakeClock, sign_in_as

NEW_PASS = "lilac trombone meadow vortex"


def _try(vault_dir: Path, username: str, passphrase: str, clock: FakeClock) -> Session:
    return auth.sign_in(
        VaultFolder(vault_dir), username, passphrase, clock=clock, seconds=clock.seconds
    )


def test_setup_validation_lists_every_problem_and_creates_nothing(
    tmp_path: Path, clock: FakeClock
) -> None:
    folder = VaultFolder(tmp_path / "new")
    with pytest.raises(ValidationError) as err:
        auth.setup_vault(
            folder, auth.Organisation("  ", ""), "has space", "", MANAGER[2], clock=clock
        )
    assert err.value.problems == [
        "User name cannot contain spaces.",
        "Organisation name is required.",
        "Refuge name is required.",
    ]
    with pytest.raises(ValidationError) as err:
        auth.setup_vault(
            folder, ORG, MANAGER[0], MANAGER[1], MANAGER[2], MANAGER[2] + "x", clock=clock
        )
    assert "The two passphrases are not the same." in err.value.problems
    with pytest.raises(ValidationError) as err:
        auth.setup_vault(folder, ORG, MANAGER[0], MANAGER[1], "short", "short", clock=clock)
    assert "Use at least 15 characters (5 so far)." in err.value.problems
    assert not folder.path.exists()


def test_setup_creates_a_signed_in_manager_and_a_recovery_key(
    tmp_path: Path, clock: FakeClock
) -> None:
    folder = VaultFolder(tmp_path / "new")
    session, recovery = auth.setup_vault(folder, ORG, *MANAGER, clock=clock)
    try:
        assert session.role is Role.MANAGER
        assert session.user.full_name == MANAGER[1]
        assert len(recovery.replace("-", "")) == 32
        assert {"keyslots.json", "vault.db"} <= {p.name for p in folder.path.iterdir()}
        assert recovery not in folder.keyslots_path.read_text()
    finally:
        session.close()
    assert session.data_key == bytearray(32)  # zeroed on close
    with pytest.raises(VaultError, match="already holds a vault"):
        auth.setup_vault(folder, ORG, *MANAGER, clock=clock)


def test_wrong_passphrase_throttle_doubles_to_thirty_seconds(
    manager_session: Session,
    vault_dir: Path,
    clock: FakeClock,
) -> None:
    delays = []
    for _ in range(7):
        with pytest.raises(WrongCredentials) as err:
            _try(vault_dir, WORKER[0], "not her passphrase at all", clock)
        assert str(err.value) == "Wrong user name or passphrase."
        delays.append(err.value.retry_after)
        # Too soon: refused without even trying the passphrase, even the right one.
        clock.advance(err.value.retry_after - 0.5)
        with pytest.raises(SignInThrottled) as throttled:
            _try(vault_dir, WORKER[0], WORKER[2], clock)
        assert throttled.value.seconds == pytest.approx(0.5)
        assert "Try again in 1 s." in str(throttled.value)
        clock.advance(0.5)
    assert delays == [1, 2, 4, 8, 16, 30, 30]

    # Another user name is not held up by her failures.
    _try(vault_dir, VOLUNTEER[0], VOLUNTEER[2], clock).close()

    # Success resets the count: the next failure waits 1 s again.
    _try(vault_dir, WORKER[0], WORKER[2], clock).close()
    with pytest.raises(WrongCredentials) as err:
        _try(vault_dir, WORKER[0], "still not her passphrase", clock)
    assert err.value.retry_after == 1


def test_unknown_user_name_is_throttled_like_a_real_one(
    manager_session: Session,
    vault_dir: Path,
    clock: FakeClock,
) -> None:
    with pytest.raises(WrongCredentials) as err:
        _try(vault_dir, "nobody", "whatever passphrase this is", clock)
    assert str(err.value) == "Wrong user name or passphrase."
    assert err.value.retry_after == 1
    with pytest.raises(SignInThrottled):
        _try(vault_dir, "nobody", "whatever passphrase this is", clock)


def test_throttle_survives_a_restart_and_holds_no_names(
    manager_session: Session,
    vault_dir: Path,
    clock: FakeClock,
) -> None:
    with pytest.raises(WrongCredentials):
        _try(vault_dir, WORKER[0], "not her passphrase at all", clock)
    text = (vault_dir / FILE_NAME).read_text(encoding="utf-8")
    assert len(json.loads(text)) == 1
    for name in (WORKER[0], *WORKER[1].split(), MANAGER[0], VOLUNTEER[0]):
        assert name.casefold() not in text.casefold()
    # A fresh sign-in (a new app start reads the file again) is still held up.
    with pytest.raises(SignInThrottled):
        _try(vault_dir, WORKER[0], WORKER[2], clock)


def test_disabled_user_cannot_sign_in(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    worker = staff_repo.by_username(manager_session.db, WORKER[0])
    assert worker is not None
    staff.disable(manager_session, worker.id)
    with pytest.raises(WrongCredentials):
        sign_in_as(vault_dir, WORKER, clock)


def test_inactive_account_with_a_leftover_slot_cannot_sign_in(
    manager_session: Session,
    vault_dir: Path,
    clock: FakeClock,
) -> None:
    # E.g. keyslots.json restored from an old copy: the database still says "disabled".
    worker = staff_repo.by_username(manager_session.db, WORKER[0])
    assert worker is not None
    staff_repo.update(
        manager_session.db,
        worker.id,
        manager_session.stamp(),
        manager_session.user.id,
        active=False,
    )
    with pytest.raises(auth.AccountRefused, match=r"“worker” cannot sign in.*disabled"):
        sign_in_as(vault_dir, WORKER, clock)


def test_sign_in_opens_the_vault_for_the_right_role(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    session = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        assert session.role is Role.VOLUNTEER
        assert session.user.username == VOLUNTEER[0]
        assert session.is_open
    finally:
        session.close()


def test_lock_then_unlock(manager_session: Session, clock: FakeClock) -> None:
    session = manager_session
    name_before = session.user.full_name
    auth.lock(session)
    assert not session.is_open
    assert session.data_key == bytearray(32)
    with pytest.raises(VaultError, match="locked"):
        _ = session.db
    with pytest.raises(WrongCredentials):
        auth.unlock(session, "not the right passphrase", seconds=clock.seconds)
    assert not session.is_open
    clock.advance(1)
    auth.unlock(session, MANAGER[2], seconds=clock.seconds)
    assert session.is_open
    assert session.user.full_name == name_before
    assert session.data_key != bytearray(32)
    actions = [r[0] for r in session.db.query("SELECT action FROM audit_log ORDER BY id")]
    # The wrong passphrase could not be written while locked: it is, at the unlock.
    assert actions[-3:] == ["lock", "signin.failed", "unlock"]


def test_recover_sets_a_new_manager_passphrase(tmp_path: Path, clock: FakeClock) -> None:
    folder = VaultFolder(tmp_path / "vault")
    session, recovery = auth.setup_vault(folder, ORG, *MANAGER, clock=clock)
    staff.add(session, *WORKER[:2], Role.WORKER, WORKER[2])
    session.close()

    with pytest.raises(WrongCredentials):
        auth.recover(folder, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH", MANAGER[0], NEW_PASS)
    with pytest.raises(VaultError, match="active manager"):
        auth.recover(folder, recovery, WORKER[0], NEW_PASS, clock=clock)
    with pytest.raises(ValidationError):
        auth.recover(folder, recovery, MANAGER[0], NEW_PASS, NEW_PASS + "x", clock=clock)

    typed = recovery.lower().replace("-", " ")
    recovered = auth.recover(folder, typed, MANAGER[0], NEW_PASS, NEW_PASS, clock=clock)
    assert recovered.role is Role.MANAGER
    recovered.close()

    with pytest.raises(WrongCredentials):
        _try(folder.path, MANAGER[0], MANAGER[2], clock)
    clock.advance(5)
    _try(folder.path, MANAGER[0], NEW_PASS, clock).close()
    _try(folder.path, WORKER[0], WORKER[2], clock).close()  # other slots untouched


# -- lock ----------------------------------------------------------------------------------------
def test_lock_closes_and_zeroes_even_when_the_audit_write_fails(manager_session, monkeypatch):
    def disk_full(*_args: object) -> None:
        raise DatabaseError("database or disk is full")

    monkeypatch.setattr(Session, "audit", disk_full)
    key = manager_session.data_key
    auth.lock(manager_session)
    assert not manager_session.is_open
    assert bytes(key) == bytes(len(key))
    with pytest.raises(Exception, match="locked"):
        manager_session.db  # noqa: B018 - touching the locked vault says so plainly

"""A key file that cannot be written changes nothing: not the DB, not the session's slots."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from refuge_desk.domain.errors import VaultError, WrongCredentials
from refuge_desk.domain.roles import Role
from refuge_desk.services import auth, staff
from refuge_desk.services.session import Session
from refuge_desk.store import keyslots
from refuge_desk.store.keyfile import KeyFile
from refuge_desk.store.vault import VaultFolder
from tests.conftest import MANAGER, ORG, WORKER, FakeClock, sign_in_as

NEW_PASS = "lilac trombone meadow vortex"
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
        m.setattr(keyslots, "atomic_write", _disk_full)
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
        m.setattr(keyslots, "atomic_write", _disk_full)
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
        m.setattr(keyslots, "atomic_write", _disk_full)
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

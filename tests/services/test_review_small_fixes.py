"""Review fixes: natural room order, the demo within bed counts, Windows paths, one sentence."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from refuge_desk.domain.residents import Room, Status
from refuge_desk.services import demo, passphrase_policy, paths, residents, rooms
from refuge_desk.services.residents import CURRENT
from refuge_desk.services.session import Session
from refuge_desk.store.vault import VaultFolder
from tests.conftest import FakeClock


def test_rooms_in_natural_order(manager_session: Session) -> None:
    for name in ["Room 10", "Room 2", "annex", "Room 1", "Oak", "room 11", "Room 2a"]:
        rooms.save(manager_session, Room(name=name, beds=2))
    names = [o.room.name for o in rooms.occupancy(manager_session)]
    assert names == ["annex", "Oak", "Room 1", "Room 2", "Room 2a", "Room 10", "room 11"]


def _assert_no_room_over_capacity(session: Session) -> None:
    occupancy = rooms.occupancy(session)
    assert occupancy
    assert [(o.room.name, o.over) for o in occupancy if o.over] == []


def test_demo_vault_keeps_every_room_within_its_beds(tmp_path: Path) -> None:
    session = demo.create_demo_vault(VaultFolder(tmp_path / "demo"), clock=FakeClock())
    try:
        _assert_no_room_over_capacity(session)
        rows = residents.list_residents(session, statuses=CURRENT)
        here = [r for r in rows if r.status == Status.RESIDENT]
        assert here and all(r.room for r in here)
        # More women than beds: the rest wait as referrals, without a room.
        demo.seed(session, 80, seed_value=3)
        _assert_no_room_over_capacity(session)
        beds, occupied = rooms.totals(session)
        assert occupied <= beds
        rows = residents.list_residents(session, statuses=(Status.REFERRAL,))
        assert rows
    finally:
        session.close()


@pytest.mark.parametrize("local", ["C:/Users/amira/AppData/Local", ""])
def test_windows_uses_local_app_data(monkeypatch: pytest.MonkeyPatch, local: str) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", "C:/Users/amira/AppData/Roaming")
    monkeypatch.delenv(paths.LOG_DIR_ENV, raising=False)
    if local:
        monkeypatch.setenv("LOCALAPPDATA", local)
        base = Path(local)
    else:
        monkeypatch.delenv("LOCALAPPDATA", raising=False)
        base = Path.home() / "AppData" / "Local"
    assert paths.default_vault_dir() == base / "RefugeDesk" / "vault"
    assert paths.log_dir() == base / "RefugeDesk" / "logs"
    assert "Roaming" not in str(paths.default_vault_dir())


def test_easy_to_guess_is_one_clean_sentence() -> None:
    problems = passphrase_policy.assess("qwertyuiopasdfgh").problems
    assert problems == ["This is easy to guess (similar to a commonly used password)."]
    for weak in ["aaaaaaaaaaaaaaaaaa", "passwordpassword1", "12345678901234567"]:
        for problem in passphrase_policy.assess(weak).problems:
            assert ": " not in problem
            assert problem.endswith(".")
            assert problem[0].isupper()

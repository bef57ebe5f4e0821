"""Service-test fixtures. Argon2 is slow on purpose (~0.1 s a key), so vaults are built once.

``manager_session`` here replaces the one in tests/conftest.py with the same vault (manager
signed in, worker and volunteer accounts) copied from a template: one key derivation per
test instead of four.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from refuge_desk.domain.residents import Child, Resident, Room, Status
from refuge_desk.domain.roles import Role
from refuge_desk.services import auth, residents, rooms
from refuge_desk.services import staff as staff_service
from refuge_desk.services.session import Session
from refuge_desk.store.vault import VaultFolder
from tests.conftest import MANAGER, ORG, VOLUNTEER, WORKER, FakeClock, sign_in_as

# (full name, preferred, aliases, status, room, key worker, arrival, children)
PEOPLE: list[tuple[str, str, str, Status, str | None, str | None, str | None, int]] = [
    ("Amira Haddad", "Mimi", "Amira Saleh", Status.RESIDENT, "Rose", "worker", "2026-10-01", 2),
    ("amal Benali", "", "", Status.RESIDENT, "annex", "manager", "2026-10-01", 0),
    ("Amal Benali", "Amal", "", Status.REFERRAL, None, None, None, 1),
    ("فاطمة الزهراء", "فاطمة", "Fatima", Status.RESIDENT, "Rose", "worker", "2026-09-15", 3),
    ("রহিমা বেগম", "", "Rahima", Status.RESIDENT, "Oak", None, "2026-11-02", 1),
    ("Оксана Коваленко", "Оксана", "", Status.MOVED_ON, None, "worker", "2025-02-01", 0),
    ("王秀英", "秀英", "Wang Xiuying", Status.RESIDENT, "Oak", "manager", "2026-09-15", 0),
    ("Zofia Wójcik", "Zosia", "", Status.ARCHIVED, None, "manager", "2024-05-20", 2),
    ("Łucja Żak", "", "", Status.RESIDENT, "annex", "worker", "2026-11-20", 0),
    ("Karen Smith-Jones", "Kaz", "Karen Smith", Status.REFERRAL, "Oak", "worker", None, 0),
    ("Émilie Durand", "", "", Status.RESIDENT, "Rose", None, "2026-10-01", 1),
    ("zara Okafor", "Zee", "", Status.MOVED_ON, None, None, "2026-01-10", 0),
]


@dataclass
class Populated:
    vault_dir: Path
    clock: FakeClock
    manager: Session
    refs: dict[str, str]  # full name -> reference

    def sign_in(self, who: tuple[str, str, str]) -> Session:
        return sign_in_as(self.vault_dir, who, self.clock)


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Populated]:
    vault_dir = tmp_path_factory.mktemp("populated") / "vault"
    clock = FakeClock()
    session, _ = auth.setup_vault(VaultFolder(vault_dir), ORG, *MANAGER, clock=clock)
    worker = staff_service.add(session, WORKER[0], WORKER[1], Role.WORKER, WORKER[2])
    staff_service.add(session, VOLUNTEER[0], VOLUNTEER[1], Role.VOLUNTEER, VOLUNTEER[2])
    room_ids = {
        name: rooms.save(session, Room(name=name, beds=4)).id for name in ("Rose", "annex", "Oak")
    }
    staff_ids = {"worker": worker.id, "manager": session.user.id}
    refs: dict[str, str] = {}
    for full, preferred, aliases, status, room, kw, arrival, kids in PEOPLE:
        res = Resident(
            full_name=full,
            preferred_name=preferred,
            aliases=aliases,
            status=status,
            room_id=room_ids[room] if room else None,
            key_worker_id=staff_ids[kw] if kw else None,
            arrival_date=dt.date.fromisoformat(arrival) if arrival else None,
            children=[Child(full_name=f"Child {i} of {full}") for i in range(kids)],
        )
        refs[full] = residents.save(session, res).reference
    populated = Populated(vault_dir, clock, session, refs)
    yield populated
    session.close()


@pytest.fixture(scope="session")
def template_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    vault_dir = tmp_path_factory.mktemp("template") / "vault"
    session, _ = auth.setup_vault(VaultFolder(vault_dir), ORG, *MANAGER, clock=FakeClock())
    staff_service.add(session, WORKER[0], WORKER[1], Role.WORKER, WORKER[2])
    staff_service.add(session, VOLUNTEER[0], VOLUNTEER[1], Role.VOLUNTEER, VOLUNTEER[2])
    session.close()
    return vault_dir


@pytest.fixture
def manager_session(template_vault: Path, vault_dir: Path, clock: FakeClock) -> Iterator[Session]:
    """A new vault (a copy of the template) with the manager signed in."""
    shutil.copytree(template_vault, vault_dir)
    session = sign_in_as(vault_dir, MANAGER, clock)
    yield session
    session.close()

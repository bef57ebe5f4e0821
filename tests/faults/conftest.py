"""Fault and fuzz fixtures: vaults copied from one template, so Argon2 runs once per run.

``manager_session`` here replaces the one in tests/conftest.py with the same vault (manager
signed in, worker and volunteer accounts) copied from a template.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from refuge_desk.domain.roles import Role
from refuge_desk.services import auth
from refuge_desk.services import staff as staff_service
from refuge_desk.services.session import Session
from refuge_desk.store.vault import VaultFolder
from tests.conftest import MANAGER, ORG, VOLUNTEER, WORKER, FakeClock, sign_in_as


@pytest.fixture(scope="session")
def fault_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    vault_dir = tmp_path_factory.mktemp("fault-template") / "vault"
    session, _ = auth.setup_vault(VaultFolder(vault_dir), ORG, *MANAGER, clock=FakeClock())
    staff_service.add(session, WORKER[0], WORKER[1], Role.WORKER, WORKER[2])
    staff_service.add(session, VOLUNTEER[0], VOLUNTEER[1], Role.VOLUNTEER, VOLUNTEER[2])
    session.close()
    return vault_dir


@pytest.fixture
def manager_session(fault_template: Path, vault_dir: Path, clock: FakeClock) -> Iterator[Session]:
    shutil.copytree(fault_template, vault_dir)
    session = sign_in_as(vault_dir, MANAGER, clock)
    yield session
    session.close()

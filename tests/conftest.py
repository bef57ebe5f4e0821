"""Shared fixtures: real SQLCipher vaults in tmp_path, an adjustable clock, offscreen Qt."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]  # the checkout: tests may sit at any depth
FIXTURES = REPO / "tests" / "fixtures"
# Settings, app data and logs of the whole test run go into one private folder, so tests never
# touch the developer's real ones and the leak tests can scan exactly what was written.
TEST_HOME = Path(tempfile.mkdtemp(prefix="refuge-desk-tests-"))
for _var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
    os.environ[_var] = str(TEST_HOME / _var.lower())
os.environ["REFUGE_DESK_LOG_DIR"] = str(TEST_HOME / "logs")

# Every test fails at once, naming the dialog, if it reaches a real modal exec() (a hang).
pytest_plugins = ("tests.modal_guard", "pytester")

from refuge_desk.domain.roles import Role  # noqa: E402
from refuge_desk.services import auth  # noqa: E402
from refuge_desk.services import staff as staff_service  # noqa: E402
from refuge_desk.services.session import Session  # noqa: E402
from refuge_desk.store.vault import VaultFolder  # noqa: E402

MANAGER = ("manager", "Mira Manager", "copper falcon pillow river")
WORKER = ("worker", "Wendy Worker", "saffron glacier tunnel oboe")
VOLUNTEER = ("volunteer", "Vera Volunteer", "hazel comet sandal quiver")
ORG = auth.Organisation("Test Women's Aid", "Test House", "7 Fictional Road")


class FakeClock:
    """An injectable clock: ``clock()`` for datetimes, ``clock.seconds()`` for timers."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def seconds(self) -> float:
        return self.now.timestamp()

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def manager_session(vault_dir: Path, clock: FakeClock) -> Iterator[Session]:
    """A new vault with a manager (signed in), a worker and a volunteer account."""
    folder = VaultFolder(vault_dir)
    session, _recovery = auth.setup_vault(
        folder, ORG, MANAGER[0], MANAGER[1], MANAGER[2], clock=clock
    )
    staff_service.add(session, WORKER[0], WORKER[1], Role.WORKER, WORKER[2])
    staff_service.add(session, VOLUNTEER[0], VOLUNTEER[1], Role.VOLUNTEER, VOLUNTEER[2])
    yield session
    session.close()


def sign_in_as(vault_dir: Path, who: tuple[str, str, str], clock: FakeClock) -> Session:
    return auth.sign_in(VaultFolder(vault_dir), who[0], who[2], clock=clock, seconds=clock.seconds)

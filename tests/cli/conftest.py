"""Run the real `refuge-desk` command in a subprocess, with its home and logs in tmp_path."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from refuge_desk import cli as cli_module
from refuge_desk.domain.roles import Role
from refuge_desk.services import auth
from refuge_desk.services import staff as staff_service
from refuge_desk.store.vault import VaultFolder
from tests.conftest import MANAGER, ORG, VOLUNTEER, WORKER


@dataclass
class Cli:
    env: dict[str, str]
    cwd: Path

    def __call__(
        self, *args: str | Path, stdin: list[str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``stdin``: lines given on standard input (None: no input at all, not a terminal)."""
        result = subprocess.run(
            [sys.executable, "-m", "refuge_desk", *map(str, args)],
            input=None if stdin is None else "".join(f"{line}\n" for line in stdin),
            stdin=subprocess.DEVNULL if stdin is None else None,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=self.env,
            cwd=self.cwd,
            timeout=60,
        )
        assert "Traceback" not in result.stderr, result.stderr
        assert "Traceback" not in result.stdout, result.stdout
        return result


@dataclass
class Ran:
    code: int
    out: str
    err: str


class Run:
    """``cli.main`` in this process, with the given lines on standard input."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
        self.capsys, self.monkeypatch = capsys, monkeypatch

    def __call__(self, *argv: str | Path, stdin: list[str]) -> Ran:
        data = "".join(f"{line}\n" for line in stdin).encode("utf-8")
        self.monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        code = cli_module.main([*map(str, argv), "--passphrase-stdin"])
        got = self.capsys.readouterr()
        assert "Traceback" not in got.out + got.err
        return Ran(code, got.out, got.err)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    return Run(capsys, monkeypatch)


def cli_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "REFUGE_DESK_"))}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        TMPDIR=str(home / "tmp"),
        REFUGE_DESK_LOG_DIR=str(home / "logs"),
        QT_QPA_PLATFORM="offscreen",
        PYTHONIOENCODING="utf-8",
    )
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    return env


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    home = tmp_path / "home"
    home.mkdir()
    return Cli(cli_env(home), tmp_path)


@dataclass(frozen=True)
class Template:
    path: Path
    recovery_key: str


@pytest.fixture(scope="session")
def template_vault(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """One vault (manager, worker, volunteer) made once; tests work on copies of it."""
    path = tmp_path_factory.mktemp("template") / "vault"
    session, recovery_key = auth.setup_vault(VaultFolder(path), ORG, *MANAGER)
    staff_service.add(session, WORKER[0], WORKER[1], Role.WORKER, WORKER[2])
    staff_service.add(session, VOLUNTEER[0], VOLUNTEER[1], Role.VOLUNTEER, VOLUNTEER[2])
    session.close()
    return Template(path, recovery_key)


@pytest.fixture
def vault(template_vault: Template, tmp_path: Path) -> Path:
    target = tmp_path / "vault"
    shutil.copytree(template_vault.path, target)
    return target

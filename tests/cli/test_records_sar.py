"""`sar` through the real command."""

from __future__ import annotations

import json
from pathlib import Path

from refuge_desk.domain.residents import Abuser, Resident
from refuge_desk.services import auth, residents
from refuge_desk.store.vault import VaultFolder
from tests.cli.conftest import Cli
from tests.conftest import MANAGER, WORKER


def _resident(vault: Path) -> str:
    session = auth.sign_in(VaultFolder(vault), MANAGER[0], MANAGER[2])
    try:
        res = residents.save(
            session, Resident(full_name="Ana Popescu", abusers=[Abuser(name="Ion Popescu")])
        )
        return res.reference
    finally:
        session.close()


def test_sar_json_with_a_withheld_part(cli: Cli, vault: Path, tmp_path: Path) -> None:
    ref = _resident(vault)
    out = tmp_path / "sar.json"
    result = cli(
        "sar",
        vault,
        "--user",
        MANAGER[0],
        "--resident",
        ref,
        "--out",
        out,
        "--withhold",
        "abusers",
        "--passphrase-stdin",
        stdin=[MANAGER[2]],
    )
    assert result.returncode == 0, result.stderr
    assert "withheld: abusers" in result.stdout and "not encrypted" in result.stderr
    assert "Popescu" not in result.stdout + result.stderr
    data = json.loads(out.read_text("utf-8"))
    assert data["resident"]["full_name"] == "Ana Popescu"
    assert data["resident"]["abusers"] == "[withheld by a manager]"


def test_sar_refusals(cli: Cli, vault: Path, tmp_path: Path) -> None:
    ref = _resident(vault)
    worker = cli(
        "sar",
        vault,
        "--user",
        WORKER[0],
        "--resident",
        ref,
        "--out",
        tmp_path / "s.pdf",
        "--passphrase-stdin",
        stdin=[WORKER[2]],
    )
    assert (
        worker.returncode == 1 and "does not allow you to prepare a subject access" in worker.stderr
    )
    bad = cli(
        "sar",
        vault,
        "--user",
        MANAGER[0],
        "--resident",
        ref,
        "--out",
        tmp_path / "s.pdf",
        "--withhold",
        "diary",
        "--passphrase-stdin",
        stdin=[MANAGER[2]],
    )
    assert bad.returncode == 1  # a plain sentence naming the parts there are, nothing written
    assert "Unknown part to withhold: diary" in bad.stderr and "Traceback" not in bad.stderr
    assert not list(tmp_path.glob("s.*"))

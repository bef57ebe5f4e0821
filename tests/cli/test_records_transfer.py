"""`transfer-out` and `transfer-in` through the real command, between two vaults."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from refuge_desk.domain.residents import Resident
from refuge_desk.services import auth, residents
from refuge_desk.store.vault import VaultFolder
from tests.cli.conftest import Cli, Template
from tests.conftest import MANAGER, WORKER


def test_out_and_in(cli: Cli, vault: Path, template_vault: Template, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(template_vault.path, other)
    session = auth.sign_in(VaultFolder(vault), MANAGER[0], MANAGER[2])
    try:
        ref = residents.save(session, Resident(full_name="Ewa Mazur", notes="n")).reference
    finally:
        session.close()
    package = tmp_path / "ewa.age"
    out = cli(
        "transfer-out",
        vault,
        "--user",
        WORKER[0],
        "--resident",
        ref,
        "--out",
        package,
        "--passphrase-stdin",
        stdin=[WORKER[2]],
    )
    assert out.returncode == 0, out.stderr
    assert "Mazur" not in out.stdout
    words = re.search(r"One-time passphrase: (.+)", out.stdout).group(1).strip()  # type: ignore[union-attr]
    wrong = cli(
        "transfer-in",
        other,
        package,
        "--user",
        WORKER[0],
        "--passphrase-stdin",
        stdin=[WORKER[2], "not the right words at all"],
    )
    assert wrong.returncode == 1 and "could not be opened" in wrong.stderr
    ok = cli(
        "transfer-in",
        other,
        package,
        "--user",
        WORKER[0],
        "--passphrase-stdin",
        stdin=[WORKER[2], words],
    )
    assert ok.returncode == 0, ok.stderr
    assert f"(their {ref})" in ok.stdout
    again = cli(
        "transfer-in",
        other,
        package,
        "--user",
        WORKER[0],
        "--passphrase-stdin",
        stdin=[WORKER[2], words],
    )
    assert again.returncode == 1 and "already imported" in again.stderr

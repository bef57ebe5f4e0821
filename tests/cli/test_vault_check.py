"""`check` through the real command, and the single-instance lock."""

from __future__ import annotations

import subprocess
from pathlib import Path

from refuge_desk.services import auth
from refuge_desk.store import keyfile
from refuge_desk.store.instance_lock import IN_USE
from refuge_desk.store.vault import VaultFolder
from tests.cli.conftest import Cli
from tests.conftest import MANAGER, VOLUNTEER, WORKER


def _check(
    cli: Cli, vault: Path, who: tuple[str, str, str] = MANAGER
) -> subprocess.CompletedProcess[str]:
    return cli("check", vault, "--user", who[0], "--passphrase-stdin", stdin=[who[2]])


def test_check_of_a_sound_vault_says_ok(cli: Cli, vault: Path) -> None:
    result = _check(cli, vault, VOLUNTEER)  # any signed-in role may run the check
    assert (result.returncode, result.stdout, result.stderr) == (0, "ok\n", "")


def test_check_names_a_tampered_database_file(cli: Cli, vault: Path) -> None:
    db_file = vault / "vault.db"
    data = bytearray(db_file.read_bytes())
    page = 4096
    assert len(data) >= 3 * page
    data[2 * page + 100] ^= 0xFF  # one byte inside the third page
    db_file.write_bytes(bytes(data))

    result = _check(cli, vault)

    assert result.returncode == 1
    assert "ok" not in result.stdout.splitlines()
    assert str(db_file) in result.stdout
    assert "damaged" in result.stdout


def test_check_catches_a_missing_key_slot(cli: Cli, vault: Path) -> None:
    session = auth.sign_in(VaultFolder(vault), WORKER[0], WORKER[2])
    worker_id = session.user.id
    session.close()
    kf = keyfile.load(vault / "keyslots.json")
    kf.slots = [s for s in kf.slots if s.user_id != worker_id]
    kf.save(vault / "keyslots.json")

    result = _check(cli, vault)

    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"Active staff member “{WORKER[0]}” has no key slot, so she cannot sign in; a "
        "manager should reset her passphrase."
    ]


def test_a_vault_in_use_is_refused_plainly(cli: Cli, vault: Path) -> None:
    held = VaultFolder(vault)
    held.acquire()
    try:
        result = _check(cli, vault)
    finally:
        held.release()
    assert result.returncode == 1
    assert result.stderr == IN_USE + "\n"
    assert result.stdout == ""


def test_check_of_a_folder_without_a_vault(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = _check(cli, missing)
    assert result.returncode == 1
    assert result.stderr == f"There is no vault in {missing}.\n"
    assert not missing.exists()

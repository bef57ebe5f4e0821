"""`init`, `users add` and `recover` through the real command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from refuge_desk.domain.errors import WrongCredentials
from refuge_desk.domain.roles import Role
from refuge_desk.services import auth
from refuge_desk.store.vault import VaultFolder
from tests.cli.conftest import Cli, Template
from tests.conftest import MANAGER, WORKER

RECOVERY_KEY = re.compile(r"\b[A-Z2-9]{4}(?:-[A-Z2-9]{4}){7}\b")
NEW_PASSPHRASE = "walnut orchid lighthouse drizzle"


def _init_args(folder: Path) -> list[str | Path]:
    return [
        "init",
        folder,
        "--org",
        "Northfield Women's Aid",
        "--refuge",
        "Elm House",
        "--refuge-address",
        "3 Fictional Row",
        "--user",
        "mira",
        "--full-name",
        "Mira Manager",
        "--passphrase-stdin",
    ]


def test_init_creates_a_vault_and_prints_the_recovery_key_once(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "new-vault"
    result = cli(*_init_args(folder), stdin=[MANAGER[2]])

    assert result.returncode == 0, result.stderr
    keys = RECOVERY_KEY.findall(result.stdout)
    assert len(keys) == 1
    assert "write this recovery key down" in result.stdout.lower()
    assert "office safe" in result.stdout
    assert result.stderr == ""
    # The manager can sign in with the passphrase she chose, and the printed key is the real one.
    session = auth.sign_in(VaultFolder(folder), "mira", MANAGER[2])
    assert session.role is Role.MANAGER
    session.close()
    recovered = auth.recover(VaultFolder(folder), keys[0], "mira", NEW_PASSPHRASE)
    recovered.close()


def test_init_refuses_a_folder_that_is_not_empty(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")

    result = cli(*_init_args(folder), stdin=[MANAGER[2]])

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"{folder} is not empty. Choose an empty folder for a new vault."
    ]
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_init_refuses_an_existing_vault(cli: Cli, vault: Path) -> None:
    before = (vault / "keyslots.json").read_bytes()
    result = cli(*_init_args(vault), stdin=[MANAGER[2]])
    assert result.returncode == 1
    assert result.stderr.strip() == f"{vault} already holds a vault."
    assert (vault / "keyslots.json").read_bytes() == before


def test_init_with_a_weak_passphrase_leaves_nothing_behind(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "new-vault"
    result = cli(*_init_args(folder), stdin=["password"])
    assert result.returncode == 1
    assert "15 characters" in result.stderr
    assert not folder.exists()


def test_users_add_gives_the_new_user_a_working_sign_in(cli: Cli, vault: Path) -> None:
    new_pass = "tangerine viaduct mosaic harbour"
    result = cli(
        "users",
        "add",
        vault,
        "nadia",
        "--role",
        "worker",
        "--user",
        MANAGER[0],
        "--full-name",
        "Nadia Newstaff",
        "--passphrase-stdin",
        stdin=[MANAGER[2], new_pass],
    )

    assert result.returncode == 0, result.stderr
    assert "nadia" in result.stdout
    session = auth.sign_in(VaultFolder(vault), "nadia", new_pass)
    assert (session.user.full_name, session.role) == ("Nadia Newstaff", Role.WORKER)
    session.close()


def test_users_add_with_a_wrong_manager_passphrase(cli: Cli, vault: Path) -> None:
    # --passphrase-stdin also works before the command (it is a global option).
    result = cli(
        "--passphrase-stdin",
        "users",
        "add",
        vault,
        "nadia",
        "--role",
        "worker",
        "--user",
        MANAGER[0],
        stdin=["not the right passphrase", "whatever"],
    )
    assert result.returncode == 1
    assert result.stderr == "Wrong user name or passphrase.\n"
    assert result.stdout == ""


def test_users_add_by_a_worker_is_refused_plainly(cli: Cli, vault: Path) -> None:
    result = cli(
        "users",
        "add",
        vault,
        "nadia",
        "--role",
        "volunteer",
        "--user",
        WORKER[0],
        "--passphrase-stdin",
        stdin=[WORKER[2], "tangerine viaduct mosaic harbour"],
    )
    assert result.returncode == 1
    assert result.stderr == "Your role (Support worker) does not allow you to add staff.\n"
    with pytest.raises(WrongCredentials):
        auth.sign_in(VaultFolder(vault), "nadia", "tangerine viaduct mosaic harbour")


def test_recover_sets_a_new_passphrase_with_the_recovery_key(
    cli: Cli, vault: Path, template_vault: Template
) -> None:
    wrong = cli(
        "recover",
        vault,
        "--user",
        MANAGER[0],
        "--passphrase-stdin",
        stdin=["AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH", NEW_PASSPHRASE],
    )
    assert wrong.returncode == 1
    assert wrong.stderr == "That recovery key does not open this vault.\n"

    result = cli(
        "recover",
        vault,
        "--user",
        MANAGER[0],
        "--passphrase-stdin",
        stdin=[template_vault.recovery_key.lower(), NEW_PASSPHRASE],
    )

    assert result.returncode == 0, result.stderr
    folder = VaultFolder(vault)
    session = auth.sign_in(folder, MANAGER[0], NEW_PASSPHRASE)
    assert session.user.username == MANAGER[0]
    session.close()
    with pytest.raises(WrongCredentials):
        auth.sign_in(folder, MANAGER[0], MANAGER[2])

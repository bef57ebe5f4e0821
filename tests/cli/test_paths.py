"""Path mistakes with `init` and `--vault` get one plain sentence (exit 1), never a crash
report, and never a vault quietly made somewhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.conftest import MANAGER

INIT = ["--org", "Org Aid", "--refuge", "Birch House", "--user", "mira", "--passphrase-stdin"]


def _missing_parent(parent: Path) -> str:
    return (
        f"The folder {parent} does not exist. Check the path for a typing mistake, "
        "or make that folder first.\n"
    )


def _no_crash_report(cli: Cli) -> None:
    logs = Path(cli.env["REFUGE_DESK_LOG_DIR"])
    assert list(logs.glob("crash-*")) == []


@pytest.fixture
def some_file(tmp_path: Path) -> Path:
    path = tmp_path / "some-file.txt"
    path.write_text("not a vault", encoding="utf-8")
    return path


@pytest.mark.parametrize("how", ["init", "--vault"])
def test_a_file_given_as_the_vault_folder(cli: Cli, some_file: Path, how: str) -> None:
    args = ["init", some_file, *INIT] if how == "init" else ["--vault", some_file]
    result = cli(*args, stdin=[MANAGER[2]])
    assert (result.returncode, result.stderr) == (1, f"{some_file} is not a folder.\n")
    assert some_file.read_text(encoding="utf-8") == "not a vault"
    _no_crash_report(cli)


@pytest.mark.parametrize("how", ["init", "--vault"])
def test_a_folder_inside_a_file(cli: Cli, some_file: Path, how: str) -> None:
    target = some_file / "v"
    args = ["init", target, *INIT] if how == "init" else ["--vault", target]
    result = cli(*args, stdin=[MANAGER[2]])
    assert result.returncode == 1
    assert result.stderr == f"{some_file} is not a folder, so there can be no vault in {target}.\n"
    _no_crash_report(cli)


@pytest.mark.parametrize("how", ["init", "--vault"])
def test_missing_parents_are_refused_naming_the_parent(cli: Cli, tmp_path: Path, how: str) -> None:
    target = tmp_path / "Documnets" / "refuge" / "vault"
    args = ["init", target, *INIT] if how == "init" else ["--vault", target]
    result = cli(*args, stdin=[MANAGER[2]])
    assert (result.returncode, result.stderr) == (1, _missing_parent(target.parent))
    assert not (tmp_path / "Documnets").exists()
    _no_crash_report(cli)


def test_vault_on_a_folder_of_other_things_is_refused_before_any_window(
    cli: Cli, tmp_path: Path
) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "beach.jpg").write_bytes(b"\xff\xd8")
    result = cli("--vault", photos)
    assert result.returncode == 1
    assert result.stderr == f"{photos} is not empty. Choose an empty folder for a new vault.\n"
    assert [p.name for p in photos.iterdir()] == ["beach.jpg"]


def test_init_in_an_existing_empty_folder_still_works(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "made-by-her"
    folder.mkdir()
    result = cli("init", folder, *INIT, stdin=[MANAGER[2]])
    assert result.returncode == 0, result.stderr
    assert (folder / "vault.db").is_file()

"""Where a new vault may be made: its parent must exist, a file is never taken for a folder,
and the vault is claimed from the moment its folder is made, so two makers racing for one
missing folder cannot both win and a failed attempt leaves nothing behind."""

from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from refuge_desk.domain.errors import VaultError, VaultInUse
from refuge_desk.services import auth
from refuge_desk.store import fs, vault
from refuge_desk.store.vault import VaultFolder
from tests.conftest import MANAGER, ORG

HOLD_NEW = """
import sys
from refuge_desk.store.vault import VaultFolder
folder = VaultFolder(sys.argv[1])
print("made" if folder.claim_new() else "taken", flush=True)
sys.stdin.readline()
"""


def _refusal(target: Path) -> str:
    with pytest.raises(VaultError) as err:
        vault.create(VaultFolder(target))
    return str(err.value)


def test_a_missing_parent_is_refused_naming_it_and_nothing_is_made(tmp_path: Path) -> None:
    target = tmp_path / "Desktop" / "refgue" / "vault"
    assert _refusal(target) == (
        f"The folder {target.parent} does not exist. Check the path for a typing mistake, "
        "or make that folder first."
    )
    assert list(tmp_path.iterdir()) == []


def test_a_file_is_not_taken_for_a_folder(tmp_path: Path) -> None:
    some_file = tmp_path / "some-file.txt"
    some_file.write_text("her notes", encoding="utf-8")
    assert _refusal(some_file) == f"{some_file} is not a folder."
    for target in (some_file / "v", some_file / "v" / "w"):
        assert _refusal(target) == (
            f"{some_file} is not a folder, so there can be no vault in {target}."
        )
    assert list(tmp_path.iterdir()) == [some_file]
    assert some_file.read_text(encoding="utf-8") == "her notes"


def test_a_new_vault_stays_claimed_by_its_maker_until_released(tmp_path: Path) -> None:
    folder = VaultFolder(tmp_path / "vault")
    new = vault.create(folder)
    new.close()
    assert folder.claimed and new.made_folder
    with pytest.raises(VaultInUse):
        VaultFolder(folder.path).acquire()
    folder.release()
    again = VaultFolder(folder.path)
    again.acquire()
    again.release()


def test_two_makers_racing_for_one_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "vault"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_NEW, str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "made"
        with pytest.raises(VaultInUse):
            vault.create(VaultFolder(target))
        # The other maker's folder and lock are left alone.
        assert [p.name for p in target.iterdir()] == ["vault.lock"]
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    # It went away without making a vault: the empty folder can be used now.
    folder = VaultFolder(target)
    new = vault.create(folder)
    assert not new.made_folder
    new.close()
    folder.release()


def test_a_vault_made_meanwhile_by_another_is_never_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "vault"
    late = VaultFolder(target)
    late.check_new()  # as the wizard's page does, before she has typed everything
    first = VaultFolder(target)
    session, _key = auth.setup_vault(first, ORG, *MANAGER)
    session.close()
    first.release()
    before = (target / "keyslots.json").read_bytes()
    with pytest.raises(VaultError, match="already holds a vault"):
        auth.setup_vault(late, ORG, "late", "Late Comer", "pebble harbour violin crane")
    assert (target / "keyslots.json").read_bytes() == before
    assert not late.claimed


@pytest.mark.parametrize("winner_makes", ["a vault", "other files"])
def test_the_loser_of_a_race_touches_nothing_of_the_winners(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, winner_makes: str
) -> None:
    """The other side finishes between the loser's first look and its lock: the real
    operations, interleaved at that moment, so the check under the lock is what refuses."""
    target = tmp_path / "vault"
    real_check = VaultFolder.check_new
    late = VaultFolder(target)
    looks = 0

    def winner_finishes_after_the_first_look(self: VaultFolder) -> None:
        nonlocal looks
        looks += self is late
        real_check(self)
        if self is late and looks == 1:
            if winner_makes == "a vault":
                winner = VaultFolder(target)
                session, _key = auth.setup_vault(winner, ORG, *MANAGER)
                session.close()
                winner.release()
            else:
                target.mkdir()
                (target / "holiday.jpg").write_bytes(b"\xff\xd8")

    monkeypatch.setattr(VaultFolder, "check_new", winner_finishes_after_the_first_look)
    with pytest.raises(VaultError) as err:
        vault.create(late)
    monkeypatch.undo()
    assert looks == 2  # it did look again, under the lock
    assert not late.claimed
    if winner_makes == "a vault":
        assert str(err.value) == f"{target} already holds a vault."
        assert {"vault.db", "keyslots.json"} <= {p.name for p in target.iterdir()}
        auth.sign_in(VaultFolder(target), MANAGER[0], MANAGER[2]).close()  # still whole
    else:
        assert "is not empty" in str(err.value)
        assert [p.name for p in target.iterdir()] == ["holiday.jpg"]  # not even a lock file


def _disk_full(*_args: Any) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("folder_was_there", [False, True])
def test_a_failed_set_up_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder_was_there: bool
) -> None:
    target = tmp_path / "vault"
    if folder_was_there:
        target.mkdir()
    folder = VaultFolder(target)
    monkeypatch.setattr(fs, "atomic_write", _disk_full)
    with pytest.raises(VaultError, match="could not be written"):
        auth.setup_vault(folder, ORG, *MANAGER)
    assert not folder.claimed
    if folder_was_there:
        assert list(target.iterdir()) == []
    else:
        assert not target.exists()

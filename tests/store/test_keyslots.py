"""Key slots: Argon2id + AES-GCM wrapping of the data key, and the keyslots.json file."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from refuge_desk.domain.errors import VaultCorrupt, WrongCredentials
from refuge_desk.store.fs import atomic_write
from refuge_desk.store.keyslots import KeySlotFile, new_recovery_key

PASS = "velvet harbour quince lamp"


@pytest.fixture
def data_key() -> bytes:
    return secrets.token_bytes(32)


def _file_with_user(data_key: bytes, user_id: int = 7, username: str = "amelia.k") -> KeySlotFile:
    slots = KeySlotFile(vault_id="vault-a")
    slots.set_user_slot(user_id, username, PASS, data_key)
    return slots


def test_user_slot_round_trip(data_key: bytes) -> None:
    slots = _file_with_user(data_key)
    slot, key = slots.unwrap_user("amelia.k", PASS)
    assert bytes(key) == data_key
    assert slot.user_id == 7
    # The user name is matched as typed by a person: case and spaces around it do not matter.
    _, again = slots.unwrap_user("  Amelia.K ", PASS)
    assert bytes(again) == data_key


def test_wrong_passphrase_and_unknown_user_raise_the_same_error(data_key: bytes) -> None:
    slots = _file_with_user(data_key)
    with pytest.raises(WrongCredentials) as wrong_pass:
        slots.unwrap_user("amelia.k", PASS + "x")
    with pytest.raises(WrongCredentials) as unknown:
        slots.unwrap_user("nobody", PASS)
    assert str(wrong_pass.value) == str(unknown.value) == "Wrong user name or passphrase."


def test_slot_moved_to_another_user_fails(data_key: bytes) -> None:
    slots = _file_with_user(data_key, user_id=7)
    slots.slots[0].user_id = 8  # e.g. someone edits keyslots.json to take over another account
    with pytest.raises(WrongCredentials):
        slots.unwrap_user("amelia.k", PASS)


def test_slot_moved_to_another_vault_fails(data_key: bytes) -> None:
    slots = _file_with_user(data_key)
    other = KeySlotFile(vault_id="vault-b", slots=list(slots.slots))
    with pytest.raises(WrongCredentials):
        other.unwrap_user("amelia.k", PASS)


def test_slot_edited_in_the_file_fails(tmp_path: Path, data_key: bytes) -> None:
    path = tmp_path / "keyslots.json"
    _file_with_user(data_key, user_id=7).save(path)
    raw = json.loads(path.read_text())
    raw["slots"][0]["user_id"] = 1
    path.write_text(json.dumps(raw))
    with pytest.raises(WrongCredentials):
        KeySlotFile.load(path).unwrap_user("amelia.k", PASS)


def test_recovery_key_accepts_dashes_spaces_and_lowercase(data_key: bytes) -> None:
    slots = KeySlotFile(vault_id="vault-a")
    recovery = new_recovery_key()
    assert len(recovery.split("-")) == 8
    slots.set_recovery_slot(recovery, data_key)
    plain = recovery.replace("-", "")
    for typed in (
        recovery,
        plain,
        recovery.lower(),
        recovery.replace("-", " "),
        " ".join(plain[i : i + 2] for i in range(0, len(plain), 2)).lower(),
    ):
        assert bytes(slots.unwrap_recovery(typed)) == data_key
    with pytest.raises(WrongCredentials):
        slots.unwrap_recovery(new_recovery_key())


def test_saved_file_has_strong_argon2_params_and_no_names(tmp_path: Path, data_key: bytes) -> None:
    path = tmp_path / "keyslots.json"
    slots = _file_with_user(data_key, username="zainab.rahman")
    slots.set_user_slot(8, "Oksana_Kovalenko", PASS, data_key)
    slots.set_recovery_slot(new_recovery_key(), data_key)
    slots.save(path)
    text = path.read_text(encoding="utf-8")
    for name in ("zainab", "rahman", "oksana", "kovalenko"):
        assert name not in text.casefold()
    raw = json.loads(text)
    assert len(raw["slots"]) == 3
    for slot in raw["slots"]:
        assert slot["kdf"]["name"] == "argon2id"
        assert slot["kdf"]["memory_kib"] >= 64 * 1024
        assert slot["kdf"]["iterations"] >= 3
    loaded = KeySlotFile.load(path)
    assert bytes(loaded.unwrap_user("oksana_kovalenko", PASS)[1]) == data_key


def _valid_text(data_key: bytes) -> str:
    slots = _file_with_user(data_key)
    return json.dumps(
        {"format": 1, "vault_id": slots.vault_id, "slots": [s.to_json() for s in slots.slots]}
    )


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # truncated
        lambda text: "",  # emptied
        lambda text: "\x00" * 64,  # zeroed by a crash
        lambda text: "[]",  # valid JSON, wrong shape
        lambda text: text.replace('"format": 1', '"format": 99'),
        lambda text: text.replace('"nonce": "', '"nonce": "!!'),  # bad base64
        lambda text: text.replace('"memory_kib": 65536', '"memory_kib": 1'),  # weakened
    ],
    ids=["truncated", "empty", "zeroed", "wrong-shape", "format", "base64", "weakened"],
)
def test_damaged_keyslots_file_is_refused_plainly(
    tmp_path: Path, data_key: bytes, damage: object
) -> None:
    path = tmp_path / "keyslots.json"
    path.write_text(damage(_valid_text(data_key)), encoding="utf-8")  # type: ignore[operator]
    with pytest.raises(VaultCorrupt) as err:
        KeySlotFile.load(path)
    assert str(path) in str(err.value)
    assert "damaged" in str(err.value)


def test_not_utf8_keyslots_file_is_refused_plainly(tmp_path: Path) -> None:
    path = tmp_path / "keyslots.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(VaultCorrupt, match="damaged"):
        KeySlotFile.load(path)


def test_missing_keyslots_file_is_refused_plainly(tmp_path: Path) -> None:
    path = tmp_path / "keyslots.json"
    with pytest.raises(VaultCorrupt) as err:
        KeySlotFile.load(path)
    assert str(err.value) == f"The key file {path} is missing."


def test_atomic_write_replaces_and_leaves_no_temp_files(tmp_path: Path, data_key: bytes) -> None:
    path = tmp_path / "keyslots.json"
    path.write_text("old")
    slots = _file_with_user(data_key)
    slots.save(path)
    slots.set_recovery_slot(new_recovery_key(), data_key)
    slots.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["keyslots.json"]
    assert len(KeySlotFile.load(path).slots) == 2
    assert path.stat().st_mode & 0o077 == 0  # only the owner may read key material


def test_atomic_write_failure_leaves_target_and_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()  # os.replace cannot put a file over a directory
    (target / "inside").write_text("x")
    with pytest.raises(OSError):
        atomic_write(target, b"new content")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
    assert (target / "inside").read_text() == "x"

"""Damaged, cut-short, wrong-key and newer backups: refused plainly, and no vault is made."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from refuge_desk.domain.errors import UserError, ValidationError
from refuge_desk.services.export import backup, keys, restore, verify
from refuge_desk.store import migrations
from tests.services.export.conftest import Seeded, rewrite

NEW_PASSPHRASE = "walnut orchid lighthouse drizzle"


def _refused(seeded: Seeded, path: Path, target: Path, identity: str | None = None) -> str:
    """Restore must fail with plain sentences and leave no folder behind."""
    with pytest.raises(ValidationError) as caught:
        restore.restore(path, identity or seeded.identity, target, "boss", "", NEW_PASSPHRASE)
    assert not target.exists()
    assert caught.value.problems[-1] == "Nothing was restored."
    return " ".join(caught.value.problems)


@pytest.fixture
def made(seeded: Seeded) -> Path:
    return backup.make_backup(seeded.session, seeded.dest).path


def test_a_whole_backup_verifies(seeded: Seeded, made: Path) -> None:
    assert verify.verify_backup(made, seeded.identity) == []


def test_one_changed_byte_is_refused(seeded: Seeded, made: Path, tmp_path: Path) -> None:
    data = bytearray(made.read_bytes())
    data[len(data) // 2] ^= 0x01
    made.write_bytes(bytes(data))
    problems = verify.verify_backup(made, seeded.identity)
    assert problems == [
        "The backup file is damaged: it is cut short or was changed after it was made, "
        "so it cannot be trusted."
    ]
    assert "damaged" in _refused(seeded, made, tmp_path / "new")


@pytest.mark.parametrize("keep", [0.5, 0.98])
def test_a_cut_short_file_is_refused(
    seeded: Seeded, made: Path, tmp_path: Path, keep: float
) -> None:
    data = made.read_bytes()
    made.write_bytes(data[: int(len(data) * keep)])
    assert "cut short" in " ".join(verify.verify_backup(made, seeded.identity))
    assert "cut short" in _refused(seeded, made, tmp_path / "new")


def test_the_wrong_key_is_refused(seeded: Seeded, made: Path, tmp_path: Path) -> None:
    other, _ = keys.new_identity()
    assert "different key" in " ".join(verify.verify_backup(made, other))
    assert "different key" in _refused(seeded, made, tmp_path / "new", other)
    assert "not a backup key" in verify.verify_backup(made, "AGE-SECRET-KEY-1NOPE")[0]


def test_a_file_that_is_not_a_backup_is_refused(seeded: Seeded, tmp_path: Path) -> None:
    bogus = tmp_path / "holiday.age"
    bogus.write_bytes(b"PK\x03\x04 just a zip file" * 20)
    assert "not a Refuge Desk backup" in verify.verify_backup(bogus, seeded.identity)[0]
    assert verify.verify_backup(tmp_path / "missing.age", seeded.identity)[0].startswith(
        "The backup file"
    )


def _manifest_change(
    change: Callable[[dict[str, object]], None],
) -> Callable[[dict[str, bytes]], None]:
    def apply(members: dict[str, bytes]) -> None:
        manifest = json.loads(members["manifest.json"])
        change(manifest)
        members["manifest.json"] = json.dumps(manifest).encode()

    return apply


@pytest.mark.parametrize(
    ("field", "value"),
    [("schema_version", migrations.LATEST + 1), ("format_version", 2)],
)
def test_a_backup_from_a_newer_version_is_refused(
    seeded: Seeded, made: Path, tmp_path: Path, field: str, value: int
) -> None:
    rewrite(
        made,
        seeded.identity,
        seeded.recipient,
        _manifest_change(lambda m: m.update({field: value})),
    )
    problems = verify.verify_backup(made, seeded.identity)
    assert len(problems) == 1 and "made by a newer version of Refuge Desk" in problems[0]
    assert "newer version" in _refused(seeded, made, tmp_path / "new")


def test_counts_hashes_and_rows_that_do_not_match_the_manifest(
    seeded: Seeded, made: Path, tmp_path: Path
) -> None:
    """A backup re-made by someone holding the public key: whole as a file, wrong inside."""

    def change(members: dict[str, bytes]) -> None:
        manifest = json.loads(members["manifest.json"])
        manifest["tables"]["rooms"] += 1
        members["manifest.json"] = json.dumps(manifest).encode()
        members["tables/children.jsonl"] += b'{"id": 999}\n'
        members["tables/abusers.jsonl"] = b"not json\n"
        members["extra.bin"] = b"?"
        del members["tables/drafts.jsonl"]

    rewrite(made, seeded.identity, seeded.recipient, change)
    problems = verify.verify_backup(made, seeded.identity)
    assert "Table rooms has 12 rows, but the manifest says 13." in problems
    assert (
        "tables/children.jsonl does not match its checksum (SHA-256) in the manifest." in problems
    )
    assert "tables/abusers.jsonl does not match its checksum (SHA-256) in the manifest." in problems
    assert "The backup is missing tables/drafts.jsonl." in problems
    assert "The backup holds an unexpected file, extra.bin." in problems
    _refused(seeded, made, tmp_path / "new")


def test_rows_that_do_not_fit_the_schema_leave_nothing_behind(
    seeded: Seeded, made: Path, tmp_path: Path
) -> None:
    """Consistent with its own manifest, yet a child points at no resident: all rolled back."""
    import hashlib

    def change(members: dict[str, bytes]) -> None:
        manifest = json.loads(members["manifest.json"])
        first = json.loads(members["tables/children.jsonl"].splitlines()[0])
        first.update(id=9999, resident_id=123456)
        data = members["tables/children.jsonl"] + json.dumps(first).encode() + b"\n"
        members["tables/children.jsonl"] = data
        manifest["tables"]["children"] += 1
        manifest["members"]["tables/children.jsonl"] = hashlib.sha256(data).hexdigest()
        members["manifest.json"] = json.dumps(manifest).encode()

    rewrite(made, seeded.identity, seeded.recipient, change)
    assert verify.verify_backup(made, seeded.identity) == []
    target = tmp_path / "empty"
    target.mkdir()
    with pytest.raises(UserError, match="could not be put back"):
        restore.restore(made, seeded.identity, target, "boss", "", NEW_PASSPHRASE)
    assert list(target.iterdir()) == []  # her empty folder is left empty


def test_restore_refuses_a_folder_that_is_not_empty(
    seeded: Seeded, made: Path, tmp_path: Path
) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "letter.txt").write_text("keep me")
    with pytest.raises(UserError, match="not empty"):
        restore.restore(made, seeded.identity, busy, "boss", "", NEW_PASSPHRASE)
    assert [p.name for p in busy.iterdir()] == ["letter.txt"]
    with pytest.raises(ValidationError):  # a weak passphrase is refused before any work
        restore.restore(made, seeded.identity, tmp_path / "new", "boss", "", "password")
    assert not (tmp_path / "new").exists()

"""A full disk or a pulled drive in the middle of a write: old data whole, a plain sentence.

The vault's own disk fills up (SQLite's ``max_page_count``, which gives the same SQLITE_FULL
a real full disk does); the OS calls behind the key file and the files she saves fail with
ENOSPC/EIO (tests/faults/disk.py). Backups are covered in tests/services/export.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlcipher3

from refuge_desk.domain.errors import UserError, VaultError
from refuge_desk.domain.residents import Resident, Status
from refuge_desk.domain.roles import Role
from refuge_desk.services import drafts, notes, residents, sar, staff, stats
from refuge_desk.services.export import backup, keys, restore
from refuge_desk.services.session import Session
from refuge_desk.store import keyfile, vault
from refuge_desk.store.db import Database, DatabaseError
from tests.conftest import MANAGER
from tests.faults.disk import EIO, ENOSPC, failing
from tests.faults.state import files, row_counts

KEY_FILE_MESSAGE = (
    "The key file could not be written (is the disk full or read-only?). Nothing was changed."
)
NEW_PASS = "lilac trombone meadow vortex"
BIG = "Z" * 15_000  # under the 20,000-character limit, over three pages


def _plain(message: str) -> None:
    assert message.strip() and "Traceback" not in message and "Errno" not in message


def _resident(session: Session) -> int:
    saved = residents.save(
        session,
        Resident(
            full_name="Hana Kowalska", status=Status.RESIDENT, arrival_date=dt.date(2026, 11, 1)
        ),
    )
    assert saved.id is not None
    notes.add(session, saved.id, "First meeting went well.")
    return saved.id


def _vault_full(db: Database) -> None:
    db.query(f"PRAGMA max_page_count = {int(db.scalar('PRAGMA page_count'))}")


def _space_again(db: Database) -> None:
    db.query("PRAGMA max_page_count = 1073741823")


WRITES: dict[str, Callable[[Session, int], object]] = {
    "resident": lambda s, rid: residents.save(s, Resident(full_name="Big Record", notes=BIG)),
    "case note": lambda s, rid: notes.add(s, rid, BIG),
    "draft": lambda s, rid: drafts.park(s, drafts.RESIDENT, rid, {"notes": BIG}),
}


@pytest.mark.parametrize("what", sorted(WRITES))
def test_a_full_vault_disk_keeps_every_row_and_the_vault_goes_on(
    manager_session: Session, what: str
) -> None:
    session = manager_session
    rid = _resident(session)
    stored = residents.get(session, rid)  # a view is audited: read before counting
    before = row_counts(session.db)
    _vault_full(session.db)
    with pytest.raises((UserError, DatabaseError)):
        WRITES[what](session, rid)
    assert row_counts(session.db) == before
    assert residents.get(session, rid) == stored
    assert session.db.integrity_problems(read_rows=True) == []
    _space_again(session.db)  # she frees some space: the same save now works
    WRITES[what](session, rid)
    assert row_counts(session.db) != before


@pytest.mark.parametrize("what", sorted(WRITES))
def test_a_full_vault_disk_is_a_plain_sentence(manager_session: Session, what: str) -> None:
    rid = _resident(manager_session)
    _vault_full(manager_session.db)
    with pytest.raises(UserError) as caught:
        WRITES[what](manager_session, rid)
    _plain(str(caught.value))


KEY_FAULTS = [(ENOSPC, "write"), (EIO, "write"), (EIO, "fsync"), (EIO, "replace")]


@pytest.mark.parametrize(("code", "at"), KEY_FAULTS)
def test_a_failing_key_file_write_leaves_the_old_file_and_no_temp(
    manager_session: Session, code: int, at: str
) -> None:
    session = manager_session
    folder = session.folder.path
    before_rows, before_files = row_counts(session.db), files(folder)
    with failing(folder, code, at, after=64) as disk, pytest.raises(VaultError) as caught:
        staff.add(session, "nadia", "Nadia Noor", Role.WORKER, NEW_PASS)
    assert disk.failed and str(caught.value) == KEY_FILE_MESSAGE
    assert files(folder) == before_files  # keyslots.json as it was, no .tmp left
    assert row_counts(session.db) == before_rows
    assert keyfile.load(session.folder.keyslots_path).user_slot("nadia") is None


def test_a_failing_folder_sync_after_the_rename_keeps_the_old_passphrase(
    manager_session: Session,
) -> None:
    session = manager_session
    with failing(session.folder.path, EIO, "fsync_dir") as disk, pytest.raises(VaultError):
        staff.change_own_passphrase(session, MANAGER[2], NEW_PASS)
    assert disk.failed
    on_disk = keyfile.load(session.folder.keyslots_path)
    slot = on_disk.user_slot(MANAGER[0])
    assert slot is not None
    on_disk.open_slot(slot, MANAGER[2].encode())  # WrongCredentials if she were locked out


def _sar_pdf(s: Session, rid: int, path: Path) -> object:
    return sar.export(s, rid, path.with_suffix(".pdf"))


def _sar_json(s: Session, rid: int, path: Path) -> object:
    return sar.export(s, rid, path.with_suffix(".json"))


def _stats_csv(s: Session, rid: int, path: Path) -> object:
    return stats.export_csv(s, dt.date(2026, 1, 1), dt.date(2026, 12, 31), path.with_suffix(".csv"))


OUTPUTS = {
    "sar pdf": (_sar_pdf, ".pdf"),
    "sar json": (_sar_json, ".json"),
    "csv": (_stats_csv, ".csv"),
}
FILE_FAULTS = [(ENOSPC, "write"), (EIO, "write"), (EIO, "fsync"), (EIO, "replace")]


@pytest.mark.parametrize("output", sorted(OUTPUTS))
@pytest.mark.parametrize(("code", "at"), FILE_FAULTS)
def test_a_saved_file_is_whole_or_not_there(
    manager_session: Session, tmp_path: Path, output: str, code: int, at: str
) -> None:
    session = manager_session
    rid = _resident(session)
    usb = tmp_path / "usb"
    usb.mkdir()
    make, suffix = OUTPUTS[output]
    target = (usb / "out").with_suffix(suffix)
    target.write_bytes(b"yesterday's file")  # saving over an older copy
    audit = row_counts(session.db)["audit_log"]
    with failing(usb, code, at, after=100) as disk, pytest.raises(UserError) as caught:
        make(session, rid, usb / "out")
    assert disk.failed
    _plain(str(caught.value))
    assert str(target) in str(caught.value)
    assert sorted(p.name for p in usb.iterdir()) == [target.name]
    assert target.read_bytes() == b"yesterday's file"
    assert row_counts(session.db)["audit_log"] == audit  # nothing recorded as saved
    make(session, rid, usb / "out")  # the drive is back
    assert target.read_bytes() != b"yesterday's file"


@pytest.fixture
def made_backup(manager_session: Session, tmp_path: Path) -> tuple[Path, str]:
    _resident(manager_session)
    identity = keys.generate_for(manager_session)
    dest = tmp_path / "usb"
    dest.mkdir()
    return backup.make_backup(manager_session, dest).path, identity


def _restore(made: tuple[Path, str], target: Path) -> restore.RestoreResult:
    return restore.restore(made[0], made[1], target, "mira2", "Mira Two", NEW_PASS)


@pytest.mark.parametrize(("code", "at"), [(ENOSPC, "write"), (EIO, "replace")])
def test_restore_onto_a_failing_drive_leaves_nothing(
    made_backup: tuple[Path, str], tmp_path: Path, code: int, at: str
) -> None:
    target, before = tmp_path / "restored", made_backup[0].read_bytes()
    with failing(tmp_path, code, at) as disk, pytest.raises(UserError) as caught:
        _restore(made_backup, target)
    assert disk.failed
    _plain(str(caught.value))
    assert not target.exists()
    assert made_backup[0].read_bytes() == before


class _FullDisk(Database):
    """The new vault's drive fills up after a few pages."""

    def __init__(self, path: Path, key: bytes | bytearray) -> None:
        super().__init__(path, key)
        self.query("PRAGMA max_page_count = 60")


def test_restore_onto_a_full_disk_leaves_nothing(
    made_backup: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vault, "Database", _FullDisk)
    target = tmp_path / "restored"
    with pytest.raises(UserError) as caught:
        _restore(made_backup, target)
    _plain(str(caught.value))
    assert "nothing was restored" in str(caught.value).lower()
    assert not target.exists()


def test_restore_onto_a_full_disk_says_the_disk_is_full(
    made_backup: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vault, "Database", _FullDisk)
    with pytest.raises(UserError) as caught:
        _restore(made_backup, tmp_path / "restored")
    assert "full" in str(caught.value)


@pytest.mark.skipif(
    importlib.util.find_spec("refuge_desk.services.retention") is None,
    reason="services/retention.py (purge) is not written yet",
)
def test_purge_cut_off_by_a_pulled_drive_keeps_her_whole_record(
    manager_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleting needs no new pages, so the drive goes at purge's last write instead."""
    from refuge_desk.services import retention
    from refuge_desk.store import meta_repo

    session = manager_session
    rid = _resident(session)
    her = residents.get(session, rid)
    her.status = Status.MOVED_ON
    her.move_on_date = dt.date(2026, 11, 20)
    her = residents.save(session, her)
    before = row_counts(session.db)

    def pulled(*_args: object) -> None:
        raise sqlcipher3.OperationalError("disk I/O error")

    with monkeypatch.context() as m:
        m.setattr(meta_repo, "put", pulled)
        with pytest.raises((UserError, DatabaseError)):
            retention.purge(session, rid, her.reference)
    assert row_counts(session.db) == before
    assert residents.get(session, rid) == her
    assert session.db.integrity_problems(read_rows=True) == []
    assert retention.purge(session, rid, her.reference) == her.reference  # the drive is back

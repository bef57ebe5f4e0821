"""Backups fail plainly and leave older backups whole; pruning touches only this vault's."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
from pathlib import Path

import pytest

from refuge_desk.domain.errors import PermissionDenied, UserError
from refuge_desk.services.export import backup, keys
from refuge_desk.store import meta_repo
from tests.conftest import VOLUNTEER, WORKER, FakeClock, sign_in_as
from tests.services.export.conftest import Seeded


def _clock(seeded: Seeded) -> FakeClock:
    clock = seeded.session.clock
    assert isinstance(clock, FakeClock)
    return clock


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def _fail_after(monkeypatch: pytest.MonkeyPatch, budget: int, code: int) -> None:
    """The drive takes ``budget`` bytes, then refuses (full disk, pulled stick)."""
    real = backup._os_write
    left = [budget]

    def write(fd: int, data: memoryview) -> int:
        if left[0] <= 0:
            raise OSError(code, os.strerror(code))
        n = real(fd, data[: left[0]])
        left[0] -= n
        return n

    monkeypatch.setattr(backup, "_os_write", write)


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.ENOSPC, "the drive is full"), (errno.EIO, "removed or stopped working")],
)
def test_a_full_or_pulled_drive_leaves_older_backups_and_no_half_file(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    older = backup.make_backup(seeded.session, seeded.dest)
    assert older.size > 3000
    before = _digests(seeded.dest)
    _clock(seeded).advance(3600)
    _fail_after(monkeypatch, 2000, code)

    with pytest.raises(UserError) as caught:
        backup.make_backup(seeded.session, seeded.dest)

    message = str(caught.value)
    assert words in message and "Older backups there were left as they were." in message
    assert "Traceback" not in message and "Errno" not in message
    assert _digests(seeded.dest) == before  # the older one intact, nothing else
    status = backup.status(seeded.session)
    assert status.last_failure == _clock(seeded)() and status.failure_reason == message
    assert status.last_success is not None and status.last_success < status.last_failure


def test_a_read_back_that_differs_deletes_the_new_file(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup, "_read_back", lambda path: "0" * 64)
    with pytest.raises(UserError, match="read back"):
        backup.make_backup(seeded.session, seeded.dest)
    assert list(seeded.dest.iterdir()) == []


def test_a_missing_folder_or_key_is_a_plain_recorded_failure(
    seeded: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(UserError, match="is not there"):
        backup.make_backup(seeded.session, tmp_path / "unplugged")
    assert not (tmp_path / "unplugged").exists()
    with pytest.raises(UserError, match="No backup folder is set"):
        backup.make_backup(seeded.session)
    # No backup key signed into the statements (the case database's copy decides nothing).
    monkeypatch.setattr(keys, "recipient", lambda session: "")
    with pytest.raises(UserError, match="no backup key"):
        backup.make_backup(seeded.session, seeded.dest)
    assert list(seeded.dest.iterdir()) == []
    assert "no backup key" in backup.status(seeded.session).failure_reason


def test_volunteers_may_not_back_up_and_workers_may(seeded: Seeded) -> None:
    clock = _clock(seeded)
    volunteer = sign_in_as(seeded.session.folder.path, VOLUNTEER, clock)
    try:
        with pytest.raises(PermissionDenied, match="does not allow"):
            backup.make_backup(volunteer, seeded.dest)
        assert not backup.backup_due(volunteer, clock())
    finally:
        volunteer.close()
    assert list(seeded.dest.iterdir()) == []
    worker = sign_in_as(seeded.session.folder.path, WORKER, clock)
    try:
        made = backup.make_backup(worker, seeded.dest)
    finally:
        worker.close()
    assert made.path.parent == seeded.dest


def test_keep_n_prunes_only_this_vaults_backups(seeded: Seeded) -> None:
    session, dest = seeded.session, seeded.dest
    clock = _clock(seeded)
    vault_id = meta_repo.get(session.db, "vault_id")
    tag = backup.vault_tag(vault_id)
    others = {
        "refuge-desk-0badc0de-20200101-000000.age": b"another vault's backup",
        f"refuge-desk-{tag}-20200101-000000.age.txt": b"not a backup name",
        f"my-refuge-desk-{tag}-20200101-000000.age": b"not a backup name either",
        ".refuge-desk-0badc0de-20200101-000000.age.partial": b"another vault's partial",
        "notes.txt": b"keep me",
    }
    for name, data in others.items():
        (dest / name).write_bytes(data)
    backup.save_settings(session, dest, interval_days=1, keep=3)
    made = []
    for _ in range(5):
        made.append(backup.make_backup(session).path)
        clock.advance(86400)

    assert backup.backups_of(dest, vault_id) == made[-3:]
    for name, data in others.items():
        assert (dest / name).read_bytes() == data


def test_two_backups_in_one_second_both_kept_in_order(seeded: Seeded) -> None:
    first = backup.make_backup(seeded.session, seeded.dest)
    second = backup.make_backup(seeded.session, seeded.dest)
    assert first.path != second.path and first.path.exists()
    vault_id = meta_repo.get(seeded.session.db, "vault_id")
    assert backup.backups_of(seeded.dest, vault_id) == [first.path, second.path]


def test_a_stale_partial_of_this_vault_is_cleared_by_the_next_backup(seeded: Seeded) -> None:
    vault_id = meta_repo.get(seeded.session.db, "vault_id")
    name = backup.backup_name(vault_id, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    stale = seeded.dest / f".{name}.partial"
    stale.write_bytes(b"left by a killed backup")
    made = backup.make_backup(seeded.session, seeded.dest)
    assert sorted(seeded.dest.iterdir()) == [made.path]
    assert oct(made.path.stat().st_mode & 0o777) == "0o600"


def test_due_when_never_made_or_older_than_the_interval(seeded: Seeded) -> None:
    session, clock = seeded.session, _clock(seeded)
    assert not backup.backup_due(session, clock())  # no folder set: cannot run by itself
    backup.save_settings(session, seeded.dest, interval_days=2, keep=14)
    assert backup.status(session).overdue and backup.backup_due(session, clock())
    backup.make_backup(session)
    assert not backup.backup_due(session, clock() + dt.timedelta(days=1))
    assert backup.backup_due(session, clock() + dt.timedelta(days=2))
    with pytest.raises(UserError, match="every 1 to 90 days"):
        backup.save_settings(session, seeded.dest, interval_days=0, keep=14)


def test_progress_counts_every_row_and_a_cancel_leaves_nothing(seeded: Seeded) -> None:
    seen: list[tuple[int, int]] = []
    made = backup.make_backup(
        seeded.session, seeded.dest, progress=lambda d, t: seen.append((d, t))
    )
    total = sum(made.rows.values())
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    before = _digests(seeded.dest)
    _clock(seeded).advance(3600)

    def stop(done: int, total: int) -> None:
        if done > 0:
            raise backup.Cancelled

    with pytest.raises(backup.Cancelled):
        backup.make_backup(seeded.session, seeded.dest, progress=stop)
    assert _digests(seeded.dest) == before  # no partial, no new file
    status = backup.status(seeded.session)
    assert status.failure_reason == "" and status.last_failure is None  # a skip is no failure

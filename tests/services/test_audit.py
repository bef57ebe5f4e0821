"""The audit log's hash chain finds rows edited or deleted with a raw SQLCipher connection."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from refuge_desk.domain import dates
from refuge_desk.domain.errors import PermissionDenied, WrongCredentials
from refuge_desk.domain.residents import Resident
from refuge_desk.services import audit, auth, residents
from refuge_desk.services.session import Session
from refuge_desk.store import audit_chain, audit_repo
from refuge_desk.store.vault import VaultFolder
from tests.conftest import MANAGER, VOLUNTEER, WORKER, FakeClock, sign_in_as
from tests.raw import raw_connection


def _raw(session: Session, sql: str, params: tuple[object, ...] = ()) -> None:
    """What an intruder holding the data key could do: a second, raw connection."""
    conn = raw_connection(
        session.folder.db_path, session.data_key, isolation_level=None, timeout=5.0
    )
    try:
        conn.execute(sql, params)
    finally:
        conn.close()


def _fill(session: Session, clock: FakeClock, n: int = 6) -> None:
    for i in range(n):
        clock.advance(60)
        session.audit("test.entry", f"R-{i:04d}")


def test_an_untouched_chain_is_intact(manager_session: Session, clock: FakeClock) -> None:
    _fill(manager_session, clock)
    total = int(manager_session.db.scalar("SELECT count(*) FROM audit_log"))
    result = audit.verify(manager_session)
    assert result.ok
    assert result.count == total
    assert result.message == f"All {total} entries are intact."
    assert result.newest_hash == manager_session.db.scalar(
        "SELECT hash FROM audit_log WHERE id = ?", (total,)
    )
    # The check is itself recorded, and the chain stays whole after it.
    assert audit_repo.recent(manager_session.db, 1)[0][2] == "audit.verify"
    assert audit.verify(manager_session).count == total + 1


def test_an_edited_action_is_reported_by_entry(manager_session: Session, clock: FakeClock) -> None:
    _fill(manager_session, clock)
    target = int(manager_session.db.scalar("SELECT id FROM audit_log WHERE ref = 'R-0003'"))
    at = str(manager_session.db.scalar("SELECT at FROM audit_log WHERE id = ?", (target,)))
    _raw(manager_session, "UPDATE audit_log SET action = 'nothing.here' WHERE id = ?", (target,))
    result = audit.verify(manager_session)
    assert not result.ok
    assert result.broken_id == target
    assert result.message == (
        f"Entry {target} ({dates.stamp_text(at)}) was changed after it was written."
    )


def test_an_edit_with_its_own_hash_recomputed_breaks_the_next_link(
    manager_session: Session, clock: FakeClock
) -> None:
    _fill(manager_session, clock)
    db = manager_session.db
    row = db.query_one(
        "SELECT id, at, user_id, ref, detail, prev_hash FROM audit_log WHERE ref = 'R-0002'"
    )
    assert row is not None
    forged = audit_chain.entry_hash(row[5], row[0], row[1], row[2], "x", row[3], row[4])
    _raw(
        manager_session,
        "UPDATE audit_log SET action = 'x', hash = ? WHERE id = ?",
        (forged, row[0]),
    )
    result = audit.verify(manager_session)
    assert not result.ok
    assert result.broken_id == row[0] + 1
    assert f"entry {row[0]} was changed" in result.message


def test_a_deleted_middle_row_is_reported_as_a_gap(
    manager_session: Session, clock: FakeClock
) -> None:
    _fill(manager_session, clock)
    target = int(manager_session.db.scalar("SELECT id FROM audit_log WHERE ref = 'R-0002'"))
    _raw(manager_session, "DELETE FROM audit_log WHERE id = ?", (target,))
    result = audit.verify(manager_session)
    assert not result.ok
    assert result.broken_id == target + 1
    assert result.message == f"An entry between {target - 1} and {target + 1} was deleted."


def test_several_deleted_rows_and_the_oldest(manager_session: Session, clock: FakeClock) -> None:
    _fill(manager_session, clock)
    _raw(manager_session, "DELETE FROM audit_log WHERE id IN (4, 5, 6)")
    assert audit.verify(manager_session).message == "Entries 4 to 6 were deleted (between 3 and 7)."
    _raw(manager_session, "DELETE FROM audit_log WHERE id = 1")
    message = audit.verify(manager_session).message
    assert message.startswith("The oldest entries, before entry 2 (")


def test_removing_the_newest_entries_needs_an_outside_anchor(
    manager_session: Session, clock: FakeClock
) -> None:
    _fill(manager_session, clock)
    noted = audit.verify(manager_session).count
    _raw(manager_session, "DELETE FROM audit_log WHERE id > ?", (noted - 3,))
    assert audit.verify(manager_session).ok  # undetectable from inside the vault alone
    result = audit.verify(manager_session, expect_at_least=noted)
    assert not result.ok
    assert "the newest entries were removed" in result.message


def test_workers_and_volunteers_are_refused(
    manager_session: Session, vault_dir: Path, clock: FakeClock, tmp_path: Path
) -> None:
    for who in (WORKER, VOLUNTEER):
        s = sign_in_as(vault_dir, who, clock)
        try:
            with pytest.raises(PermissionDenied):
                audit.verify(s)
            with pytest.raises(PermissionDenied):
                audit.query(s)
            with pytest.raises(PermissionDenied):
                audit.export_csv(s, tmp_path / f"{who[0]}.csv")
            assert not (tmp_path / f"{who[0]}.csv").exists()
        finally:
            s.close()


def test_query_filters(manager_session: Session, vault_dir: Path, clock: FakeClock) -> None:
    her = residents.save(manager_session, Resident(full_name="Query Person"))
    clock.advance(86400 * 3)
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        residents.get(worker, her.id)
    finally:
        worker.close()
    views = audit.query(manager_session, reference=her.reference, action="resident.view")
    assert [(e.who, e.detail, e.action_text) for e in views] == [
        (WORKER[1], "v0", "Opened a resident's record")
    ]
    worker_id = int(manager_session.db.scalar("SELECT id FROM staff WHERE username = 'worker'"))
    mine = audit.query(manager_session, user_id=worker_id)
    assert [e.action for e in mine] == ["resident.view", "signin"]  # newest first
    today = clock().astimezone().date()
    assert {e.action for e in audit.query(manager_session, date_from=today)} == {
        "signin",
        "resident.view",
    }
    earlier = audit.query(manager_session, date_to=today - dt.timedelta(days=1))
    assert "resident.create" in [e.action for e in earlier]
    assert "resident.view" not in [e.action for e in earlier]
    page = audit.query(manager_session, limit=2, offset=1)
    assert [e.id for e in page] == [e.id for e in audit.query(manager_session)][1:3]


def test_export_csv_names_residents_by_reference_only(
    manager_session: Session, tmp_path: Path
) -> None:
    her = residents.save(manager_session, Resident(full_name="Csv Secretname"))
    residents.get(manager_session, her.id)
    out = tmp_path / "audit.csv"
    written = audit.export_csv(manager_session, out, reference=her.reference)
    raw = out.read_bytes()
    assert b"Secretname" not in raw
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == audit.CSV_HEADER
    assert [r[3] for r in rows[1:]] == ["resident.create", "resident.view"]
    assert written == 2
    assert all(r[5] == her.reference and r[2] == MANAGER[1] for r in rows[1:])
    last = manager_session.db.query_one(
        "SELECT action, ref, detail FROM audit_log ORDER BY id DESC LIMIT 1"
    )
    assert last is not None and tuple(last) == ("audit.export", "", "2 entries")


def test_failed_sign_ins_are_recorded_without_the_name_typed(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    folder = VaultFolder(vault_dir)
    for typed in ("Someone Typed Her Name", MANAGER[0]):
        clock.advance(5)
        with pytest.raises(WrongCredentials):
            auth.sign_in(folder, typed, "wrong passphrase here", clock=clock, seconds=clock.seconds)
    clock.advance(60)
    s = sign_in_as(vault_dir, WORKER, clock)
    try:
        failed = s.db.query(
            "SELECT user_id, ref, detail FROM audit_log WHERE action = 'signin.failed'"
        )
        assert [tuple(r) for r in failed] == [(None, "", "written at next sign-in")] * 2
        assert not any("Typed" in str(tuple(r)) for r in s.db.query("SELECT * FROM audit_log"))
        assert not (vault_dir / audit.FAILED_SIGNINS_FILE).exists()
        assert audit_repo.recent(s.db, 1)[0][2] == "signin"
    finally:
        s.close()
    assert audit.verify(manager_session).ok
    failed_only = audit.query(manager_session, user_id=audit.SIGNED_OUT)
    assert [e.action for e in failed_only] == ["signin.failed", "signin.failed"]


def test_resident_save_records_the_version(manager_session: Session) -> None:
    her = residents.save(manager_session, Resident(full_name="Version Person"))
    her.notes = "changed"
    residents.save(manager_session, her)
    trail = manager_session.db.query(
        "SELECT action, detail FROM audit_log WHERE ref = ? ORDER BY id", (her.reference,)
    )
    assert [tuple(r) for r in trail] == [("resident.create", "v0"), ("resident.update", "v1")]


def test_a_long_log_of_signed_entries_verifies(manager_session: Session) -> None:
    """Thousands of real, signed entries check out (benchmarks/audit.py times 100,000)."""
    db = manager_session.db
    with db.transaction():
        for i in range(3000):
            audit_repo.record(
                db,
                f"2026-11-24T10:{i % 60:02d}:00+00:00",
                manager_session.user.id,
                "resident.view",
                f"R-{i % 900:04d}",
                "v3",
                signer=manager_session.signer,
            )
    result = audit.verify(manager_session)
    assert result.ok and result.count >= 3000, result.message

"""The rota file follows every change a manager or support worker makes, is repaired at their
sign-in, and holds nothing but the rota."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from refuge_desk.domain.residents import Child, Resident, Room, Status
from refuge_desk.services import residents, rooms, settings
from refuge_desk.services.session import Session
from refuge_desk.store import rota
from tests.conftest import VOLUNTEER, WORKER, FakeClock, sign_in_as
from tests.raw import raw_connection


def _rota_rows(session: Session) -> list[tuple[object, ...]]:
    return [
        tuple(r)
        for r in session.rota_db.query(
            "SELECT reference, preferred_name, status, room_id, child_count, alerts "
            "FROM residents ORDER BY reference"
        )
    ]


def test_each_change_reaches_the_rota_at_once(manager_session: Session) -> None:
    s = manager_session
    room = rooms.save(s, Room(name="Willow", beds=3))
    her = residents.save(
        s,
        Resident(
            full_name="Farida Rahimi",
            status=Status.RESIDENT,
            arrival_date=dt.date(2026, 11, 1),
            room_id=room.id,
            children=[Child(full_name="Omid")],
        ),
    )
    assert _rota_rows(s) == [(her.reference, "Farida", "resident", room.id, 1, "")]
    her = residents.save(
        s, dataclasses.replace(her, preferred_name="Fari", alerts="Do not disclose presence")
    )
    assert _rota_rows(s) == [
        (her.reference, "Fari", "resident", room.id, 1, "Do not disclose presence")
    ]
    rooms.save(s, dataclasses.replace(room, name="Willow Room"))
    assert s.rota_db.scalar("SELECT name FROM rooms WHERE id = ?", (room.id,)) == "Willow Room"
    settings.set_auto_lock_minutes(s, 12)
    assert s.rota_db.scalar("SELECT value FROM meta WHERE key = 'auto_lock_minutes'") == "12"
    her = residents.save(
        s,
        dataclasses.replace(
            her, status=Status.MOVED_ON, move_on_date=dt.date(2026, 11, 20), room_id=None
        ),
    )
    assert _rota_rows(s) == []  # moved on: not on the rota, not in the file
    assert rota.differences(s.case_db, s.rota_db) == []


def test_a_crash_between_the_commit_and_the_rota_is_repaired_at_sign_in(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    s = manager_session
    s.case_db.after_commit = None  # as if the app died right after the commit
    her = residents.save(s, Resident(full_name="Lejla Hodžić", status=Status.REFERRAL))
    assert _rota_rows(s) == []
    s.close()
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        assert [r[0] for r in _rota_rows(worker)] == [her.reference]
    finally:
        worker.close()
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        assert [r.reference for r in residents.list_residents(volunteer)] == [her.reference]
    finally:
        volunteer.close()


def test_a_rota_changed_outside_refuge_desk_is_written_again(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    s = manager_session
    her = residents.save(s, Resident(full_name="Mariam Tesfaye", status=Status.REFERRAL))
    rota_key = bytes(s.keys.get("rota") or b"")
    s.close()
    conn = raw_connection(vault_dir / "rota.db", rota_key, isolation_level=None)
    conn.execute("UPDATE residents SET alerts = 'Wrong alert'")
    conn.execute(
        "INSERT INTO residents (id, ref_no, reference, preferred_name, status) "
        "VALUES (999, 999, 'R-0999', 'Nobody', 'resident')"
    )
    conn.close()
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        assert _rota_rows(worker) == [(her.reference, "Mariam", "referral", None, 0, "")]
    finally:
        worker.close()


def test_the_rota_file_holds_only_rota_columns(manager_session: Session) -> None:
    s = manager_session
    residents.save(
        s,
        Resident(
            full_name="Zainab Karimi",
            aliases="Zee",
            notes="Private notes",
            status=Status.REFERRAL,
        ),
    )
    text = " ".join(
        str(v)
        for t in ("residents", "staff", "rooms", "meta")
        for r in s.rota_db.query(f"SELECT * FROM {t}")
        for v in tuple(r)
    )
    assert "Zainab" in text  # her rota name: first name, as the rota shows it
    assert "Karimi" not in text and "Zee" not in text and "Private notes" not in text

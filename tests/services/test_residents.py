"""Resident records: every field round trip, children, references, validation, roles."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from refuge_desk.domain.errors import NotFound, PermissionDenied, ValidationError
from refuge_desk.domain.residents import (
    RESTRICTED_FIELDS,
    Abuser,
    Child,
    ContactSafety,
    Phone,
    Resident,
    Room,
    RotaView,
    Status,
)
from refuge_desk.services import importer, residents, rooms, staff
from refuge_desk.services.session import Session
from tests.conftest import MANAGER, VOLUNTEER, WORKER, FakeClock, sign_in_as

D = dt.date.fromisoformat


def _worker_id(session: Session) -> int:
    return next(u.id for u in staff.list_staff(session) if u.username == WORKER[0])


def _full_record(session: Session) -> Resident:
    room = rooms.save(session, Room(name="Garden room", beds=3))
    return Resident(
        full_name="Amira Haddad",
        preferred_name="Mimi",
        aliases="Amira Saleh\nA. Haddad",
        date_of_birth=D("1991-03-14"),
        pronouns="she/her",
        languages="Arabic, French",
        interpreter_needed=True,
        interpreter_language="Levantine Arabic",
        nationality="Syrian",
        immigration_status="Spousal visa; applying under MVDAC",
        nrpf=True,
        phones=[
            Phone("07700 900123", "own mobile", ContactSafety.SAFE, "weekdays 10-12"),
            Phone("+44 20 7946 0000", "sister", ContactSafety.UNSAFE, ""),
        ],
        email="mimi@example.org",
        email_safety=ContactSafety.SAFE,
        email_safe_times="any time",
        alerts="Do not disclose presence",
        referral_date=D("2026-10-28"),
        referral_source="National helpline",
        arrival_date=D("2026-11-02"),
        room_id=room.id,
        key_worker_id=_worker_id(session),
        status=Status.RESIDENT,
        move_on_date=D("2027-03-01"),
        move_on_destination="Second-stage housing, Leeds",
        abusers=[
            Abuser(
                "Karim Haddad",
                "K",
                "husband",
                "tall, beard",
                "grey van AB12 CDE",
                "Bradford, Leeds",
            ),
            Abuser("Samir Haddad", "", "brother-in-law", "", "", "Bradford"),
        ],
        notes="Prefers afternoon appointments.\nسطر بالعربية",
        children=[
            Child(
                None,
                "Yusuf Haddad",
                D("2018-06-01"),
                "Hillside Primary",
                "only mother",
                "asthma inhaler",
            ),
            Child(
                None,
                "Layla Haddad",
                D("2021-09-09"),
                "Little Stars nursery",
                "mother, Mimi's sister",
                "",
            ),
        ],
    )


def test_every_field_round_trips(manager_session: Session) -> None:
    original = _full_record(manager_session)
    stored = residents.save(manager_session, original.copy())
    assert stored.id is not None
    assert stored.reference == "R-0001"
    assert all(c.id is not None for c in stored.children)
    expected = dataclasses.replace(
        original.copy(),
        id=stored.id,
        reference="R-0001",
        created_at=manager_session.stamp(),
        updated_at=manager_session.stamp(),
        created_by=MANAGER[1],
        updated_by=MANAGER[1],
    )
    for c_expected, c_stored in zip(expected.children, stored.children, strict=True):
        c_expected.id = c_stored.id
    assert stored == expected
    assert residents.get(manager_session, stored.id) == expected


def test_children_are_added_edited_and_removed(manager_session: Session) -> None:
    stored = residents.save(manager_session, _full_record(manager_session))
    yusuf = stored.children[0]
    assert stored.children[1].full_name == "Layla Haddad"
    edit = stored.copy()
    edit.children[0].school = "Oakfield Primary"
    edit.children = [
        edit.children[0],
        Child(full_name="Noor Haddad", date_of_birth=D("2024-01-05")),
    ]
    saved = residents.save(manager_session, edit)
    assert [c.full_name for c in saved.children] == ["Yusuf Haddad", "Noor Haddad"]
    assert saved.children[0].id == yusuf.id
    assert saved.children[0].school == "Oakfield Primary"
    assert saved.children[1].id != yusuf.id
    names = [r[0] for r in manager_session.db.query("SELECT full_name FROM children")]
    assert sorted(names) == ["Noor Haddad", "Yusuf Haddad"]
    assert manager_session.db.scalar("SELECT count(*) FROM children") == 2
    row = residents.list_residents(manager_session)[0]
    assert row.children == 2
    saved.children = []
    saved = residents.save(manager_session, saved)
    assert saved.children == []
    assert residents.list_residents(manager_session)[0].children == 0


def test_references_count_up(manager_session: Session) -> None:
    refs = [
        residents.save(manager_session, Resident(full_name=f"Resident {i}")).reference
        for i in range(3)
    ]
    assert refs == ["R-0001", "R-0002", "R-0003"]
    assert residents.count(manager_session) == 3


def test_validation_messages_and_nothing_saved(manager_session: Session) -> None:
    today = manager_session.today()
    bad = Resident(
        full_name="   ",
        date_of_birth=today + dt.timedelta(days=1),
        referral_date=D("2026-11-10"),
        arrival_date=D("2026-11-01"),
        notes="x" * 20_001,
        aliases="y" * 2_001,
        phones=[Phone("no digits here")],
        email="not an email",
        children=[Child(full_name="")],
    )
    with pytest.raises(ValidationError) as err:
        residents.save(manager_session, bad)
    problems = err.value.problems
    for expected in (
        "Full name is required.",
        "Date of birth is in the future; please check it.",
        "Arrival date is before the referral date.",
        "Notes is too long (at most 20,000 characters).",
        "Previous names and aliases is too long (at most 2,000 characters).",
        "Phone 1 has no digits.",
        "Email does not look like an email address.",
        "Each child needs a name.",
    ):
        assert expected in problems
    assert str(err.value) == " ".join(problems)
    with pytest.raises(ValidationError) as err:
        residents.save(
            manager_session,
            Resident(full_name="A" * 201, status=Status.RESIDENT, room_id=999, key_worker_id=999),
        )
    assert err.value.problems == [
        "Full name is too long (at most 200 characters).",
        "A resident needs an arrival date.",
        "The chosen room no longer exists.",
        "The chosen key worker is not an active staff member.",
    ]
    assert residents.count(manager_session) == 0


def test_saving_a_deleted_record_is_refused(manager_session: Session) -> None:
    with pytest.raises(NotFound):
        residents.save(manager_session, Resident(id=42, full_name="Ghost Record"))
    with pytest.raises(NotFound):
        residents.get(manager_session, 42)


def test_created_and_updated_stamps(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    created = residents.save(manager_session, Resident(full_name="Oksana Kovalenko"))
    assert created.created_at == created.updated_at == "2026-11-24T10:00:00+00:00"
    assert created.created_by == created.updated_by == MANAGER[1]
    clock.advance(3600)
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        edit = residents.get(worker, created.id or 0)
        edit.preferred_name = "Oksana"
        updated = residents.save(worker, edit)
    finally:
        worker.close()
    assert updated.created_at == "2026-11-24T10:00:00+00:00"
    assert updated.created_by == MANAGER[1]
    assert updated.updated_at == "2026-11-24T11:00:00+00:00"
    assert updated.updated_by == WORKER[1]
    # The audit trail names records by reference, never by name.
    trail = manager_session.db.query("SELECT action, ref FROM audit_log")
    assert ("resident.update", "R-0001") in [tuple(r) for r in trail]
    assert not any("Oksana" in str(r[1]) for r in trail)


def test_volunteer_sees_the_rota_only(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    stored = residents.save(manager_session, _full_record(manager_session))
    plain = residents.save(manager_session, Resident(full_name="Zofia Wójcik"))
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        with pytest.raises(PermissionDenied) as err:
            residents.get(volunteer, stored.id or 0)
        assert str(err.value) == (
            "Your role (Relief / volunteer) does not allow you to open full resident records."
        )
        view = residents.rota_view(volunteer, stored.id or 0)
        assert view == RotaView(
            stored.id or 0,
            "R-0001",
            "Mimi",
            "Garden room",
            "Do not disclose presence",
            Status.RESIDENT,
            2,
        )
        assert residents.rota_view(volunteer, plain.id or 0).preferred_name == "Zofia"
        with pytest.raises(NotFound):
            residents.rota_view(volunteer, 999)

        fields = {f.name for f in dataclasses.fields(RotaView)}
        assert not fields & (
            RESTRICTED_FIELDS | {"full_name", "aliases", "notes", "date_of_birth", "phones"}
        )
        shown = " ".join(str(v) for v in dataclasses.astuple(view))
        for secret in ("Haddad", "Saleh", "Karim", "MVDAC", "Leeds", "Syrian", "07700"):
            assert secret not in shown

        with pytest.raises(PermissionDenied):
            residents.save(volunteer, Resident(full_name="New Person"))
        edit = stored.copy()
        edit.alerts = ""
        with pytest.raises(PermissionDenied):
            residents.save(volunteer, edit)
        with pytest.raises(PermissionDenied):
            importer.import_residents(volunteer, b"full_name\nNew Person\n")
    finally:
        volunteer.close()
    assert residents.get(manager_session, stored.id or 0).alerts == "Do not disclose presence"
    assert residents.count(manager_session) == 2


def test_worker_reads_and_edits_full_records(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    stored = residents.save(manager_session, _full_record(manager_session))
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        record = residents.get(worker, stored.id or 0)
        assert record.immigration_status == stored.immigration_status
        assert record.abusers == stored.abusers
        record.status = Status.MOVED_ON
        assert residents.save(worker, record).status is Status.MOVED_ON
    finally:
        worker.close()

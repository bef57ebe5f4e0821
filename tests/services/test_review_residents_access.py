"""Review P2-5 and P2-3: a volunteer's list is the rota only; saves never overwrite newer ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from refuge_desk.domain.errors import NotFound, StaleRecord
from refuge_desk.domain.residents import Child, Resident, Status
from refuge_desk.services import residents
from refuge_desk.services.session import Session
from refuge_desk.store import migrations
from tests.conftest import VOLUNTEER, WORKER, FakeClock, sign_in_as
from tests.services.conftest import PEOPLE, Populated

CURRENT = (Status.REFERRAL, Status.RESIDENT)
EVERY_STATUS = tuple(Status)


def _refs(rows: list) -> set[str]:
    return {r.reference for r in rows}


def test_volunteer_list_is_current_residents_whatever_she_asks(populated: Populated) -> None:
    current_refs = {populated.refs[p[0]] for p in PEOPLE if p[3] in CURRENT}
    gone_refs = {populated.refs[p[0]] for p in PEOPLE if p[3] not in CURRENT}
    assert current_refs and gone_refs
    session = populated.sign_in(VOLUNTEER)
    try:
        for asked in ((), EVERY_STATUS, (Status.MOVED_ON,), (Status.ARCHIVED,)):
            assert _refs(residents.list_residents(session, statuses=asked)) == current_refs
            ids = residents.list_ids(session, statuses=asked)
            assert _refs(residents.rows_for(session, ids)) == current_refs
        # Ids of moved-on / archived records asked for directly give no rows either.
        every_id = residents.list_ids(populated.manager)
        assert _refs(residents.rows_for(session, every_id)) == current_refs
    finally:
        session.close()
    # The manager still gets every status.
    assert _refs(residents.list_residents(populated.manager, statuses=())) == (
        current_refs | gone_refs
    )


def test_volunteer_rows_hold_no_key_worker_or_arrival(populated: Populated) -> None:
    session = populated.sign_in(VOLUNTEER)
    try:
        rows = residents.list_residents(session)
        assert rows
        assert all(r.key_worker == "" and r.arrival_date == "" and r.full_name == "" for r in rows)
        assert any(r.room for r in rows) and any(r.preferred_name for r in rows)
        # Sorting by a hidden column gives the same order as by reference (it tells nothing).
        by_ref = [r.reference for r in residents.list_residents(session)]
        for key in ("key_worker", "arrived"):
            for descending in (False, True):
                got = residents.list_residents(session, sort=key, descending=descending)
                expected = list(reversed(by_ref)) if descending else by_ref
                assert [r.reference for r in got] == expected
    finally:
        session.close()
    manager_rows = residents.list_residents(populated.manager)
    assert any(r.key_worker for r in manager_rows) and any(r.arrival_date for r in manager_rows)


def test_volunteer_rota_view_refuses_records_that_are_not_current(populated: Populated) -> None:
    moved_on = next(p[0] for p in PEOPLE if p[3] is Status.MOVED_ON)
    archived = next(p[0] for p in PEOPLE if p[3] is Status.ARCHIVED)
    resident = next(p[0] for p in PEOPLE if p[3] is Status.RESIDENT)
    ids = {r.reference: r.id for r in residents.list_residents(populated.manager, statuses=())}
    session = populated.sign_in(VOLUNTEER)
    try:
        assert residents.rota_view(session, ids[populated.refs[resident]]).reference
        for name in (moved_on, archived):
            with pytest.raises(NotFound) as err:
                residents.rota_view(session, ids[populated.refs[name]])
            assert str(err.value) == "That resident is not on the current list."
    finally:
        session.close()
    view = residents.rota_view(populated.manager, ids[populated.refs[archived]])
    assert view.status is Status.ARCHIVED


# -- P2-3: optimistic concurrency -------------------------------------------------------------


def test_version_column_comes_from_a_new_migration_step() -> None:
    assert migrations.STEPS[3][0] == 4 <= migrations.LATEST


def test_second_save_from_an_older_copy_is_refused_and_nothing_is_overwritten(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    created = residents.save(manager_session, Resident(full_name="Nadia Osei", notes="first"))
    assert created.id is not None and created.version == 0
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        mine = residents.get(manager_session, created.id)  # both open the same record
        hers = residents.get(worker, created.id)
        clock.advance(60)
        hers.notes = "worker's newer note"
        saved = residents.save(worker, hers)
        assert saved.version == 1 and saved.updated_by == WORKER[1]
        clock.advance(60)
        mine.notes = "manager's stale note"
        with pytest.raises(StaleRecord) as err:
            residents.save(manager_session, mine)
        message = str(err.value)
        assert message.startswith(f"Someone else ({WORKER[1]}) changed this record at ")
        assert "(local time) after you opened it." in message
        assert "press Cancel to see the new version" in message
        assert "Nadia" not in message and "note" not in message
        stored = residents.get(manager_session, created.id)
        assert stored.notes == "worker's newer note" and stored.version == 1
        assert stored.updated_by == WORKER[1]
        # A fresh copy saves normally.
        stored.notes = "manager's note after reading hers"
        assert residents.save(manager_session, stored).version == 2
        # The worker's copy is now stale too, even within the same second.
        saved.notes = "again"
        with pytest.raises(StaleRecord):
            residents.save(worker, saved)
    finally:
        worker.close()
    trail = [tuple(r) for r in manager_session.db.query("SELECT action, ref FROM audit_log")]
    assert trail.count(("resident.update", created.reference)) == 2


def test_two_saves_in_the_same_second_are_told_apart(manager_session: Session) -> None:
    created = residents.save(manager_session, Resident(full_name="Same Second"))
    assert created.id is not None
    first = residents.get(manager_session, created.id)
    second = residents.get(manager_session, created.id)
    first.preferred_name = "One"
    residents.save(manager_session, first)  # clock does not move: same updated_at
    second.preferred_name = "Two"
    with pytest.raises(StaleRecord) as err:
        residents.save(manager_session, second)
    assert str(err.value).startswith("You changed this record in another window or session")
    assert residents.get(manager_session, created.id).preferred_name == "One"


def test_stale_save_writes_no_children(manager_session: Session) -> None:
    created = residents.save(manager_session, Resident(full_name="Kids Record"))
    assert created.id is not None
    old = residents.get(manager_session, created.id)
    fresh = residents.get(manager_session, created.id)
    fresh.alerts = "new alert"
    residents.save(manager_session, fresh)
    old.children = [Child(full_name="Child Typed Late")]
    with pytest.raises(StaleRecord):
        residents.save(manager_session, old)
    assert manager_session.db.scalar("SELECT count(*) FROM children") == 0
    assert residents.get(manager_session, created.id).alerts == "new alert"

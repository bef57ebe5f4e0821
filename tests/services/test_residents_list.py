"""The residents list: search (FTS5) in any script, filter by status, sort on every column."""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refuge_desk.domain.errors import NotFound, StaleRecord
from refuge_desk.domain.residents import Child, Resident, Status
from refuge_desk.domain.risk import Answer, AnswerEntry, AssessmentInput, level_for
from refuge_desk.services import residents, risk
from refuge_desk.services.session import Session
from refuge_desk.store import migrations
from refuge_desk.store.residents_repo import SORT_KEYS, ResidentRow
from tests.conftest import VOLUNTEER, WORKER, FakeClock, sign_in_as
from tests.services.conftest import PEOPLE, Populated

_ASCII_FOLD = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_STATUS_ORDER = [Status.REFERRAL, Status.RESIDENT, Status.MOVED_ON, Status.ARCHIVED]


def nocase(text: str) -> str:
    """SQLite's NOCASE: folds ASCII letters only, then compares code points (= UTF-8 bytes)."""
    return text.translate(_ASCII_FOLD)


PY_KEYS: dict[str, Callable[[ResidentRow], object]] = {
    "reference": lambda r: int(r.reference.removeprefix("R-")),
    "name": lambda r: nocase(r.full_name),
    "preferred_name": lambda r: nocase(r.preferred_name),
    "room": lambda r: nocase(r.room),
    "status": lambda r: _STATUS_ORDER.index(Status(r.status)),
    "key_worker": lambda r: nocase(r.key_worker),
    "arrived": lambda r: r.arrival_date,
    "children": lambda r: r.children,
}


def _names(rows: list[ResidentRow]) -> list[str]:
    return [r.full_name for r in rows]


def test_every_sort_key_has_a_python_twin() -> None:
    assert set(PY_KEYS) | {"risk"} == set(SORT_KEYS)


def _assess(session, resident_id: int, yes: int, when: dt.date) -> None:
    checklist_id = risk.default_checklist_id(session)
    questions = risk.checklist(session, checklist_id).questions
    answers = {
        q.id: AnswerEntry(Answer.YES if i < yes else Answer.NO) for i, q in enumerate(questions)
    }
    level = level_for(yes, risk.thresholds(session))
    risk.add_assessment(
        session,
        resident_id,
        AssessmentInput(checklist_id, when, session.user.id, answers, level),
    )


def test_risk_column_and_sort_follow_the_latest_checklist(populated: Populated) -> None:
    session = populated.manager
    rows = residents.list_residents(session)
    first, second, third = (r.id for r in rows[:3])
    today = session.today()
    _assess(session, first, 15, today - dt.timedelta(days=30))
    _assess(session, first, 4, today)  # the latest one counts: standard now
    _assess(session, second, 16, today)
    _assess(session, third, 11, today)
    shown = {r.id: r.risk for r in residents.rows_for(session, [first, second, third])}
    assert shown[first].startswith("Standard (4)")
    assert shown[second].startswith("High (16)") and shown[third].startswith("Medium (11)")
    ordered = [r.id for r in residents.list_residents(session, sort="risk", descending=True)]
    assert ordered[:3] == [second, third, first]


def test_list_holds_every_resident_with_its_columns(populated: Populated) -> None:
    rows = residents.list_residents(populated.manager)
    assert _names(rows) == [p[0] for p in PEOPLE]
    assert [r.reference for r in rows] == [f"R-{i:04d}" for i in range(1, len(PEOPLE) + 1)]
    first = rows[0]
    assert (
        first.preferred_name,
        first.room,
        first.status,
        first.key_worker,
        first.arrival_date,
        first.children,
    ) == ("Mimi", "Rose", "resident", "Wendy Worker", "2026-10-01", 2)
    referral = rows[2]
    assert (referral.room, referral.key_worker, referral.arrival_date) == ("", "", "")


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", sorted(set(SORT_KEYS) - {"risk"}))
def test_sort_matches_python_sorting(populated: Populated, key: str, descending: bool) -> None:
    rows = residents.list_residents(populated.manager)
    ref_no = PY_KEYS["reference"]
    expected = sorted(rows, key=lambda r: (PY_KEYS[key](r), ref_no(r)), reverse=descending)
    got = residents.list_residents(populated.manager, sort=key, descending=descending)
    assert got == expected
    # The data really has ties and differences on this column, so the test means something.
    assert len({PY_KEYS[key](r) for r in rows}) > 1


def test_unknown_sort_key_is_refused(populated: Populated) -> None:
    with pytest.raises(ValueError):
        residents.list_residents(populated.manager, sort="full_name; DROP TABLE residents")


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("ami", ["Amira Haddad"]),  # name prefix
        ("AMAL", ["amal Benali", "Amal Benali"]),  # any case
        ("benali amal", ["amal Benali", "Amal Benali"]),  # every word, any order
        ("Saleh", ["Amira Haddad"]),  # alias
        ("mimi", ["Amira Haddad"]),  # preferred name
        ("R-0002", ["amal Benali"]),  # reference
        ("r-00", [p[0] for p in PEOPLE]),  # reference prefix
        ("فاط", ["فاطمة الزهراء"]),  # Arabic prefix
        ("الزهراء", ["فاطمة الزهراء"]),  # Arabic second word
        ("রহিমা", ["রহিমা বেগম"]),  # Bengali
        ("বেগ", ["রহিমা বেগম"]),  # Bengali prefix
        ("окса", ["Оксана Коваленко"]),  # Cyrillic, lower case
        ("КОВАЛЕНКО", ["Оксана Коваленко"]),  # Cyrillic, upper case
        ("王", ["王秀英"]),  # Chinese
        ("秀英", ["王秀英"]),  # Chinese preferred name
        ("wojcik", ["Zofia Wójcik"]),  # diacritics ignored
        ("WÓJ", ["Zofia Wójcik"]),
        ("emilie", ["Émilie Durand"]),
        ("łucja", ["Łucja Żak"]),
        ("zak", ["Łucja Żak"]),
        ("Jones", ["Karen Smith-Jones"]),  # second half of a double-barrelled name
        ("smith-j", ["Karen Smith-Jones"]),
        ("Haddad Fatima", []),
        ("nobody", []),
    ],
)
def test_search(populated: Populated, search: str, expected: list[str]) -> None:
    assert _names(residents.list_residents(populated.manager, search=search)) == expected


@pytest.mark.parametrize(
    "search", ["", "   ", "-", '"', "*", "(", "NEAR(", "AND", "^", "\x00", "{reference}:", "a OR b"]
)
def test_search_survives_query_syntax_and_punctuation(populated: Populated, search: str) -> None:
    rows = residents.list_residents(populated.manager, search=search)
    assert len(rows) in (0, len(PEOPLE))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=30))
def test_search_never_fails_on_any_text(populated: Populated, search: str) -> None:
    rows = residents.list_residents(populated.manager, search=search)
    assert {r.full_name for r in rows} <= {p[0] for p in PEOPLE}


def test_search_keeps_sort_order(populated: Populated) -> None:
    rows = residents.list_residents(populated.manager, search="a", sort="name", descending=True)
    assert len(rows) >= 3
    assert [nocase(r.full_name) for r in rows] == sorted(
        (nocase(r.full_name) for r in rows), reverse=True
    )


@pytest.mark.parametrize("status", list(Status))
def test_filter_by_status(populated: Populated, status: Status) -> None:
    rows = residents.list_residents(populated.manager, statuses=(status,))
    assert _names(rows) == [p[0] for p in PEOPLE if p[3] is status]


def test_filter_by_several_statuses_and_search(populated: Populated) -> None:
    current = (Status.REFERRAL, Status.RESIDENT)
    rows = residents.list_residents(populated.manager, statuses=current)
    assert _names(rows) == [p[0] for p in PEOPLE if p[3] in current]
    rows = residents.list_residents(populated.manager, search="amal", statuses=(Status.REFERRAL,))
    assert _names(rows) == ["Amal Benali"]


def test_volunteer_list_hides_full_names_and_searches_preferred_names_only(
    populated: Populated,
) -> None:
    session = populated.sign_in(VOLUNTEER)
    try:
        rows = residents.list_residents(session)
        current = (Status.REFERRAL, Status.RESIDENT)
        assert len(rows) == len([p for p in PEOPLE if p[3] in current])
        assert all(r.full_name == "" for r in rows)
        assert rows[0].preferred_name == "Mimi"

        def found(search: str) -> list[str]:
            return [r.reference for r in residents.list_residents(session, search=search)]

        amira = populated.refs["Amira Haddad"]
        assert found("Saleh") == []  # alias
        assert found("Haddad") == []  # family name
        assert found("Amira") == []  # first name she does not go by
        assert found("Wang") == []
        assert found("Mimi") == [amira]
        assert found("mim") == [amira]
        assert found(amira) == [amira]
        assert found("秀英") == [populated.refs["王秀英"]]
    finally:
        session.close()


# -- what a relief worker's list shows -----------------------------------------------------------
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

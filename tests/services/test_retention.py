"""Retention service: settings, the due list, legal hold, purge refusals and what it deletes."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from refuge_desk.domain.errors import PermissionDenied, UserError, ValidationError
from refuge_desk.domain.residents import Child, Resident, Status
from refuge_desk.services import drafts, notes, residents, retention
from refuge_desk.services.session import Session
from refuge_desk.store import audit_repo
from tests.conftest import VOLUNTEER, WORKER, FakeClock, sign_in_as

D = dt.date


def add(s: Session, name: str, **kw: object) -> tuple[int, str]:
    res = residents.save(s, Resident(full_name=name, **kw))  # type: ignore[arg-type]
    assert res.id is not None
    return res.id, res.reference


def moved_on(s: Session, name: str, when: dt.date | None, **kw: object) -> tuple[int, str]:
    return add(s, name, status=Status.MOVED_ON, move_on_date=when, **kw)


def actions(s: Session, n: int = 5) -> list[tuple[str, str]]:
    return [(a, r) for _at, _u, a, r in audit_repo.recent(s.db, n)]


def test_settings_defaults_ranges_and_audit(manager_session: Session) -> None:
    s = manager_session
    assert (retention.years_after_move_on(s), retention.child_until_age(s)) == (6, 25)
    with pytest.raises(ValidationError):
        retention.set_years_after_move_on(s, 26)
    with pytest.raises(ValidationError):
        retention.set_child_until_age(s, 17)
    retention.set_years_after_move_on(s, 7)
    retention.set_child_until_age(s, 21)
    assert retention.policy(s) == retention.rules.Policy(7, 21)
    assert ("settings.retention_child_age", "21") in actions(s)
    assert ("settings.retention_years", "7") in actions(s)


def test_due_list_edges_and_reasons(manager_session: Session, clock: FakeClock) -> None:
    s = manager_session  # today is 24 Nov 2026: the cut-off is 24 Nov 2020
    due_id, due_ref = moved_on(s, "Ana Due", D(2020, 11, 23))
    moved_on(s, "Bea Edge", D(2020, 11, 24))
    declined_id, declined_ref = add(
        s, "Cara Declined", referral_date=D(2019, 5, 1), referral_outcome="declined"
    )
    add(s, "Dora Withdrawn", referral_date=D(2021, 5, 1), referral_outcome="withdrawn")
    add(s, "Eve Pending", referral_date=D(2010, 5, 1))
    add(s, "Fay Here", status=Status.RESIDENT, arrival_date=D(2010, 5, 1))
    clock.now = dt.datetime(2018, 3, 1, 9, 0, tzinfo=dt.UTC)
    archived_id, _ = add(s, "Gia Archived", status=Status.ARCHIVED)
    clock.now = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)

    data = retention.due_list(s)
    reasons = {d.resident_id: d.reason for d in data.due}
    assert set(reasons) == {due_id, declined_id, archived_id}
    assert reasons[due_id] == "Moved on 23 Nov 2020: more than 6 years ago"
    assert reasons[declined_id] == "Referral of 1 May 2019, declined: more than 6 years ago"
    assert "record last changed 1 Mar 2018" in reasons[archived_id]
    assert [d.reference for d in data.due][:2] == [due_ref, declined_ref]
    assert not data.kept_for_children and not data.held and not data.more

    retention.set_years_after_move_on(s, 8)
    assert {d.resident_id for d in retention.due_list(s).due} == {archived_id}


def test_children_under_the_age_limit_keep_the_file(manager_session: Session) -> None:
    s = manager_session
    young, _ = moved_on(s, "Hana", D(2015, 1, 1), children=[Child("", "Kid", D(2001, 11, 25))])
    of_age, _ = moved_on(s, "Ida", D(2015, 1, 1), children=[Child("", "Kid", D(2001, 11, 24))])
    unknown, _ = moved_on(s, "Jo", D(2015, 1, 1), children=[Child(full_name="Kid")])
    data = retention.due_list(s)
    assert [d.resident_id for d in data.due] == [of_age]
    kept = {d.resident_id: d.reason for d in data.kept_for_children}
    assert set(kept) == {young, unknown}
    assert "a child's record keeps the family's file" in kept[young]
    assert "25 Nov 2026" in kept[young]
    retention.set_child_until_age(s, 18)
    assert {d.resident_id for d in retention.due_list(s).due} == {young, of_age}


def test_legal_hold_blocks_purge_until_lifted(manager_session: Session) -> None:
    s = manager_session
    rid, ref = moved_on(s, "Lena Held", D(2012, 1, 1))
    with pytest.raises(ValidationError):
        retention.place_hold(s, rid, "  ")
    retention.place_hold(s, rid, "Family court case FC-2291")
    data = retention.due_list(s)
    assert not data.due
    assert [(h.reference, h.reason) for h in data.held] == [(ref, "Family court case FC-2291")]
    assert ("resident.legal_hold", ref) in actions(s)
    with pytest.raises(UserError, match="legal hold"):
        retention.purge(s, rid, ref)
    assert residents.reference_of(s, rid) == ref
    with pytest.raises(ValidationError):
        retention.lift_hold(s, rid, "")
    retention.lift_hold(s, rid, "Case closed")
    assert ("resident.legal_hold_lifted", ref) in actions(s)
    with pytest.raises(UserError, match="not on legal hold"):
        retention.lift_hold(s, rid, "again")
    assert [d.resident_id for d in retention.due_list(s).due] == [rid]
    retention.purge(s, rid, ref)
    assert residents.reference_of(s, rid) == ""


def test_wrong_typed_reference_changes_nothing(manager_session: Session) -> None:
    s = manager_session
    rid, ref = moved_on(s, "Mona Typo", D(2012, 1, 1))
    notes.add(s, rid, "A note that must survive a mistyped purge")
    before = s.db.scalar("SELECT count(*) FROM audit_log")
    for typed in ("", ref.lower(), ref + " ", "R-9999"):
        with pytest.raises(UserError, match="nothing was deleted"):
            retention.purge(s, rid, typed)
    assert residents.reference_of(s, rid) == ref
    assert notes.count(s, rid) == 1
    assert s.db.scalar("SELECT count(*) FROM audit_log") == before


def test_current_resident_is_not_purged(manager_session: Session) -> None:
    s = manager_session
    rid, ref = add(s, "Nia Here", status=Status.RESIDENT, arrival_date=D(2026, 1, 1))
    with pytest.raises(UserError, match="living in the refuge"):
        retention.purge(s, rid, ref)


@pytest.mark.parametrize("who", [WORKER, VOLUNTEER])
def test_worker_and_volunteer_are_refused(
    manager_session: Session, vault_dir: object, clock: FakeClock, who: tuple[str, str, str]
) -> None:
    rid, ref = moved_on(manager_session, "Ola Old", D(2012, 1, 1))
    other = sign_in_as(manager_session.folder.path, who, clock)
    try:
        for call in (
            lambda: retention.due_list(other),
            lambda: retention.purge(other, rid, ref),
            lambda: retention.place_hold(other, rid, "reason"),
            lambda: retention.lift_hold(other, rid, "reason"),
            lambda: retention.set_years_after_move_on(other, 3),
        ):
            with pytest.raises(PermissionDenied):
                call()
    finally:
        other.close()
    assert residents.reference_of(manager_session, rid) == ref


def test_purge_removes_every_row_that_points_at_her(manager_session: Session) -> None:
    s = manager_session
    rid, ref = moved_on(s, "Pia Gone", D(2012, 1, 1), children=[Child(full_name="Kid Gone")])
    keep_id, keep_ref = moved_on(s, "Rae Kept", D(2012, 1, 1), children=[Child(full_name="K")])
    for who in (rid, keep_id):
        notes.add(s, who, "Note")
        drafts.park(s, drafts.RESIDENT, who, {"x": 1})
        drafts.park(s, drafts.PLAN, who, {"x": 1})
    child_id = s.db.scalar("SELECT id FROM children WHERE resident_id = ?", (rid,))
    s.db.execute(
        "INSERT INTO change_history (at, user_id, entity, entity_id, ref, field, old_value, "
        "new_value) VALUES ('t', 1, 'child', ?, '', 'school', 'a', 'b')",
        (child_id,),
    )
    s.db.execute(
        "INSERT INTO auto_tasks_done (key, done_at, done_by) VALUES (?, 't', 1)",
        (f"risk_review:{rid}:2012-01-01",),
    )
    s.db.execute(
        "INSERT INTO transfers (transfer_id, direction, resident_id, other_vault, "
        "other_reference, at) VALUES ('t1', 'out', ?, 'v2', 'R-0100', 't')",
        (rid,),
    )
    retention.place_hold(s, rid, "brief hold")
    retention.lift_hold(s, rid, "lifted")  # change-history rows naming her

    retention.purge(s, rid, ref)
    db = s.db
    tables = [r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")]
    checked = 0
    for t in tables:
        for fk in db.query(f'PRAGMA foreign_key_list("{t}")'):
            if fk["table"] == "residents":
                checked += 1
                n = db.scalar(f'SELECT count(*) FROM "{t}" WHERE "{fk["from"]}" = ?', (rid,))
                assert n == 0, t
    assert checked >= 14  # every table in migrations.py that references residents
    assert db.scalar("SELECT count(*) FROM drafts WHERE record_id = ?", (rid,)) == 0
    assert db.scalar("SELECT count(*) FROM drafts WHERE record_id = ?", (keep_id,)) == 2
    assert (
        db.scalar(
            "SELECT count(*) FROM change_history "
            "WHERE ref = ? OR entity = 'child' AND entity_id = ?",
            (ref, child_id),
        )
        == 0
    )
    assert db.scalar("SELECT count(*) FROM auto_tasks_done") == 0
    transfer = db.query_one("SELECT resident_id, other_vault, other_reference FROM transfers")
    assert transfer is not None and tuple(transfer) == (None, "v2", "R-0100")
    assert db.scalar("SELECT count(*) FROM residents_fts WHERE residents_fts MATCH 'Pia'") == 0
    assert residents.reference_of(s, keep_id) == keep_ref
    assert ("resident.purged", ref) in actions(s)
    # Her reference is never given to anyone else.
    new = residents.save(s, Resident(full_name="Sue New"))
    assert new.reference not in (ref, keep_ref)
    assert retention.compact_pending(s) and retention.compact(s)
    assert not retention.compact_pending(s) and not retention.compact(s)


def test_highest_reference_purged_is_not_reused(manager_session: Session) -> None:
    s = manager_session
    rid, ref = moved_on(s, "Tia Last", D(2012, 1, 1))
    retention.purge(s, rid, ref)
    assert residents.save(s, Resident(full_name="Uma Next")).reference != ref


def test_due_list_at_20000_residents_is_indexed_and_quick(manager_session: Session) -> None:
    s = manager_session
    db = s.db
    rows = [
        (
            n,
            f"R-{n:05d}",
            f"Person {n}",
            ("moved_on", "resident", "archived", "referral")[n % 4],
            f"20{10 + n % 16:02d}-0{1 + n % 9}-1{n % 9}",
            "declined" if n % 8 == 3 else "",
        )
        for n in range(1, 20001)
    ]
    with db.transaction():
        db.executemany(
            "INSERT INTO residents (ref_no, reference, full_name, status, move_on_date, "
            "referral_outcome, referral_date, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?5, ?6, ?5, '2026-01-01', '2026-01-01')",
            rows,
        )
    plan = " ".join(
        str(r[3])
        for r in db.query(
            "EXPLAIN QUERY PLAN " + retention.retention_repo.CLOSED_SQL,
            {"cutoff": "2020-11-24", "limit": 10},
        )
    )
    assert "USING INDEX residents_status" in plan and "SCAN r " not in plan + " "
    data = retention.due_list(s)
    assert len(data.due) == retention.LIST_LIMIT and data.more


def test_moving_back_in_takes_her_off_the_list(manager_session: Session) -> None:
    s = manager_session
    rid, _ = moved_on(s, "Vic Back", D(2012, 1, 1), arrival_date=D(2011, 1, 1))
    assert [d.resident_id for d in retention.due_list(s).due] == [rid]
    res = residents.get(s, rid)
    residents.save(s, dataclasses.replace(res, status=Status.RESIDENT, move_on_date=None))
    assert retention.due_list(s).due == []

"""Free tasks and automatic tasks computed from the dates in a real vault."""

from __future__ import annotations

import datetime as dt

import pytest

from refuge_desk.domain.deadlines import (
    CourtOrder,
    Immigration,
    Target,
    TaskDraft,
    auto_key,
    mvdac_end,
)
from refuge_desk.domain.errors import PermissionDenied, ValidationError
from refuge_desk.domain.residents import Resident, Status
from refuge_desk.services import immigration, orders, residents, settings, tasks
from refuge_desk.services.session import Session
from refuge_desk.store import meta_repo
from tests.conftest import MANAGER, VOLUNTEER, WORKER, sign_in_as


def add_resident(
    session: Session,
    name: str = "Amira Haddad",
    status: Status = Status.RESIDENT,
    arrival: dt.date | None = None,
    key_worker_id: int | None = None,
    move_on: dt.date | None = None,
) -> int:
    res = Resident(
        full_name=name,
        preferred_name=name.split()[0],
        status=status,
        arrival_date=arrival or session.today() - dt.timedelta(days=30),
        key_worker_id=key_worker_id,
        move_on_date=move_on,
    )
    stored = residents.save(session, res)
    assert stored.id is not None
    return stored.id


def add_assessment(session: Session, resident_id: int, on: dt.date, level: str = "medium") -> None:
    """A risk_assessments row as helper A's service writes it (the table is the contract)."""
    db = session.db
    with db.transaction():
        checklist = db.scalar("SELECT id FROM risk_checklists WHERE key = 'test'")
        if checklist is None:
            checklist = db.execute(
                "INSERT INTO risk_checklists (key, version, name, body, added_at) "
                "VALUES ('test', 1, 'Test', '{}', ?)",
                (session.stamp(),),
            )
        db.execute(
            "INSERT INTO risk_assessments (resident_id, checklist_id, assessed_on, answers, "
            "score, scored_level, level, threshold_medium, threshold_high, created_at) "
            "VALUES (?, ?, ?, '{}', 11, ?, ?, 10, 14, ?)",
            (resident_id, checklist, on.isoformat(), level, level, session.stamp()),
        )


def add_incident(session: Session, resident_id: int, on: dt.date) -> None:
    with session.db.transaction():
        session.db.execute(
            "INSERT INTO incidents (resident_id, occurred_on, what_happened, created_at) "
            "VALUES (?, ?, 'He came to the school gate', ?)",
            (resident_id, on.isoformat(), session.stamp()),
        )


def set_plan_review(session: Session, resident_id: int, review: dt.date) -> None:
    with session.db.transaction():
        session.db.execute(
            "INSERT INTO safety_plans (resident_id, latest_version, review_date, created_at) "
            "VALUES (?, 1, ?, ?)",
            (resident_id, review.isoformat(), session.stamp()),
        )


def auto_of(session: Session, kind: str, resident_id: int) -> list:
    return [
        t
        for t in tasks.automatic(session)
        if t.kind == kind and t.resident_id == resident_id and not t.done
    ]


def test_order_expiring_within_14_days_makes_a_task(manager_session: Session) -> None:
    s, today = manager_session, manager_session.today()
    rid = add_resident(s)
    add_assessment(s, rid, today)
    soon = orders.save(s, CourtOrder(resident_id=rid, expires_on=today + dt.timedelta(days=14)))
    orders.save(s, CourtOrder(resident_id=rid, expires_on=today + dt.timedelta(days=15)))
    orders.save(s, CourtOrder(resident_id=rid, expires_on=None))
    found = auto_of(s, "order_expiry", rid)
    assert [t.key for t in found] == [auto_key("order_expiry", soon.id or 0, soon.expires_on)]
    assert found[0].target == Target(rid, "orders")
    assert found[0].title == "Non-molestation order ends"


def test_mvdac_end_within_4_weeks_and_visa_expiry_make_tasks(manager_session: Session) -> None:
    s, today = manager_session, manager_session.today()
    rid = add_resident(s)
    other = add_resident(s, "Zofia Wójcik")
    granted = today - dt.timedelta(days=70)  # ends in about 3 weeks
    immigration.save(
        s,
        Immigration(
            resident_id=rid,
            mvdac_applied_on=granted - dt.timedelta(days=5),
            mvdac_granted_on=granted,
            visa_expires_on=today - dt.timedelta(days=2),
            visa_type="Spouse visa",
        ),
    )
    immigration.save(
        s,
        Immigration(
            resident_id=other,
            mvdac_granted_on=today - dt.timedelta(days=20),  # ends in ~10 weeks: no task
            visa_expires_on=today + dt.timedelta(days=60),
        ),
    )
    (mvdac,) = auto_of(s, "mvdac_end", rid)
    assert mvdac.due_on == mvdac_end(granted) and mvdac.target == Target(rid, "immigration")
    (visa,) = auto_of(s, "visa_expiry", rid)
    assert visa.due_on == today - dt.timedelta(days=2) and visa.title == "Visa ends (Spouse visa)"
    assert not auto_of(s, "mvdac_end", other) and not auto_of(s, "visa_expiry", other)


def test_visa_expiry_28_days_ahead_is_a_task(manager_session: Session) -> None:
    s, today = manager_session, manager_session.today()
    rid = add_resident(s)
    immigration.save(s, Immigration(resident_id=rid, visa_expires_on=today + dt.timedelta(28)))
    assert len(auto_of(s, "visa_expiry", rid)) == 1


def test_risk_review_due_after_weeks_setting_and_after_incident(manager_session: Session) -> None:
    s, today = manager_session, manager_session.today()
    never = add_resident(s, "Never Assessed")
    old = add_resident(s, "Old Assessment")
    fresh = add_resident(s, "Fresh Assessment")
    incident = add_resident(s, "After Incident")
    add_assessment(s, old, today - dt.timedelta(weeks=6))
    add_assessment(s, fresh, today - dt.timedelta(weeks=2))
    add_assessment(s, incident, today - dt.timedelta(weeks=1))
    add_incident(s, incident, today - dt.timedelta(days=2))

    assert auto_of(s, "risk_review", never)[0].title == "First risk assessment"
    (due,) = auto_of(s, "risk_review", old)
    assert due.due_on == today and due.target == Target(old, "risk")
    assert not auto_of(s, "risk_review", fresh)
    (after,) = auto_of(s, "risk_review", incident)
    assert after.title == "Risk review after an incident"
    assert after.due_on == today - dt.timedelta(days=2)

    with s.db.transaction():  # a manager sets reviews every 2 weeks: the fresh one is due
        meta_repo.put(s.db, settings.RISK_REVIEW_WEEKS_KEY, "2")
    assert auto_of(s, "risk_review", fresh)[0].due_on == today


def test_plan_review_and_move_on_make_tasks(manager_session: Session) -> None:
    s, today = manager_session, manager_session.today()
    rid = add_resident(s, move_on=today + dt.timedelta(days=5))
    later = add_resident(s, "Later Move", move_on=today + dt.timedelta(days=20))
    set_plan_review(s, rid, today + dt.timedelta(days=3))
    (plan,) = auto_of(s, "plan_review", rid)
    assert plan.due_on == today + dt.timedelta(days=3) and plan.target == Target(rid, "plan")
    (move,) = auto_of(s, "move_on", rid)
    assert move.due_on == today + dt.timedelta(days=5) and move.target == Target(rid, "record")
    assert not auto_of(s, "move_on", later)


def test_moved_on_residents_make_no_tasks(manager_session: Session) -> None:
    s, today = manager_session, manager_session.today()
    rid = add_resident(s, status=Status.MOVED_ON, move_on=today - dt.timedelta(days=3))
    orders.save(s, CourtOrder(resident_id=rid, expires_on=today + dt.timedelta(days=2)))
    assert not [t for t in tasks.automatic(s) if t.resident_id == rid]


def test_marking_an_automatic_task_done_keeps_it_done(
    manager_session: Session, vault_dir, clock
) -> None:
    s, today = manager_session, manager_session.today()
    rid = add_resident(s)
    add_assessment(s, rid, today)
    order = orders.save(s, CourtOrder(resident_id=rid, expires_on=today + dt.timedelta(days=10)))
    (task,) = auto_of(s, "order_expiry", rid)
    tasks.set_done(s, task.key)
    assert not auto_of(s, "order_expiry", rid)
    assert task.key not in [t.key for t in tasks.list_tasks(s, scope="everyone")]
    done = [t for t in tasks.list_tasks(s, scope="everyone", include_done=True) if t.done]
    assert task.key in [t.key for t in done]
    # still done after signing in again, and a day later
    clock.advance(86_400)
    again = sign_in_as(vault_dir, MANAGER, clock)
    try:
        assert not auto_of(again, "order_expiry", rid)
        # a new expiry date is a new task
        order.expires_on = today + dt.timedelta(days=12)
        orders.save(again, order)
        (new,) = auto_of(again, "order_expiry", rid)
        assert new.key != task.key
        tasks.set_done(again, task.key, done=False)  # reopening the old date is harmless
    finally:
        again.close()


def test_manual_task_lifecycle(manager_session: Session, vault_dir, clock) -> None:
    s, today = manager_session, manager_session.today()
    rid = add_resident(s)
    worker_id = next(i for i, name in tasks.staff_options(s) if name == WORKER[1])
    with pytest.raises(ValidationError) as err:
        tasks.add(s, TaskDraft(title=" "))
    assert err.value.problems == ["Give the task a short title."]
    item = tasks.add(
        s,
        TaskDraft("Call the school", "About pick-up", today + dt.timedelta(1), worker_id, rid),
    )
    assert item.kind == "manual" and item.assignee == WORKER[1] and not item.done
    assert item.resident_label.startswith("R-") and item.target == Target(rid, "tasks")
    # not the manager's own, but it is on everyone's list
    assert item.key not in [t.key for t in tasks.list_tasks(s)]
    assert item.key in [t.key for t in tasks.list_tasks(s, scope="everyone")]

    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        mine = tasks.list_tasks(worker, scope="everyone")  # a worker cannot widen her scope
        assert item.key in [t.key for t in mine]
        tasks.update(worker, item.key, TaskDraft("Call the school office", "", None, worker_id))
        changed = tasks.get(worker, item.key)
        assert changed.title == "Call the school office" and changed.resident_id is None
        tasks.set_done(worker, item.key)
        assert item.key not in [t.key for t in tasks.list_tasks(worker)]
        assert tasks.get(worker, item.key).done
        tasks.set_done(worker, item.key, done=False)
        assert not tasks.get(worker, item.key).done
    finally:
        worker.close()
    actions = [
        r[0]
        for r in s.db.query("SELECT action FROM audit_log WHERE action LIKE 'task.%' ORDER BY id")
    ]
    assert actions == ["task.add", "task.update", "task.done", "task.reopen"]


def test_volunteer_gets_no_tasks(manager_session: Session, vault_dir, clock) -> None:
    add_resident(manager_session)
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        with pytest.raises(PermissionDenied):
            tasks.list_tasks(volunteer)
        with pytest.raises(PermissionDenied):
            tasks.add(volunteer, TaskDraft("x"))
        with pytest.raises(PermissionDenied):
            tasks.automatic(volunteer)
    finally:
        volunteer.close()

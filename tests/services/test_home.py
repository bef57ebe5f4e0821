import dataclasses
import datetime as dt

from refuge_desk.domain.deadlines import CourtOrder, Immigration, Target, TaskDraft
from refuge_desk.domain.residents import Room, Status
from refuge_desk.services import home, immigration, orders, rooms, tasks
from refuge_desk.services.session import Session
from refuge_desk.store import staff_repo
from tests.conftest import VOLUNTEER, WORKER, sign_in_as
from tests.services.test_tasks import (
    add_assessment,
    add_incident,
    add_resident,
)


def _setup(s: Session) -> dict[str, int]:
    today = s.today()
    worker = staff_repo.by_username(s.db, WORKER[0])
    assert worker is not None
    room = rooms.save(s, Room(name="Rose", beds=3)).id
    high = add_resident(s, "Amira Haddad", key_worker_id=worker.id)
    with s.db.transaction():
        s.db.execute(
            "UPDATE residents SET room_id = ?, alerts = 'Do not disclose presence' WHERE id = ?",
            (room, high),
        )
    add_assessment(s, high, today - dt.timedelta(days=3), "high")
    other = add_resident(
        s,
        "Oksana Koval",
        key_worker_id=s.user.id,
        arrival=today - dt.timedelta(days=2),
        move_on=today + dt.timedelta(days=4),
    )
    add_assessment(s, other, today - dt.timedelta(weeks=7))
    add_incident(s, high, today - dt.timedelta(days=1))
    orders.save(s, CourtOrder(resident_id=high, expires_on=today + dt.timedelta(days=9)))
    immigration.save(
        s, Immigration(resident_id=other, mvdac_granted_on=today - dt.timedelta(days=75))
    )
    tasks.add(
        s,
        TaskDraft(
            "Ring the school",
            due_on=today - dt.timedelta(1),
            assignee_id=worker.id,
            resident_id=high,
        ),
    )
    tasks.add(s, TaskDraft("Order bulbs", due_on=today + dt.timedelta(2)))
    add_resident(s, "Gone Away", status=Status.MOVED_ON)
    return {"high": high, "other": other, "worker": worker.id}


def _titles(view: home.HomeView, key: str) -> list[str]:
    section = view.section(key)
    assert section is not None
    return [i.title for i in section.items]


def test_manager_home_sections_and_scope(manager_session: Session) -> None:
    s = manager_session
    ids = _setup(s)
    view = home.build(s, s.today())
    assert view.case_detail and view.can_choose_scope and view.scope == "mine"
    keys = [sec.key for sec in view.sections]
    assert keys == ["tasks", "high_risk", "orders", "immigration", "arrivals"]
    # mine: her own free task and the risk review of the resident she key-works
    assert _titles(view, "tasks") == ["Risk review", "Order bulbs"]
    everyone = home.build(s, s.today(), scope="everyone")
    assert _titles(everyone, "tasks") == [
        "Risk review",
        "Ring the school",
        "Risk review after an incident",
        "Order bulbs",
    ]
    (high,) = view.section("high_risk").items
    assert high.target == Target(ids["high"], "plan") and high.level == "danger"
    (order,) = view.section("orders").items
    assert order.target == Target(ids["high"], "orders") and order.when.startswith("ends in 9 days")
    (mvdac,) = view.section("immigration").items
    assert mvdac.title == "MVDAC leave ends" and mvdac.target == Target(ids["other"], "immigration")
    arrivals = view.section("arrivals").items
    assert [(i.title, i.target) for i in arrivals] == [
        ("Arrived", Target(ids["other"], "record")),
        ("Moving on", Target(ids["other"], "record")),
    ]
    assert view.occupancy.beds == 3 and view.occupancy.used == 1 and view.occupancy.free == 2
    assert view.backup is not None and view.backup.level == "danger"
    assert "NOT set up" in view.backup.text and view.backup.target == Target(None, "backups")


def test_done_task_leaves_the_home_screen(manager_session: Session) -> None:
    s = manager_session
    _setup(s)
    (order,) = home.build(s).section("orders").items
    tasks.set_done(s, order.key)
    orders_section = home.build(s).section("orders")
    assert orders_section.total == 0 and orders_section.empty.startswith("No court order")


def test_worker_sees_her_tasks_only(manager_session: Session, vault_dir, clock) -> None:
    _setup(manager_session)
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        view = home.build(worker, worker.today(), scope="everyone")
        assert view.scope == "mine" and not view.can_choose_scope
        assert _titles(view, "tasks") == ["Ring the school", "Risk review after an incident"]
        assert view.section("orders").total == 1  # deadlines of the house are shown to staff
    finally:
        worker.close()


def test_volunteer_home_has_no_case_detail(manager_session: Session, vault_dir, clock) -> None:
    ids = _setup(manager_session)
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        view = home.build(volunteer, volunteer.today(), scope="everyone")
    finally:
        volunteer.close()
    assert not view.case_detail and view.backup is None
    assert [sec.key for sec in view.sections] == ["rota"]
    lines = {(i.title, i.who, i.when) for i in view.section("rota").items}
    assert lines == {("Amira", "Rose", "Do not disclose presence"), ("Oksana", "no room yet", "")}
    text = repr(dataclasses.asdict(view))
    for secret in ("Haddad", "Koval", "R-0", "Risk", "MVDAC", "order", "school", "bulbs"):
        assert secret not in text
    assert {i.target for i in view.section("rota").items} == {
        Target(ids["high"], "record"),
        Target(ids["other"], "record"),
    }
    assert view.occupancy.used == 1

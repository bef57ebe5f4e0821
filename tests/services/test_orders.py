import datetime as dt

import pytest

from refuge_desk.domain.deadlines import CourtOrder
from refuge_desk.domain.errors import NotFound, PermissionDenied, ValidationError
from refuge_desk.services import orders
from refuge_desk.services.session import Session
from tests.conftest import VOLUNTEER, sign_in_as
from tests.services.test_tasks import add_resident


def test_add_edit_list_orders_expired_last(manager_session: Session) -> None:
    s, today = manager_session, manager_session.today()
    rid = add_resident(s)
    old = orders.save(
        s,
        CourtOrder(
            resident_id=rid,
            order_type="dvpo",
            starts_on=today - dt.timedelta(60),
            expires_on=today - dt.timedelta(32),
        ),
    )
    forever = orders.save(s, CourtOrder(resident_id=rid, order_type="occupation"))
    soon = orders.save(
        s,
        CourtOrder(
            resident_id=rid,
            protected_people="Her and Sami (6)",
            conditions="No contact",
            expires_on=today + dt.timedelta(5),
            court="Larkfield Family Court",
        ),
    )
    listed = orders.list_orders(s, rid)
    assert [o.id for o in listed] == [soon.id, forever.id, old.id]
    assert listed[-1].expired(today) and not listed[0].expired(today)
    assert listed[0].protected_people == "Her and Sami (6)" and listed[0].updated_by
    soon.conditions = "No contact, not within 100 metres"
    soon.expires_on = None
    orders.save(s, soon)
    assert orders.get(s, soon.id or 0).expires_on is None
    assert "until further order" in orders.get(s, soon.id or 0).status_text(today)
    with pytest.raises(ValidationError):
        orders.save(
            s, CourtOrder(resident_id=rid, starts_on=today, expires_on=today - dt.timedelta(1))
        )
    orders.delete(s, old.id or 0)
    with pytest.raises(NotFound):
        orders.get(s, old.id or 0)
    actions = [
        r[0]
        for r in s.db.query("SELECT action FROM audit_log WHERE action LIKE 'order.%' ORDER BY id")
    ]
    assert actions == ["order.add"] * 3 + ["order.update", "order.delete"]


def test_volunteer_cannot_read_orders(manager_session: Session, vault_dir, clock) -> None:
    rid = add_resident(manager_session)
    orders.save(manager_session, CourtOrder(resident_id=rid))
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        with pytest.raises(PermissionDenied):
            orders.list_orders(volunteer, rid)
        with pytest.raises(PermissionDenied):
            orders.save(volunteer, CourtOrder(resident_id=rid))
    finally:
        volunteer.close()

"""Court orders and their conditions, per resident."""

from __future__ import annotations

import datetime as dt

from refuge_desk.domain.deadlines import CourtOrder, validate_order
from refuge_desk.domain.errors import NotFound, ValidationError
from refuge_desk.domain.text import clean_record
from refuge_desk.services import history
from refuge_desk.services.session import Session
from refuge_desk.store import orders_repo, residents_repo


def _require(session: Session) -> None:
    session.require(session.role.sees_case_detail, "see court orders")


def _reference(session: Session, resident_id: int) -> str:
    view = residents_repo.rota(session.db, resident_id)
    if view is None:
        raise NotFound("That resident's record no longer exists.")
    return view.reference


def list_orders(session: Session, resident_id: int) -> list[CourtOrder]:
    """Orders in force first (soonest end first, "until further order" next), expired last."""
    _require(session)
    _reference(session, resident_id)
    today = session.today()
    orders = orders_repo.for_resident(session.db, resident_id)
    return sorted(orders, key=lambda o: o.expired(today))  # stable: keeps the SQL order


def get(session: Session, order_id: int) -> CourtOrder:
    _require(session)
    order = orders_repo.get(session.db, order_id)
    if order is None:
        raise NotFound("That court order no longer exists.")
    return order


def save(session: Session, order: CourtOrder) -> CourtOrder:
    """Add (``id`` None) or change an order; returns it as stored."""
    _require(session)
    session.require(session.role.edits_residents, "change court orders")
    reference = _reference(session, order.resident_id)
    order = clean_record(order)
    problems = validate_order(order)
    if order.id is not None:
        old = orders_repo.get(session.db, order.id)
        if old is None or old.resident_id != order.resident_id:
            raise NotFound("That court order no longer exists.")
    if problems:
        raise ValidationError(problems)
    now, by = session.stamp(), session.user.id
    with session.db.transaction():
        before = None
        if order.id is None:
            order_id = orders_repo.insert(session.db, order, now, by)
            session.audit("order.add", f"{reference} order:{order_id}")
        else:
            order_id = order.id
            before = orders_repo.get(session.db, order_id)
            orders_repo.update(session.db, order, now, by)
            session.audit("order.update", f"{reference} order:{order_id}")
        after = orders_repo.get(session.db, order_id)
        history.record_changes(session, history.COURT_ORDER, order_id, reference, before, after)
    return get(session, order_id)


def delete(session: Session, order_id: int) -> None:
    """Remove an order entered by mistake."""
    order = get(session, order_id)
    session.require(session.role.edits_residents, "change court orders")
    reference = _reference(session, order.resident_id)
    with session.db.transaction():
        orders_repo.delete(session.db, order_id)
        session.audit("order.delete", f"{reference} order:{order_id}")


def expired(order: CourtOrder, today: dt.date) -> bool:
    return order.expired(today)

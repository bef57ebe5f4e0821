"""Demo court orders, immigration records, applications and tasks (all fictional)."""

from __future__ import annotations

import datetime as dt
import random

from refuge_desk.domain.deadlines import add_months
from refuge_desk.services.session import Session

_COURTS = ("Larkfield Family Court", "Ashby Magistrates' Court", "Northmere County Court")
_ORDERS = (
    ("non_molestation", "Must not contact her or come within 100 metres of her."),
    ("occupation", "Must not enter the former family home."),
    ("dvpo", "Must not contact her for 28 days."),
    ("restraining", "No contact by any means, directly or through others."),
    ("bail", "Must not enter the Westvale area; curfew 7pm to 7am."),
    ("child_arrangements", "Children live with her; contact only at a contact centre."),
)
_VISAS = ("Spouse visa", "Partner of a skilled worker", "Student dependant", "Visitor visa", "")
_DOCS = ("Passport and BRP", "Passport", "Birth certificates of the children", "")
_SOLICITORS = ("Ms R. Okonkwo, Brightwater Law", "Mr T. Varga, Fenwick Legal Centre", "")
_RENT = ("Refuge hardship fund", "Local authority (section 17)", "Charity grant", "")
_TASKS = (
    "Call the school about the pick-up list",
    "Book an interpreter for the key-work session",
    "Chase the housing register form",
    "Ask the GP to register her and the children",
    "Check the food bank voucher is ready",
)


def seed_deadlines(session: Session, resident_ids: list[int], rng: random.Random) -> None:
    """Orders, immigration rows (one with MVDAC granted a few weeks ago), applications, tasks."""
    if not resident_ids:
        return
    db = session.db
    today = session.today()
    now, by = session.stamp(), session.user.id
    staff = [int(r["id"]) for r in db.query("SELECT id FROM staff WHERE role != 'volunteer'")]

    def day(offset: int) -> str:
        return (today + dt.timedelta(days=offset)).isoformat()

    orders, immigration, apps, tasks = [], [], [], []
    for n, rid in enumerate(resident_ids):
        if n % 3 == 0:
            kind, conditions = rng.choice(_ORDERS)
            start = rng.randint(-300, -10)
            expires = None if rng.random() < 0.2 else start + rng.choice((180, 365, 300, 320))
            if n == 0:
                start, expires = -355, 10  # one order ending soon on every demo vault
            orders.append(
                (
                    rid,
                    kind,
                    "Her and her children",
                    conditions,
                    day(start),
                    day(expires) if expires is not None else None,
                    rng.choice(_COURTS),
                    "",
                    now,
                    by,
                    now,
                    by,
                )
            )
        if n % 2 == 0:
            granted = applied = None
            if n == 0 or rng.random() < 0.3:
                granted_day = today - dt.timedelta(days=rng.randint(40, 80) if n else 60)
                granted, applied = granted_day, granted_day - dt.timedelta(days=9)
            visa_on = day(rng.randint(-40, 400)) if rng.random() < 0.7 else None
            immigration.append(
                (
                    rid,
                    rng.choice(_VISAS),
                    visa_on,
                    rng.choice(_DOCS),
                    applied.isoformat() if applied else None,
                    granted.isoformat() if granted else None,
                    rng.choice(_SOLICITORS),
                    rng.choice(_RENT),
                    "",
                    now,
                    by,
                )
            )
            if granted is not None:
                deadline = add_months(granted, 3) - dt.timedelta(days=7)
                apps.append((rid, "set_dv", deadline.isoformat(), None, "", "", now, by, now, by))
        if n % 4 == 1:
            tasks.append(
                (rid, rng.choice(_TASKS), "", day(rng.randint(-3, 10)), rng.choice(staff), now, by)
            )
    with db.transaction():
        db.executemany(
            "INSERT INTO court_orders (resident_id, order_type, protected_people, conditions, "
            "starts_on, expires_on, court, notes, created_at, created_by, updated_at, "
            "updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            orders,
        )
        db.executemany(
            "INSERT INTO immigration (resident_id, visa_type, visa_expires_on, "
            "documents_with_abuser, mvdac_applied_on, mvdac_granted_on, solicitor, rent_paid_by, "
            "notes, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (resident_id) DO NOTHING",
            immigration,
        )
        db.executemany(
            "INSERT INTO immigration_applications (resident_id, kind, deadline_on, submitted_on, "
            "decision, notes, created_at, created_by, updated_at, updated_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            apps,
        )
        db.executemany(
            "INSERT INTO tasks (resident_id, title, details, due_on, assignee_id, created_at, "
            "created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
            tasks,
        )
        session.audit("demo.deadlines", str(len(resident_ids)))

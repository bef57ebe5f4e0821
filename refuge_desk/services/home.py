"""The home screen after sign-in: what needs doing today and this week, in one build.

A volunteer's view is built from the rota only (preferred name, room, alerts) and room
occupancy: no case detail and no tasks reach her, whatever the widget asks for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from refuge_desk.domain import deadlines as d
from refuge_desk.domain.dates import local_text
from refuge_desk.domain.deadlines import Target, TaskItem
from refuge_desk.services import plans, rooms, tasks
from refuge_desk.services.export import backup
from refuge_desk.services.session import Session
from refuge_desk.store import home_repo, tasks_repo

WEEK_DAYS = 7
MAX_ITEMS = 40  # per card; the count says how many there are in all
TASK_KINDS = ("manual", "risk_review", "plan_review")
IMMIGRATION_KINDS = ("mvdac_end", "visa_expiry", "application")
Level = Literal["ok", "warn", "danger"]

__all__ = ["BackupCard", "HomeItem", "HomeSection", "HomeView", "Occupancy", "Target", "build"]


@dataclass(frozen=True, slots=True)
class HomeItem:
    title: str  # what: "Risk review", "Non-molestation order ends"
    who: str  # "R-0007 Amira" (rota name), or "" when about no one
    when: str  # "3 days overdue", "ends in 5 days (Fri 19 Dec 2026)"
    level: Level  # danger: overdue or past; warn: due within the week; ok: later
    target: Target
    key: str = ""  # the task key, when the item is a task


@dataclass(frozen=True, slots=True)
class HomeSection:
    key: str  # "tasks", "high_risk", "orders", "immigration", "arrivals", "rota"
    title: str
    items: tuple[HomeItem, ...]  # at most MAX_ITEMS
    total: int
    empty: str  # what to say when there is nothing


@dataclass(frozen=True, slots=True)
class Occupancy:
    rooms: int
    beds: int
    used: int

    @property
    def free(self) -> int:
        return max(0, self.beds - self.used)

    @property
    def text(self) -> str:
        if not self.rooms:
            return "No rooms are set up yet."
        return f"{self.used} of {self.beds} beds in use, {self.free} free ({self.rooms} rooms)"


@dataclass(frozen=True, slots=True)
class BackupCard:
    text: str
    level: Level
    target: Target


@dataclass(frozen=True, slots=True)
class HomeView:
    today: dt.date
    greeting: str
    case_detail: bool
    scope: tasks.Scope
    can_choose_scope: bool
    sections: tuple[HomeSection, ...]
    occupancy: Occupancy
    backup: BackupCard | None

    def section(self, key: str) -> HomeSection | None:
        return next((s for s in self.sections if s.key == key), None)


def _section(key: str, title: str, items: list[HomeItem], empty: str) -> HomeSection:
    return HomeSection(key, title, tuple(items[:MAX_ITEMS]), len(items), empty)


def _level(day: dt.date | None, today: dt.date) -> Level:
    if day is None:
        return "ok"
    if day < today:
        return "danger"
    return "warn" if day <= today + dt.timedelta(days=WEEK_DAYS) else "ok"


def _task_item(task: TaskItem, today: dt.date, words: str = "") -> HomeItem:
    when = words or d.due_words(task.due_on, today)
    return HomeItem(
        task.title, task.resident_label, when, _level(task.due_on, today), task.target, task.key
    )


def _occupancy(session: Session) -> Occupancy:
    found = rooms.occupancy(session)
    return Occupancy(len(found), sum(r.room.beds for r in found), sum(r.occupied for r in found))


def _stamp(moment: dt.datetime) -> str:
    return local_text(moment, "%a %d %b %Y %H:%M")


def backup_card(session: Session) -> BackupCard:
    st = backup.status(session)
    target = Target(None, "backups")
    if not st.configured:
        return BackupCard(
            "Backups are NOT set up: if this laptop is lost or broken, everything is lost. "
            "A manager can set them up here.",
            "danger",
            target,
        )
    if st.failure_reason or st.last_failure is not None:
        when = _stamp(st.last_failure) if st.last_failure else "recently"
        reason = f" {st.failure_reason}" if st.failure_reason else ""
        return BackupCard(f"The last backup FAILED ({when}).{reason}", "danger", target)
    if st.last_success is None:
        return BackupCard("No backup has been made yet. Make one now.", "danger", target)
    last = _stamp(st.last_success)
    if st.overdue:
        return BackupCard(f"Backup overdue: the last good one was {last}.", "danger", target)
    return BackupCard(f"Last good backup: {last}.", "ok", target)


def _volunteer_view(session: Session, today: dt.date) -> HomeView:
    lines = home_repo.rota(session.db)
    items = [
        HomeItem(
            line.name,
            line.room or "no room yet",
            line.alerts,
            "danger" if line.alerts.strip() else "ok",
            Target(line.resident_id, "record"),
        )
        for line in lines
    ]
    section = _section("rota", "Who is here", items, "Nobody is staying here at the moment.")
    return HomeView(
        today,
        f"Hello, {session.user.full_name.split(' ')[0]}",
        False,
        "mine",
        False,
        (section,),
        _occupancy(session),
        None,
    )


def build(session: Session, today: dt.date | None = None, scope: tasks.Scope = "mine") -> HomeView:
    """Everything on the home screen. ``scope`` "everyone" is honoured for managers only."""
    today = today or session.today()
    if not session.role.sees_case_detail:
        return _volunteer_view(session, today)
    scope = tasks.effective_scope(session, scope)
    week_end = today + dt.timedelta(days=WEEK_DAYS)
    residents = tasks_repo.current_residents(session.db)
    auto = [t for t in tasks.automatic(session, residents, today) if not t.done]
    mine = [t for t in auto if scope == "everyone" or tasks.is_mine(session, t)]

    due = [t for t in tasks.manual(session, scope=scope) if t.due_on and t.due_on <= week_end]
    due += [t for t in mine if t.kind in TASK_KINDS and t.due_on and t.due_on <= week_end]
    due.sort(key=lambda t: (t.due_on, t.title))
    who = "everyone's" if scope == "everyone" else "yours"
    task_section = _section(
        "tasks",
        "Tasks overdue and due this week",
        [_task_item(t, today) for t in due],
        f"Nothing overdue or due this week ({who}).",
    )

    since = today - dt.timedelta(weeks=plans.review_weeks(session))
    high = [
        r
        for r in residents
        if r.last_level == "high" and (r.last_plan_review is None or r.last_plan_review < since)
    ]
    high_items = [
        HomeItem(
            "High risk: safety plan not reviewed"
            if r.last_plan_review
            else "High risk: no safety plan agreed yet",
            r.label,
            f"last review {d.long_date(r.last_plan_review)}" if r.last_plan_review else "",
            "danger",
            Target(r.id, "plan"),
        )
        for r in high
    ]
    high_section = _section(
        "high_risk",
        f"High risk, no plan review in {plans.review_weeks(session)} weeks",
        high_items,
        "Every high-risk resident has had a recent plan review.",
    )

    orders = sorted(
        (t for t in auto if t.kind == "order_expiry"), key=lambda t: t.due_on or dt.date.max
    )
    order_section = _section(
        "orders",
        f"Court orders ending within {d.ORDER_WARN_DAYS} days",
        [
            _task_item(t, today, d.countdown(t.due_on, today, "ends", "ended"))
            for t in orders
            if t.due_on
        ],
        f"No court order ends in the next {d.ORDER_WARN_DAYS} days.",
    )

    imm = sorted(
        (t for t in auto if t.kind in IMMIGRATION_KINDS), key=lambda t: t.due_on or dt.date.max
    )
    imm_section = _section(
        "immigration",
        "MVDAC, visa and application deadlines (4 weeks)",
        [
            _task_item(
                t,
                today,
                d.countdown(t.due_on, today, "due", "was due")
                if t.kind == "application"
                else d.countdown(t.due_on, today),
            )
            for t in imm
            if t.due_on
        ],
        "No immigration deadline in the next 4 weeks.",
    )

    start = today - dt.timedelta(days=WEEK_DAYS - 1)
    moves = [
        HomeItem(
            "Arriving" if a.arrival_date >= today and a.status == "referral" else "Arrived",
            a.label,
            d.long_date(a.arrival_date),
            "ok",
            Target(a.resident_id, "record"),
        )
        for a in home_repo.arrivals(session.db, start, week_end)
    ]
    moves += [
        HomeItem(
            "Moving on",
            r.label,
            d.countdown(r.move_on_date, today, "due", "was due"),
            "danger" if r.move_on_date < today else "warn",
            Target(r.id, "record"),
        )
        for r in residents
        if r.status == "resident" and r.move_on_date is not None and r.move_on_date <= week_end
    ]
    move_section = _section(
        "arrivals", "Arrivals and move-ons this week", moves, "No arrivals or move-ons this week."
    )

    return HomeView(
        today,
        f"Hello, {session.user.full_name.split(' ')[0]}",
        True,
        scope,
        session.role.manages_staff,
        (task_section, high_section, order_section, imm_section, move_section),
        _occupancy(session),
        backup_card(session),
    )

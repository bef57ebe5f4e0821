"""Court orders, immigration deadlines and tasks: the records, the date rules, the wording.

Pure: no database, no Qt. Automatic tasks are computed from dates; each has a stable key
(kind, record, date) so a "done" mark sticks to that date only.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from refuge_desk.domain.text import multiline_text

MAX_SHORT = 500
MAX_TEXT = 20_000

ORDER_TYPES: dict[str, str] = {
    "non_molestation": "Non-molestation order",
    "occupation": "Occupation order",
    "dvpo": "Domestic violence protection order (DVPO)",
    "restraining": "Restraining order",
    "bail": "Bail conditions",
    "child_arrangements": "Child arrangements order",
    "other": "Other order",
}
APPLICATION_KINDS: dict[str, str] = {
    "set_dv": "Settlement as a victim of domestic abuse (SET(DV))",
    "mvdac_extension": "MVDAC follow-on application",
    "asylum": "Asylum claim",
    "eu_settlement": "EU Settlement Scheme",
    "appeal": "Appeal or review",
    "other": "Other application",
}

# How far ahead each automatic task appears (days before its date).
ORDER_WARN_DAYS = 14
MVDAC_WARN_DAYS = 28
VISA_WARN_DAYS = 28
APPLICATION_WARN_DAYS = 28
MOVE_ON_WARN_DAYS = 7
REVIEW_WARN_DAYS = 7
MVDAC_MONTHS = 3

TABS = ("record", "plan", "risk", "notes", "orders", "immigration", "tasks")
AUTO_KINDS: dict[str, str] = {
    "risk_review": "Risk review",
    "plan_review": "Safety plan review",
    "order_expiry": "Court order ends",
    "mvdac_end": "MVDAC leave ends",
    "visa_expiry": "Visa ends",
    "application": "Application deadline",
    "move_on": "Move-on date",
}


@dataclass(frozen=True, slots=True)
class Target:
    """Where an item opens: a resident's tab, or a page when ``resident_id`` is None."""

    resident_id: int | None
    tab: str


# --- dates and wording ----------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later, clamped to the month's end: 30 Nov + 3 = 28 (or 29) Feb."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def mvdac_end(granted_on: dt.date) -> dt.date:
    """The last day of MVDAC leave: three calendar months from the grant."""
    return add_months(granted_on, MVDAC_MONTHS)


def long_date(day: dt.date) -> str:
    return day.strftime("%a %d %b %Y").replace(" 0", " ", 1)


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def countdown(target: dt.date, today: dt.date, future: str = "ends", past: str = "ended") -> str:
    """ "ends in 23 days (Fri 19 Dec 2026)", "ends today (...)", "ended 3 days ago (...)"."""
    days = (target - today).days
    when = long_date(target)
    if days == 0:
        return f"{future} today ({when})"
    if days == 1:
        return f"{future} tomorrow ({when})"
    if days == -1:
        return f"{past} yesterday ({when})"
    if days > 0:
        return f"{future} in {_days(days)} ({when})"
    return f"{past} {_days(-days)} ago ({when})"


def due_words(due: dt.date | None, today: dt.date) -> str:
    """ "3 days overdue", "due today", "due tomorrow", "due in 5 days", "no date"."""
    if due is None:
        return "no date"
    days = (due - today).days
    if days < 0:
        return f"{_days(-days)} overdue"
    if days == 0:
        return "due today"
    if days == 1:
        return "due tomorrow"
    return f"due in {_days(days)}"


def auto_key(kind: str, record_id: int, day: dt.date) -> str:
    """The stable key of an automatic task: the same kind, record and date is the same task."""
    return f"{kind}:{record_id}:{day.isoformat()}"


def manual_key(task_id: int) -> str:
    return f"task:{task_id}"


def task_id_of(key: str) -> int | None:
    """The tasks.id of a manual task key, None for an automatic one."""
    if key.startswith("task:"):
        try:
            return int(key[5:])
        except ValueError:
            return None
    return None


def is_auto_key(key: str) -> bool:
    kind, _, rest = key.partition(":")
    record, _, day = rest.partition(":")
    if kind not in AUTO_KINDS or not record.isdigit():
        return False
    try:
        dt.date.fromisoformat(day)
    except ValueError:
        return False
    return True


# --- records ---------------------------------------------------------------------------


@dataclass(slots=True)
class CourtOrder:
    id: int | None = None
    resident_id: int = 0
    order_type: str = "non_molestation"
    protected_people: str = ""
    conditions: str = multiline_text()
    starts_on: dt.date | None = None
    expires_on: dt.date | None = None  # None: "until further order"
    court: str = ""
    notes: str = multiline_text()
    updated_at: str = ""
    updated_by: str = ""

    @property
    def type_label(self) -> str:
        return ORDER_TYPES.get(self.order_type, self.order_type)

    def expired(self, today: dt.date) -> bool:
        return self.expires_on is not None and self.expires_on < today

    def status_text(self, today: dt.date) -> str:
        if self.expires_on is None:
            return "In force until further order"
        if self.starts_on is not None and self.starts_on > today:
            return f"Starts {long_date(self.starts_on)}"
        text = countdown(self.expires_on, today, "ends", "expired")
        return text[0].upper() + text[1:]


def validate_order(order: CourtOrder) -> list[str]:
    problems = []
    if order.order_type not in ORDER_TYPES:
        problems.append("Choose the type of order.")
    if order.starts_on and order.expires_on and order.expires_on < order.starts_on:
        problems.append("The order cannot end before it starts.")
    for label, text, limit in (
        ("protected people", order.protected_people, MAX_SHORT),
        ("court", order.court, MAX_SHORT),
        ("conditions", order.conditions, MAX_TEXT),
        ("notes", order.notes, MAX_TEXT),
    ):
        if len(text) > limit:
            problems.append(f"The {label} text is too long.")
    return problems


@dataclass(slots=True)
class Immigration:
    resident_id: int = 0
    visa_type: str = ""
    visa_expires_on: dt.date | None = None
    documents_with_abuser: str = multiline_text()
    mvdac_applied_on: dt.date | None = None
    mvdac_granted_on: dt.date | None = None
    solicitor: str = ""
    rent_paid_by: str = ""
    notes: str = multiline_text()
    updated_at: str = ""
    updated_by: str = ""

    @property
    def mvdac_ends_on(self) -> dt.date | None:
        return mvdac_end(self.mvdac_granted_on) if self.mvdac_granted_on else None


def validate_immigration(rec: Immigration, today: dt.date) -> list[str]:
    problems = []
    if (
        rec.mvdac_granted_on
        and rec.mvdac_applied_on
        and rec.mvdac_granted_on < rec.mvdac_applied_on
    ):
        problems.append("MVDAC cannot be granted before it was applied for.")
    if rec.mvdac_applied_on and rec.mvdac_applied_on > today:
        problems.append("The MVDAC application date cannot be in the future.")
    if rec.mvdac_granted_on and rec.mvdac_granted_on > today:
        problems.append("The MVDAC grant date cannot be in the future.")
    for label, text, limit in (
        ("visa type", rec.visa_type, MAX_SHORT),
        ("solicitor", rec.solicitor, MAX_SHORT),
        ("rent", rec.rent_paid_by, MAX_SHORT),
        ("documents", rec.documents_with_abuser, MAX_TEXT),
        ("notes", rec.notes, MAX_TEXT),
    ):
        if len(text) > limit:
            problems.append(f"The {label} text is too long.")
    return problems


@dataclass(slots=True)
class Application:
    id: int | None = None
    resident_id: int = 0
    kind: str = "set_dv"
    deadline_on: dt.date | None = None
    submitted_on: dt.date | None = None
    decision: str = ""
    notes: str = multiline_text()
    updated_at: str = ""

    @property
    def kind_label(self) -> str:
        return APPLICATION_KINDS.get(self.kind, self.kind)

    @property
    def open(self) -> bool:
        return self.submitted_on is None and not self.decision.strip()


def validate_application(app: Application, today: dt.date) -> list[str]:
    problems = []
    if app.kind not in APPLICATION_KINDS:
        problems.append("Choose the kind of application.")
    if app.submitted_on and app.submitted_on > today:
        problems.append("The date it was sent cannot be in the future.")
    if len(app.decision) > MAX_SHORT:
        problems.append("The decision text is too long.")
    if len(app.notes) > MAX_TEXT:
        problems.append("The notes are too long.")
    return problems


@dataclass(slots=True)
class TaskDraft:
    """A free task as typed: what, when, who."""

    title: str = ""
    details: str = multiline_text()
    due_on: dt.date | None = None
    assignee_id: int | None = None
    resident_id: int | None = None


def validate_task(task: TaskDraft) -> list[str]:
    problems = []
    if not task.title.strip():
        problems.append("Give the task a short title.")
    elif len(task.title) > MAX_SHORT:
        problems.append("The title is too long; put the rest in the details.")
    if len(task.details) > MAX_TEXT:
        problems.append("The details are too long.")
    return problems


@dataclass(frozen=True, slots=True)
class TaskItem:
    """One line on the task list or home screen: a free task or an automatic one."""

    key: str
    kind: str  # "manual" or one of AUTO_KINDS
    title: str
    details: str
    due_on: dt.date | None
    resident_id: int | None
    resident_label: str  # "R-0007 Amira": reference and the name used on the rota
    assignee_id: int | None
    assignee: str
    done: bool
    target: Target

    @property
    def automatic(self) -> bool:
        return self.kind != "manual"

    def overdue(self, today: dt.date) -> bool:
        return self.due_on is not None and self.due_on < today and not self.done

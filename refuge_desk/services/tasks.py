"""Tasks: free tasks people write, and automatic ones computed from the dates in the vault.

Automatic tasks are never stored. Each has a stable key (kind, record, date); marking one
done stores only that key in ``auto_tasks_done``, so it stays done until its date changes
(a new review date, a new expiry) and then comes back as a new task.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Literal

from refuge_desk.domain import deadlines as d
from refuge_desk.domain.deadlines import Target, TaskDraft, TaskItem
from refuge_desk.domain.errors import NotFound, ValidationError
from refuge_desk.domain.text import clean_record
from refuge_desk.services import plans, settings
from refuge_desk.services.session import Session
from refuge_desk.store import tasks_repo
from refuge_desk.store.tasks_repo import CurrentResident

Scope = Literal["mine", "everyone"]


def _require(session: Session) -> None:
    session.require(session.role.sees_case_detail, "see or change tasks")


def effective_scope(session: Session, scope: Scope) -> Scope:
    """Only managers may see everyone's tasks."""
    return "everyone" if scope == "everyone" and session.role.manages_staff else "mine"


# --- automatic tasks ----------------------------------------------------------------------


def _auto(
    kind: str,
    record_id: int,
    day: dt.date,
    title: str,
    res: CurrentResident,
    tab: str,
    details: str = "",
) -> TaskItem:
    return TaskItem(
        key=d.auto_key(kind, record_id, day),
        kind=kind,
        title=title,
        details=details,
        due_on=day,
        resident_id=res.id,
        resident_label=res.label,
        assignee_id=res.key_worker_id,
        assignee=res.key_worker,
        done=False,
        target=Target(res.id, tab),
    )


def _risk_tasks(residents: list[CurrentResident], today: dt.date, weeks: int) -> list[TaskItem]:
    out = []
    for res in residents:
        if res.status != "resident":
            continue
        if res.last_assessed_on is None:
            due = res.arrival_date or today
            out.append(
                _auto(
                    "risk_review",
                    res.id,
                    due,
                    "First risk assessment",
                    res,
                    "risk",
                    "No risk checklist has been recorded for her yet.",
                )
            )
            continue
        if res.last_incident_on is not None and res.last_incident_on > res.last_assessed_on:
            out.append(
                _auto(
                    "risk_review",
                    res.id,
                    res.last_incident_on,
                    "Risk review after an incident",
                    res,
                    "risk",
                    f"An incident on {d.long_date(res.last_incident_on)} came after her "
                    "last risk assessment.",
                )
            )
            continue
        due = res.last_assessed_on + dt.timedelta(weeks=weeks)
        if due <= today + dt.timedelta(days=d.REVIEW_WARN_DAYS):
            out.append(
                _auto(
                    "risk_review",
                    res.id,
                    due,
                    "Risk review",
                    res,
                    "risk",
                    f"Last assessed {d.long_date(res.last_assessed_on)}; reviews are due "
                    f"every {weeks} weeks.",
                )
            )
    return out


def _plan_tasks(session: Session, by_id: dict[int, CurrentResident]) -> list[TaskItem]:
    out = []
    for due in plans.due_reviews(session, d.REVIEW_WARN_DAYS):
        res = by_id.get(due.resident_id)
        if res is None:
            continue
        item = _auto(
            "plan_review",
            due.plan_id,
            due.review_date,
            "Safety plan review",
            res,
            "plan",
            f"Reviewer: {due.reviewer}" if due.reviewer else "",
        )
        out.append(item)
    return out


def _dated_tasks(
    session: Session, by_id: dict[int, CurrentResident], today: dt.date
) -> list[TaskItem]:
    db = session.db
    out = []
    for row in tasks_repo.expiring_orders(db, today + dt.timedelta(days=d.ORDER_WARN_DAYS)):
        if row.day < today - dt.timedelta(days=d.ORDER_WARN_DAYS):
            continue  # long expired: no longer a deadline (the tab shows it as expired)
        res = by_id[row.resident_id]
        label = d.ORDER_TYPES.get(row.kind, row.kind)
        out.append(
            _auto(
                "order_expiry",
                row.record_id,
                row.day,
                f"{label} ends",
                res,
                "orders",
                "Check with her and her solicitor whether it should be extended.",
            )
        )
    for rid, visa, visa_on, granted in tasks_repo.immigration_dates(db):
        res = by_id[rid]
        if visa_on is not None and visa_on <= today + dt.timedelta(days=d.VISA_WARN_DAYS):
            title = f"Visa ends ({visa})" if visa else "Visa ends"
            out.append(_auto("visa_expiry", rid, visa_on, title, res, "immigration"))
        if granted is not None:
            end = d.mvdac_end(granted)
            if end <= today + dt.timedelta(days=d.MVDAC_WARN_DAYS):
                out.append(
                    _auto(
                        "mvdac_end",
                        rid,
                        end,
                        "MVDAC leave ends",
                        res,
                        "immigration",
                        "Her application for further leave must be in before this date.",
                    )
                )
    for row in tasks_repo.open_applications(db, today + dt.timedelta(days=d.APPLICATION_WARN_DAYS)):
        res = by_id[row.resident_id]
        label = d.APPLICATION_KINDS.get(row.kind, row.kind)
        out.append(
            _auto("application", row.record_id, row.day, f"Deadline: {label}", res, "immigration")
        )
    for res in by_id.values():
        if (
            res.status == "resident"
            and res.move_on_date is not None
            and res.move_on_date <= today + dt.timedelta(days=d.MOVE_ON_WARN_DAYS)
        ):
            out.append(_auto("move_on", res.id, res.move_on_date, "Move-on date", res, "record"))
    return out


def automatic(
    session: Session,
    residents: list[CurrentResident] | None = None,
    today: dt.date | None = None,
) -> list[TaskItem]:
    """Every automatic task of current residents, done ones marked ``done``."""
    _require(session)
    today = today or session.today()
    residents = tasks_repo.current_residents(session.db) if residents is None else residents
    by_id = {r.id: r for r in residents}
    items = _risk_tasks(residents, today, settings.risk_review_weeks(session))
    items += _plan_tasks(session, by_id)
    items += _dated_tasks(session, by_id, today)
    done = tasks_repo.done_keys(session.db, (i.key for i in items))
    return [replace(i, done=True) if i.key in done else i for i in items]


# --- the list -----------------------------------------------------------------------------


def _manual(row: tasks_repo.TaskRow) -> TaskItem:
    return TaskItem(
        key=d.manual_key(row.id),
        kind="manual",
        title=row.title,
        details=row.details,
        due_on=row.due_on,
        resident_id=row.resident_id,
        resident_label=row.resident_label,
        assignee_id=row.assignee_id,
        assignee=row.assignee,
        done=row.done_at is not None,
        target=Target(row.resident_id, "tasks"),
    )


def _mine(session: Session, item: TaskItem) -> bool:
    """An automatic task is hers when she is the key worker, or nobody is."""
    return item.assignee_id in (None, session.user.id)


def _sort_key(item: TaskItem) -> tuple[bool, dt.date, str]:
    return (item.due_on is None, item.due_on or dt.date.max, item.title)


def list_tasks(
    session: Session,
    *,
    scope: Scope = "mine",
    include_done: bool = False,
    resident_id: int | None = None,
    residents: list[CurrentResident] | None = None,
    today: dt.date | None = None,
) -> list[TaskItem]:
    """Open tasks (free and automatic), soonest first; with ``include_done`` also the ones
    done in the last 30 days (free tasks) or marked done (automatic ones still in their window).
    """
    _require(session)
    scope = effective_scope(session, scope)
    items = manual(session, scope=scope, include_done=include_done, resident_id=resident_id)
    for item in automatic(session, residents, today):
        if item.done and not include_done:
            continue
        if resident_id is not None and item.resident_id != resident_id:
            continue
        if scope == "mine" and not _mine(session, item):
            continue
        items.append(item)
    return sorted(items, key=_sort_key)


def manual(
    session: Session,
    *,
    scope: Scope = "mine",
    include_done: bool = False,
    resident_id: int | None = None,
) -> list[TaskItem]:
    """Free tasks: open ones (and with ``include_done`` those done in the last 30 days)."""
    _require(session)
    scope = effective_scope(session, scope)
    staff_id = session.user.id if scope == "mine" else None
    db = session.db
    items = [_manual(r) for r in tasks_repo.open_tasks(db, staff_id, resident_id)]
    if include_done:
        since = (session.today() - dt.timedelta(days=30)).isoformat()
        items += [_manual(r) for r in tasks_repo.done_tasks(db, since, staff_id, resident_id)]
    return items


def is_mine(session: Session, item: TaskItem) -> bool:
    if item.automatic:
        return _mine(session, item)
    return item.assignee_id == session.user.id or item.assignee_id is None


# --- changes ------------------------------------------------------------------------------


def _check(session: Session, draft: TaskDraft) -> TaskDraft:
    draft = clean_record(draft)
    problems = d.validate_task(draft)
    if draft.assignee_id is not None and draft.assignee_id not in dict(
        tasks_repo.staff_options(session.db)
    ):
        problems.append("A task can only be given to an active manager or support worker.")
    if draft.resident_id is not None:
        ref = session.db.scalar(
            "SELECT reference FROM residents WHERE id = ?", (draft.resident_id,)
        )
        if ref is None:
            problems.append("That resident's record no longer exists.")
    if problems:
        raise ValidationError(problems)
    return replace(draft, title=draft.title.strip(), details=draft.details.strip())


def _ref(session: Session, resident_id: int | None, task_id: int) -> str:
    ref = None
    if resident_id is not None:
        ref = session.db.scalar("SELECT reference FROM residents WHERE id = ?", (resident_id,))
    return f"{ref} task:{task_id}" if ref else f"task:{task_id}"


def add(session: Session, draft: TaskDraft) -> TaskItem:
    _require(session)
    clean = _check(session, draft)
    with session.db.transaction():
        task_id = tasks_repo.insert(
            session.db,
            clean.title,
            clean.details,
            clean.due_on,
            clean.assignee_id,
            clean.resident_id,
            session.stamp(),
            session.user.id,
        )
        session.audit("task.add", _ref(session, clean.resident_id, task_id))
    return get(session, d.manual_key(task_id))


def update(session: Session, key: str, draft: TaskDraft) -> TaskItem:
    _require(session)
    task_id = d.task_id_of(key)
    if task_id is None or tasks_repo.get(session.db, task_id) is None:
        raise NotFound("That task no longer exists.")
    clean = _check(session, draft)
    with session.db.transaction():
        tasks_repo.update(
            session.db,
            task_id,
            clean.title,
            clean.details,
            clean.due_on,
            clean.assignee_id,
            clean.resident_id,
        )
        session.audit("task.update", _ref(session, clean.resident_id, task_id))
    return get(session, key)


def get(session: Session, key: str) -> TaskItem:
    """A free task by key (``task:<id>``)."""
    _require(session)
    task_id = d.task_id_of(key)
    row = tasks_repo.get(session.db, task_id) if task_id is not None else None
    if row is None:
        raise NotFound("That task no longer exists.")
    return _manual(row)


def draft_of(session: Session, key: str) -> TaskDraft:
    item = get(session, key)
    return TaskDraft(item.title, item.details, item.due_on, item.assignee_id, item.resident_id)


def set_done(session: Session, key: str, done: bool = True) -> None:
    """Mark a task done (or not done again): a free task by its row, an automatic one by key."""
    _require(session)
    db = session.db
    task_id = d.task_id_of(key)
    if task_id is not None:
        row = tasks_repo.get(db, task_id)
        if row is None:
            raise NotFound("That task no longer exists.")
        with db.transaction():
            tasks_repo.set_done(
                db, task_id, session.stamp() if done else None, session.user.id if done else None
            )
            session.audit(
                "task.done" if done else "task.reopen", _ref(session, row.resident_id, task_id)
            )
        return
    if not d.is_auto_key(key):
        raise NotFound("That task no longer exists.")
    with db.transaction():
        if done:
            tasks_repo.mark_auto_done(db, key, session.stamp(), session.user.id)
        else:
            tasks_repo.unmark_auto_done(db, key)
        session.audit("task.auto_done" if done else "task.auto_reopen", key)


def staff_options(session: Session) -> list[tuple[int, str]]:
    _require(session)
    return tasks_repo.staff_options(session.db)


def resident_options(session: Session) -> list[tuple[int, str]]:
    _require(session)
    return tasks_repo.resident_options(session.db)

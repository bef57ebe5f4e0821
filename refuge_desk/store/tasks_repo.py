"""Free tasks, "done" marks of automatic tasks, and the dated facts automatic tasks come from.

Every query here starts from the current residents (status referral or resident, read through
the ``residents_status`` index) or from an index on the date, so it stays fast however many
people have moved on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from refuge_desk.store.db import Database, Row
from refuge_desk.store.values import opt_day, opt_iso

CURRENT_SQL = "r.status IN ('referral', 'resident')"
# The name a resident goes by on the rota: preferred name, else her first name.
ROTA_NAME = (
    "CASE WHEN trim(r.preferred_name) != '' THEN r.preferred_name "
    "ELSE substr(trim(r.full_name), 1, instr(trim(r.full_name) || ' ', ' ') - 1) END"
)


@dataclass(frozen=True, slots=True)
class CurrentResident:
    id: int
    reference: str
    name: str
    status: str
    key_worker_id: int | None
    key_worker: str
    arrival_date: dt.date | None
    move_on_date: dt.date | None
    last_assessed_on: dt.date | None
    last_level: str
    last_incident_on: dt.date | None
    last_plan_review: dt.date | None

    @property
    def label(self) -> str:
        return f"{self.reference} {self.name}".strip()


def current_residents(db: Database) -> list[CurrentResident]:
    rows = db.query(
        f"""
        SELECT r.id, r.reference, {ROTA_NAME} AS rota_name, r.status, r.key_worker_id,
               coalesce(kw.full_name, '') AS key_worker, r.arrival_date, r.move_on_date,
               (SELECT a.assessed_on FROM risk_assessments a WHERE a.resident_id = r.id
                ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1) AS last_assessed_on,
               (SELECT a.level FROM risk_assessments a WHERE a.resident_id = r.id
                ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1) AS last_level,
               (SELECT max(i.occurred_on) FROM incidents i WHERE i.resident_id = r.id)
                AS last_incident_on,
               (SELECT max(pr.reviewed_at) FROM safety_plans p
                JOIN plan_reviews pr ON pr.plan_id = p.id WHERE p.resident_id = r.id)
                AS last_plan_review
        FROM residents r LEFT JOIN staff kw ON kw.id = r.key_worker_id
        WHERE {CURRENT_SQL}
        ORDER BY r.ref_no
        """
    )
    return [
        CurrentResident(
            int(r["id"]),
            str(r["reference"]),
            str(r["rota_name"]),
            str(r["status"]),
            None if r["key_worker_id"] is None else int(r["key_worker_id"]),
            str(r["key_worker"]),
            opt_day(r["arrival_date"]),
            opt_day(r["move_on_date"]),
            opt_day(r["last_assessed_on"]),
            str(r["last_level"] or ""),
            opt_day(r["last_incident_on"]),
            opt_day(r["last_plan_review"]),
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class DatedRow:
    record_id: int
    resident_id: int
    kind: str  # order type, visa type or application kind
    day: dt.date


def _dated(r: Row) -> DatedRow:
    return DatedRow(int(r["id"]), int(r["resident_id"]), str(r["kind"]), opt_day(r["day"]))  # type: ignore[arg-type]


def expiring_orders(db: Database, until: dt.date) -> list[DatedRow]:
    rows = db.query(
        f"SELECT o.id, o.resident_id, o.order_type AS kind, o.expires_on AS day FROM residents r "
        f"JOIN court_orders o ON o.resident_id = r.id "
        f"WHERE {CURRENT_SQL} AND o.expires_on IS NOT NULL AND o.expires_on <= ?",
        (until.isoformat(),),
    )
    return [_dated(r) for r in rows]


def immigration_dates(db: Database) -> list[tuple[int, str, dt.date | None, dt.date | None]]:
    """(resident id, visa type, visa expiry, MVDAC granted) of current residents with a date."""
    rows = db.query(
        f"SELECT i.resident_id, i.visa_type, i.visa_expires_on, i.mvdac_granted_on "
        f"FROM residents r JOIN immigration i ON i.resident_id = r.id WHERE {CURRENT_SQL} "
        f"AND (i.visa_expires_on IS NOT NULL OR i.mvdac_granted_on IS NOT NULL)"
    )
    return [
        (
            int(r["resident_id"]),
            str(r["visa_type"]),
            opt_day(r["visa_expires_on"]),
            opt_day(r["mvdac_granted_on"]),
        )
        for r in rows
    ]


def open_applications(db: Database, until: dt.date) -> list[DatedRow]:
    rows = db.query(
        f"SELECT a.id, a.resident_id, a.kind, a.deadline_on AS day FROM residents r "
        f"JOIN immigration_applications a ON a.resident_id = r.id "
        f"WHERE {CURRENT_SQL} AND a.deadline_on IS NOT NULL AND a.deadline_on <= ? "
        f"AND a.submitted_on IS NULL AND trim(a.decision) = ''",
        (until.isoformat(),),
    )
    return [_dated(r) for r in rows]


# --- "done" marks of automatic tasks ------------------------------------------------------


def done_keys(db: Database, keys: Iterable[str]) -> set[str]:
    wanted = list(keys)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = db.query(
            f"SELECT key FROM auto_tasks_done WHERE key IN ({', '.join('?' * len(chunk))})",
            chunk,
        )
        found.update(str(r["key"]) for r in rows)
    return found


def mark_auto_done(db: Database, key: str, now: str, by: int) -> None:
    db.execute(
        "INSERT INTO auto_tasks_done (key, done_at, done_by) VALUES (?, ?, ?) "
        "ON CONFLICT (key) DO NOTHING",
        (key, now, by),
    )


def unmark_auto_done(db: Database, key: str) -> None:
    db.execute("DELETE FROM auto_tasks_done WHERE key = ?", (key,))


# --- free tasks -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskRow:
    id: int
    resident_id: int | None
    resident_label: str
    title: str
    details: str
    due_on: dt.date | None
    assignee_id: int | None
    assignee: str
    done_at: str | None
    created_by: int | None


_T_COLS = f"""
    t.id, t.resident_id, coalesce(r.reference || ' ' || {ROTA_NAME}, '') AS resident_label,
    t.title, t.details, t.due_on, t.assignee_id, coalesce(s.full_name, '') AS assignee,
    t.done_at, t.created_by
    FROM tasks t LEFT JOIN residents r ON r.id = t.resident_id
    LEFT JOIN staff s ON s.id = t.assignee_id
"""


def _task(r: Row) -> TaskRow:
    return TaskRow(
        int(r["id"]),
        None if r["resident_id"] is None else int(r["resident_id"]),
        str(r["resident_label"]),
        str(r["title"]),
        str(r["details"]),
        opt_day(r["due_on"]),
        None if r["assignee_id"] is None else int(r["assignee_id"]),
        str(r["assignee"]),
        None if r["done_at"] is None else str(r["done_at"]),
        None if r["created_by"] is None else int(r["created_by"]),
    )


def _scope(staff_id: int | None, resident_id: int | None) -> tuple[str, list[object]]:
    where, params = "", []  # type: tuple[str, list[object]]
    if staff_id is not None:
        where += " AND (t.assignee_id = ? OR (t.assignee_id IS NULL AND t.created_by = ?))"
        params += [staff_id, staff_id]
    if resident_id is not None:
        where += " AND t.resident_id = ?"
        params.append(resident_id)
    return where, params


def open_tasks(
    db: Database, staff_id: int | None, resident_id: int | None, limit: int = 1000
) -> list[TaskRow]:
    """Open tasks (index tasks_open), dated ones first by date."""
    where, params = _scope(staff_id, resident_id)
    rows = db.query(
        f"SELECT {_T_COLS} WHERE t.done_at IS NULL {where} "
        "ORDER BY t.due_on IS NULL, t.due_on, t.id LIMIT ?",
        [*params, limit],
    )
    return [_task(r) for r in rows]


def done_tasks(
    db: Database, since: str, staff_id: int | None, resident_id: int | None, limit: int = 200
) -> list[TaskRow]:
    where, params = _scope(staff_id, resident_id)
    rows = db.query(
        f"SELECT {_T_COLS} WHERE t.done_at >= ? {where} ORDER BY t.done_at DESC LIMIT ?",
        [since, *params, limit],
    )
    return [_task(r) for r in rows]


def get(db: Database, task_id: int) -> TaskRow | None:
    r = db.query_one(f"SELECT {_T_COLS} WHERE t.id = ?", (task_id,))
    return _task(r) if r else None


def insert(
    db: Database,
    title: str,
    details: str,
    due_on: dt.date | None,
    assignee_id: int | None,
    resident_id: int | None,
    now: str,
    by: int,
) -> int:
    return db.execute(
        "INSERT INTO tasks (title, details, due_on, assignee_id, resident_id, created_at, "
        "created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (title, details, opt_iso(due_on), assignee_id, resident_id, now, by),
    )


def update(
    db: Database,
    task_id: int,
    title: str,
    details: str,
    due_on: dt.date | None,
    assignee_id: int | None,
    resident_id: int | None,
) -> None:
    db.execute(
        "UPDATE tasks SET title = ?, details = ?, due_on = ?, assignee_id = ?, resident_id = ? "
        "WHERE id = ?",
        (title, details, opt_iso(due_on), assignee_id, resident_id, task_id),
    )


def set_done(db: Database, task_id: int, now: str | None, by: int | None) -> None:
    db.execute("UPDATE tasks SET done_at = ?, done_by = ? WHERE id = ?", (now, by, task_id))


def staff_options(db: Database) -> list[tuple[int, str]]:
    """Active managers and support workers, who can be given a task."""
    rows = db.query(
        "SELECT id, full_name FROM staff WHERE active = 1 AND role IN ('manager', 'worker') "
        "ORDER BY full_name COLLATE NOCASE"
    )
    return [(int(r["id"]), str(r["full_name"])) for r in rows]


def resident_options(db: Database) -> list[tuple[int, str]]:
    rows = db.query(
        f"SELECT r.id, r.reference || ' ' || {ROTA_NAME} AS label FROM residents r "
        f"WHERE {CURRENT_SQL} "
        "ORDER BY r.ref_no"
    )
    return [(int(r["id"]), str(r["label"])) for r in rows]

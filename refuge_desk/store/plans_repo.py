"""Safety plans, their versions, reviews and the templates they were made with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from refuge_desk.store.db import Database, Row
from refuge_desk.store.values import opt_date, opt_iso, to_date


@dataclass(frozen=True, slots=True)
class TemplateRow:
    id: int
    key: str
    version: int
    name: str
    body: str
    added_at: str


@dataclass(frozen=True, slots=True)
class PlanRow:
    id: int
    resident_id: int
    latest_version: int
    draft_template: int | None
    draft_content: str | None
    draft_revision: int
    draft_updated_at: str
    draft_updated_by: str
    review_date: dt.date | None
    reviewer_id: int | None
    reviewer: str


@dataclass(frozen=True, slots=True)
class VersionRow:
    number: int
    template_id: int
    content: str
    finalised_at: str
    finalised_by: str
    review_date: dt.date | None
    reviewer: str


@dataclass(frozen=True, slots=True)
class ReviewRow:
    version_number: int
    reviewed_at: str
    reviewed_by: str
    outcome: str
    next_review: dt.date | None
    note: str


@dataclass(frozen=True, slots=True)
class DueRow:
    plan_id: int
    resident_id: int
    reference: str
    full_name: str
    review_date: dt.date
    reviewer: str
    key_worker: str


# --- templates ---------------------------------------------------------------------------


def _template(r: Row) -> TemplateRow:
    return TemplateRow(
        int(r["id"]),
        str(r["template_key"]),
        int(r["version"]),
        str(r["name"]),
        str(r["body"]),
        str(r["added_at"]),
    )


_T_COLS = "id, template_key, version, name, body, added_at"


def templates(db: Database) -> list[TemplateRow]:
    rows = db.query(f"SELECT {_T_COLS} FROM plan_templates ORDER BY name, version DESC")
    return [_template(r) for r in rows]


def template(db: Database, template_id: int) -> TemplateRow | None:
    r = db.query_one(f"SELECT {_T_COLS} FROM plan_templates WHERE id = ?", (template_id,))
    return _template(r) if r else None


def template_by_key(db: Database, key: str, version: int) -> TemplateRow | None:
    r = db.query_one(
        f"SELECT {_T_COLS} FROM plan_templates WHERE template_key = ? AND version = ?",
        (key, version),
    )
    return _template(r) if r else None


def newest_template(db: Database, key: str) -> TemplateRow | None:
    r = db.query_one(
        f"SELECT {_T_COLS} FROM plan_templates WHERE template_key = ? "
        "ORDER BY version DESC LIMIT 1",
        (key,),
    )
    return _template(r) if r else None


def add_template(
    db: Database, key: str, version: int, name: str, body: str, now: str, by: int | None
) -> int:
    return db.execute(
        "INSERT INTO plan_templates (template_key, version, name, body, added_at, added_by) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (key, version, name, body, now, by),
    )


# --- plans -------------------------------------------------------------------------------

_P_COLS = """
    p.id, p.resident_id, p.latest_version, p.draft_template, p.draft_content, p.draft_revision,
    coalesce(p.draft_updated_at, '') AS draft_updated_at,
    coalesce(du.full_name, '') AS draft_updated_by_name, p.review_date,
    p.reviewer_id, coalesce(rv.full_name, '') AS reviewer_name
"""
_P_FROM = """
    FROM safety_plans p
    LEFT JOIN staff du ON du.id = p.draft_updated_by
    LEFT JOIN staff rv ON rv.id = p.reviewer_id
"""


def _plan(r: Row) -> PlanRow:
    return PlanRow(
        int(r["id"]),
        int(r["resident_id"]),
        int(r["latest_version"]),
        None if r["draft_template"] is None else int(r["draft_template"]),
        None if r["draft_content"] is None else str(r["draft_content"]),
        int(r["draft_revision"]),
        str(r["draft_updated_at"]),
        str(r["draft_updated_by_name"]),
        opt_date(r["review_date"]),
        None if r["reviewer_id"] is None else int(r["reviewer_id"]),
        str(r["reviewer_name"]),
    )


def plan_for(db: Database, resident_id: int) -> PlanRow | None:
    r = db.query_one(f"SELECT {_P_COLS} {_P_FROM} WHERE p.resident_id = ?", (resident_id,))
    return _plan(r) if r else None


def create_plan(db: Database, resident_id: int, now: str, by: int) -> int:
    return db.execute(
        "INSERT INTO safety_plans (resident_id, created_at, created_by) VALUES (?, ?, ?)",
        (resident_id, now, by),
    )


def save_draft(
    db: Database,
    plan_id: int,
    template_id: int,
    content: str,
    expected_revision: int,
    now: str,
    by: int,
) -> int | None:
    """Write the draft if nobody saved since ``expected_revision``; the new revision or None."""
    db.execute(
        "UPDATE safety_plans SET draft_template = ?, draft_content = ?, "
        "draft_revision = draft_revision + 1, draft_updated_at = ?, draft_updated_by = ? "
        "WHERE id = ? AND draft_revision = ?",
        (template_id, content, now, by, plan_id, expected_revision),
    )
    if int(db.scalar("SELECT changes()")) != 1:
        return None
    return expected_revision + 1


def clear_draft(db: Database, plan_id: int) -> None:
    db.execute(
        "UPDATE safety_plans SET draft_template = NULL, draft_content = NULL, "
        "draft_revision = draft_revision + 1 WHERE id = ?",
        (plan_id,),
    )


def set_review(
    db: Database, plan_id: int, review_date: dt.date | None, reviewer: int | None
) -> None:
    db.execute(
        "UPDATE safety_plans SET review_date = ?, reviewer_id = ? WHERE id = ?",
        (opt_iso(review_date), reviewer, plan_id),
    )


def add_version(
    db: Database,
    plan_id: int,
    number: int,
    template_id: int,
    content: str,
    now: str,
    by: int,
    review_date: dt.date | None,
    reviewer: int | None,
) -> None:
    db.execute(
        "INSERT INTO plan_versions (plan_id, number, template_id, content, finalised_at, "
        "finalised_by, review_date, reviewer_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (plan_id, number, template_id, content, now, by, opt_iso(review_date), reviewer),
    )
    db.execute("UPDATE safety_plans SET latest_version = ? WHERE id = ?", (number, plan_id))


_V_COLS = """
    v.number, v.template_id, v.content, v.finalised_at,
    coalesce(f.full_name, '') AS finalised_by_name, v.review_date,
    coalesce(r.full_name, '') AS reviewer_name
    FROM plan_versions v
    LEFT JOIN staff f ON f.id = v.finalised_by
    LEFT JOIN staff r ON r.id = v.reviewer_id
"""


def _version(r: Row) -> VersionRow:
    return VersionRow(
        int(r["number"]),
        int(r["template_id"]),
        str(r["content"]),
        str(r["finalised_at"]),
        str(r["finalised_by_name"]),
        opt_date(r["review_date"]),
        str(r["reviewer_name"]),
    )


def version(db: Database, plan_id: int, number: int) -> VersionRow | None:
    r = db.query_one(f"SELECT {_V_COLS} WHERE v.plan_id = ? AND v.number = ?", (plan_id, number))
    return _version(r) if r else None


def versions(db: Database, plan_id: int) -> list[VersionRow]:
    rows = db.query(f"SELECT {_V_COLS} WHERE v.plan_id = ? ORDER BY v.number DESC", (plan_id,))
    return [_version(r) for r in rows]


def add_review(
    db: Database,
    plan_id: int,
    version_number: int,
    now: str,
    by: int,
    outcome: str,
    next_review: dt.date | None,
    note: str,
) -> None:
    db.execute(
        "INSERT INTO plan_reviews (plan_id, version_number, reviewed_at, reviewed_by, outcome, "
        "next_review, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (plan_id, version_number, now, by, outcome, opt_iso(next_review), note),
    )


def reviews(db: Database, plan_id: int) -> list[ReviewRow]:
    rows = db.query(
        "SELECT r.version_number, r.reviewed_at, coalesce(s.full_name, '') AS reviewed_by_name, "
        "r.outcome, "
        "r.next_review, r.note FROM plan_reviews r LEFT JOIN staff s ON s.id = r.reviewed_by "
        "WHERE r.plan_id = ? ORDER BY r.id DESC",
        (plan_id,),
    )
    return [
        ReviewRow(
            int(r["version_number"]),
            str(r["reviewed_at"]),
            str(r["reviewed_by_name"]),
            str(r["outcome"]),
            opt_date(r["next_review"]),
            str(r["note"]),
        )
        for r in rows
    ]


def due(db: Database, until: dt.date, staff_id: int | None) -> list[DueRow]:
    """Plans of current residents whose review date is on or before ``until``.

    ``staff_id`` limits the list to plans she reviews or residents she is key worker for.
    """
    sql = """
        SELECT p.id AS plan_id, r.id AS resident_id, r.reference, r.full_name, p.review_date,
               coalesce(rv.full_name, '') AS reviewer_name,
               coalesce(kw.full_name, '') AS key_worker_name
        FROM safety_plans p
        JOIN residents r ON r.id = p.resident_id
        LEFT JOIN staff rv ON rv.id = p.reviewer_id
        LEFT JOIN staff kw ON kw.id = r.key_worker_id
        WHERE p.review_date IS NOT NULL AND p.review_date <= ?
          AND r.status IN ('referral', 'resident')
    """
    params: list[object] = [until.isoformat()]
    if staff_id is not None:
        sql += " AND (p.reviewer_id = ? OR r.key_worker_id = ?)"
        params += [staff_id, staff_id]
    sql += " ORDER BY p.review_date, r.ref_no"
    return [
        DueRow(
            int(r["plan_id"]),
            int(r["resident_id"]),
            str(r["reference"]),
            str(r["full_name"]),
            to_date(r["review_date"]),
            str(r["reviewer_name"]),
            str(r["key_worker_name"]),
        )
        for r in db.query(sql, params)
    ]

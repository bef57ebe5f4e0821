"""Support reviews (entry / review / exit) and their need per area."""

from __future__ import annotations

import datetime as dt

from refuge_desk.domain.support import AREA_KEYS, AreaNeed, Level, Outcome, Stage, SupportReview
from refuge_desk.store.db import Database
from refuge_desk.store.values import to_date


def insert(
    db: Database,
    resident_id: int,
    stage: Stage,
    reviewed_on: dt.date,
    needs: list[AreaNeed],
    now: str,
    by: int,
) -> int:
    review_id = db.execute(
        "INSERT INTO support_reviews (resident_id, stage, reviewed_on, created_at, created_by) "
        "VALUES (?, ?, ?, ?, ?)",
        (resident_id, stage.value, reviewed_on.isoformat(), now, by),
    )
    db.executemany(
        "INSERT INTO support_needs (review_id, area, need_level, goal, outcome, comment) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(review_id, n.area, n.level.value, n.goal, n.outcome.value, n.comment) for n in needs],
    )
    return review_id


def for_resident(db: Database, resident_id: int) -> list[SupportReview]:
    """Her reviews, oldest first (a resident has a handful: entry, a few reviews, exit)."""
    heads = db.query(
        "SELECT v.id, v.stage, v.reviewed_on, COALESCE(s.full_name, '') AS recorded_by, "
        "v.created_at "
        "FROM support_reviews v LEFT JOIN staff s ON s.id = v.created_by "
        "WHERE v.resident_id = ? ORDER BY v.reviewed_on, v.id",
        (resident_id,),
    )
    if not heads:
        return []
    needs: dict[int, dict[str, AreaNeed]] = {}
    for r in db.query(
        "SELECT n.review_id, n.area, n.need_level, n.goal, n.outcome, n.comment "
        "FROM support_needs n JOIN support_reviews v ON v.id = n.review_id "
        "WHERE v.resident_id = ?",
        (resident_id,),
    ):
        needs.setdefault(int(r["review_id"]), {})[str(r["area"])] = AreaNeed(
            str(r["area"]),
            Level(r["need_level"]),
            str(r["goal"]),
            Outcome(r["outcome"]),
            str(r["comment"]),
        )
    out = []
    for h in heads:
        by_area = needs.get(int(h["id"]), {})
        ordered = tuple(by_area.get(a, AreaNeed(a)) for a in AREA_KEYS)
        out.append(
            SupportReview(
                int(h["id"]),
                resident_id,
                Stage(h["stage"]),
                to_date(h["reviewed_on"]),
                str(h["recorded_by"]),
                str(h["created_at"]),
                ordered,
            )
        )
    return out

"""Support needs and outcomes: record entry / review / exit, and the distance travelled."""

from __future__ import annotations

import datetime as dt

from refuge_desk.domain import support as support_domain
from refuge_desk.domain.errors import NotFound, ValidationError
from refuge_desk.domain.support import (
    AREA_KEYS,
    AREAS,
    AreaNeed,
    AreaProgress,
    Outcome,
    Stage,
    SupportReview,
)
from refuge_desk.domain.text import clean_record
from refuge_desk.services.session import Session
from refuge_desk.store import residents_repo, support_repo


def _require(session: Session, what: str = "see support needs") -> None:
    session.require(session.role.sees_case_detail, what)


def _reference(session: Session, resident_id: int) -> str:
    view = residents_repo.rota(session.db, resident_id)
    if view is None:
        raise NotFound("That resident's record no longer exists.")
    return view.reference


def record_review(
    session: Session,
    resident_id: int,
    stage: Stage,
    reviewed_on: dt.date,
    needs: list[AreaNeed],
) -> SupportReview:
    """Store one review. Areas not given are stored as "no need", so every review is whole."""
    _require(session, "record support reviews")
    stage = Stage(stage)
    needs = clean_record(needs)
    reference = _reference(session, resident_id)
    existing = support_repo.for_resident(session.db, resident_id)
    entries = [r for r in existing if r.stage is Stage.ENTRY]
    problems = support_domain.validate(
        stage,
        reviewed_on,
        needs,
        session.today(),
        bool(entries),
        entries[0].reviewed_on if entries else None,
    )
    if problems:
        raise ValidationError(problems)
    given = {n.area: n for n in needs}
    full = [given.get(a, AreaNeed(a)) for a in AREA_KEYS]
    full = [
        AreaNeed(n.area, n.level, n.goal.strip(), Outcome(n.outcome), n.comment.strip())
        for n in full
    ]
    with session.db.transaction():
        review_id = support_repo.insert(
            session.db, resident_id, stage, reviewed_on, full, session.stamp(), session.user.id
        )
        session.audit("support.record", reference)
    return next(r for r in list_reviews(session, resident_id) if r.id == review_id)


def list_reviews(session: Session, resident_id: int) -> list[SupportReview]:
    """Oldest first."""
    _require(session)
    return support_repo.for_resident(session.db, resident_id)


def latest_per_area(session: Session, resident_id: int) -> dict[str, tuple[dt.date, AreaNeed]]:
    """The most recent review's need in each area (every review holds every area)."""
    reviews = list_reviews(session, resident_id)
    if not reviews:
        return {}
    last = reviews[-1]
    return {a: (last.reviewed_on, last.need(a)) for a in AREA_KEYS}


def distance_travelled(session: Session, resident_id: int) -> list[AreaProgress]:
    """Per area: need at the first entry review against need at the latest review.

    The goal is the latest one written; the outcome is the exit review's, if she has left.
    """
    reviews = list_reviews(session, resident_id)
    entry = next((r for r in reviews if r.stage is Stage.ENTRY), None)
    later = [r for r in reviews if entry is not None and r.id != entry.id]
    latest = later[-1] if later else None
    out = []
    for key, label in AREAS:
        goal = next((r.need(key).goal for r in reversed(reviews) if r.need(key).goal), "")
        exit_review = next((r for r in reversed(reviews) if r.stage is Stage.EXIT), None)
        out.append(
            AreaProgress(
                area=key,
                label=label,
                entry_level=entry.need(key).level if entry else None,
                latest_level=latest.need(key).level if latest else None,
                latest_on=latest.reviewed_on if latest else None,
                goal=goal,
                outcome=exit_review.need(key).outcome if exit_review else Outcome.NOT_SET,
            )
        )
    return out

"""Unsaved edits kept safe: parked in the vault on lock, offered back on unlock/sign-in."""

from __future__ import annotations

import json
from typing import Any

from refuge_desk.services.session import Session
from refuge_desk.store import drafts_repo
from refuge_desk.store.drafts_repo import DraftRow

RESIDENT = "resident"
# Safety-plan typing the vault refused to save into the plan (a colleague saved first).
PLAN = "plan"
CASE_NOTE = "case_note"  # the case-note composer of her record
RISK_CHECKLIST = "risk_checklist"  # a risk checklist being filled in
# Kinds whose payload holds case detail (abusers, immigration, move-on...): the drafts of
# these are for roles that see case detail only.
_CASE_DETAIL_KINDS = frozenset({RESIDENT, PLAN, CASE_NOTE, RISK_CHECKLIST})


def _may_hold(session: Session, kind: str) -> bool:
    return kind not in _CASE_DETAIL_KINDS or session.role.sees_case_detail


def park(session: Session, kind: str, record_id: int | None, payload: dict[str, Any]) -> None:
    session.require(_may_hold(session, kind), "keep unsaved changes to residents' records")
    drafts_repo.put(
        session.db,
        session.user.id,
        kind,
        record_id,
        json.dumps(payload, ensure_ascii=False),
        session.stamp(),
    )


def mine(session: Session) -> list[DraftRow]:
    """Her drafts, newest first; resident drafts only while her role sees case detail.
    A relief worker's session has no case database, so she has none."""
    if not session.has_case:
        return []
    return [
        row
        for row in drafts_repo.for_user(session.db, session.user.id)
        if _may_hold(session, row.kind)
    ]


def load(row: DraftRow) -> dict[str, Any]:
    data = json.loads(row.payload)
    return data if isinstance(data, dict) else {}


def discard(session: Session, kind: str, record_id: int | None) -> None:
    if session.has_case:
        drafts_repo.delete(session.db, session.user.id, kind, record_id)


def drop_case_detail_drafts(session: Session, user_id: int) -> int:
    """When she loses access to case detail (made a volunteer, or disabled).

    Joins the caller's transaction if there is one; the audit entry says how many went.
    """
    dropped = 0
    with session.db.transaction():
        for kind in sorted(_CASE_DETAIL_KINDS):
            dropped += drafts_repo.delete_all_for_user(session.db, user_id, kind)
        if dropped:
            session.audit("drafts.drop", f"user:{user_id}:{dropped}")
    return dropped

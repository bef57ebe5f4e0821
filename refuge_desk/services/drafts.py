"""Unsaved edits kept safe: parked in the vault on lock, offered back on unlock/sign-in."""

from __future__ import annotations

import json
from typing import Any

from refuge_desk.services.session import Session
from refuge_desk.store import drafts_repo
from refuge_desk.store.drafts_repo import DraftRow

RESIDENT = "resident"


def park(session: Session, kind: str, record_id: int | None, payload: dict[str, Any]) -> None:
    drafts_repo.put(
        session.db,
        session.user.id,
        kind,
        record_id,
        json.dumps(payload, ensure_ascii=False),
        session.stamp(),
    )


def mine(session: Session) -> list[DraftRow]:
    return drafts_repo.for_user(session.db, session.user.id)


def load(row: DraftRow) -> dict[str, Any]:
    data = json.loads(row.payload)
    return data if isinstance(data, dict) else {}


def discard(session: Session, kind: str, record_id: int | None) -> None:
    drafts_repo.delete(session.db, session.user.id, kind, record_id)

"""Unsaved edits kept safe: parked in the vault on lock, offered back on unlock/sign-in."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from refuge_desk.services.session import Session
from refuge_desk.store import crypto, drafts_repo
from refuge_desk.store.drafts_repo import DraftRow
from refuge_desk.store.keymem import wipe

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


_SEALED = "sealed"  # a draft only its author opens: {"sealed": base64}


def _label(session: Session, kind: str, record_id: int | None) -> bytes:
    vault_id = session.keyfile.vault_id
    return f"refuge-desk/v2/draft|{vault_id}|{session.user.id}|{kind}|{record_id}".encode()


def park(session: Session, kind: str, record_id: int | None, payload: dict[str, Any]) -> None:
    """Her typing, kept in the vault. A restricted case note being typed is sealed for her own
    key: the drafts table is under the case key, which every support worker holds."""
    session.require(_may_hold(session, kind), "keep unsaved changes to residents' records")
    text = json.dumps(payload, ensure_ascii=False)
    if kind == CASE_NOTE and payload.get("restricted") and session.account is not None:
        plain = bytearray(text.encode("utf-8"))
        try:
            sealed = crypto.wrap_to(
                session.account.receive_public, plain, _label(session, kind, record_id)
            )
        finally:
            wipe(plain)
        text = json.dumps({_SEALED: crypto.b64(sealed)})
    drafts_repo.put(session.db, session.user.id, kind, record_id, text, session.stamp())


def _opened(session: Session, row: DraftRow) -> DraftRow | None:
    """The row with a sealed payload opened (None if her keys no longer open it)."""
    try:
        data = json.loads(row.payload)
    except ValueError:
        return row
    if not (isinstance(data, dict) and set(data) == {_SEALED}):
        return row
    if session.account is None:
        return None
    try:
        plain = crypto.unwrap(
            session.account.receive,
            crypto.unb64(str(data[_SEALED])),
            _label(session, row.kind, row.record_id),
        )
    except (crypto.Unreadable, ValueError):
        return None
    try:
        return dataclasses.replace(row, payload=plain.decode("utf-8"))
    finally:
        wipe(plain)


def mine(session: Session) -> list[DraftRow]:
    """Her drafts, newest first; resident drafts only while her role sees case detail.
    A relief worker's session has no case database, so she has none."""
    if not session.has_case:
        return []
    out = []
    for row in drafts_repo.for_user(session.db, session.user.id):
        if not _may_hold(session, row.kind):
            continue
        opened = _opened(session, row)
        if opened is not None:
            out.append(opened)
    return out


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

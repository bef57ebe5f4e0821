"""Change history of residents' records: every changed field keeps its old and new value,
who and when; a manager can put an old value back (itself a new, recorded change).

Lists (phones, abusers, children) are kept as a whole, as JSON, so their history shows what
changed; restoring is for single fields.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from typing import Any

from refuge_desk.domain.errors import NotFound, ValidationError
from refuge_desk.domain.residents import Resident, to_plain
from refuge_desk.services.session import Session
from refuge_desk.store import history_repo, residents_repo
from refuge_desk.store.history_repo import ChangeRow

__all__ = [
    "ChangeRow",
    "for_resident",
    "for_room",
    "record_changes",
    "record_resident",
    "restorable",
    "restore_value",
]

RESIDENT = "resident"
ROOM = "room"
COURT_ORDER = "court_order"
# Bookkeeping, not what a worker changes.
_SKIP = {
    "id",
    "reference",
    "resident_id",
    "version",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def diff(old: Any, new: Any) -> list[tuple[str, str | None, str | None]]:
    before = to_plain(old) if old is not None else {}
    after = to_plain(new)
    out = []
    for field, value in after.items():
        if field in _SKIP:
            continue
        was = before.get(field) if old is not None else None
        if old is None and value in (None, "", [], False, 0):
            continue  # a new record: only what was filled in
        if old is None or was != value:
            out.append((field, _text(was), _text(value)))
    return out


def record_changes(
    session: Session, entity: str, entity_id: int, ref: str, old: Any, new: Any
) -> None:
    """Any dataclass record (a room, a court order...): each changed field, before and after.
    Called inside the caller's transaction."""
    changes = diff(old, new)
    if changes:
        history_repo.record(
            session.db, session.stamp(), session.user.id, entity, entity_id, ref, changes
        )


def record_resident(session: Session, old: Resident | None, new: Resident) -> None:
    """Called inside the save's transaction."""
    changes = diff(old, new)
    if changes and new.id is not None:
        history_repo.record(
            session.db, session.stamp(), session.user.id, RESIDENT, new.id, new.reference, changes
        )


def for_resident(session: Session, resident_id: int, field: str = "") -> list[ChangeRow]:
    """Her record's changes, and those of her court orders (same reference), newest first."""
    session.require(session.role.sees_case_detail, "see the history of residents' records")
    rows = history_repo.for_entity(session.db, RESIDENT, resident_id, field)
    if field:
        return rows
    ref = residents_repo.reference_of(session.db, resident_id)
    others = (
        [r for r in history_repo.for_ref(session.db, ref) if r.entity != RESIDENT] if ref else []
    )
    return sorted(rows + others, key=lambda r: r.id, reverse=True)


def for_room(session: Session, room_id: int) -> list[ChangeRow]:
    session.require(session.role.manages_rooms, "see the history of rooms")
    return history_repo.for_entity(session.db, ROOM, room_id)


def restorable(change: ChangeRow) -> bool:
    return change.entity == RESIDENT and not (change.old_value or "").startswith(("[", "{"))


def _parse(current: Any, text: str | None) -> Any:
    if text is None:
        return None
    if isinstance(current, bool):
        return text == "yes"
    if isinstance(current, int):
        return int(text)
    if isinstance(current, enum.Enum):
        return type(current)(text)
    if isinstance(current, dt.date) or (current is None and len(text) == 10 and text[4] == "-"):
        return dt.date.fromisoformat(text)
    return text


def restore_value(session: Session, change_id: int) -> Resident:
    """Put the value from before this change back (managers). A new change, recorded."""
    session.require(session.role.manages_staff, "put back an old value")
    from refuge_desk.services import residents  # residents records its own history

    change = history_repo.get(session.db, change_id)
    if change is None:
        raise NotFound("That change is no longer in the history.")
    if not restorable(change):
        raise ValidationError(
            [
                "Only single fields can be put back; lists (phones, children, abusers) are "
                "edited on her record."
            ]
        )
    current = residents_repo.get(session.db, change.entity_id)
    if current is None:
        raise NotFound("That resident's record no longer exists.")
    value = _parse(getattr(current, change.field), change.old_value)
    return residents.save(session, dataclasses.replace(current, **{change.field: value}))

"""Change history: every changed field keeps its old and new value, who and when.

Kept for residents (children, phones and abusers are lists on her record), rooms, court
orders, immigration details and applications, MARAC referrals, safety-plan drafts and
settings. Risk checklists, incidents, support reviews, case notes and finalised plan versions
are never edited (a change is a new entry), so they are their own history.

Lists are kept as a whole, as JSON, so their history shows what changed; a manager can put
back a single field of her record (itself a new, recorded change).

A plan draft is saved every few seconds while she types, so the changes one person makes to
one field within ``COALESCE_MINUTES`` are folded into one row: its "before" is the value when
she started, its "after" the latest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import typing
from collections.abc import Callable
from typing import Any

from refuge_desk.domain.errors import NotFound, ValidationError
from refuge_desk.domain.residents import Resident, to_plain
from refuge_desk.services.session import Session
from refuge_desk.store import history_repo, meta_repo, residents_repo
from refuge_desk.store.history_repo import ChangeRow

__all__ = [
    "ChangeRow",
    "field_label",
    "for_resident",
    "for_room",
    "for_settings",
    "old_value",
    "put_setting",
    "record_changes",
    "record_plan_draft",
    "record_resident",
    "restorable",
]

RESIDENT = "resident"
ROOM = "room"
COURT_ORDER = "court_order"
PLAN_DRAFT = "plan_draft"
MARAC_REFERRAL = "marac_referral"
IMMIGRATION = "immigration"
APPLICATION = "application"
SETTING = "setting"
SETTINGS_REF = "settings"
COALESCE_MINUTES = 10
_ID_SEP = "\x1f"  # plan-draft rows: "<field id>\x1f<label>"

ENTITY_LABELS = {
    RESIDENT: "Her record",
    ROOM: "Room",
    COURT_ORDER: "Court order",
    PLAN_DRAFT: "Safety plan draft",
    MARAC_REFERRAL: "MARAC referral",
    IMMIGRATION: "Immigration & money",
    APPLICATION: "Application",
    SETTING: "Setting",
}
SETTING_LABELS = {
    "auto_lock_minutes": "lock after no use (minutes)",
    "plan_review_weeks": "review safety plans every (weeks)",
    "risk_threshold_medium": "medium risk from (“yes” answers)",
    "risk_threshold_high": "high risk from (“yes” answers)",
    "risk_review_weeks": "review risk checklists every (weeks)",
    "lock_on_minimise": "lock when minimised",
    "clipboard_clear_seconds": "clear copied text after (seconds)",
    "allow_screen_capture": "allow screen capture",
    "retention_years_after_move_on": "keep records after move-on (years)",
    "retention_child_until_age": "keep children's records until age",
    "backup_folder": "backup folder",
    "backup_interval_days": "back up every (days)",
    "backup_keep": "backups kept",
}
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


def _plain(value: Any) -> Any:
    """Dataclasses, tuples, enums and dates as JSON-friendly values."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return to_plain(value)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def diff(old: Any, new: Any) -> list[tuple[str, str | None, str | None]]:
    """Each changed field: (name, before, after). A list of records (her children, phones,
    abusers) is compared item by item, so a child's school is its own change:
    "children · Lina · school". For a new record only what differs from a blank one counts."""
    before = _plain(old) if old is not None else _defaults(new)
    after = _plain(new)
    out: list[tuple[str, str | None, str | None]] = []
    for field, value in after.items():
        if field in _SKIP:
            continue
        was = before.get(field)
        if _is_records(value) or _is_records(was):
            items = getattr(new, field, None) or getattr(old, field, None) or [None]
            blank = _defaults(items[0])
            out += _list_diff(field, was or [], value or [], blank)
            continue
        if was != value and not (old is None and _empty(value)):
            out.append((field, None if old is None else _text(was), _text(value)))
    return out


def _defaults(record: Any) -> dict[str, Any]:
    """A blank record of the same kind, as plain values ({} if it cannot be made blank)."""
    try:
        return dict(_plain(type(record)()))
    except (TypeError, ValueError):
        return {}


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _item_name(item: dict[str, Any], index: int) -> str:
    for key in ("full_name", "name", "number"):
        if item.get(key):
            return str(item[key])[:60]
    return f"#{index + 1}"


def _pair(
    old: list[dict[str, Any]], new: list[dict[str, Any]]
) -> list[tuple[int, dict[str, Any], int, dict[str, Any]]]:
    """(old index, old item, new index, new item); {} where there is none. Items with an id
    (children) pair by id; others first with an identical item, then by name, then in order,
    so taking off the first of two abusers is not read as the second being renamed."""
    pairs: list[tuple[int, dict[str, Any], int, dict[str, Any]]] = []
    left = dict(enumerate(old))
    right = dict(enumerate(new))

    def match(same: Callable[[dict[str, Any], dict[str, Any]], bool]) -> None:
        for j, b in list(right.items()):
            i = next((i for i, a in left.items() if same(a, b)), None)
            if i is not None:
                pairs.append((i, left.pop(i), j, right.pop(j)))

    match(lambda a, b: a.get("id") is not None and a.get("id") == b.get("id"))
    match(lambda a, b: a.get("id") is None and a == b)
    match(lambda a, b: a.get("id") is None and _item_name(a, -1) == _item_name(b, -2))
    for (i, a), (j, b) in zip(list(left.items()), list(right.items()), strict=False):
        if a.get("id") is None and b.get("id") is None:
            pairs.append((i, left.pop(i), j, right.pop(j)))
    pairs += [(i, a, i, {}) for i, a in left.items()]
    pairs += [(j, {}, j, b) for j, b in right.items()]
    return pairs


def _list_diff(
    field: str, old: list[dict[str, Any]], new: list[dict[str, Any]], blank: dict[str, Any]
) -> list[tuple[str, str | None, str | None]]:
    out: list[tuple[str, str | None, str | None]] = []
    for _i, a, j, b in _pair(old, new):
        name = _item_name(b or a, j)
        start = a or blank  # an added item: only what differs from a blank one
        for sub in dict.fromkeys([*b, *a]):
            if sub in _SKIP:
                continue
            x, y = start.get(sub), b.get(sub)
            if x == y or (_empty(x) and _empty(y)):
                continue
            out.append((f"{field} · {name} · {sub}", _text_or_none(a.get(sub)), _text_or_none(y)))
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


def _seal_key(plan_id: int) -> str:
    return f"plan_draft_sealed:{plan_id}"


def seal_plan_draft(session: Session, plan_id: int) -> None:
    """A draft was started, agreed or discarded: later typing never folds into rows from
    before this moment. Inside the caller's transaction."""
    meta_repo.put(session.db, _seal_key(plan_id), session.stamp())


def record_plan_draft(
    session: Session,
    plan_id: int,
    ref: str,
    labels: dict[str, str],
    old: Any,
    new: Any,
    *,
    fold: bool = True,
) -> None:
    """A saved draft: each changed field (folded per person, see above; ``fold=False`` for a
    discard, so what she typed stays in the history). Rows are keyed by the field's id, so
    two fields with the same label stay apart; the label is kept for reading."""
    before = old if isinstance(old, dict) else {}
    after = new if isinstance(new, dict) else {}
    changes = []
    for key in dict.fromkeys([*after, *before]):
        was, now = before.get(key), after.get(key)
        if (_empty(was) and _empty(now)) or was == now:
            continue
        field = f"{key}{_ID_SEP}{labels.get(key, key)[:80]}"
        changes.append((field, _text_or_none(was), _text_or_none(now)))
    if not changes:
        return
    since = "~"  # sorts after any time: nothing to fold into
    if fold:
        window = (session.now() - dt.timedelta(minutes=COALESCE_MINUTES)).astimezone(dt.UTC)
        sealed = meta_repo.get(session.db, _seal_key(plan_id), "")
        # Strictly after the seal: a row written in the sealing second is never folded.
        since = max(window.isoformat(timespec="seconds"), sealed + "~" if sealed else "")
    history_repo.record_folded(
        session.db, session.stamp(), session.user.id, PLAN_DRAFT, plan_id, ref, changes, since
    )


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


def _text_or_none(value: Any) -> str | None:
    return None if _empty(value) else _text(value)


def put_setting(session: Session, key: str, value: str) -> None:
    """Write a vault-wide setting and keep its old value. Inside the caller's transaction."""
    old = meta_repo.get(session.db, key, "")
    if old == value:
        return
    meta_repo.put(session.db, key, value)
    history_repo.record(
        session.db,
        session.stamp(),
        session.user.id,
        SETTING,
        0,
        SETTINGS_REF,
        [(key, old or None, value)],
    )


def for_settings(session: Session) -> list[ChangeRow]:
    session.require(session.role.manages_settings, "see the history of settings")
    return history_repo.for_ref(session.db, SETTINGS_REF)


def for_resident(session: Session, resident_id: int, field: str = "") -> list[ChangeRow]:
    """Her record's changes, and those of her plan draft, orders, referrals and immigration
    details (same reference), newest first. ``field``: only that field of her record."""
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


_ON_OFF_SETTINGS = {"lock_on_minimise", "allow_screen_capture"}


def shown_value(change: ChangeRow, value: str | None) -> str | None:
    """A value as a person reads it: on/off switches in words."""
    if change.entity == SETTING and change.field in _ON_OFF_SETTINGS and value is not None:
        return {"1": "on", "0": "off"}.get(value, value)
    return value


def field_label(change: ChangeRow) -> str:
    """What changed, in words: "Court order · end date", "Children · Lina · school"; plan
    fields keep their own label."""
    if change.entity == PLAN_DRAFT:
        name = change.field.split(_ID_SEP)[-1]
    elif change.entity == SETTING:
        name = SETTING_LABELS.get(change.field, change.field.replace("_", " "))
    else:
        parts = change.field.split(" · ")
        parts[0] = parts[0].replace("_", " ")
        if len(parts) > 1:
            parts[-1] = parts[-1].replace("_", " ")
        name = " · ".join(parts)
    if change.entity in (RESIDENT, SETTING):  # each shown on its own screen
        return name[:1].upper() + name[1:]
    return f"{ENTITY_LABELS.get(change.entity, change.entity)} · {name}"


_RESIDENT_TYPES = typing.get_type_hints(Resident)
_RESIDENT_BLANK = Resident()


def restorable(change: ChangeRow) -> bool:
    """A single field of her record that has a value to go back to (not a list item: those
    are edited on the record; not a field first filled in when her record was made, unless
    it may be left unset, like a date)."""
    if change.entity != RESIDENT or change.field not in _RESIDENT_TYPES:
        return False
    blank = getattr(_RESIDENT_BLANK, change.field)
    if isinstance(blank, list):
        return False
    return change.old_value is not None or blank is None


def _parse(field: str, text: str | None) -> Any:
    """The stored text of a field's old value, back as the field's own type."""
    if text is None:
        return getattr(_RESIDENT_BLANK, field)
    hint = _RESIDENT_TYPES[field]
    kinds = [k for k in typing.get_args(hint) if k is not type(None)] or [hint]
    kind = kinds[0]
    if kind is bool:
        return text == "yes"
    if kind is int:
        return int(text)
    if kind is dt.date:
        return dt.date.fromisoformat(text)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(text)
    return text


def old_value(session: Session, change_id: int) -> tuple[ChangeRow, Any]:
    """The change and the value from before it, as the field's own type, if it can be put
    back (managers): a single field of her record with an earlier value."""
    session.require(session.role.manages_staff, "put back an old value")
    change = history_repo.get(session.db, change_id)
    if change is None:
        raise NotFound("That change is no longer in the history.")
    if not restorable(change):
        raise ValidationError(
            [
                "This change cannot be put back from here: lists (phones, children, "
                "abusers) are edited on her record, and a field first filled in when her "
                "record was made has no earlier value."
            ]
        )
    try:
        return change, _parse(change.field, change.old_value)
    except ValueError:
        raise ValidationError(["That old value can no longer be put back as it was."]) from None

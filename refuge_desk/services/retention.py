"""Retention: the policy settings, the "due for deletion" list, legal hold and purge.

Managers only. A purge deletes her record and everything hanging off it for good in one
transaction, then checkpoints the WAL; ``compact`` (VACUUM) runs when the vault is idle.
The audit log keeps only her reference.
"""

from __future__ import annotations

from dataclasses import dataclass

from refuge_desk.domain import retention as rules
from refuge_desk.domain.errors import NotFound, UserError, ValidationError
from refuge_desk.domain.text import clean
from refuge_desk.services import history
from refuge_desk.services.session import Session
from refuge_desk.store import meta_repo, retention_repo

LIST_LIMIT = 2000  # rows read per list: the screen and the CLI show at most this many
COMPACT_PENDING_KEY = "retention_compact_pending"


@dataclass(frozen=True, slots=True)
class DueItem:
    resident_id: int
    reference: str
    reason: str
    since: str  # the date the period runs from, "3 Feb 2019"


@dataclass(frozen=True, slots=True)
class HeldItem:
    resident_id: int
    reference: str
    reason: str


@dataclass(frozen=True, slots=True)
class DueList:
    policy: rules.Policy
    due: list[DueItem]
    kept_for_children: list[DueItem]
    held: list[HeldItem]
    more: bool  # more closed records than LIST_LIMIT: deal with these first


def _require(session: Session, what: str = "manage retention and deletion") -> None:
    session.require(session.role.manages_settings, what)


def _int_setting(session: Session, key: str, default: int, bounds: tuple[int, int]) -> int:
    try:
        value = int(meta_repo.get(session.db, key, str(default)))
    except ValueError:
        return default
    lo, hi = bounds
    return min(hi, max(lo, value))


def policy(session: Session) -> rules.Policy:
    return rules.Policy(
        _int_setting(session, rules.YEARS_KEY, rules.YEARS_DEFAULT, rules.YEARS_RANGE),
        _int_setting(session, rules.CHILD_AGE_KEY, rules.CHILD_AGE_DEFAULT, rules.CHILD_AGE_RANGE),
    )


def years_after_move_on(session: Session) -> int:
    return policy(session).years


def child_until_age(session: Session) -> int:
    return policy(session).child_age


def set_policy(session: Session, years: int, child_age: int) -> None:
    _require(session, "change settings")
    problems = rules.check_policy(years, child_age)
    if problems:
        raise ValidationError(problems)
    old = policy(session)
    db = session.db
    with db.transaction():
        if years != old.years:
            history.put_setting(session, rules.YEARS_KEY, str(years))
            session.audit("settings.retention_years", str(years))
        if child_age != old.child_age:
            history.put_setting(session, rules.CHILD_AGE_KEY, str(child_age))
            session.audit("settings.retention_child_age", str(child_age))


def set_years_after_move_on(session: Session, years: int) -> None:
    set_policy(session, years, child_until_age(session))


def set_child_until_age(session: Session, age: int) -> None:
    set_policy(session, years_after_move_on(session), age)


def due_list(session: Session, limit: int = LIST_LIMIT) -> DueList:
    """Records due for deletion with their reasons; those kept for a child; those on hold."""
    _require(session, "see the records due for deletion")
    pol = policy(session)
    today = session.today()
    db = session.db
    closed = retention_repo.closed_before(db, rules.cutoff(today, pol), limit + 1)
    due: list[DueItem] = []
    kept: list[DueItem] = []
    for rec in closed[:limit]:
        verdict = rules.assess(rec, today, pol)
        item = DueItem(rec.resident_id, rec.reference, verdict.reason, rules.short_date(rec.since))
        if verdict.verdict is rules.Verdict.DUE:
            due.append(item)
        elif verdict.verdict is rules.Verdict.KEPT_FOR_CHILD:
            kept.append(item)
    held = [HeldItem(h.resident_id, h.reference, h.reason) for h in retention_repo.held(db, limit)]
    session.audit("retention.due_list", f"{len(due)} due")
    return DueList(pol, due, kept, held, len(closed) > limit)


def _target(session: Session, resident_id: int) -> retention_repo.PurgeTarget:
    found = retention_repo.target(session.db, resident_id)
    if found is None:
        raise NotFound("That resident's record no longer exists.")
    return found


def id_for_reference(session: Session, reference: str) -> int:
    _require(session)
    rid = session.db.scalar(
        "SELECT id FROM residents WHERE reference = ?", (reference.strip().upper(),)
    )
    if rid is None:
        raise NotFound(f"There is no resident with the reference {reference.strip()}.")
    return int(rid)


def reference_of(session: Session, resident_id: int) -> str:
    return _target(session, resident_id).reference


def place_hold(session: Session, resident_id: int, reason: str) -> None:
    _require(session, "place records on legal hold")
    reason = clean(reason)
    problems = rules.check_hold_reason(reason)
    if problems:
        raise ValidationError(problems)
    db = session.db
    with db.transaction():
        t = _target(session, resident_id)
        text = reason.strip()
        retention_repo.set_hold(db, resident_id, True, text)
        old = f"On hold: {t.hold_reason}" if t.legal_hold else "Not on hold"
        retention_repo.record_change(
            db, session.stamp(), session.user.id, resident_id, t.reference, "legal_hold",
            old, f"On hold: {text}",
        )  # fmt: skip
        session.audit("resident.legal_hold", t.reference)


def lift_hold(session: Session, resident_id: int, reason: str) -> None:
    _require(session, "lift legal holds")
    reason = clean(reason)
    problems = rules.check_hold_reason(reason)
    if problems:
        raise ValidationError(problems)
    db = session.db
    with db.transaction():
        t = _target(session, resident_id)
        if not t.legal_hold:
            raise UserError(f"{t.reference} is not on legal hold.")
        retention_repo.set_hold(db, resident_id, False, "")
        retention_repo.record_change(
            db, session.stamp(), session.user.id, resident_id, t.reference, "legal_hold",
            f"On hold: {t.hold_reason}", f"Hold lifted: {reason.strip()}",
        )  # fmt: skip
        session.audit("resident.legal_hold_lifted", t.reference)


def what_goes(session: Session, resident_id: int) -> str:
    """One plain sentence: what a purge of her record deletes."""
    _require(session)
    t = _target(session, resident_id)
    counts = retention_repo.what_goes(session.db, resident_id)
    parts = [f"{n} {label}" for label, n in counts.items() if n]
    extra = f" with {', '.join(parts)}" if parts else ""
    return (
        f"This deletes the record {t.reference}{extra}, her safety plan, risk checklists, "
        "notes, drafts and change history, for good. It cannot be undone, and no backup made "
        "after today will hold her."
    )


def purge(session: Session, resident_id: int, typed_reference: str) -> str:
    """Delete her record and everything about her for good. Returns her reference.

    Refused (nothing changes) unless ``typed_reference`` is exactly her reference, and while
    she is on legal hold or still living in the refuge.
    """
    _require(session, "delete records for good")
    db = session.db
    t = _target(session, resident_id)
    if typed_reference != t.reference:
        raise UserError(
            f"The reference typed does not match {t.reference}: nothing was deleted. "
            "Type it exactly as shown."
        )
    if t.legal_hold:
        raise UserError(
            f"{t.reference} is on legal hold ({t.hold_reason}): nothing was deleted. "
            "Lift the hold first if it no longer applies."
        )
    if t.status == "resident":
        raise UserError(
            f"{t.reference} is living in the refuge now: record her move-on before "
            "deleting her record. Nothing was deleted."
        )
    with db.transaction():
        retention_repo.secure_fts(db)
        retention_repo.purge(db, resident_id, t.reference)
        retention_repo.merge_names_index(db)
        meta_repo.put(db, COMPACT_PENDING_KEY, "1")
        session.audit("resident.purged", t.reference)
    db.checkpoint()  # the WAL holds nothing of her after this
    return t.reference


def compact_pending(session: Session) -> bool:
    return meta_repo.get(session.db, COMPACT_PENDING_KEY) == "1"


def compact(session: Session, force: bool = False) -> bool:
    """VACUUM the vault after a purge (or when ``force``) and empty the WAL. Slow on a big
    vault: call it when the vault is idle. True when it ran. Any signed-in role may run it."""
    db = session.db
    if not force and not compact_pending(session):
        return False
    db.checkpoint()
    db.execute("VACUUM")
    db.execute("DELETE FROM meta WHERE key = ?", (COMPACT_PENDING_KEY,))
    db.checkpoint()
    return True

"""Retention queries, legal hold and the purge of one resident (store side).

The due query walks the ``residents_status`` index (closed statuses only) and is bounded by
a LIMIT; children are read through ``children_resident``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from refuge_desk.domain.retention import CLOSED_REFERRAL_OUTCOMES, Closed, ClosedBy
from refuge_desk.store.db import Database
from refuge_desk.store.values import safe_day

# Draft kinds whose record_id is a resident's id (services/drafts.py).
RESIDENT_DRAFT_KINDS = ("resident", "plan", "case_note", "risk_checklist")
# Automatic-task kinds keyed by her id, and those keyed by one of her records.
RESIDENT_TASK_KINDS = ("risk_review", "visa_expiry", "mvdac_end", "move_on")
RECORD_TASK_KINDS = (
    ("plan_review", "SELECT id FROM safety_plans WHERE resident_id = ?"),
    ("order_expiry", "SELECT id FROM court_orders WHERE resident_id = ?"),
    ("application", "SELECT id FROM immigration_applications WHERE resident_id = ?"),
)
# Full-text tables kept in step with their content tables by triggers.
FTS_TABLES = ("residents_fts", "case_notes_fts")

_OUTCOMES = ", ".join(f"'{o}'" for o in CLOSED_REFERRAL_OUTCOMES)
_CLOSED_ON = f"""CASE
    WHEN r.status IN ('moved_on', 'archived') THEN coalesce(
        r.move_on_date,
        CASE WHEN r.referral_outcome IN ({_OUTCOMES}) THEN r.referral_date END)
    ELSE r.referral_date END"""
CLOSED_SQL = f"""
SELECT r.id, r.reference, r.status, r.referral_outcome, r.move_on_date,
       {_CLOSED_ON} AS closed_on,
       substr(r.updated_at, 1, 10) AS changed_on,
       r.legal_hold, r.legal_hold_reason,
       (SELECT max(c.date_of_birth) FROM children c WHERE c.resident_id = r.id) AS youngest,
       (SELECT count(*) FROM children c
         WHERE c.resident_id = r.id AND c.date_of_birth IS NULL) AS no_birth_date
FROM residents r
WHERE r.status IN ('moved_on', 'archived', 'referral')
  AND (r.status != 'referral' OR r.referral_outcome IN ({_OUTCOMES}))
  AND coalesce({_CLOSED_ON}, substr(r.updated_at, 1, 10)) < :cutoff
ORDER BY r.ref_no
LIMIT :limit
"""


@dataclass(frozen=True, slots=True)
class HeldRow:
    resident_id: int
    reference: str
    status: str
    reason: str


@dataclass(frozen=True, slots=True)
class PurgeTarget:
    resident_id: int
    reference: str
    status: str
    legal_hold: bool
    hold_reason: str


def _closed_by(status: str, outcome: str, move_on_date: object) -> ClosedBy:
    if status == "moved_on":
        return ClosedBy.MOVED_ON
    if status == "archived" and (move_on_date or outcome not in CLOSED_REFERRAL_OUTCOMES):
        return ClosedBy.ARCHIVED
    return ClosedBy(outcome)


def closed_before(db: Database, cutoff: dt.date, limit: int) -> list[Closed]:
    """Closed records whose date (or, missing, last change) is before ``cutoff``, oldest
    reference first, at most ``limit``."""
    rows = db.query(CLOSED_SQL, {"cutoff": cutoff.isoformat(), "limit": limit})
    out: list[Closed] = []
    for r in rows:
        changed = safe_day(r["changed_on"]) or dt.date.min
        out.append(
            Closed(
                resident_id=int(r["id"]),
                reference=str(r["reference"]),
                closed_by=_closed_by(
                    str(r["status"]), str(r["referral_outcome"]), r["move_on_date"]
                ),
                closed_on=safe_day(r["closed_on"]),
                last_changed=changed,
                youngest_child_born=safe_day(r["youngest"]),
                children_without_birth_date=int(r["no_birth_date"]),
                legal_hold=bool(r["legal_hold"]),
                hold_reason=str(r["legal_hold_reason"]),
            )
        )
    return out


def held(db: Database, limit: int) -> list[HeldRow]:
    rows = db.query(
        "SELECT id, reference, status, legal_hold_reason FROM residents "
        "WHERE legal_hold = 1 ORDER BY ref_no LIMIT ?",
        (limit,),
    )
    return [
        HeldRow(int(r["id"]), str(r["reference"]), str(r["status"]), str(r["legal_hold_reason"]))
        for r in rows
    ]


def target(db: Database, resident_id: int) -> PurgeTarget | None:
    r = db.query_one(
        "SELECT id, reference, status, legal_hold, legal_hold_reason FROM residents WHERE id = ?",
        (resident_id,),
    )
    if r is None:
        return None
    return PurgeTarget(
        int(r["id"]),
        str(r["reference"]),
        str(r["status"]),
        bool(r["legal_hold"]),
        str(r["legal_hold_reason"]),
    )


def set_hold(db: Database, resident_id: int, on: bool, reason: str) -> None:
    db.execute(
        "UPDATE residents SET legal_hold = ?, legal_hold_reason = ? WHERE id = ?",
        (1 if on else 0, reason if on else "", resident_id),
    )


def record_change(
    db: Database, at: str, user_id: int, resident_id: int, ref: str, field: str, old: str, new: str
) -> None:
    """A change-history row (purged with her, like every other row about her)."""
    db.execute(
        "INSERT INTO change_history (at, user_id, entity, entity_id, ref, field, old_value, "
        "new_value) VALUES (?, ?, 'resident', ?, ?, ?, ?, ?)",
        (at, user_id, resident_id, ref, field, old, new),
    )


def what_goes(db: Database, resident_id: int) -> dict[str, int]:
    """How many of her rows a purge deletes, by kind (for the confirmation text)."""
    counts: dict[str, int] = {}
    for label, table in (
        ("children", "children"),
        ("case notes", "case_notes"),
        ("risk checklists", "risk_assessments"),
        ("incidents", "incidents"),
        ("court orders", "court_orders"),
        ("tasks", "tasks"),
    ):
        counts[label] = int(
            db.scalar(f"SELECT count(*) FROM {table} WHERE resident_id = ?", (resident_id,))
        )
    counts["safety plan versions"] = int(
        db.scalar(
            "SELECT count(*) FROM plan_versions v JOIN safety_plans p ON p.id = v.plan_id "
            "WHERE p.resident_id = ?",
            (resident_id,),
        )
    )
    return counts


def purge(db: Database, resident_id: int, reference: str) -> None:
    """Delete every row about her. Callers hold the transaction.

    The resident row goes last: ON DELETE CASCADE takes children, phones, abusers, plans and
    their versions and reviews, risk items, incidents, MARAC referrals, case notes, support
    reviews and needs, court orders, immigration and its applications, and tasks; the FTS
    triggers remove her from the search indexes. Transfers keep their row (ON DELETE SET
    NULL): it holds only the two vaults' ids and the other vault's reference.
    """
    child_ids = [
        int(r["id"])
        for r in db.query("SELECT id FROM children WHERE resident_id = ?", (resident_id,))
    ]
    kinds = ", ".join("?" * len(RESIDENT_DRAFT_KINDS))
    db.execute(
        f"DELETE FROM drafts WHERE record_id = ? AND kind IN ({kinds})",
        (resident_id, *RESIDENT_DRAFT_KINDS),
    )
    db.execute(
        "DELETE FROM change_history WHERE ref = ? OR ref LIKE ? "
        "OR (entity = 'resident' AND entity_id = ?)",
        (reference, reference + " %", resident_id),
    )
    for cid in child_ids:
        db.execute("DELETE FROM change_history WHERE entity = 'child' AND entity_id = ?", (cid,))
    for r in db.query("SELECT id FROM safety_plans WHERE resident_id = ?", (resident_id,)):
        db.execute("DELETE FROM meta WHERE key = ?", (f"plan_draft_sealed:{r['id']}",))
    # "Done" marks of automatic tasks are keyed "<kind>:<record id>:<date>" (no personal
    # data, but a reused id must not inherit them).
    keyed = [(kind, resident_id) for kind in RESIDENT_TASK_KINDS]
    for kind, sql in RECORD_TASK_KINDS:
        keyed += [(kind, int(r["id"])) for r in db.query(sql, (resident_id,))]
    for kind, record_id in keyed:
        db.execute("DELETE FROM auto_tasks_done WHERE key LIKE ?", (f"{kind}:{record_id}:%",))
    db.execute(
        "INSERT INTO meta (key, value) SELECT 'purged_ref_no_max', CAST(ref_no AS TEXT) "
        "FROM residents WHERE id = ? AND ref_no > COALESCE((SELECT CAST(value AS INTEGER) "
        "FROM meta WHERE key = 'purged_ref_no_max'), 0) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (resident_id,),
    )
    db.execute("DELETE FROM residents WHERE id = ?", (resident_id,))


def secure_fts(db: Database) -> None:
    """FTS5 keeps a deleted row's words in old segments behind a tombstone until a merge.
    'secure-delete' (a persistent option) removes them at once."""
    for table in FTS_TABLES:
        db.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('secure-delete', 1)")


def merge_names_index(db: Database) -> None:
    """After the delete: merge the names index into one segment, dropping tombstoned words
    left there by earlier renames."""
    db.execute("INSERT INTO residents_fts (residents_fts) VALUES ('optimize')")


def reference_of(db: Database, resident_id: int) -> str:
    return str(db.scalar("SELECT reference FROM residents WHERE id = ?", (resident_id,)) or "")

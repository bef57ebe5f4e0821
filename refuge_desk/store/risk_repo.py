"""Risk checklists, assessments, incidents and MARAC referrals (SQL only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from refuge_desk.domain.risk import (
    Assessment,
    Incident,
    Level,
    Referral,
    Thresholds,
    dump_answers,
    load_answers,
    parse_criteria,
)
from refuge_desk.store.db import Database, Row
from refuge_desk.store.values import opt_date, opt_iso, to_date

# SQLite's default limit on bound parameters is far above this; chunks keep plans simple.
CHUNK = 500


_STAFF = "COALESCE((SELECT full_name FROM staff s WHERE s.id = {col}), '') AS {name}"


# --- checklists --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChecklistRow:
    id: int
    key: str
    version: int
    name: str
    body: str


_C_COLS = "id, key, version, name, body"


def _checklist(r: Row) -> ChecklistRow:
    return ChecklistRow(
        int(r["id"]), str(r["key"]), int(r["version"]), str(r["name"]), str(r["body"])
    )


def checklists(db: Database) -> list[ChecklistRow]:
    rows = db.query(f"SELECT {_C_COLS} FROM risk_checklists ORDER BY name, version DESC")
    return [_checklist(r) for r in rows]


def checklist(db: Database, checklist_id: int) -> ChecklistRow | None:
    r = db.query_one(f"SELECT {_C_COLS} FROM risk_checklists WHERE id = ?", (checklist_id,))
    return _checklist(r) if r else None


def checklist_by_key(db: Database, key: str, version: int) -> ChecklistRow | None:
    r = db.query_one(
        f"SELECT {_C_COLS} FROM risk_checklists WHERE key = ? AND version = ?", (key, version)
    )
    return _checklist(r) if r else None


def newest_checklist(db: Database, key: str) -> ChecklistRow | None:
    r = db.query_one(
        f"SELECT {_C_COLS} FROM risk_checklists WHERE key = ? ORDER BY version DESC LIMIT 1",
        (key,),
    )
    return _checklist(r) if r else None


def add_checklist(
    db: Database, key: str, version: int, name: str, body: str, now: str, by: int | None
) -> int:
    return db.execute(
        "INSERT INTO risk_checklists (key, version, name, body, added_at, added_by) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (key, version, name, body, now, by),
    )


# --- assessments -------------------------------------------------------------------------

_A_COLS = (
    "a.id, a.resident_id, a.checklist_id, a.assessed_on, a.asked_by, "
    + _STAFF.format(col="a.asked_by", name="asked_by_name")
    + ", a.interpreter, a.interpreter_note, a.answers, a.score, a.scored_level, a.level, "
    "a.raised_reason, a.threshold_medium, a.threshold_high, a.created_at"
)


def _assessment(r: Row) -> Assessment:
    return Assessment(
        id=int(r["id"]),
        resident_id=int(r["resident_id"]),
        checklist_id=int(r["checklist_id"]),
        assessed_on=to_date(r["assessed_on"]),
        asked_by_id=int(r["asked_by"]) if r["asked_by"] is not None else None,
        asked_by=str(r["asked_by_name"]),
        interpreter=bool(r["interpreter"]),
        interpreter_note=str(r["interpreter_note"]),
        answers=load_answers(str(r["answers"])),
        score=int(r["score"]),
        scored_level=Level(r["scored_level"]),
        level=Level(r["level"]),
        raised_reason=str(r["raised_reason"]),
        thresholds=Thresholds(int(r["threshold_medium"]), int(r["threshold_high"])),
        created_at=str(r["created_at"]),
    )


def insert_assessment(db: Database, a: Assessment, by: int) -> int:
    return db.execute(
        "INSERT INTO risk_assessments (resident_id, checklist_id, assessed_on, asked_by, "
        "interpreter, interpreter_note, answers, score, scored_level, level, raised_reason, "
        "threshold_medium, threshold_high, created_at, created_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            a.resident_id,
            a.checklist_id,
            a.assessed_on.isoformat(),
            a.asked_by_id,
            int(a.interpreter),
            a.interpreter_note,
            dump_answers(a.answers),
            a.score,
            a.scored_level.value,
            a.level.value,
            a.raised_reason,
            a.thresholds.medium,
            a.thresholds.high,
            a.created_at,
            by,
        ),
    )


def assessments(db: Database, resident_id: int, limit: int = 500) -> list[Assessment]:
    """Newest first."""
    rows = db.query(
        f"SELECT {_A_COLS} FROM risk_assessments a WHERE a.resident_id = ? "
        "ORDER BY a.assessed_on DESC, a.id DESC LIMIT ?",
        (resident_id, limit),
    )
    return [_assessment(r) for r in rows]


def assessment(db: Database, assessment_id: int) -> Assessment | None:
    r = db.query_one(f"SELECT {_A_COLS} FROM risk_assessments a WHERE a.id = ?", (assessment_id,))
    return _assessment(r) if r else None


# --- incidents ---------------------------------------------------------------------------

_I_COLS = (
    "i.id, i.resident_id, i.occurred_on, i.what_happened, i.reported_to_police, "
    "i.police_reference, i.reported_by, i.created_at, "
    + _STAFF.format(col="i.created_by", name="created_by_name")
)


def _incident(r: Row) -> Incident:
    return Incident(
        int(r["id"]),
        int(r["resident_id"]),
        to_date(r["occurred_on"]),
        str(r["what_happened"]),
        bool(r["reported_to_police"]),
        str(r["police_reference"]),
        str(r["reported_by"]),
        str(r["created_at"]),
        str(r["created_by_name"]),
    )


def insert_incident(db: Database, i: Incident, by: int) -> int:
    return db.execute(
        "INSERT INTO incidents (resident_id, occurred_on, what_happened, reported_to_police, "
        "police_reference, reported_by, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            i.resident_id,
            i.occurred_on.isoformat(),
            i.what_happened,
            int(i.reported_to_police),
            i.police_reference,
            i.reported_by,
            i.created_at,
            by,
        ),
    )


def incidents(db: Database, resident_id: int, limit: int = 1000) -> list[Incident]:
    """Newest first."""
    rows = db.query(
        f"SELECT {_I_COLS} FROM incidents i WHERE i.resident_id = ? "
        "ORDER BY i.occurred_on DESC, i.id DESC LIMIT ?",
        (resident_id, limit),
    )
    return [_incident(r) for r in rows]


def incident(db: Database, incident_id: int) -> Incident | None:
    r = db.query_one(f"SELECT {_I_COLS} FROM incidents i WHERE i.id = ?", (incident_id,))
    return _incident(r) if r else None


# --- MARAC referrals ---------------------------------------------------------------------

_R_COLS = (
    "m.id, m.resident_id, m.referred_on, m.agency, m.criteria, m.meeting_on, m.outcome, "
    "m.consent, m.lawful_basis, m.decided_by, m.updated_at, "
    + _STAFF.format(col="m.updated_by", name="updated_by_name")
)


def _referral(r: Row) -> Referral:
    return Referral(
        int(r["id"]),
        int(r["resident_id"]),
        to_date(r["referred_on"]),
        str(r["agency"]),
        parse_criteria(str(r["criteria"])),
        opt_date(r["meeting_on"]),
        str(r["outcome"]),
        bool(r["consent"]),
        str(r["lawful_basis"]),
        str(r["decided_by"]),
        str(r["updated_at"]),
        str(r["updated_by_name"]),
    )


def _referral_values(m: Referral) -> tuple[object, ...]:
    return (
        m.referred_on.isoformat(),
        m.agency,
        ",".join(c.value for c in m.criteria),
        opt_iso(m.meeting_on),
        m.outcome,
        int(m.consent),
        m.lawful_basis,
        m.decided_by,
    )


def insert_referral(db: Database, m: Referral, now: str, by: int) -> int:
    return db.execute(
        "INSERT INTO marac_referrals (resident_id, referred_on, agency, criteria, meeting_on, "
        "outcome, consent, lawful_basis, decided_by, created_at, created_by, updated_at, "
        "updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (m.resident_id, *_referral_values(m), now, by, now, by),
    )


def update_referral(db: Database, m: Referral, now: str, by: int) -> None:
    db.execute(
        "UPDATE marac_referrals SET referred_on = ?, agency = ?, criteria = ?, meeting_on = ?, "
        "outcome = ?, consent = ?, lawful_basis = ?, decided_by = ?, updated_at = ?, "
        "updated_by = ? WHERE id = ?",
        (*_referral_values(m), now, by, m.id),
    )


def referrals(db: Database, resident_id: int, limit: int = 500) -> list[Referral]:
    """Newest first."""
    rows = db.query(
        f"SELECT {_R_COLS} FROM marac_referrals m WHERE m.resident_id = ? "
        "ORDER BY m.referred_on DESC, m.id DESC LIMIT ?",
        (resident_id, limit),
    )
    return [_referral(r) for r in rows]


def referral(db: Database, referral_id: int) -> Referral | None:
    r = db.query_one(f"SELECT {_R_COLS} FROM marac_referrals m WHERE m.id = ?", (referral_id,))
    return _referral(r) if r else None


# --- at a glance -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SummaryRow:
    resident_id: int
    assessment: Assessment | None
    incident_dates: list[dt.date]  # those that matter for MARAC (see ``summaries``)
    last_referral: dt.date | None
    incident_after: dt.date | None  # first incident later than the latest assessment
    start: dt.date  # arrival (or record creation) for someone never assessed


# The latest assessment of r.id, by the (resident_id, assessed_on, id) index.
_LATEST = (
    "(SELECT x.id FROM risk_assessments x WHERE x.resident_id = r.id "
    "ORDER BY x.assessed_on DESC, x.id DESC LIMIT 1)"
)
_LAST_REF = "(SELECT max(m.referred_on) FROM marac_referrals m WHERE m.resident_id = r.id)"
# Incidents later than the latest assessment: a later day, or the same day but recorded after.
_AFTER = (
    "(SELECT min(i.occurred_on) FROM incidents i WHERE i.resident_id = r.id "
    "AND i.occurred_on >= a.assessed_on AND (i.occurred_on > a.assessed_on "
    "OR i.created_at >= a.created_at))"
)


def summaries(db: Database, resident_ids: list[int], year_ago: dt.date) -> list[SummaryRow]:
    """Per resident: latest assessment, MARAC-relevant incident dates, last referral.

    Incident dates returned are those since ``year_ago`` or since the last referral (the
    only ones the MARAC criteria look at). One query per 500 ids, every part indexed.
    """
    out: list[SummaryRow] = []
    for start in range(0, len(resident_ids), CHUNK):
        chunk = resident_ids[start : start + CHUNK]
        params: dict[str, object] = {f"p{i}": rid for i, rid in enumerate(chunk)}
        params["year_ago"] = year_ago.isoformat()
        marks = ",".join(f":p{i}" for i in range(len(chunk)))
        rows = db.query(
            # r.id is named apart: "id" is the assessment's (NULL if she was never assessed).
            f"SELECT r.id AS summary_of, {_LAST_REF} AS last_ref, {_AFTER} AS incident_after, "
            "(SELECT group_concat(i.occurred_on) FROM incidents i WHERE i.resident_id = r.id "
            f"AND i.occurred_on >= min(:year_ago, COALESCE({_LAST_REF}, :year_ago))) "
            "AS incident_dates, "
            "COALESCE(r.arrival_date, substr(r.created_at, 1, 10)) AS start, "
            f"{_A_COLS} FROM residents r LEFT JOIN risk_assessments a ON a.id = {_LATEST} "
            f"WHERE r.id IN ({marks})",
            params,
        )
        for row in rows:
            out.append(
                SummaryRow(
                    int(row["summary_of"]),
                    _assessment(row) if row["id"] is not None else None,
                    [to_date(d) for d in str(row["incident_dates"]).split(",")]
                    if row["incident_dates"]
                    else [],
                    opt_date(row["last_ref"]),
                    opt_date(row["incident_after"]),
                    to_date(row["start"]),
                )
            )
    return out


@dataclass(frozen=True, slots=True)
class DueRow:
    resident_id: int
    reference: str
    name: str
    due_on: dt.date
    assessed_on: dt.date | None
    level: Level | None
    incident_after: dt.date | None


def due(db: Database, until: dt.date, weeks: int, limit: int = 500) -> list[DueRow]:
    """Current residents whose next checklist is due by ``until`` (earliest first)."""
    rows = db.query(
        "SELECT id, reference, name, due_on, assessed_on, level, incident_after FROM ("
        "SELECT r.id, r.reference, "
        "CASE WHEN r.preferred_name != '' THEN r.preferred_name ELSE r.full_name END AS name, "
        "a.assessed_on, a.level, "
        f"{_AFTER} AS incident_after, "
        "CASE WHEN a.id IS NULL THEN COALESCE(r.arrival_date, substr(r.created_at, 1, 10)) "
        "ELSE min(date(a.assessed_on, :days), "
        f"COALESCE({_AFTER}, '9999-12-31')) END AS due_on "
        f"FROM residents r LEFT JOIN risk_assessments a ON a.id = {_LATEST} "
        "WHERE r.status = 'resident') WHERE due_on <= :until ORDER BY due_on, id LIMIT :limit",
        {"days": f"+{weeks * 7} days", "until": until.isoformat(), "limit": limit},
    )
    return [
        DueRow(
            int(r["id"]),
            str(r["reference"]),
            str(r["name"]),
            to_date(r["due_on"]),
            opt_date(r["assessed_on"]),
            Level(r["level"]) if r["level"] else None,
            opt_date(r["incident_after"]),
        )
        for r in rows
    ]

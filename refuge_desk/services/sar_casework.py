"""The case-work part of a subject access request: notes, risk, incidents, MARAC, support,
court orders, immigration and money.

Every restricted case note is its own item (``note:<id>``) for the manager to include or
withhold; MARAC referrals (shared with other agencies) are one more item. Rows are read
straight from their tables, so a column added later is never silently left out of a SAR.
"""

from __future__ import annotations

from typing import Any

from refuge_desk.services import note_seal
from refuge_desk.services.pdf.document import Section, TextBlock
from refuge_desk.services.session import Session
from refuge_desk.store.db import Database

MARAC_ITEM = "marac"
MARAC_WHAT = "MARAC referrals (what was shared with other agencies, and why)"
NOTE_PREFIX = "note:"
WITHHELD = "[withheld by a manager]"
NOTE_TYPES = {
    "key_work": "Key-work session",
    "phone": "Phone call",
    "incident": "Incident",
    "safeguarding": "Safeguarding",
    "other": "Other",
}
# Internal keys and author ids are replaced by names; everything else is shown as held.
_DROP = {"resident_id", "created_by", "updated_by", "author_id", "asked_by", "checklist_id"}


def _rows(db: Database, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    return [dict(zip(r.keys(), tuple(r), strict=True)) for r in db.query(sql, params)]


def _text(session: Session, n: Any) -> str:
    sealed = n["sealed"]
    return note_seal.text_of(
        session,
        int(n["id"]),
        int(n["resident_id"]),
        n["author_id"],
        str(n["body"]),
        None if sealed is None else bytes(sealed),
    )


def restricted_notes(session: Session, resident_id: int) -> dict[str, str]:
    """``note:<id>`` -> a line a manager can decide on (date, type, author, first words)."""
    out: dict[str, str] = {}
    for r in session.db.query(
        "SELECT n.id, n.resident_id, n.author_id, n.happened_at, n.note_type, n.body, n.sealed, "
        "COALESCE(s.full_name, '') AS author "
        "FROM case_notes n LEFT JOIN staff s ON s.id = n.author_id "
        "WHERE n.resident_id = ? AND n.restricted = 1 ORDER BY n.happened_at, n.id",
        (resident_id,),
    ):
        words = " ".join(_text(session, r).split())
        short = words[:60] + ("…" if len(words) > 60 else "")
        out[f"{NOTE_PREFIX}{r['id']}"] = (
            f"Restricted note, {str(r['happened_at'])[:10]}, "
            f"{NOTE_TYPES.get(r['note_type'], r['note_type'])}, by {r['author'] or 'unknown'}: "
            f"“{short}”"
        )
    return out


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in _DROP}


def collect(session: Session, resident_id: int, withhold: set[str]) -> dict[str, Any]:
    db = session.db
    rid = (resident_id,)
    notes = []
    for n in _rows(
        db,
        "SELECT n.*, COALESCE(s.full_name, '') AS author FROM case_notes n "
        "LEFT JOIN staff s ON s.id = n.author_id WHERE n.resident_id = ? "
        "ORDER BY n.happened_at, n.id",
        rid,
    ):
        if n["restricted"] and f"{NOTE_PREFIX}{n['id']}" in withhold:
            n = {"id": n["id"], "restricted": 1, "body": WITHHELD}
        else:
            n["body"] = _text(session, n)
        n.pop("sealed", None)
        notes.append(_clean(n))
    assessments = _rows(
        db,
        "SELECT a.*, COALESCE(s.full_name, '') AS asked_by_name, c.name AS checklist "
        "FROM risk_assessments a LEFT JOIN staff s ON s.id = a.asked_by "
        "JOIN risk_checklists c ON c.id = a.checklist_id WHERE a.resident_id = ? "
        "ORDER BY a.assessed_on, a.id",
        rid,
    )
    referrals: Any = (
        WITHHELD
        if MARAC_ITEM in withhold
        else [
            _clean(r)
            for r in _rows(
                db, "SELECT * FROM marac_referrals WHERE resident_id = ? ORDER BY referred_on", rid
            )
        ]
    )
    immigration: Any = _rows(db, "SELECT * FROM immigration WHERE resident_id = ?", rid)
    applications: Any = _rows(
        db,
        "SELECT * FROM immigration_applications WHERE resident_id = ? ORDER BY deadline_on",
        rid,
    )
    if "immigration" in withhold:
        immigration = applications = WITHHELD
    support = []
    for review in _rows(
        db, "SELECT * FROM support_reviews WHERE resident_id = ? ORDER BY reviewed_on, id", rid
    ):
        needs = _rows(
            db, "SELECT * FROM support_needs WHERE review_id = ? ORDER BY area", (review["id"],)
        )
        review = _clean(review)
        review["needs"] = [{k: v for k, v in n.items() if k != "review_id"} for n in needs]
        support.append(review)
    return {
        "case_notes": notes,
        "risk_assessments": [_clean(a) for a in assessments],
        "incidents": [
            _clean(i)
            for i in _rows(
                db, "SELECT * FROM incidents WHERE resident_id = ? ORDER BY occurred_on, id", rid
            )
        ],
        "marac_referrals": referrals,
        "support_reviews": support,
        "court_orders": [
            _clean(o)
            for o in _rows(
                db, "SELECT * FROM court_orders WHERE resident_id = ? ORDER BY starts_on, id", rid
            )
        ],
        "immigration": [_clean(i) for i in immigration]
        if isinstance(immigration, list)
        else immigration,
        "immigration_applications": [_clean(a) for a in applications]
        if isinstance(applications, list)
        else applications,
    }


def _line(row: dict[str, Any], skip: set[str]) -> str:
    return "\n".join(
        f"{k.replace('_', ' ').capitalize()}: {v}"
        for k, v in row.items()
        if k not in skip and v not in (None, "")
    )


def sections(data: dict[str, Any]) -> list[Section]:
    out: list[Section] = []
    notes = data.get("case_notes") or []
    if notes:
        blocks = []
        for n in notes:
            if n.get("body") == WITHHELD:
                blocks.append(TextBlock("A restricted note", "Withheld by a manager."))
                continue
            label = (
                f"{str(n['happened_at'])[:16].replace('T', ' ')} · "
                f"{NOTE_TYPES.get(n['note_type'], n['note_type'])} · {n['author'] or 'unknown'}"
                + (f" · amends note {n['amends_id']}" if n.get("amends_id") else "")
            )
            blocks.append(TextBlock(label, str(n["body"])))
        out.append(Section("Case notes", tuple(blocks)))
    if data.get("risk_assessments"):
        out.append(
            Section(
                "Risk checklists",
                tuple(
                    TextBlock(
                        f"{a['assessed_on']} · {a['checklist']} · asked by {a['asked_by_name']}",
                        f"Score {a['score']}; level {a['level']}"
                        + (f" (raised: {a['raised_reason']})" if a["raised_reason"] else ""),
                    )
                    for a in data["risk_assessments"]
                ),
            )
        )
    for key, title in (
        ("incidents", "Incidents"),
        ("marac_referrals", "MARAC referrals"),
        ("court_orders", "Court orders"),
        ("immigration", "Immigration and money"),
        ("immigration_applications", "Immigration applications and deadlines"),
    ):
        value = data.get(key)
        if value == WITHHELD:
            continue  # listed under "Information withheld"
        if value:
            out.append(
                Section(title, tuple(TextBlock("", _line(r, {"id", "created_at"})) for r in value))
            )
    if data.get("support_reviews"):
        out.append(
            Section(
                "Support needs and outcomes",
                tuple(
                    TextBlock(
                        f"{r['reviewed_on']} · {r['stage']}",
                        "\n".join(
                            f"{n['area']}: need {n['need_level']}"
                            + (f"; goal: {n['goal']}" if n["goal"] else "")
                            + (f"; outcome: {n['outcome']}" if n["outcome"] else "")
                            for n in r["needs"]
                        ),
                    )
                    for r in data["support_reviews"]
                ),
            )
        )
    return out

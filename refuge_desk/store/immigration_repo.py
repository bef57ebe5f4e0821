"""Immigration and money: one row per resident, plus her applications and their deadlines."""

from __future__ import annotations

from refuge_desk.domain.deadlines import Application, Immigration
from refuge_desk.store.db import Database, Row
from refuge_desk.store.values import opt_date, opt_iso


def get(db: Database, resident_id: int) -> Immigration | None:
    r = db.query_one(
        "SELECT i.resident_id, i.visa_type, i.visa_expires_on, i.documents_with_abuser, "
        "i.mvdac_applied_on, i.mvdac_granted_on, i.solicitor, i.rent_paid_by, i.notes, "
        "i.updated_at, coalesce(s.full_name, '') AS updated_by_name FROM immigration i "
        "LEFT JOIN staff s ON s.id = i.updated_by WHERE i.resident_id = ?",
        (resident_id,),
    )
    if r is None:
        return None
    return Immigration(
        int(r["resident_id"]),
        str(r["visa_type"]),
        opt_date(r["visa_expires_on"]),
        str(r["documents_with_abuser"]),
        opt_date(r["mvdac_applied_on"]),
        opt_date(r["mvdac_granted_on"]),
        str(r["solicitor"]),
        str(r["rent_paid_by"]),
        str(r["notes"]),
        str(r["updated_at"]),
        str(r["updated_by_name"]),
    )


def status_fields(db: Database, resident_id: int) -> tuple[str, bool] | None:
    """(immigration status, NRPF) as kept on the residents table."""
    r = db.query_one("SELECT immigration_status, nrpf FROM residents WHERE id = ?", (resident_id,))
    return None if r is None else (str(r["immigration_status"]), bool(r["nrpf"]))


def upsert(db: Database, rec: Immigration, now: str, by: int) -> None:
    db.execute(
        "INSERT INTO immigration (resident_id, visa_type, visa_expires_on, documents_with_abuser, "
        "mvdac_applied_on, mvdac_granted_on, solicitor, rent_paid_by, notes, updated_at, "
        "updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (resident_id) DO UPDATE SET visa_type = excluded.visa_type, "
        "visa_expires_on = excluded.visa_expires_on, "
        "documents_with_abuser = excluded.documents_with_abuser, "
        "mvdac_applied_on = excluded.mvdac_applied_on, "
        "mvdac_granted_on = excluded.mvdac_granted_on, solicitor = excluded.solicitor, "
        "rent_paid_by = excluded.rent_paid_by, notes = excluded.notes, "
        "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        (
            rec.resident_id,
            rec.visa_type.strip(),
            opt_iso(rec.visa_expires_on),
            rec.documents_with_abuser.strip(),
            opt_iso(rec.mvdac_applied_on),
            opt_iso(rec.mvdac_granted_on),
            rec.solicitor.strip(),
            rec.rent_paid_by.strip(),
            rec.notes.strip(),
            now,
            by,
        ),
    )


_A_COLS = (
    "id, resident_id, kind, deadline_on, submitted_on, decision, notes, updated_at "
    "FROM immigration_applications"
)


def _app(r: Row) -> Application:
    return Application(
        int(r["id"]),
        int(r["resident_id"]),
        str(r["kind"]),
        opt_date(r["deadline_on"]),
        opt_date(r["submitted_on"]),
        str(r["decision"]),
        str(r["notes"]),
        str(r["updated_at"]),
    )


def applications(db: Database, resident_id: int) -> list[Application]:
    rows = db.query(
        f"SELECT {_A_COLS} WHERE resident_id = ? "
        "ORDER BY deadline_on IS NULL, deadline_on DESC, id DESC",
        (resident_id,),
    )
    return [_app(r) for r in rows]


def application(db: Database, app_id: int) -> Application | None:
    r = db.query_one(f"SELECT {_A_COLS} WHERE id = ?", (app_id,))
    return _app(r) if r else None


def save_application(db: Database, app: Application, now: str, by: int) -> int:
    values = (
        app.kind,
        opt_iso(app.deadline_on),
        opt_iso(app.submitted_on),
        app.decision.strip(),
        app.notes.strip(),
    )
    if app.id is None:
        return db.execute(
            "INSERT INTO immigration_applications (kind, deadline_on, submitted_on, decision, "
            "notes, resident_id, created_at, created_by, updated_at, updated_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*values, app.resident_id, now, by, now, by),
        )
    db.execute(
        "UPDATE immigration_applications SET kind = ?, deadline_on = ?, submitted_on = ?, "
        "decision = ?, notes = ?, updated_at = ?, updated_by = ? WHERE id = ?",
        (*values, now, by, app.id),
    )
    return app.id

"""Immigration and money: visa, MVDAC with its 3-month countdown, applications and deadlines.

Immigration status and NRPF live on the resident record (edited on the Personal tab); they
are read here so the tab can show them beside the dates.
"""

from __future__ import annotations

from dataclasses import dataclass

from refuge_desk.domain.deadlines import (
    Application,
    Immigration,
    validate_application,
    validate_immigration,
)
from refuge_desk.domain.errors import NotFound, ValidationError
from refuge_desk.domain.text import clean_record
from refuge_desk.services import history
from refuge_desk.services.session import Session
from refuge_desk.store import immigration_repo, residents_repo


@dataclass(frozen=True, slots=True)
class ImmigrationView:
    record: Immigration  # blank (updated_at "") when nothing is recorded yet
    immigration_status: str  # from the resident record
    nrpf: bool  # from the resident record
    applications: tuple[Application, ...]


def _require(session: Session) -> None:
    session.require(session.role.sees_case_detail, "see immigration and money details")


def _reference(session: Session, resident_id: int) -> str:
    view = residents_repo.rota(session.db, resident_id)
    if view is None:
        raise NotFound("That resident's record no longer exists.")
    return view.reference


def get(session: Session, resident_id: int) -> ImmigrationView:
    _require(session)
    _reference(session, resident_id)
    db = session.db
    record = immigration_repo.get(db, resident_id) or Immigration(resident_id=resident_id)
    status, nrpf = immigration_repo.status_fields(db, resident_id) or ("", False)
    apps = tuple(immigration_repo.applications(db, resident_id))
    return ImmigrationView(record, status, nrpf, apps)


def save(session: Session, record: Immigration) -> ImmigrationView:
    _require(session)
    session.require(session.role.edits_residents, "change immigration and money details")
    reference = _reference(session, record.resident_id)
    record = clean_record(record)
    problems = validate_immigration(record, session.today())
    if problems:
        raise ValidationError(problems)
    db = session.db
    with db.transaction():
        before = immigration_repo.get(db, record.resident_id)
        immigration_repo.upsert(db, record, session.stamp(), session.user.id)
        session.audit("immigration.save", reference)
        after = immigration_repo.get(db, record.resident_id)
        history.record_changes(
            session, history.IMMIGRATION, record.resident_id, reference, before, after
        )
    return get(session, record.resident_id)


def save_application(session: Session, app: Application) -> Application:
    """Add (``id`` None) or change an application and its deadline."""
    _require(session)
    session.require(session.role.edits_residents, "change immigration applications")
    reference = _reference(session, app.resident_id)
    if app.id is not None:
        old = immigration_repo.application(session.db, app.id)
        if old is None or old.resident_id != app.resident_id:
            raise NotFound("That application no longer exists.")
    app = clean_record(app)
    problems = validate_application(app, session.today())
    if problems:
        raise ValidationError(problems)
    db = session.db
    with db.transaction():
        before = immigration_repo.application(db, app.id) if app.id is not None else None
        app_id = immigration_repo.save_application(db, app, session.stamp(), session.user.id)
        session.audit("immigration.application", f"{reference} application:{app_id}")
        history.record_changes(
            session,
            history.APPLICATION,
            app_id,
            reference,
            before,
            immigration_repo.application(db, app_id),
        )
    stored = immigration_repo.application(session.db, app_id)
    assert stored is not None
    return stored

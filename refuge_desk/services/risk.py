"""Risk checklists, professional judgement, incidents, MARAC referrals and risk reviews.

Every read and write needs a case-work role (manager or support worker): a volunteer is
refused here, whatever the screen shows. Thresholds and the review interval are settings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

from refuge_desk.domain import risk as rd
from refuge_desk.domain.errors import NotFound, UserError, ValidationError
from refuge_desk.domain.risk import (
    Assessment,
    AssessmentInput,
    Checklist,
    ChecklistError,
    ChecklistInfo,
    Incident,
    IncidentInput,
    Level,
    MaracFlags,
    Referral,
    ReferralInput,
    ReviewDue,
    RiskSummary,
    Thresholds,
)
from refuge_desk.domain.text import clean_record
from refuge_desk.services import history, settings
from refuge_desk.services.paths import resource_path
from refuge_desk.services.session import Session
from refuge_desk.store import meta_repo, residents_repo, risk_repo, staff_repo

DEFAULT_KEY = "uk-default"
MEDIUM_KEY = "risk_threshold_medium"
HIGH_KEY = "risk_threshold_high"
THRESHOLD_RANGE = (1, 200)


def _require(session: Session) -> None:
    session.require(session.role.sees_case_detail, "see or record risk assessments")


def _reference(session: Session, resident_id: int) -> str:
    view = residents_repo.rota(session.db, resident_id)
    if view is None:
        raise NotFound("That resident's record no longer exists.")
    return view.reference


# --- settings ----------------------------------------------------------------------------


def _int_setting(session: Session, key: str) -> int | None:
    raw = meta_repo.get(session.db, key)
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def thresholds(session: Session) -> Thresholds:
    """The settings; until a manager sets them, the default checklist's own (10 and 14)."""
    medium = _int_setting(session, MEDIUM_KEY)
    high = _int_setting(session, HIGH_KEY)
    if medium is not None and high is not None:
        t = Thresholds(medium, high)
        if not t.problems():
            return t
    return Thresholds()


def set_thresholds(session: Session, medium: int, high: int) -> None:
    session.require(session.role.manages_settings, "change settings")
    t = Thresholds(medium, high)
    if t.problems():
        raise ValidationError(t.problems())
    with session.db.transaction():
        history.put_setting(session, MEDIUM_KEY, str(medium))
        history.put_setting(session, HIGH_KEY, str(high))
        session.audit("settings.risk_thresholds", f"{medium}/{high}")


# --- checklists --------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def parse_cached(body: str) -> Checklist:
    """Checklists are immutable once stored, so each body is parsed once."""
    return rd.parse_checklist(body)


def bundled_files() -> list[Path]:
    return sorted(resource_path("checklists").glob("*.json"))


def ensure_bundled(session: Session) -> None:
    """Put the checklists that ship with the app into the vault (once per version)."""
    db = session.db
    for path in bundled_files():
        body = path.read_text(encoding="utf-8")
        c = parse_cached(body)
        if risk_repo.checklist_by_key(db, c.key, c.version) is None:
            with db.transaction():
                risk_repo.add_checklist(db, c.key, c.version, c.name, body, session.stamp(), None)


def _info(row: risk_repo.ChecklistRow) -> ChecklistInfo:
    return ChecklistInfo(
        row.id, row.key, row.version, row.name, len(parse_cached(row.body).questions)
    )


def checklists(session: Session) -> list[ChecklistInfo]:
    """The newest version of each checklist, the default first."""
    _require(session)
    ensure_bundled(session)
    newest: dict[str, risk_repo.ChecklistRow] = {}
    for row in risk_repo.checklists(session.db):
        if row.key not in newest or row.version > newest[row.key].version:
            newest[row.key] = row
    rows = sorted(newest.values(), key=lambda r: (r.key != DEFAULT_KEY, r.name.casefold()))
    return [_info(r) for r in rows]


def default_checklist_id(session: Session) -> int:
    """The checklist a new assessment uses: the newest version of the newest imported one."""
    _require(session)
    ensure_bundled(session)
    rows = risk_repo.checklists(session.db)
    imported = [r for r in rows if r.key != DEFAULT_KEY]
    pool = imported or rows
    if not pool:
        raise UserError("The risk checklist is missing from this installation.")
    return max(pool, key=lambda r: r.id).id


def checklist(session: Session, checklist_id: int) -> Checklist:
    _require(session)
    row = risk_repo.checklist(session.db, checklist_id)
    if row is None:
        raise NotFound("The checklist this assessment used is missing from the vault.")
    return parse_cached(row.body)


def import_checklist(session: Session, data: bytes) -> ChecklistInfo:
    """Check and store an organisation's own checklist. Changes nothing if it is broken."""
    session.require(session.role.manages_settings, "add risk checklists")
    c = rd.parse_checklist(data)  # ChecklistError lists every problem
    body = data.decode("utf-8-sig")
    db = session.db
    ensure_bundled(session)
    existing = risk_repo.checklist_by_key(db, c.key, c.version)
    if existing is not None:
        if parse_cached(existing.body) == c:
            raise UserError(f'"{c.name}" version {c.version} is already in the vault.')
        raise ChecklistError(
            [
                f'A different checklist with key "{c.key}" and version {c.version} is already '
                'in the vault. Raise "version" in the file to add your changed copy; earlier '
                "assessments keep the wording they were made with."
            ]
        )
    with db.transaction():
        new_id = risk_repo.add_checklist(
            db, c.key, c.version, c.name, body, session.stamp(), session.user.id
        )
        session.audit("risk.checklist_import", f"{c.key} v{c.version}")
    row = risk_repo.checklist(db, new_id)
    assert row is not None
    return _info(row)


# --- assessments -------------------------------------------------------------------------


def add_assessment(session: Session, resident_id: int, data: AssessmentInput) -> Assessment:
    """Score the answers with today's thresholds; judgement may raise the level, not lower it."""
    _require(session)
    reference = _reference(session, resident_id)
    data = clean_record(data)
    c = checklist(session, data.checklist_id)
    t = thresholds(session)
    answers = {k: rd.AnswerEntry(v.answer, v.comment.strip()) for k, v in data.answers.items()}
    points = rd.score(answers)
    scored = rd.level_for(points, t)
    problems = rd.assessment_problems(c, data, session.today())
    problems += rd.judgement_problems(scored, data.level, data.raised_reason)
    if data.asked_by_id is None:
        problems.append("Say who asked the questions.")
    else:
        staff = staff_repo.by_id(session.db, data.asked_by_id)
        if staff is None or not staff.active:
            problems.append("The person who asked the questions is not an active staff member.")
    if problems:
        raise ValidationError(problems)
    raised = data.level.rank > scored.rank
    record = Assessment(
        id=0,
        resident_id=resident_id,
        checklist_id=data.checklist_id,
        assessed_on=data.assessed_on,
        asked_by_id=data.asked_by_id,
        asked_by="",
        interpreter=data.interpreter,
        interpreter_note=data.interpreter_note.strip() if data.interpreter else "",
        answers=answers,
        score=points,
        scored_level=scored,
        level=data.level,
        raised_reason=data.raised_reason.strip() if raised else "",
        thresholds=t,
        created_at=session.stamp(),
    )
    db = session.db
    with db.transaction():
        new_id = risk_repo.insert_assessment(db, record, session.user.id)
        session.audit("risk.assess", f"{reference} {data.level.value}")
    stored = risk_repo.assessment(db, new_id)
    assert stored is not None
    return stored


def assessments(session: Session, resident_id: int) -> list[Assessment]:
    """Her checklists, newest first."""
    _require(session)
    _reference(session, resident_id)
    return risk_repo.assessments(session.db, resident_id)


def assessment(session: Session, assessment_id: int) -> tuple[Checklist, Assessment]:
    """One checklist with the wording it was asked in (read-only view)."""
    _require(session)
    a = risk_repo.assessment(session.db, assessment_id)
    if a is None:
        raise NotFound("That risk checklist no longer exists.")
    return checklist(session, a.checklist_id), a


# --- incidents ---------------------------------------------------------------------------


def add_incident(session: Session, resident_id: int, data: IncidentInput) -> Incident:
    """Record what happened. A risk review is due from the moment it is saved."""
    _require(session)
    reference = _reference(session, resident_id)
    data = clean_record(data)
    data = dataclasses.replace(
        data,
        what_happened=data.what_happened.strip(),
        police_reference=data.police_reference.strip(),
        reported_by=data.reported_by.strip(),
    )
    problems = rd.incident_problems(data, session.today())
    if problems:
        raise ValidationError(problems)
    record = Incident(
        0,
        resident_id,
        data.occurred_on,
        data.what_happened,
        data.reported_to_police,
        data.police_reference,
        data.reported_by,
        session.stamp(),
        "",
    )
    db = session.db
    with db.transaction():
        new_id = risk_repo.insert_incident(db, record, session.user.id)
        session.audit("risk.incident", reference)
    stored = risk_repo.incident(db, new_id)
    assert stored is not None
    return stored


def incidents(session: Session, resident_id: int) -> list[Incident]:
    """Newest first."""
    _require(session)
    _reference(session, resident_id)
    return risk_repo.incidents(session.db, resident_id)


# --- MARAC -------------------------------------------------------------------------------


def _referral_record(resident_id: int, data: ReferralInput, referral_id: int = 0) -> Referral:
    return Referral(
        referral_id,
        resident_id,
        data.referred_on,
        data.agency.strip(),
        tuple(dict.fromkeys(data.criteria)),
        data.meeting_on,
        data.outcome.strip(),
        data.consent,
        data.lawful_basis.strip(),
        data.decided_by.strip(),
        "",
        "",
    )


def add_referral(session: Session, resident_id: int, data: ReferralInput) -> Referral:
    _require(session)
    reference = _reference(session, resident_id)
    data = clean_record(data)
    problems = rd.referral_problems(data, session.today())
    if problems:
        raise ValidationError(problems)
    db = session.db
    with db.transaction():
        new_id = risk_repo.insert_referral(
            db, _referral_record(resident_id, data), session.stamp(), session.user.id
        )
        session.audit("risk.marac_refer", reference)
    stored = risk_repo.referral(db, new_id)
    assert stored is not None
    return stored


def update_referral(session: Session, referral_id: int, data: ReferralInput) -> Referral:
    """Change a referral later (meeting date, outcome, ...)."""
    _require(session)
    db = session.db
    old = risk_repo.referral(db, referral_id)
    if old is None:
        raise NotFound("That MARAC referral no longer exists.")
    reference = _reference(session, old.resident_id)
    data = clean_record(data)
    problems = rd.referral_problems(data, session.today())
    if problems:
        raise ValidationError(problems)
    with db.transaction():
        risk_repo.update_referral(
            db,
            _referral_record(old.resident_id, data, referral_id),
            session.stamp(),
            session.user.id,
        )
        session.audit("risk.marac_update", reference)
        history.record_changes(
            session,
            history.MARAC_REFERRAL,
            referral_id,
            reference,
            old,
            risk_repo.referral(db, referral_id),
        )
    stored = risk_repo.referral(db, referral_id)
    assert stored is not None
    return stored


def referrals(session: Session, resident_id: int) -> list[Referral]:
    """Newest first."""
    _require(session)
    _reference(session, resident_id)
    return risk_repo.referrals(session.db, resident_id)


# --- overview, summaries and reviews due -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Overview:
    """Everything the risk tab shows for one resident."""

    resident_id: int
    latest: Assessment | None
    flags: MaracFlags
    review: ReviewDue
    assessments: list[Assessment]
    incidents: list[Incident]
    referrals: list[Referral]
    thresholds: Thresholds
    max_score: int  # questions in the checklist in use (the chart's top)


def overview(session: Session, resident_id: int) -> Overview:
    _require(session)
    _reference(session, resident_id)
    db = session.db
    today = session.today()
    history = risk_repo.assessments(db, resident_id)
    incident_list = risk_repo.incidents(db, resident_id)
    referral_list = risk_repo.referrals(db, resident_id)
    latest = history[0] if history else None
    flags = rd.marac_flags(
        latest,
        [i.occurred_on for i in incident_list],
        [r.referred_on for r in referral_list],
        today,
    )
    (row,) = risk_repo.summaries(db, [resident_id], rd.months_before(today, 12))
    review = rd.review_due(
        latest.assessed_on if latest else None,
        row.incident_after,
        settings.risk_review_weeks(session),
        row.start,
    )
    checklist_id = latest.checklist_id if latest else default_checklist_id(session)
    questions = len(checklist(session, checklist_id).questions)
    return Overview(
        resident_id,
        latest,
        flags,
        review,
        history,
        incident_list,
        referral_list,
        thresholds(session),
        questions,
    )


def summaries(session: Session, resident_ids: list[int]) -> dict[int, RiskSummary]:
    """Level, score, open MARAC flags and review due for a page of residents (one query)."""
    _require(session)
    today = session.today()
    weeks = settings.risk_review_weeks(session)
    out: dict[int, RiskSummary] = {}
    for row in risk_repo.summaries(session.db, list(resident_ids), rd.months_before(today, 12)):
        a = row.assessment
        flags = rd.marac_flags(
            a, row.incident_dates, [row.last_referral] if row.last_referral else [], today
        )
        review = rd.review_due(a.assessed_on if a else None, row.incident_after, weeks, row.start)
        out[row.resident_id] = RiskSummary(
            row.resident_id,
            a.level if a else None,
            a.score if a else None,
            a.assessed_on if a else None,
            flags.short_labels,
            review,
            review.is_due(today),
            a.raised if a else False,
        )
    return out


@dataclass(frozen=True, slots=True)
class DueRiskReview:
    resident_id: int
    reference: str
    name: str
    due_on: dt.date
    reason: str  # "first", "scheduled" or "incident"
    level: Level | None
    assessed_on: dt.date | None

    @property
    def words(self) -> str:
        return ReviewDue(self.due_on, self.reason).words


def due_reviews(
    session: Session, today: dt.date, within_days: int = 0, limit: int = 500
) -> list[DueRiskReview]:
    """Current residents whose risk checklist is due by ``today`` + ``within_days``."""
    _require(session)
    weeks = settings.risk_review_weeks(session)
    until = today + dt.timedelta(days=within_days)
    out: list[DueRiskReview] = []
    for r in risk_repo.due(session.db, until, weeks, limit):
        review = rd.review_due(r.assessed_on, r.incident_after, weeks, r.due_on)
        out.append(
            DueRiskReview(
                r.resident_id, r.reference, r.name, r.due_on, review.reason, r.level, r.assessed_on
            )
        )
    return out

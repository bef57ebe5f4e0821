"""Safety plans: drafts saved as she types, agreed versions, reviews and comparisons.

A plan is a sequence of frozen versions. Work happens in the one open draft, which is
written to the vault every few seconds (and on lock); "Agree and finalise" freezes it as
version N. A change after that starts a new draft from the latest version.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Literal

from refuge_desk.domain import plans as plan_domain
from refuge_desk.domain.errors import NotFound, StaleRecord, ValidationError
from refuge_desk.domain.plan_template import PlanTemplate
from refuge_desk.domain.plans import (
    Content,
    DueReview,
    PlanReview,
    PlanVersion,
    PrefillResult,
    SectionChanges,
)
from refuge_desk.domain.text import clean as clean_text
from refuge_desk.services import history, plan_templates
from refuge_desk.services.session import Session
from refuge_desk.store import meta_repo, plans_repo, residents_repo, staff_repo

REVIEW_WEEKS_KEY = "plan_review_weeks"
REVIEW_WEEKS_RANGE = (1, 26)
DRAFT: Literal["draft"] = "draft"
Which = int | Literal["draft"]


@dataclass(frozen=True, slots=True)
class Draft:
    template_id: int
    template: PlanTemplate
    content: Content
    revision: int
    base_version: int  # the version it started from; 0 for a first plan
    updated_at: str
    updated_by: str


@dataclass(frozen=True, slots=True)
class VersionInfo:
    number: int
    finalised_at: str
    finalised_by: str


@dataclass(frozen=True, slots=True)
class PlanState:
    resident_id: int
    reference: str
    exists: bool
    latest_version: int  # 0: nothing agreed yet
    draft: Draft | None
    review_date: dt.date | None
    reviewer_id: int | None
    reviewer: str
    versions: tuple[VersionInfo, ...]

    def review_status(self, today: dt.date) -> str:
        """ "overdue", "due" (within 7 days), "ok" or "none"."""
        if self.review_date is None:
            return "none"
        days = (self.review_date - today).days
        if days < 0:
            return "overdue"
        return "due" if days <= plan_domain.DUE_SOON_DAYS else "ok"


def _require(session: Session) -> None:
    session.require(session.role.sees_case_detail, "work on safety plans")


def _reference(session: Session, resident_id: int) -> str:
    view = residents_repo.rota(session.db, resident_id)
    if view is None:
        raise NotFound("That resident's record no longer exists.")
    return view.reference


def _labels(template: PlanTemplate) -> dict[str, str]:
    return {f.id: f.label for f in template.fields()}


def _dump(content: Content) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True)


def _load(text: str | None, template: PlanTemplate) -> Content:
    try:
        raw: Any = json.loads(text) if text else {}
    except json.JSONDecodeError:
        raw = {}
    return plan_domain.normalise(template, raw)


def get(session: Session, resident_id: int) -> PlanState:
    _require(session)
    reference = _reference(session, resident_id)
    row = plans_repo.plan_for(session.db, resident_id)
    if row is None:
        return PlanState(resident_id, reference, False, 0, None, None, None, "", ())
    draft = None
    if row.draft_content is not None and row.draft_template is not None:
        template = plan_templates.load(session, row.draft_template)
        draft = Draft(
            row.draft_template,
            template,
            _load(row.draft_content, template),
            row.draft_revision,
            row.latest_version,
            row.draft_updated_at,
            row.draft_updated_by,
        )
    versions = tuple(
        VersionInfo(v.number, v.finalised_at, v.finalised_by)
        for v in plans_repo.versions(session.db, row.id)
    )
    return PlanState(
        resident_id,
        reference,
        True,
        row.latest_version,
        draft,
        row.review_date,
        row.reviewer_id,
        row.reviewer,
        versions,
    )


def _plan_row(session: Session, resident_id: int) -> plans_repo.PlanRow:
    row = plans_repo.plan_for(session.db, resident_id)
    if row is None:
        raise NotFound("This resident has no safety plan yet.")
    return row


def version(session: Session, resident_id: int, number: int) -> tuple[PlanTemplate, PlanVersion]:
    _require(session)
    row = _plan_row(session, resident_id)
    v = plans_repo.version(session.db, row.id, number)
    if v is None:
        raise NotFound(f"Version {number} of this plan does not exist.")
    template = plan_templates.load(session, v.template_id)
    return template, PlanVersion(
        v.number,
        v.template_id,
        _load(v.content, template),
        v.finalised_at,
        v.finalised_by,
        v.review_date,
        v.reviewer,
    )


def start_draft(session: Session, resident_id: int, template_id: int | None = None) -> PlanState:
    """Open the draft: from the latest version, or a new plan pre-filled from her record.

    If a draft is already open it is returned untouched (there is one draft per plan).
    """
    _require(session)
    session.require(session.role.edits_residents, "change safety plans")
    reference = _reference(session, resident_id)
    db = session.db
    state = get(session, resident_id)
    if state.draft is not None:
        return state
    if template_id is None:
        template_id = plan_templates.default_id(session)
    with db.transaction():
        row = plans_repo.plan_for(db, resident_id)
        plan_id = (
            row.id
            if row
            else plans_repo.create_plan(db, resident_id, session.stamp(), session.user.id)
        )
        latest = row.latest_version if row else 0
        if latest:
            base = plans_repo.version(db, plan_id, latest)
            assert base is not None
            new_template_id = plan_templates.newest_id(session, base.template_id)
            template = plan_templates.load(session, new_template_id)
            content = _load(base.content, template)
            if new_template_id != base.template_id:
                # Names of fields may have moved; keep what matches by id.
                content = plan_domain.normalise(
                    template, json.loads(base.content) if base.content else {}
                )
            template_id = new_template_id
        else:
            template = plan_templates.load(session, template_id)
            resident = residents_repo.get(db, resident_id)
            assert resident is not None
            content = plan_domain.prefill(template, {}, resident).content
        revision = row.draft_revision if row else 0
        stored = plans_repo.save_draft(
            db, plan_id, template_id, _dump(content), revision, session.stamp(), session.user.id
        )
        if stored is None:
            raise StaleRecord("Someone else opened this plan at the same moment. Try again.")
        history.seal_plan_draft(session, plan_id)
        session.audit("plan.draft", f"{reference} from v{latest}")
    return get(session, resident_id)


def save_draft(session: Session, resident_id: int, content: Content, revision: int) -> int:
    """Write the draft as she types. Returns the new revision to pass next time.

    Raises StaleRecord (and writes nothing) if the draft changed since ``revision`` was read,
    e.g. it was finalised or discarded in another session.
    """
    _require(session)
    session.require(session.role.edits_residents, "change safety plans")
    row = _plan_row(session, resident_id)
    if row.draft_template is None:
        raise StaleRecord(
            "This draft was agreed or discarded in another session. Your typing is still on "
            "screen: copy what you need, then reopen the plan."
        )
    template = plan_templates.load(session, row.draft_template)
    clean = plan_domain.normalise(template, content)
    reference = _reference(session, resident_id)
    with session.db.transaction():
        new = plans_repo.save_draft(
            session.db,
            row.id,
            row.draft_template,
            _dump(clean),
            revision,
            session.stamp(),
            session.user.id,
        )
        if new is not None:
            history.record_plan_draft(
                session,
                row.id,
                reference,
                _labels(template),
                _load(row.draft_content, template),
                clean,
            )
    if new is None:
        who = row.draft_updated_by or "someone"
        raise StaleRecord(
            f"{who} saved this draft after you opened it. Your typing is still on screen: copy "
            "what you need, then reopen the plan to see theirs."
        )
    return new


def discard_draft(session: Session, resident_id: int) -> None:
    _require(session)
    session.require(session.role.edits_residents, "change safety plans")
    row = _plan_row(session, resident_id)
    reference = _reference(session, resident_id)
    with session.db.transaction():
        if row.draft_template is not None:
            # Her typing stays readable in the history after the draft is thrown away.
            template = plan_templates.load(session, row.draft_template)
            typed = _load(row.draft_content, template)
            history.record_plan_draft(
                session, row.id, reference, _labels(template), typed, {}, fold=False
            )
        plans_repo.clear_draft(session.db, row.id)
        history.seal_plan_draft(session, row.id)
        session.audit("plan.discard_draft", reference)


def prefill(session: Session, resident_id: int, content: Content) -> PrefillResult:
    """Fill empty fields of the open draft from her record; typed text is never replaced."""
    _require(session)
    row = _plan_row(session, resident_id)
    if row.draft_template is None:
        raise NotFound("There is no open draft to fill in.")
    resident = residents_repo.get(session.db, resident_id)
    if resident is None:
        raise NotFound("That resident's record no longer exists.")
    template = plan_templates.load(session, row.draft_template)
    return plan_domain.prefill(template, content, resident)


def review_weeks(session: Session) -> int:
    raw = meta_repo.get(session.db, REVIEW_WEEKS_KEY, str(plan_domain.DEFAULT_REVIEW_WEEKS))
    try:
        weeks = int(raw)
    except ValueError:
        return plan_domain.DEFAULT_REVIEW_WEEKS
    lo, hi = REVIEW_WEEKS_RANGE
    return min(hi, max(lo, weeks))


def set_review_weeks(session: Session, weeks: int) -> None:
    session.require(session.role.manages_settings, "change settings")
    lo, hi = REVIEW_WEEKS_RANGE
    if not lo <= weeks <= hi:
        raise ValidationError([f"Plan reviews must be between {lo} and {hi} weeks apart."])
    with session.db.transaction():
        history.put_setting(session, REVIEW_WEEKS_KEY, str(weeks))
        session.audit("settings.plan_review_weeks", str(weeks))


def default_review_date(session: Session) -> dt.date:
    return plan_domain.review_date_after(session.today(), review_weeks(session))


def _check_review(session: Session, review_date: dt.date, reviewer_id: int | None) -> list[str]:
    problems = []
    if review_date <= session.today():
        problems.append("The next review date must be after today.")
    if review_date > session.today() + dt.timedelta(weeks=52):
        problems.append("The next review date must be within a year.")
    if reviewer_id is not None:
        who = staff_repo.by_id(session.db, reviewer_id)
        if who is None or not who.active or not who.role.sees_case_detail:
            problems.append("The reviewer must be an active manager or support worker.")
    return problems


def finalise(
    session: Session,
    resident_id: int,
    revision: int,
    review_date: dt.date | None = None,
    reviewer_id: int | None = None,
) -> PlanVersion:
    """ "Agree and finalise": freeze the draft (as saved at ``revision``) as the next version."""
    _require(session)
    session.require(session.role.edits_residents, "agree safety plans")
    db = session.db
    row = _plan_row(session, resident_id)
    reference = _reference(session, resident_id)
    if row.draft_template is None or row.draft_content is None:
        raise NotFound("There is no open draft to agree.")
    if row.draft_revision != revision:
        raise StaleRecord("The draft changed after you last saved it. Reopen the plan to agree it.")
    template = plan_templates.load(session, row.draft_template)
    content = _load(row.draft_content, template)
    review_date = review_date or default_review_date(session)
    problems = _check_review(session, review_date, reviewer_id)
    filled, _ = plan_domain.filled_count(template, content)
    if not filled:
        problems.append("Fill in at least one part of the plan before agreeing it.")
    if row.latest_version:
        prev = plans_repo.version(db, row.id, row.latest_version)
        if (
            prev is not None
            and prev.template_id == row.draft_template
            and _load(prev.content, template) == content
        ):
            problems.append(
                f"Nothing has changed since version {row.latest_version}. To record a review "
                'with no changes, use "Reviewed, no changes".'
            )
    if problems:
        raise ValidationError(problems)
    number = row.latest_version + 1
    now = session.stamp()
    with db.transaction():
        plans_repo.add_version(
            db,
            row.id,
            number,
            row.draft_template,
            _dump(content),
            now,
            session.user.id,
            review_date,
            reviewer_id,
        )
        plans_repo.clear_draft(db, row.id)
        history.seal_plan_draft(session, row.id)
        plans_repo.set_review(db, row.id, review_date, reviewer_id)
        plans_repo.add_review(
            db, row.id, number, now, session.user.id, "new_version", review_date, ""
        )
        session.audit("plan.finalise", f"{reference} v{number}")
    return version(session, resident_id, number)[1]


def mark_reviewed(
    session: Session,
    resident_id: int,
    next_review: dt.date | None = None,
    reviewer_id: int | None = None,
    note: str = "",
) -> None:
    """Reviewed with her and nothing needs to change: record it and set the next date."""
    _require(session)
    session.require(session.role.edits_residents, "review safety plans")
    row = _plan_row(session, resident_id)
    reference = _reference(session, resident_id)
    if not row.latest_version:
        raise ValidationError(["Agree the first version of the plan before reviewing it."])
    next_review = next_review or default_review_date(session)
    problems = _check_review(session, next_review, reviewer_id)
    note = clean_text(note, multiline=True)
    if len(note) > plan_domain.MAX_FIELD_TEXT:
        problems.append("The review note is too long.")
    if problems:
        raise ValidationError(problems)
    with session.db.transaction():
        plans_repo.add_review(
            session.db,
            row.id,
            row.latest_version,
            session.stamp(),
            session.user.id,
            "no_change",
            next_review,
            note.strip(),
        )
        plans_repo.set_review(session.db, row.id, next_review, reviewer_id)
        session.audit("plan.review", f"{reference} v{row.latest_version}")


def reviews(session: Session, resident_id: int) -> list[PlanReview]:
    _require(session)
    row = plans_repo.plan_for(session.db, resident_id)
    if row is None:
        return []
    return [
        PlanReview(r.reviewed_at, r.reviewed_by, r.version_number, r.outcome, r.next_review, r.note)
        for r in plans_repo.reviews(session.db, row.id)
    ]


def content_of(session: Session, resident_id: int, which: Which) -> tuple[PlanTemplate, Content]:
    if which == DRAFT:
        state = get(session, resident_id)
        if state.draft is None:
            raise NotFound("There is no open draft.")
        return state.draft.template, state.draft.content
    template, v = version(session, resident_id, int(which))
    return template, v.content


def compare(session: Session, resident_id: int, older: Which, newer: Which) -> list[SectionChanges]:
    """What changed from ``older`` to ``newer`` (version numbers or DRAFT), by section."""
    old_t, old_c = content_of(session, resident_id, older)
    new_t, new_c = content_of(session, resident_id, newer)
    return plan_domain.compare(new_t, old_c, new_c, old_t if old_t != new_t else None)


def due_reviews(session: Session, within_days: int = plan_domain.DUE_SOON_DAYS) -> list[DueReview]:
    """Plans overdue or due soon: hers (reviewer or key worker), or everyone's for a manager."""
    _require(session)
    until = session.today() + dt.timedelta(days=within_days)
    mine_only = None if session.role.manages_staff else session.user.id
    return [
        DueReview(
            r.plan_id,
            r.resident_id,
            r.reference,
            r.full_name,
            r.review_date,
            r.reviewer,
            r.key_worker,
        )
        for r in plans_repo.due(session.db, until, mine_only)
    ]

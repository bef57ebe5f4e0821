"""Risk service on a real vault: scoring, judgement, incidents, MARAC, reviews, summaries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from refuge_desk.domain.errors import PermissionDenied, UserError, ValidationError
from refuge_desk.domain.residents import Resident, Status
from refuge_desk.domain.risk import (
    Answer,
    AnswerEntry,
    AssessmentInput,
    ChecklistError,
    Criterion,
    IncidentInput,
    Level,
    ReferralInput,
)
from refuge_desk.services import residents, risk, settings
from refuge_desk.services.session import Session
from refuge_desk.store import audit_repo
from tests.conftest import VOLUNTEER, WORKER, FakeClock, sign_in_as

D = dt.date.fromisoformat
TODAY = D("2026-11-24")  # the FakeClock's day


def add_resident(session: Session, name: str = "Dana Example", **kw: object) -> int:
    values: dict[str, object] = {"status": Status.RESIDENT, "arrival_date": D("2026-09-01")}
    values.update(kw)
    res = residents.save(session, Resident(full_name=name, **values))  # type: ignore[arg-type]
    assert res.id is not None
    return res.id


def checklist_input(
    session: Session,
    yes: int,
    level: Level | None = None,
    reason: str = "",
    on: dt.date = TODAY,
    **kw: object,
) -> AssessmentInput:
    cid = risk.default_checklist_id(session)
    questions = risk.checklist(session, cid).questions
    answers = {
        q.id: AnswerEntry(Answer.YES if i < yes else Answer.NO, f"comment {i}")
        for i, q in enumerate(questions)
    }
    scored = Level.HIGH if yes >= 14 else Level.MEDIUM if yes >= 10 else Level.STANDARD
    values: dict[str, object] = {"asked_by_id": session.user.id, **kw}
    return AssessmentInput(
        checklist_id=cid,
        assessed_on=on,
        answers=answers,
        level=level or scored,
        raised_reason=reason,
        **values,  # type: ignore[arg-type]
    )


def test_score_and_level_from_default_thresholds(manager_session: Session) -> None:
    rid = add_resident(manager_session)
    for yes, level in (
        (9, Level.STANDARD),
        (10, Level.MEDIUM),
        (13, Level.MEDIUM),
        (14, Level.HIGH),
    ):
        a = risk.add_assessment(manager_session, rid, checklist_input(manager_session, yes))
        assert (a.score, a.scored_level, a.level, a.raised) == (yes, level, level, False)
        assert (a.thresholds.medium, a.thresholds.high) == (10, 14)
    stored = risk.assessments(manager_session, rid)
    assert [a.score for a in stored] == [14, 13, 10, 9]  # same day: newest first
    assert stored[0].answers["injuries"] == AnswerEntry(Answer.YES, "comment 0")
    assert stored[0].asked_by == "Mira Manager"
    assert audit_repo.recent(manager_session.db, 20)[0][2] == "risk.assess"


def test_thresholds_are_settings_and_kept_on_each_row(manager_session: Session) -> None:
    rid = add_resident(manager_session)
    before = risk.add_assessment(manager_session, rid, checklist_input(manager_session, 8))
    risk.set_thresholds(manager_session, 6, 8)
    with pytest.raises(ValidationError, match="never lower it"):  # the dialog's old idea
        risk.add_assessment(manager_session, rid, checklist_input(manager_session, 8))
    after = risk.add_assessment(
        manager_session, rid, checklist_input(manager_session, 8, Level.HIGH)
    )
    assert before.level is Level.STANDARD and after.level is Level.HIGH
    assert (after.thresholds.medium, after.thresholds.high) == (6, 8)
    assert risk.assessments(manager_session, rid)[1].thresholds.high == 14
    with pytest.raises(ValidationError) as err:
        risk.set_thresholds(manager_session, 9, 9)
    assert "lower than the high threshold" in err.value.problems[0]


def test_judgement_raises_with_reason_and_can_never_lower(manager_session: Session) -> None:
    rid = add_resident(manager_session)
    with pytest.raises(ValidationError) as err:
        risk.add_assessment(
            manager_session, rid, checklist_input(manager_session, 15, Level.MEDIUM, "calmer")
        )
    assert "never lower it" in err.value.problems[0]
    with pytest.raises(ValidationError) as err:
        risk.add_assessment(manager_session, rid, checklist_input(manager_session, 5, Level.HIGH))
    assert err.value.problems == ["Say why you raised the level to high risk (the reason is kept)."]
    assert risk.assessments(manager_session, rid) == []
    a = risk.add_assessment(
        manager_session, rid, checklist_input(manager_session, 5, Level.HIGH, " strangulation ")
    )
    assert (a.scored_level, a.level, a.raised, a.raised_reason) == (
        Level.STANDARD,
        Level.HIGH,
        True,
        "strangulation",
    )


def test_assessment_checks_answers_date_interpreter_and_asker(manager_session: Session) -> None:
    rid = add_resident(manager_session)
    data = checklist_input(
        manager_session, 3, on=TODAY + dt.timedelta(days=1), interpreter=True, asked_by_id=None
    )
    answers = dict(data.answers)
    del answers["fear"]
    answers["made_up"] = AnswerEntry(Answer.YES)
    data = dataclasses.replace(data, answers=answers)
    with pytest.raises(ValidationError) as err:
        risk.add_assessment(manager_session, rid, data)
    assert err.value.problems == [
        "The date of the checklist cannot be in the future.",
        "These answers are not questions of this checklist: made_up.",
        "Answer every question (yes, no or not known). Not answered: question 2.",
        "Say which language (and who interpreted) when an interpreter was used.",
        "Say who asked the questions.",
    ]


def test_checklist_kept_per_assessment_after_import(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    rid = add_resident(manager_session)
    old = risk.add_assessment(manager_session, rid, checklist_input(manager_session, 2))
    own = {
        "format": 1,
        "key": "our-words",
        "version": 1,
        "name": "Our checklist",
        "thresholds": {"medium": 2, "high": 3},
        "questions": [
            {"id": "a", "text": "Afraid?", "factor": "fear"},
            {"id": "b", "text": "Followed?", "factor": "stalking"},
            {"id": "c", "text": "Choked?", "factor": "strangulation"},
        ],
    }
    info = risk.import_checklist(manager_session, json.dumps(own).encode())
    assert (info.key, info.questions) == ("our-words", 3)
    assert risk.default_checklist_id(manager_session) == info.id
    assert [c.key for c in risk.checklists(manager_session)] == ["uk-default", "our-words"]
    with pytest.raises(UserError, match="already in the vault"):
        risk.import_checklist(manager_session, json.dumps(own).encode())
    own["name"] = "Changed"
    with pytest.raises(ChecklistError, match='Raise "version"'):
        risk.import_checklist(manager_session, json.dumps(own).encode())
    with pytest.raises(ChecklistError) as err:
        risk.import_checklist(manager_session, b'{"format": 1, "key": "x"')
    assert err.value.problems[0].startswith("The checklist is not valid JSON")
    new = risk.add_assessment(manager_session, rid, checklist_input(manager_session, 1))
    assert new.checklist_id == info.id and new.checklist_id != old.checklist_id
    wording, again = risk.assessment(manager_session, old.id)
    assert len(wording.questions) == 24 and again.answers == old.answers
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        with pytest.raises(PermissionDenied):
            risk.import_checklist(worker, json.dumps(own).encode())
    finally:
        worker.close()


def test_incident_makes_review_due_at_once(manager_session: Session) -> None:
    rid = add_resident(manager_session)
    risk.add_assessment(manager_session, rid, checklist_input(manager_session, 4))
    (s,) = risk.summaries(manager_session, [rid]).values()
    assert (s.level, s.score, s.review_due, s.review.due_on) == (  # type: ignore[union-attr]
        Level.STANDARD,
        4,
        False,
        TODAY + dt.timedelta(weeks=6),
    )
    assert risk.due_reviews(manager_session, TODAY) == []
    inc = risk.add_incident(
        manager_session,
        rid,
        IncidentInput(TODAY, "He waited outside the school.", True, "CAD 4411", "Dana"),
    )
    assert (inc.police_reference, inc.created_by) == ("CAD 4411", "Mira Manager")
    s = risk.summaries(manager_session, [rid])[rid]
    assert s.review_due and s.review and s.review.reason == "incident"
    (due,) = risk.due_reviews(manager_session, TODAY)
    assert (due.resident_id, due.reason, due.due_on) == (rid, "incident", TODAY)
    with pytest.raises(ValidationError, match="Say briefly what happened"):
        risk.add_incident(manager_session, rid, IncidentInput(TODAY, "  "))


def test_review_due_after_six_weeks_and_for_new_residents(manager_session: Session) -> None:
    assessed = add_resident(manager_session, "Assessed Person")
    never = add_resident(manager_session, "New Arrival", arrival_date=D("2026-11-20"))
    add_resident(manager_session, "Gone Away", status=Status.MOVED_ON, move_on_date=TODAY)
    on = TODAY - dt.timedelta(weeks=6)
    risk.add_assessment(manager_session, assessed, checklist_input(manager_session, 11, on=on))
    due = risk.due_reviews(manager_session, TODAY)
    assert [(d.resident_id, d.reason, d.due_on) for d in due] == [
        (never, "first", D("2026-11-20")),
        (assessed, "scheduled", TODAY),
    ]
    assert due[1].level is Level.MEDIUM and due[1].words == "regular review"
    # The day before six weeks are up it is not due yet.
    risk.add_assessment(
        manager_session, assessed, checklist_input(manager_session, 11, on=on + dt.timedelta(1))
    )
    assert [d.resident_id for d in risk.due_reviews(manager_session, TODAY)] == [never]
    assert [d.resident_id for d in risk.due_reviews(manager_session, TODAY, within_days=1)] == [
        never,
        assessed,
    ]


def test_marac_flags_in_summary_and_referrals(manager_session: Session) -> None:
    rid = add_resident(manager_session)
    risk.add_assessment(manager_session, rid, checklist_input(manager_session, 16))
    for day in ("2026-01-10", "2026-06-01", "2026-11-01"):
        risk.add_incident(manager_session, rid, IncidentInput(D(day), "Threats by phone."))
    s = risk.summaries(manager_session, [rid])[rid]
    assert s.flags == ("High score", "Escalation")
    with pytest.raises(ValidationError) as err:
        risk.add_referral(manager_session, rid, ReferralInput(TODAY, "Eastmoor MARAC"))
    assert err.value.problems == [
        "Record her consent to share, or the lawful basis for sharing without it.",
        "Say who decided to make the referral.",
    ]
    ref = risk.add_referral(
        manager_session,
        rid,
        ReferralInput(
            TODAY,
            "Eastmoor MARAC",
            (Criterion.VISIBLE_HIGH_RISK, Criterion.ESCALATION),
            lawful_basis="Serious risk of harm",
            decided_by="Mira Manager",
        ),
    )
    assert risk.summaries(manager_session, [rid])[rid].flags == ()
    ov = risk.overview(manager_session, rid)
    assert ov.flags.met == (Criterion.VISIBLE_HIGH_RISK, Criterion.ESCALATION)
    assert ov.flags.open == () and ov.max_score == 24
    edited = risk.update_referral(
        manager_session,
        ref.id,
        ReferralInput(
            TODAY,
            "Eastmoor MARAC",
            ref.criteria,
            meeting_on=TODAY + dt.timedelta(days=14),
            outcome="Actions agreed",
            lawful_basis="Serious risk of harm",
            decided_by="Mira Manager",
        ),
    )
    assert (edited.meeting_on, edited.outcome) == (TODAY + dt.timedelta(days=14), "Actions agreed")
    assert [r.id for r in risk.referrals(manager_session, rid)] == [ref.id]


def test_repeat_flag_from_an_incident_after_the_referral(manager_session: Session) -> None:
    rid = add_resident(manager_session)
    risk.add_referral(
        manager_session,
        rid,
        ReferralInput(D("2026-01-05"), "MARAC", consent=True, decided_by="Mira Manager"),
    )
    risk.add_incident(manager_session, rid, IncidentInput(D("2026-11-01"), "He phoned."))
    assert risk.summaries(manager_session, [rid])[rid].flags == ("Repeat",)
    assert risk.summaries(manager_session, [rid, 999_999]).keys() == {rid}


def test_volunteer_is_refused_every_read_and_write(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    rid = add_resident(manager_session)
    a = risk.add_assessment(manager_session, rid, checklist_input(manager_session, 4))
    ref = risk.add_referral(
        manager_session, rid, ReferralInput(TODAY, "MARAC", consent=True, decided_by="M")
    )
    data = checklist_input(manager_session, 2)
    vol = sign_in_as(vault_dir, VOLUNTEER, clock)
    calls = [
        lambda: risk.add_assessment(vol, rid, data),
        lambda: risk.assessments(vol, rid),
        lambda: risk.assessment(vol, a.id),
        lambda: risk.checklists(vol),
        lambda: risk.checklist(vol, a.checklist_id),
        lambda: risk.default_checklist_id(vol),
        lambda: risk.import_checklist(vol, b"{}"),
        lambda: risk.add_incident(vol, rid, IncidentInput(TODAY, "x")),
        lambda: risk.incidents(vol, rid),
        lambda: risk.add_referral(vol, rid, ReferralInput(TODAY, "M", consent=True)),
        lambda: risk.update_referral(vol, ref.id, ReferralInput(TODAY, "M", consent=True)),
        lambda: risk.referrals(vol, rid),
        lambda: risk.overview(vol, rid),
        lambda: risk.summaries(vol, [rid]),
        lambda: risk.due_reviews(vol, TODAY),
        lambda: risk.set_thresholds(vol, 5, 8),
        lambda: settings.set_risk_review_weeks(vol, 4),
    ]
    try:
        for call in calls:
            with pytest.raises(PermissionDenied):
                call()
    finally:
        vol.close()


def test_summaries_for_a_page_of_200_is_one_fast_query(manager_session: Session) -> None:
    ids = [add_resident(manager_session, f"Person {i}") for i in range(3)]
    risk.add_assessment(manager_session, ids[0], checklist_input(manager_session, 14))
    db = manager_session.db
    with db.transaction():  # pad the vault cheaply: plain rows, no per-row service calls
        for i in range(2000):
            db.execute(
                "INSERT INTO incidents (resident_id, occurred_on, what_happened, created_at) "
                "VALUES (?, ?, 'x', '2026-01-01T00:00:00+00:00')",
                (ids[i % 3], (TODAY - dt.timedelta(days=i % 700)).isoformat()),
            )
    page = ids + list(range(10_000, 10_197))
    result = risk.summaries(manager_session, page)
    assert set(result) == set(ids)
    assert result[ids[0]].flags == ("High score", "Escalation")
    plan = " ".join(
        str(r[3])
        for r in db.query(
            "EXPLAIN QUERY PLAN SELECT min(i.occurred_on) FROM incidents i "
            "WHERE i.resident_id = ? AND i.occurred_on >= ?",
            (ids[0], "2026-01-01"),
        )
    )
    assert "incidents_resident" in plan

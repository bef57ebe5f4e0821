"""Safety plans through the services, on a real vault: drafts, versions, reviews, roles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from refuge_desk.domain.errors import PermissionDenied, StaleRecord, ValidationError
from refuge_desk.domain.residents import Abuser, Child, ContactSafety, Phone, Resident
from refuge_desk.services import plan_templates, plans, residents
from refuge_desk.services.session import Session
from refuge_desk.store import staff_repo
from tests.conftest import VOLUNTEER, WORKER, FakeClock, sign_in_as


def _resident(session: Session, **kw: object) -> Resident:
    base = Resident(
        full_name="Amina Hassan",
        preferred_name="Amina",
        languages="Arabic, English",
        interpreter_needed=True,
        interpreter_language="Arabic",
        phones=[Phone("07700 900123", "mobile", ContactSafety.SAFE, "after 6pm")],
        abusers=[Abuser(name="Karim Hassan", vehicle="Silver Ford Focus")],
        children=[Child(full_name="Yusuf Hassan", school="Oak Primary", may_collect="Amina only")],
    )
    for key, value in kw.items():
        setattr(base, key, value)
    return residents.save(session, base)


def test_new_draft_is_prefilled_from_her_record(manager_session: Session) -> None:
    res = _resident(manager_session)
    assert res.id is not None
    state = plans.start_draft(manager_session, res.id)
    assert state.exists and state.latest_version == 0
    draft = state.draft
    assert draft is not None and draft.template.key == plan_templates.DEFAULT_KEY
    content = draft.content
    assert "Arabic" in content["communication"] and "Interpreter needed" in content["communication"]
    assert "07700 900123" in content["reach_me"]
    assert "Karim Hassan" in content["abuser"] and "Silver Ford Focus" in content["abuser"]
    [block] = content["children"]
    assert block["name"] == "Yusuf Hassan"
    assert block["values"] == {"may_collect": "Amina only", "school": "Oak Primary"}


def test_prefill_never_overwrites_typed_text(manager_session: Session) -> None:
    res = _resident(manager_session)
    assert res.id is not None
    state = plans.start_draft(manager_session, res.id)
    assert state.draft is not None
    content = dict(state.draft.content)
    content["reach_me"] = "Only via her sister"
    content["communication"] = ""
    content["children"] = [
        {"child_id": res.children[0].id, "name": "Yusuf Hassan", "values": {"school": "Home"}}
    ]
    result = plans.prefill(manager_session, res.id, content)
    assert result.content["reach_me"] == "Only via her sister"
    assert "Arabic" in result.content["communication"]
    assert result.content["children"][0]["values"]["school"] == "Home"
    assert result.content["children"][0]["values"]["may_collect"] == "Amina only"
    assert "How staff can reach me safely" in result.kept
    assert "How I like to communicate" in result.filled


def test_draft_saves_finalise_and_new_draft_from_latest(
    manager_session: Session, clock: FakeClock
) -> None:
    res = _resident(manager_session)
    assert res.id is not None
    state = plans.start_draft(manager_session, res.id)
    assert state.draft is not None
    content = dict(state.draft.content)
    content["worries"] = "He knows the area near the school."
    rev = plans.save_draft(manager_session, res.id, content, state.draft.revision)
    reopened = plans.get(manager_session, res.id)
    assert reopened.draft is not None and reopened.draft.content["worries"] == content["worries"]

    v1 = plans.finalise(manager_session, res.id, rev)
    assert v1.number == 1 and v1.finalised_by == "Mira Manager"
    assert v1.review_date == dt.date(2026, 11, 24) + dt.timedelta(weeks=6)
    after = plans.get(manager_session, res.id)
    assert after.draft is None and after.latest_version == 1
    assert after.review_date == v1.review_date
    assert [v.number for v in after.versions] == [1]

    clock.advance(86400)
    again = plans.start_draft(manager_session, res.id)
    assert again.draft is not None and again.draft.base_version == 1
    assert again.draft.content == v1.content  # starts from the latest version
    changed = dict(again.draft.content)
    changed["worries"] = "He has found out which town she is in."
    rev2 = plans.save_draft(manager_session, res.id, changed, again.draft.revision)
    v2 = plans.finalise(manager_session, res.id, rev2, review_date=dt.date(2026, 12, 20))
    assert v2.number == 2 and v2.review_date == dt.date(2026, 12, 20)
    # version 1 is frozen
    _, old = plans.version(manager_session, res.id, 1)
    assert old.content["worries"] == "He knows the area near the school."

    [section] = plans.compare(manager_session, res.id, 1, 2)
    assert section.section_id == "worries"
    [change] = section.changes
    assert change.diff() == [
        ("-", "He knows the area near the school."),
        ("+", "He has found out which town she is in."),
    ]


def test_finalise_refuses_unchanged_or_empty_and_bad_review(manager_session: Session) -> None:
    res = residents.save(manager_session, Resident(full_name="Bea Blank"))
    assert res.id is not None
    state = plans.start_draft(manager_session, res.id)
    assert state.draft is not None
    with pytest.raises(ValidationError) as err:
        plans.finalise(manager_session, res.id, state.draft.revision)
    assert "at least one part" in str(err.value)
    content = dict(state.draft.content)
    content["worries"] = "x"
    rev = plans.save_draft(manager_session, res.id, content, state.draft.revision)
    with pytest.raises(ValidationError) as err:
        plans.finalise(manager_session, res.id, rev, review_date=dt.date(2026, 1, 1))
    assert "after today" in str(err.value)
    plans.finalise(manager_session, res.id, rev)
    again = plans.start_draft(manager_session, res.id)
    assert again.draft is not None
    with pytest.raises(ValidationError) as err:
        plans.finalise(manager_session, res.id, again.draft.revision)
    assert "Nothing has changed since version 1" in str(err.value)
    assert plans.get(manager_session, res.id).latest_version == 1


def test_stale_draft_is_refused_and_nothing_overwritten(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    res = _resident(manager_session)
    assert res.id is not None
    state = plans.start_draft(manager_session, res.id)
    assert state.draft is not None
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        theirs = dict(state.draft.content, worries="worker's words")
        plans.save_draft(worker, res.id, theirs, state.draft.revision)
    finally:
        worker.close()
    mine = dict(state.draft.content, worries="manager's words")
    with pytest.raises(StaleRecord) as err:
        plans.save_draft(manager_session, res.id, mine, state.draft.revision)
    assert "Wendy Worker saved this draft" in str(err.value)
    stored = plans.get(manager_session, res.id).draft
    assert stored is not None and stored.content["worries"] == "worker's words"


def test_review_without_changes_and_due_lists(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    worker_user = staff_repo.by_username(manager_session.db, WORKER[0])
    assert worker_user is not None
    mine = _resident(manager_session, key_worker_id=worker_user.id)
    other = _resident(manager_session, full_name="Olga Other")
    for res in (mine, other):
        assert res.id is not None
        state = plans.start_draft(manager_session, res.id)
        assert state.draft is not None
        rev = plans.save_draft(
            manager_session, res.id, dict(state.draft.content, worries="w"), state.draft.revision
        )
        plans.finalise(manager_session, res.id, rev)
    assert plans.due_reviews(manager_session) == []
    clock.advance(86400 * (7 * 6 - 5))  # five days before the six-week review
    due = plans.due_reviews(manager_session)
    assert [d.reference for d in due] == [mine.reference, other.reference]
    assert due[0].days_left(manager_session.today()) == 5
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        assert [d.reference for d in plans.due_reviews(worker)] == [mine.reference]
        assert mine.id is not None
        plans.mark_reviewed(worker, mine.id, note="Talked it through, still right.")
        assert plans.due_reviews(worker) == []
        [review, first] = plans.reviews(worker, mine.id)
        assert review.outcome == "no_change" and review.reviewed_by == "Wendy Worker"
        assert review.note == "Talked it through, still right."
        assert first.outcome == "new_version" and first.version_number == 1
        state = plans.get(worker, mine.id)
        assert state.review_date == worker.today() + dt.timedelta(weeks=6)
        assert state.review_status(worker.today()) == "ok"
    finally:
        worker.close()


def test_review_weeks_setting(manager_session: Session) -> None:
    plans.set_review_weeks(manager_session, 8)
    assert plans.default_review_date(manager_session) == manager_session.today() + dt.timedelta(
        weeks=8
    )
    with pytest.raises(ValidationError):
        plans.set_review_weeks(manager_session, 0)


def test_volunteer_cannot_touch_plans(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    res = _resident(manager_session)
    assert res.id is not None
    plans.start_draft(manager_session, res.id)
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        for call in (
            lambda: plans.get(volunteer, res.id),
            lambda: plans.start_draft(volunteer, res.id),
            lambda: plans.save_draft(volunteer, res.id, {}, 0),
            lambda: plans.due_reviews(volunteer),
            lambda: plans.compare(volunteer, res.id, plans.DRAFT, plans.DRAFT),
            lambda: plan_templates.available(volunteer),
        ):
            with pytest.raises(PermissionDenied):
                call()
    finally:
        volunteer.close()


def test_discard_draft_keeps_versions(manager_session: Session) -> None:
    res = _resident(manager_session)
    assert res.id is not None
    state = plans.start_draft(manager_session, res.id)
    assert state.draft is not None
    rev = plans.save_draft(
        manager_session, res.id, dict(state.draft.content, worries="v1"), state.draft.revision
    )
    plans.finalise(manager_session, res.id, rev)
    plans.start_draft(manager_session, res.id)
    plans.discard_draft(manager_session, res.id)
    state = plans.get(manager_session, res.id)
    assert state.draft is None and state.latest_version == 1

"""Change history beyond her record: plan drafts (folded while she types), MARAC referrals,
immigration details and applications, and vault-wide settings."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from refuge_desk.domain.deadlines import Application, Immigration
from refuge_desk.domain.errors import PermissionDenied
from refuge_desk.domain.residents import Resident, Status
from refuge_desk.domain.risk import Criterion, ReferralInput
from refuge_desk.services import history, immigration, plans, residents, retention, risk, settings
from refuge_desk.services.session import Session
from tests.conftest import WORKER, FakeClock, sign_in_as


def _her(session: Session) -> int:
    res = residents.save(
        session,
        Resident(
            full_name="Amina Hassan", status=Status.RESIDENT, arrival_date=dt.date(2026, 9, 1)
        ),
    )
    assert res.id is not None
    return res.id


def _plan_rows(session: Session, rid: int) -> list[history.ChangeRow]:
    return [c for c in history.for_resident(session, rid) if c.entity == history.PLAN_DRAFT]


def _type(session: Session, rid: int, field: str, text: str) -> None:
    state = plans.get(session, rid)
    assert state.draft is not None
    content = dict(state.draft.content)
    content[field] = text
    plans.save_draft(session, rid, content, state.draft.revision)


def test_plan_draft_typing_is_folded_per_person_and_ten_minutes(
    manager_session: Session, vault_dir, clock: FakeClock
) -> None:
    rid = _her(manager_session)
    state = plans.start_draft(manager_session, rid)
    assert state.draft is not None
    field = next(f for f in state.draft.template.fields() if f.kind.value == "text")
    first = state.draft.content[field.id]
    for text in ("Go to", "Go to the neighbour", "Go to the neighbour at no. 4"):
        clock.advance(3)
        _type(manager_session, rid, field.id, text)
    [row] = _plan_rows(manager_session, rid)
    assert row.field.endswith(field.label) and field.id in row.field
    assert (row.old_value or "", row.new_value) == (first, "Go to the neighbour at no. 4")
    assert history.field_label(row) == f"Safety plan draft · {field.label}"

    clock.advance(11 * 60)  # a later sitting is its own change
    _type(manager_session, rid, field.id, "Go to the corner shop")
    worker = sign_in_as(vault_dir, WORKER, clock)
    _type(worker, rid, field.id, "Call the helpline")  # someone else: never folded into hers
    rows = _plan_rows(manager_session, rid)
    assert [(r.who, r.old_value, r.new_value) for r in rows[:2]] == [
        (WORKER[1], "Go to the corner shop", "Call the helpline"),
        (row.who, "Go to the neighbour at no. 4", "Go to the corner shop"),
    ]
    clock.advance(5)
    _type(worker, rid, field.id, "Go to the corner shop")  # typed back: nothing changed
    assert len(_plan_rows(manager_session, rid)) == 2
    worker.close()


def test_a_discarded_draft_stays_readable_in_the_history(manager_session: Session) -> None:
    rid = _her(manager_session)
    state = plans.start_draft(manager_session, rid)
    assert state.draft is not None
    field = next(f for f in state.draft.template.fields() if f.kind.value == "text")
    _type(manager_session, rid, field.id, "Spare keys with Ms Okafor")
    plans.discard_draft(manager_session, rid)
    newest = _plan_rows(manager_session, rid)[0]
    assert (newest.old_value, newest.new_value) == ("Spare keys with Ms Okafor", None)


def test_referral_immigration_and_application_changes_show_on_her_history(
    manager_session: Session,
) -> None:
    s = manager_session
    rid = _her(s)
    data = ReferralInput(
        s.today(),
        "Eastmoor MARAC",
        (Criterion.VISIBLE_HIGH_RISK,),
        lawful_basis="Serious risk of harm",
        decided_by="Mira Manager",
    )
    ref = risk.add_referral(s, rid, data)
    risk.update_referral(s, ref.id, dataclasses.replace(data, outcome="Actions agreed"))
    immigration.save(s, Immigration(resident_id=rid, solicitor="Ms Patel"))
    view = immigration.save(
        s, dataclasses.replace(immigration.get(s, rid).record, solicitor="Mr Varga")
    )
    app = immigration.save_application(
        s, Application(resident_id=rid, deadline_on=s.today() + dt.timedelta(20))
    )
    app.decision = "Waiting"
    immigration.save_application(s, app)

    by_label = {history.field_label(c): c for c in reversed(history.for_resident(s, rid))}
    outcome = by_label["MARAC referral · outcome"]
    assert (outcome.old_value, outcome.new_value) == ("", "Actions agreed")
    assert "MARAC referral · criteria" not in by_label  # unchanged fields are not listed
    solicitor = by_label["Immigration & money · solicitor"]
    assert (solicitor.old_value, solicitor.new_value) == ("Ms Patel", "Mr Varga")
    assert view.record.solicitor == "Mr Varga"
    assert by_label["Application · decision"].new_value == "Waiting"
    assert not history.restorable(outcome)  # edited in its own tab, not put back from here


def test_settings_keep_old_and_new_value_for_managers(
    manager_session: Session, vault_dir, clock: FakeClock
) -> None:
    s = manager_session
    settings.set_auto_lock_minutes(s, 10)
    settings.set_protections(
        s, dataclasses.replace(settings.protections(s), allow_screen_capture=True)
    )
    settings.set_protections(s, settings.protections(s))  # nothing changed: nothing kept
    risk.set_thresholds(s, 9, 15)
    retention.set_policy(s, 7, retention.child_until_age(s))
    rows = history.for_settings(s)
    fields = [r.field for r in rows]
    assert fields.count("allow_screen_capture") == 1
    capture = rows[fields.index("allow_screen_capture")]
    assert (capture.old_value, capture.new_value) == (None, "1")
    auto_lock = rows[fields.index("auto_lock_minutes")]
    assert auto_lock.new_value == "10" and auto_lock.who
    assert {"risk_threshold_medium", "risk_threshold_high", "retention_years_after_move_on"} <= set(
        fields
    )
    assert history.field_label(capture) == "Allow screen capture"
    assert history.shown_value(capture, capture.new_value) == "on"
    worker = sign_in_as(vault_dir, WORKER, clock)
    with pytest.raises(PermissionDenied):
        history.for_settings(worker)
    worker.close()


def test_a_purge_takes_her_plan_and_referral_history_with_her(manager_session: Session) -> None:
    s = manager_session
    rid = _her(s)
    plans.start_draft(s, rid)
    state = plans.get(s, rid)
    assert state.draft is not None
    field = next(f for f in state.draft.template.fields() if f.kind.value == "text")
    _type(s, rid, field.id, "Bag packed at the office")
    reference = residents.get(s, rid).reference
    assert history.for_resident(s, rid)
    residents.save(
        s,
        dataclasses.replace(
            residents.get(s, rid), status=Status.MOVED_ON, move_on_date=dt.date(2026, 10, 1)
        ),
    )
    retention.purge(s, rid, reference)
    assert s.db.scalar("SELECT count(*) FROM change_history WHERE ref = ?", (reference,)) == 0


def test_typing_never_folds_across_a_discard_or_an_agreed_version(manager_session: Session) -> None:
    s = manager_session
    rid = _her(s)
    state = plans.start_draft(s, rid)
    assert state.draft is not None
    field = next(f for f in state.draft.template.fields() if f.kind.value == "text")
    _type(s, rid, field.id, "He knows the street name")
    plans.discard_draft(s, rid)
    plans.start_draft(s, rid)
    _type(s, rid, field.id, "Something new")
    rows = [(r.old_value, r.new_value) for r in _plan_rows(s, rid)]
    assert ("He knows the street name", None) in rows  # the discard is still there
    assert rows[0][1] == "Something new"

    state = plans.get(s, rid)
    assert state.draft is not None
    plans.finalise(s, rid, state.draft.revision, s.today() + dt.timedelta(days=30))
    plans.start_draft(s, rid)
    _type(s, rid, field.id, "")  # cleared in the next draft, a minute after agreeing
    newest = _plan_rows(s, rid)[0]
    assert (newest.old_value, newest.new_value) == ("Something new", None)


def test_two_plan_fields_with_the_same_label_keep_apart(manager_session: Session) -> None:
    s = manager_session
    rid = _her(s)
    labels = {"extra_1": "Anything else", "extra_2": "Anything else"}
    history.record_plan_draft(s, 99, "R-0001", labels, {}, {"extra_1": "Neighbour has a key"})
    history.record_plan_draft(
        s,
        99,
        "R-0001",
        labels,
        {"extra_1": "Neighbour has a key"},
        {"extra_1": "Neighbour has a key", "extra_2": "Taxi firm knows"},
    )
    rows = [c for c in history.for_resident(s, rid) if c.entity == history.PLAN_DRAFT]
    assert sorted((history.field_label(c), c.new_value) for c in rows) == [
        ("Safety plan draft · Anything else", "Neighbour has a key"),
        ("Safety plan draft · Anything else", "Taxi firm knows"),
    ]

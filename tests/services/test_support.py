"""Support needs and outcomes on a real vault: record reviews, distance travelled, roles."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from refuge_desk.domain.errors import PermissionDenied, ValidationError
from refuge_desk.domain.residents import Resident, Status
from refuge_desk.domain.support import AREA_KEYS, AreaNeed, Level, Outcome, Stage
from refuge_desk.services import notes, residents, support
from refuge_desk.services.demo.notes import seed_notes
from refuge_desk.services.session import Session
from tests.conftest import VOLUNTEER, FakeClock, sign_in_as


def resident(session: Session) -> int:
    stored = residents.save(session, Resident(full_name="Amina Hassan", status=Status.REFERRAL))
    assert stored.id is not None
    return stored.id


def test_record_and_distance_travelled(manager_session: Session, clock: FakeClock) -> None:
    rid = resident(manager_session)
    today = manager_session.today()
    with pytest.raises(ValidationError, match="entry review first"):
        support.record_review(manager_session, rid, Stage.REVIEW, today, [])
    support.record_review(
        manager_session,
        rid,
        Stage.ENTRY,
        today - dt.timedelta(days=60),
        [
            AreaNeed("safety", Level.HIGH, "Feel safe going out"),
            AreaNeed("housing", Level.MEDIUM, "A flat near school"),
        ],
    )
    support.record_review(
        manager_session,
        rid,
        Stage.REVIEW,
        today - dt.timedelta(days=20),
        [AreaNeed("safety", Level.MEDIUM), AreaNeed("housing", Level.HIGH)],
    )
    with pytest.raises(ValidationError, match="exit only"):
        support.record_review(
            manager_session, rid, Stage.REVIEW, today, [AreaNeed("safety", outcome=Outcome.MET)]
        )
    exit_review = support.record_review(
        manager_session,
        rid,
        Stage.EXIT,
        today,
        [
            AreaNeed("safety", Level.LOW, outcome=Outcome.MET),
            AreaNeed("housing", Level.MEDIUM, outcome=Outcome.PARTLY_MET, comment="Bid open"),
        ],
    )
    assert [n.area for n in exit_review.needs] == list(AREA_KEYS)
    assert exit_review.need("health").level is Level.NONE
    assert [r.stage for r in support.list_reviews(manager_session, rid)] == [
        Stage.ENTRY,
        Stage.REVIEW,
        Stage.EXIT,
    ]
    latest = support.latest_per_area(manager_session, rid)
    assert latest["safety"] == (today, exit_review.need("safety"))
    progress = {p.area: p for p in support.distance_travelled(manager_session, rid)}
    assert progress["safety"].entry_level is Level.HIGH
    assert progress["safety"].latest_level is Level.LOW
    assert progress["safety"].change == 2 and progress["safety"].change_text == "need down 2 levels"
    assert progress["housing"].change == 0 and progress["housing"].outcome is Outcome.PARTLY_MET
    assert progress["housing"].goal == "A flat near school"
    assert progress["health"].change_text == "no change"
    with pytest.raises(ValidationError, match="future"):
        support.record_review(manager_session, rid, Stage.REVIEW, today + dt.timedelta(days=1), [])


def test_volunteer_refused(manager_session: Session, vault_dir: Path, clock: FakeClock) -> None:
    rid = resident(manager_session)
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        with pytest.raises(PermissionDenied):
            support.list_reviews(volunteer, rid)
        with pytest.raises(PermissionDenied):
            support.distance_travelled(volunteer, rid)
        with pytest.raises(PermissionDenied):
            support.record_review(volunteer, rid, Stage.ENTRY, clock().date(), [])
    finally:
        volunteer.close()


def test_demo_seeder(manager_session: Session) -> None:
    ids = [resident(manager_session) for _ in range(6)]
    seed_notes(manager_session, ids, random.Random(3))
    first = notes.list_notes(manager_session, ids[0])
    assert any(n.amended for n in first.notes)
    assert any(n.restricted for n in first.notes)
    assert any(n.note_type.value == "safeguarding" for n in first.notes)
    for rid in ids:
        assert notes.count(manager_session, rid) >= 1
        reviews = support.list_reviews(manager_session, rid)
        assert reviews and reviews[0].stage is Stage.ENTRY
        assert all(r.reviewed_on <= manager_session.today() for r in reviews)

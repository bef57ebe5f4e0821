"""Vault-wide settings on a real vault: the risk review interval (key, default, range)."""

from __future__ import annotations

from pathlib import Path

import pytest

from refuge_desk.domain.errors import PermissionDenied, ValidationError
from refuge_desk.services import settings
from refuge_desk.services.session import Session
from refuge_desk.store import audit_repo, meta_repo
from tests.conftest import MANAGER, WORKER, FakeClock, sign_in_as


def test_risk_reviews_are_six_weeks_apart_until_a_manager_says_otherwise(
    manager_session: Session,
) -> None:
    assert meta_repo.get(manager_session.db, settings.RISK_REVIEW_WEEKS_KEY) == ""
    assert settings.risk_review_weeks(manager_session) == settings.RISK_REVIEW_WEEKS_DEFAULT == 6


def test_a_manager_sets_the_risk_review_weeks_and_it_is_kept(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    settings.set_risk_review_weeks(manager_session, 8)
    assert settings.risk_review_weeks(manager_session) == 8
    assert meta_repo.get(manager_session.db, "risk_review_weeks") == "8"
    assert audit_repo.recent(manager_session.db, 1)[0][2] == "settings.risk_review_weeks"
    manager_session.close()
    again = sign_in_as(vault_dir, MANAGER, clock)
    try:
        assert settings.risk_review_weeks(again) == 8
    finally:
        again.close()


@pytest.mark.parametrize("weeks", [0, 27, -1])
def test_weeks_out_of_range_are_refused_and_nothing_changes(
    manager_session: Session, weeks: int
) -> None:
    lo, hi = settings.RISK_REVIEW_WEEKS_RANGE
    with pytest.raises(ValidationError) as err:
        settings.set_risk_review_weeks(manager_session, weeks)
    assert err.value.problems == [f"Risk reviews must be between {lo} and {hi} weeks apart."]
    assert settings.risk_review_weeks(manager_session) == 6


@pytest.mark.parametrize(("stored", "read"), [("abc", 6), ("0", 1), ("99", 26), ("3", 3)])
def test_what_is_stored_is_read_within_range_and_junk_as_the_default(
    manager_session: Session, stored: str, read: int
) -> None:
    with manager_session.db.transaction():
        meta_repo.put(manager_session.db, settings.RISK_REVIEW_WEEKS_KEY, stored)
    assert settings.risk_review_weeks(manager_session) == read


def test_only_a_manager_may_change_it(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        assert settings.risk_review_weeks(worker) == 6
        with pytest.raises(PermissionDenied):
            settings.set_risk_review_weeks(worker, 4)
        assert settings.risk_review_weeks(worker) == 6
    finally:
        worker.close()

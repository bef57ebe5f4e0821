"""Retention rules at their edges: the period, the child's age, legal hold, the reasons."""

from __future__ import annotations

import datetime as dt

from refuge_desk.domain.retention import (
    Closed,
    ClosedBy,
    Policy,
    Verdict,
    assess,
    check_hold_reason,
    check_policy,
    years_before,
)

TODAY = dt.date(2026, 11, 24)
POLICY = Policy(years=6, child_age=25)


def closed(**kw: object) -> Closed:
    base: dict[str, object] = {
        "resident_id": 1,
        "reference": "R-0001",
        "closed_by": ClosedBy.MOVED_ON,
        "closed_on": dt.date(2019, 2, 3),
        "last_changed": dt.date(2026, 1, 1),
    }
    base.update(kw)
    return Closed(**base)  # type: ignore[arg-type]


def test_moved_on_more_than_n_years_ago_is_due_with_a_plain_reason() -> None:
    a = assess(closed(), TODAY, POLICY)
    assert a.verdict is Verdict.DUE
    assert a.reason == "Moved on 3 Feb 2019: more than 6 years ago"


def test_exactly_n_years_is_not_yet_a_day_more_is_due() -> None:
    assert assess(closed(closed_on=dt.date(2020, 11, 24)), TODAY, POLICY).verdict is Verdict.NOT_YET
    assert assess(closed(closed_on=dt.date(2020, 11, 23)), TODAY, POLICY).verdict is Verdict.DUE


def test_missing_date_falls_back_to_the_last_change() -> None:
    a = assess(closed(closed_on=None, last_changed=dt.date(2018, 5, 1)), TODAY, POLICY)
    assert a.verdict is Verdict.DUE
    assert "record last changed 1 May 2018" in a.reason
    recent = closed(closed_on=None, last_changed=dt.date(2025, 5, 1))
    assert assess(recent, TODAY, POLICY).verdict is Verdict.NOT_YET


def test_declined_referral_reason() -> None:
    a = assess(closed(closed_by=ClosedBy.DECLINED, closed_on=dt.date(2019, 5, 1)), TODAY, POLICY)
    assert a.verdict is Verdict.DUE
    assert a.reason == "Referral of 1 May 2019, declined: more than 6 years ago"


def test_a_child_younger_than_the_limit_keeps_the_file() -> None:
    # Born 25 Nov 2001: 25 tomorrow. Born 24 Nov 2001: 25 today, no longer younger.
    young = assess(closed(youngest_child_born=dt.date(2001, 11, 25)), TODAY, POLICY)
    assert young.verdict is Verdict.KEPT_FOR_CHILD
    assert "until 25 Nov 2026" in young.reason
    assert "a child's record keeps the family's file" in young.reason
    of_age = assess(closed(youngest_child_born=dt.date(2001, 11, 24)), TODAY, POLICY)
    assert of_age.verdict is Verdict.DUE
    assert assess(
        closed(youngest_child_born=dt.date(2001, 11, 25)), TODAY, Policy(6, 18)
    ).verdict is (Verdict.DUE)


def test_a_child_without_a_birth_date_keeps_the_file() -> None:
    a = assess(closed(children_without_birth_date=1), TODAY, POLICY)
    assert a.verdict is Verdict.KEPT_FOR_CHILD
    assert "date of birth is not recorded" in a.reason


def test_legal_hold_wins_over_due() -> None:
    a = assess(closed(legal_hold=True, hold_reason="Family court, case FC-12"), TODAY, POLICY)
    assert a.verdict is Verdict.HELD
    assert a.reason == "On legal hold: Family court, case FC-12"


def test_leap_day() -> None:
    assert years_before(dt.date(2028, 2, 29), 6) == dt.date(2022, 2, 28)


def test_policy_and_reason_checks() -> None:
    assert check_policy(6, 25) == []
    assert check_policy(1, 18) == [] and check_policy(25, 30) == []
    assert len(check_policy(0, 31)) == 2
    assert check_hold_reason("  ") and check_hold_reason("x" * 501)
    assert check_hold_reason("Police request 2026/44") == []

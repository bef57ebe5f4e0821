import datetime as dt

import pytest

from refuge_desk.domain import deadlines as d

D = dt.date


@pytest.mark.parametrize(
    ("granted", "end"),
    [
        (D(2026, 11, 30), D(2027, 2, 28)),
        (D(2027, 11, 30), D(2028, 2, 29)),  # leap year
        (D(2026, 11, 29), D(2027, 2, 28)),
        (D(2026, 10, 31), D(2027, 1, 31)),
        (D(2026, 12, 31), D(2027, 3, 31)),
        (D(2027, 3, 31), D(2027, 6, 30)),
        (D(2026, 9, 19), D(2026, 12, 19)),
        (D(2026, 11, 15), D(2027, 2, 15)),
    ],
)
def test_mvdac_end_is_three_calendar_months_clamped_to_month_end(granted: D, end: D) -> None:
    assert d.mvdac_end(granted) == end


def test_add_months_crosses_years_both_ways() -> None:
    assert d.add_months(D(2026, 1, 31), -2) == D(2025, 11, 30)
    assert d.add_months(D(2026, 12, 1), 13) == D(2028, 1, 1)


def test_countdown_words() -> None:
    today = D(2026, 11, 26)
    assert d.countdown(D(2026, 12, 19), today) == "ends in 23 days (Sat 19 Dec 2026)"
    assert d.countdown(D(2026, 11, 23), today) == "ended 3 days ago (Mon 23 Nov 2026)"
    assert d.countdown(today, today) == "ends today (Thu 26 Nov 2026)"
    assert d.countdown(D(2026, 11, 27), today) == "ends tomorrow (Fri 27 Nov 2026)"
    assert d.countdown(D(2026, 11, 25), today) == "ended yesterday (Wed 25 Nov 2026)"
    assert d.countdown(D(2026, 11, 27), D(2026, 11, 26) - dt.timedelta(days=1)).startswith(
        "ends in 2 days"
    )
    assert d.countdown(D(2026, 12, 5), today, "expires", "expired") == (
        "expires in 9 days (Sat 5 Dec 2026)"
    )


def test_due_words() -> None:
    today = D(2026, 11, 26)
    assert d.due_words(D(2026, 11, 24), today) == "2 days overdue"
    assert d.due_words(D(2026, 11, 25), today) == "1 day overdue"
    assert d.due_words(today, today) == "due today"
    assert d.due_words(D(2026, 11, 30), today) == "due in 4 days"
    assert d.due_words(None, today) == "no date"


def test_keys_round_trip() -> None:
    key = d.auto_key("mvdac_end", 7, D(2027, 2, 28))
    assert key == "mvdac_end:7:2027-02-28"
    assert d.is_auto_key(key) and d.task_id_of(key) is None
    assert d.task_id_of(d.manual_key(12)) == 12
    assert not d.is_auto_key("task:12") and not d.is_auto_key("nonsense:1:2026-01-01")


def test_order_status_and_validation() -> None:
    today = D(2026, 11, 26)
    order = d.CourtOrder(resident_id=1, starts_on=D(2026, 1, 1), expires_on=D(2026, 11, 20))
    assert order.expired(today)
    assert order.status_text(today) == "Expired 6 days ago (Fri 20 Nov 2026)"
    forever = d.CourtOrder(resident_id=1, expires_on=None)
    assert not forever.expired(today) and "until further order" in forever.status_text(today)
    bad = d.CourtOrder(order_type="x", starts_on=D(2026, 5, 1), expires_on=D(2026, 4, 1))
    assert d.validate_order(bad) == [
        "Choose the type of order.",
        "The order cannot end before it starts.",
    ]


def test_immigration_validation() -> None:
    today = D(2026, 11, 26)
    rec = d.Immigration(mvdac_applied_on=D(2026, 10, 1), mvdac_granted_on=D(2026, 9, 1))
    assert d.validate_immigration(rec, today) == [
        "MVDAC cannot be granted before it was applied for."
    ]
    assert rec.mvdac_ends_on == D(2026, 12, 1)
    assert d.validate_task(d.TaskDraft(title="  ")) == ["Give the task a short title."]

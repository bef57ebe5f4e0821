"""Dates and stamps as the store writes and reads them (store/values.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from refuge_desk.store import values


def test_dates_round_trip_and_none_is_null() -> None:
    day = dt.date(2026, 11, 24)
    assert values.opt_iso(day) == "2026-11-24"
    assert values.opt_iso(None) is None
    assert values.opt_date("2026-11-24") == day == values.to_date("2026-11-24")
    assert values.opt_date(None) is None
    assert values.opt_date("") is None
    with pytest.raises(ValueError):
        values.opt_date("2026-11-24T10:02:00+00:00")


def test_the_day_of_a_stamp() -> None:
    assert values.opt_day("2026-11-24T10:02:00+00:00") == dt.date(2026, 11, 24)
    assert values.opt_day(None) is None
    with pytest.raises(ValueError):
        values.opt_day("not a date")
    assert values.safe_day("not a date") is None
    assert values.safe_day("2026-11-24 10:02") == dt.date(2026, 11, 24)


def test_stamps_are_utc_and_naive_ones_read_as_utc() -> None:
    local = dt.datetime(2026, 6, 1, 11, 2, 30, 999, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert values.to_stamp(local) == "2026-06-01T10:02:30+00:00"
    assert values.from_stamp("2026-06-01T10:02:30") == dt.datetime(
        2026, 6, 1, 10, 2, 30, tzinfo=dt.UTC
    )
    assert values.from_stamp("2026-06-01T11:02:30+01:00") == local.replace(microsecond=0)

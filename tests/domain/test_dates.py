"""One reading of typed dates: ISO and day-first UK forms, the same for the CLI and the import."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest

from refuge_desk.domain import dates


@pytest.mark.parametrize(
    "text",
    ["2026-04-01", "01/04/2026", "1/4/2026", " 01/04/2026 ", "01.04.2026", "01-04-2026"],
)
def test_the_first_of_april_in_every_accepted_form(text: str) -> None:
    assert dates.parse_day(text) == dt.date(2026, 4, 1)


@pytest.mark.parametrize(
    "text", ["", "1 March", "04/31/2026", "31/02/2026", "2026/04/01", "01/04/26", "2026-13-01"]
)
def test_anything_else_is_refused_naming_the_forms(text: str) -> None:
    with pytest.raises(ValueError) as err:
        dates.parse_day(text)
    assert str(err.value) == f"“{text}” is not a date (YYYY-MM-DD or DD/MM/YYYY)."


@pytest.fixture
def in_india(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This computer's time zone is UTC+05:30 (a POSIX rule: no time zone data needed)."""
    monkeypatch.setenv("TZ", "IST-05:30")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("in_india")
@pytest.mark.parametrize(
    ("stamp", "shown"),
    [
        ("2026-11-24T10:02:00+00:00", "24 Nov 2026 15:32"),
        ("2026-11-24T10:02:00", "24 Nov 2026 15:32"),  # no offset: UTC, not local
        ("2026-11-24T10:02:00-05:00", "24 Nov 2026 20:32"),
        ("2026-11-24T22:00:00+01:00", "25 Nov 2026 02:30"),  # the next day here
    ],
)
def test_a_stored_stamp_is_shown_in_local_time(stamp: str, shown: str) -> None:
    assert dates.stamp_text(stamp) == shown


@pytest.mark.parametrize("stamp", ["", "yesterday", "2026-13-01T00:00:00"])
def test_an_empty_or_unreadable_stamp_is_shown_as_it_is(stamp: str) -> None:
    assert dates.stamp_text(stamp) == stamp


@pytest.mark.usefixtures("in_india")
def test_a_moment_is_shown_in_local_time_naive_ones_as_utc() -> None:
    naive = dt.datetime(2026, 11, 24, 10, 2)
    assert dates.local_text(naive) == "24 Nov 2026 15:32"
    assert dates.local_text(naive.replace(tzinfo=dt.UTC)) == "24 Nov 2026 15:32"
    offset = dt.datetime(2026, 11, 24, 10, 2, tzinfo=dt.timezone(dt.timedelta(hours=-3)))
    assert dates.local_text(offset, "%a %d %b %Y %H:%M") == "Tue 24 Nov 2026 18:32"

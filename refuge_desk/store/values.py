"""Dates and times as the vault stores them, and back.

Dates are ISO text ("2026-11-24"), NULL (or "") when there is none. Moments are UTC ISO
stamps to the second ("2026-11-24T10:02:00+00:00"); a stamp without an offset is UTC.
"""

from __future__ import annotations

import datetime as dt


def to_date(value: object) -> dt.date:
    """A date column that always holds one."""
    return dt.date.fromisoformat(str(value))


def opt_date(value: object) -> dt.date | None:
    """A date column; NULL or "" is None."""
    return dt.date.fromisoformat(str(value)) if value else None


def opt_day(value: object) -> dt.date | None:
    """The day of a date or time-stamp column (its first ten characters); NULL or "" is None."""
    return dt.date.fromisoformat(str(value)[:10]) if value else None


def safe_day(value: object) -> dt.date | None:
    """As ``opt_day``, and None for text that is not a date (what old rows hold is read
    without failing)."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def opt_iso(value: dt.date | None) -> str | None:
    """What a date column stores: ISO text, or NULL for no date."""
    return value.isoformat() if value else None


def to_stamp(moment: dt.datetime) -> str:
    """What a time-stamp column stores: UTC, to the second."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def from_stamp(value: object) -> dt.datetime:
    """A time-stamp column, always aware (a stamp without an offset is UTC)."""
    moment = dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)

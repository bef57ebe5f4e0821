"""Retention policy: when a record is due for deletion, and why, in plain words.

Pure rules, no storage. A record is due when it closed (moved on, archived, or a referral
declined or withdrawn) more than N years ago, none of her children is still younger than the
children's age limit (a child's record keeps the family's file), and she is not on legal hold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

YEARS_KEY = "retention_years_after_move_on"
CHILD_AGE_KEY = "retention_child_until_age"
YEARS_DEFAULT = 6
YEARS_RANGE = (1, 25)
CHILD_AGE_DEFAULT = 25
CHILD_AGE_RANGE = (18, 30)
HOLD_REASON_MAX = 500
CLOSED_REFERRAL_OUTCOMES = ("declined", "withdrawn")


@dataclass(frozen=True, slots=True)
class Policy:
    years: int = YEARS_DEFAULT
    child_age: int = CHILD_AGE_DEFAULT


class Verdict(StrEnum):
    DUE = "due"
    KEPT_FOR_CHILD = "kept_for_child"
    HELD = "held"
    NOT_YET = "not_yet"


class ClosedBy(StrEnum):
    MOVED_ON = "moved_on"
    ARCHIVED = "archived"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class Closed:
    """One closed record as retention sees it (no names: reference only)."""

    resident_id: int
    reference: str
    closed_by: ClosedBy
    closed_on: dt.date | None  # move-on or referral date as recorded
    last_changed: dt.date  # updated_at: used when the date above is missing
    youngest_child_born: dt.date | None = None
    children_without_birth_date: int = 0
    legal_hold: bool = False
    hold_reason: str = ""

    @property
    def since(self) -> dt.date:
        return self.closed_on or self.last_changed


@dataclass(frozen=True, slots=True)
class Assessment:
    record: Closed
    verdict: Verdict
    reason: str


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (29 Feb becomes 28 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def cutoff(today: dt.date, policy: Policy) -> dt.date:
    """Records closed strictly before this day are more than N years old."""
    return years_before(today, policy.years)


def short_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _closed_phrase(rec: Closed) -> str:
    if rec.closed_on is None:
        what = {
            ClosedBy.MOVED_ON: "Moved on (no date recorded)",
            ClosedBy.ARCHIVED: "Archived (no move-on date recorded)",
            ClosedBy.DECLINED: "Referral declined (no referral date recorded)",
            ClosedBy.WITHDRAWN: "Referral withdrawn (no referral date recorded)",
        }[rec.closed_by]
        return f"{what}; record last changed {short_date(rec.last_changed)}"
    what = {
        ClosedBy.MOVED_ON: "Moved on",
        ClosedBy.ARCHIVED: "Archived; moved on",
        ClosedBy.DECLINED: "Referral of",
        ClosedBy.WITHDRAWN: "Referral of",
    }[rec.closed_by]
    tail = {ClosedBy.DECLINED: ", declined", ClosedBy.WITHDRAWN: ", withdrawn"}.get(
        rec.closed_by, ""
    )
    return f"{what} {short_date(rec.closed_on)}{tail}"


def assess(rec: Closed, today: dt.date, policy: Policy) -> Assessment:
    """Due, kept for a child, held, or not yet — with the reason a manager reads."""
    closed = _closed_phrase(rec)
    if rec.since >= cutoff(today, policy):
        return Assessment(
            rec, Verdict.NOT_YET, f"{closed}: not yet {_plural(policy.years, 'year')} ago"
        )
    if rec.legal_hold:
        return Assessment(rec, Verdict.HELD, f"On legal hold: {rec.hold_reason}")
    if rec.children_without_birth_date:
        return Assessment(
            rec,
            Verdict.KEPT_FOR_CHILD,
            f"{closed}, but a child's date of birth is not recorded, so the child may be "
            f"younger than {policy.child_age}: a child's record keeps the family's file",
        )
    if rec.youngest_child_born is not None:
        until = years_after(rec.youngest_child_born, policy.child_age)
        if until > today:
            return Assessment(
                rec,
                Verdict.KEPT_FOR_CHILD,
                f"{closed}, but a child is younger than {policy.child_age} until "
                f"{short_date(until)}: a child's record keeps the family's file",
            )
    return Assessment(
        rec,
        Verdict.DUE,
        f"{closed}: more than {_plural(policy.years, 'year')} ago",
    )


def check_policy(years: int, child_age: int) -> list[str]:
    problems: list[str] = []
    lo, hi = YEARS_RANGE
    if not lo <= years <= hi:
        problems.append(f"Keep records between {lo} and {hi} years after move-on.")
    lo, hi = CHILD_AGE_RANGE
    if not lo <= child_age <= hi:
        problems.append(f"Keep children's records until an age between {lo} and {hi}.")
    return problems


def check_hold_reason(reason: str) -> list[str]:
    text = reason.strip()
    if not text:
        return ["Give a reason (for example the court case or the request it is for)."]
    if len(text) > HOLD_REASON_MAX:
        return [f"Keep the reason under {HOLD_REASON_MAX} characters."]
    return []

"""Support needs and outcomes (On Track style): need per area at entry, reviews and exit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

MAX_GOAL = 500
MAX_COMMENT = 2_000

AREAS: tuple[tuple[str, str], ...] = (
    ("safety", "Safety"),
    ("housing", "Housing"),
    ("immigration", "Immigration"),
    ("money", "Money and benefits"),
    ("health", "Health"),
    ("children", "Children"),
    ("legal", "Legal"),
    ("wellbeing", "Emotional wellbeing"),
)
AREA_KEYS = tuple(k for k, _ in AREAS)
AREA_LABELS = dict(AREAS)


class Stage(StrEnum):
    ENTRY = "entry"
    REVIEW = "review"
    EXIT = "exit"

    @property
    def label(self) -> str:
        return {Stage.ENTRY: "Entry", Stage.REVIEW: "Review", Stage.EXIT: "Exit (move-on)"}[self]


class Level(StrEnum):
    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return list(Level).index(self)

    @property
    def label(self) -> str:
        return {
            Level.NONE: "No need",
            Level.LOW: "Low",
            Level.MEDIUM: "Medium",
            Level.HIGH: "High",
        }[self]


class Outcome(StrEnum):
    """Recorded at exit only: did she reach her goal in this area?"""

    NOT_SET = ""
    MET = "met"
    PARTLY_MET = "partly_met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return {
            Outcome.NOT_SET: "",
            Outcome.MET: "Goal met",
            Outcome.PARTLY_MET: "Goal partly met",
            Outcome.NOT_MET: "Goal not met",
            Outcome.NOT_APPLICABLE: "No goal in this area",
        }[self]


@dataclass(frozen=True, slots=True)
class AreaNeed:
    area: str
    level: Level = Level.NONE
    goal: str = ""
    outcome: Outcome = Outcome.NOT_SET
    comment: str = ""


@dataclass(frozen=True, slots=True)
class SupportReview:
    id: int
    resident_id: int
    stage: Stage
    reviewed_on: dt.date
    recorded_by: str
    created_at: str
    needs: tuple[AreaNeed, ...]  # one per area, in AREAS order

    def need(self, area: str) -> AreaNeed:
        return next((n for n in self.needs if n.area == area), AreaNeed(area))


@dataclass(frozen=True, slots=True)
class AreaProgress:
    """Distance travelled in one area: need at entry against need at the latest review."""

    area: str
    label: str
    entry_level: Level | None
    latest_level: Level | None
    latest_on: dt.date | None
    goal: str
    outcome: Outcome

    @property
    def change(self) -> int | None:
        """Levels of need gone down (positive is progress); None without entry and a later one."""
        if self.entry_level is None or self.latest_level is None:
            return None
        return self.entry_level.rank - self.latest_level.rank

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return ""
        if change == 0:
            return "no change"
        steps = abs(change)
        word = "level" if steps == 1 else "levels"
        return f"need down {steps} {word}" if change > 0 else f"need up {steps} {word}"


def validate(
    stage: Stage,
    reviewed_on: dt.date,
    needs: list[AreaNeed],
    today: dt.date,
    has_entry: bool,
    first_date: dt.date | None,
) -> list[str]:
    problems: list[str] = []
    if reviewed_on > today:
        problems.append("The review date is in the future.")
    if stage is not Stage.ENTRY and not has_entry:
        problems.append("Record the entry review first: progress is measured from it.")
    if stage is not Stage.ENTRY and first_date is not None and reviewed_on < first_date:
        problems.append("The review date is before her entry review.")
    seen: set[str] = set()
    for need in needs:
        label = AREA_LABELS.get(need.area)
        if label is None:
            problems.append(f"Unknown support area: {need.area}.")
            continue
        if need.area in seen:
            problems.append(f"{label} is listed twice.")
        seen.add(need.area)
        if need.outcome is not Outcome.NOT_SET and stage is not Stage.EXIT:
            problems.append(f"{label}: outcomes are recorded at exit only.")
        if len(need.goal) > MAX_GOAL:
            problems.append(f"{label}: the goal is longer than {MAX_GOAL} characters.")
        if len(need.comment) > MAX_COMMENT:
            problems.append(f"{label}: the comment is longer than {MAX_COMMENT:,} characters.")
    return problems

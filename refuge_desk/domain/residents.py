"""The resident record, her children and rooms, with the validation rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

from refuge_desk.domain.text import mixed_script_warning, multiline_text

MAX_NAME = 200
MAX_SHORT = 500
MAX_TEXT = 20_000


class Status(StrEnum):
    REFERRAL = "referral"
    RESIDENT = "resident"
    MOVED_ON = "moved_on"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return {
            Status.REFERRAL: "Referral",
            Status.RESIDENT: "Resident",
            Status.MOVED_ON: "Moved on",
            Status.ARCHIVED: "Archived",
        }[self]


class ContactSafety(StrEnum):
    SAFE = "safe"
    UNSAFE = "unsafe"

    @property
    def label(self) -> str:
        return "Safe to contact" if self is ContactSafety.SAFE else "NOT safe to contact"


@dataclass(slots=True)
class Phone:
    number: str = ""
    label: str = ""
    safety: ContactSafety = ContactSafety.UNSAFE
    safe_times: str = ""


@dataclass(slots=True)
class Abuser:
    name: str = ""
    aliases: str = ""
    relationship: str = ""
    description: str = multiline_text()
    vehicle: str = ""
    known_areas: str = ""


@dataclass(slots=True)
class Child:
    id: int | None = None
    full_name: str = ""
    date_of_birth: dt.date | None = None
    school: str = ""
    may_collect: str = multiline_text()
    notes: str = multiline_text()


# What happened to a referral, why one was declined, and where she moved on to: categories
# (counted for funders) beside the free-text fields. "" means not recorded yet.
REFERRAL_OUTCOMES: dict[str, str] = {
    "": "Not decided yet",
    "accepted": "Accepted",
    "declined": "Declined",
    "withdrawn": "Withdrawn by her or the referrer",
}
DECLINE_REASONS: dict[str, str] = {
    "": "—",
    "no_space": "No space",
    "too_close": "Too close to the abuser",
    "needs_not_met": "Needs we could not meet",
    "risk_to_others": "Risk to other residents",
    "other": "Other",
}
MOVE_ON_TYPES: dict[str, str] = {
    "": "—",
    "another_refuge": "Another refuge",
    "social_housing": "Social housing",
    "private_rented": "Private rented",
    "family_friends": "Family or friends",
    "own_home": "Her own home (with protection)",
    "returned": "Returned to the abuser",
    "other": "Other",
    "not_known": "Not known",
}

# Fields a relief worker / volunteer may never read (DOMAIN.md, roles).
RESTRICTED_FIELDS = frozenset(
    {"immigration_status", "nrpf", "move_on_date", "move_on_destination", "move_on_type", "abusers"}
)


@dataclass(slots=True)
class Resident:
    id: int | None = None
    reference: str = ""
    full_name: str = ""
    preferred_name: str = ""
    aliases: str = multiline_text()  # previous names and aliases, one per line
    date_of_birth: dt.date | None = None
    pronouns: str = ""
    languages: str = ""
    interpreter_needed: bool = False
    interpreter_language: str = ""
    nationality: str = ""
    immigration_status: str = ""
    nrpf: bool = False
    phones: list[Phone] = field(default_factory=list)
    email: str = ""
    email_safety: ContactSafety = ContactSafety.UNSAFE
    email_safe_times: str = ""
    alerts: str = multiline_text()  # e.g. "Do not disclose presence", one per line
    referral_date: dt.date | None = None
    referral_source: str = ""
    arrival_date: dt.date | None = None
    room_id: int | None = None
    key_worker_id: int | None = None
    status: Status = Status.REFERRAL
    move_on_date: dt.date | None = None
    move_on_destination: str = ""
    referral_outcome: str = ""  # a key of REFERRAL_OUTCOMES
    decline_reason: str = ""  # a key of DECLINE_REASONS
    move_on_type: str = ""  # a key of MOVE_ON_TYPES (restricted, like the destination)
    abusers: list[Abuser] = field(default_factory=list)
    notes: str = multiline_text()
    children: list[Child] = field(default_factory=list)
    created_at: str = ""
    created_by: str = ""
    updated_at: str = ""
    updated_by: str = ""
    # Bumped by every save; a save must name the version it started from (lost updates).
    version: int = 0

    def copy(self) -> Resident:
        return replace(
            self,
            phones=[replace(p) for p in self.phones],
            abusers=[replace(a) for a in self.abusers],
            children=[replace(c) for c in self.children],
        )


@dataclass(frozen=True, slots=True)
class RotaView:
    """What a relief worker / volunteer may see of a resident."""

    id: int
    reference: str
    preferred_name: str
    room: str
    alerts: str
    status: Status
    children: int


@dataclass(slots=True)
class Room:
    id: int | None = None
    name: str = ""
    beds: int = 1
    accessible: bool = False
    notes: str = multiline_text()


@dataclass(frozen=True, slots=True)
class RoomOccupancy:
    room: Room
    occupied: int  # residents in status "resident" plus their children

    @property
    def free(self) -> int:
        return max(0, self.room.beds - self.occupied)

    @property
    def over(self) -> int:
        return max(0, self.occupied - self.room.beds)


def preferred_or_first(resident_full: str, preferred: str) -> str:
    if preferred.strip():
        return preferred.strip()
    parts = resident_full.split()
    return parts[0] if parts else ""


def initials(name: str) -> str:
    """Initials for privacy mode: "Amira Haddad" -> "A. H."."""
    parts = [p for p in name.replace("-", " ").split() if p]
    if not parts:
        return "—"
    return " ".join(f"{p[0].upper()}." for p in parts[:3])


def _check_date(
    problems: list[str],
    label: str,
    value: dt.date | None,
    today: dt.date,
    allow_future_days: int = 0,
) -> None:
    if value is None:
        return
    if value.year < 1900:
        problems.append(f"{label} is before 1900; please check it.")
    if value > today + dt.timedelta(days=allow_future_days):
        problems.append(f"{label} is in the future; please check it.")


def _check_len(problems: list[str], label: str, value: str, limit: int) -> None:
    if len(value) > limit:
        problems.append(f"{label} is too long (at most {limit:,} characters).")


_TEXT_LIMITS: dict[str, tuple[str, int]] = {
    "full_name": ("Full name", MAX_NAME),
    "preferred_name": ("Preferred name", MAX_NAME),
    "aliases": ("Previous names and aliases", MAX_SHORT * 4),
    "pronouns": ("Pronouns", 50),
    "languages": ("Languages", MAX_SHORT),
    "interpreter_language": ("Interpreter language", MAX_NAME),
    "nationality": ("Nationality", MAX_NAME),
    "immigration_status": ("Immigration status", MAX_SHORT),
    "email": ("Email", 254),
    "email_safe_times": ("Safe times for email", MAX_SHORT),
    "alerts": ("Alerts", MAX_SHORT * 4),
    "referral_source": ("Referral source", MAX_SHORT),
    "move_on_destination": ("Move-on destination", MAX_SHORT),
    "notes": ("Notes", MAX_TEXT),
}


def validate_resident(r: Resident, today: dt.date) -> list[str]:
    """Plain sentences, one per problem; empty when the record may be saved."""
    problems: list[str] = []
    if not r.full_name.strip():
        problems.append("Full name is required.")
    for name, (label, limit) in _TEXT_LIMITS.items():
        _check_len(problems, label, getattr(r, name), limit)
    _check_date(problems, "Date of birth", r.date_of_birth, today)
    if r.date_of_birth and today - dt.timedelta(days=365 * 14) < r.date_of_birth <= today:
        problems.append("Date of birth makes her younger than 14; please check it.")
    _check_date(problems, "Referral date", r.referral_date, today)
    _check_date(problems, "Arrival date", r.arrival_date, today, allow_future_days=366)
    _check_date(problems, "Move-on date", r.move_on_date, today, allow_future_days=366)
    if r.referral_date and r.arrival_date and r.arrival_date < r.referral_date:
        problems.append("Arrival date is before the referral date.")
    if r.arrival_date and r.move_on_date and r.move_on_date < r.arrival_date:
        problems.append("Move-on date is before the arrival date.")
    if r.status is Status.RESIDENT and r.arrival_date is None:
        problems.append("A resident needs an arrival date.")
    if r.referral_outcome not in REFERRAL_OUTCOMES:
        problems.append("Choose what happened to the referral from the list.")
    if r.decline_reason not in DECLINE_REASONS:
        problems.append("Choose why the referral was declined from the list.")
    if r.decline_reason and r.referral_outcome != "declined":
        problems.append("A reason for declining goes only with a declined referral.")
    if r.move_on_type not in MOVE_ON_TYPES:
        problems.append("Choose the kind of move-on from the list.")
    if r.email and "@" not in r.email:
        problems.append("Email does not look like an email address.")
    for i, p in enumerate(r.phones, 1):
        if not p.number.strip():
            problems.append(f"Phone {i} has no number.")
        _check_len(problems, f"Phone {i}", p.number, 40)
        _check_len(problems, f"Phone {i} safe times", p.safe_times, MAX_SHORT)
        if p.number and not any(ch.isdigit() for ch in p.number):
            problems.append(f"Phone {i} has no digits.")
    for i, a in enumerate(r.abusers, 1):
        for f in fields(Abuser):
            _check_len(
                problems,
                f"Abuser {i} {f.name.replace('_', ' ')}",
                getattr(a, f.name),
                MAX_SHORT * 4,
            )
    for c in r.children:
        label = c.full_name.strip() or "A child"
        if not c.full_name.strip():
            problems.append("Each child needs a name.")
        _check_len(problems, f"{label}'s name", c.full_name, MAX_NAME)
        _check_date(problems, f"{label}'s date of birth", c.date_of_birth, today)
        for attr, lab in (
            ("school", "school"),
            ("may_collect", "who may collect"),
            ("notes", "notes"),
        ):
            _check_len(problems, f"{label}'s {lab}", getattr(c, attr), MAX_TEXT)
    return problems


def name_warnings(r: Resident) -> list[str]:
    """A plain sentence for each of her names (and her children's and abusers') that mixes
    Latin with look-alike Cyrillic or Greek letters within a word.

    A warning, never a refusal: the name may be genuine. A look-alike letter makes the name
    impossible to find by typing it, and is how a duplicate record slips in unnoticed.
    """
    names: list[tuple[str, str]] = [
        ("Full name", r.full_name),
        ("Preferred name", r.preferred_name),
    ]
    aliases = [line for line in r.aliases.splitlines() if line.strip()]
    for n, line in enumerate(aliases, 1):
        names.append(
            (f"Previous names and aliases{f' (line {n})' if len(aliases) > 1 else ''}", line)
        )
    names += [(f"Child {n}'s name", c.full_name) for n, c in enumerate(r.children, 1)]
    for n, a in enumerate(r.abusers, 1):
        names += [(f"Abuser {n}'s name", a.name), (f"Abuser {n}'s aliases", a.aliases)]
    out = []
    for label, name in names:
        warning = mixed_script_warning(name)
        if warning:
            out.append(f"{label} {warning}")
    return out


def validate_room(room: Room) -> list[str]:
    problems: list[str] = []
    if not room.name.strip():
        problems.append("Room name is required.")
    _check_len(problems, "Room name", room.name, 80)
    if not 0 < room.beds <= 20:
        problems.append("Beds must be between 1 and 20.")
    _check_len(problems, "Room notes", room.notes, MAX_TEXT)
    return problems


def to_plain(value: Any) -> Any:
    """Dataclass -> JSON-friendly dict (dates as ISO strings), for drafts."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: to_plain(getattr(value, f.name)) for f in fields(value)}
    return value

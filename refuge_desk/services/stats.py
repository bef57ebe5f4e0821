"""Funder statistics: counts only, for a date range, small numbers hidden.

Nothing identifying leaves: no names, references or dates of individuals; any count from 1
to 4 is shown as "<5" (0 stays 0), and an average stay over fewer than 5 stays is not shown.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from refuge_desk.domain.errors import ValidationError
from refuge_desk.domain.residents import DECLINE_REASONS, MOVE_ON_TYPES, REFERRAL_OUTCOMES
from refuge_desk.services import csv_out
from refuge_desk.services.session import Session

SMALL = 5
MAX_RANGE_DAYS = 366 * 5


@dataclass(frozen=True, slots=True)
class Stat:
    group: str
    item: str
    value: int  # the true count (never written out when small)
    shown: str  # what may be shown: "<5" for 1-4

    @property
    def suppressed(self) -> bool:
        return self.shown == f"<{SMALL}"


def _shown(n: int) -> str:
    return f"<{SMALL}" if 0 < n < SMALL else str(n)


def _stat(group: str, item: str, n: int) -> Stat:
    return Stat(group, item, n, _shown(n))


def _check(session: Session, start: dt.date, end: dt.date) -> None:
    session.require(session.role.manages_staff, "produce funder statistics")
    if end < start:
        raise ValidationError(["The end date is before the start date."])
    if (end - start).days > MAX_RANGE_DAYS:
        raise ValidationError(["Choose a range of at most five years."])


def _first_language(text: str) -> str:
    first = text.replace(";", ",").split(",")[0].strip()
    return first.split("(")[0].strip().capitalize() or "Not recorded"


def funder_stats(session: Session, start: dt.date, end: dt.date) -> list[Stat]:
    _check(session, start, end)
    db = session.db
    lo, hi = start.isoformat(), end.isoformat()
    out: list[Stat] = []

    referrals = db.query(
        "SELECT referral_outcome, decline_reason FROM residents "
        "WHERE referral_date BETWEEN ? AND ?",
        (lo, hi),
    )
    out.append(_stat("Referrals", "Received", len(referrals)))
    outcomes = Counter(str(r["referral_outcome"]) for r in referrals)
    for key, label in REFERRAL_OUTCOMES.items():
        out.append(_stat("Referrals", label, outcomes.get(key, 0)))
    reasons = Counter(
        str(r["decline_reason"]) for r in referrals if r["referral_outcome"] == "declined"
    )
    for key, label in DECLINE_REASONS.items():
        if key:
            out.append(_stat("Declined referrals, by reason", label, reasons.get(key, 0)))
    if reasons.get(""):
        out.append(_stat("Declined referrals, by reason", "Not recorded", reasons[""]))

    supported = db.query(
        "SELECT child_count, nrpf, languages, "
        # her latest risk level as it stood at the end of the period
        "(SELECT x.level FROM risk_assessments x WHERE x.resident_id = r.id "
        "AND x.assessed_on <= ? ORDER BY x.assessed_on DESC, x.id DESC LIMIT 1) AS level "
        "FROM residents r "
        "WHERE arrival_date IS NOT NULL AND arrival_date <= ? "
        "AND (move_on_date IS NULL OR move_on_date >= ?)",
        (hi, hi, lo),
    )
    group = "Women and children supported"
    out.append(_stat(group, "Women", len(supported)))
    out.append(_stat(group, "Children", sum(int(r["child_count"]) for r in supported)))
    out.append(_stat(group, "No recourse to public funds", sum(1 for r in supported if r["nrpf"])))
    languages = Counter(_first_language(str(r["languages"])) for r in supported)
    for name, n in sorted(languages.items(), key=lambda kv: (-kv[1], kv[0])):
        out.append(_stat("First language", name, n))
    levels = Counter(str(r["level"] or "") for r in supported)
    for key, label in (
        ("high", "High"),
        ("medium", "Medium"),
        ("standard", "Standard"),
        ("", "Not assessed"),
    ):
        out.append(
            _stat("Risk level (latest checklist by the end of the period)", label, levels[key])
        )
    marac = db.scalar(
        "SELECT count(*) FROM marac_referrals WHERE referred_on BETWEEN ? AND ?", (lo, hi)
    )
    out.append(_stat("MARAC", "Referrals made", int(marac or 0)))

    ended = db.query(
        "SELECT arrival_date, move_on_date, move_on_type FROM residents "
        "WHERE arrival_date IS NOT NULL AND move_on_date BETWEEN ? AND ?",
        (lo, hi),
    )
    out.append(_stat("Stays that ended", "Stays", len(ended)))
    if len(ended) >= SMALL:
        days = [
            (
                dt.date.fromisoformat(str(r["move_on_date"]))
                - dt.date.fromisoformat(str(r["arrival_date"]))
            ).days
            for r in ended
        ]
        average = round(sum(days) / len(days))
        out.append(Stat("Stays that ended", "Average stay (days)", average, str(average)))
    else:
        out.append(Stat("Stays that ended", "Average stay (days)", 0, f"fewer than {SMALL} stays"))
    kinds = Counter(str(r["move_on_type"]) for r in ended)
    for key, label in MOVE_ON_TYPES.items():
        if key:
            out.append(_stat("Move-on destinations", label, kinds.get(key, 0)))
    if kinds.get(""):
        out.append(_stat("Move-on destinations", "Not recorded", kinds[""]))
    return out


def _rows(stats: list[Stat], start: dt.date, end: dt.date) -> list[list[csv_out.Cell]]:
    rows: list[list[csv_out.Cell]] = [["from", "to", "group", "item", "count"]]
    rows += [[start.isoformat(), end.isoformat(), s.group, s.item, s.shown] for s in stats]
    return rows


def to_csv(stats: list[Stat], start: dt.date, end: dt.date) -> bytes:
    return csv_out.to_bytes(_rows(stats, start, end))


def export_csv(session: Session, start: dt.date, end: dt.date, path: Path) -> list[Stat]:
    stats = funder_stats(session, start, end)
    csv_out.write(path, _rows(stats, start, end))
    with session.db.transaction():
        session.audit("stats.export", f"{start.isoformat()}..{end.isoformat()}")
    return stats

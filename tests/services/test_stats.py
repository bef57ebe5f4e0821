"""Funder statistics: counts in a date range, small numbers hidden, nothing identifying."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from refuge_desk.domain.errors import PermissionDenied, ValidationError
from refuge_desk.domain.residents import Child, Resident, Status
from refuge_desk.services import residents, stats
from refuge_desk.services.session import Session
from tests.conftest import WORKER, FakeClock, sign_in_as

D = dt.date


def _add(session: Session, n: int, **kw: object) -> None:
    for i in range(n):
        residents.save(session, Resident(full_name=f"Woman Number{i} Sentinelname", **kw))  # type: ignore[arg-type]


@pytest.fixture
def populated(manager_session: Session) -> Session:
    s = manager_session
    _add(
        s,
        6,
        referral_date=D(2026, 3, 1),
        referral_outcome="accepted",
        status=Status.RESIDENT,
        arrival_date=D(2026, 3, 2),
        languages="Arabic, English",
        nrpf=True,
        children=[Child(full_name="Kid One")],
    )
    _add(s, 2, referral_date=D(2026, 3, 5), referral_outcome="declined", decline_reason="no_space")
    _add(
        s,
        5,
        referral_date=D(2026, 1, 10),
        referral_outcome="accepted",
        status=Status.MOVED_ON,
        arrival_date=D(2026, 1, 11),
        move_on_date=D(2026, 4, 11),
        move_on_type="social_housing",
        languages="Polish",
    )
    _add(s, 3, referral_date=D(2025, 1, 1))  # outside the range
    return s


def _get(result: list[stats.Stat], group: str, item: str) -> stats.Stat:
    return next(s for s in result if s.group == group and s.item == item)


def test_counts_and_small_number_suppression(populated: Session) -> None:
    result = stats.funder_stats(populated, D(2026, 2, 1), D(2026, 6, 30))
    assert _get(result, "Referrals", "Received").shown == "8"
    assert _get(result, "Referrals", "Accepted").shown == "6"
    assert _get(result, "Referrals", "Declined").shown == "<5"
    assert _get(result, "Declined referrals, by reason", "No space").shown == "<5"
    assert _get(result, "Declined referrals, by reason", "Too close to the abuser").shown == "0"
    assert _get(result, "Women and children supported", "Women").shown == "11"
    assert _get(result, "Women and children supported", "Children").shown == "6"
    assert _get(result, "Women and children supported", "No recourse to public funds").shown == "6"
    assert _get(result, "First language", "Arabic").shown == "6"
    assert _get(result, "First language", "Polish").shown == "5"
    assert _get(result, "Stays that ended", "Stays").shown == "5"
    assert _get(result, "Stays that ended", "Average stay (days)").shown == "90"
    assert _get(result, "Move-on destinations", "Social housing").shown == "5"


def test_average_stay_hidden_under_five(populated: Session) -> None:
    result = stats.funder_stats(populated, D(2026, 6, 1), D(2026, 6, 30))
    assert _get(result, "Stays that ended", "Average stay (days)").shown == "fewer than 5 stays"


def test_csv_holds_counts_only(populated: Session, tmp_path: Path) -> None:
    out = tmp_path / "stats.csv"
    stats.export_csv(populated, D(2026, 2, 1), D(2026, 6, 30), out)
    text = out.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0] == "from,to,group,item,count"
    assert "2026-02-01,2026-06-30,Referrals,Declined,<5" in text
    assert "Sentinelname" not in text and "Kid" not in text and "R-0" not in text


def test_rules(populated: Session, vault_dir: Path, clock: FakeClock) -> None:
    with pytest.raises(ValidationError, match="end date is before"):
        stats.funder_stats(populated, D(2026, 2, 1), D(2026, 1, 1))
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        with pytest.raises(PermissionDenied):
            stats.funder_stats(worker, D(2026, 1, 1), D(2026, 2, 1))
    finally:
        worker.close()


def test_risk_levels_and_marac_referrals_are_counted(manager_session: Session) -> None:
    from tests.services.test_residents_list import _assess

    today = manager_session.today()
    ids = []
    for i in range(7):
        her = residents.save(
            manager_session,
            Resident(
                full_name=f"Woman {i}",
                status=Status.RESIDENT,
                arrival_date=today - dt.timedelta(days=20),
            ),
        )
        assert her.id is not None
        ids.append(her.id)
    for rid in ids[:5]:
        _assess(manager_session, rid, 15, today - dt.timedelta(days=3))
    _assess(manager_session, ids[5], 11, today - dt.timedelta(days=3))
    found = {
        (s.group.split(" (")[0], s.item): s.shown
        for s in stats.funder_stats(manager_session, today - dt.timedelta(days=30), today)
    }
    assert found[("Risk level", "High")] == "5"
    assert found[("Risk level", "Medium")] == "<5"
    assert found[("Risk level", "Not assessed")] == "<5"
    assert found[("MARAC", "Referrals made")] == "0"  # none: zero is not identifying

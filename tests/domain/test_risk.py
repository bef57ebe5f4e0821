"""Risk rules: scoring, thresholds, judgement, MARAC criteria, review dates, checklist files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from refuge_desk.domain import risk as rd
from refuge_desk.domain.risk import Answer, AnswerEntry, Criterion, Level, Thresholds

BUNDLED = Path(__file__).parents[2] / "resources" / "checklists" / "uk-default.json"
TODAY = dt.date(2026, 11, 24)
D = dt.date.fromisoformat


def answers(yes: int, total: int = 24) -> dict[str, AnswerEntry]:
    return {
        f"q{i}": AnswerEntry(Answer.YES if i < yes else Answer.NOT_KNOWN if i % 2 else Answer.NO)
        for i in range(total)
    }


def assessment(points: int, level: Level | None = None, on: dt.date = TODAY) -> rd.Assessment:
    t = Thresholds()
    scored = rd.level_for(points, t)
    return rd.Assessment(
        1,
        1,
        1,
        on,
        None,
        "",
        False,
        "",
        answers(points),
        points,
        scored,
        level or scored,
        "",
        t,
        "",
    )


def test_score_counts_only_yes_and_levels_follow_thresholds() -> None:
    assert rd.score(answers(0)) == 0
    assert rd.score(answers(13)) == 13
    t = Thresholds()
    assert [rd.level_for(n, t) for n in (0, 9, 10, 13, 14, 24)] == [
        Level.STANDARD,
        Level.STANDARD,
        Level.MEDIUM,
        Level.MEDIUM,
        Level.HIGH,
        Level.HIGH,
    ]
    custom = Thresholds(5, 8)
    assert [rd.level_for(n, custom) for n in (4, 5, 7, 8)] == [
        Level.STANDARD,
        Level.MEDIUM,
        Level.MEDIUM,
        Level.HIGH,
    ]
    assert Thresholds(14, 10).problems() and Thresholds(0, 3).problems()
    assert not Thresholds(1, 2).problems()


def test_judgement_raises_with_reason_and_never_lowers() -> None:
    assert rd.judgement_problems(Level.MEDIUM, Level.MEDIUM, "") == []
    assert rd.judgement_problems(Level.MEDIUM, Level.HIGH, "threats to kill") == []
    (need_reason,) = rd.judgement_problems(Level.STANDARD, Level.HIGH, "  ")
    assert "Say why you raised the level to high risk" in need_reason
    (lower,) = rd.judgement_problems(Level.HIGH, Level.MEDIUM, "she seems calmer")
    assert "never lower it" in lower and "high risk" in lower


def test_bundled_checklist_has_24_own_questions_over_known_factors() -> None:
    c = rd.parse_checklist(BUNDLED.read_bytes())
    assert (c.key, c.version, len(c.questions)) == ("uk-default", 1, 24)
    assert c.thresholds == Thresholds(10, 14)
    assert len({q.id for q in c.questions}) == 24
    assert all(q.factor in rd.FACTORS and q.text.endswith("?") for q in c.questions)


def test_checklist_problems_are_plain_sentences() -> None:
    raw = {
        "format": 1,
        "key": "Our List",
        "version": 0,
        "name": "",
        "colour": "red",
        "thresholds": {"medium": 5, "high": 9},
        "questions": [
            {"id": "fear", "text": "Are you afraid?", "factor": "fear"},
            {"id": "fear", "text": "", "factor": "stalker"},
            "just text",
        ],
    }
    with pytest.raises(rd.ChecklistError) as err:
        rd.parse_checklist(json.dumps(raw).encode())
    problems = err.value.problems
    assert 'Checklist: "colour" is not something a checklist can have (check the spelling).' in (
        problems
    )
    assert any(p.startswith('Checklist: "key" must be short lower-case') for p in problems)
    assert 'Checklist: "version" must be a whole number from 1 to 1,000,000.' in problems
    assert 'Checklist: "name" is missing or empty.' in problems
    assert 'Question 2: the id "fear" is used twice.' in problems
    assert 'Question 2: "text" is missing or empty.' in problems
    assert any(p.startswith('Question 2: the factor "stalker" is not known.') for p in problems)
    assert any(p.startswith("Question 3: must be an object") for p in problems)
    assert any("there are only 2 questions" in p for p in problems)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xfe{", "The checklist file is not UTF-8 text."),
        (b'{"format": 1,', "The checklist is not valid JSON (line 1"),
        (b"[1, 2]", "The checklist must be a JSON object."),
        (b'{"format": 2}', '"format" must be 1'),
    ],
)
def test_unreadable_checklists_say_why(data: bytes, expected: str) -> None:
    with pytest.raises(rd.ChecklistError) as err:
        rd.parse_checklist(data)
    assert err.value.problems[0].startswith(expected)


def test_answers_round_trip_through_json() -> None:
    original = {"a": AnswerEntry(Answer.YES, "ناراحت"), "b": AnswerEntry(Answer.NOT_KNOWN)}
    assert rd.load_answers(rd.dump_answers(original)) == original
    assert rd.load_answers("{broken") == {}


def test_months_arithmetic_at_month_ends() -> None:
    assert rd.months_before(D("2028-02-29"), 12) == D("2027-02-28")
    assert rd.months_after(D("2026-01-31"), 1) == D("2026-02-28")
    assert rd.months_after(D("2026-11-24"), 12) == D("2027-11-24")


# --- MARAC: each criterion alone, and the 12-month edges ---------------------------------


def flags(latest=None, incidents=(), referrals=(), today=TODAY) -> rd.MaracFlags:  # type: ignore[no-untyped-def]
    return rd.marac_flags(latest, [D(d) for d in incidents], [D(d) for d in referrals], today)


def test_no_facts_no_flags() -> None:
    assert flags().met == () and flags(assessment(13)).met == ()


def test_visible_high_risk_alone() -> None:
    f = flags(assessment(14))
    assert f.met == (Criterion.VISIBLE_HIGH_RISK,) and f.open == f.met
    assert f.short_labels == ("High score",)
    assert flags(assessment(13)).met == ()


def test_professional_judgement_alone() -> None:
    f = flags(assessment(8, Level.HIGH))
    assert f.met == (Criterion.PROFESSIONAL_JUDGEMENT,)
    assert flags(assessment(8, Level.MEDIUM)).met == ()


def test_escalation_counts_three_incidents_in_twelve_months() -> None:
    # 12 months before 2026-11-24 is 2025-11-24: that day counts, the day before does not.
    assert flags(incidents=["2025-11-24", "2026-03-01", "2026-11-20"]).met == (
        Criterion.ESCALATION,
    )
    assert flags(incidents=["2025-11-23", "2026-03-01", "2026-11-20"]).met == ()
    assert flags(incidents=["2026-03-01", "2026-11-20"]).met == ()


def test_repeat_is_an_incident_within_twelve_months_after_the_last_referral() -> None:
    inside = flags(incidents=["2026-09-10"], referrals=["2025-09-10"])
    assert inside.met == (Criterion.REPEAT,) and inside.open == (Criterion.REPEAT,)
    assert flags(incidents=["2026-09-11"], referrals=["2025-09-10"]).met == ()
    assert flags(incidents=["2025-09-10"], referrals=["2025-09-10"]).met == ()  # same day
    assert flags(incidents=["2025-09-11"], referrals=["2025-09-10"]).met == (Criterion.REPEAT,)
    # Only the last referral counts: an incident after an older one but before the latest.
    assert flags(incidents=["2026-02-01"], referrals=["2026-01-01", "2026-03-01"]).met == ()


def test_a_referral_since_the_event_closes_the_flag() -> None:
    f = flags(assessment(16, on=D("2026-10-01")), referrals=["2026-10-02"])
    assert f.met == (Criterion.VISIBLE_HIGH_RISK,) and f.open == ()
    assert f.last_referral == D("2026-10-02")
    again = flags(assessment(16, on=D("2026-11-01")), referrals=["2026-10-02"])
    assert again.open == (Criterion.VISIBLE_HIGH_RISK,)


# --- review dates ------------------------------------------------------------------------


def test_review_due_after_weeks_and_at_once_after_an_incident() -> None:
    on = D("2026-10-01")
    regular = rd.review_due(on, None, 6, D("2026-01-01"))
    assert (regular.due_on, regular.reason) == (D("2026-11-12"), "scheduled")
    assert not regular.is_due(D("2026-11-11")) and regular.is_due(D("2026-11-12"))
    after = rd.review_due(on, D("2026-10-05"), 6, D("2026-01-01"))
    assert (after.due_on, after.reason) == (D("2026-10-05"), "incident")
    first = rd.review_due(None, None, 6, D("2026-09-01"))
    assert (first.due_on, first.reason, first.words) == (
        D("2026-09-01"),
        "first",
        "no risk checklist yet",
    )


def test_incident_problems() -> None:
    ok = rd.IncidentInput(TODAY, "He came to the door.", True, "CAD 123")
    assert rd.incident_problems(ok, TODAY) == []
    bad = rd.IncidentInput(TODAY + dt.timedelta(days=1), " ", False, "CAD 9")
    assert rd.incident_problems(bad, TODAY) == [
        "The date of the incident cannot be in the future.",
        "Say briefly what happened.",
        "There is a police reference but \u201creported to police\u201d is not ticked.",
    ]


def test_referral_needs_consent_or_lawful_basis_and_who_decided() -> None:
    base = rd.ReferralInput(TODAY, "Eastmoor MARAC", decided_by="Mira Manager")
    assert rd.referral_problems(base, TODAY) == [
        "Record her consent to share, or the lawful basis for sharing without it."
    ]
    assert (
        rd.referral_problems(rd.ReferralInput(TODAY, "M", consent=True, decided_by="x"), TODAY)
        == []
    )
    with_basis = rd.ReferralInput(TODAY, "M", lawful_basis="Risk to life", decided_by="x")
    assert rd.referral_problems(with_basis, TODAY) == []
    early = rd.ReferralInput(TODAY, "", (), TODAY - dt.timedelta(days=1), consent=True)
    assert rd.referral_problems(early, TODAY) == [
        "Say which MARAC or agency the referral went to.",
        "The meeting date cannot be before the referral date.",
        "Say who decided to make the referral.",
    ]

"""The demo seeder makes varied, valid risk histories quickly."""

from __future__ import annotations

import datetime as dt
import random

from refuge_desk.domain.residents import Resident, Status
from refuge_desk.domain.risk import Level, judgement_problems, level_for
from refuge_desk.services import residents, risk
from refuge_desk.services.demo.risk import seed_risk
from refuge_desk.services.session import Session


def test_seed_risk_is_fast_and_follows_the_rules(manager_session: Session) -> None:
    ids = []
    for i in range(60):
        res = residents.save(
            manager_session,
            Resident(
                full_name=f"Fictional {i}", status=Status.RESIDENT, arrival_date=dt.date(2026, 1, 5)
            ),
        )
        assert res.id is not None
        ids.append(res.id)
    seed_risk(manager_session, ids, random.Random(7))
    history = [a for rid in ids for a in risk.assessments(manager_session, rid)]
    assert len({rid for rid in ids if risk.assessments(manager_session, rid)}) > 40
    for a in history:
        assert a.scored_level is level_for(a.score, a.thresholds)
        assert judgement_problems(a.scored_level, a.level, a.raised_reason) == []
        assert a.assessed_on <= manager_session.today()
    assert any(a.level is Level.HIGH and not a.raised for a in history)
    assert any(a.raised for a in history)
    assert sum(len(risk.incidents(manager_session, rid)) for rid in ids) > 30
    assert any(risk.referrals(manager_session, rid) for rid in ids)
    assert any(s.flags for s in risk.summaries(manager_session, ids).values())

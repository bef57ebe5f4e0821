"""Fictional risk histories for the demo vault: checklists over time, incidents, MARAC.

Written straight through the repository in one transaction so a few hundred residents take
well under a second; the rules (score, level, judgement never lowering) are the same ones the
service applies.
"""

from __future__ import annotations

import datetime as dt
import random

from refuge_desk.domain import risk as rd
from refuge_desk.domain.risk import Answer, AnswerEntry, Assessment, Criterion, Incident, Level
from refuge_desk.services import risk
from refuge_desk.services.session import Session
from refuge_desk.store import risk_repo, staff_repo

COMMENTS = [
    "She spoke about this calmly; it happened more than once.",
    "Said she is not sure; will ask again next time.",
    "Her sister saw it happen.",
    "Marks seen on her arm; GP appointment offered.",
    "Through the interpreter: he said it in front of the children.",
]
RAISE_REASONS = [
    "He tried to strangle her last month; the score does not show how dangerous this is.",
    "His family have threatened her and say she has brought shame on them.",
    "Recent separation and he has found out which town she is in.",
    "Threats to kill made in front of the children; she believes him.",
]
INCIDENTS = [
    "He waited outside the children's school at home time and followed her to the bus stop.",
    "Twenty missed calls and voice messages from a withheld number in one evening.",
    "His brother came to the nursery asking where she lives now.",
    "Messages on social media saying he knows which area she is in.",
    "He turned up at the GP surgery car park while she was inside.",
    "A parcel with her old house keys was left at the refuge's post box.",
]
AGENCIES = ["Eastmoor MARAC", "Brinkton MARAC", "Larkhill and Vale MARAC"]
OUTCOMES = [
    "Police marker on her address; school informed; IDVA allocated.",
    "Safety actions agreed with housing and children's services.",
    "Heard at the meeting; review in three months.",
]
INTERPRETERS = [
    "Arabic, telephone interpreter",
    "Polish, Ms K. Nowak",
    "Tigrinya, via Language Line",
]


def _answers(
    rng: random.Random, questions: tuple[rd.Question, ...], yes: int
) -> dict[str, AnswerEntry]:
    chosen = set(rng.sample([q.id for q in questions], min(yes, len(questions))))
    out: dict[str, AnswerEntry] = {}
    for q in questions:
        if q.id in chosen:
            answer = Answer.YES
        else:
            answer = Answer.NOT_KNOWN if rng.random() < 0.15 else Answer.NO
        comment = rng.choice(COMMENTS) if answer is Answer.YES and rng.random() < 0.25 else ""
        out[q.id] = AnswerEntry(answer, comment)
    return out


def seed_risk(session: Session, resident_ids: list[int], rng: random.Random) -> None:
    """Add checklists, incidents and a few MARAC referrals to the given residents."""
    cid = risk.default_checklist_id(session)
    questions = risk.checklist(session, cid).questions
    t = risk.thresholds(session)
    db = session.db
    staff = [s.id for s in staff_repo.all_staff(db) if s.role.sees_case_detail and s.active]
    today = session.today()
    now = session.stamp()
    by = session.user.id
    with db.transaction():
        for rid in resident_ids:
            if rng.random() < 0.15:
                continue  # never assessed yet: shows "first checklist due"
            count = rng.randint(1, 4)
            first = today - dt.timedelta(days=rng.randint(20, 200))
            gap = max(7, (today - first).days // count)
            points = rng.randint(3, 13)
            trend = rng.choice((-2, 1, 2, 3))
            on = first
            latest: Assessment | None = None
            for _ in range(count):
                points = max(0, min(len(questions), points + trend + rng.randint(-1, 1)))
                scored = rd.level_for(points, t)
                level, reason = scored, ""
                if scored is not Level.HIGH and rng.random() < 0.12:
                    level, reason = Level.HIGH, rng.choice(RAISE_REASONS)
                interpreter = rng.random() < 0.2
                latest = Assessment(
                    0,
                    rid,
                    cid,
                    min(on, today),
                    rng.choice(staff) if staff else None,
                    "",
                    interpreter,
                    rng.choice(INTERPRETERS) if interpreter else "",
                    _answers(rng, questions, points),
                    points,
                    scored,
                    level,
                    reason,
                    t,
                    now,
                )
                risk_repo.insert_assessment(db, latest, by)
                on += dt.timedelta(days=gap + rng.randint(-3, 3))
            for _ in range(rng.choice((0, 0, 1, 1, 2, 3, 4))):
                reported = rng.random() < 0.6
                incident = Incident(
                    0,
                    rid,
                    today - dt.timedelta(days=rng.randint(0, 330)),
                    rng.choice(INCIDENTS),
                    reported,
                    f"CAD {rng.randint(1000, 9999)}/{rng.randint(10, 99)}" if reported else "",
                    rng.choice(("Her", "Key worker", "Refuge staff", "School")),
                    now,
                    "",
                )
                risk_repo.insert_incident(db, incident, by)
            if latest is not None and latest.level is Level.HIGH and rng.random() < 0.6:
                referred = min(today, latest.assessed_on + dt.timedelta(days=rng.randint(0, 5)))
                meeting = referred + dt.timedelta(days=rng.randint(10, 28))
                consent = rng.random() < 0.7
                criteria = (
                    (Criterion.PROFESSIONAL_JUDGEMENT,)
                    if latest.raised
                    else (Criterion.VISIBLE_HIGH_RISK,)
                )
                risk_repo.insert_referral(
                    db,
                    rd.Referral(
                        0,
                        rid,
                        referred,
                        rng.choice(AGENCIES),
                        criteria,
                        meeting if meeting <= today + dt.timedelta(days=30) else None,
                        rng.choice(OUTCOMES) if meeting < today else "",
                        consent,
                        "" if consent else "Risk of serious harm; sharing without consent",
                        rng.choice(("Refuge manager", "Key worker with manager")),
                        "",
                        "",
                    ),
                    now,
                    by,
                )
        session.audit("demo.seed_risk", str(len(resident_ids)))

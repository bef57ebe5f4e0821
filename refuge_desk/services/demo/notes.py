"""Fictional case notes and support reviews for the demo vault and the screenshots."""

from __future__ import annotations

import datetime as dt
import random

from refuge_desk.domain.notes import NoteType
from refuge_desk.domain.roles import Role
from refuge_desk.domain.support import AREA_KEYS, AreaNeed, Level, Outcome, Stage
from refuge_desk.services import note_seal
from refuge_desk.services.session import Session
from refuge_desk.store import notes_repo, staff_repo, support_repo

KEY_WORK = [
    "Key-work session in the office. We went through the safety plan together and she "
    "added her sister's number as a safe contact. She is sleeping better since the room "
    "move. Next session Thursday.",
    "Key-work session with an interpreter on the phone. We talked about the housing "
    "register: she has filled in the form and we will send it with the refuge letter. "
    "She asked about a nursery place for her youngest.",
    "Key-work session. Benefits: her Universal Credit claim is open, first payment due in "
    "two weeks. Gave a food bank voucher. She wants to start English classes at the college.",
    "Key-work session. She talked about how she is feeling: tired but calmer. Agreed a "
    "referral to the counselling group on Tuesdays. She wants to tell her mother where she "
    "is; we talked through the risks and she decided to wait.",
]
PHONE = [
    "Phone call from the school office: the children are settling in well. Reminded them "
    "that no information about the children is to be given to anyone asking by phone.",
    "Phone call to the solicitor's office about the non-molestation order. Hearing date "
    "to be confirmed by letter to the refuge address.",
    "Phone call with the housing officer: the bid for the flat did not succeed. She was "
    "disappointed; we will look at the new list on Monday.",
    "Phone call from the GP surgery to confirm her appointment. She has registered under "
    "her new address with the refuge's confidential-address letter.",
]
OTHER = [
    "Accompanied her to the job centre appointment. The work coach agreed an easement "
    "while she settles in.",
    "Room check with her: the window lock was broken, reported to maintenance.",
]
INCIDENT = [
    "She saw a car like his outside the supermarket. She came straight back and we "
    "reviewed her route. Police informed; she does not want to go out alone this week.",
]
SAFEGUARDING = (
    "Safeguarding: her eldest said at school that his father has been messaging him on a "
    "games console. Discussed with the manager; referral made to children's services "
    "today, she agreed and knows what happens next. Console set up again with a new account."
)
RESTRICTED = (
    "Restricted: she told me about a health matter she does not want shared with other "
    "staff. Recorded with her agreement; only the manager and I can read this note."
)
AMENDMENT = "Correction: the appointment was on Wednesday, not Tuesday. The rest is right."
GOALS = {
    "safety": "Feel safe going out; keep to her safety plan",
    "housing": "Move on to a flat of her own near the school",
    "immigration": "Get her own status settled",
    "money": "Benefits in payment; open a bank account in her name",
    "health": "Registered with a GP; regular check-ups",
    "children": "School places for both children",
    "legal": "Non-molestation order in place",
    "wellbeing": "Sleep better; join the weekly group",
}
LEVELS = list(Level)


def seed_notes(session: Session, resident_ids: list[int], rng: random.Random) -> None:
    """A handful of notes for each resident (key-work sessions, calls, the odd incident), with
    one safeguarding note, one restricted note and one amendment in the set, and support
    reviews (entry, some with a review, a few with an exit). Written in one transaction."""
    if not resident_ids:
        return
    db = session.db
    staff = [s for s in staff_repo.all_staff(db) if s.role is not Role.VOLUNTEER and s.active]
    authors = [s.id for s in staff] or [session.user.id]
    managers = [s.id for s in staff if s.role is Role.MANAGER] or [session.user.id]
    now = session.now()
    stamp = session.stamp()
    rows: list[tuple[int, dt.datetime, NoteType, str, bool, int]] = []
    for i, rid in enumerate(resident_ids):
        moment = now - dt.timedelta(days=rng.randint(20, 90), hours=rng.randint(0, 6))
        for _ in range(rng.randint(3, 7)):
            kind = rng.choices(
                [NoteType.KEY_WORK, NoteType.PHONE, NoteType.OTHER, NoteType.INCIDENT],
                weights=[5, 4, 2, 1],
            )[0]
            pool = {NoteType.KEY_WORK: KEY_WORK, NoteType.PHONE: PHONE}.get(kind)
            text = rng.choice(pool or (INCIDENT if kind is NoteType.INCIDENT else OTHER))
            rows.append((rid, moment, kind, text, False, rng.choice(authors)))
            moment += dt.timedelta(days=rng.randint(2, 12), minutes=rng.randint(0, 300))
            if moment > now:
                break
        if i == 0:
            when = now - dt.timedelta(days=3, hours=2)
            rows.append((rid, when, NoteType.SAFEGUARDING, SAFEGUARDING, False, managers[0]))
            when = now - dt.timedelta(days=2, hours=5)
            rows.append((rid, when, NoteType.KEY_WORK, RESTRICTED, True, managers[0]))
    rows.sort(key=lambda r: r[1])  # written in time order, as in real use
    with db.transaction():
        first_id = 0
        for rid, when, kind, text, restricted, author in rows:
            note_id = notes_repo.insert(db, rid, when, kind, text, restricted, None, author, stamp)
            if rid == resident_ids[0] and kind is NoteType.KEY_WORK and not first_id:
                first_id = note_id
        if first_id:
            notes_repo.insert(
                db,
                resident_ids[0],
                now - dt.timedelta(hours=3),
                NoteType.KEY_WORK,
                AMENDMENT,
                False,
                first_id,
                authors[0],
                stamp,
            )
        _seed_support(session, resident_ids, rng)
    note_seal.seal_legacy(session)  # written plain above, fast: sealed now like any other
    session.audit("notes.demo", f"{len(rows)} notes")


def _seed_support(session: Session, resident_ids: list[int], rng: random.Random) -> None:
    today = session.today()
    for i, rid in enumerate(resident_ids):
        entry_on = today - dt.timedelta(days=rng.randint(40, 120))
        levels = {a: rng.choice(LEVELS[1:]) for a in AREA_KEYS}
        levels["safety"] = Level.HIGH
        stages = [(Stage.ENTRY, entry_on)]
        if i % 2 == 0:
            stages.append((Stage.REVIEW, entry_on + (today - entry_on) / 2))
        if i % 5 == 4:
            stages.append((Stage.EXIT, today - dt.timedelta(days=rng.randint(0, 5))))
        for stage, on in stages:
            if stage is not Stage.ENTRY:
                levels = {
                    a: LEVELS[max(0, lv.rank - rng.randint(0, 2))] for a, lv in levels.items()
                }
            needs = [
                AreaNeed(
                    a,
                    levels[a],
                    GOALS[a] if levels[a] is not Level.NONE or stage is Stage.ENTRY else "",
                    _outcome(levels[a], rng) if stage is Stage.EXIT else Outcome.NOT_SET,
                    "",
                )
                for a in AREA_KEYS
            ]
            support_repo.insert(session.db, rid, stage, on, needs, session.stamp(), session.user.id)


def _outcome(level: Level, rng: random.Random) -> Outcome:
    if level is Level.NONE:
        return rng.choice([Outcome.MET, Outcome.NOT_APPLICABLE])
    return rng.choice([Outcome.PARTLY_MET, Outcome.NOT_MET, Outcome.MET])

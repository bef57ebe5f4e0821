"""Every text that enters the vault is cleaned (domain/text.py) — on real vaults, read back."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from refuge_desk.domain.deadlines import Application, CourtOrder, Immigration, TaskDraft
from refuge_desk.domain.errors import ValidationError
from refuge_desk.domain.residents import Abuser, Child, Phone, Resident, Room, Status
from refuge_desk.domain.risk import (
    Answer,
    AnswerEntry,
    AssessmentInput,
    Criterion,
    IncidentInput,
    ReferralInput,
)
from refuge_desk.domain.risk import Level as RiskLevel
from refuge_desk.domain.roles import Role
from refuge_desk.domain.support import AreaNeed, Level, Stage
from refuge_desk.domain.text import BIDI_CONTROLS, INVISIBLE, ZWJ, ZWNJ
from refuge_desk.services import (
    auth,
    immigration,
    importer,
    notes,
    orders,
    plans,
    residents,
    retention,
    risk,
    rooms,
    settings,
    staff,
    support,
    tasks,
)
from refuge_desk.services.export import transfer
from refuge_desk.services.session import Session
from refuge_desk.store import residents_repo
from refuge_desk.store.vault import VaultFolder
from tests.conftest import FakeClock


def dirty(text: str) -> str:
    """``text`` as a paste may carry it: an override, an isolate, zero-width characters, NUL
    and an escape before, inside (after the first letter) and after."""
    return f"\u202e\u200b{text[:1]}\u2066\ufeff\x00{text[1:]}\u2069\u2060\x1b"


def assert_clean(*values: str) -> None:
    for value in values:
        bad = [hex(ord(c)) for c in value if c in BIDI_CONTROLS | INVISIBLE or c in "\x00\x1b\x9b"]
        assert not bad, f"{value!r} still holds {bad}"


def _resident(session: Session, **kw: object) -> Resident:
    values: dict[str, object] = {"full_name": "Dana Example", **kw}
    return residents.save(session, Resident(**values))  # type: ignore[arg-type]


def test_resident_save_cleans_every_text_field(manager_session: Session) -> None:
    s = manager_session
    stored = _resident(
        s,
        full_name=dirty("Amira Haddad"),
        preferred_name=dirty("Mimi"),
        aliases=dirty("Amira Saleh") + "\r\n" + dirty("A. Saleh"),
        pronouns=dirty("she/her"),
        languages=dirty("Arabic, English"),
        nationality=dirty("Syrian"),
        immigration_status=dirty("Spousal visa"),
        email=dirty("amira@example.org"),
        email_safe_times=dirty("Mornings"),
        alerts=dirty("Do not disclose presence") + "\n" + dirty("No male staff"),
        referral_source=dirty("Helpline"),
        move_on_destination=dirty("Elm House"),
        notes=dirty("Arrived late") + "\r\n\tTired\x07",
        phones=[Phone(number=dirty("07700 900123"), label=dirty("Own"), safe_times=dirty("Any"))],
        abusers=[Abuser(name=dirty("Karim"), description=dirty("Tall") + "\n" + dirty("Beard"))],
        children=[Child(full_name=dirty("Yusuf"), school=dirty("Oak"), notes="A\u202eB\nC")],
    )
    assert stored.id is not None
    again = residents.get(s, stored.id)
    assert again.full_name == "Amira Haddad" and again.preferred_name == "Mimi"
    assert again.aliases == "Amira Saleh\nA. Saleh"
    assert again.alerts == "Do not disclose presence\nNo male staff"
    assert again.notes == "Arrived late\n\tTired"  # several lines: breaks and tabs kept
    assert again.email == "amira@example.org"
    assert again.phones[0] == Phone(number="07700 900123", label="Own", safe_times="Any")
    assert again.abusers[0].name == "Karim" and again.abusers[0].description == "Tall\nBeard"
    assert (again.children[0].full_name, again.children[0].notes) == ("Yusuf", "AB\nC")
    for f in dataclasses.fields(Resident):
        value = getattr(again, f.name)
        if isinstance(value, str):
            assert_clean(value)
    # Search by the name as typed on a keyboard finds her, and so does a pasted one.
    assert [r.id for r in residents.list_residents(s, search="Amira Had")] == [stored.id]
    assert residents.list_ids(s, search="\u202aAmi\u200bra\u202c") == [stored.id]


def test_names_in_scripts_that_spell_with_joiners_keep_them(manager_session: Session) -> None:
    persian = "نرگس می\u200cنویسد"  # ZWNJ inside a Persian word
    bengali = "ক্\u200dষমা"  # ZWJ after a virama
    stored = _resident(
        manager_session,
        full_name=f"\u2067{persian}\u2069",  # an isolate around it, as phones paste
        preferred_name=bengali,
        aliases="An\u200cna\u200d",
    )
    assert (stored.full_name, stored.preferred_name) == (persian, bengali)
    assert stored.aliases == "Anna"
    assert ZWNJ in stored.full_name and ZWJ in stored.preferred_name


def test_a_one_line_field_gets_a_space_for_a_pasted_line_break(manager_session: Session) -> None:
    stored = _resident(manager_session, full_name="Amira\r\nHaddad", languages="Arabic\tFarsi")
    assert (stored.full_name, stored.languages) == ("Amira Haddad", "Arabic Farsi")


def test_a_name_of_invisible_characters_only_is_refused(manager_session: Session) -> None:
    with pytest.raises(ValidationError, match="Full name is required"):
        _resident(manager_session, full_name="\u200b\u202e\ufeff")


def test_an_older_record_is_cleaned_on_its_next_save(manager_session: Session) -> None:
    """Stored before these rules (written straight through the repository, as 0.1 did)."""
    s = manager_session
    rid, _ = residents_repo.insert(
        s.db, Resident(full_name="Old\u202e Name", notes="x\u200by"), s.stamp(), s.user.id
    )
    old = residents.get(s, rid)
    saved = residents.save(s, old)
    assert (saved.full_name, saved.notes) == ("Old Name", "xy")


def test_rooms_orders_immigration_and_tasks(manager_session: Session) -> None:
    s = manager_session
    room = rooms.save(s, Room(name=dirty("Rose"), notes=dirty("Ground") + "\n" + dirty("floor")))
    assert (room.name, room.notes) == ("Rose", "Ground\nfloor")
    with pytest.raises(ValidationError, match="already a room called “Rose”"):
        rooms.save(s, Room(name="Rose\u200b"))  # the same name, once cleaned
    rid = _resident(s).id
    assert rid is not None
    order = orders.save(
        s,
        CourtOrder(
            resident_id=rid,
            protected_people=dirty("Her and the children"),
            conditions=dirty("Not to contact") + "\n" + dirty("Not within 100 m"),
            court=dirty("Leeds"),
            notes=dirty("Served"),
        ),
    )
    assert (order.protected_people, order.conditions, order.court, order.notes) == (
        "Her and the children",
        "Not to contact\nNot within 100 m",
        "Leeds",
        "Served",
    )
    view = immigration.save(
        s,
        Immigration(
            resident_id=rid,
            visa_type=dirty("Spouse"),
            documents_with_abuser=dirty("Passport") + "\n" + dirty("BRP"),
            solicitor=dirty("A. Law"),
            rent_paid_by=dirty("Council"),
            notes=dirty("Call"),
        ),
    )
    rec = view.record
    assert (rec.visa_type, rec.documents_with_abuser, rec.solicitor, rec.rent_paid_by) == (
        "Spouse",
        "Passport\nBRP",
        "A. Law",
        "Council",
    )
    app = immigration.save_application(
        s, Application(resident_id=rid, decision=dirty("Granted"), notes=dirty("a") + "\nb")
    )
    assert (app.decision, app.notes) == ("Granted", "a\nb")
    item = tasks.add(s, TaskDraft(title=dirty("Call the school"), details=dirty("x") + "\ny"))
    assert (item.title, item.details) == ("Call the school", "x\ny")
    updated = tasks.update(s, item.key, TaskDraft(title="Call\u202e again"))
    assert updated.title == "Call again"


def test_case_notes_and_amendments(manager_session: Session) -> None:
    s = manager_session
    rid = _resident(s).id
    assert rid is not None
    note = notes.add(s, rid, dirty("Key work") + "\r\n\t" + dirty("Talked about school"))
    assert note.text == "Key work\n\tTalked about school"
    fixed = notes.amend(s, note.id, dirty("Correction"))
    assert fixed.text == "Correction"
    with pytest.raises(ValidationError, match="text is empty"):
        notes.add(s, rid, "\u200b\u202e\x00")


def test_safety_plan_draft_and_review_note(manager_session: Session) -> None:
    s = manager_session
    rid = _resident(s, status=Status.RESIDENT, arrival_date=s.today()).id
    assert rid is not None
    state = plans.start_draft(s, rid)
    assert state.draft is not None
    content = dict(
        state.draft.content,
        worries=dirty("He knows the area") + "\n" + dirty("and the school"),
        safe_contacts=[
            {"name": dirty("Sara"), "relationship": "Sister\nin law", "number": dirty("0770")}
        ],
    )
    rev = plans.save_draft(s, rid, content, state.draft.revision)
    draft = plans.get(s, rid).draft
    assert draft is not None
    assert draft.content["worries"] == "He knows the area\nand the school"
    contact = draft.content["safe_contacts"][0]
    assert (contact["name"], contact["relationship"], contact["number"]) == (
        "Sara",
        "Sister in law",  # a one-line cell
        "0770",
    )
    plans.finalise(s, rid, rev)
    plans.mark_reviewed(s, rid, note=dirty("Went through it") + "\nwith her")
    assert plans.reviews(s, rid)[0].note == "Went through it\nwith her"


def test_risk_comments_incidents_and_marac(manager_session: Session) -> None:
    s = manager_session
    rid = _resident(s, status=Status.RESIDENT, arrival_date=s.today()).id
    assert rid is not None
    cid = risk.default_checklist_id(s)
    questions = [q.id for q in risk.checklist(s, cid).questions]
    first = questions[0]
    data = AssessmentInput(
        checklist_id=cid,
        assessed_on=s.today(),
        asked_by_id=s.user.id,
        answers={q: AnswerEntry(Answer.YES if q == first else Answer.NO) for q in questions}
        | {first: AnswerEntry(Answer.YES, dirty("Yes"))},
        level=RiskLevel.STANDARD,
        interpreter=True,
        interpreter_note=dirty("Farsi, by phone"),
    )
    a = risk.add_assessment(s, rid, data)
    assert a.interpreter_note == "Farsi, by phone"
    assert a.answers[first].comment == "Yes"
    incident = risk.add_incident(
        s,
        rid,
        IncidentInput(
            s.today(),
            dirty("He came to the door") + "\n" + dirty("Police called"),
            True,
            dirty("CAD 123"),
            dirty("Night staff"),
        ),
    )
    assert incident.what_happened == "He came to the door\nPolice called"
    assert (incident.police_reference, incident.reported_by) == ("CAD 123", "Night staff")
    referral = risk.add_referral(
        s,
        rid,
        ReferralInput(
            s.today(),
            dirty("Leeds MARAC"),
            (Criterion.PROFESSIONAL_JUDGEMENT,),
            outcome=dirty("Agreed") + "\n" + dirty("actions"),
            lawful_basis=dirty("Vital interests"),
            decided_by=dirty("Mira"),
        ),
    )
    assert (referral.agency, referral.outcome, referral.decided_by) == (
        "Leeds MARAC",
        "Agreed\nactions",
        "Mira",
    )
    assert referral.criteria == (Criterion.PROFESSIONAL_JUDGEMENT,)
    changed = risk.update_referral(
        s,
        referral.id,
        ReferralInput(
            s.today(), "MARAC\u202e 2", referral.criteria, consent=True, decided_by="Mira"
        ),
    )
    assert changed.agency == "MARAC 2"


def test_support_goals_and_legal_hold_reasons(manager_session: Session) -> None:
    s = manager_session
    rid = _resident(s, status=Status.MOVED_ON, move_on_date=dt.date(2012, 1, 1)).id
    assert rid is not None
    review = support.record_review(
        s,
        rid,
        Stage.ENTRY,
        s.today(),
        [AreaNeed("safety", Level.HIGH, dirty("Feel safe"), comment=dirty("Scared\nat night"))],
    )
    need = review.need("safety")
    assert (need.goal, need.comment) == ("Feel safe", "Scared at night")
    retention.place_hold(s, rid, dirty("Family court FC-1"))
    assert [h.reason for h in retention.due_list(s).held] == ["Family court FC-1"]


def test_staff_names_are_cleaned_and_hidden_characters_in_user_names_refused(
    manager_session: Session,
) -> None:
    s = manager_session
    user = staff.add(s, "nadia", dirty("Nadia North"), Role.WORKER, "walnut canyon lantern violet")
    assert user.full_name == "Nadia North"
    for bad in ("nad\u200bia", "\u202enadia", "nadia\x00"):
        with pytest.raises(ValidationError, match="invisible or control characters"):
            staff.add(s, bad, "Nadia", Role.WORKER, "walnut canyon lantern violet")


def test_set_up_cleans_the_organisation_and_first_manager(tmp_path: Path, clock: FakeClock) -> None:
    session, _ = auth.setup_vault(
        VaultFolder(tmp_path / "v"),
        auth.Organisation(dirty("North Aid"), dirty("Elm House"), dirty("1 Elm Rd") + "\nLeeds"),
        "mira",
        dirty("Mira Manager"),
        "walnut canyon lantern violet",
        clock=clock,
    )
    try:
        org = settings.org_info(session)
        assert (org.org_name, org.refuge_name, org.refuge_address) == (
            "North Aid",
            "Elm House",
            "1 Elm Rd\nLeeds",
        )
        assert session.user.full_name == "Mira Manager"
    finally:
        session.close()


# --- import -------------------------------------------------------------------------------


def test_import_applies_the_same_rules_and_warns_per_line(manager_session: Session) -> None:
    s = manager_session
    rooms.save(s, Room(name="Rose"))
    header = ",".join(importer.COLUMNS)
    lines = [
        "\u200bfull_name\u200b,preferred_name,date_of_birth,arrival_date,room,languages,"
        "phone,notes,abuser_name",
        f"{dirty('Amira Haddad')},Mimi,,,{dirty('Rose')},{dirty('Arabic')},{dirty('0770')},"
        f'"{dirty("first")}\r\n{dirty("second")}",{dirty("Karim")}',
        "Аnna Smith,,,,,,,,",  # a Cyrillic А
        "Оксана Коваленко,Оксана,,,,,,,",
        "نرگس می\u200cنویسد,,,,,,,,",
    ]
    assert header.startswith("full_name")
    done = importer.import_residents(s, ("\r\n".join(lines) + "\r\n").encode())
    assert [d.line for d in done] == [2, 4, 5, 6]  # the notes of line 2 take two lines
    amira = residents.get(s, residents.id_for_reference(s, done[0].reference))
    assert (amira.full_name, amira.languages, amira.notes) == (
        "Amira Haddad",
        "Arabic",
        "first\nsecond",
    )
    assert amira.phones[0].number == "0770" and amira.abusers[0].name == "Karim"
    assert amira.room_id is not None  # the room was found by its cleaned name
    assert done[0].warnings == () and done[2].warnings == () and done[3].warnings == ()
    assert done[1].warnings == (
        "Full name mixes Latin and Cyrillic letters within a word: the А (word 1, letter 1) "
        "is Cyrillic but looks like the Latin A.",
    )
    persian = residents.get(s, residents.id_for_reference(s, done[3].reference))
    assert persian.full_name == "نرگس می\u200cنویسد"


def test_a_transfer_package_arrives_cleaned(manager_session: Session, tmp_path: Path) -> None:
    """A package made by a refuge whose records predate these rules (written straight to the
    repository there)."""
    s = manager_session
    rid, _ = residents_repo.insert(
        s.db,
        Resident(
            full_name=dirty("Samira Haddad"),
            notes=dirty("Note") + "\nline",
            children=[Child(full_name=dirty("Lina"))],
        ),
        s.stamp(),
        s.user.id,
    )
    out = transfer.build(s, rid)
    other, _ = auth.setup_vault(
        VaultFolder(tmp_path / "other"),
        auth.Organisation("North Aid", "Elm House"),
        "nadia",
        "Nadia North",
        "walnut canyon lantern violet",
        clock=FakeClock(),
    )
    try:
        arrived = transfer.receive(other, out.data, out.passphrase)
        got = residents.get(other, arrived.resident_id)
        assert (got.full_name, got.notes, got.children[0].full_name) == (
            "Samira Haddad",
            "Note\nline",
            "Lina",
        )
    finally:
        other.close()

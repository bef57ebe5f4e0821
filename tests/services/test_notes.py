"""Case notes on a real vault: add, amend, never edited, restriction by role, search."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlcipher3

from refuge_desk.domain.errors import NotFound, PermissionDenied, ValidationError
from refuge_desk.domain.notes import NoteType
from refuge_desk.domain.residents import Resident, Status
from refuge_desk.domain.roles import Role
from refuge_desk.services import notes, residents
from refuge_desk.services import staff as staff_service
from refuge_desk.services.session import Session
from tests.conftest import VOLUNTEER, WORKER, FakeClock, sign_in_as

OTHER = ("other", "Olga Other", "maple rocket velvet harbour")


def resident(session: Session, name: str = "Amina Hassan", preferred: str = "Amina") -> int:
    stored = residents.save(
        session, Resident(full_name=name, preferred_name=preferred, status=Status.REFERRAL)
    )
    assert stored.id is not None
    return stored.id


def test_add_lists_newest_first_and_validates(manager_session: Session, clock: FakeClock) -> None:
    rid = resident(manager_session)
    earlier = clock() - dt.timedelta(days=2)
    a = notes.add(manager_session, rid, "Called the GP.", NoteType.PHONE, earlier)
    b = notes.add(manager_session, rid, "Key-work session about housing.")
    page = notes.list_notes(manager_session, rid)
    assert [n.id for n in page.notes] == [b.id, a.id]
    assert page.total == 2 and page.hidden_restricted == 0
    assert a.happened_at == earlier and a.note_type is NoteType.PHONE
    assert b.author == "Mira Manager" and b.happened_at == clock()
    with pytest.raises(ValidationError) as err:
        notes.add(manager_session, rid, "  ", happened_at=clock() + dt.timedelta(hours=2))
    assert len(err.value.problems) == 2
    actions = [r[0] for r in manager_session.db.query("SELECT action FROM audit_log")]
    assert actions.count("notes.add") == 2


def test_amend_keeps_both_and_links(manager_session: Session, clock: FakeClock) -> None:
    rid = resident(manager_session)
    original = notes.add(manager_session, rid, "Appointment on Tuesday.")
    clock.advance(3600)
    fix = notes.amend(manager_session, original.id, "It was Wednesday.")
    again = notes.amend(manager_session, fix.id, "Confirmed Wednesday with her.")
    assert fix.amends_id == original.id and again.amends_id == original.id
    page = notes.list_notes(manager_session, rid)
    assert [n.id for n in page.notes] == [original.id]
    shown = page.notes[0]
    assert shown.text == "Appointment on Tuesday." and shown.amended
    assert [a.text for a in shown.amendments] == [
        "It was Wednesday.",
        "Confirmed Wednesday with her.",
    ]


def test_update_trigger_holds(manager_session: Session) -> None:
    rid = resident(manager_session)
    note = notes.add(manager_session, rid, "Original words.")
    with pytest.raises(sqlcipher3.DatabaseError, match="never edited"):
        manager_session.db.execute(
            "UPDATE case_notes SET body = 'changed' WHERE id = ?", (note.id,)
        )
    assert notes.get(manager_session, note.id).text == "Original words."


def test_restricted_by_role(manager_session: Session, vault_dir: Path, clock: FakeClock) -> None:
    staff_service.add(manager_session, OTHER[0], OTHER[1], Role.WORKER, OTHER[2])
    rid = resident(manager_session)
    secret = notes.add(manager_session, rid, "Zanzibar restricted by manager.", restricted=True)
    notes.add(manager_session, rid, "Zanzibar open note.")
    worker = sign_in_as(vault_dir, WORKER, clock)
    other = sign_in_as(vault_dir, OTHER, clock)
    try:
        page = notes.list_notes(worker, rid)
        assert [n.text for n in page.notes] == ["Zanzibar open note."]
        assert page.total == 1 and page.hidden_restricted == 1
        assert notes.count(worker, rid) == 1
        assert len(notes.search(worker, "zanzibar").hits) == 1
        assert len(notes.search(worker, "zanzibar", rid).hits) == 1
        with pytest.raises(NotFound):
            notes.get(worker, secret.id)
        with pytest.raises(NotFound):
            notes.amend(worker, secret.id, "I should not be able to.")

        own = notes.add(worker, rid, "Quokka: worker's own restricted note.", restricted=True)
        assert notes.get(worker, own.id).restricted
        assert len(notes.search(worker, "quokka").hits) == 1
        assert len(notes.search(manager_session, "quokka").hits) == 1
        assert notes.search(other, "quokka").hits == ()
        assert notes.search(other, "quokka", rid).hits == ()
        assert notes.list_notes(other, rid).hidden_restricted == 2
        # A manager's amendment of her restricted note is restricted, and she sees it.
        fix = notes.amend(manager_session, own.id, "Quokka amended by the manager.")
        assert fix.restricted
        assert [a.id for a in notes.get(worker, own.id).amendments] == [fix.id]
        assert notes.search(other, "quokka amended").hits == ()
        assert notes.list_notes(manager_session, rid).total == 3
    finally:
        worker.close()
        other.close()


def test_volunteer_is_refused(manager_session: Session, vault_dir: Path, clock: FakeClock) -> None:
    rid = resident(manager_session)
    note = notes.add(manager_session, rid, "Open note.")
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        for call in (
            lambda: notes.list_notes(volunteer, rid),
            lambda: notes.count(volunteer, rid),
            lambda: notes.get(volunteer, note.id),
            lambda: notes.search(volunteer, "open"),
            lambda: notes.search(volunteer, "open", rid),
            lambda: notes.add(volunteer, rid, "Not allowed."),
            lambda: notes.amend(volunteer, note.id, "Not allowed."),
        ):
            with pytest.raises(PermissionDenied):
                call()
    finally:
        volunteer.close()


def test_search_resident_and_global(manager_session: Session, clock: FakeClock) -> None:
    amina = resident(manager_session)
    zofia = resident(manager_session, "Zofia Wójcik", "")
    notes.add(manager_session, amina, "Housing bid sent to the council.")
    clock.advance(60)
    notes.add(manager_session, zofia, "She asked about the housing register.")
    clock.advance(60)
    notes.add(manager_session, zofia, "Nursery place for her daughter.")
    mine = notes.search(manager_session, "hous", amina)
    assert [h.resident_id for h in mine.hits] == [amina]
    assert "[Housing]" in mine.hits[0].snippet
    everyone = notes.search(manager_session, "housing")
    assert [h.resident_id for h in everyone.hits] == [zofia, amina]  # newest written first
    hit = everyone.hits[0]
    assert hit.name == "Zofia Wójcik" and hit.reference.startswith("R")
    assert everyone.hits[1].name == "Amina"
    first = notes.search(manager_session, "housing", limit=1)
    second = notes.search(manager_session, "housing", limit=1, offset=1)
    assert first.has_more and not second.has_more
    assert first.hits[0].note_id != second.hits[0].note_id
    assert notes.search(manager_session, "housing nursery").hits == ()


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        '"housing',
        "housing*",
        "*",
        "NEAR(housing bid)",
        "housing AND",
        "OR NOT",
        "(housing",
        "body:housing",
        "^housing",
        "-housing",
        "ho\x00using",
        "😀",
        "ﷺ",
        "  ",
    ],
)
def test_hostile_input_never_errors(manager_session: Session, typed: str) -> None:
    rid = resident(manager_session)
    notes.add(manager_session, rid, "Housing bid sent.")
    notes.search(manager_session, typed)
    notes.search(manager_session, typed, rid)


def test_prefix_with_many_words_falls_back(manager_session: Session) -> None:
    rid = resident(manager_session)
    words = " ".join(f"qwx{chr(97 + i)}{chr(97 + j)}" for i in range(6) for j in range(6))
    notes.add(manager_session, rid, "Long list: " + words)
    assert notes.EXPAND_CAP < 36
    mine = notes.search(manager_session, "qwx", rid)  # 36 words start with qwx: a real prefix
    assert len(mine.hits) == 1 and "[qwxaa]" in mine.hits[0].snippet
    assert len(notes.search(manager_session, "qwx").hits) == 1
    assert len(notes.search(manager_session, "qwxa", rid).hits) == 1  # expanded to 6 words


def test_a_restricted_amendment_of_her_open_note_stays_hidden_from_her(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    """Review finding: the author of an OPEN note saw others' restricted amendments of it."""
    from refuge_desk.services.export import transfer

    staff_service.add(manager_session, OTHER[0], OTHER[1], Role.WORKER, OTHER[2])
    rid = resident(manager_session)
    wendy = sign_in_as(vault_dir, WORKER, clock)
    olga = sign_in_as(vault_dir, OTHER, clock)
    mine = notes.add(wendy, rid, "Open note about housing.")
    notes.amend(olga, mine.id, "Zebrafish disclosure, restricted.", restricted=True)
    notes.amend(manager_session, mine.id, "Kingfisher concern, managers only.", restricted=True)
    assert notes.get(wendy, mine.id).amendments == ()
    assert [a for n in notes.list_notes(wendy, rid).notes for a in n.amendments] == []
    assert not notes.search(wendy, "zebrafish").hits
    assert not notes.search(wendy, "kingfisher").hits
    assert [n.text for n in transfer.note_choices(wendy, rid)] == ["Open note about housing."]
    # while a correction of her own RESTRICTED note is still hers to read
    own = notes.add(wendy, rid, "Her restricted note.", restricted=True)
    fixed = notes.amend(manager_session, own.id, "Manager's correction.", restricted=True)
    assert [a.id for a in notes.get(wendy, own.id).amendments] == [fixed.id]
    wendy.close()
    olga.close()

"""Move-on transfer between two real vaults: her record, children and plan history arrive as a
new resident; wrong passphrase, damage and a second import are refused plainly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest

from refuge_desk.domain.errors import PermissionDenied, UserError
from refuge_desk.domain.residents import Abuser, Child, Resident, Status
from refuge_desk.services import auth, plans, residents
from refuge_desk.services.export import transfer
from refuge_desk.services.session import Session
from refuge_desk.store.vault import VaultFolder
from tests.conftest import VOLUNTEER, FakeClock, sign_in_as


@pytest.fixture
def other_refuge(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    session, _ = auth.setup_vault(
        VaultFolder(tmp_path / "other"),
        auth.Organisation("North Aid", "Elm House", "1 Elm Road"),
        "nadia",
        "Nadia North",
        "walnut canyon lantern violet",
        clock=clock,
    )
    yield session
    session.close()


def _leaving(session: Session) -> int:
    res = residents.save(
        session,
        Resident(
            full_name="Samira Haddad",
            status=Status.RESIDENT,
            arrival_date=session.today(),
            notes="Private worker note",
            abusers=[Abuser(name="Omar Haddad")],
            children=[Child(full_name="Lina Haddad", school="Oak Primary")],
        ),
    )
    assert res.id is not None
    for words in ("first plan", "second plan"):
        state = plans.start_draft(session, res.id)
        assert state.draft is not None
        rev = plans.save_draft(
            session, res.id, dict(state.draft.content, worries=words), state.draft.revision
        )
        plans.finalise(session, res.id, rev)
    return res.id


def test_round_trip_to_another_refuge(manager_session: Session, other_refuge: Session) -> None:
    rid = _leaving(manager_session)
    out = transfer.build(manager_session, rid, include_notes=False)
    assert len(out.passphrase.split()) == 6
    arrived = transfer.receive(other_refuge, out.data, out.passphrase)
    assert arrived.versions == 2 and arrived.from_reference == "R-0001"
    res = residents.get(other_refuge, arrived.resident_id)
    assert res.full_name == "Samira Haddad" and res.status is Status.REFERRAL
    assert res.notes == ""  # the worker chose not to send notes
    assert [c.full_name for c in res.children] == ["Lina Haddad"]
    assert res.abusers[0].name == "Omar Haddad"
    _, v2 = plans.version(other_refuge, arrived.resident_id, 2)
    assert v2.content["worries"] == "second plan"
    assert transfer.transferred_from(other_refuge, arrived.resident_id).startswith(
        "Transferred from another refuge (their R-0001)"
    )
    with pytest.raises(UserError, match="already imported"):
        transfer.receive(other_refuge, out.data, out.passphrase)
    assert len(residents.list_residents(other_refuge)) == 1


def test_wrong_passphrase_damage_and_roles(
    manager_session: Session, other_refuge: Session, vault_dir: Path, clock: FakeClock
) -> None:
    rid = _leaving(manager_session)
    out = transfer.build(manager_session, rid)
    with pytest.raises(UserError, match="could not be opened"):
        transfer.receive(other_refuge, out.data, "wrong words entirely here now please")
    damaged = bytearray(out.data)
    damaged[len(damaged) // 2] ^= 1
    with pytest.raises(UserError, match="could not be opened"):
        transfer.receive(other_refuge, bytes(damaged), out.passphrase)
    with pytest.raises(UserError, match="could not be opened"):
        transfer.receive(other_refuge, out.data[:200], out.passphrase)
    assert residents.list_residents(other_refuge) == []
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        with pytest.raises(PermissionDenied):
            transfer.build(volunteer, rid)
    finally:
        volunteer.close()


def test_the_package_opens_with_age_and_the_passphrase_alone(manager_session: Session) -> None:
    rid = _leaving(manager_session)
    out = transfer.build(manager_session, rid)
    plain = pyrage.passphrase.decrypt(out.data, out.passphrase)
    assert plain[:2] == b"\x1f\x8b"  # a gzip tar inside


def test_chosen_case_notes_travel_with_their_amendments(
    manager_session: Session, other_refuge: Session
) -> None:
    from refuge_desk.services import notes

    rid = _leaving(manager_session)
    kept = notes.add(manager_session, rid, "Housing officer call: bidding number 4471.")
    fixed = notes.amend(manager_session, kept.id, "Correction: bidding number is 4417.")
    notes.add(manager_session, rid, "Not for the next refuge.")
    choices = transfer.note_choices(manager_session, rid)
    assert [n.id for n in choices][:2] == [kept.id, fixed.id]
    with pytest.raises(UserError):
        transfer.build(manager_session, rid, note_ids=[999_999])
    out = transfer.build(manager_session, rid, note_ids=[kept.id, fixed.id])
    arrived = transfer.receive(other_refuge, out.data, out.passphrase)
    page = notes.list_notes(other_refuge, arrived.resident_id)
    assert page.total == 1  # the amendment sits under its original, as it did there
    [original] = page.notes
    assert "bidding number 4471" in original.text and "Transferred from" in original.text
    assert [a.text.split("\n")[-1] for a in original.amendments] == [
        "Correction: bidding number is 4417."
    ]
    assert original.happened_at == kept.happened_at

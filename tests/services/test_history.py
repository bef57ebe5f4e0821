"""Change history: old and new value, who and when; a manager puts an old value back."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from refuge_desk.domain.errors import PermissionDenied, ValidationError
from refuge_desk.domain.residents import Child, Resident, Status
from refuge_desk.services import history, residents
from refuge_desk.services.session import Session
from tests.conftest import VOLUNTEER, WORKER, FakeClock, sign_in_as


def _her(session: Session) -> Resident:
    return residents.save(
        session,
        Resident(full_name="Amina Hassan", status=Status.REFERRAL, languages="Arabic"),
    )


def test_each_change_keeps_before_after_who_and_when(
    manager_session: Session, vault_dir, clock: FakeClock
) -> None:
    her = _her(manager_session)
    assert her.id is not None
    created = {c.field: c for c in history.for_resident(manager_session, her.id)}
    assert (
        created["full_name"].old_value is None and created["full_name"].new_value == "Amina Hassan"
    )
    worker = sign_in_as(vault_dir, WORKER, clock)
    clock.advance(60)
    changed = residents.save(
        worker,
        dataclasses.replace(
            residents.get(worker, her.id),
            languages="Arabic, English",
            children=[Child(full_name="Lina")],
        ),
    )
    rows = history.for_resident(manager_session, her.id)
    latest = {c.field: c for c in rows if c.at == changed.updated_at}
    assert latest["languages"].old_value == "Arabic"
    assert latest["languages"].new_value == "Arabic, English"
    assert latest["languages"].who == WORKER[1]
    added = latest["children · Lina · full_name"]
    assert (added.old_value, added.new_value) == (None, "Lina")
    assert not history.restorable(added)  # list items: shown, edited on the record
    assert history.field_label(added) == "Children · Lina · full name"
    assert "full_name" not in latest
    worker.close()


def test_a_manager_puts_an_old_value_back_as_a_new_change(
    manager_session: Session, vault_dir, clock: FakeClock
) -> None:
    her = _her(manager_session)
    assert her.id is not None
    residents.save(manager_session, dataclasses.replace(her, languages="Farsi"))
    change = next(
        c for c in history.for_resident(manager_session, her.id, "languages") if c.old_value
    )
    back = residents.restore_value(manager_session, change.id)
    assert back.languages == "Arabic"
    newest = history.for_resident(manager_session, her.id, "languages")[0]
    assert (newest.old_value, newest.new_value) == ("Farsi", "Arabic")
    fields = {c.field for c in history.for_resident(manager_session, her.id)}
    assert not {"status", "email_safety"} & fields  # a blank record's defaults: not changes
    worker = sign_in_as(vault_dir, WORKER, clock)
    with pytest.raises(PermissionDenied):
        residents.restore_value(worker, change.id)
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    with pytest.raises(PermissionDenied):
        history.for_resident(volunteer, her.id)
    worker.close()
    volunteer.close()


def test_lists_cannot_be_put_back_field_by_field(manager_session: Session) -> None:
    her = _her(manager_session)
    assert her.id is not None
    residents.save(manager_session, dataclasses.replace(her, children=[Child(full_name="Omar")]))
    change = next(
        c for c in history.for_resident(manager_session, her.id) if c.field.startswith("children")
    )
    with pytest.raises(ValidationError):
        residents.restore_value(manager_session, change.id)


def test_each_child_keeps_her_own_field_history(manager_session: Session) -> None:
    her = _her(manager_session)
    assert her.id is not None
    her = residents.save(
        manager_session,
        dataclasses.replace(
            her, children=[Child(full_name="Omar", school="Oak Primary"), Child(full_name="Sara")]
        ),
    )
    omar, sara = her.children
    her = residents.save(
        manager_session,
        dataclasses.replace(her, children=[dataclasses.replace(omar, school="Elm Academy"), sara]),
    )
    residents.save(manager_session, dataclasses.replace(her, children=[her.children[0]]))
    rows = history.for_resident(manager_session, her.id)
    school = [(c.old_value, c.new_value) for c in rows if c.field == "children · Omar · school"]
    assert school == [("Oak Primary", "Elm Academy"), (None, "Oak Primary")]
    assert not [c for c in rows if c.field.startswith("children · Sara") and "school" in c.field]
    removed = next(c for c in rows if c.field == "children · Sara · full_name")
    assert (removed.old_value, removed.new_value) == ("Sara", None)  # she is not forgotten


def test_rooms_and_court_orders_keep_their_history_too(manager_session: Session) -> None:
    import datetime as dt

    from refuge_desk.domain.deadlines import CourtOrder
    from refuge_desk.domain.residents import Room
    from refuge_desk.services import orders, rooms

    room = rooms.save(manager_session, Room(name="Garden room", beds=2))
    assert room.id is not None
    rooms.save(manager_session, dataclasses.replace(room, beds=3))
    newest = history.for_room(manager_session, room.id)[0]  # newest first
    assert (newest.field, newest.old_value, newest.new_value) == ("beds", "2", "3")

    her = _her(manager_session)
    assert her.id is not None
    order = orders.save(
        manager_session,
        CourtOrder(
            id=None,
            resident_id=her.id,
            order_type="non_molestation",
            expires_on=dt.date(2027, 1, 31),
        ),
    )
    orders.save(manager_session, dataclasses.replace(order, expires_on=dt.date(2027, 6, 30)))
    mine = [c for c in history.for_resident(manager_session, her.id) if c.entity == "court_order"]
    expiry = next(c for c in mine if c.field == "expires_on" and c.old_value)
    assert (expiry.old_value, expiry.new_value) == ("2027-01-31", "2027-06-30")
    assert not history.restorable(expiry)  # put back on the order itself, not from here


def test_only_changes_with_a_value_to_go_back_to_can_be_put_back(manager_session: Session) -> None:
    her = residents.save(
        manager_session,
        Resident(
            full_name="Amina Hassan",
            status=Status.RESIDENT,
            arrival_date=dt.date(2026, 9, 1),
            languages="Arabic",
            interpreter_needed=True,
        ),
    )
    assert her.id is not None
    created = {c.field: c for c in history.for_resident(manager_session, her.id)}
    assert not history.restorable(created["full_name"])  # there was no name before
    assert not history.restorable(created["status"])
    assert not history.restorable(created["interpreter_needed"])
    with pytest.raises(ValidationError):
        residents.restore_value(manager_session, created["status"].id)
    assert not history.restorable(created["languages"])
    assert history.restorable(created["arrival_date"])  # a date may be unset again
    changed = residents.save(
        manager_session,
        dataclasses.replace(residents.get(manager_session, her.id), languages="Arabic, French"),
    )
    [update] = [
        c for c in history.for_resident(manager_session, her.id, "languages") if c.old_value
    ]
    assert residents.restore_value(manager_session, update.id).languages == "Arabic"
    assert changed.languages == "Arabic, French"


def test_taking_off_the_first_abuser_is_not_read_as_renaming_the_second(
    manager_session: Session, clock: FakeClock
) -> None:
    from refuge_desk.domain.residents import Abuser, Phone

    her = residents.save(
        manager_session,
        Resident(
            full_name="Amina Hassan",
            abusers=[Abuser(name="Dan Smith", vehicle="red van"), Abuser(name="Lee Brown")],
            phones=[Phone(number="07700 900111"), Phone(number="07700 900222")],
        ),
    )
    assert her.id is not None
    clock.advance(60)
    residents.save(
        manager_session, dataclasses.replace(her, abusers=her.abusers[1:], phones=her.phones[1:])
    )
    rows = history.for_resident(manager_session, her.id)
    newest = {(c.field, c.old_value, c.new_value) for c in rows if c.at == rows[0].at}
    assert newest == {
        ("abusers · Dan Smith · name", "Dan Smith", None),
        ("abusers · Dan Smith · vehicle", "red van", None),
        ("phones · 07700 900111 · number", "07700 900111", None),
        ("phones · 07700 900111 · safety", "unsafe", None),
    }
    added = {c.field for c in rows if c.field.startswith("phones · 07700 900222")}
    assert added == {"phones · 07700 900222 · number"}  # its default "unsafe" is no change

"""Change history: old and new value, who and when; a manager puts an old value back."""

from __future__ import annotations

import dataclasses

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
    assert "Lina" in (latest["children"].new_value or "")
    assert not history.restorable(latest["children"])  # lists: shown, edited on the record
    assert {"languages", "children"} <= set(latest) and "full_name" not in latest
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
    back = history.restore_value(manager_session, change.id)
    assert back.languages == "Arabic"
    newest = history.for_resident(manager_session, her.id, "languages")[0]
    assert (newest.old_value, newest.new_value) == ("Farsi", "Arabic")
    children = next(c for c in history.for_resident(manager_session, her.id) if c.field == "status")
    assert children.new_value == "referral"
    worker = sign_in_as(vault_dir, WORKER, clock)
    with pytest.raises(PermissionDenied):
        history.restore_value(worker, change.id)
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    with pytest.raises(PermissionDenied):
        history.for_resident(volunteer, her.id)
    worker.close()
    volunteer.close()


def test_lists_cannot_be_put_back_field_by_field(manager_session: Session) -> None:
    her = _her(manager_session)
    assert her.id is not None
    residents.save(manager_session, dataclasses.replace(her, children=[Child(full_name="Omar")]))
    change = next(c for c in history.for_resident(manager_session, her.id) if c.field == "children")
    with pytest.raises(ValidationError):
        history.restore_value(manager_session, change.id)

"""Drafts: unsaved edits parked inside the vault, per user, surviving close and re-open."""

from __future__ import annotations

from pathlib import Path

import pytest

from refuge_desk.domain.errors import PermissionDenied
from refuge_desk.domain.roles import Role
from refuge_desk.services import drafts, staff
from refuge_desk.services.session import Session
from refuge_desk.store import drafts_repo
from tests.conftest import MANAGER, VOLUNTEER, WORKER, FakeClock, sign_in_as

PAYLOAD = {
    "full_name": "Оксана Коваленко",
    "notes": "half-typed note",
    "children": [{"full_name": "Child", "date_of_birth": "2020-01-01"}],
}


def test_park_mine_load_discard(manager_session: Session, clock: FakeClock) -> None:
    drafts.park(manager_session, drafts.RESIDENT, None, PAYLOAD)
    clock.advance(60)
    drafts.park(manager_session, drafts.RESIDENT, 7, {"full_name": "Edited"})
    clock.advance(60)
    drafts.park(manager_session, drafts.RESIDENT, None, {**PAYLOAD, "notes": "more typed"})
    rows = drafts.mine(manager_session)
    assert [(r.kind, r.record_id) for r in rows] == [("resident", None), ("resident", 7)]
    assert drafts.load(rows[0]) == {**PAYLOAD, "notes": "more typed"}
    assert rows[0].updated_at == "2026-11-24T10:02:00+00:00"
    assert drafts.load(rows[1]) == {"full_name": "Edited"}
    drafts.discard(manager_session, drafts.RESIDENT, None)
    assert [r.record_id for r in drafts.mine(manager_session)] == [7]
    drafts.discard(manager_session, drafts.RESIDENT, 7)
    assert drafts.mine(manager_session) == []


def test_drafts_survive_close_and_belong_to_their_author(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    drafts.park(manager_session, drafts.RESIDENT, None, PAYLOAD)
    manager_session.close()
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        assert drafts.mine(worker) == []
    finally:
        worker.close()
    again = sign_in_as(vault_dir, MANAGER, clock)
    try:
        rows = drafts.mine(again)
        assert len(rows) == 1
        assert drafts.load(rows[0]) == PAYLOAD
    finally:
        again.close()


# -- drafts and roles ----------------------------------------------------------------------------
CASE_DETAIL = {"full_name": "Amira Haddad", "immigration_status": "No leave", "nrpf": True}


def _audit(session: Session, action: str) -> list[str]:
    rows = session.db.query("SELECT ref FROM audit_log WHERE action = ?", (action,))
    return [str(r[0]) for r in rows]


def _worker_parks_two_drafts(vault_dir: Path, clock: FakeClock) -> int:
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        drafts.park(worker, drafts.RESIDENT, None, CASE_DETAIL)
        drafts.park(worker, drafts.RESIDENT, 3, {"full_name": "Edited"})
        assert len(drafts.mine(worker)) == 2
        return worker.user.id
    finally:
        worker.close()


def test_volunteer_cannot_park_or_see_resident_drafts(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        with pytest.raises(PermissionDenied, match="Relief / volunteer"):
            drafts.park(volunteer, drafts.RESIDENT, None, CASE_DETAIL)
        # Her session never opens the case database, where drafts are kept.
        assert drafts.mine(volunteer) == []
        with pytest.raises(PermissionDenied, match="case records"):
            drafts_repo.for_user(volunteer.case_db, volunteer.user.id)
    finally:
        volunteer.close()


def test_made_volunteer_loses_her_resident_drafts_with_an_audit_entry(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    uid = _worker_parks_two_drafts(vault_dir, clock)
    staff.change_role(manager_session, uid, Role.MANAGER)  # still sees case detail: kept
    assert len(drafts_repo.for_user(manager_session.db, uid)) == 2
    assert _audit(manager_session, "drafts.drop") == []

    staff.change_role(manager_session, uid, Role.VOLUNTEER)
    assert drafts_repo.for_user(manager_session.db, uid) == []
    assert _audit(manager_session, "drafts.drop") == [f"user:{uid}:2"]
    # The manager's own drafts are not touched.
    drafts.park(manager_session, drafts.RESIDENT, None, CASE_DETAIL)
    staff.change_role(manager_session, uid, Role.VOLUNTEER)
    assert len(drafts.mine(manager_session)) == 1


def test_disable_drops_her_resident_drafts_with_an_audit_entry(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    uid = _worker_parks_two_drafts(vault_dir, clock)
    staff.disable(manager_session, uid)
    assert drafts_repo.for_user(manager_session.db, uid) == []
    assert _audit(manager_session, "drafts.drop") == [f"user:{uid}:2"]
    assert _audit(manager_session, "staff.disable") == [f"user:{uid}"]


def test_staff_list_is_for_roles_that_see_case_detail(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:  # a worker picks key workers from it
        names = {u.username for u in staff.list_staff(worker)}
        assert names == {MANAGER[0], WORKER[0], VOLUNTEER[0]}
    finally:
        worker.close()
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        with pytest.raises(PermissionDenied, match="see the list of staff"):
            staff.list_staff(volunteer)
    finally:
        volunteer.close()

"""Drafts: unsaved edits parked inside the vault, per user, surviving close and re-open."""

from __future__ import annotations

from pathlib import Path

from refuge_desk.services import drafts
from refuge_desk.services.session import Session
from tests.conftest import MANAGER, WORKER, FakeClock, sign_in_as

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

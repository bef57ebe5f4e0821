"""Restricted case notes under their own keys: who reads them, search in memory, amendments,
and nothing of them in the shared search index."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from refuge_desk.domain.residents import Resident, Status
from refuge_desk.services import notes, residents, staff
from refuge_desk.services.session import Session
from refuge_desk.store.notes_repo import MANAGERS, MANAGERS_PUBLIC, READERS
from tests.conftest import MANAGER, WORKER, FakeClock, sign_in_as

SECRET = "Quetzal disclosure about her brother"


def _her(session: Session) -> int:
    her = residents.save(
        session,
        Resident(
            full_name="Nadia Haddad", status=Status.RESIDENT, arrival_date=dt.date(2026, 11, 1)
        ),
    )
    assert her.id is not None
    return her.id


def test_a_workers_restricted_note_reaches_the_managers_key_at_a_managers_sign_in(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    rid = _her(manager_session)
    manager_session.close()
    worker = sign_in_as(vault_dir, WORKER, clock)
    note = notes.add(worker, rid, SECRET, restricted=True)
    assert notes.get(worker, note.id).text == SECRET  # her own
    wraps = {
        r[0]
        for r in worker.db.query("SELECT recipient FROM note_keys WHERE note_id = ?", (note.id,))
    }
    # She holds no managers' key (and the note names its readers, signed by her).
    assert wraps == {f"user:{worker.user.id}", MANAGERS_PUBLIC, READERS}
    worker.close()
    boss = sign_in_as(vault_dir, MANAGER, clock)
    try:
        assert notes.get(boss, note.id).text == SECRET
        wraps = {
            r[0]
            for r in boss.db.query("SELECT recipient FROM note_keys WHERE note_id = ?", (note.id,))
        }
        assert MANAGERS in wraps and MANAGERS_PUBLIC not in wraps  # moved at her sign-in
        hits = notes.search(boss, "quetz")
        assert [h.note_id for h in hits.hits] == [note.id] and "[Quetzal]" in hits.hits[0].snippet
        # Nothing restricted is in the shared index.
        assert (
            boss.db.query("SELECT rowid FROM case_notes_fts WHERE case_notes_fts MATCH 'quetzal'")
            == []
        )
    finally:
        boss.close()


def test_a_worker_finds_only_the_restricted_notes_she_may_read(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    rid = _her(manager_session)
    managers_note = notes.add(manager_session, rid, SECRET + " (manager's)", restricted=True)
    manager_session.close()
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        mine = notes.add(worker, rid, SECRET + " (mine)", restricted=True)
        found = {h.note_id for h in notes.search(worker, "quetzal").hits}
        assert found == {mine.id}
        assert managers_note.id not in {n.id for n in notes.list_notes(worker, rid).notes}
    finally:
        worker.close()


def test_an_amendment_of_a_restricted_note_follows_it(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    rid = _her(manager_session)
    manager_session.close()
    worker = sign_in_as(vault_dir, WORKER, clock)
    original = notes.add(worker, rid, SECRET, restricted=True)
    worker.close()
    boss = sign_in_as(vault_dir, MANAGER, clock)
    correction = notes.amend(boss, original.id, "Correction: it was her cousin")
    assert correction.restricted
    boss.close()
    worker = sign_in_as(vault_dir, WORKER, clock)  # the original's author reads the correction
    try:
        [shown] = [n for n in notes.list_notes(worker, rid).notes if n.id == original.id]
        assert [a.text for a in shown.amendments] == ["Correction: it was her cousin"]
    finally:
        worker.close()


def test_a_reset_passphrase_keeps_her_restricted_notes_readable(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    rid = _her(manager_session)
    manager_session.close()
    worker = sign_in_as(vault_dir, WORKER, clock)
    note = notes.add(worker, rid, SECRET, restricted=True)
    uid = worker.user.id
    worker.close()
    boss = sign_in_as(vault_dir, MANAGER, clock)
    staff.reset_passphrase(boss, uid, "lilac trombone meadow vortex")
    boss.close()
    clock.advance(60)
    worker = sign_in_as(vault_dir, (WORKER[0], WORKER[1], "lilac trombone meadow vortex"), clock)
    try:
        assert notes.get(worker, note.id).text == SECRET  # rewrapped for her new keys
    finally:
        worker.close()

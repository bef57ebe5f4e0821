"""Case notes: written once, never edited; corrections are amendments linked to the original.

Restricted notes are for managers and the author only; the filter is in the SQL of every
read (list, count, search), so nothing restricted ever reaches a worker's screen or memory.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from refuge_desk.domain import notes as note_domain
from refuge_desk.domain.errors import NotFound, ValidationError
from refuge_desk.domain.notes import Note, NotePage, NoteType, SearchPage
from refuge_desk.domain.roles import Role
from refuge_desk.domain.text import clean
from refuge_desk.services.session import Session
from refuge_desk.store import notes_repo, residents_repo
from refuge_desk.store.notes_repo import Viewer

PAGE = 50
MAX_PAGE = 500
# A typed prefix becomes an OR of up to this many whole words; beyond, a real prefix query.
EXPAND_CAP = 24


def _require(session: Session, what: str = "read case notes") -> Viewer:
    session.require(session.role.sees_case_detail, what)
    return Viewer(session.user.id, session.role is Role.MANAGER)


def _reference(session: Session, resident_id: int) -> str:
    view = residents_repo.rota(session.db, resident_id)
    if view is None:
        raise NotFound("That resident's record no longer exists.")
    return view.reference


def _bounds(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(limit, MAX_PAGE)), max(0, offset)


def _check(session: Session, text: str, happened_at: dt.datetime) -> None:
    problems = note_domain.validate(text, happened_at, session.now())
    if problems:
        raise ValidationError(problems)


def add(
    session: Session,
    resident_id: int,
    text: str,
    note_type: NoteType = NoteType.KEY_WORK,
    happened_at: dt.datetime | None = None,
    restricted: bool = False,
) -> Note:
    viewer = _require(session, "write case notes")
    when = happened_at or session.now()
    text = clean(text, multiline=True)
    _check(session, text, when)
    reference = _reference(session, resident_id)
    with session.db.transaction():
        note_id = notes_repo.insert(
            session.db,
            resident_id,
            when,
            NoteType(note_type),
            text,
            restricted,
            None,
            session.user.id,
            session.stamp(),
        )
        session.audit("notes.add", reference)
    return get(session, note_id, viewer)


def amend(
    session: Session,
    note_id: int,
    text: str,
    happened_at: dt.datetime | None = None,
    restricted: bool = False,
) -> Note:
    """A new note linked to the original (an amendment of an amendment links to the original).

    It keeps the original's type; an amendment of a restricted note is restricted too.
    """
    viewer = _require(session, "amend case notes")
    target = notes_repo.get(session.db, note_id, viewer)
    if target is None:
        raise NotFound("That note does not exist, or you may not see it.")
    original = target
    if target.amends_id is not None:
        found = notes_repo.get(session.db, target.amends_id, viewer)
        if found is None:
            raise NotFound("The note this amends does not exist, or you may not see it.")
        original = found
    when = happened_at or session.now()
    text = clean(text, multiline=True)
    _check(session, text, when)
    reference = _reference(session, original.resident_id)
    with session.db.transaction():
        new_id = notes_repo.insert(
            session.db,
            original.resident_id,
            when,
            original.note_type,
            text,
            original.restricted or restricted,
            original.id,
            session.user.id,
            session.stamp(),
        )
        session.audit("notes.amend", reference)
    return get(session, new_id, viewer)


def get(session: Session, note_id: int, viewer: Viewer | None = None) -> Note:
    viewer = viewer or _require(session)
    note = notes_repo.get(session.db, note_id, viewer)
    if note is None:
        raise NotFound("That note does not exist, or you may not see it.")
    if note.amends_id is None:
        found = notes_repo.amendments(session.db, [note.id], viewer).get(note.id, [])
        note = dataclasses.replace(note, amendments=tuple(found))
    return note


def list_notes(session: Session, resident_id: int, limit: int = PAGE, offset: int = 0) -> NotePage:
    """One page of her notes, newest first, each with its amendments (oldest first)."""
    viewer = _require(session)
    limit, offset = _bounds(limit, offset)
    db = session.db
    originals = notes_repo.originals(db, resident_id, viewer, limit, offset)
    found = notes_repo.amendments(db, [n.id for n in originals], viewer)
    notes = tuple(dataclasses.replace(n, amendments=tuple(found.get(n.id, []))) for n in originals)
    total, hidden = notes_repo.count_originals(db, resident_id, viewer)
    return NotePage(notes, total, hidden)


def count(session: Session, resident_id: int) -> int:
    viewer = _require(session)
    return notes_repo.count_originals(session.db, resident_id, viewer)[0]


def search(
    session: Session,
    text: str,
    resident_id: int | None = None,
    limit: int = PAGE,
    offset: int = 0,
) -> SearchPage:
    """Notes whose words start with every word typed. Her notes newest first; across all
    residents most recently written first. Typed text is never FTS5 syntax."""
    viewer = _require(session, "search case notes")
    limit, offset = _bounds(limit, offset)
    db = session.db
    query = note_domain.fts_query(text, lambda w: notes_repo.words_starting(db, w, EXPAND_CAP))
    if not query:
        return SearchPage((), False)
    if resident_id is None:
        hits = notes_repo.search_all(db, query, viewer, limit + 1, offset)
    elif not note_domain.uses_prefix(query):
        hits = notes_repo.search_resident(db, resident_id, query, viewer, limit + 1, offset)
    else:
        terms = note_domain.search_terms(text)
        hits = [
            dataclasses.replace(hit, snippet=note_domain.plain_snippet(body, terms))
            for hit, body in notes_repo.search_resident_plain(
                db, resident_id, query, viewer, limit + 1, offset
            )
        ]
    return SearchPage(tuple(hits[:limit]), len(hits) > limit)

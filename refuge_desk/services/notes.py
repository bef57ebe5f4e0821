"""Case notes: written once, never edited; corrections are amendments linked to the original.

Restricted notes are for managers and the author only; the filter is in the SQL of every
read (list, count, search), and their text is sealed under a key only those readers hold
(services/note_seal.py), so a case key alone opens none of them. They are not in the shared
search index: a search opens the restricted notes the reader may see, in memory, and matches
them with the index's own rule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from refuge_desk.domain import notes as note_domain
from refuge_desk.domain.errors import NotFound, ValidationError
from refuge_desk.domain.notes import Note, NotePage, NoteType, SearchHit, SearchPage
from refuge_desk.domain.roles import Role
from refuge_desk.domain.text import clean
from refuge_desk.services import note_seal
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
        note_id = _insert(
            session, resident_id, when, NoteType(note_type), text, restricted, None, None
        )
        session.audit("notes.add", reference)
    return get(session, note_id, viewer)


def _insert(
    session: Session,
    resident_id: int,
    when: dt.datetime,
    note_type: NoteType,
    text: str,
    restricted: bool,
    amends_id: int | None,
    amends_author: int | None,
) -> int:
    """Inside the caller's transaction. A restricted note of a vault with keys per account
    is stored sealed."""
    db, author = session.db, session.user.id
    if not (restricted and note_seal.can_seal(session)):
        return notes_repo.insert(
            db, resident_id, when, note_type, text, restricted, amends_id, author, session.stamp()
        )
    note_id = notes_repo.next_id(db)
    sealed, key = note_seal.seal_new(session, note_id, resident_id, author, text)
    notes_repo.insert(
        db,
        resident_id,
        when,
        note_type,
        "",
        True,
        amends_id,
        author,
        session.stamp(),
        note_id=note_id,
        sealed=sealed,
    )
    note_seal.store_keys(session, note_id, key, author, amends_author, resident_id)
    return note_id


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
        new_id = _insert(
            session,
            original.resident_id,
            when,
            original.note_type,
            text,
            original.restricted or restricted,
            original.id,
            # Its author reads a correction of HER restricted note only (notes_repo._VISIBLE):
            # a restricted amendment of an open note is not for her, so no key is made for her.
            original.author_id if original.restricted else None,
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
    return note_seal.open_note(session, note)


def list_notes(session: Session, resident_id: int, limit: int = PAGE, offset: int = 0) -> NotePage:
    """One page of her notes, newest first, each with its amendments (oldest first)."""
    viewer = _require(session)
    limit, offset = _bounds(limit, offset)
    db = session.db
    originals = notes_repo.originals(db, resident_id, viewer, limit, offset)
    found = notes_repo.amendments(db, [n.id for n in originals], viewer)
    notes = tuple(
        note_seal.open_note(session, dataclasses.replace(n, amendments=tuple(found.get(n.id, []))))
        for n in originals
    )
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
    want = offset + limit + 1  # merged with the restricted notes below, then cut to the page
    if resident_id is None:
        hits = notes_repo.search_all(db, query, viewer, want, 0)
    elif not note_domain.uses_prefix(query):
        hits = notes_repo.search_resident(db, resident_id, query, viewer, want, 0)
    else:
        terms = note_domain.search_terms(text)
        hits = [
            dataclasses.replace(hit, snippet=note_domain.plain_snippet(body, terms))
            for hit, body in notes_repo.search_resident_plain(
                db, resident_id, query, viewer, want, 0
            )
        ]
    hits += _restricted_hits(session, viewer, text, resident_id)
    if resident_id is None:
        hits.sort(key=lambda h: h.note_id, reverse=True)
    else:
        hits.sort(key=lambda h: (h.happened_at, h.note_id), reverse=True)
    page = hits[offset : offset + limit + 1]
    return SearchPage(tuple(page[:limit]), len(page) > limit)


def _restricted_hits(
    session: Session, viewer: Viewer, text: str, resident_id: int | None
) -> list[SearchHit]:
    """Restricted notes are not in the search index: the ones she may see are opened in
    memory and matched by the index's own rule."""
    terms = note_domain.search_terms(text)
    out = []
    for note, reference, preferred, full in notes_repo.restricted_visible(
        session.db, viewer, resident_id
    ):
        opened = note_seal.open_note(session, note)
        if opened.text == note_seal.CANNOT_OPEN or not note_domain.text_matches(opened.text, text):
            continue
        out.append(
            SearchHit(
                note_id=note.id,
                resident_id=note.resident_id,
                reference=reference,
                name=preferred.strip() or full,
                full_name=full,
                happened_at=note.happened_at,
                note_type=note.note_type,
                author=note.author,
                restricted=True,
                is_amendment=note.amends_id is not None,
                snippet=note_domain.plain_snippet(opened.text, terms),
            )
        )
    return out

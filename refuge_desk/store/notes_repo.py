"""Case notes and their full-text index (case_notes_fts). SQL only; rows come back as Notes.

Every read takes the viewer (manager? who?) so restricted notes are filtered in SQL, never
in Python: a restricted note is visible to managers, its author, and the author of the note
it amends (so a worker sees a manager's correction of her own restricted note).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from refuge_desk.domain.notes import Note, NoteType, SearchHit
from refuge_desk.store.db import Database, Row


@dataclass(frozen=True, slots=True)
class Viewer:
    user_id: int
    manager: bool

    def params(self) -> dict[str, Any]:
        return {"me": self.user_id, "mgr": 1 if self.manager else 0}


_VISIBLE = (
    "(n.restricted = 0 OR :mgr = 1 OR n.author_id = :me OR EXISTS ("
    # A correction of HER OWN restricted note: never someone else's restricted amendment of
    # an open note of hers.
    "SELECT 1 FROM case_notes o WHERE o.id = n.amends_id AND o.author_id = :me "
    "AND o.restricted = 1))"
)
_COLS = (
    "n.id, n.resident_id, n.happened_at, n.note_type, n.body, n.restricted, n.amends_id, "
    "n.author_id, COALESCE(s.full_name, ''), n.created_at"
)
_FROM = "FROM case_notes n LEFT JOIN staff s ON s.id = n.author_id"
SNIPPET_OPEN = "["
SNIPPET_CLOSE = "]"


def to_stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _moment(value: object) -> dt.datetime:
    moment = dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _note(r: Row) -> Note:
    return Note(
        id=int(r[0]),
        resident_id=int(r[1]),
        happened_at=_moment(r[2]),
        note_type=NoteType(r[3]),
        text=str(r[4]),
        restricted=bool(r[5]),
        amends_id=None if r[6] is None else int(r[6]),
        author_id=None if r[7] is None else int(r[7]),
        author=str(r[8]),
        created_at=str(r[9]),
    )


def insert(
    db: Database,
    resident_id: int,
    happened_at: dt.datetime,
    note_type: NoteType,
    text: str,
    restricted: bool,
    amends_id: int | None,
    author_id: int,
    now: str,
) -> int:
    return db.execute(
        "INSERT INTO case_notes (resident_id, happened_at, note_type, body, restricted, "
        "amends_id, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            resident_id,
            to_stamp(happened_at),
            note_type.value,
            text,
            1 if restricted else 0,
            amends_id,
            author_id,
            now,
        ),
    )


def get(db: Database, note_id: int, viewer: Viewer) -> Note | None:
    r = db.query_one(
        f"SELECT {_COLS} {_FROM} WHERE n.id = :id AND {_VISIBLE}",
        {"id": note_id, **viewer.params()},
    )
    return _note(r) if r else None


def exists(db: Database, note_id: int) -> bool:
    return db.scalar("SELECT 1 FROM case_notes WHERE id = ?", (note_id,)) is not None


def originals(
    db: Database, resident_id: int, viewer: Viewer, limit: int, offset: int
) -> list[Note]:
    """Her notes that are not amendments, newest first (index case_notes_resident)."""
    rows = db.query(
        f"SELECT {_COLS} {_FROM} WHERE n.resident_id = :rid AND n.amends_id IS NULL "
        f"AND {_VISIBLE} ORDER BY n.happened_at DESC, n.id DESC LIMIT :limit OFFSET :offset",
        {"rid": resident_id, "limit": limit, "offset": offset, **viewer.params()},
    )
    return [_note(r) for r in rows]


def amendments(db: Database, note_ids: list[int], viewer: Viewer) -> dict[int, list[Note]]:
    """Visible amendments of these notes, oldest first, by the note they amend."""
    out: dict[int, list[Note]] = {}
    if not note_ids:
        return out
    marks = ", ".join(f":n{i}" for i in range(len(note_ids)))
    params = {f"n{i}": nid for i, nid in enumerate(note_ids)} | viewer.params()
    rows = db.query(
        f"SELECT {_COLS} {_FROM} WHERE n.amends_id IN ({marks}) AND {_VISIBLE} "
        "ORDER BY n.created_at, n.id",
        params,
    )
    for r in rows:
        note = _note(r)
        assert note.amends_id is not None
        out.setdefault(note.amends_id, []).append(note)
    return out


def count_originals(db: Database, resident_id: int, viewer: Viewer) -> tuple[int, int]:
    """(originals she may see, restricted originals she may not see)."""
    r = db.query_one(
        f"SELECT count(*) FILTER (WHERE {_VISIBLE}), count(*) FILTER (WHERE NOT {_VISIBLE}) "
        "FROM case_notes n WHERE n.resident_id = :rid AND n.amends_id IS NULL",
        {"rid": resident_id, **viewer.params()},
    )
    assert r is not None
    return int(r[0]), int(r[1])


def _snippet(tokens: int) -> str:
    return f"snippet(case_notes_fts, 0, '{SNIPPET_OPEN}', '{SNIPPET_CLOSE}', '…', {tokens})"


def _hit(r: Row) -> SearchHit:
    preferred, full = str(r[4]).strip(), str(r[5])
    return SearchHit(
        note_id=int(r[0]),
        resident_id=int(r[1]),
        reference=str(r[3]),
        name=preferred or full,
        full_name=full,
        happened_at=_moment(r[2]),
        note_type=NoteType(r[6]),
        author=str(r[7]),
        restricted=bool(r[8]),
        is_amendment=r[9] is not None,
        snippet=str(r[10]),
    )


_HIT_COLS = (
    "n.id, n.resident_id, n.happened_at, r.reference, r.preferred_name, r.full_name, "
    "n.note_type, COALESCE(s.full_name, ''), n.restricted, n.amends_id"
)


def search_resident(
    db: Database, resident_id: int, query: str, viewer: Viewer, limit: int, offset: int
) -> list[SearchHit]:
    """Her notes (amendments too) matching ``query``, newest first.

    CROSS JOIN keeps her notes the outer loop: a common word may match 100,000 notes
    vault-wide, but she has a few hundred, each checked against the index by rowid.
    """
    rows = db.query(
        f"SELECT {_HIT_COLS}, {_snippet(16)} FROM case_notes n "
        "CROSS JOIN case_notes_fts ON case_notes_fts.rowid = n.id "
        "JOIN residents r ON r.id = n.resident_id LEFT JOIN staff s ON s.id = n.author_id "
        f"WHERE n.resident_id = :rid AND case_notes_fts MATCH :q AND {_VISIBLE} "
        "ORDER BY n.happened_at DESC, n.id DESC LIMIT :limit OFFSET :offset",
        {"rid": resident_id, "q": query, "limit": limit, "offset": offset, **viewer.params()},
    )
    return [_hit(r) for r in rows]


def search_all(
    db: Database, query: str, viewer: Viewer, limit: int, offset: int
) -> list[SearchHit]:
    """Matching notes of every resident, most recently written first.

    Ordered by rowid (notes are written roughly in time order), which FTS5 walks backwards
    without sorting: a common word costs the same as a rare one, and the snippet is made only
    for the rows returned. Sorting by happened_at would sort every match.
    """
    rows = db.query(
        f"SELECT {_HIT_COLS}, {_snippet(12)} FROM case_notes_fts "
        "CROSS JOIN case_notes n ON n.id = case_notes_fts.rowid "
        "JOIN residents r ON r.id = n.resident_id LEFT JOIN staff s ON s.id = n.author_id "
        f"WHERE case_notes_fts MATCH :q AND {_VISIBLE} "
        "ORDER BY case_notes_fts.rowid DESC LIMIT :limit OFFSET :offset",
        {"q": query, "limit": limit, "offset": offset, **viewer.params()},
    )
    return [_hit(r) for r in rows]


def search_resident_plain(
    db: Database, resident_id: int, query: str, viewer: Viewer, limit: int, offset: int
) -> list[tuple[SearchHit, str]]:
    """As ``search_resident`` for a query with real prefix terms, which FTS5 cannot look up
    note by note cheaply: one pass over the index, no snippet (the caller makes one from the
    body returned alongside)."""
    rows = db.query(
        f"SELECT {_HIT_COLS}, '', n.body FROM case_notes n "
        "JOIN residents r ON r.id = n.resident_id LEFT JOIN staff s ON s.id = n.author_id "
        "WHERE n.resident_id = :rid AND n.id IN "
        "(SELECT rowid FROM case_notes_fts WHERE case_notes_fts MATCH :q) "
        f"AND {_VISIBLE} ORDER BY n.happened_at DESC, n.id DESC LIMIT :limit OFFSET :offset",
        {"rid": resident_id, "q": query, "limit": limit, "offset": offset, **viewer.params()},
    )
    return [(_hit(r), str(r[11])) for r in rows]


def words_starting(db: Database, prefix: str, cap: int) -> list[str] | None:
    """Whole words in the index starting with an ASCII ``prefix``; None if none or over cap.

    Reads the index's own vocabulary through a TEMP fts5vocab table: it lives in this
    connection's memory only and changes nothing in the vault file.
    """
    low = prefix.lower()
    if not low or not low.isascii():
        return None
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.case_notes_vocab "
        "USING fts5vocab('main', 'case_notes_fts', 'row')"
    )
    high = low[:-1] + chr(ord(low[-1]) + 1)
    rows = db.query(
        "SELECT term FROM temp.case_notes_vocab WHERE term >= ? AND term < ? LIMIT ?",
        (low, high, cap + 1),
    )
    words = [str(r[0]) for r in rows]
    return words if 0 < len(words) <= cap else None

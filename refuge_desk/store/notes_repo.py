"""Case notes and their full-text index (case_notes_fts). SQL only; rows come back as Notes.

Every read takes the viewer (manager? who?) so restricted notes are filtered in SQL, never
in Python: a restricted note is visible to managers, its author, and the author of the note
it amends (so a worker sees a manager's correction of her own restricted note).

Beyond that filter, a restricted note's text is sealed (``sealed``: nonce || AES-256-GCM under
the note's own key; ``body`` is empty) and never enters the search index. ``note_keys`` holds
the note's key wrapped for each recipient: "managers" (under the managers' key) and
"user:<id>" (for that account's X25519 key). The service opens them; this module only stores.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from refuge_desk.domain.notes import Note, NoteType, SearchHit
from refuge_desk.store import crypto
from refuge_desk.store.db import Database, Row
from refuge_desk.store.keymem import wipe
from refuge_desk.store.values import from_stamp, to_stamp


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
    "n.author_id, COALESCE(s.full_name, '') AS author_name, n.created_at, n.sealed"
)
MANAGERS = "managers"  # under the managers' key (AES-GCM)
MANAGERS_PUBLIC = "managers-pub"  # for its public half, by a support worker, until moved
# Not a key: who the note is for, signed by whoever sealed it (its author, or a manager for
# a note sealed at a 0.1 vault's move). A manager's session hands a missing key only to a
# reader named here: case_notes' author and amends columns are in a table every support
# worker can change.
READERS = "readers"


def readers_body(
    vault_id: str, note_id: int, resident_id: int, author_id: int | None, readers: list[str]
) -> bytes:
    listed = ",".join(sorted(readers))
    return (
        f"refuge-desk/v2/note-readers|{vault_id}|{note_id}|{resident_id}|{author_id}|{listed}"
    ).encode()


def text_label(vault_id: str, note_id: int, resident_id: int, author_id: int | None) -> bytes:
    """What a restricted note's sealed text is bound to: this note, of her, by its author."""
    return f"refuge-desk/v2/note|{vault_id}|{note_id}|{resident_id}|{author_id}".encode()


def key_label(vault_id: str, note_id: int, recipient: str) -> bytes:
    return f"refuge-desk/v2/note-key|{vault_id}|{note_id}|{recipient}".encode()


_FROM = "FROM case_notes n LEFT JOIN staff s ON s.id = n.author_id"
SNIPPET_OPEN = "["
SNIPPET_CLOSE = "]"


def _note(r: Row) -> Note:
    return Note(
        id=int(r["id"]),
        resident_id=int(r["resident_id"]),
        happened_at=from_stamp(r["happened_at"]),
        note_type=NoteType(r["note_type"]),
        text=str(r["body"]),
        restricted=bool(r["restricted"]),
        amends_id=None if r["amends_id"] is None else int(r["amends_id"]),
        author_id=None if r["author_id"] is None else int(r["author_id"]),
        author=str(r["author_name"]),
        created_at=str(r["created_at"]),
        sealed=None if r["sealed"] is None else bytes(r["sealed"]),
    )


def next_id(db: Database) -> int:
    """The id the next note gets (call inside the write transaction that inserts it)."""
    return int(db.scalar("SELECT coalesce(max(id), 0) + 1 FROM case_notes"))


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
    *,
    note_id: int | None = None,
    sealed: bytes | None = None,
) -> int:
    """A new note; a sealed one stores ``sealed`` and no text."""
    return db.execute(
        "INSERT INTO case_notes (id, resident_id, happened_at, note_type, body, restricted, "
        "amends_id, author_id, created_at, sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            note_id,
            resident_id,
            to_stamp(happened_at),
            note_type.value,
            "" if sealed is not None else text,
            1 if restricted else 0,
            amends_id,
            author_id,
            now,
            sealed,
        ),
    )


def put_key(db: Database, note_id: int, recipient: str, epoch: int, wrapped: bytes) -> None:
    db.execute(
        "INSERT INTO note_keys (note_id, recipient, epoch, wrapped) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (note_id, recipient) DO UPDATE SET epoch = excluded.epoch, "
        "wrapped = excluded.wrapped",
        (note_id, recipient, epoch, wrapped),
    )


def drop_key(db: Database, note_id: int, recipient: str) -> None:
    db.execute("DELETE FROM note_keys WHERE note_id = ? AND recipient = ?", (note_id, recipient))


def wrapped_keys(db: Database, note_ids: list[int], recipient: str) -> dict[int, bytes]:
    if not note_ids:
        return {}
    out: dict[int, bytes] = {}
    for start in range(0, len(note_ids), 500):
        chunk = note_ids[start : start + 500]
        rows = db.query(
            f"SELECT note_id, wrapped FROM note_keys WHERE recipient = ? "
            f"AND note_id IN ({', '.join('?' * len(chunk))})",
            (recipient, *chunk),
        )
        out.update({int(r["note_id"]): bytes(r["wrapped"]) for r in rows})
    return out


def unsealed_restricted(db: Database) -> list[tuple[int, int, int | None, str]]:
    """Restricted notes whose text is still plain (written before keys per account):
    (id, resident, author, text)."""
    rows = db.query(
        "SELECT id, resident_id, author_id, body FROM case_notes "
        "WHERE restricted = 1 AND sealed IS NULL ORDER BY id"
    )
    return [
        (
            int(r["id"]),
            int(r["resident_id"]),
            None if r["author_id"] is None else int(r["author_id"]),
            str(r["body"]),
        )
        for r in rows
    ]


def seal_existing(db: Database, note_id: int, sealed: bytes) -> None:
    """The one update a note allows (see migration 10): its plain text becomes sealed."""
    db.execute("UPDATE case_notes SET body = '', sealed = ? WHERE id = ?", (sealed, note_id))


def recipients_missing(db: Database) -> list[tuple[int, int, int | None, str]]:
    """Sealed notes lacking a key for a reader who should have one: (id, resident, author,
    recipient), the recipient being "user:<author>" or the author of the RESTRICTED note it
    amends (as ``_VISIBLE``: a restricted amendment of an open note is not for its author)."""
    rows = db.query(
        "SELECT n.id, n.resident_id, n.author_id, 'user:' || w.uid AS recipient FROM case_notes n "
        "JOIN (SELECT id AS nid, author_id AS uid FROM case_notes "
        "      UNION SELECT a.id, o.author_id FROM case_notes a "
        "      JOIN case_notes o ON o.id = a.amends_id AND o.restricted = 1) w ON w.nid = n.id "
        "WHERE n.sealed IS NOT NULL AND w.uid IS NOT NULL AND NOT EXISTS ("
        "  SELECT 1 FROM note_keys k WHERE k.note_id = n.id AND k.recipient = 'user:' || w.uid)"
    )
    return [
        (
            int(r["id"]),
            int(r["resident_id"]),
            None if r["author_id"] is None else int(r["author_id"]),
            str(r["recipient"]),
        )
        for r in rows
    ]


def without_managers_key(db: Database) -> list[int]:
    """Sealed notes whose key is not (yet) under the managers' key: a support worker's,
    wrapped for each manager's public key until a manager's session moves it."""
    rows = db.query(
        "SELECT n.id FROM case_notes n WHERE n.sealed IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM note_keys k WHERE k.note_id = n.id AND k.recipient = 'managers')"
    )
    return [int(r["id"]) for r in rows]


def rewrap_for_managers(
    db: Database,
    vault_id: str,
    old_key: bytes | bytearray,
    new_key: bytes | bytearray,
    epoch: int,
    keep: set[str],
) -> int:
    """At a rekey: every note key for the managers under the new managers' key; the keys of
    readers who no longer hold an account (``keep`` lists those who do) go. Returns how many
    were rewrapped."""
    rows = db.query("SELECT note_id, wrapped FROM note_keys WHERE recipient = ?", (MANAGERS,))
    updates = []
    for r in rows:
        note_id = int(r["note_id"])
        label = key_label(vault_id, note_id, MANAGERS)
        key = crypto.unseal(old_key, bytes(r["wrapped"]), label)
        try:
            updates.append((epoch, crypto.seal(new_key, key, label), note_id, MANAGERS))
        finally:
            wipe(key)
    db.executemany(
        "UPDATE note_keys SET epoch = ?, wrapped = ? WHERE note_id = ? AND recipient = ?", updates
    )
    gone = [
        (str(r["recipient"]),)
        for r in db.query(
            "SELECT DISTINCT recipient FROM note_keys WHERE recipient NOT IN (?, ?)",
            (MANAGERS, READERS),
        )
        if str(r["recipient"]) not in keep
    ]
    db.executemany("DELETE FROM note_keys WHERE recipient = ?", gone)
    return len(updates)


def restricted_visible(
    db: Database, viewer: Viewer, resident_id: int | None
) -> list[tuple[Note, str, str, str]]:
    """Every restricted note the viewer may see (of one resident, or of all), with the
    resident's reference, preferred and full name: the search over them happens in memory."""
    where = "n.restricted = 1"
    params: dict[str, Any] = dict(viewer.params())
    if resident_id is not None:
        where += " AND n.resident_id = :rid"
        params["rid"] = resident_id
    rows = db.query(
        f"SELECT {_COLS}, r.reference, r.preferred_name, r.full_name {_FROM} "
        f"JOIN residents r ON r.id = n.resident_id WHERE {where} AND {_VISIBLE} "
        "ORDER BY n.id DESC",
        params,
    )
    return [
        (_note(r), str(r["reference"]), str(r["preferred_name"]), str(r["full_name"])) for r in rows
    ]


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
        f"SELECT count(*) FILTER (WHERE {_VISIBLE}) AS visible, "
        f"count(*) FILTER (WHERE NOT {_VISIBLE}) AS hidden "
        "FROM case_notes n WHERE n.resident_id = :rid AND n.amends_id IS NULL",
        {"rid": resident_id, **viewer.params()},
    )
    assert r is not None
    return int(r["visible"]), int(r["hidden"])


def _snippet(tokens: int) -> str:
    return f"snippet(case_notes_fts, 0, '{SNIPPET_OPEN}', '{SNIPPET_CLOSE}', '…', {tokens})"


def _hit(r: Row) -> SearchHit:
    preferred, full = str(r["preferred_name"]).strip(), str(r["full_name"])
    return SearchHit(
        note_id=int(r["id"]),
        resident_id=int(r["resident_id"]),
        reference=str(r["reference"]),
        name=preferred or full,
        full_name=full,
        happened_at=from_stamp(r["happened_at"]),
        note_type=NoteType(r["note_type"]),
        author=str(r["author_name"]),
        restricted=bool(r["restricted"]),
        is_amendment=r["amends_id"] is not None,
        snippet=str(r["snippet"]),
    )


_HIT_COLS = (
    "n.id, n.resident_id, n.happened_at, r.reference, r.preferred_name, r.full_name, "
    "n.note_type, COALESCE(s.full_name, '') AS author_name, n.restricted, n.amends_id"
)


def search_resident(
    db: Database, resident_id: int, query: str, viewer: Viewer, limit: int, offset: int
) -> list[SearchHit]:
    """Her notes (amendments too) matching ``query``, newest first.

    CROSS JOIN keeps her notes the outer loop: a common word may match 100,000 notes
    vault-wide, but she has a few hundred, each checked against the index by rowid.
    """
    rows = db.query(
        f"SELECT {_HIT_COLS}, {_snippet(16)} AS snippet FROM case_notes n "
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
        f"SELECT {_HIT_COLS}, {_snippet(12)} AS snippet FROM case_notes_fts "
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
        f"SELECT {_HIT_COLS}, '' AS snippet, n.body FROM case_notes n "
        "JOIN residents r ON r.id = n.resident_id LEFT JOIN staff s ON s.id = n.author_id "
        "WHERE n.resident_id = :rid AND n.id IN "
        "(SELECT rowid FROM case_notes_fts WHERE case_notes_fts MATCH :q) "
        f"AND {_VISIBLE} ORDER BY n.happened_at DESC, n.id DESC LIMIT :limit OFFSET :offset",
        {"rid": resident_id, "q": query, "limit": limit, "offset": offset, **viewer.params()},
    )
    return [(_hit(r), str(r["body"])) for r in rows]


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
    words = [str(r["term"]) for r in rows]
    return words if 0 < len(words) <= cap else None

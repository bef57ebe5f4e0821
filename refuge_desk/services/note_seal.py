"""Sealing and opening restricted case notes.

A restricted note's text is sealed with its own random key (AES-256-GCM, bound to the note,
the resident and the author). That key is stored twice in ``note_keys``: under the managers'
key (every manager, and the recovery key, can open it) and for the X25519 key of each person
the note is for besides them: its author, and for an amendment of a restricted note the author
of that note (never for the author of an open note a restricted amendment corrects: the
visibility rule of notes_repo._VISIBLE, which the keys must not exceed).
Someone holding only the case key — every support worker — sees ciphertext.
"""

from __future__ import annotations

import dataclasses
import json

from refuge_desk.domain.notes import Note
from refuge_desk.domain.roles import Role
from refuge_desk.services.session import Session
from refuge_desk.store import crypto, notes_repo
from refuge_desk.store.crypto import Unreadable
from refuge_desk.store.grants import Chain
from refuge_desk.store.keyfile import MANAGERS, user_ref
from refuge_desk.store.keymem import wipe

CANNOT_OPEN = (
    "[This restricted note cannot be opened with your keys. A manager can read it; if she "
    "cannot either, it was changed outside Refuge Desk.]"
)


def can_seal(session: Session) -> bool:
    """Sessions of a vault with keys per account (not a 0.1 vault before its move)."""
    return session.account is not None


def readers(chain: Chain, author_id: int | None, amends_author: int | None) -> dict[str, bytes]:
    """recipient -> X25519 public key, for the people a restricted note is for."""
    out: dict[str, bytes] = {}
    for uid in (author_id, amends_author):
        acc = chain.account(uid)
        if acc is not None and acc.joined and acc.receive:
            out[user_ref(acc.user_id)] = acc.receive
    return out


def seal_new(
    session: Session, note_id: int, resident_id: int, author_id: int, text: str
) -> tuple[bytes, bytearray]:
    """A new note's text sealed under a new key: (sealed text, the key for ``store_keys``)."""
    key = crypto.new_key()
    label = notes_repo.text_label(session.keyfile.vault_id, note_id, resident_id, author_id)
    try:
        return crypto.seal(key, text.encode("utf-8"), label), key
    except BaseException:
        wipe(key)
        raise


def store_keys(
    session: Session,
    note_id: int,
    key: bytearray,
    author_id: int,
    amends_author: int | None,
    resident_id: int | None = None,
) -> None:
    """The new note's key for its readers (after its row is in); the session keeps it."""
    try:
        chain = session.keyfile.chain()
        _store_keys(session, note_id, key, readers(chain, author_id, amends_author))
        if resident_id is not None:
            sign_readers(session, note_id, resident_id, author_id, amends_author)
    except BaseException:
        wipe(key)
        raise
    session.note_keys.put(str(note_id), key)


def sign_readers(
    session: Session,
    note_id: int,
    resident_id: int,
    author_id: int | None,
    amends_author: int | None,
) -> None:
    """Who the note is for, signed by this session's account (see notes_repo.READERS)."""
    if session.account is None:
        return
    people = sorted({user_ref(u) for u in (author_id, amends_author) if u is not None})
    body = notes_repo.readers_body(
        session.keyfile.vault_id, note_id, resident_id, author_id, people
    )
    record = {"readers": people, "by": session.user.id, "sig": crypto.b64(session.sign(body))}
    notes_repo.put_key(
        session.case_db,
        note_id,
        notes_repo.READERS,
        session.keyfile.epoch,
        json.dumps(record).encode(),
    )


def _signed_readers(
    session: Session, chain: Chain, note_id: int, resident_id: int, author_id: int | None
) -> set[str]:
    """The readers its sealer signed for this note, of this resident, by this author (empty
    when there is no such list, or its signature is not the author's or a manager's)."""
    raw = notes_repo.wrapped_keys(session.case_db, [note_id], notes_repo.READERS).get(note_id)
    if raw is None:
        return set()
    try:
        record = json.loads(raw)
        people = [str(p) for p in record["readers"]]
        by, sig = int(record["by"]), crypto.unb64(str(record["sig"]))
    except (ValueError, KeyError, TypeError):
        return set()
    signer = chain.account(by)
    if by != author_id and (signer is None or not signer.active or signer.role != "manager"):
        return set()
    body = notes_repo.readers_body(
        session.keyfile.vault_id, note_id, resident_id, author_id, people
    )
    if not any(crypto.verify(k, sig, body) for k in chain.signing_keys.get(by, set())):
        return set()
    return set(people)


def _opens_as_stored(
    session: Session, key: bytearray, note_id: int, resident_id: int, author_id: int | None
) -> bool:
    """The note's text opens with this key under the label its row claims (author and
    resident as stored): the row was not moved or re-attributed since it was sealed."""
    sealed = session.case_db.scalar("SELECT sealed FROM case_notes WHERE id = ?", (note_id,))
    if sealed is None:
        return False
    label = notes_repo.text_label(session.keyfile.vault_id, note_id, resident_id, author_id)
    try:
        wipe(crypto.unseal(key, bytes(sealed), label))
    except Unreadable:
        return False
    return True


def _store_keys(session: Session, note_id: int, key: bytearray, people: dict[str, bytes]) -> None:
    kf, db = session.keyfile, session.case_db
    managers = session.keys.get(MANAGERS)
    if managers is not None:
        label = notes_repo.key_label(kf.vault_id, note_id, MANAGERS)
        notes_repo.put_key(db, note_id, MANAGERS, kf.epoch, crypto.seal(managers, key, label))
    else:
        # Only a manager holds the managers' key: a support worker seals for its public half
        # (signed into the statements), and a manager's session later moves it under the key.
        public = kf.chain().managers_receive
        if public:
            people[notes_repo.MANAGERS_PUBLIC] = public
    for recipient, public in people.items():
        label = notes_repo.key_label(kf.vault_id, note_id, recipient)
        notes_repo.put_key(db, note_id, recipient, kf.epoch, crypto.wrap_to(public, key, label))


def _key_for(session: Session, note_id: int) -> bytearray | None:
    cached = session.note_keys.get(str(note_id))
    if cached is not None:
        return cached
    kf, db = session.keyfile, session.case_db
    managers = session.keys.get(MANAGERS)
    key: bytearray | None = None
    if managers is not None:
        wrapped = notes_repo.wrapped_keys(db, [note_id], MANAGERS).get(note_id)
        if wrapped is not None:
            try:
                label = notes_repo.key_label(kf.vault_id, note_id, MANAGERS)
                key = crypto.unseal(managers, wrapped, label)
            except Unreadable:
                key = None
    if key is None and managers is not None:
        wrapped = notes_repo.wrapped_keys(db, [note_id], notes_repo.MANAGERS_PUBLIC).get(note_id)
        if wrapped is not None:
            try:
                label = notes_repo.key_label(kf.vault_id, note_id, notes_repo.MANAGERS_PUBLIC)
                key = crypto.unwrap(crypto.managers_receive_key(managers), wrapped, label)
            except Unreadable:
                key = None
    if key is None and session.account is not None:
        me = user_ref(session.user.id)
        wrapped = notes_repo.wrapped_keys(db, [note_id], me).get(note_id)
        if wrapped is not None:
            try:
                label = notes_repo.key_label(kf.vault_id, note_id, me)
                key = crypto.unwrap(session.account.receive, wrapped, label)
            except Unreadable:
                key = None
    if key is not None:
        session.note_keys.put(str(note_id), key)
    return key


def open_note(session: Session, note: Note) -> Note:
    """The note with its text, as far as her keys open it."""
    opened = dataclasses.replace(
        note, amendments=tuple(open_note(session, a) for a in note.amendments)
    )
    if note.sealed is None:
        return dataclasses.replace(opened, sealed=None)
    key = _key_for(session, note.id)
    text = CANNOT_OPEN
    if key is not None:
        label = notes_repo.text_label(
            session.keyfile.vault_id, note.id, note.resident_id, note.author_id
        )
        try:
            plain = crypto.unseal(key, note.sealed, label)
            text = plain.decode("utf-8")
            wipe(plain)
        except (Unreadable, UnicodeDecodeError):
            text = CANNOT_OPEN
    return dataclasses.replace(opened, text=text, sealed=None)


def text_of(
    session: Session,
    note_id: int,
    resident_id: int,
    author_id: int | None,
    body: str,
    sealed: bytes | None,
) -> str:
    """A note's text from its stored columns (for reports that read rows, as the SAR does)."""
    if sealed is None:
        return body
    key = _key_for(session, note_id)
    if key is None:
        return CANNOT_OPEN
    label = notes_repo.text_label(session.keyfile.vault_id, note_id, resident_id, author_id)
    try:
        plain = crypto.unseal(key, sealed, label)
    except Unreadable:
        return CANNOT_OPEN
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError:
        return CANNOT_OPEN
    finally:
        wipe(plain)


def seal_legacy(session: Session) -> int:
    """Restricted notes written before keys per account: seal their text now (managers)."""
    if session.role is not Role.MANAGER or MANAGERS not in session.keys:
        return 0
    db = session.case_db
    rows = notes_repo.unsealed_restricted(db)
    if not rows:
        return 0
    chain = session.keyfile.chain()
    amended_by = {
        int(r["id"]): None if r["author_id"] is None else int(r["author_id"])
        for r in db.query(
            "SELECT a.id, o.author_id FROM case_notes a JOIN case_notes o ON o.id = a.amends_id "
            "WHERE a.restricted = 1 AND a.sealed IS NULL AND o.restricted = 1"
        )
    }
    with db.transaction():
        for note_id, resident_id, author_id, body in rows:
            key = crypto.new_key()
            try:
                label = notes_repo.text_label(
                    session.keyfile.vault_id, note_id, resident_id, author_id
                )
                sealed = crypto.seal(key, body.encode("utf-8"), label)
                # Out of the shared search index first (migration 10 did this for the notes of
                # the day it ran; a 0.1 session may have written more since).
                db.execute(
                    "INSERT INTO case_notes_fts (case_notes_fts, rowid, body) "
                    "SELECT 'delete', ?, ? WHERE EXISTS "
                    "(SELECT 1 FROM case_notes_fts WHERE rowid = ?)",
                    (note_id, body, note_id),
                )
                notes_repo.seal_existing(db, note_id, sealed)
                _store_keys(
                    session, note_id, key, readers(chain, author_id, amended_by.get(note_id))
                )
                sign_readers(session, note_id, resident_id, author_id, amended_by.get(note_id))
            finally:
                wipe(key)
    return len(rows)


def give_missing_keys(session: Session) -> int:
    """Sealed notes that lack a key for one of their readers (an author who made her keys
    after the note was sealed, a manager who joined): a manager's session adds them."""
    if session.role is not Role.MANAGER or MANAGERS not in session.keys:
        return 0
    db = session.case_db
    chain = session.keyfile.chain()
    added = 0
    missing = notes_repo.recipients_missing(db)
    pending_managers = notes_repo.without_managers_key(db)
    if not missing and not pending_managers:
        return 0
    with db.transaction():
        for note_id, resident_id, author_id, recipient in missing:
            acc = chain.account(int(recipient[5:]))
            if acc is None or not acc.joined or not acc.receive:
                continue
            # Who a note is for comes from its signed reader list, never from the rows alone.
            if recipient not in _signed_readers(session, chain, note_id, resident_id, author_id):
                continue
            key = _key_for(session, note_id)
            if key is None or not _opens_as_stored(session, key, note_id, resident_id, author_id):
                continue
            label = notes_repo.key_label(session.keyfile.vault_id, note_id, recipient)
            notes_repo.put_key(
                db,
                note_id,
                recipient,
                session.keyfile.epoch,
                crypto.wrap_to(acc.receive, key, label),
            )
            added += 1
        managers = session.keys.get(MANAGERS) or bytearray()
        for note_id in pending_managers:
            key = _key_for(session, note_id)
            if key is None:
                continue
            label = notes_repo.key_label(session.keyfile.vault_id, note_id, MANAGERS)
            notes_repo.put_key(
                db, note_id, MANAGERS, session.keyfile.epoch, crypto.seal(managers, key, label)
            )
            notes_repo.drop_key(db, note_id, notes_repo.MANAGERS_PUBLIC)
            added += 1
    return added


def rewrap_for_new_keys(session: Session, user_id: int) -> int:
    """After her passphrase was reset she has new keys: her notes' keys for her again (a
    manager's session, which opens them through the managers' key)."""
    if MANAGERS not in session.keys:
        return 0
    db = session.case_db
    db.execute("DELETE FROM note_keys WHERE recipient = ?", (user_ref(user_id),))
    return give_missing_keys(session)

"""Purge leaves no byte of her behind: not in the files, not in any table, not in a freed
page of the decrypted database. A second resident's sentinels must still be found (the
scans can see what they look for)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from refuge_desk.domain.deadlines import Application, CourtOrder, Immigration, TaskDraft
from refuge_desk.domain.residents import Abuser, Child, Phone, Resident, Status
from refuge_desk.domain.risk import IncidentInput
from refuge_desk.services import (
    drafts,
    immigration,
    notes,
    orders,
    plans,
    residents,
    retention,
    risk,
    tasks,
)
from refuge_desk.services.session import Session
from refuge_desk.store import audit_repo
from tests.raw import raw_connection

PAGE, RESERVE = 4096, 80  # SQLCipher 4 defaults: AES-256-CBC, 16-byte IV + 64-byte HMAC

# Her words, in several scripts; each is one search token so FTS stores it whole.
GONE = {
    "old_name": "Vornathelka",
    "name": "Qzvrathenna",
    "preferred": "Pqlomirva",
    "alias": "Жщыфырова",
    "notes": "Ølvbekkzeta",
    "phone": "077009182736",
    "abuser": "Brxtolemew",
    "vehicle": "Grellcarvan",
    "child": "Tuzzmorinda",
    "school": "Ficklewood",
    "case_note": "Kaseknotez",
    "case_note_ar": "مطابقةسريةجدا",
    "case_note_zh": "秘密哨兵文字",
    "plan": "ऋषिकेशगुप्तवर",
    "incident": "Incidorvex",
    "order": "Ordonnavex",
    "immigration": "Visamorblen",
    "application": "Appliquorn",
    "task": "Taskuvendra",
    "draft": "Drftparkedo",
}
KEPT = {"name": "Keepelindra", "case_note": "Keepnotarix"}


def _make_her(s: Session) -> tuple[int, str]:
    res = residents.save(
        s,
        Resident(
            full_name=f"{GONE['old_name']} Haddad",
            aliases=GONE["alias"],
            notes=f"Likes {GONE['notes']}",
            phones=[Phone(number=GONE["phone"])],
            abusers=[Abuser(name=GONE["abuser"], vehicle=GONE["vehicle"])],
            children=[
                Child(
                    full_name=f"{GONE['child']} Haddad",
                    school=GONE["school"],
                    date_of_birth=dt.date(1995, 1, 1),
                )
            ],
            status=Status.RESIDENT,
            arrival_date=dt.date(2017, 3, 1),
        ),
    )
    assert res.id is not None
    rid = res.id
    # Renamed once: the old name's words sit behind an FTS tombstone until a merge.
    res = residents.save(
        s,
        dataclasses.replace(
            res, full_name=f"{GONE['name']} Haddad", preferred_name=GONE["preferred"]
        ),
    )
    notes.add(s, rid, f"Met {GONE['case_note']} {GONE['case_note_ar']} {GONE['case_note_zh']}")
    state = plans.start_draft(s, rid)
    assert state.draft is not None
    content = dict(state.draft.content, worries=GONE["plan"])
    plans.finalise(s, rid, plans.save_draft(s, rid, content, state.draft.revision))
    risk.add_incident(s, rid, IncidentInput(dt.date(2018, 1, 2), f"He {GONE['incident']}"))
    orders.save(
        s, CourtOrder(resident_id=rid, conditions=GONE["order"], starts_on=dt.date(2018, 1, 3))
    )
    immigration.save(s, Immigration(resident_id=rid, notes=GONE["immigration"]))
    immigration.save_application(s, Application(resident_id=rid, notes=GONE["application"]))
    tasks.add(s, TaskDraft(title=f"Call {GONE['task']}", resident_id=rid))
    drafts.park(s, drafts.RESIDENT, rid, {"full_name": GONE["draft"]})
    drafts.park(s, drafts.CASE_NOTE, rid, {"text": GONE["draft"]})
    # Used: viewed, found by name and by note.
    residents.get(s, rid)
    assert residents.list_residents(s, search=GONE["name"])
    assert notes.search(s, GONE["case_note"]).hits
    moved = residents.get(s, rid)
    residents.save(
        s, dataclasses.replace(moved, status=Status.MOVED_ON, move_on_date=dt.date(2018, 6, 1))
    )
    return rid, res.reference


def _make_keeper(s: Session) -> None:
    res = residents.save(s, Resident(full_name=f"{KEPT['name']} Ola"))
    assert res.id is not None
    notes.add(s, res.id, f"Saw {KEPT['case_note']} today")


def _needles(words: dict[str, str]) -> list[bytes]:
    out: list[bytes] = []
    for w in words.values():
        for form in (w, w.lower()):
            out += [form.encode("utf-8"), form.encode("utf-16-le"), form.encode("utf-16-be")]
    return out


def _found(blob: bytes, words: dict[str, str]) -> set[str]:
    low = blob.lower()
    return {
        name for name, w in words.items() if any(n in blob or n in low for n in _needles({name: w}))
    }


def _decrypt_pages(path: Path, key: bytes) -> bytes:
    data = path.read_bytes()
    assert data and len(data) % PAGE == 0
    out = bytearray()
    for at in range(0, len(data), PAGE):
        page = data[at : at + PAGE]
        start = 16 if at == 0 else 0  # page 1 begins with the salt
        iv = page[PAGE - RESERVE : PAGE - RESERVE + 16]
        dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        out += dec.update(page[start : PAGE - RESERVE]) + dec.finalize()
    # The decrypted header of page 1: page size 4096 and 80 reserved bytes a page.
    assert out[0:2] == b"\x10\x00" and out[4] == RESERVE
    return bytes(out)


def test_purge_leaves_no_byte_of_her(manager_session: Session, tmp_path: Path) -> None:
    s = manager_session
    rid, ref = _make_her(s)
    _make_keeper(s)
    key = bytes(s.data_key)
    folder = s.folder.path

    assert retention.purge(s, rid, ref) == ref
    assert retention.compact(s) is True
    assert (ref, "resident.purged") in [(r, a) for _at, _u, a, r in audit_repo.recent(s.db, 3)]
    s.close()

    # 1. Every file in the vault folder, raw (encrypted: a weak check, but it must hold).
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert any(p.name == "vault.db" for p in files)
    for p in files:
        left = _found(p.read_bytes(), GONE)
        assert not left, p.name
    wal = folder / "vault.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0

    # 2. Decrypted, through SQL: integrity, then every text value of every table.
    conn = raw_connection(folder / "vault.db", key)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert (
            conn.execute("SELECT count(*) FROM residents WHERE id = ?", (rid,)).fetchone()[0] == 0
        )
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        by_table: dict[str, str] = {}
        for t in tables:
            values = [
                v.decode("utf-8", "replace") if isinstance(v, bytes) else v
                for row in conn.execute(f'SELECT * FROM "{t}"')
                for v in row
                if isinstance(v, str | bytes)
            ]
            by_table[t] = "\n".join(values).lower()
        left = {t: w for t, text in by_table.items() for w in GONE.values() if w.lower() in text}
        assert not left
        assert KEPT["name"].lower() in by_table["residents"]  # the keeper is still readable
        # 3. The whole database exported to plaintext, scanned as bytes.
        plain = tmp_path / "plain.db"
        conn.execute(f"ATTACH DATABASE '{plain}' AS plain KEY ''")
        conn.execute("SELECT sqlcipher_export('plain')")
        conn.execute("DETACH DATABASE plain")
    finally:
        conn.close()
    exported = plain.read_bytes()
    assert exported.startswith(b"SQLite format 3\x00")
    left = _found(exported, GONE)
    assert not left
    assert _found(exported, KEPT) == set(KEPT)

    # 4. Every page of vault.db decrypted by hand, freed pages and free space included.
    pages = _decrypt_pages(folder / "vault.db", key)
    left = _found(pages, GONE)
    assert not left
    assert _found(pages, KEPT) == set(KEPT)  # the scan sees names and FTS terms

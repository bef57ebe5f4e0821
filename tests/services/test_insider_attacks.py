"""What an insider can do with her own passphrase and a copy of the vault folder.

Each test plays the attacker with a small script of her own — the key file read as JSON,
her slot opened with her passphrase, every envelope she can open, every file she can decrypt
— never through the app's services (which would stop her by goodwill). On the 0.1 release
each of these succeeded: every slot unwrapped the one data key.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3

from refuge_desk.domain.deadlines import Immigration
from refuge_desk.domain.errors import WrongCredentials
from refuge_desk.domain.residents import Abuser, Child, Phone, Resident, Room, Status
from refuge_desk.domain.roles import Role
from refuge_desk.services import audit, auth, check, immigration, notes, residents, rooms, staff
from refuge_desk.services.export import backup
from refuge_desk.services.export import keys as backup_keys
from refuge_desk.services.session import Session
from refuge_desk.store import audit_chain, crypto, keyfile
from refuge_desk.store.crypto import AccountKeys
from refuge_desk.store.vault import VaultFolder
from tests.conftest import MANAGER, VOLUNTEER, WORKER, FakeClock, sign_in_as
from tests.raw import raw_connection

HIDDEN = {  # never in anything a relief worker's keys open
    "full name": "Zenobia Quillfeather",
    "alias": "Zeno Quillhaven",
    "record notes": "Xylocarp sentinel about her case",
    "abuser": "Brutus Kettleworth",
    "abuser areas": "Marshgate Orchards",
    "child": "Pipkin Quillfeather",
    "phone": "07700 912345",
    "immigration": "Wolfram visa sentinel",
    "case note": "Opal casework sentinel",
    "restricted note": "Obsidian restricted sentinel",
}
ROTA = {"preferred name": "Zeni", "alert": "Do not disclose presence", "room": "Juniper Room"}


def _her(session: Session) -> int:
    room = rooms.save(session, Room(name=ROTA["room"], beds=2))
    her = residents.save(
        session,
        Resident(
            full_name=HIDDEN["full name"],
            preferred_name=ROTA["preferred name"],
            aliases=HIDDEN["alias"],
            status=Status.RESIDENT,
            arrival_date=dt.date(2026, 11, 1),
            room_id=room.id,
            alerts=ROTA["alert"],
            notes=HIDDEN["record notes"],
            phones=[Phone(HIDDEN["phone"])],
            abusers=[Abuser(name=HIDDEN["abuser"], known_areas=HIDDEN["abuser areas"])],
            children=[Child(full_name=HIDDEN["child"])],
        ),
    )
    assert her.id is not None
    immigration.save(session, Immigration(resident_id=her.id, notes=HIDDEN["immigration"]))
    notes.add(session, her.id, HIDDEN["case note"])
    notes.add(session, her.id, HIDDEN["restricted note"], restricted=True)
    return her.id


# -- the attacker's own tools ------------------------------------------------------------------
def _slot_keys(folder: Path, username: str, passphrase: str) -> AccountKeys:
    """Her private keys, out of keyslots.json with her passphrase (no app code but crypto)."""
    kf = keyfile.load(folder / "keyslots.json")
    slot = kf.user_slot(username)
    assert slot is not None
    _kek, secret = kf.open_slot(slot, passphrase.encode())
    return AccountKeys.from_secret(secret)


def _every_key(folder: Path, mine: AccountKeys) -> list[bytes]:
    """Every key any envelope in the file yields to her private key, whoever it names."""
    kf = keyfile.load(folder / "keyslots.json")
    out = []
    for env in kf.envelopes:
        try:
            out.append(bytes(crypto.unwrap(mine.receive, env.sealed, env.label(kf.vault_id))))
        except crypto.Unreadable:
            continue
    return out


def _open_text(path: Path, key: bytes) -> str | None:
    """All the text of a database file, if ``key`` opens it."""
    conn = raw_connection(path, key)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    except sqlcipher3.DatabaseError:
        conn.close()
        return None
    parts = []
    for t in tables:
        for row in conn.execute(f'SELECT * FROM "{t}"'):
            parts += [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in row]
    conn.close()
    return "\n".join(parts)


def _everything_she_reads(folder: Path, keys: list[bytes]) -> str:
    text = []
    for f in sorted(folder.iterdir()):
        if f.is_file():
            text.append(f.read_bytes().decode("utf-8", "replace"))
            for key in keys:
                opened = _open_text(f, key)
                if opened is not None:
                    text.append(opened)
    return "\n".join(text)


def _copy(folder: Path, to: Path) -> Path:
    shutil.copytree(folder, to)
    return to


# -- 1. a relief worker's slot holds the rota only ----------------------------------------------
def test_a_volunteers_passphrase_and_the_folder_open_only_the_rota(
    manager_session: Session, vault_dir: Path, clock: FakeClock, tmp_path: Path
) -> None:
    _her(manager_session)
    auth.lock(manager_session)
    stolen = _copy(vault_dir, tmp_path / "copy")
    mine = _slot_keys(stolen, VOLUNTEER[0], VOLUNTEER[2])
    keys = _every_key(stolen, mine)
    assert len(keys) == 1  # the rota key, nothing else
    seen = _everything_she_reads(stolen, keys)
    for what, sentinel in ROTA.items():
        if what != "room":  # the rooms are in the rota too
            assert sentinel in seen, f"control: the rota's {what} should be readable"
    leaked = {what for what, sentinel in HIDDEN.items() if sentinel in seen}
    assert leaked == set()
    # And she can open the rota through the app, not the case records.
    session = sign_in_as(vault_dir, VOLUNTEER, clock)
    assert not session.has_case
    session.close()


# -- 2. a support worker's case key does not open a restricted note she did not write ----------
def test_a_worker_with_the_case_key_sees_a_restricted_note_as_ciphertext(
    manager_session: Session, vault_dir: Path, tmp_path: Path
) -> None:
    rid = _her(manager_session)
    auth.lock(manager_session)
    stolen = _copy(vault_dir, tmp_path / "copy")
    keys = _every_key(stolen, _slot_keys(stolen, WORKER[0], WORKER[2]))
    seen = _everything_she_reads(stolen, keys)
    assert HIDDEN["case note"] in seen and HIDDEN["full name"] in seen  # she has the case key
    assert HIDDEN["restricted note"] not in seen
    [case_key] = [k for k in keys if _open_text(stolen / "vault.db", k) is not None]
    conn = raw_connection(stolen / "vault.db", case_key)
    rows = conn.execute(
        "SELECT body, sealed FROM case_notes WHERE resident_id = ? AND restricted = 1", (rid,)
    ).fetchall()
    conn.close()
    assert rows and all(body == "" and len(sealed) > 28 for body, sealed in rows)


# -- 3. a worker who edits the key file or the staff list is refused, by name -------------------
def _write_kf(folder: Path, doc: dict[str, Any]) -> None:
    (folder / "keyslots.json").write_text(json.dumps(doc), "utf-8")


def test_a_slot_nobody_issued_is_refused_and_named(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    auth.lock(manager_session)
    kf = keyfile.load(vault_dir / "keyslots.json")
    mine = _slot_keys(vault_dir, WORKER[0], WORKER[2])
    # Slots of her own keys under new names: one claiming the manager's account id, one a
    # new account nobody granted. The real slots stay as they are.
    for name, uid in (("boss2", 1), ("ghost", 99)):
        slot, _kek = kf.new_slot("user", uid, kf.tag_for(name), mine.secret(), b"her own words")
        kf.slots.append(slot)
    kf.save(vault_dir / "keyslots.json")
    with pytest.raises(auth.AccountRefused, match=r"“boss2” cannot sign in.*not issued"):
        sign_in_as(vault_dir, ("boss2", "", "her own words"), clock)
    with pytest.raises(auth.AccountRefused, match=r"“ghost” cannot sign in.*no manager ever"):
        sign_in_as(vault_dir, ("ghost", "", "her own words"), clock)
    problems = check.check_vault(VaultFolder(vault_dir), MANAGER[0], MANAGER[2], clock=clock)
    assert any("was not issued by a manager" in p for p in problems), problems


def test_a_worker_who_makes_herself_manager_in_the_staff_list_is_refused(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    case_key = bytes(manager_session.data_key)  # what the worker holds too
    auth.lock(manager_session)
    conn = raw_connection(vault_dir / "vault.db", case_key, isolation_level=None)
    conn.execute("UPDATE staff SET role = 'manager' WHERE username = ?", (WORKER[0],))
    conn.close()
    with pytest.raises(auth.AccountRefused, match=r"“worker” cannot sign in.*manager granted"):
        sign_in_as(vault_dir, WORKER, clock)
    problems = check.check_vault(VaultFolder(vault_dir), MANAGER[0], MANAGER[2], clock=clock)
    assert any("“worker”" in p and "changed outside" in p for p in problems), problems


def test_a_statement_she_signed_herself_counts_for_nothing(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    """Editing the key file: a role statement signed with her own key, not a manager's."""
    from refuge_desk.store import grants
    from refuge_desk.store.grants import Kind

    auth.lock(manager_session)
    kf = keyfile.load(vault_dir / "keyslots.json")
    mine = _slot_keys(vault_dir, WORKER[0], WORKER[2])
    uid = next(a.user_id for a in kf.chain().accounts.values() if a.role == "worker")
    kf.statements.append(
        grants.make(
            kf.statements,
            kf.vault_id,
            Kind.ROLE,
            "2026-11-24T10:00:00+00:00",
            mine,
            f"user:{uid}",
            user_id=uid,
            tag=kf.tag_for(WORKER[0]),
            role="manager",
        )
    )
    kf.save(vault_dir / "keyslots.json")
    session = sign_in_as(vault_dir, WORKER, clock)  # still a worker: her statement is ignored
    assert session.role.value == "worker"
    session.close()
    problems = check.check_vault(VaultFolder(vault_dir), MANAGER[0], MANAGER[2], clock=clock)
    assert any("“worker”" in p and "no manager signed" in p for p in problems), problems
    # That sign-in (check's) took it out; a manager's own changes count again.
    boss = sign_in_as(vault_dir, MANAGER, clock)
    try:
        assert not boss.alarms and not boss.keyfile.chain().problems
        staff.change_role(boss, uid, Role.MANAGER)
        assert boss.keyfile.chain().account(uid).role == "manager"  # type: ignore[union-attr]
    finally:
        boss.close()


def test_a_disabled_account_brought_back_is_refused(
    manager_session: Session, vault_dir: Path, clock: FakeClock, tmp_path: Path
) -> None:
    before = (vault_dir / "keyslots.json").read_text("utf-8")
    volunteer = next(u for u in staff.list_staff(manager_session) if u.username == VOLUNTEER[0])
    staff.disable(manager_session, volunteer.id)
    case_key = bytes(manager_session.data_key)
    auth.lock(manager_session)
    # A worker puts the old slot back and marks her active again in the staff list.
    old = json.loads(before)
    now = json.loads((vault_dir / "keyslots.json").read_text("utf-8"))
    now["slots"] += [s for s in old["slots"] if s.get("user_id") == volunteer.id]
    _write_kf(vault_dir, now)
    conn = raw_connection(vault_dir / "vault.db", case_key, isolation_level=None)
    conn.execute("UPDATE staff SET active = 1 WHERE id = ?", (volunteer.id,))
    conn.close()
    with pytest.raises(auth.AccountRefused, match=r"“volunteer” cannot sign in.*disabled"):
        sign_in_as(vault_dir, VOLUNTEER, clock)
    problems = check.check_vault(VaultFolder(vault_dir), MANAGER[0], MANAGER[2], clock=clock)
    assert any("“volunteer”" in p and "disabled" in p for p in problems), problems


# -- 4. after she is disabled, her old slot opens nothing --------------------------------------
def test_an_old_copy_of_a_disabled_workers_slot_opens_nothing(
    manager_session: Session, vault_dir: Path, clock: FakeClock, tmp_path: Path
) -> None:
    _her(manager_session)
    old_keyfile = (vault_dir / "keyslots.json").read_bytes()
    worker = next(u for u in staff.list_staff(manager_session) if u.username == WORKER[0])
    staff.disable(manager_session, worker.id)
    auth.lock(manager_session)
    # She kept keyslots.json from her last day; she gets a copy of today's folder.
    stolen = _copy(vault_dir, tmp_path / "copy")
    (tmp_path / "old-keyslots").mkdir()
    (tmp_path / "old-keyslots" / "keyslots.json").write_bytes(old_keyfile)
    mine = _slot_keys(tmp_path / "old-keyslots", WORKER[0], WORKER[2])
    old_keys = _every_key(tmp_path / "old-keyslots", mine)
    assert len(old_keys) == 2  # her case and rota keys of that day
    for db in ("vault.db", "rota.db"):
        for key in old_keys:
            assert _open_text(stolen / db, key) is None, db
    with pytest.raises(WrongCredentials):  # and the app has no slot for her any more
        sign_in_as(vault_dir, WORKER, clock)


# -- 5. deleting audit entries and rebuilding the chain is caught -------------------------------
def _drop_newest_and_rechain(vault_dir: Path, key: bytes, n: int) -> None:
    conn = raw_connection(vault_dir / "vault.db", key, isolation_level=None)
    top = conn.execute("SELECT max(id) FROM audit_log").fetchone()[0]
    conn.execute("DELETE FROM audit_log WHERE id > ?", (top - n,))
    conn.close()


def _rechain_from(vault_dir: Path, key: bytes, first_id: int) -> None:
    """Rehash every entry from ``first_id`` on, as a careful intruder would."""
    conn = raw_connection(vault_dir / "vault.db", key, isolation_level=None)
    rows = conn.execute(
        "SELECT id, at, user_id, action, ref, detail FROM audit_log ORDER BY id"
    ).fetchall()
    prev = ""
    for row_id, at, user_id, action, ref, detail in rows:
        h = audit_chain.entry_hash(prev, row_id, at, user_id, action, ref, detail)
        if row_id >= first_id:
            conn.execute(
                "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, row_id)
            )
        prev = (
            h
            if row_id >= first_id
            else conn.execute("SELECT hash FROM audit_log WHERE id = ?", (row_id,)).fetchone()[0]
        )
    conn.close()


def test_entries_deleted_after_a_managers_sign_out_are_caught_at_her_next_sign_in(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    _her(manager_session)
    key = bytes(manager_session.data_key)
    auth.lock(manager_session)  # her slot now binds the log's head
    _drop_newest_and_rechain(vault_dir, key, 3)  # her lock entry and the two before it
    again = sign_in_as(vault_dir, MANAGER, clock)
    try:
        assert again.alarms and "entries were deleted" in again.alarms[0]
        result = audit.verify(again)
        assert not result.ok and "no longer holds" in result.message
    finally:
        again.close()


def test_entries_deleted_after_a_backup_are_caught_against_it(
    manager_session: Session, vault_dir: Path, clock: FakeClock, tmp_path: Path
) -> None:
    from refuge_desk.services.export import format as export_format
    from refuge_desk.store.keyfile import AuditHead

    _her(manager_session)
    identity = backup_keys.generate_for(manager_session)
    usb = tmp_path / "usb"
    usb.mkdir()
    made = backup.make_backup(manager_session, usb)
    key = bytes(manager_session.data_key)
    manager_session.close()  # no lock: her slot records nothing newer than at sign-in
    _drop_newest_and_rechain(vault_dir, key, 4)
    with export_format.open_members(made.path, backup_keys.parse_identity(identity)) as members:
        manifest = next(
            export_format.read_manifest(s) for n, s in members if n == export_format.MANIFEST
        )
    assert manifest is not None and manifest.audit_head is not None
    head = AuditHead(int(manifest.audit_head[0]), str(manifest.audit_head[1]))
    again = sign_in_as(vault_dir, MANAGER, clock)
    try:
        result = audit.verify(again, backup_head=head)
        assert not result.ok and "the backup was made" in result.message
    finally:
        again.close()


def test_an_entry_deleted_from_the_middle_and_the_chain_rebuilt_fails_its_signatures(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    _her(manager_session)
    key = bytes(manager_session.data_key)
    manager_session.close()
    conn = raw_connection(vault_dir / "vault.db", key, isolation_level=None)
    victim = conn.execute("SELECT id FROM audit_log WHERE action = 'notes.add'").fetchone()[0]
    conn.execute("DELETE FROM audit_log WHERE id = ?", (victim,))
    conn.execute("UPDATE audit_log SET id = id - 1 WHERE id > ?", (victim,))
    conn.close()
    _rechain_from(vault_dir, key, victim)
    again = sign_in_as(vault_dir, MANAGER, clock)
    try:
        result = audit.verify(again)
        assert not result.ok and "valid signature" in result.message
        assert result.broken_id == victim
    finally:
        again.close()

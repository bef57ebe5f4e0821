"""Attacks on the key model (from the adversarial review of issue 13).

Each test plays the insider with her own passphrase, a copy of the vault folder and a small
script (the key file as JSON, her slot opened with her passphrase, raw SQLCipher), then lets
an honest colleague sign in as she normally would. Each asserts what docs/security.md
promises; each failed against the code as it was reviewed.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyrage
import pytest

from refuge_desk.domain.residents import Resident, Status
from refuge_desk.domain.roles import Role
from refuge_desk.services import auth, notes, residents, staff
from refuge_desk.services.session import Session
from refuge_desk.store import crypto, keyfile, notes_repo
from refuge_desk.store.crypto import AccountKeys
from refuge_desk.store.keyfile import BACKUP, CASE, MANAGERS
from refuge_desk.store.vault import VaultFolder
from tests.conftest import MANAGER, VOLUNTEER, WORKER, FakeClock, sign_in_as
from tests.raw import raw_connection

SECRET = "Obsidian restricted sentinel"


# -- the attacker's own tools ----------------------------------------------------------------
def _slot_keys(folder: Path, username: str, passphrase: str, kf_path: Path | None = None) -> Any:
    kf = keyfile.load(kf_path or folder / "keyslots.json")
    slot = kf.user_slot(username)
    assert slot is not None
    _kek, secret = kf.open_slot(slot, passphrase.encode())
    return AccountKeys.from_secret(secret)


def _envelopes_for(folder: Path, mine: AccountKeys) -> dict[str, bytes]:
    """purpose -> key, of every current-epoch envelope her private key opens."""
    kf = keyfile.load(folder / "keyslots.json")
    out = {}
    for env in kf.envelopes:
        if env.epoch != kf.epoch:
            continue
        try:
            out[env.purpose] = bytes(
                crypto.unwrap(mine.receive, env.sealed, env.label(kf.vault_id))
            )
        except crypto.Unreadable:
            continue
    return out


def _restricted_texts(folder: Path, case_key: bytes, managers_key: bytes) -> list[str]:
    """Every restricted note's text the managers' key opens (a raw script, no app code)."""
    vault_id = keyfile.load(folder / "keyslots.json").vault_id
    conn = raw_connection(folder / "vault.db", case_key)
    rows = conn.execute(
        "SELECT n.id, n.resident_id, n.author_id, n.sealed, k.wrapped FROM case_notes n "
        "JOIN note_keys k ON k.note_id = n.id AND k.recipient = 'managers' "
        "WHERE n.sealed IS NOT NULL"
    ).fetchall()
    conn.close()
    out = []
    for note_id, rid, author, sealed, wrapped in rows:
        key = crypto.unseal(
            managers_key, wrapped, notes_repo.key_label(vault_id, note_id, "managers")
        )
        label = notes_repo.text_label(vault_id, note_id, rid, author)
        out.append(crypto.unseal(key, sealed, label).decode())
    return out


def _note_keys_for_me(folder: Path, case_key: bytes, me: AccountKeys, uid: int) -> list[str]:
    """The text of every sealed note whose key is wrapped for 'user:<uid>'."""
    vault_id = keyfile.load(folder / "keyslots.json").vault_id
    ref = f"user:{uid}"
    conn = raw_connection(folder / "vault.db", case_key)
    rows = conn.execute(
        "SELECT n.id, n.sealed, k.wrapped FROM case_notes n JOIN note_keys k "
        "ON k.note_id = n.id AND k.recipient = ? WHERE n.sealed IS NOT NULL",
        (ref,),
    ).fetchall()
    labels = {
        r[0]: (r[1], r[2])
        for r in conn.execute("SELECT id, resident_id, author_id FROM case_notes")
    }
    conn.close()
    out = []
    for note_id, sealed, wrapped in rows:
        key = crypto.unwrap(me.receive, wrapped, notes_repo.key_label(vault_id, note_id, ref))
        rid, author = labels[note_id]
        for candidate in {author, *[a for _r, a in labels.values()]}:  # she knows the authors
            try:
                label = notes_repo.text_label(vault_id, note_id, rid, candidate)
                out.append(crypto.unseal(key, sealed, label).decode())
                break
            except crypto.Unreadable:
                continue
    return out


def _resident(session: Session, name: str = "Zenobia Quillfeather") -> int:
    her = residents.save(
        session,
        Resident(full_name=name, status=Status.RESIDENT, arrival_date=dt.date(2026, 11, 1)),
    )
    assert her.id is not None
    return her.id


def _uid(session: Session, username: str) -> int:
    return next(u.id for u in staff.list_staff(session) if u.username == username)


def _load(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "keyslots.json").read_text("utf-8"))
    return data


def _save(folder: Path, data: dict[str, Any]) -> None:
    (folder / "keyslots.json").write_text(json.dumps(data), "utf-8")


def _everyday_sign_in(folder: Path, who: tuple[str, str, str], clock: FakeClock) -> str:
    """An honest colleague signs in and locks, as every day; "" or the refusal she saw."""
    try:
        auth.lock(sign_in_as(folder, who, clock))
    except auth.AccountRefused as exc:
        return str(exc)
    return ""


# -- F5: a restricted amendment of her OPEN note ------------------------------------------------
def test_a_restricted_amendment_of_a_workers_open_note_is_not_wrapped_for_her(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    """notes_repo._VISIBLE: never someone else's restricted amendment of an open note of
    hers. The key model must agree: no key for her, so her script cannot read it either."""
    rid = _resident(manager_session)
    auth.lock(manager_session)
    worker = sign_in_as(vault_dir, WORKER, clock)
    open_note = notes.add(worker, rid, "Routine key work, nothing sensitive")
    w_id = worker.user.id
    auth.lock(worker)
    boss = sign_in_as(vault_dir, MANAGER, clock)
    notes.amend(boss, open_note.id, SECRET, restricted=True)
    auth.lock(boss)

    worker = sign_in_as(vault_dir, WORKER, clock)
    shown = [a.text for a in notes.get(worker, open_note.id).amendments]
    assert SECRET not in shown  # control: the app hides it from her, as the rule says
    case_key = bytes(worker.data_key)
    auth.lock(worker)
    me = _slot_keys(vault_dir, *WORKER[::2])
    assert SECRET not in _note_keys_for_me(vault_dir, case_key, me, w_id)


# -- F4: the case database decides who gets a restricted note's key -----------------------------
_GUARD = "case_notes_never_edited"


def _relink(folder: Path, case_key: bytes, note_id: int, amends_id: int | None) -> None:
    """Her script: point a note's amends_id elsewhere (the never-edited trigger is in the
    file she holds the key of: she lifts it and puts it back)."""
    conn = raw_connection(folder / "vault.db", case_key, isolation_level=None)
    guard = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (_GUARD,)
    ).fetchone()[0]
    conn.execute(f"DROP TRIGGER {_GUARD}")
    conn.execute("UPDATE case_notes SET amends_id = ? WHERE id = ?", (amends_id, note_id))
    conn.execute(guard)
    conn.close()


def test_a_worker_who_relinks_a_restricted_note_to_her_own_does_not_get_its_key(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    """A manager's sign-in gives missing note keys to "the author of the note it amends",
    read from case_notes — a table every support worker can change."""
    rid = _resident(manager_session)
    target = notes.add(manager_session, rid, SECRET, restricted=True)
    auth.lock(manager_session)
    worker = sign_in_as(vault_dir, WORKER, clock)
    mine = notes.add(worker, rid, "My own restricted note", restricted=True)
    w_id, case_key = worker.user.id, bytes(worker.data_key)
    auth.lock(worker)

    _relink(vault_dir, case_key, target.id, mine.id)  # "the manager's note amends mine"
    auth.lock(sign_in_as(vault_dir, MANAGER, clock))  # her everyday sign-in
    _relink(vault_dir, case_key, target.id, None)  # and back, leaving no trace

    me = _slot_keys(vault_dir, *WORKER[::2])
    assert SECRET not in _note_keys_for_me(vault_dir, case_key, me, w_id)


# -- F3: the backup key is read from the case database -----------------------------------------
def test_a_worker_who_swaps_the_backup_key_does_not_get_the_managers_key(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    """The managers' key is sealed for the backup key named in the case database's meta
    table, which every support worker can change; a manager's sign-in reseals it for
    whatever key is named there when the backup envelope is missing (and so does a rekey)."""
    from refuge_desk.services.export import keys as backup_keys

    rid = _resident(manager_session)
    notes.add(manager_session, rid, SECRET, restricted=True)
    backup_keys.generate_for(manager_session)  # the real one: its secret is in the safe
    auth.lock(manager_session)

    me = _slot_keys(vault_dir, *WORKER[::2])
    case_key = _envelopes_for(vault_dir, me)[CASE]
    mine = pyrage.x25519.Identity.generate()
    conn = raw_connection(vault_dir / "vault.db", case_key, isolation_level=None)
    conn.execute(
        "UPDATE meta SET value = ? WHERE key = 'backup_recipient'", (str(mine.to_public()),)
    )
    conn.close()
    data = _load(vault_dir)
    data["envelopes"] = [e for e in data["envelopes"] if e["to"] != BACKUP]
    _save(vault_dir, data)

    auth.lock(sign_in_as(vault_dir, MANAGER, clock))  # her everyday sign-in

    kf = keyfile.load(vault_dir / "keyslots.json")
    env = kf.envelope(BACKUP, MANAGERS)
    got = None
    if env is not None:
        try:
            got = pyrage.decrypt(env.sealed, [mine])
        except pyrage.DecryptError:
            got = None
    read = _restricted_texts(vault_dir, case_key, got) if got is not None else []
    assert SECRET not in read, "the managers' key was sealed for the worker's own age key"


# -- F2: the statements rolled back to before her DISABLE -------------------------------------
def _truncate_before(folder: Path, kind: str, user_id: int) -> None:
    """Her script: cut the statements at the one that took her access away (every statement
    left still verifies: each names the one before it, not the one after)."""
    data = _load(folder)
    cut = max(
        i
        for i, st in enumerate(data["statements"])
        if st["kind"] == kind and st["user_id"] == user_id
    )
    data["statements"] = data["statements"][:cut]
    _save(folder, data)


def _everything(folder: Path, key: bytes) -> str:
    try:
        conn = raw_connection(folder / "vault.db", key)
        rows = conn.execute("SELECT full_name FROM residents").fetchall()
        conn.close()
    except Exception:
        return ""
    return "\n".join(r[0] for r in rows)


def test_a_disabled_worker_who_rolls_the_statements_back_gets_no_key_written_after(
    manager_session: Session, vault_dir: Path, clock: FakeClock, tmp_path: Path
) -> None:
    old = tmp_path / "her-copy"
    old.mkdir()
    (old / "keyslots.json").write_bytes((vault_dir / "keyslots.json").read_bytes())
    w_id = _uid(manager_session, WORKER[0])
    staff.disable(manager_session, w_id)  # and the vault is rekeyed
    _resident(manager_session, "Written After Leaving")
    auth.lock(manager_session)

    _truncate_before(vault_dir, "disable", w_id)
    refused = _everyday_sign_in(vault_dir, MANAGER, clock)
    assert not refused or "cut short" in refused

    me = _slot_keys(old, *WORKER[::2])  # her old slot, her own passphrase
    keys = _envelopes_for(vault_dir, me)
    seen = "\n".join(_everything(vault_dir, k) for k in keys.values())
    assert "Written After Leaving" not in seen


def test_a_demoted_manager_who_rolls_the_statements_back_gets_no_new_managers_key(
    manager_session: Session, vault_dir: Path, clock: FakeClock, tmp_path: Path
) -> None:
    w_id = _uid(manager_session, WORKER[0])
    staff.change_role(manager_session, w_id, Role.MANAGER)
    rid = _resident(manager_session)
    auth.lock(manager_session)
    boss = sign_in_as(vault_dir, MANAGER, clock)
    staff.change_role(boss, w_id, Role.WORKER)  # lowered: rekeyed
    notes.add(boss, rid, SECRET, restricted=True)  # written after she was lowered
    auth.lock(boss)

    _truncate_before(vault_dir, "role", w_id)  # the last ROLE about her: the lowering
    data = _load(vault_dir)
    assert [s["role"] for s in data["statements"] if s["kind"] == "role"] == ["manager"]
    _everyday_sign_in(vault_dir, MANAGER, clock)

    me = _slot_keys(vault_dir, *WORKER[::2])
    keys = _envelopes_for(vault_dir, me)
    read = (
        _restricted_texts(vault_dir, keys[CASE], keys[MANAGERS])
        if CASE in keys and MANAGERS in keys
        else []
    )
    assert SECRET not in read


def test_a_demoted_manager_cannot_roll_back_and_sign_in_as_a_manager_again(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    """Claim 3: raising her own role is refused at sign-in, by name."""
    w_id = _uid(manager_session, WORKER[0])
    staff.change_role(manager_session, w_id, Role.MANAGER)
    auth.lock(manager_session)
    boss = sign_in_as(vault_dir, MANAGER, clock)
    staff.change_role(boss, w_id, Role.WORKER)
    auth.lock(boss)

    _truncate_before(vault_dir, "role", w_id)
    me = _slot_keys(vault_dir, *WORKER[::2])
    case_key = _envelopes_for(vault_dir, me)[CASE]  # she is a worker: she holds it
    conn = raw_connection(vault_dir / "vault.db", case_key, isolation_level=None)
    conn.execute("UPDATE staff SET role = 'manager' WHERE id = ?", (w_id,))
    conn.close()
    _everyday_sign_in(vault_dir, MANAGER, clock)  # hands her the managers' key

    try:
        her = sign_in_as(vault_dir, WORKER, clock)
    except auth.AccountRefused as exc:
        assert "“worker”" in str(exc)
    else:
        role = her.role
        her.close()
        assert role is not Role.MANAGER, "she signed in as a manager again"


# -- F1: a JOIN anyone can write ----------------------------------------------------------------
from tests.services.test_key_upgrade import MANAGER as OLD_MANAGER  # noqa: E402
from tests.services.test_key_upgrade import WORKER as OLD_WORKER  # noqa: E402
from tests.services.test_key_upgrade import old_vault  # noqa: E402,F401 - the fixture

HER_WORDS = "my own words for someone else"


def _forge_join(folder: Path, username: str) -> int:
    """A script with no passphrase of anyone's: a JOIN for a pending account, signed by a key
    pair she just made, and a slot for it under a passphrase of her choosing."""
    from refuge_desk.store import grants
    from refuge_desk.store.grants import Kind

    kf = keyfile.load(folder / "keyslots.json")
    tag = kf.tag_for(username)
    acc = next(a for a in kf.chain().accounts.values() if a.tag == tag)
    assert acc.pending and acc.active
    mine = AccountKeys.generate()
    slot, _kek = kf.new_slot("user", acc.user_id, tag, mine.secret(), HER_WORDS.encode())
    kf.slots.append(slot)
    kf.legacy = [s for s in kf.legacy if s.user_id != acc.user_id]
    kf.statements.append(
        grants.make(
            kf.statements,
            kf.vault_id,
            Kind.JOIN,
            "2026-11-24T10:00:00+00:00",
            mine,
            grants.SELF_SIGNER,
            user_id=acc.user_id,
            tag=tag,
            role=acc.role,
            keys=(mine.receive_public, mine.signing_public),
            slot=slot.id,
        )
    )
    kf.save(folder / "keyslots.json")
    return acc.user_id


def _make_second_manager(folder: Path) -> None:
    """A 0.1 vault with two managers (the fixture's worker was made one in 0.1)."""
    from refuge_desk.store.keyslots import KeySlotFile

    _slot, key = KeySlotFile.load(folder / "keyslots.json").unwrap_user(*OLD_MANAGER)
    conn = raw_connection(folder / "vault.db", key, isolation_level=None)
    conn.execute("UPDATE staff SET role = 'manager' WHERE username = ?", (OLD_WORKER[0],))
    conn.close()


@pytest.mark.xfail(strict=True, reason="F1 during the move: a self-signed JOIN is trusted")
def test_nobody_but_her_can_complete_a_pending_managers_move(old_vault: Path) -> None:  # noqa: F811
    clock = FakeClock()
    folder = VaultFolder(old_vault)
    _make_second_manager(old_vault)
    auth.lock(auth.sign_in(folder, *OLD_MANAGER, clock=clock))  # the move; the 2nd is pending

    _forge_join(old_vault, OLD_WORKER[0])  # no passphrase of anyone's was used
    auth.lock(auth.sign_in(folder, *OLD_MANAGER, clock=clock))  # hands "her" every key

    try:
        impostor = auth.sign_in(folder, OLD_WORKER[0], HER_WORDS, clock=clock)
    except (auth.AccountRefused, auth.WrongCredentials):
        impostor = None
    if impostor is not None:
        role = impostor.role
        impostor.close()
        assert role is not Role.MANAGER, "someone with no passphrase signed in as a manager"


def test_after_finish_the_move_nobody_can_join_a_left_over_pending_account(
    old_vault: Path,  # noqa: F811
) -> None:
    """The volunteer (or a stranger) after the move is over: the worker never signed in, so
    her account is still pending; a forged JOIN for it must give nothing."""
    from refuge_desk.services import key_upgrade

    clock = FakeClock()
    folder = VaultFolder(old_vault)
    boss = auth.sign_in(folder, *OLD_MANAGER, clock=clock)
    key_upgrade.finish_now(boss)  # the rekey: no 0.1 slot opens anything any more
    auth.lock(boss)
    kf = keyfile.load(old_vault / "keyslots.json")
    assert not kf.upgrading and not kf.legacy

    _forge_join(old_vault, OLD_WORKER[0])
    auth.lock(auth.sign_in(folder, *OLD_MANAGER, clock=clock))  # her everyday sign-in

    me = _slot_keys(old_vault, OLD_WORKER[0], HER_WORDS)
    keys = _envelopes_for(old_vault, me)
    assert CASE not in keys, "a forged JOIN was handed the case key after the move ended"


# -- F6: a passphrase reset wraps keys for the role the case database says ----------------------
def test_a_reset_gives_her_the_keys_of_her_signed_role_not_of_the_staff_list(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    rid = _resident(manager_session)
    notes.add(manager_session, rid, SECRET, restricted=True)
    w_id = _uid(manager_session, WORKER[0])
    auth.lock(manager_session)
    me = _slot_keys(vault_dir, *WORKER[::2])
    case_key = _envelopes_for(vault_dir, me)[CASE]
    conn = raw_connection(vault_dir / "vault.db", case_key, isolation_level=None)
    conn.execute("UPDATE staff SET role = 'manager' WHERE id = ?", (w_id,))
    conn.close()
    with pytest.raises(auth.AccountRefused):  # control: her sign-in is refused, by name
        sign_in_as(vault_dir, WORKER, clock)

    # "I can't sign in" — the manager sets her a new passphrase, as the message suggests.
    from refuge_desk.domain.errors import VaultError

    boss = sign_in_as(vault_dir, MANAGER, clock)
    new_words = "tangerine lighthouse velvet anchor"
    try:
        staff.reset_passphrase(boss, w_id, new_words)
    except VaultError as exc:  # refused, naming her: nothing handed out
        assert "“worker”" in str(exc)
        return
    finally:
        auth.lock(boss)

    keys = _envelopes_for(vault_dir, _slot_keys(vault_dir, WORKER[0], new_words))
    assert MANAGERS not in keys, "a support worker was given the managers' key"


# -- F7: settle() renames whatever the key file names --------------------------------------------
def test_an_edited_swap_cannot_move_files_into_or_out_of_the_vault_folder(
    manager_session: Session, vault_dir: Path, clock: FakeClock, tmp_path: Path
) -> None:
    """``swap`` is read from keyslots.json before anyone signs in; its names must be the
    rekey's own files, never a path elsewhere on the computer."""
    auth.lock(manager_session)
    private = tmp_path / "managers-documents" / "letter.txt"
    private.parent.mkdir()
    private.write_text("a file of hers outside the vault", "utf-8")
    planted = vault_dir / "planted.sh"
    planted.write_text("echo gotcha", "utf-8")
    target = tmp_path / "managers-documents" / "autostart.sh"
    data = _load(vault_dir)
    data["swap"] = {
        "epoch": data["epoch"],
        "files": {"exfiltrated.txt": str(private), str(target): "planted.sh"},
    }
    _save(vault_dir, data)

    with pytest.raises(Exception):  # noqa: B017 - whatever she gets, it is not in
        sign_in_as(vault_dir, ("nobody", "", "not a passphrase at all"), clock)
    assert private.exists(), "a file outside the vault folder was moved into it"
    assert not (vault_dir / "exfiltrated.txt").exists()
    assert not target.exists(), "a file from the vault folder was written outside it"


# -- F8: an audit entry "by the manager", signed by the worker ------------------------------
def test_a_worker_cannot_write_an_audit_entry_in_a_managers_name(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    """ "No way to forge another account's audit entries without it being refused and named":
    the check must want the signature of the account the entry names."""
    from refuge_desk.services import audit
    from refuge_desk.store import audit_chain, audit_repo
    from refuge_desk.store.crypto import b64

    m_id, w_id = manager_session.user.id, _uid(manager_session, WORKER[0])
    auth.lock(manager_session)
    me = _slot_keys(vault_dir, *WORKER[::2])
    kf = keyfile.load(vault_dir / "keyslots.json")
    case_key = _envelopes_for(vault_dir, me)[CASE]
    conn = raw_connection(vault_dir / "vault.db", case_key, isolation_level=None)
    prev, top = conn.execute("SELECT hash, id FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    row = (top + 1, "2026-11-24T10:05:00+00:00", m_id, "resident.view", "R-0001", "")
    h = audit_chain.entry_hash(prev, *row)
    sig = b64(me.sign(audit_repo.signed_message(kf.vault_id, h)))
    conn.execute(
        "INSERT INTO audit_log (id, at, user_id, action, ref, detail, prev_hash, hash, signer, "
        "sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*row, prev, h, w_id, sig),
    )
    conn.close()

    boss = sign_in_as(vault_dir, MANAGER, clock)
    try:
        result = audit.verify(boss)
    finally:
        boss.close()
    assert not result.ok, "an entry in the manager's name, signed by the worker, verified"


# -- F9: a restricted note's typing parked as a draft, under the case key only ------------------
def test_a_restricted_note_being_typed_is_not_parked_where_the_case_key_reads_it(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    """The note composer parks what she types (autosave, and at lock) in the drafts table:
    ``NotesTab.draft_payload`` — the text with ``restricted`` ticked."""
    from refuge_desk.services import drafts

    rid = _resident(manager_session)
    payload = {
        "resident_id": rid,
        "text": SECRET,
        "type": "key_work",
        "restricted": True,
        "amends_id": None,
        "when": None,
    }
    drafts.park(manager_session, drafts.CASE_NOTE, rid, payload)  # as the composer does
    auth.lock(manager_session)

    me = _slot_keys(vault_dir, *WORKER[::2])
    case_key = _envelopes_for(vault_dir, me)[CASE]
    conn = raw_connection(vault_dir / "vault.db", case_key)
    parked = "\n".join(r[0] for r in conn.execute("SELECT payload FROM drafts"))
    conn.close()
    assert SECRET not in parked, "a manager's restricted note, readable with the case key"


# -- F10: restricted notes that arrive by transfer ---------------------------------------------
def test_a_restricted_note_received_by_transfer_is_sealed_at_once(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    """The receiving vault stores the package's notes as plain rows (restricted = 1, sealed
    NULL): readable with the case key until some later manager sign-in seals them."""
    from refuge_desk.services.export import transfer

    rid = _resident(manager_session)
    notes.add(manager_session, rid, SECRET, restricted=True)
    out = transfer.build(manager_session, rid)
    transfer.receive(manager_session, out.data, out.passphrase)  # the other refuge's vault
    manager_session.close()  # she closes the app: no sign-in has sealed them yet

    me = _slot_keys(vault_dir, *WORKER[::2])
    case_key = _envelopes_for(vault_dir, me)[CASE]
    conn = raw_connection(vault_dir / "vault.db", case_key)
    plain = "\n".join(r[0] for r in conn.execute("SELECT body FROM case_notes"))
    conn.close()
    assert SECRET not in plain, "a restricted note in plain text under the case key"


# -- F11: "the old recovery key no longer works" -------------------------------------------------
def test_a_replaced_recovery_key_with_an_old_key_file_opens_nothing_current(
    tmp_path: Path, clock: FakeClock
) -> None:
    """The recovery sheet was lost (or seen); a manager makes a new one and is told the old
    key no longer works. With any old copy of keyslots.json, it still opens today's vault."""
    from refuge_desk.services import recovery
    from tests.conftest import ORG

    folder = VaultFolder(tmp_path / "vault")
    session, old_sheet = auth.setup_vault(folder, ORG, *MANAGER, clock=clock)
    old_file = (folder.keyslots_path).read_bytes()  # any worker's copy from before
    recovery.replace_key(session)
    auth.lock(session)
    auth.lock(sign_in_as(folder.path, MANAGER, clock))  # the next manager sign-in
    later = sign_in_as(folder.path, MANAGER, clock)
    _resident(later, "Written After The New Sheet")
    auth.lock(later)

    copy = tmp_path / "old"
    copy.mkdir()
    (copy / "keyslots.json").write_bytes(old_file)
    kf = keyfile.load(copy / "keyslots.json")
    _recovery_keys, ring = auth.open_recovery(kf, old_sheet)
    seen = "\n".join(_everything(folder.path, bytes(ring.get(p) or b"")) for p in (CASE,))
    assert "Written After The New Sheet" not in seen


def test_her_sealed_restricted_draft_comes_back_to_her(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    """Control for the fix: the author gets her typing back after lock and sign-in."""
    from refuge_desk.services import drafts

    rid = _resident(manager_session)
    payload = {"resident_id": rid, "text": SECRET, "type": "key_work", "restricted": True}
    drafts.park(manager_session, drafts.CASE_NOTE, rid, payload)
    auth.lock(manager_session)
    again = sign_in_as(vault_dir, MANAGER, clock)
    try:
        [row] = [r for r in drafts.mine(again) if r.kind == drafts.CASE_NOTE]
        assert drafts.load(row) == payload
    finally:
        again.close()


# -- F12: a manager who lowers her own role ----------------------------------------------------
def test_a_manager_who_lowers_her_own_role_holds_no_key_to_notes_written_after(
    manager_session: Session, vault_dir: Path, clock: FakeClock, tmp_path: Path
) -> None:
    """The rekey after her own demotion published the new managers' key with HER signature,
    after the statement that made her a worker: it counted for nothing, so support workers
    went on sealing restricted notes for the old managers' key — hers."""
    from refuge_desk.services import residents as residents_service

    second = ("second", "Sasha Second", "marble harvest quilt lantern")
    staff.add(manager_session, second[0], second[1], Role.MANAGER, second[2])
    rid = _resident(manager_session)
    m_id = manager_session.user.id
    old = tmp_path / "her-copy"
    old.mkdir()
    (old / "keyslots.json").write_bytes((vault_dir / "keyslots.json").read_bytes())
    staff.change_role(manager_session, m_id, Role.WORKER)  # she steps down
    auth.lock(manager_session)

    other = sign_in_as(vault_dir, second, clock)
    alarms = list(other.alarms)
    auth.lock(other)
    assert not alarms, alarms  # nothing in the key file was unsigned
    worker = sign_in_as(vault_dir, WORKER, clock)
    assert residents_service.get(worker, rid) is not None
    notes.add(worker, rid, SECRET, restricted=True)  # written after she stepped down
    auth.lock(worker)

    mine = _slot_keys(old, *MANAGER[::2])
    old_managers = _envelopes_for(old, mine)[MANAGERS]
    vault_id = keyfile.load(vault_dir / "keyslots.json").vault_id
    boss = sign_in_as(vault_dir, second, clock)  # the other manager reads it
    try:
        assert SECRET in [n.text for n in notes.list_notes(boss, rid).notes]
        case_key = bytes(boss.data_key)
    finally:
        boss.close()
    conn = raw_connection(vault_dir / "vault.db", case_key)
    rows = conn.execute(
        "SELECT n.id, n.resident_id, n.author_id, n.sealed, k.recipient, k.wrapped "
        "FROM case_notes n JOIN note_keys k ON k.note_id = n.id WHERE n.sealed IS NOT NULL"
    ).fetchall()
    conn.close()
    read = []
    for note_id, res, author, sealed, recipient, wrapped in rows:
        label = notes_repo.key_label(vault_id, note_id, recipient)
        try:
            if recipient == "managers":
                key = crypto.unseal(old_managers, wrapped, label)
            elif recipient == notes_repo.MANAGERS_PUBLIC:
                key = crypto.unwrap(crypto.managers_receive_key(old_managers), wrapped, label)
            else:
                continue
        except crypto.Unreadable:
            continue
        read.append(
            crypto.unseal(
                key, sealed, notes_repo.text_label(vault_id, note_id, res, author)
            ).decode()
        )
    assert SECRET not in read, "the manager who stepped down reads notes written after"


def test_after_a_reset_she_still_reads_her_restricted_note_and_its_correction(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    """Control for the signed reader lists: the keys she should have come back to her."""
    rid = _resident(manager_session)
    auth.lock(manager_session)
    worker = sign_in_as(vault_dir, WORKER, clock)
    hers = notes.add(worker, rid, "Her own restricted words", restricted=True)
    w_id = worker.user.id
    auth.lock(worker)
    boss = sign_in_as(vault_dir, MANAGER, clock)
    notes.amend(boss, hers.id, SECRET)  # a correction of her restricted note: restricted too
    new_words = "tangerine lighthouse velvet anchor"
    staff.reset_passphrase(boss, w_id, new_words)
    auth.lock(boss)
    again = auth.sign_in(VaultFolder(vault_dir), WORKER[0], new_words, clock=clock)
    try:
        note = notes.get(again, hers.id)
        assert note.text == "Her own restricted words"
        assert [a.text for a in note.amendments] == [SECRET]
    finally:
        again.close()


def test_a_worker_cannot_vouch_for_her_own_key_with_a_made_up_previous_vault(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    """``audit_previous_chains`` (a restored vault's old statements) lives in the case
    database: one she writes herself must not let her sign entries in a manager's name."""
    from refuge_desk.services import audit
    from refuge_desk.store import audit_chain, audit_repo, grants
    from refuge_desk.store.crypto import b64, fingerprint
    from refuge_desk.store.grants import Kind

    m_id = manager_session.user.id
    auth.lock(manager_session)
    me = _slot_keys(vault_dir, *WORKER[::2])
    kf = keyfile.load(vault_dir / "keyslots.json")
    case_key = _envelopes_for(vault_dir, me)[CASE]
    fake = AccountKeys.generate()
    root = grants.make(
        [],
        kf.vault_id,
        Kind.ROOT,
        "2026-01-01T00:00:00+00:00",
        fake,
        grants.SELF_SIGNER,
        user_id=m_id,
        tag="x",
        role="manager",
        keys=(fake.receive_public, fake.signing_public),
        slot="s",
    )
    era = {
        "upto": 10**9,
        "vault_id": kf.vault_id,
        "root": fingerprint(fake.signing_public),
        "statements": [root.to_json()],
    }
    conn = raw_connection(vault_dir / "vault.db", case_key, isolation_level=None)
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('audit_previous_chains', ?)", (json.dumps([era]),)
    )
    prev, top = conn.execute("SELECT hash, id FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    row = (top + 1, "2026-11-24T10:05:00+00:00", m_id, "resident.view", "R-0001", "")
    h = audit_chain.entry_hash(prev, *row)
    sig = b64(fake.sign(audit_repo.signed_message(kf.vault_id, h)))
    conn.execute(
        "INSERT INTO audit_log (id, at, user_id, action, ref, detail, prev_hash, hash, signer, "
        "sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*row, prev, h, m_id, sig),
    )
    conn.close()
    boss = sign_in_as(vault_dir, MANAGER, clock)
    try:
        result = audit.verify(boss)
    finally:
        boss.close()
    assert not result.ok, "a made-up previous vault vouched for her key"


def test_a_volunteers_own_entries_moved_in_from_the_rota_file_still_verify(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    """Control for the signer rule: her entries are imported by someone else's session."""
    from refuge_desk.services import audit

    auth.lock(manager_session)
    auth.lock(sign_in_as(vault_dir, VOLUNTEER, clock))
    auth.lock(sign_in_as(vault_dir, WORKER, clock))  # moves them into the log
    boss = sign_in_as(vault_dir, MANAGER, clock)
    try:
        assert boss.db.scalar("SELECT count(*) FROM audit_log WHERE detail LIKE '%rota file%'")
        result = audit.verify(boss)
        assert result.ok, result.message
    finally:
        boss.close()

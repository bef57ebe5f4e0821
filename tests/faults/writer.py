"""A writer process for the kill -9 tests: saves residents, case notes and drafts forever,
or (mode ``rekey``) changes the vault's keys again and again between writes.

Run as ``python writer.py VAULT_DIR SEED [rekey]`` with the manager's keys as one JSON line on
stdin (case, rota and managers' key, her two private keys, in hex): they travel over a pipe,
never the disk or the command line, and the process skips Argon2 so each round costs one
start and one kill. After each commit returns it prints ``ACK <kind> <id>`` and flushes, so
every line the test reads is a commit the vault promised.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from refuge_desk.domain.residents import Child, Resident, Status
from refuge_desk.services import drafts, notes, rekey, residents
from refuge_desk.services.session import Session
from refuge_desk.store import staff_repo, vault
from refuge_desk.store.crypto import AccountKeys
from refuge_desk.store.keymem import Keyring
from refuge_desk.store.vault import VaultFolder

MANAGER_ID = 1  # the first account of a new vault


def ack(kind: str, ident: int) -> None:
    sys.stdout.write(f"ACK {kind} {ident}\n")
    sys.stdout.flush()


def open_session(folder: VaultFolder, given: dict[str, str]) -> Session:
    keys = Keyring()
    for name in ("case", "rota", "managers"):
        keys.put(name, bytearray(bytes.fromhex(given[name])))
    kf = vault.settle(folder, folder.load_keyfile())
    db = vault.open_database(folder, keys.get("case") or b"")
    rota_db = vault.open_rota(folder, keys.get("rota") or b"")
    user = staff_repo.by_id(db, MANAGER_ID)
    assert user is not None
    account = AccountKeys.from_secret(bytes.fromhex(given["account"]))
    session = Session(folder, db, rota_db, keys, account, kf, user)
    session.wire()
    return session


def dump_keys(session: Session) -> str:
    """What ``open_session`` reads: the keys of a manager's session (a test's own vault)."""
    assert session.account is not None
    given = {
        name: bytes(session.keys.get(name) or b"").hex() for name in ("case", "rota", "managers")
    }
    given["account"] = bytes(session.account.secret()).hex()
    return json.dumps(given)


def main(folder_path: str, seed: str, mode: str = "write") -> None:
    given = json.loads(sys.stdin.readline())
    folder = VaultFolder(Path(folder_path))
    folder.acquire()  # as the app does; the OS drops the lock when we are killed
    session = open_session(folder, given)
    sys.stdout.write("READY\n")
    sys.stdout.flush()
    i = 0
    while True:
        i += 1
        if mode == "rekey" and i % 2 == 0:
            sys.stdout.write("REKEYING\n")  # the test may kill it from here on, mid-rekey
            sys.stdout.flush()
            rekey.rekey(session, "the kill -9 test")
            ack("rekey", session.keyfile.epoch)
            continue
        saved = residents.save(
            session,
            Resident(
                full_name=f"Writer {seed} {i}",
                status=Status.REFERRAL,
                notes="x" * (i % 7) * 300,  # some commits span several pages
                children=[Child(full_name=f"Child {seed} {i}")] if i % 3 == 0 else [],
            ),
        )
        assert saved.id is not None
        ack("resident", saved.id)
        note = notes.add(session, saved.id, f"Note {seed} {i}: " + "y" * (i % 5) * 200)
        ack("note", note.id)
        drafts.park(session, drafts.RESIDENT, saved.id, {"full_name": f"Draft {seed} {i}"})
        ack("draft", saved.id)


if __name__ == "__main__":
    main(*sys.argv[1:4])

"""A writer process for the kill -9 test: saves residents, case notes and drafts forever.

Run as ``python writer.py VAULT_DIR SEED`` with the vault's data key (hex) as the first line
of stdin: the key travels over a pipe, never the disk or the command line, and the process
skips Argon2 so each round costs one start and one kill. After each commit returns it prints
``ACK <kind> <id>`` and flushes, so every line the test reads is a commit the vault promised.
"""

from __future__ import annotations

import sys
from pathlib import Path

from refuge_desk.domain.residents import Child, Resident, Status
from refuge_desk.services import drafts, notes, residents
from refuge_desk.services.session import Session
from refuge_desk.store import staff_repo, vault
from refuge_desk.store.vault import VaultFolder

MANAGER_ID = 1  # the first account of a new vault


def ack(kind: str, ident: int) -> None:
    sys.stdout.write(f"ACK {kind} {ident}\n")
    sys.stdout.flush()


def main(folder_path: str, seed: str) -> None:
    key = bytearray(bytes.fromhex(sys.stdin.readline().strip()))
    folder = VaultFolder(Path(folder_path))
    folder.acquire()  # as the app does; the OS drops the lock when we are killed
    db = vault.open_database(folder, key)
    user = staff_repo.by_id(db, MANAGER_ID)
    assert user is not None
    session = Session(folder, db, key, folder.load_keyslots(), user)
    sys.stdout.write("READY\n")
    sys.stdout.flush()
    i = 0
    while True:
        i += 1
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
    main(sys.argv[1], sys.argv[2])

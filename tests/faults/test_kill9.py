"""kill -9 of a writer at random moments: no acknowledged commit lost, the vault stays whole.

100 rounds over four vaults. Each round starts tests/faults/writer.py (residents, case notes
and drafts in a loop, one ``ACK`` line after each commit), kills it with SIGKILL after a
seeded random delay (sometimes while it is still opening the vault), then reopens the vault
and checks it: integrity, foreign keys, every acknowledged row present, every draft loadable,
and the instance lock free again.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from refuge_desk.services import auth, drafts
from refuge_desk.store import drafts_repo, vault
from refuge_desk.store.vault import VaultFolder
from tests.conftest import MANAGER, ORG, WORKER, FakeClock
from tests.faults.writer import dump_keys

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX only")

WRITER = Path(__file__).with_name("writer.py")
ROUNDS = 100
VAULTS = 4
SEED = 20261124


@dataclass
class Acked:
    resident: set[int] = field(default_factory=set)
    note: set[int] = field(default_factory=set)
    draft: dict[int, str] = field(default_factory=dict)  # record id -> writer tag

    def add(self, lines: list[str], tag: str) -> int:
        n = 0
        for line in lines:
            parts = line.split()
            if len(parts) != 3 or parts[0] != "ACK":
                continue
            kind, ident = parts[1], int(parts[2])
            n += 1
            if kind == "resident":
                self.resident.add(ident)
            elif kind == "note":
                self.note.add(ident)
            else:
                self.draft[ident] = tag
        return n


def _one_round(
    folder: Path,
    key: str,
    tag: str,
    delay: float,
    mode: str = "write",
    *,
    after_ready: bool,
    wait_for: str = "READY",
) -> tuple[list[str], bool]:
    """Start a writer, kill it ``delay`` s after it says ``wait_for`` (``after_ready``; READY:
    mid-write, REKEYING: mid-rekey), or ``delay`` s after it starts (while it starts or opens
    the vault). The moment is set by what the writer says, not by how fast this machine is."""
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(folder), tag, mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(key + "\n")
    proc.stdin.flush()
    early: list[str] = []
    if after_ready:
        while (line := proc.stdout.readline()) and line.strip() != wait_for:
            early.append(line.rstrip("\n"))
        assert line, f"the writer stopped before {wait_for}:\n{proc.communicate()[1]}"
        early.append(wait_for)
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, f"the writer died by itself:\n{err}"
    lines = early + out.splitlines()
    return lines, "READY" in lines


def _check(folder: Path, key: str, acked: Acked) -> None:
    vf = VaultFolder(folder)
    vf.acquire()  # the dead writer's lock is gone
    case = bytearray(bytes.fromhex(json.loads(key)["case"]))
    db = vault.open_database(vf, case)  # raises VaultCorrupt when damaged
    try:
        assert db.integrity_problems(read_rows=True) == []
        assert db.query("PRAGMA foreign_key_check") == []
        residents = {int(r[0]) for r in db.query("SELECT id FROM residents")}
        notes = {int(r[0]) for r in db.query("SELECT id FROM case_notes")}
        assert acked.resident <= residents, sorted(acked.resident - residents)
        assert acked.note <= notes, sorted(acked.note - notes)
        rows = {row.record_id: row for row in drafts_repo.for_user(db, 1)}
        for record_id, tag in acked.draft.items():
            payload = drafts.load(rows[record_id])
            assert payload["full_name"].startswith(f"Draft {tag} ")
        for row in rows.values():
            assert isinstance(json.loads(row.payload), dict)
    finally:
        db.close()
        vf.release()


def test_kill_nine_never_loses_an_acknowledged_commit(tmp_path: Path) -> None:
    first = tmp_path / "vault-0"
    made = VaultFolder(first)
    session, _ = auth.setup_vault(made, ORG, *MANAGER, clock=FakeClock())
    key = dump_keys(session)
    session.close()
    made.release()  # the writer processes claim it in turn
    folders = [first] + [tmp_path / f"vault-{v}" for v in range(1, VAULTS)]
    for f in folders[1:]:
        shutil.copytree(first, f)
    acked = {f: Acked() for f in folders}
    rng = random.Random(SEED)
    total = before_ready = 0
    early_rounds = 0
    for r in range(ROUNDS):
        folder = folders[r % VAULTS]
        # One round in five is killed while the writer starts or opens the vault; the rest
        # 0 to 0.35 s into writing.
        early = r % 5 == 0
        early_rounds += early
        delay = rng.uniform(0.0, 0.15) if early else rng.uniform(0.0, 0.35)
        lines, ready = _one_round(folder, key, f"{r}", delay, after_ready=not early)
        total += acked[folder].add(lines, f"{r}")
        before_ready += not ready
        _check(folder, key, acked[folder])
    print(f"kill -9: {ROUNDS} rounds, {total} acknowledged commits, {before_ready} while opening")
    # The rounds really wrote, and really were cut at different moments.
    assert total >= 5 * (ROUNDS - early_rounds), total
    assert 0 < before_ready <= early_rounds, before_ready


REKEY_ROUNDS = 24


def test_kill_nine_during_a_rekey_leaves_a_vault_that_opens_with_every_row(
    tmp_path: Path,
) -> None:
    """A writer that rekeys between writes, killed at random moments: each time the vault
    opens with the remaining accounts' passphrases and holds every acknowledged row."""
    from refuge_desk.domain.roles import Role
    from refuge_desk.services import staff

    folder = tmp_path / "vault"
    made = VaultFolder(folder)
    clock = FakeClock()
    session, _ = auth.setup_vault(made, ORG, *MANAGER, clock=clock)
    staff.add(session, WORKER[0], WORKER[1], Role.WORKER, WORKER[2])
    key = dump_keys(session)
    auth.lock(session)
    made.release()
    acked = Acked()
    rng = random.Random(SEED + 1)
    epochs: set[int] = set()
    for r in range(REKEY_ROUNDS):
        # Every round is killed within a moment of a rekey starting: before its new files
        # are whole, after the key file names them, or between the renames.
        delay = rng.uniform(0.0, 0.25)
        lines, _ready = _one_round(
            folder, key, f"{r}", delay, "rekey", after_ready=True, wait_for="REKEYING"
        )
        acked.add([ln for ln in lines if not ln.startswith("ACK rekey")], f"{r}")
        epochs |= {int(ln.split()[2]) for ln in lines if ln.startswith("ACK rekey")}
        vf = VaultFolder(folder)
        vf.acquire()
        try:
            worker = auth.sign_in(vf, WORKER[0], WORKER[2], clock=clock)
            auth.lock(worker)
            manager = auth.sign_in(vf, MANAGER[0], MANAGER[2], clock=clock)
            key = dump_keys(manager)
            auth.lock(manager)
        finally:
            vf.release()
        _check(folder, key, acked)
        assert not list(folder.glob("*.next-*")), "a half-made rekey was left behind"
    print(f"kill -9 during rekeys: {REKEY_ROUNDS} rounds, {len(epochs)} rekeys completed")
    assert acked.resident, "the writer wrote between the rekeys"

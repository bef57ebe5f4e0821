"""After lock, no copy of the case key is left in the process: not the raw bytes, not the hex
text SQLCipher is keyed with, not a PRAGMA key statement.

A child process signs in, reads and writes, then scans its own memory (every writable mapping
in /proc/self/maps, read through /proc/self/mem) before and after locking. It searches for
the key's two halves side by side, so the needles it holds (each half apart) are never a
match themselves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from refuge_desk.domain.roles import Role
from refuge_desk.services import auth, staff
from refuge_desk.store.vault import VaultFolder
from tests.conftest import MANAGER, ORG, WORKER, FakeClock

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc/self/mem (Linux)"
)

CHILD = textwrap.dedent(
    '''
    import gc, json, sys
    from refuge_desk.domain.residents import Resident, Status
    from refuge_desk.services import auth, notes, residents
    from refuge_desk.store.vault import VaultFolder

    BLOCK, PAGE = 1 << 20, 4096

    def readable(mem, start, end):
        """The region's bytes in blocks; a page that cannot be read (a guard page) is
        skipped, never the whole region."""
        at = start
        while at < end:
            size = min(BLOCK, end - at)
            try:
                mem.seek(at)
                yield at, mem.read(size)
            except (OSError, ValueError, OverflowError):
                for page in range(at, at + size, PAGE):
                    try:
                        mem.seek(page)
                        yield page, mem.read(PAGE)
                    except (OSError, ValueError, OverflowError):
                        continue
            at += size

    def count(pairs):
        """How many places hold each (first half, second half) side by side."""
        found = [set() for _ in pairs]
        longest = max(len(a) + len(b) for a, b in pairs)
        with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", 0) as mem:
            regions = []
            for line in maps:
                fields = line.split()
                perms = fields[1]
                name = fields[5] if len(fields) > 5 else ""
                if perms[0] != "r" or name in ("[vvar]", "[vsyscall]", "[vdso]"):
                    continue
                start, end = (int(x, 16) for x in fields[0].split("-"))
                regions.append((start, end))
            for start, end in regions:
                tail, tail_at = b"", start
                for at, block in readable(mem, start, end):
                    if at != tail_at + len(tail):
                        tail, tail_at = b"", at
                    chunk = tail + block
                    base = at - len(tail)
                    for i, (a, b) in enumerate(pairs):
                        hit = chunk.find(a)
                        while hit >= 0:
                            if chunk[hit + len(a) : hit + len(a) + len(b)] == b:
                                found[i].add(base + hit)
                            hit = chunk.find(a, hit + 1)
                    tail, tail_at = chunk[-longest:], at + len(block) - min(len(chunk), longest)
        return [len(f) for f in found]

    folder, user, passphrase = sys.argv[1], sys.argv[2], sys.argv[3]
    session = auth.sign_in(VaultFolder(folder), user, passphrase)
    rid = residents.list_residents(session)[0].id
    residents.get(session, rid)
    notes.add(session, rid, "a note written in this process")
    key = session.data_key
    half = len(key) // 2
    pairs = [
        (bytes(key[:half]), bytes(key[half:])),
        (key[:half].hex().encode(), key[half:].hex().encode()),
        (key[:half].hex().upper().encode(), key[half:].hex().upper().encode()),
    ]
    before = count(pairs)
    auth.lock(session)
    del session, key
    gc.collect()
    after = count(pairs)
    print(json.dumps({"before": before, "after": after}))
    '''
)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    from refuge_desk.domain.residents import Resident, Status
    from refuge_desk.services import residents

    folder = VaultFolder(tmp_path / "vault")
    session, _ = auth.setup_vault(folder, ORG, *MANAGER, clock=FakeClock())
    staff.add(session, WORKER[0], WORKER[1], Role.WORKER, WORKER[2])
    residents.save(session, Resident(full_name="Memory Test", status=Status.REFERRAL))
    auth.lock(session)
    folder.release()
    return folder.path


def _run(vault: Path, who: tuple[str, str, str], env: dict[str, str]) -> dict[str, list[int]]:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(vault), who[0], who[2]],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root), **env},
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, list[int]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("who", [MANAGER, WORKER], ids=["manager", "worker"])
def test_no_copy_of_the_case_key_is_left_after_lock(vault: Path, who: tuple[str, str, str]) -> None:
    counts = _run(vault, who, {})
    raw, hex_low, hex_up = counts["before"]
    assert raw + hex_low + hex_up >= 1, counts  # control: SQLCipher holds it while open
    assert counts["after"] == [0, 0, 0], counts


def test_no_copy_is_left_either_when_keyed_through_the_pragma(vault: Path) -> None:
    """The fallback for builds that hide sqlite3_key_v2: a one-off statement, wiped."""
    counts = _run(vault, MANAGER, {"REFUGE_DESK_KEY_FALLBACK": "1"})
    assert sum(counts["before"]) >= 1, counts
    assert counts["after"] == [0, 0, 0], counts

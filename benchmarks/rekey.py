"""Rekey at refuge scale and beyond: disabling an account changes every key of the vault.

    python benchmarks/rekey.py [--residents 20000] [--notes-per-resident 5] [--restricted 2000]

Seeds a new vault in a temporary folder (fictional residents, case notes, a share of them
restricted), then times ``staff.disable`` of a worker, which rewrites vault.db and rota.db
under new keys, rewraps every restricted note's key for the managers and writes the key file.
Prints the seconds and the files' sizes. Target: at most 3 s at 20,000 residents.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from refuge_desk.domain.residents import Room
from refuge_desk.domain.roles import Role
from refuge_desk.services import auth, demo, notes, rooms, staff
from refuge_desk.store.vault import VaultFolder

PASSPHRASE = "lantern orbit mango kettle"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--notes-per-resident", type=int, default=5)
    parser.add_argument("--restricted", type=int, default=2_000, help="restricted notes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="refuge-desk-rekey-bench-") as tmp:
        folder = VaultFolder(Path(tmp) / "vault")
        session, _ = auth.setup_vault(
            folder,
            auth.Organisation("Bench Aid (fictional)", "Bench House"),
            "bench",
            "",
            PASSPHRASE,
        )
        leaver = staff.add(
            session, "bench.sam", "Sam (fictional)", Role.WORKER, "violet harbour ox"
        )
        for i in range(max(12, args.residents // 130)):
            rooms.save(session, Room(name=f"Room {i + 1}", beds=4))
        started = time.perf_counter()
        demo.seed(session, args.residents, notes_per_resident=args.notes_per_resident, seed_value=5)
        ids = [int(r[0]) for r in session.db.query("SELECT id FROM residents")]
        rng = random.Random(7)
        with session.db.transaction():
            for _ in range(args.restricted):
                notes.add(session, rng.choice(ids), "Restricted (fictional) note.", restricted=True)
        seeded = time.perf_counter() - started
        case_mb = folder.db_path.stat().st_size / 2**20
        rota_mb = folder.rota_path.stat().st_size / 2**20
        marks: list[int] = []
        started = time.perf_counter()
        staff.disable(session, leaver.id, progress=lambda done, total: marks.append(done))
        took = time.perf_counter() - started
        print(
            f"{args.residents:,} residents, {args.residents * args.notes_per_resident:,} notes "
            f"({args.restricted:,} restricted); vault.db {case_mb:.1f} MiB, rota.db "
            f"{rota_mb:.1f} MiB; seeded in {seeded:.0f} s"
        )
        print(f"disable with rekey: {took:.2f} s ({len(marks)} progress updates)")
        auth.lock(session)


if __name__ == "__main__":
    main()

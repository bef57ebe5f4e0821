"""Backup, verify and restore of a big fictional vault: time and peak memory.

    python benchmarks/backup.py [--residents N] [--notes-per-resident K] [--plans P] [--json FILE]

Each step runs in its own fresh process, so its peak resident memory (ru_maxrss) is its own.
The baseline is pyrage encrypting as many plain bytes as the backup's dump holds, to a file in
the same folder, with fsync. Everything happens in a temp folder that is removed at the end.
A report, not a test: exits 0 unless it crashes. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

USER = "bench.manager"
PASSPHRASE = "lantern orbit mango kettle"
RESTORER = "bench.restorer"
TARGET_RATIO = 3.0
TARGET_PEAK_MB = 500.0


def _peak_mb() -> float:
    # Linux reports KiB, macOS bytes.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# -- the steps, each run in a child process ---------------------------------------------------
def child(step: str, work: Path) -> dict[str, Any]:
    from refuge_desk.services import auth
    from refuge_desk.services.export import backup, format, restore, verify
    from refuge_desk.store.vault import VaultFolder

    identity = (work / "identity.txt").read_text().strip()
    dest = work / "usb"
    out: dict[str, Any] = {}
    if step == "backup":
        session = auth.sign_in(VaultFolder(work / "vault"), USER, PASSPHRASE)
        out["idle_mb"] = _peak_mb()
        start = time.perf_counter()
        made = backup.make_backup(session, dest)
        out["seconds"] = time.perf_counter() - start
        session.close()
        out.update(size=made.size, rows=sum(made.rows.values()), file=str(made.path))
    elif step == "dump":  # reading and JSON alone: no compression, encryption or disk
        session = auth.sign_in(VaultFolder(work / "vault"), USER, PASSPHRASE)
        out["idle_mb"] = _peak_mb()
        head = format.Manifest(1, session.db.user_version, "", "", "", "backup")
        start = time.perf_counter()
        with session.db.transaction():
            out["plain_bytes"] = sum(
                len(data) for _, data in format.archive_members(session.db, head)
            )
        out["seconds"] = time.perf_counter() - start
        session.close()
    elif step == "verify":
        path = next(dest.glob("*.age"))
        out["idle_mb"] = _peak_mb()
        start = time.perf_counter()
        problems = verify.verify_backup(path, identity)
        out["seconds"] = time.perf_counter() - start
        out["problems"] = problems
        with format.open_members(path, verify.keys.parse_identity(identity)) as members:
            out["plain_bytes"] = sum(len(stream.read()) for _, stream in members)
    elif step == "restore":
        path = next(dest.glob("*.age"))
        out["idle_mb"] = _peak_mb()
        start = time.perf_counter()
        result = restore.restore(path, identity, work / "restored", RESTORER, "", PASSPHRASE)
        out["seconds"] = time.perf_counter() - start
        out["rows"] = sum(result.rows.values())
    elif step == "baseline":
        import pyrage
        from pyrage import x25519

        size = int((work / "plain_bytes").read_text())
        data = random.Random(1).randbytes(size)
        recipient = x25519.Identity.from_str(identity).to_public()
        out["idle_mb"] = _peak_mb()
        start = time.perf_counter()
        with open(work / "baseline.age", "wb") as fh:
            pyrage.encrypt_io(io.BytesIO(data), fh, [recipient])
            fh.flush()
            os.fsync(fh.fileno())
        out["seconds"] = time.perf_counter() - start
    out["peak_mb"] = _peak_mb()
    return out


def run_child(step: str, work: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", step, str(work)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


# -- set-up -----------------------------------------------------------------------------------
def make_vault(work: Path, residents: int, notes: int, plans: int) -> dict[str, float]:
    from refuge_desk.domain.residents import Room
    from refuge_desk.domain.roles import Role
    from refuge_desk.services import auth, demo, rooms
    from refuge_desk.services import staff as staff_service
    from refuge_desk.services.demo.plans import seed_plans
    from refuge_desk.services.export import keys
    from refuge_desk.store.vault import VaultFolder

    org = auth.Organisation("Bench Women's Aid (fictional)", "Bench House")
    start = time.perf_counter()
    session, _ = auth.setup_vault(
        VaultFolder(work / "vault"), org, USER, "Bench Manager", PASSPHRASE
    )
    staff_service.add(session, "bench.sam", "Sam (fictional)", Role.WORKER, "violet harbour ox")
    # Enough beds for the seed's current residents (2%), so that many can be given plans.
    for i in range(max(12, residents // 130)):
        rooms.save(session, Room(name=f"Room {i + 1}", beds=4))
    demo.seed(session, residents, notes_per_resident=notes, seed_value=5)
    seeded = time.perf_counter() - start
    start = time.perf_counter()
    made_plans = seed_plans(session, random.Random(6), count=plans)
    plan_seconds = time.perf_counter() - start
    (work / "identity.txt").write_text(keys.generate_for(session) + "\n")
    session.close()
    (work / "usb").mkdir()
    return {"seed_s": seeded, "plans": made_plans, "plans_s": plan_seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--notes-per-resident", type=int, default=5)
    parser.add_argument("--plans", type=int, default=300, help="residents given safety plans")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", nargs=2, metavar=("STEP", "WORK"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return 0

    work = Path(tempfile.mkdtemp(prefix="refuge-desk-backup-bench-"))
    try:
        setup = make_vault(work, args.residents, args.notes_per_resident, args.plans)
        vault_mb = (work / "vault" / "vault.db").stat().st_size / 2**20
        results = {"backup": run_child("backup", work)}
        results["dump"] = run_child("dump", work)
        results["verify"] = run_child("verify", work)
        (work / "plain_bytes").write_text(str(results["verify"]["plain_bytes"]))
        results["baseline"] = run_child("baseline", work)
        results["restore"] = run_child("restore", work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    b, v, r, base = (results[k] for k in ("backup", "verify", "restore", "baseline"))
    ratio = b["seconds"] / base["seconds"]
    peak = max(b["peak_mb"], v["peak_mb"], r["peak_mb"])
    print(
        f"Refuge Desk backup benchmark: {args.residents} residents, {args.notes_per_resident}"
        f" notes each, {setup['plans']} safety plans; Python {platform.python_version()}, "
        f"{platform.machine()}, load {os.getloadavg()[0]:.2f}"
    )
    print(
        f"  vault.db {vault_mb:.1f} MiB; dump {v['plain_bytes'] / 2**20:.1f} MiB of JSON "
        f"Lines in {b['rows']} rows; backup file {b['size'] / 2**20:.1f} MiB"
    )
    print(f"  seeding {setup['seed_s']:.1f} s, plans {setup['plans_s']:.1f} s (not timed below)")
    print(f"  {'step':<34}{'seconds':>9}{'peak MB':>9}{'idle MB':>9}")
    for name, res in [
        ("backup (make_backup)", b),
        ("  of which read + JSON alone", results["dump"]),
        ("verify (verify_backup)", v),
        ("restore (incl. 2 key derivations)", r),
        ("baseline: pyrage, same plain bytes", base),
    ]:
        print(f"  {name:<34}{res['seconds']:>9.2f}{res['peak_mb']:>9.0f}{res['idle_mb']:>9.0f}")
    ok_ratio, ok_peak = ratio <= TARGET_RATIO, peak < TARGET_PEAK_MB
    print(
        f"  backup / baseline: {ratio:.1f}x (target <= {TARGET_RATIO:.0f}x: "
        f"{'met' if ok_ratio else 'MISSED'})"
    )
    print(
        f"  peak memory, worst step: {peak:.0f} MB (target < {TARGET_PEAK_MB:.0f} MB: "
        f"{'met' if ok_peak else 'MISSED'})"
    )
    print(f"  verify problems: {len(v['problems'])}; restored rows: {r['rows']} of {b['rows']}")
    if args.json:
        args.json.write_text(
            json.dumps({"setup": setup, "vault_mb": vault_mb, **results, "ratio": ratio}, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

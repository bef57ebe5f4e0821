"""Case-note benchmark: global search and one resident's note list on a large vault.

    python benchmarks/notes.py [--residents 20000] [--notes 400000] [--runs 15]

Builds a real SQLCipher vault in a temp folder (deleted at the end) with synthetic,
fictional notes written straight in SQL in one transaction (the FTS5 triggers index them),
then times ``services.notes.search`` across all residents for common, rare and prefix words,
and ``services.notes.list_notes`` for a resident with 200 notes. A report, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from refuge_desk.domain.roles import Role
from refuge_desk.services import auth, notes
from refuge_desk.services import staff as staff_service
from refuge_desk.services.session import Session
from refuge_desk.store.vault import VaultFolder

COMMON = ["she", "called", "housing", "support", "children", "worker", "office", "today"]
FILLER_TEXT = (
    "the and to of a in for with about said was is that her at on we will next week "
    "appointment benefits council school solicitor police gp refuge room keyworker plan "
    "safety court order visa universal credit bid letter form money doctor nursery "
    "counselling group phone call email meeting agreed follow up review"
)
FILLER = FILLER_TEXT.split()
RARE = ["zephyrine", "quillmoor", "brackwater", "oxtongue", "vellichor"]
QUERIES = {
    "common": ["housing", "called", "support", "children worker"],
    "rare": ["zephyrine", "quillmoor", "brackwater", "oxtongue"],
    "prefix": ["hous", "safe", "counsel", "appoint"],
    "absent": ["xylophonic"],
}
ORG = auth.Organisation("Benchmark Women's Aid", "Bench House", "1 Fictional Road")
PASS = "copper falcon pillow river"


def _body(rng: random.Random, words: list[str], weights: list[float]) -> str:
    picked = rng.choices(words, cum_weights=weights, k=rng.randint(15, 60))
    if rng.random() < 0.002:
        picked.append(rng.choice(RARE))
    return " ".join(picked).capitalize() + "."


def build(folder: Path, residents: int, total: int, seed: int) -> tuple[Session, int, int]:
    rng = random.Random(seed)
    session, _ = auth.setup_vault(VaultFolder(folder), ORG, "manager", "Mira Manager", PASS)
    worker = staff_service.add(session, "worker", "Wendy Worker", Role.WORKER, PASS)
    now = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    stamp = now.isoformat(timespec="seconds")
    words = COMMON + FILLER
    # Zipf-like: the first words are far more frequent than the last.
    cum, acc = [], 0.0
    for i in range(len(words)):
        acc += 1.0 / (i + 1)
        cum.append(acc)
    authors = [session.user.id, worker.id]
    db = session.db
    with db.transaction():
        db.executemany(
            "INSERT INTO residents (id, ref_no, reference, full_name, preferred_name, status, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, '', 'resident', ?, ?)",
            [(i, i, f"R-{i:05d}", f"Resident {i}", stamp, stamp) for i in range(1, residents + 1)],
        )
        start = now - dt.timedelta(days=3 * 365)
        step = (now - start) / total
        target = 1  # resident 1 gets exactly 200 notes
        rows = []
        for i in range(total):
            rid = target if i % (total // 200) == 0 and i // (total // 200) < 200 else None
            rid = rid or rng.randint(2, residents)
            when = (start + step * i).isoformat(timespec="seconds")
            rows.append(
                (
                    rid,
                    when,
                    rng.choice(["key_work", "phone", "other", "incident"]),
                    _body(rng, words, cum),
                    1 if rng.random() < 0.02 else 0,
                    rng.choice(authors),
                    when,
                )
            )
            if len(rows) == 20_000:
                _flush(session, rows)
                rows = []
        _flush(session, rows)
    return session, worker.id, target


def _flush(session: Session, rows: list[tuple[object, ...]]) -> None:
    session.db.executemany(
        "INSERT INTO case_notes (resident_id, happened_at, note_type, body, restricted, "
        "author_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm the page cache once, as a worker's first search after sign-in does
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--residents", type=int, default=20_000)
    ap.add_argument("--notes", type=int, default=400_000)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="refuge-notes-bench-"))
    try:
        t0 = time.perf_counter()
        manager, _worker_id, target = build(tmp / "vault", args.residents, args.notes, args.seed)
        print(
            f"built {args.residents:,} residents, {args.notes:,} notes in "
            f"{time.perf_counter() - t0:.0f} s"
        )
        worker = auth.sign_in(VaultFolder(tmp / "vault"), "worker", PASS)
        rows = [("what", "who", "p50 ms", "p95 ms", "max ms")]
        everything: list[float] = []
        for kind, queries in QUERIES.items():
            for who, session in (("manager", manager), ("worker", worker)):
                times: list[float] = []
                for q in queries:
                    times += timed(lambda q=q, s=session: notes.search(s, q), args.runs)
                everything += times
                rows.append((f"global search: {kind}", who, *_stats(times)))
        rows.append(("global search: all", "both", *_stats(everything)))
        for who, session in (("manager", manager), ("worker", worker)):
            rows.append(
                (
                    "resident search 'housing'",
                    who,
                    *_stats(timed(lambda s=session: notes.search(s, "housing", target), args.runs)),
                )
            )
            for limit in (50, 200):
                rows.append(
                    (
                        f"open notes of one resident (200 notes, page {limit})",
                        who,
                        *_stats(
                            timed(
                                lambda s=session, n=limit: notes.list_notes(s, target, limit=n),
                                args.runs,
                            )
                        ),
                    )
                )
        widths = [max(len(str(r[i])) for r in rows) for i in range(5)]
        for r in rows:
            print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))
        worker.close()
        manager.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _stats(times: list[float]) -> tuple[str, str, str]:
    return (
        f"{statistics.median(times):.1f}",
        f"{pct(times, 0.95):.1f}",
        f"{max(times):.1f}",
    )


if __name__ == "__main__":
    sys.exit(main())

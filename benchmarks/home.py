"""Home screen build time on a big vault: 20,000 residents (a few hundred current), 400,000 notes.

    python benchmarks/home.py [--residents N] [--notes N] [--runs 20]

Synthetic, obviously fictional data in a temp folder, deleted at the end. Reports the p50 and
p95 of ``services.home.build`` for a manager (her tasks, and everyone's) and a worker.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from refuge_desk.domain.roles import Role
from refuge_desk.services import auth, home
from refuge_desk.services import staff as staff_service
from refuge_desk.services.session import Session
from refuge_desk.store.vault import VaultFolder

ORG = auth.Organisation("Bench Women's Aid", "Bench House", "1 Nowhere Lane")
MANAGER = ("bench_manager", "Bea Bench", "copper falcon pillow river bench")
WORKER = ("bench_worker", "Wren Worker", "saffron glacier tunnel oboe bench")
FIRST = ("Amina", "Oksana", "Fatima", "Zofia", "Mei", "Priya", "Ngozi", "Lucía", "Rahel", "Şule")
LAST = ("Testwood", "Quillfield", "Ambervale", "Nowhereton", "Fictiva", "Mockley", "Dummerby")


def seed(s: Session, residents: int, notes: int, current: int, rng: random.Random) -> None:
    db = s.db
    today = s.today()
    now, me = s.stamp(), s.user.id
    staff = [int(r[0]) for r in db.query("SELECT id FROM staff WHERE role != 'volunteer'")]

    def day(offset: int) -> str:
        return (today + dt.timedelta(days=offset)).isoformat()

    with db.transaction():
        db.executemany(
            "INSERT INTO rooms (name, beds, created_at, updated_at) VALUES (?, ?, ?, ?)",
            [(f"Room {n}", rng.choice((2, 3, 4)), now, now) for n in range(1, 121)],
        )
        rows = []
        for n in range(1, residents + 1):
            is_current = n > residents - current
            status = rng.choice(("resident",) * 3 + ("referral",)) if is_current else "moved_on"
            arrival = day(-rng.randint(1, 200)) if is_current else day(-rng.randint(300, 4000))
            move_on = day(rng.randint(-3, 60)) if is_current and rng.random() < 0.1 else None
            rows.append(
                (
                    n,
                    f"R-{n:05d}",
                    f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    status,
                    arrival,
                    rng.randint(1, 120) if status == "resident" else None,
                    rng.choice(staff),
                    move_on,
                    now,
                    now,
                )
            )
        db.executemany(
            "INSERT INTO residents (ref_no, reference, full_name, status, arrival_date, room_id, "
            "key_worker_id, move_on_date, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        checklist = db.execute(
            "INSERT INTO risk_checklists (key, version, name, body, added_at) "
            "VALUES ('bench', 1, 'Bench', '{}', ?)",
            (now,),
        )
        ids = list(range(1, residents + 1))
        cur = ids[-current:]
        assess, incidents, orders_, imm, tasks_, plans = [], [], [], [], [], []
        for rid in ids:
            for _ in range(2 if rid in cur else rng.randint(0, 2)):
                level = rng.choice(("standard", "medium", "high"))
                assess.append((rid, checklist, day(-rng.randint(0, 100)), level, level, now))
            if rng.random() < 0.3:
                incidents.append((rid, day(-rng.randint(0, 400)), "Shouting at the gate", now))
            if rng.random() < 0.3:
                orders_.append(
                    (rid, "non_molestation", day(-200), day(rng.randint(-400, 300)), now, now)
                )
            if rng.random() < 0.3:
                granted = day(-rng.randint(0, 120)) if rng.random() < 0.5 else None
                imm.append((rid, "Spouse visa", day(rng.randint(-30, 700)), granted, now))
            if rng.random() < 0.1:
                done = None if rid in cur and rng.random() < 0.5 else now
                tasks_.append(
                    (
                        rid,
                        "Call the school",
                        day(rng.randint(-10, 20)),
                        rng.choice(staff),
                        done,
                        now,
                        me,
                    )
                )
            if rid in cur and rng.random() < 0.8:
                plans.append((rid, 1, day(rng.randint(-10, 60)), now))
        db.executemany(
            "INSERT INTO risk_assessments (resident_id, checklist_id, assessed_on, answers, score, "
            "scored_level, level, threshold_medium, threshold_high, created_at) "
            "VALUES (?, ?, ?, '{}', 12, ?, ?, 10, 14, ?)",
            assess,
        )
        db.executemany(
            "INSERT INTO incidents (resident_id, occurred_on, what_happened, created_at) "
            "VALUES (?, ?, ?, ?)",
            incidents,
        )
        db.executemany(
            "INSERT INTO court_orders (resident_id, order_type, starts_on, expires_on, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            orders_,
        )
        db.executemany(
            "INSERT INTO immigration (resident_id, visa_type, visa_expires_on, mvdac_granted_on, "
            "updated_at) VALUES (?, ?, ?, ?, ?)",
            imm,
        )
        db.executemany(
            "INSERT INTO tasks (resident_id, title, due_on, assignee_id, done_at, created_at, "
            "created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
            tasks_,
        )
        db.executemany(
            "INSERT INTO safety_plans (resident_id, latest_version, review_date, created_at) "
            "VALUES (?, ?, ?, ?)",
            plans,
        )
        db.execute(
            "INSERT INTO plan_reviews (plan_id, version_number, reviewed_at, reviewed_by, "
            "outcome, next_review) SELECT id, 1, ?, ?, 'new_version', review_date "
            "FROM safety_plans WHERE id % 2 = 0",
            (now, me),
        )
        words = ("met", "called", "school", "housing", "safe", "court", "doctor", "benefits")
        db.executemany(
            "INSERT INTO case_notes (resident_id, happened_at, note_type, body, author_id, "
            "created_at) VALUES (?, ?, 'key_work', ?, ?, ?)",
            (
                (
                    rng.choice(ids),
                    day(-rng.randint(0, 3000)),
                    " ".join(rng.choices(words, k=8)),
                    me,
                    now,
                )
                for _ in range(notes)
            ),
        )


def timings(s: Session, runs: int, scope: str) -> tuple[float, float]:
    home.build(s, scope=scope)  # warm the cache, as the second screen of the day would be
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        home.build(s, scope=scope)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95


def widget_timings(s: Session, runs: int) -> tuple[float, float]:
    """The real home page on the offscreen platform: build the view, lay out, paint."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from refuge_desk.ui.common.dialogs import ScriptedDialogs
    from refuge_desk.ui.home.home_page import HomePage

    app = QApplication.instance() or QApplication([])
    page = HomePage(s, ScriptedDialogs())
    page.resize(1180, 700)
    page.show()
    page.refresh()
    app.processEvents()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        page.refresh()
        page.grab()
        app.processEvents()
        times.append((time.perf_counter() - start) * 1000)
    page.close()
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--current", type=int, default=300)
    parser.add_argument("--notes", type=int, default=400_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="refuge-bench-home-") as tmp:
        folder = VaultFolder(Path(tmp) / "vault")
        manager, _ = auth.setup_vault(folder, ORG, *MANAGER)
        staff_service.add(manager, WORKER[0], WORKER[1], Role.WORKER, WORKER[2])
        start = time.perf_counter()
        seed(manager, args.residents, args.notes, args.current, random.Random(5))
        print(
            f"seeded {args.residents} residents ({args.current} current), {args.notes} notes "
            f"in {time.perf_counter() - start:.1f} s"
        )
        worker = auth.sign_in(folder, WORKER[0], WORKER[2])
        try:
            for label, session, scope in (
                ("manager, her tasks", manager, "mine"),
                ("manager, everyone's", manager, "everyone"),
                ("worker", worker, "mine"),
            ):
                p50, p95 = timings(session, args.runs, scope)
                view = home.build(session, scope=scope)
                counts = ", ".join(f"{sec.key} {sec.total}" for sec in view.sections)
                print(f"home.build {label:22s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  ({counts})")
            p50, p95 = widget_timings(manager, args.runs)
            print(f"HomePage refresh, painted     p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
        finally:
            worker.close()
            manager.close()


if __name__ == "__main__":
    main()

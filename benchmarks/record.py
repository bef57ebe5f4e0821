"""Opening one resident's record on a large vault: 200 case notes and 20 risk checklists.

    python benchmarks/record.py [--residents 20000] [--notes 400000] [--runs 20]

Builds the vault of ``benchmarks/notes.py`` (20,000 residents, 400,000 notes; resident 1 has
200 of them), gives resident 1 twenty risk checklists and ten incidents, then times opening her
record: the services alone, and the real ResidentEditor on the offscreen platform — the
record, then its Risk tab (banner, chart, history) and its Case notes tab, each painted.
Target: under 100 ms. A report, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))

from notes import build
from PySide6.QtWidgets import QApplication

from refuge_desk.domain.risk import (
    Answer,
    AnswerEntry,
    AssessmentInput,
    IncidentInput,
    level_for,
)
from refuge_desk.services import notes, residents, risk
from refuge_desk.services.session import Session
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.residents.resident_editor import ResidentEditor


def give_risk_history(session: Session, rid: int) -> None:
    checklist_id = risk.default_checklist_id(session)
    questions = risk.checklist(session, checklist_id).questions
    today = session.today()
    for i in range(20):
        yes = 6 + (i % 12)
        answers = {
            q.id: AnswerEntry(Answer.YES if k < yes else Answer.NO, "comment" if k < 3 else "")
            for k, q in enumerate(questions)
        }
        level = level_for(yes, risk.thresholds(session))
        when = today - dt.timedelta(days=14 * (20 - i))
        risk.add_assessment(
            session, rid, AssessmentInput(checklist_id, when, session.user.id, answers, level)
        )
    for i in range(10):
        risk.add_incident(
            session,
            rid,
            IncidentInput(today - dt.timedelta(days=30 * i + 3), "He came to the school gate."),
        )


def ms(fn: object, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append((time.perf_counter() - t) * 1000)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--residents", type=int, default=20_000)
    ap.add_argument("--notes", type=int, default=400_000)
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    tmp = Path(tempfile.mkdtemp(prefix="rd-record-bench-"))
    try:
        t = time.perf_counter()
        session, _worker, rid = build(tmp / "vault", args.residents, args.notes, 5)
        give_risk_history(session, rid)
        print(f"vault built in {time.perf_counter() - t:.1f} s")
        print(f"her notes: {notes.count(session, rid)}, checklists: 20, incidents: 10")

        def services() -> None:
            residents.get(session, rid)
            risk.summaries(session, [rid])
            risk.overview(session, rid)
            notes.list_notes(session, rid)

        editor = ResidentEditor(session, ScriptedDialogs())
        editor.resize(1180, 700)
        editor.show()
        other = rid + 1

        def painted(tab: str | None) -> None:
            editor.load(other)  # a different record first, so nothing is cached in widgets
            app.processEvents()
            t0 = time.perf_counter()
            editor.load(rid)
            if tab is not None:
                editor.casework.show_tab(tab)
            editor.grab()  # paint it, as she would see it
            app.processEvents()
            timings[tab or "record"].append((time.perf_counter() - t0) * 1000)

        timings: dict[str, list[float]] = {"record": [], "risk": [], "notes": []}
        for _ in range(2):  # warm-up: QtCharts and fonts load on first use
            painted("risk")
        timings = {"record": [], "risk": [], "notes": []}
        for _ in range(args.runs):
            for tab in (None, "risk", "notes"):
                painted(tab)
        rows = [("services: record + risk overview + first page of notes", ms(services, args.runs))]
        rows += [
            ("widget: open her record (Personal tab), painted", timings["record"]),
            ("widget: open her record on the Risk tab (chart, 20 checklists)", timings["risk"]),
            ("widget: open her record on the Case notes tab (200 notes)", timings["notes"]),
        ]
        print(f"\n{'what':66} {'p50 ms':>8} {'p95 ms':>8}")
        for name, values in rows:
            print(f"{name:66} {statistics.median(values):8.1f} {p95(values):8.1f}")
        editor.close()
        session.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Refuge Desk benchmark: seeds fictional residents into a new vault and times the hot paths.

    python benchmarks/run.py [--residents N] [--notes-per-resident K] [--no-widget] [--json FILE]

Everything happens in a temp folder that is removed at the end. Exits 0 unless it crashes:
it is a report, not a test. See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlcipher3
from plain import PlainDatabase, export_plain_copy

from refuge_desk.domain.roles import Role
from refuge_desk.services import auth, demo, residents
from refuge_desk.services import staff as staff_service
from refuge_desk.services.residents import CURRENT
from refuge_desk.services.session import Session
from refuge_desk.store import residents_repo
from refuge_desk.store.keyslots import zero
from refuge_desk.store.residents_repo import ResidentRow
from refuge_desk.store.vault import VaultFolder

USER = "bench.manager"
PASSPHRASE = "lantern orbit mango kettle"
WORKERS = [
    ("bench.sam", "Sam Okafor (fictional)"),
    ("bench.ivy", "Ivy Nowak (fictional)"),
    ("bench.lina", "Lina Haddad (fictional)"),
]
TARGET_SEARCH_P95_MS = 30.0
TARGET_SORT_MS = 50.0
TARGET_OPEN_MS = 50.0
TARGET_RATIO = 1.25
SIGN_INS = 3
WARM_REPEATS = 5
SORT_REPEATS = 3
NAMES_TYPED = 34  # plus REFERENCES_TYPED references = 40 typed strings, 5 prefixes each
REFERENCES_TYPED = 6
PREFIX_LENGTHS = range(1, 6)
OPENS = 200
FIRST_PAGE = 200  # ui.table_models.ResidentsModel.PAGE: rows the view fetches to paint
REFERENCE = "  full rows, for reference: "  # prefix of the old full-materialisation lines

T = TypeVar("T")


@dataclass
class Measurement:
    name: str
    encrypted_ms: float
    plain_ms: float | None = None
    target_ms: float | None = None
    in_overhead: bool = True  # counted in the overall encryption-overhead ratio
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.plain_ms is None or self.plain_ms <= 0:
            return None
        return self.encrypted_ms / self.plain_ms

    @property
    def passed(self) -> bool | None:
        return None if self.target_ms is None else self.encrypted_ms < self.target_ms


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    out = fn()
    return (time.perf_counter() - start) * 1000.0, out


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100.0 * len(ordered)) - 1)]


def typed_prefixes(rng: random.Random, max_ref: int) -> list[str]:
    """What a worker types into the search box, one keystroke at a time."""
    typed = [demo.fictional_name(rng) for _ in range(NAMES_TYPED)]
    typed += [f"R-{rng.randint(1, max_ref):04d}" for _ in range(REFERENCES_TYPED)]
    rng.shuffle(typed)
    return [text[:n] for text in typed for n in PREFIX_LENGTHS]


def is_latin(text: str) -> bool:
    return all(ord(ch) < 0x250 for ch in text)


def geo_mean(ratios: list[float]) -> float:
    return math.exp(statistics.fmean(math.log(r) for r in ratios))


def app_first_page(session: Session, **kwargs: Any) -> tuple[int, list[ResidentRow]]:
    """What the residents list does per keystroke or sort: all ids, then the page it paints."""
    ids = residents.list_ids(session, **kwargs)
    return len(ids), residents.rows_for(session, ids[:FIRST_PAGE])


def plain_first_page(db: PlainDatabase, **kwargs: Any) -> tuple[int, list[ResidentRow]]:
    """The same on the plaintext copy (a manager's session: names visible)."""
    ids = residents_repo.list_ids(db, **kwargs)  # type: ignore[arg-type]
    return len(ids), residents_repo.rows_for(db, ids[:FIRST_PAGE])  # type: ignore[arg-type]


# -- the run ---------------------------------------------------------------------------------


class Bench:
    def __init__(self, tmp: Path, residents_n: int, notes: int, widget: bool = True) -> None:
        self.folder = VaultFolder(tmp / "vault")
        self.plain_path = tmp / "plain.db"
        self.n = residents_n
        self.notes = notes
        self.meta: dict[str, Any] = {}
        self.results: list[Measurement] = []
        self.detail: dict[str, Any] = {}
        self.prefixes: list[str] = []
        self.full_rows_ratios: list[float] = []
        self.widget = widget

    def build(self) -> None:
        ms, (session, recovery) = timed(
            lambda: auth.setup_vault(
                self.folder,
                auth.Organisation(
                    "Benchmark Women's Aid (fictional)", "Benchmark House (fictional)"
                ),
                USER,
                "Bench Manager (fictional)",
                PASSPHRASE,
            )
        )
        del recovery
        self.meta["setup_vault_ms"] = round(ms, 1)
        for username, full_name in WORKERS:
            staff_service.add(session, username, full_name, Role.WORKER, PASSPHRASE)
        ms, _ = timed(lambda: demo.seed(session, self.n, notes_per_resident=self.notes))
        self.meta["seed_s"] = round(ms / 1000.0, 2)
        session.db.checkpoint()
        ms, _ = timed(lambda: export_plain_copy(session.db, self.plain_path))
        self.meta["plain_export_s"] = round(ms / 1000.0, 2)
        session.close()
        self.meta["vault_mib"] = round(self.folder.db_path.stat().st_size / 2**20, 1)
        self.meta["plain_mib"] = round(self.plain_path.stat().st_size / 2**20, 1)

    def sign_in(self) -> Session:
        totals, kdf_free, first_queries = [], [], []
        session: Session | None = None
        for _ in range(SIGN_INS):
            if session is not None:
                session.close()
            t_in, session = timed(lambda: auth.sign_in(self.folder, USER, PASSPHRASE))
            t_q, _ = timed(lambda s=session: app_first_page(s, statuses=CURRENT))
            totals.append(t_in + t_q)
            kdf_free.append(t_in)
            first_queries.append(t_q)
        assert session is not None
        # The passphrase-to-key derivation alone (Argon2id, deliberately slow).
        slots = self.folder.load_keyslots()
        t_kdf, (_, key) = timed(lambda: slots.unwrap_user(USER, PASSPHRASE))
        zero(key)
        t_check, _ = timed(lambda: session.db.integrity_problems())

        plain_opens, plain_first = [], []
        for _ in range(SIGN_INS):
            t_open, pdb = timed(lambda: PlainDatabase(self.plain_path))
            t_chk, _ = timed(pdb.quick_check)
            t_q, _ = timed(lambda p=pdb: plain_first_page(p, statuses=CURRENT))
            plain_opens.append(t_open + t_chk + t_q)
            plain_first.append(t_q)
            pdb.close()
        self.results.append(
            Measurement(
                "sign-in to first screen",
                statistics.median(totals),
                statistics.median(plain_opens),
                in_overhead=False,
                note=f"median of {SIGN_INS}; Argon2id key derivation {t_kdf:.0f} ms, integrity "
                f"check {t_check:.0f} ms; plain = open + quick_check + query",
            )
        )
        n_current = len(residents.list_ids(session, statuses=CURRENT))
        self.results.append(
            Measurement(
                "  first screen (current): ids + page",
                statistics.median(first_queries),
                statistics.median(plain_first),
                note=f"{n_current} ids, first {min(n_current, FIRST_PAGE)} rows",
            )
        )
        self.detail["sign_in_ms"] = totals
        self.detail["kdf_ms"] = t_kdf
        self.detail["integrity_check_ms"] = t_check
        return session

    def list_load(self, session: Session, plain: PlainDatabase) -> None:
        # First load: straight after sign-in (enc) / open + quick_check + first screen (plain).
        t_first, (n, _) = timed(lambda: app_first_page(session))
        f_first, rows = timed(lambda: residents.list_residents(session))
        fresh = PlainDatabase(self.plain_path)
        fresh.quick_check()
        plain_first_page(fresh, statuses=CURRENT)
        p_first, _ = timed(lambda: plain_first_page(fresh))
        pf_first, _ = timed(lambda: residents_repo.list_rows(fresh))
        fresh.close()
        self.results.append(
            Measurement(
                "residents list, first load (all)",
                t_first,
                p_first,
                note=f"list_ids ({n} ids) + rows_for(first {FIRST_PAGE})",
            )
        )
        self.results.append(
            Measurement(
                REFERENCE + "first load",
                f_first,
                pf_first,
                in_overhead=False,
                note=f"list_residents, {len(rows)} rows (run right after the line above)",
            )
        )
        enc, pla, f_enc, f_pla = [], [], [], []
        for _ in range(WARM_REPEATS):
            enc.append(timed(lambda: app_first_page(session))[0])
            pla.append(timed(lambda: plain_first_page(plain))[0])
            f_enc.append(timed(lambda: residents.list_residents(session))[0])
            f_pla.append(timed(lambda: residents_repo.list_rows(plain))[0])
        self.results.append(
            Measurement(
                "residents list, warm (all)",
                statistics.median(enc),
                statistics.median(pla),
                note=f"median of {WARM_REPEATS}",
            )
        )
        self.results.append(
            Measurement(
                REFERENCE + "warm",
                statistics.median(f_enc),
                statistics.median(f_pla),
                in_overhead=False,
                note=f"median of {WARM_REPEATS}",
            )
        )

    def search(self, session: Session, plain: PlainDatabase) -> None:
        max_ref = residents_repo.count(session.db)
        prefixes = self.prefixes = typed_prefixes(random.Random(2024), max_ref)
        enc, pla, f_enc, f_pla, hits = [], [], [], [], []
        mismatches = 0
        for p in prefixes:
            t, (n, page) = timed(lambda p=p: app_first_page(session, search=p))
            enc.append(t)
            hits.append(n)
            pla.append(timed(lambda p=p: plain_first_page(plain, search=p))[0])
            t, rows = timed(lambda p=p: residents.list_residents(session, search=p))
            f_enc.append(t)
            f_pla.append(timed(lambda p=p: residents_repo.list_rows(plain, search=p))[0])
            mismatches += len(rows) != n or rows[:FIRST_PAGE] != page
        non_latin = sum(1 for p in prefixes if not is_latin(p))
        refs = sum(1 for p in prefixes if p.startswith("R-") or p == "R")
        note = (
            f"{len(prefixes)} prefixes ({non_latin} non-Latin, ~{refs} reference), "
            f"{sum(1 for h in hits if h == 0)} with no hits, max {max(hits)} ids; "
            f"first page differs from list_residents in {mismatches}"
        )
        self.results.append(Measurement("search p50", percentile(enc, 50), percentile(pla, 50)))
        self.results.append(
            Measurement(
                "search p95",
                percentile(enc, 95),
                percentile(pla, 95),
                target_ms=TARGET_SEARCH_P95_MS,
                note=note,
            )
        )
        self.results.append(
            Measurement(
                REFERENCE + "search p50",
                percentile(f_enc, 50),
                percentile(f_pla, 50),
                in_overhead=False,
            )
        )
        self.results.append(
            Measurement(
                REFERENCE + "search p95",
                percentile(f_enc, 95),
                percentile(f_pla, 95),
                in_overhead=False,
                note="list_residents: every matching row built in Python",
            )
        )
        slowest = sorted(zip(enc, prefixes, hits, strict=True), reverse=True)[:5]
        self.detail["search_slowest"] = [
            {"ms": round(t, 2), "prefix_len": len(p), "latin": is_latin(p), "ids": h}
            for t, p, h in slowest
        ]
        self.detail["search_ms"] = enc
        self.detail["search_plain_ms"] = pla
        self.detail["search_full_rows_ms"] = f_enc
        self.detail["search_full_rows_plain_ms"] = f_pla

    def sort(self, session: Session, plain: PlainDatabase) -> None:
        app: list[Measurement] = []
        full: list[Measurement] = []
        mismatches = 0
        for key in residents_repo.SORT_KEYS:
            per_dir: list[tuple[float, float]] = []
            per_dir_full: list[tuple[float, float]] = []
            for desc in (False, True):
                enc, pla, f_enc, f_pla = [], [], [], []
                for _ in range(SORT_REPEATS):
                    t, (_, page) = timed(
                        lambda k=key, d=desc: app_first_page(session, sort=k, descending=d)
                    )
                    enc.append(t)
                    pla.append(
                        timed(lambda k=key, d=desc: plain_first_page(plain, sort=k, descending=d))[
                            0
                        ]
                    )
                    t, rows = timed(
                        lambda k=key, d=desc: residents.list_residents(
                            session, sort=k, descending=d
                        )
                    )
                    f_enc.append(t)
                    f_pla.append(
                        timed(
                            lambda k=key, d=desc: residents_repo.list_rows(
                                plain, sort=k, descending=d
                            )
                        )[0]
                    )
                mismatches += rows[:FIRST_PAGE] != page
                per_dir.append((statistics.median(enc), statistics.median(pla)))
                per_dir_full.append((statistics.median(f_enc), statistics.median(f_pla)))
                direction = "desc" if desc else "asc"
                self.detail[f"sort_{key}_{direction}_ms"] = per_dir[-1]
                self.detail[f"sort_{key}_{direction}_full_rows_ms"] = per_dir_full[-1]
            e, p = max(per_dir)
            m = Measurement(
                f"sort by {key}", e, p, note=f"slower of asc/desc, median of {SORT_REPEATS}"
            )
            self.results.append(m)
            app.append(m)
            e, p = max(per_dir_full)
            full.append(Measurement(f"sort by {key}", e, p))
        worst = max(app, key=lambda m: m.encrypted_ms)
        self.results.append(
            Measurement(
                "sort, worst column",
                worst.encrypted_ms,
                worst.plain_ms,
                target_ms=TARGET_SORT_MS,
                in_overhead=False,
                note=f"{worst.name}; first page differs from list_residents in {mismatches} "
                f"of {2 * len(app)} sorts",
            )
        )
        worst_full = max(full, key=lambda m: m.encrypted_ms)
        self.results.append(
            Measurement(
                REFERENCE + "sort, worst column",
                worst_full.encrypted_ms,
                worst_full.plain_ms,
                in_overhead=False,
                note=worst_full.name,
            )
        )
        self.full_rows_ratios = [m.ratio for m in full if m.ratio]

    def open_record(self, session: Session, plain: PlainDatabase) -> None:
        ids = [int(r[0]) for r in session.db.query("SELECT id FROM residents")]
        picks = random.Random(99).sample(ids, min(OPENS, len(ids)))
        service, enc, pla = [], [], []
        for rid in picks:
            service.append(timed(lambda r=rid: residents.get(session, r))[0])
            enc.append(timed(lambda r=rid: residents_repo.get(session.db, r))[0])
            pla.append(timed(lambda r=rid: residents_repo.get(plain, r))[0])
        self.results.append(
            Measurement(
                "open record p50 (with audit write)", percentile(service, 50), in_overhead=False
            )
        )
        self.results.append(
            Measurement(
                "open record p95 (with audit write)",
                percentile(service, 95),
                target_ms=TARGET_OPEN_MS,
                in_overhead=False,
                note=f"{len(picks)} random ids; services.residents.get",
            )
        )
        self.results.append(
            Measurement(
                "open record read p50",
                percentile(enc, 50),
                percentile(pla, 50),
                note="residents_repo.get",
            )
        )
        self.results.append(
            Measurement("open record read p95", percentile(enc, 95), percentile(pla, 95))
        )

    def in_the_widget(self, session: Session) -> None:
        """The real ResidentsPage, offscreen: keystrokes and header clicks until painted."""
        import widget  # Qt is imported only here, after every service-level figure

        fig = widget.measure(session, self.prefixes, SORT_REPEATS)
        checks = (
            f"checks: rowCount != len(list_ids) {fig.count_mismatches}, first row != ids[0] "
            f"{fig.order_mismatches}, no model reset {fig.not_reloaded}, not painted "
            f"{fig.not_painted}; {fig.paints} paints, {fig.fetches} pages of "
            f"{fig.page_rows_per_fetch} rows fetched"
        )
        name = "in the widget: "
        self.results.append(
            Measurement(
                name + "page open (current)",
                fig.open_ms,
                in_overhead=False,
                note=f"construct + show {widget.WIDTH}x{widget.HEIGHT} + processEvents, "
                f"{fig.open_rows} rows; then filter 'All': {fig.all_rows} rows",
            )
        )
        self.results.append(
            Measurement(name + "search p50", percentile(fig.search_ms, 50), in_overhead=False)
        )
        self.results.append(
            Measurement(
                name + "search p95",
                percentile(fig.search_ms, 95),
                target_ms=TARGET_SEARCH_P95_MS,
                in_overhead=False,
                note=f"{len(fig.search_ms)} keystrokes, filter 'All' ({fig.search_skipped} "
                "prefixes equal to the text already typed skipped)",
            )
        )
        worst_key = max(fig.sort_ms, key=lambda k: fig.sort_ms[k])
        self.results.append(
            Measurement(
                name + "sort, worst column",
                fig.sort_ms[worst_key],
                target_ms=TARGET_SORT_MS,
                in_overhead=False,
                note=f"{worst_key}; {len(fig.sort_ms)} header clicks, median of "
                f"{SORT_REPEATS}; {checks}",
            )
        )
        self.detail["widget_search_ms"] = fig.search_ms
        self.detail["widget_sort_ms"] = fig.sort_ms
        self.detail["widget_checks"] = {
            "count_mismatches": fig.count_mismatches,
            "order_mismatches": fig.order_mismatches,
            "not_reloaded": fig.not_reloaded,
            "not_painted": fig.not_painted,
            "pages_fetched": fig.fetches,
            "paint_events": fig.paints,
        }

    def run(self) -> None:
        self.build()
        session = self.sign_in()
        plain = PlainDatabase(self.plain_path)
        try:
            plain.quick_check()
            self.list_load(session, plain)
            self.search(session, plain)
            self.sort(session, plain)
            self.open_record(session, plain)
            if self.widget:
                self.in_the_widget(session)
        finally:
            plain.close()
            session.close()

    def overhead(self) -> float:
        return geo_mean([m.ratio for m in self.results if m.in_overhead and m.ratio])

    def overhead_full_rows(self) -> float:
        """The same ratio on the old full-materialisation path (for reference)."""
        full = [
            m.ratio
            for m in self.results
            if m.name.startswith(REFERENCE) and "worst" not in m.name and m.ratio
        ]
        shared = [
            m.ratio for m in self.results if m.name.startswith("open record read") and m.ratio
        ]
        return geo_mean(full + self.full_rows_ratios + shared)


# -- report ----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    conn = sqlcipher3.connect(":memory:")
    cipher = conn.execute("PRAGMA cipher_version").fetchone()[0]
    conn.close()
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlcipher3.sqlite_version,
        "sqlcipher": cipher,
        "load_avg_at_start": load_average(),
    }


def load_average() -> list[float]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return [round(x, 2) for x in load]


def fmt(v: float | None, spec: str = ".1f") -> str:
    return "—" if v is None else format(v, spec)


NAME_W = 48


def print_report(bench: Bench, overall: float, full_rows: float) -> None:
    m = bench.meta
    print(f"\nRefuge Desk benchmark — {bench.n} residents, {bench.notes} note lines each")
    print(
        f"{m['date']}  {m['cpu']} ({m['cores']} cores)  Python {m['python']}  "
        f"SQLite {m['sqlite']}  SQLCipher {m['sqlcipher']}  load {m['load_avg_at_start']}"
        f" at start, {m['load_avg_at_end']} at end"
    )
    print(
        f"seed {m['seed_s']} s, plaintext export {m['plain_export_s']} s, "
        f"vault {m['vault_mib']} MiB, plain copy {m['plain_mib']} MiB\n"
    )
    head = f"{'measurement':<{NAME_W}}{'vault ms':>10}{'plain ms':>10}{'ratio':>7}  {'target':<10}"
    print(head + "result  note")
    print("-" * (len(head) + 30))
    for r in bench.results:
        target = "" if r.target_ms is None else f"< {r.target_ms:.0f} ms"
        verdict = "" if r.passed is None else ("PASS" if r.passed else "FAIL")
        print(
            f"{r.name:<{NAME_W}}{fmt(r.encrypted_ms):>10}{fmt(r.plain_ms):>10}"
            f"{fmt(r.ratio, '.2f'):>7}  {target:<10}{verdict:<8}{r.note}"
        )
    verdict = "PASS" if overall < TARGET_RATIO else "FAIL"
    print(
        f"{'encryption overhead (geometric mean)':<{NAME_W}}{'':>20}{overall:>7.2f}  "
        f"{'< ' + str(TARGET_RATIO):<10}{verdict:<8}app's path (ids + first page)"
    )
    print(
        f"{REFERENCE + 'encryption overhead':<{NAME_W}}{'':>20}{full_rows:>7.2f}  "
        f"{'':<10}{'':<8}list_residents path"
    )


def to_json(bench: Bench, overall: float, full_rows: float) -> dict[str, Any]:
    rows = []
    for r in bench.results:
        d = asdict(r)
        d["ratio"] = r.ratio
        d["passed"] = r.passed
        rows.append(d)
    return {
        "residents": bench.n,
        "notes_per_resident": bench.notes,
        "meta": bench.meta,
        "measurements": rows,
        "overhead_ratio": {
            "geometric_mean": overall,
            "target": TARGET_RATIO,
            "passed": overall < TARGET_RATIO,
            "full_rows_for_reference": full_rows,
        },
        "detail": bench.detail,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--notes-per-resident", type=int, default=5)
    parser.add_argument("--no-widget", action="store_true", help="skip the offscreen widget run")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="refuge-bench-"))
    bench = Bench(
        tmp, max(1, args.residents), max(0, args.notes_per_resident), widget=not args.no_widget
    )
    bench.meta.update(machine())
    try:
        bench.run()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    bench.meta["load_avg_at_end"] = load_average()
    overall, full_rows = bench.overhead(), bench.overhead_full_rows()
    print_report(bench, overall, full_rows)
    if args.json:
        args.json.write_text(
            json.dumps(to_json(bench, overall, full_rows), indent=2, ensure_ascii=False),
            encoding="utf-8",
        )
        print(f"\nJSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The audit log's check: 100,000 signed entries, chain and every signature.

    python benchmarks/audit.py [--entries 100000]

Prints the seconds ``audit.verify`` takes (the chain walk and the Ed25519 checks) and the
seconds to write the entries, on a fresh vault in a temporary folder.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from refuge_desk.services import audit, auth
from refuge_desk.store import audit_repo
from refuge_desk.store.vault import VaultFolder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        session, _ = auth.setup_vault(
            VaultFolder(Path(tmp) / "vault"),
            auth.Organisation("Bench Aid", "Bench House"),
            "bench",
            "Bench Manager",
            "copper falcon pillow river",
        )
        db = session.db
        started = time.perf_counter()
        with db.transaction():
            for i in range(args.entries):
                audit_repo.record(
                    db,
                    f"2026-11-24T10:{i % 60:02d}:00+00:00",
                    session.user.id,
                    "resident.view",
                    f"R-{i % 900:04d}",
                    "v3",
                    signer=session.signer,
                )
        wrote = time.perf_counter() - started
        started = time.perf_counter()
        result = audit.verify(session)
        took = time.perf_counter() - started
        assert result.ok, result.message
        print(f"wrote {args.entries:,} signed entries in {wrote:.2f} s")
        print(f"audit verify of {result.count:,} entries (chain + signatures): {took:.2f} s")
        auth.lock(session)


if __name__ == "__main__":
    main()

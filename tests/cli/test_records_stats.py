"""`stats` through the real command."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from refuge_desk.domain.residents import Resident
from refuge_desk.services import auth, residents
from refuge_desk.store.vault import VaultFolder
from tests.cli.conftest import Cli
from tests.conftest import MANAGER, WORKER


def test_stats_csv(cli: Cli, vault: Path, tmp_path: Path) -> None:
    session = auth.sign_in(VaultFolder(vault), MANAGER[0], MANAGER[2])
    try:
        for i in range(7):
            residents.save(
                session, Resident(full_name=f"Ola Nowak{i}", referral_date=dt.date(2026, 3, 1))
            )
    finally:
        session.close()
    out = tmp_path / "s.csv"
    result = cli(
        "stats",
        vault,
        "--user",
        MANAGER[0],
        "--from",
        "2026-01-01",
        "--to",
        "2026-06-30",
        "--out",
        out,
        "--passphrase-stdin",
        stdin=[MANAGER[2]],
    )
    assert result.returncode == 0, result.stderr
    text = out.read_bytes().decode("utf-8-sig")
    assert "2026-01-01,2026-06-30,Referrals,Received,7" in text and "Nowak" not in text
    bad = cli(
        "stats",
        vault,
        "--user",
        MANAGER[0],
        "--from",
        "1 March",
        "--to",
        "2026-06-30",
        "--out",
        tmp_path / "x.csv",
        "--passphrase-stdin",
        stdin=[MANAGER[2]],
    )
    assert bad.returncode == 2
    assert "“1 March” is not a date (YYYY-MM-DD or DD/MM/YYYY)." in bad.stderr
    worker = cli(
        "stats",
        vault,
        "--user",
        WORKER[0],
        "--from",
        "2026-01-01",
        "--to",
        "2026-06-30",
        "--out",
        tmp_path / "w.csv",
        "--passphrase-stdin",
        stdin=[WORKER[2]],
    )
    assert worker.returncode == 1 and "funder statistics" in worker.stderr


def test_stats_takes_dates_as_uk_staff_write_them(cli: Cli, vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "uk.csv"
    result = cli(
        "stats",
        vault,
        "--user",
        MANAGER[0],
        "--from",
        "01/04/2026",
        "--to",
        "31/03/2027",
        "--out",
        out,
        "--passphrase-stdin",
        stdin=[MANAGER[2]],
    )
    assert result.returncode == 0, result.stderr
    assert "2026-04-01,2027-03-31,Referrals,Received," in out.read_bytes().decode("utf-8-sig")

"""`refuge-desk audit verify|export`, run in-process through cli.guarded as cli.main does."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
from pathlib import Path

import pytest

from refuge_desk.cli import audit, guarded
from refuge_desk.domain.residents import Resident
from refuge_desk.services import auth, residents
from refuge_desk.store.vault import VaultFolder
from tests.conftest import MANAGER, WORKER
from tests.raw import raw_connection


class Typed:
    def __init__(self, passphrase: str) -> None:
        self.passphrase = passphrase

    def ask(self, prompt: str) -> str:
        return self.passphrase


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="refuge-desk")
    audit.add_parsers(parser.add_subparsers(dest="command"))
    return parser


def run(argv: list[str | Path], passphrase: str = MANAGER[2]) -> int:
    args = _parser().parse_args([str(a) for a in argv])
    return guarded(lambda: int(args.run(args, Typed(passphrase))), None)


def _tamper(vault: Path, sql: str) -> str:
    """Make an entry about a resident, then change the log with a raw connection; returns
    her reference."""
    session = auth.sign_in(VaultFolder(vault), MANAGER[0], MANAGER[2])
    try:
        her = residents.save(session, Resident(full_name="Cli Tamper"))
        residents.get(session, her.id)
        key = bytes(session.data_key)
    finally:
        session.close()
    conn = raw_connection(vault / "vault.db", key, isolation_level=None)
    try:
        conn.execute(sql)
    finally:
        conn.close()
    return her.reference


def test_verify_an_intact_log(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["audit", "verify", vault, "--user", MANAGER[0]]) == 0
    out = capsys.readouterr().out
    assert out.startswith("All ") and " entries intact (newest hash " in out


def test_verify_finds_an_edited_row(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _tamper(vault, "UPDATE audit_log SET action = 'signin' WHERE action = 'resident.view'")
    assert run(["audit", "verify", vault, "--user", MANAGER[0]]) == 1
    err = capsys.readouterr().err
    assert "was changed after it was written." in err and err.startswith("Entry ")


def test_verify_finds_a_deleted_row(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _tamper(vault, "DELETE FROM audit_log WHERE action = 'resident.create'")
    assert run(["audit", "verify", vault, "--user", MANAGER[0]]) == 1
    assert "was deleted." in capsys.readouterr().err


def test_removing_the_newest_entries_is_found_by_the_head_in_her_slot(
    vault: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command ends with a lock, which binds the log's head into the manager's slot: the
    newest entries removed afterwards are found without any noted count."""
    assert run(["audit", "verify", vault, "--user", MANAGER[0]]) == 0
    noted = int(capsys.readouterr().out.split()[1].replace(",", ""))
    _tamper(vault, f"DELETE FROM audit_log WHERE id > {noted - 2}")
    argv = ["audit", "verify", vault, "--user", MANAGER[0], "--expect-at-least", str(noted + 4)]
    assert run(argv) == 1
    err = capsys.readouterr().err
    assert "entries it held when Mira Manager last locked or signed out" in err


def test_a_worker_is_refused(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["audit", "verify", vault, "--user", WORKER[0]], WORKER[2]) == 1
    assert "does not allow you to see the audit log" in capsys.readouterr().err
    out = vault.parent / "w.csv"
    assert run(["audit", "export", vault, "--user", WORKER[0], "--out", out], WORKER[2]) == 1
    assert not out.exists()


def test_export_for_one_resident(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reference = _tamper(vault, "SELECT 1")
    out = vault.parent / "audit.csv"
    argv = ["audit", "export", vault, "--user", MANAGER[0], "--out", out]
    assert run([*argv, "--resident", reference, "--from", "2000-01-01"]) == 0
    assert "Wrote " in capsys.readouterr().out
    text = out.read_text(encoding="utf-8-sig")
    assert "Cli Tamper" not in text
    rows = list(csv.reader(text.splitlines()))
    assert [r[3] for r in rows[1:]] == ["resident.create", "resident.view"]
    assert run(argv) == 1  # never overwrites
    assert "already exists" in capsys.readouterr().err


def test_wrong_passphrase_and_bad_date(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["audit", "verify", vault, "--user", MANAGER[0]], "not it at all") == 1
    assert capsys.readouterr().err.strip()
    argv = ["audit", "export", str(vault), "--user", "m", "--out", "x.csv", "--from"]
    assert _parser().parse_args([*argv, "24/11/2026"]).start == dt.date(2026, 11, 24)
    with pytest.raises(SystemExit):
        _parser().parse_args([*argv, "11/24/2026"])  # month first: no 24th month
    assert "“11/24/2026” is not a date (YYYY-MM-DD or DD/MM/YYYY)." in capsys.readouterr().err

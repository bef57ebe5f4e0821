"""`refuge-desk purge` and `refuge-desk retention due|hold`, run in-process through the
parsers cli.retention registers (add_parsers) and cli.guarded."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from pathlib import Path

import pytest

from refuge_desk.cli import guarded, retention
from refuge_desk.cli.common import Passphrases
from refuge_desk.domain.residents import Resident, Status
from refuge_desk.services import auth, residents
from refuge_desk.store.vault import VaultFolder
from tests.conftest import MANAGER, WORKER


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="refuge-desk")
    parser.add_argument("--passphrase-stdin", action="store_true")
    retention.add_parsers(parser.add_subparsers(dest="command"))
    return parser


def _run(monkeypatch: pytest.MonkeyPatch, argv: list[str], lines: list[str]) -> int:
    args = _parser().parse_args(["--passphrase-stdin", *argv])
    data = "".join(f"{line}\n" for line in lines).encode("utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    asker = Passphrases(True)
    return guarded(lambda: int(args.run(args, asker)), None)


@pytest.fixture
def old(vault: Path) -> tuple[str, str]:
    """The vault folder (closed: the command opens it itself) and her reference."""
    session = auth.sign_in(VaultFolder(vault), MANAGER[0], MANAGER[2])
    try:
        res = residents.save(
            session,
            Resident(
                full_name="Dina Old", status=Status.MOVED_ON, move_on_date=dt.date(2018, 4, 5)
            ),
        )
    finally:
        session.close()
    return str(vault), res.reference


def test_due_lists_candidates(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], old: tuple[str, str]
) -> None:
    folder, ref = old
    assert _run(monkeypatch, ["retention", "due", folder, "--user", MANAGER[0]], [MANAGER[2]]) == 0
    out = capsys.readouterr().out
    assert "Due for deletion: 1" in out
    assert f"{ref}\tMoved on 5 Apr 2018: more than 6 years ago" in out
    assert "Dina" not in out


def test_purge_asks_for_the_reference_again(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], old: tuple[str, str]
) -> None:
    folder, ref = old
    base = ["purge", folder, "--user", MANAGER[0], "--resident", ref]
    assert _run(monkeypatch, base, [MANAGER[2], "R-0"]) == 1
    assert "nothing was deleted" in capsys.readouterr().err
    assert _run(monkeypatch, [*base[:-1], ref, "--confirm", "nope"], [MANAGER[2]]) == 1
    capsys.readouterr()
    assert (
        _run(monkeypatch, ["purge", folder, "--user", WORKER[0], "--resident", ref], [WORKER[2]])
        == 1
    )
    assert "does not allow" in capsys.readouterr().err
    hold = ["retention", "hold", folder, "--user", MANAGER[0], "--resident", ref]
    assert _run(monkeypatch, [*hold, "--reason", "Court case"], [MANAGER[2]]) == 0
    assert _run(monkeypatch, base, [MANAGER[2], ref]) == 1
    assert "legal hold" in capsys.readouterr().err
    assert _run(monkeypatch, [*hold, "--reason", "Over", "--lift"], [MANAGER[2]]) == 0
    capsys.readouterr()
    assert _run(monkeypatch, base, [MANAGER[2], ref]) == 0
    out = capsys.readouterr().out
    assert "cannot be undone" in out and f"{ref} has been deleted for good." in out
    assert _run(monkeypatch, base, [MANAGER[2], ref]) == 1
    assert f"no resident with the reference {ref}" in capsys.readouterr().err

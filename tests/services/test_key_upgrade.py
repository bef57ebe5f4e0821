"""A vault made by the 0.1 release (tests/fixtures/vault-0.1-schema9.tar.gz, fictional data)
moves to keys per account by itself, with every row intact."""

from __future__ import annotations

import tarfile
from pathlib import Path
from typing import Any

import pytest

from refuge_desk.domain.errors import WrongCredentials
from refuge_desk.domain.roles import Role
from refuge_desk.services import auth, notes
from refuge_desk.store import keyfile
from refuge_desk.store.keyslots import KeySlotFile
from refuge_desk.store.vault import VaultFolder
from tests.conftest import FIXTURES, FakeClock
from tests.raw import raw_connection

FIXTURE = FIXTURES / "vault-0.1-schema9.tar.gz"
MANAGER = ("demo", "lantern orbit mango kettle")  # services/demo.py of the 0.1 release
WORKER = ("sam.worker", "violet harbour tuesday pebble")
VOLUNTEER = ("relief.jo", "cobalt meadow drift anchor")
LEAVER = ("leaver.kim", "quartz ember willow saddle")  # disabled in 0.1


@pytest.fixture
def old_vault(tmp_path: Path) -> Path:
    with tarfile.open(FIXTURE) as tar:
        tar.extractall(tmp_path, filter="data")
    return tmp_path / "vault"


def _rows(conn: Any) -> dict[str, list[dict[str, Any]]]:
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%fts%'"
        )
    ]
    out = {}
    for t in tables:
        without_rowid = conn.execute(
            "SELECT wr FROM pragma_table_list WHERE name = ?", (t,)
        ).fetchone()[0]
        order = "1, 2" if without_rowid else "rowid"
        cur = conn.execute(f'SELECT * FROM "{t}" ORDER BY {order}')
        cols = [d[0] for d in cur.description]
        out[t] = [dict(zip(cols, r, strict=True)) for r in cur]
    return out


def _old_snapshot(folder: Path) -> dict[str, list[dict[str, Any]]]:
    slots = KeySlotFile.load(folder / "keyslots.json")
    _slot, key = slots.unwrap_user(*MANAGER)
    conn = raw_connection(folder / "vault.db", key)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 9
        return _rows(conn)
    finally:
        conn.close()


def test_the_01_vault_moves_to_keys_per_account_with_every_row_intact(old_vault: Path) -> None:
    clock = FakeClock()
    before = _old_snapshot(old_vault)
    folder = VaultFolder(old_vault)
    old_data_key = bytes(KeySlotFile.load(old_vault / "keyslots.json").unwrap_user(*MANAGER)[1])

    # Before a manager signs in, the others sign in the 0.1 way.
    early = auth.sign_in(folder, *WORKER, clock=clock)
    assert early.role is Role.WORKER and early.account is None
    early.close()

    session = auth.sign_in(folder, *MANAGER, clock=clock)
    try:
        assert any("key for each account" in n for n in session.notices)
        kf = keyfile.load(old_vault / "keyslots.json")
        assert kf.upgrading and {s.user_id for s in kf.legacy} == {
            u["id"] for u in before["staff"] if u["active"] and u["username"] != MANAGER[0]
        }
        conn = raw_connection(old_vault / "vault.db", session.data_key)
        after = _rows(conn)
        conn.close()
        restricted = {n["id"]: n["body"] for n in before["case_notes"] if n["restricted"]}
        assert restricted, "the fixture holds restricted notes"
        for table, rows in before.items():
            new_rows = after[table]
            if table == "audit_log":
                new_rows = new_rows[: len(rows)]  # her sign-in and the move come after
            if table == "meta":  # she is asked to print a new recovery sheet; else the same
                old = {r["key"]: r["value"] for r in rows if r["key"] != "recovery_confirmed"}
                new = {r["key"]: r["value"] for r in new_rows}
                assert {k: new.get(k) for k in old} == old
                continue
            assert len(new_rows) == len(rows), table
            for old_row, new_row in zip(rows, new_rows, strict=True):
                expected = dict(old_row)
                if table == "case_notes" and old_row["restricted"]:
                    expected["body"] = ""  # sealed now: read back through notes.get below
                    assert new_row["sealed"]
                assert {k: new_row[k] for k in old_row} == expected, (table, old_row.get("id"))
        for note_id, text in restricted.items():  # every restricted note opens for her
            assert notes.get(session, note_id).text == text
    finally:
        auth.lock(session)

    # Each colleague makes her own keys at her next sign-in, with her own passphrase.
    worker = auth.sign_in(folder, *WORKER, clock=clock)
    assert worker.role is Role.WORKER and worker.account is not None and worker.has_case
    auth.lock(worker)
    volunteer = auth.sign_in(folder, *VOLUNTEER, clock=clock)
    assert volunteer.role is Role.VOLUNTEER and not volunteer.has_case
    auth.lock(volunteer)
    with pytest.raises(WrongCredentials):
        auth.sign_in(folder, *LEAVER, clock=clock)

    # Nobody is left to move: the next manager sign-in changes every key.
    session = auth.sign_in(folder, *MANAGER, clock=clock)
    try:
        kf = keyfile.load(old_vault / "keyslots.json")
        assert not kf.upgrading and not kf.legacy and kf.epoch == 2
        assert len(session.db.query("SELECT id FROM residents")) == len(before["residents"])
    finally:
        auth.lock(session)
    conn = raw_connection(old_vault / "vault.db", old_data_key)
    with pytest.raises(Exception, match="not a database"):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.close()
    assert not list(old_vault.glob("vault-v*-before-upgrade-*.db"))  # under the old key
    for who in (MANAGER, WORKER, VOLUNTEER):
        auth.lock(auth.sign_in(folder, *who, clock=clock))

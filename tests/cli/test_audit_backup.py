"""`audit verify --backup FILE --identity-file KEY` and `--expect-at-least N` against a log
changed with a raw SQLCipher connection, the way someone holding the case key could."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from refuge_desk.services import auth
from refuge_desk.services.export import backup as backup_service
from refuge_desk.services.export import keys, verify
from refuge_desk.store import audit_chain, audit_repo
from refuge_desk.store.db import DatabaseError
from refuge_desk.store.vault import VaultFolder
from tests.cli.conftest import Cli, Ran, Run
from tests.conftest import MANAGER, WORKER
from tests.raw import raw_connection

VERIFY = ("audit", "verify")


def _case_key(vault: Path) -> bytes:
    """The case key, from a session closed without a lock: no head is written into the
    manager's slot by the test itself."""
    session = auth.sign_in(VaultFolder(vault), MANAGER[0], MANAGER[2])
    try:
        return bytes(session.data_key)
    finally:
        session.close()


def _count(vault: Path, key: bytes) -> int:
    conn = raw_connection(vault / "vault.db", key)
    try:
        return int(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])
    finally:
        conn.close()


def _delete_newest_and_rechain(vault: Path, key: bytes, keep: int) -> None:
    """Keep the oldest ``keep`` entries, delete the rest, and recompute the hash chain of
    those left (store/audit_chain.entry_hash), so the chain itself looks whole."""
    conn = raw_connection(vault / "vault.db", key, isolation_level=None)
    try:
        ids = [r[0] for r in conn.execute("SELECT id FROM audit_log ORDER BY id")]
        conn.execute("BEGIN")
        conn.execute("DELETE FROM audit_log WHERE id > ?", (ids[keep - 1],))
        prev = ""
        rows = conn.execute(
            "SELECT id, at, user_id, action, ref, detail FROM audit_log ORDER BY id"
        ).fetchall()
        for row_id, at, user_id, action, ref, detail in rows:
            h = audit_chain.entry_hash(prev, row_id, at, user_id, action, ref, detail)
            conn.execute(
                "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, row_id)
            )
            prev = h
        conn.execute("COMMIT")
    finally:
        conn.close()


def _key_file(cli: Cli, vault: Path, tmp_path: Path) -> Path:
    key = tmp_path / "backup-key.txt"
    result = cli(
        "backup-key", vault, "--user", MANAGER[0], "--identity-out", key, "--passphrase-stdin",
        stdin=[MANAGER[2]],
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return key


def _worker_backup(cli: Cli, vault: Path, dest: Path) -> Path:
    """A support worker's backup: her session records no head in any manager's slot, so the
    backup is the only record of how long the log was."""
    dest.mkdir(exist_ok=True)
    result = cli(
        "backup", vault, "--user", WORKER[0], "--to", dest, "--passphrase-stdin",
        stdin=[WORKER[2]],
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip())


def _more_entries(cli: Cli, vault: Path) -> None:
    result = cli("check", vault, "--user", WORKER[0], "--passphrase-stdin", stdin=[WORKER[2]])
    assert result.returncode == 0, result.stdout + result.stderr


def _backup_head_count(backup: Path, key: Path) -> int:
    recorded = verify.audit_head(backup, keys.read_identity_file(key))
    assert recorded.head is not None
    return recorded.head.count


def _verify_with(
    run: Run, vault: Path, backup: Path, key: Path, stdin: list[str] | None = None
) -> Ran:
    argv = (*VERIFY, vault, "--user", MANAGER[0], "--backup", backup, "--identity-file", key)
    return run(*argv, stdin=[MANAGER[2]] if stdin is None else stdin)


# -- --backup --------------------------------------------------------------------------------
def test_a_backup_whose_entries_are_all_there(
    cli: Cli, vault: Path, tmp_path: Path, run: Run
) -> None:
    key = _key_file(cli, vault, tmp_path)
    backup = _worker_backup(cli, vault, tmp_path / "backups")
    _more_entries(cli, vault)
    got = _verify_with(run, vault, backup, key)
    assert got.code == 0, got.err
    lines = got.out.splitlines()
    assert lines[0].startswith("All ") and " entries intact (newest hash " in lines[0]
    count = _backup_head_count(backup, key)
    assert lines[1] == f"The {count:,} entries the backup {backup.name} recorded are all there."


def test_entries_deleted_since_a_backup_are_found_with_it(
    cli: Cli, vault: Path, tmp_path: Path, run: Run
) -> None:
    key = _key_file(cli, vault, tmp_path)  # the manager's slot records a head here
    backup = _worker_backup(cli, vault, tmp_path / "backups")
    _more_entries(cli, vault)
    recorded = _backup_head_count(backup, key)
    # The newest entries go, down to some the backup holds (after the manager's head).
    _delete_newest_and_rechain(vault, _case_key(vault), recorded - 1)

    got = _verify_with(run, vault, backup, key)
    assert got.code == 1
    assert got.out == ""
    assert got.err == (
        f"The audit log no longer holds the {recorded:,} entries it held when the backup "
        f"{backup.name} was made: entries were deleted and the chain was rebuilt outside "
        "Refuge Desk.\n"
    )
    # Without the backup nothing inside the folder shows it: the chain, the signatures and
    # the manager's head (recorded before the backup) are all whole.
    assert run(*VERIFY, vault, "--user", MANAGER[0], stdin=[MANAGER[2]]).code == 0


def test_a_backup_made_before_keys_per_account_has_no_head(
    cli: Cli, vault: Path, tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = _key_file(cli, vault, tmp_path)

    def no_head(_db: object) -> tuple[int, str]:
        raise DatabaseError("no such column: hash")  # as for a vault older than the chain

    session = auth.sign_in(VaultFolder(vault), WORKER[0], WORKER[2])
    try:
        (tmp_path / "old").mkdir()
        with monkeypatch.context() as patched:
            patched.setattr(audit_repo, "head", no_head)  # the module backup.py reads it from
            backup = backup_service.make_backup(session, tmp_path / "old").path
    finally:
        session.close()

    got = _verify_with(run, vault, backup, key)
    assert got.code == 0, got.err
    assert got.out.splitlines()[1] == (
        f"The backup {backup.name} records no audit log head (it was made before keys per "
        "account), so there was nothing in it to compare."
    )


def test_a_backup_of_another_vault_is_refused(
    cli: Cli, vault: Path, tmp_path: Path, run: Run
) -> None:
    other, key = tmp_path / "other", tmp_path / "other-key.txt"
    made = cli(
        "init", other, "--org", "Other Aid", "--refuge", "Other House", "--user", "olga",
        "--identity-out", key, "--passphrase-stdin", stdin=[MANAGER[2]],
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    (tmp_path / "b").mkdir()
    result = cli(
        "backup", other, "--user", "olga", "--to", tmp_path / "b", "--passphrase-stdin",
        stdin=[MANAGER[2]],
    )  # fmt: skip
    backup = Path(result.stdout.strip())
    got = _verify_with(run, vault, backup, key)
    assert got.code == 1
    assert got.err == (
        f"The backup {backup.name} is of another vault, so it says nothing about this vault's "
        "audit log.\n"
    )


def test_backup_options_go_together_and_a_damaged_backup_is_refused(
    cli: Cli, vault: Path, tmp_path: Path, run: Run
) -> None:
    got = run(*VERIFY, vault, "--user", MANAGER[0], "--backup", tmp_path / "x.age", stdin=[])
    assert got.code == 2 and got.err.startswith("--backup and --identity-file go together")
    key = _key_file(cli, vault, tmp_path)
    backup = _worker_backup(cli, vault, tmp_path / "backups")
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 1
    backup.write_bytes(bytes(data))
    # Refused before any passphrase is asked (stdin holds none).
    got = _verify_with(run, vault, backup, key, stdin=[])
    assert got.code == 1
    assert got.err.endswith(f"So the backup {backup.name} cannot be compared with the audit log.\n")
    assert len(got.err.splitlines()) == 1


# -- --expect-at-least -----------------------------------------------------------------------
def test_the_checks_own_entries_do_not_count(vault: Path, run: Run) -> None:
    before = _count(vault, _case_key(vault))
    argv = (*VERIFY, vault, "--user", MANAGER[0], "--expect-at-least")
    assert run(*argv, str(before), stdin=[MANAGER[2]]).code == 0
    # That check wrote its own sign-in, verify and lock entries: they are not what was noted.
    now = _count(vault, _case_key(vault))
    assert now > before
    got = run(*argv, str(now + 1), stdin=[MANAGER[2]])
    assert got.code == 1
    assert re.fullmatch(
        rf"Only {now:,} entries are left where at least {now + 1:,} were noted: the newest "
        r"entries were removed\.\n",
        got.err,
    )


def test_one_entry_deleted_is_not_made_up_for_by_the_checks_sign_in(vault: Path, run: Run) -> None:
    key = _case_key(vault)
    before = _count(vault, key)
    _delete_newest_and_rechain(vault, key, before - 1)
    # Noted: the count before the deletion, which is what is left + 1, which the check's
    # own sign-in entry would bring the log back to.
    argv = (*VERIFY, vault, "--user", MANAGER[0], "--expect-at-least", str(before))
    got = run(*argv, stdin=[MANAGER[2]])
    assert got.code == 1
    assert got.err == (
        f"Only {before - 1:,} entries are left where at least {before:,} were noted: the "
        "newest entries were removed.\n"
    )

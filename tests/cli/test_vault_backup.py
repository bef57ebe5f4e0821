"""`backup`, `verify-backup`, `restore`, `backup-key` and `init`'s backup key, for real."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

from refuge_desk.services import auth, demo
from refuge_desk.services.export import backup, keys
from refuge_desk.store.vault import VaultFolder
from tests.cli.conftest import Cli
from tests.conftest import MANAGER, VOLUNTEER, WORKER

IDENTITY = re.compile(r"AGE-SECRET-KEY-1[0-9A-Z]{58}")
NEW_PASSPHRASE = "walnut orchid lighthouse drizzle"


def _init(cli: Cli, folder: Path, *extra: str | Path) -> subprocess.CompletedProcess[str]:
    return cli(
        "init", folder, "--org", "Test Aid", "--refuge", "Test House", "--user", "mira",
        "--passphrase-stdin", *extra, stdin=[MANAGER[2]],
    )  # fmt: skip


def _key_file(cli: Cli, vault: Path, tmp_path: Path) -> Path:
    """The vault predates backups: a manager gives it a key pair first."""
    key = tmp_path / "backup-key.txt"
    result = cli(
        "backup-key", vault, "--user", MANAGER[0], "--identity-out", key, "--passphrase-stdin",
        stdin=[MANAGER[2]],
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert IDENTITY.search(result.stdout) is None  # written to the file, not shown
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    return key


def _backup(cli: Cli, vault: Path, dest: Path, who: tuple[str, str, str] = WORKER) -> Path:
    result = cli(
        "backup", vault, "--user", who[0], "--to", dest, "--passphrase-stdin", stdin=[who[2]]
    )
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path.parent == dest and path.is_file()
    return path


def test_init_prints_the_backup_key_once_and_keeps_only_its_public_half(
    cli: Cli, tmp_path: Path
) -> None:
    folder = tmp_path / "v"
    result = _init(cli, folder)
    assert result.returncode == 0, result.stderr
    found = IDENTITY.findall(result.stdout)
    assert len(found) == 1 and "office safe" in result.stdout
    session = auth.sign_in(VaultFolder(folder), "mira", MANAGER[2])
    try:
        assert keys.recipient(session) == str(keys.parse_identity(found[0]).to_public())
    finally:
        session.close()
    for path in folder.iterdir():
        assert found[0].encode() not in path.read_bytes()


def test_init_with_an_identity_file_or_a_public_key(cli: Cli, tmp_path: Path) -> None:
    key = tmp_path / "key.txt"
    result = _init(cli, tmp_path / "a", "--identity-out", key)
    assert result.returncode == 0, result.stderr
    assert not IDENTITY.search(result.stdout) and str(key) in result.stdout
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    # An existing key file is never overwritten, and no vault is made.
    before = key.read_bytes()
    again = _init(cli, tmp_path / "b", "--identity-out", key)
    assert again.returncode == 1 and "already exists" in again.stderr
    assert key.read_bytes() == before and not (tmp_path / "b").exists()
    # A bad public key: plain refusal, no vault; a good one is used as it is.
    bad = _init(cli, tmp_path / "c", "--backup-recipient", "age1notakey")
    assert bad.returncode == 1 and "not an age public key" in bad.stderr
    assert not (tmp_path / "c").exists()
    _, public = keys.new_identity()
    good = _init(cli, tmp_path / "d", "--backup-recipient", public)
    assert good.returncode == 0 and not IDENTITY.search(good.stdout)
    # A refused passphrase: neither a vault nor a key file is left behind.
    weak = cli(
        "init", tmp_path / "e", "--org", "O", "--refuge", "R", "--user", "mira",
        "--identity-out", tmp_path / "e-key.txt", "--passphrase-stdin", stdin=["password"],
    )  # fmt: skip
    assert weak.returncode == 1
    assert not (tmp_path / "e").exists() and not (tmp_path / "e-key.txt").exists()


def test_backup_verify_and_restore_through_the_command(
    cli: Cli, vault: Path, tmp_path: Path
) -> None:
    key = _key_file(cli, vault, tmp_path)
    dest = tmp_path / "usb"
    dest.mkdir()
    made = _backup(cli, vault, dest)

    verified = cli("verify-backup", made, "--identity-file", key)  # no passphrase, no terminal
    assert (verified.returncode, verified.stdout.strip(), verified.stderr) == (0, "ok", "")

    target = tmp_path / "restored"
    restored = cli(
        "restore", made, target, "--identity-file", key, "--user", "new.boss",
        "--full-name", "New Boss", "--passphrase-stdin", stdin=[NEW_PASSPHRASE],
    )  # fmt: skip
    assert restored.returncode == 0, restored.stderr
    assert "Recovery key:" in restored.stdout and "Other staff accounts: 3," in restored.stdout
    session = auth.sign_in(VaultFolder(target), "new.boss", NEW_PASSPHRASE)
    try:
        assert session.user.full_name == "New Boss"
        assert session.db.scalar("SELECT count(*) FROM staff WHERE active = 1") == 1
    finally:
        session.close()

    again = cli(
        "restore", made, target, "--identity-file", key, "--user", "x", "--passphrase-stdin",
        stdin=[NEW_PASSPHRASE],
    )  # fmt: skip
    assert again.returncode == 1 and again.stderr == f"{target} already holds a vault.\n"


def test_verify_lists_each_problem_and_exits_1(cli: Cli, vault: Path, tmp_path: Path) -> None:
    key = _key_file(cli, vault, tmp_path)
    dest = tmp_path / "usb"
    dest.mkdir()
    made = _backup(cli, vault, dest)
    made.write_bytes(made.read_bytes()[:-100])
    result = cli("verify-backup", made, "--identity-file", key)
    assert result.returncode == 1 and result.stdout == ""
    assert "cut short" in result.stderr
    target = tmp_path / "restored"
    refused = cli(
        "restore", made, target, "--identity-file", key, "--user", "x", "--passphrase-stdin",
        stdin=[NEW_PASSPHRASE],
    )  # fmt: skip
    assert refused.returncode == 1 and "Nothing was restored." in refused.stderr
    assert not target.exists()


def test_a_volunteer_is_refused(cli: Cli, vault: Path, tmp_path: Path) -> None:
    _key_file(cli, vault, tmp_path)
    dest = tmp_path / "usb"
    dest.mkdir()
    result = cli(
        "backup", vault, "--user", VOLUNTEER[0], "--to", dest, "--passphrase-stdin",
        stdin=[VOLUNTEER[2]],
    )  # fmt: skip
    assert result.returncode == 1 and "does not allow you to make a backup" in result.stderr
    assert list(dest.iterdir()) == []


# Runs the real command in its own process, with each write to the backup drive slowed down so
# the kill reliably lands part-way through writing.
SLOW_BACKUP = """
import sys, time
from refuge_desk.services.export import backup
real = backup._os_write
def slow(fd, data):
    time.sleep(0.02)
    return real(fd, data[:2048])
backup._os_write = slow
from refuge_desk.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_backup_killed_part_way_leaves_the_older_one_and_nothing_named_like_a_backup(
    cli: Cli, vault: Path, tmp_path: Path
) -> None:
    session = auth.sign_in(VaultFolder(vault), MANAGER[0], MANAGER[2])
    try:
        demo.seed(session, 150, notes_per_resident=4)
        keys.generate_for(session)
        vault_id = session.keyslots.vault_id
    finally:
        session.close()
    dest = tmp_path / "usb"
    dest.mkdir()
    older = _backup(cli, vault, dest)
    older_sha = hashlib.sha256(older.read_bytes()).hexdigest()

    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_BACKUP, "backup", str(vault), "--user", WORKER[0],
         "--to", str(dest), "--passphrase-stdin"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli.env,
    )  # fmt: skip
    assert proc.stdin is not None
    proc.stdin.write(f"{WORKER[2]}\n".encode())
    proc.stdin.close()
    deadline = time.monotonic() + 30
    partial: list[Path] = []
    while time.monotonic() < deadline and proc.poll() is None:
        partial = [p for p in dest.iterdir() if p.name.endswith(".partial")]
        if partial and partial[0].stat().st_size > 0:
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the backup finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    proc.stdout.close()  # type: ignore[union-attr]
    proc.stderr.close()  # type: ignore[union-attr]

    assert backup.backups_of(dest, vault_id) == [older]
    assert hashlib.sha256(older.read_bytes()).hexdigest() == older_sha
    leftovers = [p.name for p in dest.iterdir() if p != older]
    assert len(leftovers) == 1 and leftovers[0].startswith(".")
    assert not backup.NAME.match(leftovers[0])
    # The next backup works (the vault is not left locked) and clears the leftover.
    newer = _backup(cli, vault, dest)
    assert sorted(dest.iterdir()) == sorted([older, newer])

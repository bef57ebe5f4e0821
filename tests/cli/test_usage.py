"""Bad usage, no terminal, passphrases typed on a (pseudo-)terminal, --version."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from refuge_desk.cli import NO_TERMINAL
from refuge_desk.services import auth
from refuge_desk.store.vault import VaultFolder
from tests.cli.conftest import Cli
from tests.conftest import MANAGER


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["check", "somewhere"],
        ["frobnicate"],
        ["users"],
        ["users", "add", "v", "nadia", "--role", "boss", "--user", "m"],
        ["seed", "v", "--user", "m", "--residents", "-3"],
        ["seed", "v", "--user", "m", "--residents", "many"],
        ["--demo", "--vault", "v"],
        ["--demo", "check", "v", "--user", "m"],
    ],
)
def test_bad_usage_exits_2(cli: Cli, args: list[str]) -> None:
    result = cli(*args, stdin=[])
    assert result.returncode == 2
    assert "usage: refuge-desk" in result.stderr
    assert result.stdout == ""


def test_no_terminal_and_no_passphrase_stdin_exits_2(cli: Cli, vault: Path) -> None:
    result = cli("check", vault, "--user", MANAGER[0])  # stdin is /dev/null
    assert result.returncode == 2
    assert result.stderr == NO_TERMINAL + "\n"


def test_stdin_running_out_of_passphrases(cli: Cli, vault: Path) -> None:
    result = cli(
        "users",
        "add",
        vault,
        "nadia",
        "--role",
        "worker",
        "--user",
        MANAGER[0],
        "--passphrase-stdin",
        stdin=[MANAGER[2]],
    )
    assert result.returncode == 1
    assert result.stderr == (
        "Standard input ended before every passphrase was given (one per line).\n"
    )


def test_version_and_help_load_no_qt(cli: Cli) -> None:
    code = (
        "import sys\n"
        "from refuge_desk import __version__, cli\n"
        "assert cli.main(['--version']) == 0\n"
        "assert cli.main(['check', '--help']) == 0\n"
        "print('qt:', sorted(m for m in sys.modules if m.startswith('PySide6')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=cli.env,
        cwd=cli.cwd,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    from refuge_desk import __version__

    assert f"refuge-desk {__version__}" in result.stdout
    assert "--passphrase-stdin" in result.stdout
    assert "qt: []" in result.stdout


def _talk(fd: int, proc: subprocess.Popen[bytes], answers: list[tuple[bytes, bytes]]) -> bytes:
    """Answer each prompt as it appears on the terminal; return everything shown."""
    shown = b""
    pending = list(answers)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if pending and pending[0][0] in shown:
            os.write(fd, pending.pop(0)[1] + b"\n")
            continue
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        elif proc.poll() is not None:
            break
    return shown


@pytest.mark.skipif(os.name != "posix", reason="needs a pseudo-terminal")
def test_init_on_a_terminal_asks_twice_and_does_not_echo(cli: Cli, tmp_path: Path) -> None:
    import pty

    folder = tmp_path / "typed-vault"
    master, slave = pty.openpty()
    # A new session has no controlling terminal, so getpass uses this pty as stdin.
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "refuge_desk",
            "init",
            str(folder),
            "--org",
            "Org Aid",
            "--refuge",
            "Birch House",
            "--user",
            "mira",
        ],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=cli.env,
        cwd=cli.cwd,
        start_new_session=True,
    )
    os.close(slave)
    try:
        secret = MANAGER[2].encode()
        shown = _talk(
            master, proc, [(b"Choose a passphrase for mira", secret), (b"Type it again", secret)]
        )
        assert proc.wait(timeout=30) == 0, shown
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    assert b"Type it again" in shown
    assert b"Recovery key:" in shown
    assert secret not in shown  # hidden while typed
    assert b"Traceback" not in shown
    session = auth.sign_in(VaultFolder(folder), "mira", MANAGER[2])
    session.close()

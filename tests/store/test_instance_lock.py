"""One writer per vault folder: in this process, and across processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from refuge_desk.domain.errors import VaultInUse
from refuge_desk.store.instance_lock import IN_USE
from refuge_desk.store.vault import VaultFolder

TRY_ACQUIRE = """
import sys
from refuge_desk.domain.errors import VaultInUse
from refuge_desk.store.vault import VaultFolder
folder = VaultFolder(sys.argv[1])
try:
    folder.acquire()
except VaultInUse as exc:
    print("in use:", exc)
    sys.exit(3)
folder.release()
print("acquired")
"""


def _other_process(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", TRY_ACQUIRE, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_second_acquire_in_this_process_is_refused(tmp_path: Path) -> None:
    first = VaultFolder(tmp_path)
    first.acquire()
    try:
        with pytest.raises(VaultInUse) as err:
            VaultFolder(tmp_path).acquire()
        assert str(err.value) == IN_USE
        assert "in use" in IN_USE and "Close it there first" in IN_USE
        first.acquire()  # acquiring again from the holder is harmless
    finally:
        first.release()
    second = VaultFolder(tmp_path)
    second.acquire()
    second.release()
    second.release()  # releasing twice is harmless


def test_another_process_is_told_the_vault_is_in_use(tmp_path: Path) -> None:
    holder = VaultFolder(tmp_path)
    holder.acquire()
    try:
        result = _other_process(tmp_path)
        assert result.returncode == 3, result.stderr
        assert IN_USE in result.stdout
        assert "Traceback" not in result.stderr
    finally:
        holder.release()
    result = _other_process(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "acquired" in result.stdout


def test_lock_held_by_another_process_blocks_this_one(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from refuge_desk.store.vault import VaultFolder; "
            "f = VaultFolder(sys.argv[1]); f.acquire(); print('held', flush=True); "
            "sys.stdin.readline()",
            str(tmp_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(VaultInUse):
            VaultFolder(tmp_path).acquire()
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    # The OS released the lock when the holder ended.
    folder = VaultFolder(tmp_path)
    folder.acquire()
    folder.release()

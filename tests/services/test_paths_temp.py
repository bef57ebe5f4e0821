"""TMPDIR moves to the per-user tmpfs on Linux, so library temp files (print spooling) stay
in memory; elsewhere nothing changes."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from refuge_desk.services import paths
from refuge_desk.services.paths import memory_backed_temp_dir

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")


def test_tmpfs_runtime_dir_gives_a_private_folder(tmp_path: Path) -> None:
    mounts = f"/dev/sda1 / ext4 rw 0 0\ntmpfs {tmp_path} tmpfs rw,nosuid 0 0\n"
    folder = memory_backed_temp_dir(str(tmp_path), mounts)
    assert folder == tmp_path.resolve() / "refuge-desk"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_disk_backed_or_missing_runtime_dir_is_not_used(tmp_path: Path) -> None:
    assert memory_backed_temp_dir(str(tmp_path), f"/dev/sda1 {tmp_path} ext4 rw 0 0\n") is None
    assert memory_backed_temp_dir(str(tmp_path / "absent"), "") is None
    assert memory_backed_temp_dir("", "") is None
    assert not (tmp_path / "refuge-desk").exists()


def test_the_longest_mount_point_decides(tmp_path: Path) -> None:
    inner = tmp_path / "run"
    inner.mkdir()
    mounts = f"tmpfs {tmp_path} tmpfs rw 0 0\n/dev/sdb1 {inner} ext4 rw 0 0\n"
    assert memory_backed_temp_dir(str(inner), mounts) is None


@pytest.mark.parametrize("local", ["C:/Users/amira/AppData/Local", ""])
def test_windows_uses_local_app_data(monkeypatch: pytest.MonkeyPatch, local: str) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", "C:/Users/amira/AppData/Roaming")
    monkeypatch.delenv(paths.LOG_DIR_ENV, raising=False)
    if local:
        monkeypatch.setenv("LOCALAPPDATA", local)
        base = Path(local)
    else:
        monkeypatch.delenv("LOCALAPPDATA", raising=False)
        base = Path.home() / "AppData" / "Local"
    assert paths.default_vault_dir() == base / "RefugeDesk" / "vault"
    assert paths.log_dir() == base / "RefugeDesk" / "logs"
    assert "Roaming" not in str(paths.default_vault_dir())

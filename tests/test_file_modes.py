"""Every folder Refuge Desk makes is 0700 and every file 0600, whatever the umask (tested
with a umask of 0, which would otherwise leave them open to every user of the computer)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from refuge_desk import app
from refuge_desk.diagnostics import crash_report, logging_setup
from refuge_desk.services import auth, paths
from refuge_desk.store.vault import VaultFolder
from tests.conftest import MANAGER, ORG

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def umask_zero() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_a_new_vault_folder_and_every_file_in_it(tmp_path: Path) -> None:
    folder = VaultFolder(tmp_path / "vault")
    session, _key = auth.setup_vault(folder, ORG, *MANAGER)
    try:
        assert _mode(folder.path) == 0o700
        modes = {p.name: _mode(p) for p in folder.path.iterdir()}
        assert {"vault.db", "keyslots.json", "vault.lock"} <= set(modes)
        assert modes == dict.fromkeys(modes, 0o600)
    finally:
        session.close()
        folder.release()


def test_a_lock_file_an_older_version_left_open_is_tightened(tmp_path: Path) -> None:
    lock = tmp_path / "vault.lock"
    lock.write_bytes(b"")
    os.chmod(lock, 0o644)
    folder = VaultFolder(tmp_path)
    folder.acquire()
    try:
        assert _mode(lock) == 0o600
    finally:
        folder.release()


def test_private_folders_are_made_0700_each_and_others_left_alone(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o755)
    deep = paths.make_private_dir(tmp_path / "a" / "b" / "c")
    assert [_mode(p) for p in (tmp_path / "a", tmp_path / "a" / "b", deep)] == [0o700] * 3
    assert _mode(tmp_path) == 0o755


def test_the_log_and_its_folders(tmp_path: Path) -> None:
    try:
        log_file = logging_setup.configure(tmp_path / "app-data" / "logs")
        assert log_file is not None
        logging_setup.logger.info("a line")
        for handler in logging_setup.logger.handlers:
            handler.flush()
        assert _mode(tmp_path / "app-data") == 0o700
        assert _mode(log_file.parent) == 0o700
        assert _mode(log_file) == 0o600
    finally:
        logging_setup.configure()  # back to the test run's own log folder


def test_a_crash_report_and_its_folders(tmp_path: Path) -> None:
    report = crash_report.write_report(ValueError("x"), tmp_path / "app-data" / "logs")
    assert report is not None
    assert [_mode(p) for p in (tmp_path / "app-data", report.parent)] == [0o700, 0o700]
    assert _mode(report) == 0o600


def test_the_app_data_folder_made_at_start_and_tightened_if_an_older_version_made_it_0755(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app.vault_for_window(None)
    assert _mode(tmp_path / "data") == 0o700
    assert _mode(tmp_path / "data" / "RefugeDesk") == 0o700
    os.chmod(tmp_path / "data" / "RefugeDesk", 0o755)
    app.vault_for_window(None)
    assert _mode(tmp_path / "data" / "RefugeDesk") == 0o700
    assert not (tmp_path / "data" / "RefugeDesk" / "vault").exists()


def test_a_settings_file_made_private_before_qt_writes_it(tmp_path: Path) -> None:
    settings_file = tmp_path / "config" / "RefugeDesk" / "Refuge Desk.ini"
    app.keep_settings_private(settings_file)
    assert settings_file.read_bytes() == b""
    assert [_mode(p) for p in (tmp_path / "config", settings_file.parent)] == [0o700, 0o700]
    assert _mode(settings_file) == 0o600
    os.chmod(settings_file, 0o666)  # as Qt leaves a file it made itself
    app.keep_settings_private(settings_file)
    assert _mode(settings_file) == 0o600
    elsewhere = tmp_path / "QtProject.conf"
    app.keep_settings_private(elsewhere, create=False)
    assert not elsewhere.exists()

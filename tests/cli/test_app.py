"""`refuge-desk --demo` starts the real app in a process and leaves nothing behind."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from refuge_desk.app import READY
from tests.cli.conftest import cli_env


def test_demo_starts_and_a_terminate_request_leaves_nothing_behind(tmp_path: Path):
    home = tmp_path / "home"
    env = cli_env(home)
    proc = subprocess.Popen(
        [sys.executable, "-m", "refuge_desk", "--demo"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    log = home / "logs" / "refuge-desk.log"

    def ready() -> bool:
        assert proc.poll() is None, proc.communicate()
        return log.is_file() and READY in log.read_text("utf-8", "replace")

    try:
        deadline = time.monotonic() + 60
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.05)  # polling a condition: the app logs once its loop is running
        assert ready(), "the window did not come up"
        assert list((home / "tmp").glob("refuge-desk-demo-*/demo-vault/vault.db"))
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert list((home / "tmp").glob("refuge-desk-demo-*")) == []  # the throw-away vault is gone


def test_missing_x11_libraries_are_named_in_one_plain_sentence(monkeypatch, capsys):
    import ctypes.util

    from refuge_desk import app

    monkeypatch.setattr(app.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(
        ctypes.util, "find_library", lambda name: None if "cursor" in name else f"lib{name}.so"
    )
    assert app.missing_linux_libraries() == ["libxcb-cursor"]
    assert app.run_gui(None) == 1
    err = capsys.readouterr().err
    assert "libxcb-cursor" in err and "sudo apt install libxcb-cursor0" in err
    assert "Traceback" not in err


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes and signals")
def test_vault_on_a_missing_folder_makes_nothing_and_keeps_settings_private(tmp_path: Path):
    home = tmp_path / "home"
    env = cli_env(home)
    target = tmp_path / "new-vault"
    log = home / "logs" / "refuge-desk.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "refuge_desk", "--vault", str(target)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        umask=0,  # the worst case: nothing would stop Qt's files being world-readable
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and READY not in _text(log):
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)  # polling a condition: the app logs once its loop is running
        assert READY in _text(log), "the set-up wizard did not come up"
        assert proc.poll() is None
        assert not target.exists()  # nothing until the wizard finishes
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert not target.exists()  # and nothing left behind when she never finished it
    settings = home / "config" / "RefugeDesk" / "Refuge Desk.ini"
    assert "geometry" in settings.read_text(encoding="utf-8")
    assert (_mode(settings.parent), _mode(settings)) == (0o700, 0o600)
    assert _mode(home / "logs") == 0o700
    assert {p.name: _mode(p) for p in (home / "logs").iterdir()} == {
        "refuge-desk.log": 0o600,
        "native-crash.txt": 0o600,
    }


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


SHOW_QT_MODULES = (
    "import sys\n"
    "from refuge_desk import cli\n"
    "code = cli.main(sys.argv[1:])\n"
    "print('qt:', sorted(m for m in sys.modules if m.startswith('PySide6')))\n"
    "sys.exit(code)\n"
)


def _no_display_env(home: Path) -> dict[str, str]:
    env = cli_env(home)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    return env


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux without a display")
@pytest.mark.parametrize("args", [[], ["--demo"], ["--vault", "new-vault"]])
def test_no_display_is_one_plain_sentence_before_qt_is_loaded(tmp_path: Path, args: list[str]):
    from refuge_desk.app import NO_DISPLAY

    result = subprocess.run(
        [sys.executable, "-c", SHOW_QT_MODULES, *args],
        env=_no_display_env(tmp_path / "home"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stderr) == (1, NO_DISPLAY + "\n")
    assert "qt: []" in result.stdout
    assert not (tmp_path / "new-vault").exists()
    assert not (tmp_path / "home" / "data").exists()  # no app-data folder for a window never shown


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux without a display")
def test_the_self_test_and_the_commands_work_without_a_display(tmp_path: Path):
    env = _no_display_env(tmp_path / "home")
    for args, expected in ((["--self-test"], "self-test ok"), (["check", "--help"], "--user")):
        result = subprocess.run(
            [sys.executable, "-m", "refuge_desk", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert expected in result.stdout

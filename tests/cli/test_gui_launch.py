"""`refuge-desk --demo` starts the real app in a process and leaves nothing behind."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

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

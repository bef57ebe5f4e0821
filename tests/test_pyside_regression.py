"""PySide6 6.12.0 on Python 3.11 crashes ("none_dealloc") after a few thousand void Qt calls.

Each call that returns None dropped a reference to None without taking one; on 3.11 None is
not immortal, so the interpreter aborts once the count reaches zero. pyproject.toml pins
6.11.3 on Python < 3.12 for this reason; these tests keep that pin honest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

MARKER = "survived-void-calls"
VOID_CALLS = 20_000

# Four kinds of void call per round: two setters on QWidget/QObject, QLabel.setText, and a
# Signal emitted to a Python slot that returns None (the slot's None crosses back into Qt).
SNIPPET = textwrap.dedent(
    f"""
    import sys
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QApplication, QLabel, QWidget

    class Emitter(QObject):
        poked = Signal(int)

    app = QApplication([])
    widget = QWidget()
    label = QLabel(widget)
    emitter = Emitter()
    seen = []
    def slot(n):
        seen.append(n)
    emitter.poked.connect(slot)

    before = sys.getrefcount(None)
    for i in range({VOID_CALLS} // 4):
        widget.setToolTip("tip")
        emitter.setObjectName("emitter")
        label.setText("text")
        emitter.poked.emit(i)
    after = sys.getrefcount(None)
    assert len(seen) == {VOID_CALLS} // 4, len(seen)
    # A leak of one None reference per call would show here long before a crash would.
    if after < before - 1000:
        print(f"None lost {{before - after}} references", flush=True)
        sys.exit(3)
    del label, widget, emitter
    app.quit()
    print("{MARKER}", flush=True)
    """
)


def test_twenty_thousand_void_qt_calls_do_not_crash(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", SNIPPET],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    # A crash ("Fatal Python error: none_dealloc") shows up as a negative return code (signal).
    assert result.returncode == 0, (
        f"return code {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    assert MARKER in result.stdout.splitlines()


def _installed_qt_version() -> str:
    import PySide6

    return PySide6.__version__


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the crash is specific to 3.11")
def test_python_311_does_not_run_pyside6_6_12_0() -> None:
    assert _installed_qt_version() != "6.12.0"


def test_installed_pyside6_matches_the_pin_for_this_python() -> None:
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    dependencies = tomllib.loads(pyproject.read_text("utf-8"))["project"]["dependencies"]
    pins = [Requirement(d) for d in dependencies if d.startswith("PySide6-Essentials")]
    applicable = [r for r in pins if r.marker is None or r.marker.evaluate()]
    assert len(applicable) == 1, applicable
    installed = metadata.version("PySide6-Essentials")
    assert applicable[0].specifier.contains(installed, prereleases=True), (
        f"PySide6-Essentials {installed} does not satisfy {applicable[0]}"
    )
    assert _installed_qt_version() == installed

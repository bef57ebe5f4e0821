"""scripts/screenshots.py makes the README's screenshots; it must keep working as the app's
code changes (it once reached into a private attribute the main window no longer had).

Run in a child process, as a contributor runs it, into a temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_every_readme_screenshot_is_made(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "screenshots.py"), str(tmp_path / "shots")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    made = {p.name for p in (tmp_path / "shots").glob("*.png")}
    in_readme = {p.name for p in (ROOT / "docs" / "screenshots").glob("*.png")}
    assert in_readme <= made, f"not made: {sorted(in_readme - made)}"
    for name in sorted(made):
        image = QImage(str(tmp_path / "shots" / name))
        assert not image.isNull() and image.width() > 200 and image.height() > 100, name

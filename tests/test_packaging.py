"""`pip install .` (not editable) must ship every package: the README's run command uses it.

A package missing from pyproject's list works in the editable test install and fails only for
a refuge that installed it for real (the PDF code was once left out this way).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"][
            "packages"
        ]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "refuge_desk").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert found - listed == set()

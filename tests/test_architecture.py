"""The import contracts in pyproject.toml hold for our code, and really catch a break.

Each break is planted in a copy of the package (an import inside a function, the kind that
dodges a cycle at import time) and lint-imports, run with our own contracts, must fail naming
it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    chosen = [arg for c in contracts for arg in ("--contract", c)]
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *chosen, str(root / "pyproject.toml")],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(
        REPO / "refuge_desk",
        tmp_path / "refuge_desk",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _plant(root: Path, module: str, line: str) -> None:
    path = root / (module.replace(".", "/") + ".py")
    path.write_text(
        path.read_text(encoding="utf-8") + f"\n\ndef _planted() -> None:\n    {line}\n",
        encoding="utf-8",
    )


def test_our_code_keeps_every_contract() -> None:
    result = _lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_layers(copy: Path) -> None:
    _plant(copy, "refuge_desk.store.rooms_repo", "from refuge_desk.services import rooms")
    result = _lint(copy, "layers")
    assert result.returncode == 1, result.stdout
    assert "refuge_desk.store.rooms_repo -> refuge_desk.services.rooms" in result.stdout


def test_a_feature_reaching_into_the_shell_breaks_the_ui_layers(copy: Path) -> None:
    _plant(copy, "refuge_desk.ui.common.forms", "from refuge_desk.ui.shell import main_window")
    result = _lint(copy, "ui-features")
    assert result.returncode == 1, result.stdout
    assert "refuge_desk.ui.common.forms -> refuge_desk.ui.shell.main_window" in result.stdout


def test_a_cycle_inside_a_layer_breaks_no_cycles(copy: Path) -> None:
    # residents imports session; the planted import closes a cycle between two services,
    # which the layer contracts cannot see.
    _plant(copy, "refuge_desk.services.session", "from refuge_desk.services import residents")
    assert _lint(copy, "layers", "ui-features").returncode == 0
    result = _lint(copy, "no-cycles")
    assert result.returncode == 1, result.stdout
    assert "No cycles are allowed in refuge_desk.services." in result.stdout
    assert ".session -> .residents" in result.stdout


def test_a_new_top_level_module_must_be_placed_in_a_layer(copy: Path) -> None:
    (copy / "refuge_desk" / "helpers.py").write_text('"""Nowhere in particular."""\n')
    result = _lint(copy, "layers")
    assert result.returncode == 1, result.stdout
    assert "- refuge_desk.helpers" in result.stdout and "not listed as layers" in result.stdout

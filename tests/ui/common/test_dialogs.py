"""The dialogs seam: every modal thing goes through ui/common/dialogs.py, and a test that reaches a
real modal exec() fails at once with the dialog's title instead of waiting for ever."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox, QPushButton

from refuge_desk.ui.common.dialogs import Dialogs, ScriptedDialogs
from tests import modal_guard
from tests.conftest import REPO

ROOT = REPO
PACKAGE = ROOT / "refuge_desk"
# The two loops that are not dialogs: the application's own, and the one that waits for a
# job's worker thread (a backup or a rekey: it has its progress dialog).
NOT_DIALOGS = {("app.py", "app"), ("ui/common/job_runner.py", "loop")}
STATIC_BOXES = {name for names in modal_guard._STATIC_BOXES.values() for name in names}


def _modal_calls() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "ui/common/dialogs.py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            name, owner = node.func.attr, node.func.value
            owner_name = owner.id if isinstance(owner, ast.Name) else ""
            if name in ("exec", "exec_") and (rel, owner_name) not in NOT_DIALOGS:
                found.append(f"{rel}:{node.lineno} {owner_name or '…'}.{name}()")
            elif name in STATIC_BOXES and owner_name in {
                "QMessageBox",
                "QFileDialog",
                "QInputDialog",
            }:
                found.append(f"{rel}:{node.lineno} {owner_name}.{name}()")
    return found


def test_only_the_dialogs_seam_runs_anything_modal() -> None:
    assert _modal_calls() == []


def test_the_source_scan_would_see_a_stray_exec(tmp_path: Path) -> None:
    tree = ast.parse("def f(d):\n    d.exec()\n    QMessageBox.warning(None, 't', 'x')\n")
    calls = [
        n.func.attr
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
    ]
    assert "exec" in calls and "warning" in calls and "warning" in STATIC_BOXES


def test_a_real_exec_in_a_test_raises_at_once_with_the_title(qtbot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.setWindowTitle("Forgotten dialog")
    started = time.monotonic()
    with pytest.raises(modal_guard.RealModalDialog, match="Forgotten dialog"):
        Dialogs().run(dialog)
    with pytest.raises(modal_guard.RealModalDialog, match="Are you sure"):
        Dialogs().confirm(None, "Are you sure?", "Really?")
    with pytest.raises(modal_guard.RealModalDialog, match="Pick a file"):
        QMessageBox.question(None, "Pick a file", "text")
    assert time.monotonic() - started < 5
    assert len(modal_guard.opened) == 3
    modal_guard.opened.clear()  # this test opened them on purpose: do not fail it


HANGING_TESTS = """
from PySide6.QtWidgets import QDialog, QMessageBox, QPushButton


def test_a_button_opens_a_real_dialog(qtbot):
    button = QPushButton("Open")
    qtbot.addWidget(button)
    dialog = QDialog(button)
    dialog.setWindowTitle("Forgotten box")
    button.clicked.connect(dialog.exec)  # the exec() runs inside a Qt slot
    button.click()


def test_a_message_box_the_app_swallows(qtbot):
    try:
        QMessageBox.warning(None, "Swallowed warning", "text")
    except Exception:
        pass  # app code that catches everything must not hide it
"""


def test_a_test_reaching_a_real_modal_dialog_fails_fast_naming_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the guard these two tests would wait for ever in Qt's modal loop."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    pytester.makepyfile(test_hanging=HANGING_TESTS)
    started = time.monotonic()
    result = pytester.runpytest_subprocess(
        "-p", "tests.modal_guard", "-p", "no:cacheprovider", "-p", "no:xdist", timeout=120
    )
    took = time.monotonic() - started
    # The first fails in its call and again at its end; the second's call "passes" (the app
    # swallowed the exception) but it fails at its end.
    result.assert_outcomes(passed=1, failed=1, errors=2)
    out = result.stdout.str()
    assert "Forgotten box" in out and "Swallowed warning" in out
    assert took < 60, took


def test_scripted_dialogs_work_a_dialog_without_waiting(qtbot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.setWindowTitle("Add a task")
    ok = QPushButton("Save", dialog)
    ok.clicked.connect(dialog.accept)
    dialogs = ScriptedDialogs(lambda d: d.findChild(QPushButton).click(), True)
    assert dialogs.run(dialog) == QDialog.DialogCode.Accepted
    assert dialogs.confirm(None, "Sure?", "Really?") is True
    assert dialogs.asked == [("dialog", "Add a task", "QDialog"), ("confirm", "Sure?", "Really?")]
    # Nothing scripted: cancelled, as a question's default answer is "no".
    assert dialogs.run(dialog) == QDialog.DialogCode.Rejected


def test_scripted_dialogs_refuse_a_muddled_script(qtbot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.setWindowTitle("Left open")
    with pytest.raises(AssertionError, match="left the dialog 'Left open' open"):
        ScriptedDialogs(lambda d: None).run(dialog)
    assert not dialog.isVisible()
    with pytest.raises(AssertionError, match="scripted a dialog next"):
        ScriptedDialogs(lambda d: d.accept()).confirm(None, "Sure?", "Really?")


def test_closing_all_rejects_open_dialogs_innermost_first(qtbot) -> None:
    outer, inner = QDialog(), QDialog()
    for d in (outer, inner):
        qtbot.addWidget(d)
    order: list[str] = []
    outer.rejected.connect(lambda: order.append("outer"))
    inner.rejected.connect(lambda: order.append("inner"))
    dialogs = ScriptedDialogs()

    def open_inner(d: QDialog) -> None:
        dialogs.answers.append(lambda i: dialogs.close_all())
        dialogs.run(inner)

    dialogs.answers.append(open_inner)
    assert dialogs.run(outer) == QDialog.DialogCode.Rejected
    assert order == ["inner", "outer"]


BLOCKED_IN_QT = """
import pytest
from PySide6.QtCore import QEventLoop


@pytest.mark.timeout(2)
def test_waits_in_a_qt_loop_nobody_ends(qapp):
    QEventLoop().exec()  # what a forgotten modal dialog does
"""


def test_a_hang_inside_qt_is_ended_by_the_timeout_with_every_stack(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suite's timeout method ("thread") works while Qt's own loop blocks."""
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    pytester.makepyfile(test_blocked=BLOCKED_IN_QT)
    pytester.makeini("[pytest]\ntimeout_method = thread\n")
    started = time.monotonic()
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    took = time.monotonic() - started
    assert result.ret != 0
    out = result.stdout.str() + result.stderr.str()
    assert "Timeout" in out and "test_waits_in_a_qt_loop_nobody_ends" in out
    assert "Stack of MainThread" in out  # every thread's stack is dumped
    assert took < 60, took

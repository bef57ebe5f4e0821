"""The lock sequence on its own: every step runs, in order, and the vault ends up closed even
when a step fails (KeePassXC's tests with a failing device)."""

from __future__ import annotations

import logging

import pytest

from refuge_desk.services.session import Session
from refuge_desk.ui.shell.lock_sequence import LockSequence, LockSteps


def _steps(done: list[str], fail: str = "") -> LockSteps:
    def step(name: str):  # type: ignore[no-untyped-def]
        def run() -> None:
            done.append(name)
            if name == fail:
                raise RuntimeError(f"{name} broke")

        return (name, run)

    return LockSteps(
        park=[step("park draft"), step("park plan typing")],
        close=[step("close dialogs")],
        forget=[step("clipboard"), step("clear pages")],
        backup_if_due=lambda reason: done.append(f"backup ({reason})"),
        wait_for_jobs=lambda: done.append("wait"),
    )


def _zeroed(session: Session) -> bool:
    keys = [session.keys.get(name) for name in session.keys.names()]
    return bool(keys) and all(key is not None and not any(key) for key in keys)


ORDER = [
    "park draft",
    "park plan typing",
    "close dialogs",
    "clipboard",
    "clear pages",
    "backup (idle)",
    "wait",
]


def test_the_steps_run_in_order_and_the_vault_is_closed(manager_session: Session) -> None:
    done: list[str] = []
    LockSequence(_steps(done)).run(manager_session, "idle")
    assert done == ORDER
    assert not manager_session.is_open
    assert _zeroed(manager_session)


@pytest.mark.parametrize("broken", ["park draft", "close dialogs", "clear pages"])
def test_a_failing_step_does_not_stop_the_lock(
    manager_session: Session, broken: str, caplog: pytest.LogCaptureFixture
) -> None:
    done: list[str] = []
    with caplog.at_level(logging.ERROR):
        LockSequence(_steps(done, fail=broken)).run(manager_session, "idle")
    assert done == ORDER  # every later step still ran
    assert not manager_session.is_open and _zeroed(manager_session)
    assert f"lock: {broken}" in caplog.text


def test_a_lock_asked_for_during_a_lock_is_ignored(manager_session: Session) -> None:
    done: list[str] = []
    steps = _steps(done)
    sequence = LockSequence(steps)
    steps.backup_if_due = lambda reason: sequence.run(manager_session, "quick hide")
    sequence.run(manager_session, "manual")
    assert done.count("park draft") == 1
    assert not sequence.running

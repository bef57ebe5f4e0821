"""The retention page: lists, legal hold, a mistyped and a typed purge, the policy box."""

from __future__ import annotations

import datetime as dt

from pytestqt.qtbot import QtBot

from refuge_desk.domain.residents import Resident, Status
from refuge_desk.services import residents, retention
from refuge_desk.services.session import Session
from refuge_desk.ui.admin.retention_page import RetentionPage
from refuge_desk.ui.common.dialogs import ScriptedDialogs


def _old(s: Session, name: str) -> tuple[int, str]:
    res = residents.save(
        s, Resident(full_name=name, status=Status.MOVED_ON, move_on_date=dt.date(2019, 2, 3))
    )
    assert res.id is not None
    return res.id, res.reference


def _cells(page: RetentionPage, table: str) -> list[list[str]]:
    t = getattr(page, table)
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def test_hold_lift_and_purge_flow(qtbot: QtBot, manager_session: Session) -> None:
    s = manager_session
    rid, ref = _old(s, "Asha Old")
    dialogs = ScriptedDialogs()
    page = RetentionPage(s, dialogs)
    qtbot.addWidget(page)
    page.refresh()
    assert _cells(page, "due") == [
        [ref, "Moved on 3 Feb 2019: more than 6 years ago", "3 Feb 2019"]
    ]
    assert page.years.value() == 6 and page.child_age.value() == 25

    # Legal hold on the selected row: the reason is asked for, the row moves to the held list.
    page.due.selectRow(0)
    dialogs.answers.extend(["Inquest, coroner's request", None])
    page.hold_button.click()
    assert _cells(page, "due") == []
    assert _cells(page, "held") == [[ref, "Inquest, coroner's request"]]
    assert dialogs.asked[-1] == ("info", "Retention and deletion", f"{ref} is on legal hold.")

    page.held.selectRow(0)
    dialogs.answers.extend(["Inquest over", None])
    page.lift_button.click()
    assert _cells(page, "held") == [] and _cells(page, "due")[0][0] == ref

    # Mistyped: a plain refusal and nothing deleted.
    page.due.selectRow(0)
    dialogs.answers.extend(["R-1", None])
    page.purge_button.click()
    kind, _title, text = dialogs.asked[-2]
    assert kind == "ask_text" and "cannot be undone" in text and f"type the reference {ref}" in text
    assert dialogs.asked[-1][0] == "error" and "nothing was deleted" in dialogs.asked[-1][2]
    assert residents.reference_of(s, rid) == ref

    # Typed exactly: deleted, the signal says which.
    page.due.selectRow(0)
    dialogs.answers.extend([ref, None])
    with qtbot.waitSignal(page.purged) as sig:
        page.purge_button.click()
    assert sig.args == [rid]
    assert dialogs.asked[-1] == (
        "info",
        "Retention and deletion",
        f"{ref} has been deleted for good.",
    )
    assert residents.reference_of(s, rid) == "" and _cells(page, "due") == []

    page.clear()
    assert page.summary.text() == ""


def test_policy_box_saves_and_changes_the_list(qtbot: QtBot, manager_session: Session) -> None:
    s = manager_session
    _old(s, "Bela Old")
    page = RetentionPage(s, ScriptedDialogs())
    qtbot.addWidget(page)
    page.refresh()
    assert len(_cells(page, "due")) == 1
    page.years.setValue(9)
    page.save_policy.click()
    assert retention.years_after_move_on(s) == 9
    assert _cells(page, "due") == []


def test_hold_by_typed_reference_when_nothing_is_selected(
    qtbot: QtBot, manager_session: Session
) -> None:
    s = manager_session
    res = residents.save(
        s, Resident(full_name="Cleo Here", status=Status.RESIDENT, arrival_date=dt.date(2026, 1, 1))
    )
    dialogs = ScriptedDialogs(res.reference.lower(), "Police disclosure request", None)
    page = RetentionPage(s, dialogs)
    qtbot.addWidget(page)
    page.refresh()
    page.hold_button.click()
    assert _cells(page, "held") == [[res.reference, "Police disclosure request"]]

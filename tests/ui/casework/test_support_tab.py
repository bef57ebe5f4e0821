"""SupportTab and its review dialog with real widgets on a real vault."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from refuge_desk.domain.residents import Resident, Status
from refuge_desk.domain.support import AREA_KEYS, Stage
from refuge_desk.services import residents, support
from refuge_desk.services.session import Session
from refuge_desk.ui.casework.support_tab import SupportReviewDialog, SupportTab
from refuge_desk.ui.common.dialogs import ScriptedDialogs


def resident(session: Session) -> int:
    stored = residents.save(session, Resident(full_name="Amina Hassan", status=Status.REFERRAL))
    assert stored.id is not None
    return stored.id


def fill(dialog: SupportReviewDialog, stage: Stage, day: dt.date, levels: dict[str, str]) -> None:
    dialog.stage_box.setCurrentIndex(dialog.stage_box.findData(stage.value))
    dialog.date_edit.setDate(QDate(day.year, day.month, day.day))
    for area, level in levels.items():
        box, _goal, _outcome, _comment = dialog.rows[area]
        box.setCurrentIndex(box.findData(level))


def test_reviews_and_grid(qtbot: QtBot, manager_session: Session) -> None:
    rid = resident(manager_session)
    tab = SupportTab(manager_session, ScriptedDialogs())
    qtbot.addWidget(tab)
    tab.load(rid)
    assert "entry review" in tab.history.text()
    today = manager_session.today()

    def answer_entry(dialog: SupportReviewDialog) -> None:
        assert isinstance(dialog, SupportReviewDialog)
        fill(dialog, Stage.ENTRY, today - dt.timedelta(days=30), {"safety": "high"})
        dialog.rows["safety"][1].setText("Feel safe going out")
        dialog.save()

    tab.dialogs.answers.append(answer_entry)
    with qtbot.waitSignal(tab.changed):
        tab.new_review()
    assert tab.grid.item(0, 1).text() == "High" and tab.grid.item(0, 2).text() == ""

    dialog = SupportReviewDialog(manager_session, rid, tab.latest)
    qtbot.addWidget(dialog)
    assert dialog.rows["safety"][1].text() == "Feel safe going out"  # carried forward
    fill(dialog, Stage.REVIEW, today, {"safety": "low"})
    assert not dialog.rows["safety"][2].isEnabled()  # outcomes only at exit
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    tab.refresh()
    assert tab.grid.item(0, 2).text() == "Low"
    assert tab.grid.item(0, 3).text() == "need down 2 levels"
    assert len(support.list_reviews(manager_session, rid)) == 2

    bad = SupportReviewDialog(manager_session, rid, None)
    qtbot.addWidget(bad)
    fill(bad, Stage.EXIT, today + dt.timedelta(days=3), {})
    bad.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    assert "future" in bad.error.text() and bad.result() != bad.DialogCode.Accepted
    assert len(AREA_KEYS) == tab.grid.rowCount()
    tab.clear()
    assert tab.grid.item(0, 1) is None and not tab.isEnabled()

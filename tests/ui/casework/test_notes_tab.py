"""NotesTab and NoteSearchPage with real widgets on a real vault."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDateTime, Qt
from pytestqt.qtbot import QtBot

from refuge_desk.domain.residents import Resident, Status
from refuge_desk.services import notes, residents
from refuge_desk.services.session import Session
from refuge_desk.ui.casework.note_search_page import NoteSearchPage
from refuge_desk.ui.casework.notes_tab import NotesTab
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from tests.conftest import WORKER, FakeClock, sign_in_as


def resident(session: Session, name: str = "Amina Hassan") -> int:
    stored = residents.save(session, Resident(full_name=name, status=Status.REFERRAL))
    assert stored.id is not None
    return stored.id


def make_tab(qtbot: QtBot, session: Session, rid: int) -> NotesTab:
    tab = NotesTab(session, ScriptedDialogs())
    qtbot.addWidget(tab)
    tab.resize(900, 700)
    tab.show()
    tab.load(rid)
    return tab


def test_type_save_amend_and_search(qtbot: QtBot, manager_session: Session) -> None:
    rid = resident(manager_session)
    tab = make_tab(qtbot, manager_session, rid)
    qtbot.keyClicks(tab.text, "Key-work session: housing form filled in.")
    assert tab.has_unsaved_changes()
    with qtbot.waitSignal(tab.changed):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.text.toPlainText() == "" and not tab.has_unsaved_changes()
    assert tab.tree.topLevelItemCount() == 1
    item = tab.tree.topLevelItem(0)
    assert item.text(1) == "Key-work session" and item.text(2) == "Mira Manager"

    tab.tree.setCurrentItem(item)
    assert "housing form" in tab.reader.toPlainText()
    qtbot.mouseClick(tab.amend_button, Qt.MouseButton.LeftButton)
    assert tab.amend_banner.isVisibleTo(tab) and tab.save_button.text() == "Save amendment"
    qtbot.keyClicks(tab.text, "Correction: the form is not sent yet.")
    with qtbot.waitSignal(tab.changed):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    top = tab.tree.topLevelItem(0)
    assert tab.tree.topLevelItemCount() == 1 and "amended" in top.text(3)
    assert top.childCount() == 1 and "amendment" in top.child(0).text(3)
    assert "Correction" in top.child(0).text(4)

    qtbot.keyClicks(tab.search, "correct")
    qtbot.waitUntil(
        lambda: tab.tree.topLevelItemCount() == 1 and "[" in tab.tree.topLevelItem(0).text(4)
    )
    assert "[Correction]" in tab.tree.topLevelItem(0).text(4)
    tab.search.setText('"NEAR(* OR')
    qtbot.waitUntil(lambda: "No notes match" in tab.status.text())

    tab.clear()
    assert tab.tree.topLevelItemCount() == 0 and tab.reader.toPlainText() == ""


def test_empty_note_shows_problem(qtbot: QtBot, manager_session: Session) -> None:
    tab = make_tab(qtbot, manager_session, resident(manager_session))
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.error.isVisibleTo(tab) and "empty" in tab.error.text()
    assert notes.count(manager_session, tab.resident_id or 0) == 0


def test_draft_round_trip(qtbot: QtBot, manager_session: Session, clock: FakeClock) -> None:
    rid = resident(manager_session)
    tab = make_tab(qtbot, manager_session, rid)
    earlier = (clock() - dt.timedelta(days=1)).astimezone().replace(tzinfo=None, second=0)
    tab.when_edit.setDateTime(QDateTime(earlier))
    tab.type_box.setCurrentIndex(tab.type_box.findData("phone"))
    tab.restricted_box.setChecked(True)
    qtbot.keyClicks(tab.text, "Half-written long note...")
    payload = tab.draft_payload()
    tab.clear()
    assert not tab.has_unsaved_changes()

    fresh = NotesTab(manager_session, ScriptedDialogs())
    qtbot.addWidget(fresh)
    fresh.restore_draft(payload)
    assert fresh.resident_id == rid and fresh.has_unsaved_changes()
    assert fresh.draft_payload() == payload
    fresh.save()
    saved = notes.list_notes(manager_session, rid).notes[0]
    assert saved.restricted and saved.note_type.value == "phone"
    assert saved.happened_at == earlier.astimezone()


def test_amend_draft_round_trip(qtbot: QtBot, manager_session: Session) -> None:
    rid = resident(manager_session)
    original = notes.add(manager_session, rid, "Original.", restricted=True)
    tab = make_tab(qtbot, manager_session, rid)
    tab.tree.setCurrentItem(tab.tree.topLevelItem(0))
    tab.amend_selected()
    qtbot.keyClicks(tab.text, "A correction in progress")
    payload = tab.draft_payload()
    assert payload["amends_id"] == original.id
    tab.clear()
    tab.restore_draft(payload)
    assert tab.amend_banner.isVisibleTo(tab) and not tab.restricted_box.isEnabled()
    tab.save()
    assert notes.get(manager_session, original.id).amendments[0].restricted


def test_worker_sees_placeholder_not_restricted(
    qtbot: QtBot, manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    rid = resident(manager_session)
    notes.add(manager_session, rid, "Secret-sentinel-4411", restricted=True)
    notes.add(manager_session, rid, "An open note.")
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        tab = make_tab(qtbot, worker, rid)
        assert tab.tree.topLevelItemCount() == 1
        assert "1 restricted note not shown" in tab.status.text()
        texts = [tab.tree.topLevelItem(0).text(c) for c in range(5)]
        assert not any("Secret-sentinel" in t for t in texts)
    finally:
        worker.close()


def test_global_search_page(qtbot: QtBot, manager_session: Session) -> None:
    amina = resident(manager_session)
    zofia = resident(manager_session, "Zofia Wójcik")
    notes.add(manager_session, amina, "Housing bid sent.")
    notes.add(manager_session, zofia, "Housing register form.")
    page = NoteSearchPage(manager_session, ScriptedDialogs())
    qtbot.addWidget(page)
    page.show()
    qtbot.keyClicks(page.search, "housing")
    qtbot.waitUntil(lambda: page.table.rowCount() == 2)
    assert page.table.item(0, 2).text() == "Zofia Wójcik"
    assert "[Housing]" in page.table.item(0, 4).text()
    page.table.setFocus()
    page.table.selectRow(1)
    with qtbot.waitSignal(page.open_resident) as blocker:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert blocker.args == [amina]
    page.clear()
    assert page.table.rowCount() == 0 and page.search.text() == ""

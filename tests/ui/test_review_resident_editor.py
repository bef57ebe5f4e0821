"""Review fixes in the resident editor: the Child dialog's typing survives a lock (P1-4), a
stale save is refused and keeps the typing (P2-3), the tab survives a lock (P3)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QApplication, QDialog

from refuge_desk.domain.residents import Child, Resident
from refuge_desk.services import residents
from refuge_desk.services.session import Session
from refuge_desk.ui.dialogs import ScriptedDialogs
from refuge_desk.ui.resident_editor import (
    PENDING_CHILD,
    TAB_CHILDREN,
    TAB_NOTES,
    TAB_PERSONAL,
    ResidentEditor,
)
from refuge_desk.ui.resident_parts import ChildDialog
from tests.conftest import WORKER, FakeClock, sign_in_as


def make_editor(qtbot, session: Session, *answers: object) -> ResidentEditor:
    editor = ResidentEditor(session, ScriptedDialogs(*answers))
    qtbot.addWidget(editor)
    return editor


def lock_like_the_main_window(editor: ResidentEditor) -> dict:
    """The lead's lock order: park the draft, reject every dialog, clear the editor."""
    payload = json.loads(json.dumps(editor.draft_payload()))
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QDialog) and (w.isVisible() or w.isModal()):
            w.reject()
    editor.clear()
    return payload


def open_child_dialogs() -> list[ChildDialog]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, ChildDialog) and w.isVisible()
    ]


def test_typing_in_a_new_child_dialog_is_unsaved_and_survives_a_lock(qtbot, manager_session):
    rid = residents.save(manager_session, Resident(full_name="Mother Record")).id
    editor = make_editor(qtbot, manager_session)
    editor.load(rid)
    editor.show()
    dialog = editor.children_editor.add_child()
    assert not editor.has_unsaved_changes()  # an empty Add dialog holds nothing yet
    qtbot.keyClicks(dialog.full_name, "Yusuf Typed")
    dialog.date_of_birth.set_box.setChecked(True)
    dialog.date_of_birth.edit.setDate(QDate(2019, 4, 2))
    assert editor.has_unsaved_changes()
    assert not editor.unsaved.isHidden()
    assert editor.children_editor.child_list() == []  # only the dialog holds it

    payload = lock_like_the_main_window(editor)
    assert payload[PENDING_CHILD]["index"] is None
    assert payload[PENDING_CHILD]["child"]["full_name"] == "Yusuf Typed"
    assert not dialog.isVisible() and editor.children_editor.dialog is None
    assert editor.children_editor.child_list() == [] and not editor.has_unsaved_changes()

    editor.restore_draft(payload)
    reopened = editor.children_editor.dialog
    assert reopened is not None and reopened is not dialog and reopened.isVisible()
    assert reopened.full_name.text() == "Yusuf Typed"
    assert reopened.date_of_birth.value() == dt.date(2019, 4, 2)
    assert editor.has_unsaved_changes()
    reopened.accept()
    assert [c.full_name for c in editor.children_editor.child_list()] == ["Yusuf Typed"]
    assert editor.save()
    stored = residents.get(manager_session, rid or 0)
    assert [(c.full_name, c.date_of_birth) for c in stored.children] == [
        ("Yusuf Typed", dt.date(2019, 4, 2))
    ]


def test_editing_a_listed_child_survives_a_lock_and_keeps_its_id(qtbot, manager_session):
    stored = residents.save(
        manager_session,
        Resident(full_name="Mother Record", children=[Child(full_name="Layla", school="Oak")]),
    )
    child_id = stored.children[0].id
    editor = make_editor(qtbot, manager_session)
    editor.load(stored.id)
    editor.show()
    editor.children_editor.table.setCurrentCell(0, 0)
    dialog = editor.children_editor.edit_child()
    assert dialog is not None and not editor.has_unsaved_changes()
    dialog.school.setText("Hillside Primary")
    assert editor.has_unsaved_changes()

    payload = lock_like_the_main_window(editor)
    assert payload[PENDING_CHILD]["index"] == 0
    other = make_editor(qtbot, manager_session)
    other.restore_draft(payload)
    reopened = other.children_editor.dialog
    assert reopened is not None and reopened.school.text() == "Hillside Primary"
    assert other.children_editor.dialog_index == 0
    reopened.accept()
    assert other.save()
    kids = residents.get(manager_session, stored.id or 0).children
    assert [(c.id, c.full_name, c.school) for c in kids] == [
        (child_id, "Layla", "Hillside Primary")
    ]


def test_a_hidden_child_dialog_is_still_parked(qtbot, manager_session):
    """Quick hide hides every window first, then locks: the dialog is hidden, not finished."""
    editor = make_editor(qtbot, manager_session)
    editor.load(None)
    editor.show()
    dialog = editor.children_editor.add_child()
    dialog.full_name.setText("Hidden Typing")
    dialog.hide()
    editor.hide()
    assert editor.has_unsaved_changes()
    payload = lock_like_the_main_window(editor)
    assert payload[PENDING_CHILD]["child"]["full_name"] == "Hidden Typing"
    editor.restore_draft(payload)
    assert editor.children_editor.dialog is not None
    assert editor.children_editor.dialog.full_name.text() == "Hidden Typing"


def test_a_draft_without_a_child_dialog_reopens_none(qtbot, manager_session):
    editor = make_editor(qtbot, manager_session)
    editor.load(None)
    editor.full_name.setText("Only The Form")
    payload = lock_like_the_main_window(editor)
    assert PENDING_CHILD not in payload
    editor.restore_draft(payload)
    assert editor.children_editor.dialog is None and not open_child_dialogs()
    assert editor.full_name.text() == "Only The Form"


def test_stale_save_is_refused_and_keeps_the_typing(
    qtbot, manager_session, vault_dir: Path, clock: FakeClock
):
    rid = residents.save(manager_session, Resident(full_name="Shared Record", notes="v0")).id
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        mine = make_editor(qtbot, manager_session, "discard")
        hers = make_editor(qtbot, worker)
        mine.load(rid)
        hers.load(rid)
        clock.advance(30)
        hers.notes.setPlainText("the worker's note")
        assert hers.save()
        mine.notes.setPlainText("the manager's note")
        assert not mine.save()
        shown = mine.error_box.text()
        assert f"Someone else ({WORKER[1]}) changed this record at" in shown
        assert "press Cancel to see the new version" in shown
        assert mine.notes.toPlainText() == "the manager's note"  # her typing is still there
        assert mine.has_unsaved_changes()
        assert WORKER[1] in mine.meta.text()  # the header names the newer save
        assert residents.get(manager_session, rid or 0).notes == "the worker's note"
        assert not mine.save()  # still refused: nothing overwritten by trying again
        assert residents.get(manager_session, rid or 0).notes == "the worker's note"
        # Cancel -> Discard shows the colleague's version.
        assert mine.request_close()
        assert mine.notes.toPlainText() == "the worker's note"
        assert not mine.has_unsaved_changes()
        mine.notes.setPlainText("the manager's note, on top of hers")
        assert mine.save()
    finally:
        worker.close()
    assert residents.get(manager_session, rid or 0).notes == "the manager's note, on top of hers"


def test_restored_draft_does_not_overwrite_a_newer_save(
    qtbot, manager_session, vault_dir: Path, clock: FakeClock
):
    rid = residents.save(manager_session, Resident(full_name="Draft Record", alerts="")).id
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        hers = make_editor(qtbot, worker)
        hers.load(rid)
        hers.alerts.setPlainText("Do not disclose presence")
        payload = lock_like_the_main_window(hers)  # she locks with a draft
        assert payload["version"] == 0

        clock.advance(120)  # meanwhile the manager saves the record
        newer = residents.get(manager_session, rid or 0)
        newer.preferred_name = "Dee"
        residents.save(manager_session, newer)

        hers.restore_draft(payload)  # she unlocks: the draft is laid over the reload
        assert hers.alerts.toPlainText() == "Do not disclose presence"
        assert hers.build_resident().version == 0  # the draft's base, not the reloaded one
        assert not hers.save()
        assert "Someone else (Mira Manager) changed this record" in hers.error_box.text()
        assert hers.alerts.toPlainText() == "Do not disclose presence"
        stored = residents.get(manager_session, rid or 0)
        assert stored.preferred_name == "Dee" and stored.alerts == ""
    finally:
        worker.close()


def test_the_tab_is_kept_across_a_lock_but_a_new_load_starts_on_personal(qtbot, manager_session):
    rid = residents.save(manager_session, Resident(full_name="Tab Record")).id
    editor = make_editor(qtbot, manager_session)
    editor.load(rid)
    editor.set_current_tab(TAB_CHILDREN)
    editor.notes.setPlainText("typed")
    tab = editor.current_tab()
    assert tab == TAB_CHILDREN
    payload = lock_like_the_main_window(editor)
    assert editor.current_tab() == TAB_CHILDREN
    editor.restore_draft(payload)
    assert editor.current_tab() == TAB_CHILDREN  # restoring keeps it
    editor.set_current_tab(99)  # ignored
    assert editor.current_tab() == TAB_CHILDREN
    editor.set_current_tab(TAB_NOTES)
    editor.load(rid)  # the lead's unlock path: load, then set_current_tab(saved)
    assert editor.current_tab() == TAB_PERSONAL
    editor.set_current_tab(tab)
    assert editor.current_tab() == TAB_CHILDREN
    editor.load(None)
    assert editor.current_tab() == TAB_PERSONAL

"""The resident editor: create and edit through the widgets, validation, drafts, closing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QDialog

from refuge_desk.domain.residents import (
    MAX_NAME,
    Abuser,
    Child,
    ContactSafety,
    Phone,
    Resident,
    Room,
    Status,
    to_plain,
)
from refuge_desk.services import residents, rooms
from refuge_desk.services.session import Session
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.residents.resident_editor import (
    PENDING_CHILD,
    TAB_ABUSER,
    TAB_CHILDREN,
    TAB_NOTES,
    TAB_PERSONAL,
    ResidentEditor,
)
from refuge_desk.ui.residents.resident_widgets import ChildDialog
from tests.conftest import VOLUNTEER, WORKER, FakeClock, sign_in_as


@pytest.fixture
def room(manager_session: Session) -> Room:
    return rooms.save(manager_session, Room(name="Garden room", beds=3))


def make_editor(qtbot, session: Session, *answers: object) -> ResidentEditor:
    editor = ResidentEditor(session, ScriptedDialogs(*answers))
    qtbot.addWidget(editor)
    return editor


def set_date(widget, value: dt.date) -> None:
    widget.set_box.setChecked(True)
    widget.edit.setDate(QDate(value.year, value.month, value.day))


def choose(combo, data: object) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{data!r} not offered"
    combo.setCurrentIndex(index)


def stored_count(session: Session) -> int:
    return residents.count(session)


def test_create_a_resident_through_the_widgets(qtbot, manager_session, room):
    editor = make_editor(qtbot, manager_session)
    editor.load(None)
    assert editor.windowTitle() == "Resident record"
    assert editor.heading.text() == "New resident"
    assert not editor.has_unsaved_changes()
    qtbot.keyClicks(editor.full_name, "Amira Haddad")
    qtbot.keyClicks(editor.preferred_name, "Amira")
    editor.aliases.setPlainText("Amira H.\nA. Saleh")
    set_date(editor.date_of_birth, dt.date(1990, 5, 17))
    qtbot.keyClicks(editor.languages, "Arabic, English")
    editor.interpreter_needed.setChecked(True)
    assert editor.interpreter_language.isEnabled()
    qtbot.keyClicks(editor.interpreter_language, "Arabic")
    qtbot.keyClicks(editor.immigration_status, "Spousal visa")
    editor.nrpf.setChecked(True)
    assert editor.has_unsaved_changes() and not editor.unsaved.isHidden()

    row = editor.phones.add_phone()
    qtbot.keyClicks(row.number, "07700 900123")
    qtbot.keyClicks(row.label, "mobile")
    assert not editor.unsafe_warning.isHidden()  # a new number is NOT safe until checked
    choose(row.safety, ContactSafety.SAFE.value)
    assert editor.unsafe_warning.isHidden()
    qtbot.keyClicks(row.safe_times, "weekdays 10-12")

    choose(editor.status, Status.RESIDENT.value)
    set_date(editor.referral_date, dt.date(2026, 11, 1))
    set_date(editor.arrival_date, dt.date(2026, 11, 3))
    assert "3 of 3 beds free" in editor.room.itemText(editor.room.findData(room.id))
    choose(editor.room, room.id)
    choose(editor.key_worker, manager_session.user.id)
    editor.alerts.setPlainText("Do not disclose presence")

    editor.tabs.setCurrentIndex(TAB_ABUSER)
    form = editor.abusers.add_abuser()
    qtbot.keyClicks(form.edits["name"], "Karim Example")
    qtbot.keyClicks(form.edits["relationship"], "ex-husband")
    form.description.setPlainText("Tall, grey car")

    dialog = editor.children_editor.add_child()
    qtbot.keyClicks(dialog.full_name, "Yusuf Haddad")
    set_date(dialog.date_of_birth, dt.date(2019, 2, 3))
    qtbot.keyClicks(dialog.school, "Larkhill Primary")
    dialog.may_collect.setPlainText("Mother only")
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert editor.children_editor.table.rowCount() == 1
    editor.notes.setPlainText("Arrived with one bag.")

    with qtbot.waitSignal(editor.saved) as blocker:
        editor.save_button.click()
    assert editor.error_box.isHidden()
    stored = residents.get(manager_session, blocker.args[0])
    assert stored.reference == "R-0001"
    assert (stored.full_name, stored.preferred_name) == ("Amira Haddad", "Amira")
    assert stored.aliases == "Amira H.\nA. Saleh"
    assert stored.date_of_birth == dt.date(1990, 5, 17)
    assert stored.interpreter_needed and stored.interpreter_language == "Arabic"
    assert stored.immigration_status == "Spousal visa" and stored.nrpf
    assert stored.phones == [Phone("07700 900123", "mobile", ContactSafety.SAFE, "weekdays 10-12")]
    assert stored.status is Status.RESIDENT and stored.room_id == room.id
    assert stored.key_worker_id == manager_session.user.id
    assert stored.arrival_date == dt.date(2026, 11, 3)
    assert stored.abusers == [
        Abuser(name="Karim Example", relationship="ex-husband", description="Tall, grey car")
    ]
    assert [(c.full_name, c.date_of_birth, c.school, c.may_collect) for c in stored.children] == [
        ("Yusuf Haddad", dt.date(2019, 2, 3), "Larkhill Primary", "Mother only")
    ]
    assert stored.notes == "Arrived with one bag."
    assert not editor.has_unsaved_changes()
    assert editor.heading.text() == "R-0001 · Resident"
    assert editor.meta.text().startswith("Last changed by Mira Manager at ")


def test_edit_existing_resident_and_remove_parts(qtbot, manager_session):
    rid = residents.save(
        manager_session,
        Resident(
            full_name="Ольга Соколова",
            phones=[Phone("0161 496 0000")],
            abusers=[Abuser(name="X")],
            children=[Child(full_name="Ivan"), Child(full_name="Nia")],
        ),
    ).id
    editor = make_editor(qtbot, manager_session)
    assert editor.load(rid)
    assert editor.full_name.text() == "Ольга Соколова"
    assert not editor.unsafe_warning.isHidden()
    assert not editor.has_unsaved_changes()
    editor.full_name.setText("Olga Sokolova")
    editor.phones.rows[0].remove.click()
    editor.abusers.forms[0].remove.click()
    editor.children_editor.table.selectRow(0)
    dialog = editor.children_editor.edit_child()
    dialog.full_name.setText("Ivan Sokolov")
    dialog.accept()
    editor.children_editor.table.selectRow(1)
    editor.children_editor.remove_button.click()
    assert editor.save()
    stored = residents.get(manager_session, rid)
    assert stored.full_name == "Olga Sokolova"
    assert stored.phones == [] and stored.abusers == []
    assert [c.full_name for c in stored.children] == ["Ivan Sokolov"]
    assert stored.updated_by == "Mira Manager"


def test_validation_shows_problems_inline_and_saves_nothing(qtbot, manager_session):
    editor = make_editor(qtbot, manager_session)
    editor.load(None)
    qtbot.keyClicks(editor.email, "not-an-email")
    choose(editor.status, Status.RESIDENT.value)
    row = editor.phones.add_phone()
    row.number.setText("no digits")
    with qtbot.assertNotEmitted(editor.saved):
        editor.save_button.click()
    assert not editor.error_box.isHidden()
    text = editor.error_box.text()
    for problem in (
        "Full name is required.",
        "Email does not look like an email address.",
        "A resident needs an arrival date.",
        "Phone 1 has no digits.",
    ):
        assert problem in text
    assert stored_count(manager_session) == 0
    assert editor.dialogs.asked == []  # inline, not a modal box
    assert editor.email.text() == "not-an-email"  # what she typed is kept
    assert editor.has_unsaved_changes()
    qtbot.keyClicks(editor.full_name, "Noor")
    editor.email.setText("noor@example.org")
    choose(editor.status, Status.REFERRAL.value)
    row.number.setText("07700 900999")
    assert editor.save()
    assert editor.error_box.isHidden()
    assert stored_count(manager_session) == 1


def test_dates_and_lengths_are_bounded(qtbot, manager_session):
    editor = make_editor(qtbot, manager_session)
    editor.load(None)
    assert editor.full_name.maxLength() == MAX_NAME
    assert editor.date_of_birth.value() is None
    assert editor.date_of_birth.edit.text() == "not set"
    editor.full_name.setText("Test Person")
    set_date(editor.date_of_birth, dt.date(2030, 1, 1))
    assert not editor.save()
    assert "Date of birth is in the future" in editor.error_box.text()
    editor.date_of_birth.set_box.setChecked(False)
    assert editor.date_of_birth.value() is None
    assert editor.save()
    assert residents.get(manager_session, editor.resident_id).date_of_birth is None


def test_draft_round_trip(qtbot, manager_session, room):
    rid = residents.save(manager_session, Resident(full_name="Saved Name")).id
    editor = make_editor(qtbot, manager_session)
    editor.load(rid)
    editor.full_name.setText("Typed but not saved")
    set_date(editor.referral_date, dt.date(2026, 10, 2))
    editor.phones.add_phone(Phone("07700 900555", "work", ContactSafety.SAFE, "mornings"))
    editor.abusers.add_abuser(Abuser(name="Someone", vehicle="red van"))
    choose(editor.room, room.id)
    payload = editor.draft_payload()
    assert payload["id"] == rid
    restored_json = json.loads(json.dumps(payload))  # JSON-serialisable
    editor.clear()
    assert editor.full_name.text() == "" and not editor.has_unsaved_changes()

    other = make_editor(qtbot, manager_session)
    other.restore_draft(restored_json)
    assert other.has_unsaved_changes()
    assert other.resident_id == rid
    built = other.build_resident()
    assert to_plain(built) == {k: v for k, v in payload.items()}
    assert built.full_name == "Typed but not saved"
    assert built.room_id == room.id
    assert residents.get(manager_session, rid).full_name == "Saved Name"
    assert other.save()
    assert residents.get(manager_session, rid).full_name == "Typed but not saved"


def test_draft_for_a_new_record(qtbot, manager_session):
    editor = make_editor(qtbot, manager_session)
    editor.load(None)
    editor.full_name.setText("Brand New")
    payload = editor.draft_payload()
    assert payload["id"] is None
    editor.restore_draft(json.loads(json.dumps(payload)))
    assert editor.full_name.text() == "Brand New" and editor.has_unsaved_changes()
    assert editor.save()
    assert stored_count(manager_session) == 1


@pytest.mark.parametrize("answer", ["save", "discard", "cancel"])
def test_request_close_with_unsaved_changes(qtbot, manager_session, answer):
    rid = residents.save(manager_session, Resident(full_name="Original")).id
    editor = make_editor(qtbot, manager_session, answer)
    editor.load(rid)
    editor.full_name.setText("Changed")
    closed: list[bool] = []
    editor.closed.connect(lambda: closed.append(True))
    result = editor.request_close()
    assert editor.dialogs.asked[0][0] == "save_discard_cancel"
    stored = residents.get(manager_session, rid).full_name
    if answer == "save":
        assert result and closed and stored == "Changed"
    elif answer == "discard":
        assert result and closed and stored == "Original"
        assert editor.full_name.text() == "Original" and not editor.has_unsaved_changes()
    else:
        assert not result and not closed and stored == "Original"
        assert editor.full_name.text() == "Changed" and editor.has_unsaved_changes()


def test_close_when_save_fails_keeps_editor_open(qtbot, manager_session):
    editor = make_editor(qtbot, manager_session, "save")
    editor.load(None)
    editor.email.setText("broken")  # no name, bad email
    assert not editor.request_close()
    assert not editor.error_box.isHidden()
    assert stored_count(manager_session) == 0


def test_close_without_changes_asks_nothing(qtbot, manager_session):
    editor = make_editor(qtbot, manager_session)
    editor.load(None)
    with qtbot.waitSignal(editor.closed):
        assert editor.request_close()
    assert editor.dialogs.asked == []


def test_keyboard_save_and_escape(qtbot, manager_session):
    editor = make_editor(qtbot, manager_session, "discard")
    editor.load(None)
    with qtbot.waitActive(editor):
        editor.show()
        editor.activateWindow()
    editor.full_name.setFocus()
    qtbot.keyClicks(editor.full_name, "Keyboard Person")
    with qtbot.waitSignal(editor.saved):
        qtbot.keyClick(editor.full_name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert stored_count(manager_session) == 1
    editor.full_name.setFocus()
    qtbot.keyClicks(editor.full_name, " Changed")
    with qtbot.waitSignal(editor.closed):
        qtbot.keyClick(editor.full_name, Qt.Key.Key_Escape)
    assert editor.dialogs.asked and editor.dialogs.asked[0][0] == "save_discard_cancel"


def test_clear_forgets_and_refresh_reloads(qtbot, manager_session):
    rid = residents.save(
        manager_session, Resident(full_name="Layla Rahman", notes="private note")
    ).id
    editor = make_editor(qtbot, manager_session)
    editor.load(rid)
    editor.clear()
    assert editor.full_name.text() == "" and editor.notes.toPlainText() == ""
    assert editor.heading.text() == "" and editor.room.count() == 0
    editor.refresh()
    assert editor.full_name.text() == "Layla Rahman"


def test_volunteer_cannot_open_the_editor(
    qtbot, manager_session, vault_dir: Path, clock: FakeClock
):
    rid = residents.save(
        manager_session, Resident(full_name="Hidden Person", immigration_status="No leave")
    ).id
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        editor = make_editor(qtbot, volunteer)
        assert not editor.load(rid)
        assert "does not allow" in editor.error_box.text()
        assert editor.full_name.text() == "" and editor.immigration_status.text() == ""
    finally:
        volunteer.close()


# -- found in review: the editor -----------------------------------------------------------------
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

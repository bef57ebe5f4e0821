"""The resident editor: create and edit through the widgets, validation, drafts, closing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt

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
from refuge_desk.ui.dialogs import ScriptedDialogs
from refuge_desk.ui.resident_editor import TAB_ABUSER, ResidentEditor
from tests.conftest import VOLUNTEER, FakeClock, sign_in_as


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

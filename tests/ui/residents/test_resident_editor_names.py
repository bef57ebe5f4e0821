"""The resident editor asks about names that mix Latin with look-alike Cyrillic or Greek letters,
and saves the text cleaned of invisible characters."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from refuge_desk.domain.residents import Child
from refuge_desk.services import residents
from refuge_desk.services.session import Session
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.residents.resident_editor import ResidentEditor

CYRILLIC_A = "\u0410"  # А


def make_editor(
    qtbot: QtBot, session: Session, *answers: object
) -> tuple[ResidentEditor, ScriptedDialogs]:
    dialogs = ScriptedDialogs(*answers)
    editor = ResidentEditor(session, dialogs)
    qtbot.addWidget(editor)
    editor.load(None)
    return editor, dialogs


def test_going_back_saves_nothing_and_names_the_field_and_letter(
    qtbot: QtBot, manager_session: Session
) -> None:
    editor, dialogs = make_editor(qtbot, manager_session, "back")
    editor.full_name.setText(f"{CYRILLIC_A}nna Smith")
    assert not editor.save()
    assert residents.count(manager_session) == 0
    kind, title, text = dialogs.asked[-1]
    assert (kind, title) == ("choose", "Check her names")
    assert text.startswith(
        "Full name mixes Latin and Cyrillic letters within a word: the А (word 1, letter 1) "
        "is Cyrillic but looks like the Latin A."
    )
    assert "go back and type those letters again" in text
    assert not editor.error_box.isHidden()
    assert "Full name mixes Latin and Cyrillic" in editor.error_box.text()
    assert editor.has_unsaved_changes()  # her typing stays


def test_save_as_typed_keeps_the_name_and_is_asked_once(
    qtbot: QtBot, manager_session: Session
) -> None:
    editor, dialogs = make_editor(qtbot, manager_session, "save")
    editor.full_name.setText(f"{CYRILLIC_A}nna Smith")
    assert editor.save()
    assert editor.stored.full_name == f"{CYRILLIC_A}nna Smith"
    asked = len(dialogs.asked)
    editor.languages.setText("English")
    assert editor.save()  # the same name again: not asked twice while the record is open
    assert len(dialogs.asked) == asked
    rid = editor.resident_id
    editor.load(rid)
    editor.languages.setText("English, Polish")
    assert not editor.save()  # opened again: asked again (default answer: go back)
    assert dialogs.asked[-1][1] == "Check her names"


def test_every_name_is_checked_and_names_in_one_script_are_not(
    qtbot: QtBot, manager_session: Session
) -> None:
    editor, _ = make_editor(qtbot, manager_session, "back")
    editor.full_name.setText("Оксана Коваленко")  # all Cyrillic
    editor.preferred_name.setText("Mаria")  # Cyrillic а
    editor.aliases.setPlainText("Oksana K\nΕlena")  # Greek Ε
    editor.children_editor.set_children([Child(full_name="Yusuf"), Child(full_name="Lеyla")])
    assert not editor.save()
    problems = editor.error_box.text()
    assert "Full name" not in problems
    assert "Preferred name mixes Latin and Cyrillic" in problems
    assert "Previous names and aliases (line 2) mixes Latin and Greek" in problems
    assert "Child 2's name mixes Latin and Cyrillic" in problems


def test_clean_names_are_saved_without_a_question(qtbot: QtBot, manager_session: Session) -> None:
    editor, dialogs = make_editor(qtbot, manager_session)
    editor.full_name.setText("\u202eAmira\u200b Haddad\ufeff")
    editor.preferred_name.setText("نرگس")
    editor.notes.setPlainText("line one\u2066\nline two")
    assert editor.save()
    assert dialogs.asked == []
    assert editor.full_name.text() == "Amira Haddad"  # the stored, cleaned text is shown
    assert editor.notes.toPlainText() == "line one\nline two"
    assert not editor.has_unsaved_changes()

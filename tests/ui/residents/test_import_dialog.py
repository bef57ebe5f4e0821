"""Import residents from CSV: every row or nothing, problems listed by line number."""

from __future__ import annotations

from pathlib import Path

from refuge_desk.domain.residents import Room
from refuge_desk.services import residents, rooms
from refuge_desk.services.session import Session
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.residents.import_dialog import ImportResidentsDialog

GOOD = (
    "\ufefffull_name,preferred_name,date_of_birth,arrival_date,room,languages,phone\n"
    "Amira Haddad,Amira,1990-05-17,2026-11-01,Room 1,Arabic,07700 900123\n"
    "Ольга Соколова,,17/05/1985,,,Russian,\n"
    "\n"
    "Małgorzata Wiśniewska,Gosia,,,,Polish,\n"
)
BAD = (
    "full_name,date_of_birth,room\n"
    "Fine Person,1990-01-01,\n"
    ",1990-01-01,\n"
    "Wrong Date,31/02/1990,\n"
    "No Room,,Room 99\n"
)


def make_dialog(qtbot, session: Session, *answers: object) -> ImportResidentsDialog:
    dialog = ImportResidentsDialog(session, ScriptedDialogs(*answers))
    qtbot.addWidget(dialog)
    return dialog


def test_import_success_lists_lines_and_references(qtbot, manager_session, tmp_path: Path):
    rooms.save(manager_session, Room(name="Room 1", beds=2))
    path = tmp_path / "residents.csv"
    path.write_text(GOOD, encoding="utf-8")
    dialog = make_dialog(qtbot, manager_session)
    with qtbot.waitSignal(dialog.imported) as blocker:
        assert dialog.import_path(path)
    assert blocker.args == [3]
    assert dialog.succeeded is True
    assert dialog.summary.text() == "Imported 3 residents."
    lines = dialog.details.toPlainText().splitlines()
    assert lines == ["Line 2: R-0001", "Line 3: R-0002", "Line 5: R-0003"]
    assert "Amira" not in dialog.details.toPlainText()  # references only, never names
    rows = residents.list_residents(manager_session)
    assert [r.full_name for r in rows] == [
        "Amira Haddad",
        "Ольга Соколова",
        "Małgorzata Wiśniewska",
    ]
    assert rows[0].room == "Room 1"
    assert dialog.details.isReadOnly()


def test_import_failure_lists_every_problem_and_imports_nothing(
    qtbot, manager_session, tmp_path: Path
):
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    dialog = make_dialog(qtbot, manager_session)
    with qtbot.assertNotEmitted(dialog.imported):
        assert not dialog.import_path(path)
    assert dialog.succeeded is False
    assert dialog.summary.text().startswith("Nothing was imported.")
    problems = dialog.details.toPlainText().splitlines()
    assert problems[0] == "Line 3: Full name is required."
    assert problems[1].startswith("Line 4: date_of_birth “31/02/1990” is not a date")
    assert problems[2] == "Line 5: there is no room called “Room 99”."
    assert len(problems) == 3
    assert residents.count(manager_session) == 0  # not even the good row
    assert dialog.dialogs.asked == []


def test_unreadable_file_and_wrong_encoding_are_plain_messages(
    qtbot, manager_session, tmp_path: Path
):
    dialog = make_dialog(qtbot, manager_session)
    assert not dialog.import_path(tmp_path / "missing.csv")
    assert "does not exist" in dialog.details.toPlainText()
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("full_name\nMałgorzata\n".encode("cp1250"))
    assert not dialog.import_path(latin)
    assert "not UTF-8" in dialog.details.toPlainText()
    assert "Traceback" not in dialog.details.toPlainText()
    assert residents.count(manager_session) == 0


def test_choose_file_goes_through_the_dialogs_seam(qtbot, manager_session, tmp_path: Path):
    path = tmp_path / "one.csv"
    path.write_text("full_name\nNoor Rahman\n", encoding="utf-8")
    dialog = make_dialog(qtbot, manager_session, str(path), None)
    dialog.choose_button.click()
    assert dialog.dialogs.asked[0][0] == "open_file"
    assert dialog.summary.text() == "Imported 1 resident."
    assert dialog.file_label.text() == "one.csv"
    dialog.choose_button.click()  # cancelled: nothing happens
    assert residents.count(manager_session) == 1
    dialog.clear()
    assert dialog.details.toPlainText() == "" and dialog.summary.isHidden()


def test_mixed_script_names_are_imported_with_a_warning_per_line(
    qtbot, manager_session, tmp_path: Path
):
    path = tmp_path / "residents.csv"
    path.write_text(
        "full_name,preferred_name\n"
        "\u0410nna Smith,\n"  # a Cyrillic А
        "Оксана Коваленко,Оксана\n"
        "\u202eAmira Haddad\u200b,M\u0430ria\n",  # an override, a zero-width space, a Cyrillic а
        encoding="utf-8",
    )
    dialog = make_dialog(qtbot, manager_session)
    assert dialog.import_path(path)
    assert dialog.summary.text() == (
        "Imported 3 residents. Check the names on 2 lines marked ⚠ below: they were imported "
        "as written."
    )
    assert dialog.details.toPlainText().splitlines() == [
        "Line 2: R-0001",
        "    ⚠ Full name mixes Latin and Cyrillic letters within a word: the А (word 1, "
        "letter 1) is Cyrillic but looks like the Latin A.",
        "Line 3: R-0002",
        "Line 4: R-0003",
        "    ⚠ Preferred name mixes Latin and Cyrillic letters within a word: the а (letter 2) "
        "is Cyrillic but looks like the Latin a.",
    ]
    names = [r.full_name for r in residents.list_residents(manager_session)]
    assert names == ["\u0410nna Smith", "Оксана Коваленко", "Amira Haddad"]

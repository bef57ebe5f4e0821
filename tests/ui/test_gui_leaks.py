"""The whole workflow through the real widgets leaves no name on disk in plaintext.

Set-up wizard, a resident and child typed into the editor, search, an import, an unsaved edit
parked on lock, the window geometry saved, Qt's file dialog used, an unexpected error logged:
then the vault folder, the temp folder, and the settings and logs of the run (tests/conftest.py
points XDG_CONFIG_HOME / XDG_DATA_HOME / REFUGE_DESK_LOG_DIR into TEST_HOME) are searched for
every name in UTF-8 and UTF-16.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication, QFileDialog

from refuge_desk.diagnostics import logging_setup
from refuge_desk.store.vault import VaultFolder
from refuge_desk.ui.common.dialogs import ScriptedDialogs, forget_file_dialog_history
from refuge_desk.ui.residents.import_dialog import ImportResidentsDialog
from refuge_desk.ui.shell.main_window import MainWindow
from tests.conftest import TEST_HOME, FakeClock
from tests.test_leaks import TempWatch, _files_under, _hits, temp_watch  # noqa: F401

ORG = "Фонд Надежда"
REFUGE = "Dom Bezpieczny Łódź"
ADDRESS = "شارع السلام ٧"
WOMAN = "নাসরিন আক্তার"
PREFERRED = "নাসরিন"
CHILD = "王小龙"
ALIAS = "Nasrin Akhtar-Kowalska"
TYPED_UNSAVED = "Zuzanna Żebrowska"
IMPORTED = "Aigerim Жумабаева"


def test_gui_workflow_writes_no_name_anywhere(qtbot, tmp_path: Path, temp_watch: TempWatch):  # noqa: F811
    clock = FakeClock()
    logging_setup.configure()  # the app's real log file, in TEST_HOME/logs
    window = MainWindow(
        VaultFolder(tmp_path / "vault"),
        ScriptedDialogs(),
        clock=clock,
        idle_clock=clock.seconds,
        signin_seconds=clock.seconds,
    )
    qtbot.addWidget(window)
    window.show()
    wizard = window.wizard
    wizard.org_page.org.setText(ORG)
    wizard.org_page.refuge.setText(REFUGE)
    wizard.org_page.address.setPlainText(ADDRESS)
    wizard.next()
    wizard.manager_page.username.setText("amira")
    wizard.manager_page.full_name.setText("Amira Haddad-Wiśniewska")
    wizard.manager_page.fields.first.setText("marble otter quietly sings")
    wizard.manager_page.fields.second.setText("marble otter quietly sings")
    with qtbot.waitSignal(wizard.created, timeout=15000):
        wizard.next()
    wizard.key_page.confirm.setChecked(True)
    wizard.accept()
    assert window.session is not None

    window.open_resident(None)
    editor = window.editor
    editor.full_name.setText(WOMAN)
    editor.preferred_name.setText(PREFERRED)
    editor.aliases.setPlainText(ALIAS)
    child = editor.children_editor.add_child()
    child.full_name.setText(CHILD)
    child.school.setText(f"School of {CHILD}")
    child.accept()
    assert editor.save()
    page = window.page("residents")
    window.show_section("residents")
    page.show_names.setChecked(True)
    page.search.setText(PREFERRED[:3])
    assert page.model.rowCount() == 1
    assert WOMAN not in window.windowTitle()

    csv_path = tmp_path / "import.csv"
    csv_path.write_text(f"full_name,notes\n{IMPORTED},about {IMPORTED}\n", encoding="utf-8")
    dialog = ImportResidentsDialog(window.session, window.dialogs, window)
    dialog.import_path(csv_path)
    csv_path.unlink()  # her own file, not ours

    # Qt's file dialog remembers where it was; after our use the history is wiped.
    browse = QFileDialog(window, "Choose", str(tmp_path))
    browse.setOption(QFileDialog.Option.DontUseNativeDialog)
    named_dir = tmp_path / IMPORTED
    named_dir.mkdir()
    browse.setDirectory(str(named_dir))
    browse.show()
    browse.accept()
    browse.deleteLater()  # Qt writes its history when the dialog is destroyed
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    assert (TEST_HOME / "xdg_config_home" / "QtProject.conf").exists()
    forget_file_dialog_history()
    named_dir.rmdir()

    # An unexpected error whose message holds a name goes to the log redacted.
    try:
        raise RuntimeError(f"cannot render {WOMAN}")
    except RuntimeError as exc:
        logging_setup.log_unexpected(exc, "test")
    logging.getLogger("refuge_desk").info("resident %s saved", "R-0001")

    # Leave an unsaved edit open, then lock: it is parked inside the vault.
    window.open_resident(page.model.id_at(0))
    window.editor.notes.setPlainText(TYPED_UNSAVED)
    assert window.editor.has_unsaved_changes()
    window.lock("manual")
    settings = QSettings(
        str(TEST_HOME / "xdg_config_home" / "geometry.ini"), QSettings.Format.IniFormat
    )
    settings.setValue("main/geometry", window.saveGeometry())
    settings.sync()
    window.shutdown()
    for handler in logging.getLogger("refuge_desk").handlers:
        handler.flush()

    assert window.session is not None
    needles = [WOMAN, PREFERRED, CHILD, ALIAS, TYPED_UNSAVED, IMPORTED, ORG, REFUGE, ADDRESS]
    needles += [w for n in needles for w in n.split() if len(w) >= 3]
    files = _files_under(tmp_path / "vault") + _files_under(TEST_HOME)
    assert any(p.name == "vault.db" for p in files)
    assert any(p.suffix == ".log" for p in files)  # the log really was written and scanned
    assert _hits(files, needles) + temp_watch.hits(needles) == []

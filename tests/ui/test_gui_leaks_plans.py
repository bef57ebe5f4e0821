"""A safety plan's whole life in the real widgets leaves nothing readable on disk.

Start, type (many scripts), finalise, a new draft, every printed copy previewed and printed
(to memory), unsaved typing on lock: then the vault folder, the temp folder and the run's
settings and logs are searched for every typed word in UTF-8 and UTF-16, and no window title
holds a name.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QPageSize
from PySide6.QtWidgets import QApplication

from refuge_desk.diagnostics import logging_setup
from refuge_desk.domain.residents import Abuser, Child, Resident, Status
from refuge_desk.services import plans, residents
from refuge_desk.services.plan_print import LATEST, Variant
from refuge_desk.ui.plans.plan_print_dialog import PlanPrintDialog
from tests.conftest import TEST_HOME
from tests.test_leaks import TempWatch, _files_under, _hits, temp_watch  # noqa: F401
from tests.ui.common.test_printing import print_to_memory
from tests.ui.plans.test_plan_page import editor
from tests.ui.shell.test_main_window import make_window

WOMAN = "Gulnara Абдуллаева"
ABUSER = "Rustam Kowalczyk"
CHILD = "ሰላም Абдуллаева"
WORRY = "ስጋቴ ነው he finds the Żabka shop"
CONTACT = "Сестра Дильноза"
CODE = "قهوة بالهيل"
LATER = "দ্বিতীয় সংস্করণ second version words"
UNSAVED = "નવું લખાણ unsaved typing at lock"


def test_plan_workflow_writes_nothing_readable(
    qtbot,
    manager_session,
    vault_dir: Path,
    clock,
    temp_watch: TempWatch,  # noqa: F811
):
    logging_setup.configure()
    res = residents.save(
        manager_session,
        Resident(
            full_name=WOMAN,
            status=Status.RESIDENT,
            arrival_date=manager_session.today(),
            abusers=[Abuser(name=ABUSER)],
            children=[Child(full_name=CHILD)],
        ),
    )
    assert res.id is not None
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    window.open_plan(res.id)
    page = window.plan_page
    assert page is not None and page.start_plan()
    # Scripts a keyboard layout would type through an input method: set as the IME would.
    editor(page, "worries").edit.setPlainText(WORRY)
    contacts = editor(page, "safe_contacts")
    contacts.set_cell(contacts.add_row(), "name", CONTACT)
    words = editor(page, "code_words")
    words.set_cell(words.add_row(), "word", CODE)
    assert page.save_now()
    state = plans.get(manager_session, res.id)
    assert state.draft is not None and state.draft.content["worries"] == WORRY
    plans.finalise(manager_session, res.id, state.draft.revision)
    page.load(res.id)
    assert page.edit_plan()
    editor(page, "strengths").edit.setPlainText(LATER)
    assert page.save_now()

    for which in (1, plans.DRAFT, LATEST):
        dialog = PlanPrintDialog(
            manager_session,
            window.dialogs,
            res.id,
            which,
            window,
            printer=lambda _parent, data: print_to_memory(data, QPageSize.PageSizeId.A4)[0] > 0,
        )
        qtbot.addWidget(dialog)
        dialog.show()
        for variant in Variant:
            if dialog.bar.variant.findData(variant) >= 0:
                dialog.bar.set_variant(variant)
                assert dialog.print_pdf()
        dialog.reject()

    editor(page, "avoid").edit.setPlainText(UNSAVED)
    assert page.has_unsaved_changes()
    titles = [w.windowTitle() for w in QApplication.topLevelWidgets()]
    window.lock("manual")
    window.shutdown()
    for handler in logging.getLogger("refuge_desk").handlers:
        handler.flush()

    needles = [WOMAN, ABUSER, CHILD, WORRY, CONTACT, CODE, LATER, UNSAVED]
    # Each word in another script too (English words like "lock" rightly appear in the log).
    needles += [w for n in needles for w in n.split() if len(w) >= 3 and not w.isascii()]
    needles += [ABUSER.split()[1], "Kowalczyk", "Żabka"]
    assert not [t for t in titles for n in needles if n in t]
    files = _files_under(vault_dir) + _files_under(TEST_HOME)
    assert any(p.name == "vault.db" for p in files)
    assert _hits(files, needles) + temp_watch.hits(needles) == []
    check = plans.get(manager_session, res.id) if manager_session.is_open else None
    assert check is None  # locked: the session is closed

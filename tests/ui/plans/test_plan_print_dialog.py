"""Printing and saving a plan from the app: choose the copy, see it, print or save; audited."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QPageSize
from pytestqt.qtbot import QtBot

from refuge_desk.domain.residents import Abuser, Child, Resident
from refuge_desk.services import plan_print, plans, residents
from refuge_desk.services.plan_print import Variant
from refuge_desk.services.session import Session
from refuge_desk.store import audit_repo
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.plans.plan_print_dialog import WINDOW_TITLE, PlanPrintDialog
from tests.conftest import ORG
from tests.ui.common.test_printing import print_to_memory


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)


def _agreed(session: Session) -> int:
    res = residents.save(
        session,
        Resident(
            full_name="Hodan Warsame",
            preferred_name="Hodan",
            abusers=[Abuser(name="Abdi Warsame")],
            children=[Child(full_name="Ayaan Warsame")],
        ),
    )
    assert res.id is not None
    state = plans.start_draft(session, res.id)
    assert state.draft is not None
    content = dict(state.draft.content, worries="Abdi waits near the bus stop.", risk_notes="RN-1")
    rev = plans.save_draft(session, res.id, content, state.draft.revision)
    plans.finalise(session, res.id, rev)
    return res.id


def _audit(session: Session) -> list[tuple[str, str]]:
    return [(action, ref) for _at, _who, action, ref in audit_repo.recent(session.db, 20)]


def _open(qtbot: QtBot, session: Session, dialogs: ScriptedDialogs, rid: int, which, **kw):
    printed: list[int] = []

    def printer(parent: object, data: bytes) -> bool:
        pages, _ = print_to_memory(data, QPageSize.PageSizeId.A4)
        printed.append(pages)
        return pages > 0

    dialog = PlanPrintDialog(session, dialogs, rid, which, printer=printer, **kw)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog, printed


def test_choose_copy_preview_and_print_is_audited(qtbot: QtBot, manager_session: Session) -> None:
    rid = _agreed(manager_session)
    dialog, printed = _open(qtbot, manager_session, ScriptedDialogs(), rid, plan_print.LATEST)
    assert dialog.windowTitle() == WINDOW_TITLE  # never her name
    resident_copy = _text(dialog.pdf)
    assert "Hodan" in resident_copy and "RN-1" not in resident_copy
    assert "Abdi" not in resident_copy and "____ waits near the bus stop." in resident_copy
    assert "left blank" in dialog.notes.text()

    dialog.bar.set_variant(Variant.STAFF)
    staff_copy = _text(dialog.pdf)
    assert "RN-1" in staff_copy and "Abdi Warsame" in staff_copy and ORG.refuge_name in staff_copy
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert printed == [dialog.page_count()]
    reference = plan_print.reference_of(manager_session, rid)
    assert ("plan.print", f"{reference} v1 staff") in _audit(manager_session)

    dialog.bar.set_variant(Variant.DISCREET)
    assert not dialog.bar.discreet_row.isHidden()
    dialog.bar.title.setText("Recipes")
    dialog.bar.title.editingFinished.emit()
    discreet = _text(dialog.pdf)
    assert "Recipes" in discreet
    for banned in ("Warsame", "Abdi", ORG.refuge_name, "Version 1", "RN-1"):
        assert banned not in discreet
    assert dialog.suggested_name == "notes.pdf"

    dialog.bar.large.setChecked(True)
    dialog.bar.language.setCurrentIndex(dialog.bar.language.findData("ar"))
    dialog.bar.set_variant(Variant.RESIDENT)
    # Arabic comes back from the PDF as presentation forms: compare their NFKC forms.
    assert "الخاصة" in unicodedata.normalize("NFKC", _text(dialog.pdf))


def test_save_warns_writes_atomically_and_is_audited(
    qtbot: QtBot, manager_session: Session, tmp_path: Path
) -> None:
    rid = _agreed(manager_session)
    out = tmp_path / "usb"
    out.mkdir()
    target = out / "hodan-copy.pdf"
    dialogs = ScriptedDialogs(True, str(target))
    dialog, _ = _open(qtbot, manager_session, dialogs, rid, 1, variant=Variant.RESIDENT)
    reference = plan_print.reference_of(manager_session, rid)
    assert dialog.suggested_name == f"{reference}-plan-resident.pdf"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialogs.asked[0][0] == "confirm" and "not encrypted" in dialogs.asked[0][2]
    assert target.read_bytes() == dialog.pdf
    assert [p.name for p in out.iterdir()] == ["hodan-copy.pdf"]  # no temp file left
    assert ("plan.save", f"{reference} v1 resident") in _audit(manager_session)


def test_blank_form_when_no_plan(qtbot: QtBot, manager_session: Session) -> None:
    res = residents.save(
        manager_session, Resident(full_name="Nour Haddad", languages="Arabic, English")
    )
    assert res.id is not None
    dialog, _ = _open(qtbot, manager_session, ScriptedDialogs(), res.id, None)
    assert dialog.bar.language.currentData() == "ar"  # her language, preselected
    dialog.bar.language.setCurrentIndex(dialog.bar.language.findData(""))
    assert "To fill in by hand" in _text(dialog.pdf)
    dialog.bar.set_variant(Variant.DISCREET)  # a discreet blank form: still no surname
    discreet = _text(dialog.pdf)
    assert "Haddad" not in discreet and "My notes" in discreet

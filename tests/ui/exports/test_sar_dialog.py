"""The SAR dialog: withhold decisions change the copy, and every copy that leaves is recorded."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QPageSize

from refuge_desk.domain.errors import PermissionDenied
from refuge_desk.domain.residents import Abuser, Resident
from refuge_desk.services import residents
from refuge_desk.store import audit_repo
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.exports.sar_dialog import WINDOW_TITLE, SarDialog
from tests.conftest import WORKER, sign_in_as
from tests.ui.common.test_printing import print_to_memory


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_withhold_preview_save_and_print_are_recorded(qtbot, manager_session, tmp_path: Path):
    res = residents.save(
        manager_session,
        Resident(full_name="Hana Novak", abusers=[Abuser(name="Petr Novak", vehicle="Red Skoda")]),
    )
    out = tmp_path / "usb"
    out.mkdir()
    dialogs = ScriptedDialogs(True, str(out / "hana"), True, str(out / "hana.json"))
    dialog = SarDialog(
        manager_session,
        dialogs,
        res.id,
        printer=lambda _p, data: print_to_memory(data, QPageSize.PageSizeId.A4)[0] > 0,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == WINDOW_TITLE
    assert "Red Skoda" in _text(dialog.pdf)
    dialog.withhold["abusers"].setChecked(True)
    assert "Red Skoda" not in _text(dialog.pdf) and "Information withheld" in _text(dialog.pdf)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert (out / "hana.pdf").read_bytes() == dialog.pdf
    qtbot.mouseClick(dialog.json_button, Qt.MouseButton.LeftButton)
    data = json.loads((out / "hana.json").read_text("utf-8"))
    assert data["resident"]["abusers"] == "[withheld by a manager]"
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    entries = [(a, r) for _at, _who, a, r in audit_repo.recent(manager_session.db, 10)]
    for expected in (
        ("sar.export", f"{res.reference} pdf withheld:abusers"),
        ("sar.export", f"{res.reference} json withheld:abusers"),
        ("sar.print", f"{res.reference} withheld:abusers"),
    ):
        assert expected in entries


def test_a_worker_cannot_open_it(qtbot, manager_session, vault_dir, clock):
    res = residents.save(manager_session, Resident(full_name="Hana Novak"))
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        with pytest.raises(PermissionDenied, match="subject access request"):
            SarDialog(worker, ScriptedDialogs(), res.id)
    finally:
        worker.close()

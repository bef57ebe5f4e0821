"""Every script on screen: the 27 samples the PDFs print show in real widgets, with no box."""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QTextLayout
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.residents import Resident, Status
from refuge_desk.services import residents
from refuge_desk.services.pdf import faces
from refuge_desk.services.session import Session
from refuge_desk.ui.common import fonts
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.common.style import APP_STYLE
from refuge_desk.ui.common.table_models import ResidentsModel
from refuge_desk.ui.residents.residents_page import ResidentsPage
from tests.services.pdf.samples import SCRIPTS

SHOTS = Path(os.environ.get("REFUGE_DESK_SHOTS", "/tmp/shots-i15-fonts"))


def unseen(text: str, font: QFont) -> list[str]:
    """What of ``text`` would show as a box in ``font`` (with its fallbacks), as Qt lays it out.

    Two checks: every letter, mark, digit and sign is in some font Qt resolves for ``font``
    (QFontMetrics asks the whole fallback engine), and laying the text out as a widget does
    gives no glyph 0 (.notdef, the empty box) in any run.
    """
    metrics = QFontMetrics(font)
    missing = [
        f"U+{ord(c):04X} {unicodedata.name(c, '?')}"
        for c in text
        if unicodedata.category(c)[0] not in "ZC" and not metrics.inFontUcs4(ord(c))
    ]
    layout = QTextLayout(text, font)
    layout.beginLayout()
    layout.createLine().setLineWidth(100_000)
    layout.endLayout()
    boxes = sum(list(run.glyphIndexes()).count(0) for run in layout.glyphRuns())
    if boxes:
        missing.append(f"{boxes} empty box glyph(s)")
    return missing


def test_install_puts_the_platform_font_first_then_every_bundled_family(qapp) -> None:
    chain = fonts.install(qapp)
    assert chain == fonts.install(qapp)  # once is enough; twice changes nothing
    assert qapp.font().families() == chain
    bundled = fonts.register()
    assert chain[1:] == [f for f in bundled if f != chain[0]]
    # One family per face of the PDF chain (the bold files join their regular family).
    assert len(bundled) == len(faces.CHAIN)
    for family in ("Noto Sans Bengali", "Noto Sans Devanagari", "Noto Sans Tamil"):
        assert family in QFontDatabase.families()
    assert {"Noto Sans Ethiopic", "Noto Sans Gurmukhi", "Droid Sans Fallback"} <= set(chain)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_every_sample_shows_in_a_label_a_field_a_text_box_and_a_list(qtbot, name: str) -> None:
    sample = SCRIPTS[name]
    box = QWidget()
    box.setStyleSheet(APP_STYLE)  # the app's stylesheet sets sizes: families must survive it
    qtbot.addWidget(box)
    label, bold, field = QLabel(sample), QLabel(sample), QLineEdit(sample)
    notes, choice = QPlainTextEdit(sample), QComboBox()
    bold.setStyleSheet("font-weight: bold; font-size: 13pt;")
    choice.addItem(sample)
    column = QVBoxLayout(box)
    for widget in (label, bold, field, notes, choice):
        column.addWidget(widget)
    box.resize(900, 300)
    box.show()
    qtbot.waitExposed(box)
    for widget in (label, bold, field, notes, choice):
        widget.ensurePolished()
        assert unseen(sample, widget.font()) == [], f"{name} in {type(widget).__name__}"
    assert field.text() == sample and notes.toPlainText() == sample
    # Drawn, not only measured: the label is as wide as its text in the fallback fonts.
    assert label.sizeHint().width() >= QFontMetrics(label.font()).horizontalAdvance(sample) > 0


def test_every_sample_is_readable_as_a_name_in_the_residents_list(
    qtbot, manager_session: Session
) -> None:
    for sample in SCRIPTS.values():
        her = Resident(full_name=sample, status=Status.RESIDENT)
        her.arrival_date = manager_session.today() - dt.timedelta(days=3)
        residents.save(manager_session, her)
    page = ResidentsPage(manager_session, ScriptedDialogs())
    page.setStyleSheet(APP_STYLE)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    model = page.model
    qtbot.waitUntil(lambda: model.rowCount() == len(SCRIPTS))
    page.show_names.setChecked(True)  # her full name, as a worker shows it
    shown = set()
    for row in range(model.rowCount()):
        index = model.index(row, ResidentsModel.COL_NAME)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        font = QFont(page.view.font())
        cell_font = index.data(Qt.ItemDataRole.FontRole)
        if isinstance(cell_font, QFont):
            font = cell_font.resolve(font)
        assert unseen(text, font) == [], text
        shown.add(text)
    assert shown == set(SCRIPTS.values())
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.grab().save(str(SHOTS / "residents-every-script-1366x768.png"))
    page.resize(1280, 720)
    QApplication.processEvents()
    page.grab().save(str(SHOTS / "residents-every-script-1280x720.png"))

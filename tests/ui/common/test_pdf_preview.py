"""The preview window: pages from memory, navigation, zoom, print and save; no file written."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPageSize
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from refuge_desk.services.pdf.document import PageSetup
from refuge_desk.services.pdf.render import render_pdf
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.common.pdf_preview import NOT_ENCRYPTED, PdfPreviewDialog
from tests.services.pdf.samples import full_plan, one_text
from tests.ui.common.test_printing import print_to_memory


class Calls:
    def __init__(self) -> None:
        self.printed = 0
        self.saved = 0

    def on_printed(self) -> None:
        self.printed += 1

    def on_saved(self) -> None:
        self.saved += 1


def make_dialog(
    qtbot: QtBot, pdf: bytes, dialogs: ScriptedDialogs, calls: Calls, **kw: Any
) -> PdfPreviewDialog:
    dialog = PdfPreviewDialog(pdf, "Preview", dialogs, calls.on_printed, calls.on_saved, **kw)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


LONG = full_plan(extra="A long answer. " * 500)


def test_preview_navigates_zooms_and_swaps_documents(qtbot: QtBot) -> None:
    pdf = render_pdf(LONG, PageSetup())
    dialog = make_dialog(qtbot, pdf, ScriptedDialogs(), Calls())
    pages = dialog.page_count()
    assert pages >= 2 and dialog.windowTitle() == "Preview"
    assert dialog.page_label.text() == f"Page 1 of {pages}"
    assert not dialog.prev_button.isEnabled()
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.current_page() == 1
    assert dialog.page_label.text() == f"Page 2 of {pages}"
    qtbot.mouseClick(dialog.prev_button, Qt.MouseButton.LeftButton)
    assert dialog.current_page() == 0
    before = dialog.view.zoomFactor()
    qtbot.mouseClick(dialog.zoom_in_button, Qt.MouseButton.LeftButton)
    assert dialog.view.zoomFactor() == pytest.approx(before * 1.25)
    dialog.set_pdf(render_pdf(one_text("Short"), PageSetup()))
    assert dialog.page_count() == 1 and dialog.page_label.text() == "Page 1 of 1"
    assert not dialog.next_button.isEnabled()


def test_print_button_prints_and_reports_only_when_printed(qtbot: QtBot) -> None:
    pdf = render_pdf(LONG, PageSetup())
    printed: list[int] = []

    def printer(parent: object, data: bytes) -> bool:
        pages, _ = print_to_memory(data, QPageSize.PageSizeId.A4)
        printed.append(pages)
        return pages > 0

    calls = Calls()
    dialog = make_dialog(qtbot, pdf, ScriptedDialogs(), calls, printer=printer)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert printed == [dialog.page_count()] and calls.printed == 1
    dialog.printer = lambda parent, data: False  # the print dialog was cancelled
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert calls.printed == 1


def test_save_warns_then_writes_where_asked(qtbot: QtBot, tmp_path: Path) -> None:
    pdf = render_pdf(one_text("Hello"), PageSetup())
    target = tmp_path / "chosen"
    dialogs = ScriptedDialogs(True, str(target))
    calls = Calls()
    dialog = make_dialog(qtbot, pdf, dialogs, calls)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialogs.asked[0] == ("confirm", "Save PDF", NOT_ENCRYPTED)
    assert dialogs.asked[1][0] == "save_file" and dialogs.asked[1][2] == "document.pdf"
    assert (tmp_path / "chosen.pdf").read_bytes() == pdf
    assert calls.saved == 1


def test_save_cancelled_at_the_warning_writes_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    dialogs = ScriptedDialogs(False)
    calls = Calls()
    dialog = make_dialog(qtbot, render_pdf(one_text("Hi"), PageSetup()), dialogs, calls)
    assert dialog.save_pdf() is False
    assert [kind for kind, _, _ in dialogs.asked] == ["confirm"]
    assert calls.saved == 0 and list(tmp_path.iterdir()) == []


def test_save_failure_is_a_plain_sentence(qtbot: QtBot, tmp_path: Path) -> None:
    dialogs = ScriptedDialogs(True, str(tmp_path / "missing" / "x.pdf"))
    calls = Calls()
    dialog = make_dialog(qtbot, render_pdf(one_text("Hi"), PageSetup()), dialogs, calls)
    assert dialog.save_pdf() is False
    kind, _, text = dialogs.asked[-1]
    assert kind == "error" and "Traceback" not in text and text.endswith(".")
    assert calls.saved == 0


def _ink_on(widget: QWidget) -> bool:
    """Whether the widget shows anything dark (rendered text), not only paper and grey."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    data, stride, width = bytes(image.constBits()), image.bytesPerLine(), image.width()
    return any(
        min(data[row * stride : row * stride + width]) < 100 for row in range(image.height())
    )


WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_watching: list[list[str]] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _watching or event != "open":
        return
    path, mode, flags = args
    writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
        isinstance(flags, int) and flags & WRITE_FLAGS
    )
    if writing and not str(path).endswith(".pyc"):  # byte-code caches hold no data
        _watching[-1].append(str(path))


sys.addaudithook(_audit)


def test_making_previewing_and_printing_write_no_file(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))  # Qt's QDir::tempPath() reads it
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    render_pdf(LONG, PageSetup())  # warm: fonts registered, lazy imports done
    writes: list[str] = []
    _watching.append(writes)
    try:
        pdf = render_pdf(LONG, PageSetup(large_print=True))
        calls = Calls()

        def printer(parent: object, data: bytes) -> bool:
            return print_to_memory(data, QPageSize.PageSizeId.A4)[0] > 0

        dialog = make_dialog(qtbot, pdf, ScriptedDialogs(), calls, printer=printer)
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
        # QPdfView renders pages on its own thread: wait until a page's text is on screen.
        qtbot.waitUntil(lambda: _ink_on(dialog.view.viewport()), timeout=10000)
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
        dialog.close()
    finally:
        _watching.pop()
    assert calls.printed == 1
    assert writes == []
    assert list(temp.rglob("*")) == []
    assert tempfile.gettempdir() == str(temp)

"""Printing from memory: every page painted onto a paged device (QPdfWriter over a QBuffer)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QPageSize, QPdfWriter
from pytestqt.qtbot import QtBot

from refuge_desk.services.pdf.document import PageSetup, Paper
from refuge_desk.services.pdf.render import render_pdf
from refuge_desk.ui.common.printing import PdfInMemory, print_pdf
from tests.services.pdf.samples import full_plan


def print_to_memory(pdf: bytes, page_size: QPageSize.PageSizeId) -> tuple[int, bytes]:
    out = QByteArray()
    buffer = QBuffer(out)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageSize(QPageSize(page_size))
    writer.setResolution(96)
    pages = print_pdf(pdf, writer)
    del writer  # finishes the PDF into the buffer
    buffer.close()
    return pages, bytes(out.data())


def dark_fraction(pdf: bytes, page: int) -> float:
    source = PdfInMemory(pdf)
    image = source.document.render(page, QSize(200, 280))
    source.close()
    dark = sum(
        1
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
        if image.pixelColor(x, y).lightness() < 128
    )
    return dark / ((image.width() // 2) * (image.height() // 2))


def test_print_pdf_paints_every_page(qtbot: QtBot) -> None:
    pdf = render_pdf(full_plan(extra="A long answer. " * 400), PageSetup(Paper.A4))
    expected = len(PdfReader(io.BytesIO(pdf)).pages)
    assert expected >= 2
    pages, printed = print_to_memory(pdf, QPageSize.PageSizeId.A4)
    assert pages == expected
    reader = PdfReader(io.BytesIO(printed))
    assert len(reader.pages) == expected
    assert round(float(reader.pages[0].mediabox.width)) in (595, 596)
    for page in range(expected):
        assert dark_fraction(printed, page) > 0.002  # ink on every page, not blank sheets


def test_letter_pdf_on_a4_paper_is_scaled_to_fit(qtbot: QtBot) -> None:
    pdf = render_pdf(full_plan(), PageSetup(Paper.LETTER))
    pages, printed = print_to_memory(pdf, QPageSize.PageSizeId.A4)
    assert pages == len(PdfReader(io.BytesIO(pdf)).pages)
    assert dark_fraction(printed, 0) > 0.002


def test_nothing_to_print_from_bytes_that_are_not_a_pdf(qtbot: QtBot) -> None:
    pages, _ = print_to_memory(b"not a pdf", QPageSize.PageSizeId.A4)
    assert pages == 0


def test_the_print_dialog_offers_no_print_to_file(qtbot) -> None:
    from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrinter

    from refuge_desk.ui.common.printing import make_print_dialog

    printer = QPrinter()
    dialog = make_print_dialog(printer, None)
    qtbot.addWidget(dialog)
    assert not dialog.testOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile)


def test_a_printer_that_writes_a_file_is_refused(tmp_path) -> None:
    from PySide6.QtPrintSupport import QPrinter

    from refuge_desk.domain.errors import UserError
    from refuge_desk.ui.common.printing import check_printer

    printer = QPrinter()
    printer.setOutputFileName(str(tmp_path / "copy.pdf"))
    with pytest.raises(UserError, match="writes a file"):
        check_printer(printer)
    assert not (tmp_path / "copy.pdf").exists()

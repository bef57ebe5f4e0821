"""Print PDF bytes from memory: QtPdf renders each page, a QPainter puts it on the device."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, QSizeF
from PySide6.QtGui import QPagedPaintDevice, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QWidget

from refuge_desk.domain.errors import UserError
from refuge_desk.ui.common.dialogs import Dialogs

MAX_DPI = 300  # enough for text on paper; 1200 dpi pages would be ~500 MB images each
NEUTRAL_JOB_NAME = "Document"  # print queues show the job name to anyone who looks


class PdfInMemory:
    """A QPdfDocument over a QBuffer over the bytes: nothing is written anywhere."""

    def __init__(self, pdf: bytes) -> None:
        self.data = QByteArray(pdf)
        self.buffer = QBuffer(self.data)
        self.buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument()
        self.document.load(self.buffer)

    @property
    def ok(self) -> bool:
        return self.document.status() == QPdfDocument.Status.Ready

    def close(self) -> None:
        self.document.close()
        self.buffer.close()


def print_pdf(pdf: bytes, device: QPagedPaintDevice) -> int:
    """Paint every page onto ``device`` (a QPrinter, or a QPdfWriter in tests); pages printed."""
    source = PdfInMemory(pdf)
    try:
        pages = source.document.pageCount() if source.ok else 0
        if pages == 0:
            return 0
        painter = QPainter()
        if not painter.begin(device):
            return 0
        try:
            for index in range(pages):
                if index:
                    device.newPage()
                _paint_page(source.document, index, painter, device)
        finally:
            painter.end()
        return pages
    finally:
        source.close()


def _paint_page(
    document: QPdfDocument, index: int, painter: QPainter, device: QPagedPaintDevice
) -> None:
    points: QSizeF = document.pagePointSize(index)
    target = QRectF(0, 0, device.width(), device.height())
    scale = min(target.width() / points.width(), target.height() / points.height())
    dpi = min(MAX_DPI, max(device.logicalDpiX(), 72))
    image = document.render(
        index, QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
    )
    w, h = points.width() * scale, points.height() * scale
    painter.drawImage(QRectF((target.width() - w) / 2, (target.height() - h) / 2, w, h), image)


def choose_printer_and_print(parent: QWidget | None, pdf: bytes, dialogs: Dialogs) -> bool:
    """Ask which printer with the system's print dialog, then print; False if cancelled."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(NEUTRAL_JOB_NAME)
    printer.setFullPage(True)
    source = PdfInMemory(pdf)
    try:
        if source.ok and source.document.pageCount():
            size = source.document.pagePointSize(0)
            printer.setPageLayout(
                QPageLayout(
                    QPageSize(size, QPageSize.Unit.Point),
                    QPageLayout.Orientation.Portrait,
                    QPageLayout().margins(),
                )
            )
    finally:
        source.close()
    dialog = make_print_dialog(printer, parent)
    if dialogs.run(dialog) != QPrintDialog.DialogCode.Accepted:
        return False
    check_printer(printer)
    return print_pdf(pdf, printer) > 0


def make_print_dialog(printer: QPrinter, parent: QWidget | None) -> QPrintDialog:
    """The system's print dialog without "Print to file": a file made there would be an
    unencrypted copy that bypassed the warning "Save PDF…" gives."""
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print")
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, False)
    return dialog


def check_printer(printer: QPrinter) -> None:
    """Refuse a printer that writes a file (e.g. a "Print to PDF" queue chosen anyway)."""
    if printer.outputFileName() or printer.outputFormat() == QPrinter.OutputFormat.PdfFormat:
        raise UserError(
            "That printer writes a file, and a printed file is not encrypted. Choose a real "
            'printer, or use "Save PDF…", which warns first.'
        )

"""Show PDF bytes with QtPdf from memory; print or (with a warning) save them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.errors import UserError
from refuge_desk.services.files import save_file
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.printing import PdfInMemory, choose_printer_and_print

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.25, 5.0
NOT_ENCRYPTED = (
    "A saved PDF is not encrypted: anyone who can open the folder or the USB stick can read "
    "it. Save it only where that is safe, and delete it when it is no longer needed.\n\n"
    "Save the PDF anyway?"
)


class PdfPreviewDialog(QDialog):
    """A preview of ``pdf``; ``on_printed``/``on_saved`` run after a print or save succeeds."""

    def __init__(
        self,
        pdf: bytes,
        title: str,
        dialogs: Dialogs,
        on_printed: Callable[[], None],
        on_saved: Callable[[], None],
        parent: QWidget | None = None,
        *,
        printer: Callable[[QWidget | None, bytes], bool] | None = None,
        suggested_name: str = "document.pdf",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.dialogs = dialogs
        self.on_printed = on_printed
        self.on_saved = on_saved
        self.printer = printer or (
            lambda parent, pdf: choose_printer_and_print(parent, pdf, dialogs)
        )
        self.suggested_name = suggested_name
        self.pdf = b""
        self._source: PdfInMemory | None = None

        self.view = QPdfView(self)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

        self.options_row = QHBoxLayout()  # the caller adds its choices (variant, paper, ...)
        self.prev_button = QPushButton("◀ Previous page")
        self.next_button = QPushButton("Next page ▶")
        self.page_label = QLabel()
        self.zoom_out_button = QPushButton("Zoom out")
        self.zoom_in_button = QPushButton("Zoom in")
        self.fit_button = QPushButton("Fit width")
        self.print_button = QPushButton("Print…")
        self.print_button.setObjectName("primary")
        self.save_button = QPushButton("Save PDF…")
        self.close_button = QPushButton("Close")

        nav = QHBoxLayout()
        for w in (self.prev_button, self.page_label, self.next_button):
            nav.addWidget(w)
        nav.addStretch(1)
        for w in (self.zoom_out_button, self.zoom_in_button, self.fit_button):
            nav.addWidget(w)
        actions = QHBoxLayout()
        self.actions_row = actions  # callers may add buttons (e.g. "Save JSON…")
        actions.addStretch(1)
        for w in (self.print_button, self.save_button, self.close_button):
            actions.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addLayout(self.options_row)
        layout.addLayout(nav)
        layout.addWidget(self.view, 1)
        layout.addLayout(actions)

        self.prev_button.clicked.connect(lambda: self.go_to_page(self.current_page() - 1))
        self.next_button.clicked.connect(lambda: self.go_to_page(self.current_page() + 1))
        self.zoom_in_button.clicked.connect(lambda: self.zoom(ZOOM_STEP))
        self.zoom_out_button.clicked.connect(lambda: self.zoom(1 / ZOOM_STEP))
        self.fit_button.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        self.print_button.clicked.connect(lambda: self.print_pdf())
        self.save_button.clicked.connect(lambda: self.save_pdf())
        self.close_button.clicked.connect(self.reject)
        self.view.pageNavigator().currentPageChanged.connect(lambda _: self._update_nav())
        self.resize(820, 900)
        self.set_pdf(pdf)

    # --- the document -------------------------------------------------------------------
    def set_pdf(self, pdf: bytes) -> None:
        """Show other bytes (another variant or paper size) in the same window."""
        old = self._source
        self.pdf = pdf
        self._source = PdfInMemory(pdf)
        self.view.setDocument(self._source.document)
        if old is not None:
            old.close()
        self._update_nav()

    def page_count(self) -> int:
        return self._source.document.pageCount() if self._source else 0

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def go_to_page(self, page: int) -> None:
        page = max(0, min(page, self.page_count() - 1))
        self.view.pageNavigator().jump(page, QPointF(), self.view.pageNavigator().currentZoom())
        self._update_nav()

    def zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(MIN_ZOOM, min(MAX_ZOOM, self.view.zoomFactor() * factor)))

    def _update_nav(self) -> None:
        pages, page = self.page_count(), self.current_page()
        self.page_label.setText(f"Page {page + 1} of {pages}" if pages else "No pages")
        self.prev_button.setEnabled(page > 0)
        self.next_button.setEnabled(page < pages - 1)

    # --- actions ------------------------------------------------------------------------
    def print_pdf(self) -> bool:
        try:
            if not self.printer(self, self.pdf):
                return False
        except UserError as exc:
            self.dialogs.error(self, "Print", str(exc))
            return False
        self.on_printed()
        return True

    def save_pdf(self) -> bool:
        if not self.dialogs.confirm(self, "Save PDF", NOT_ENCRYPTED):
            return False
        path = self.dialogs.save_file(self, "Save PDF", "PDF files (*.pdf)", self.suggested_name)
        if path is None:
            return False
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            save_file(path, self.pdf)
        except UserError as exc:
            self.dialogs.error(self, "Save PDF", f"{exc} Choose another folder and try again.")
            return False
        finally:
            forget = getattr(self.dialogs, "forget_file_dialog_history", None)
            if callable(forget):
                forget()
        self.on_saved()
        return True

    def done(self, result: int) -> None:
        # Drop the document (the bytes in memory) as soon as the window closes.
        if self._source is not None:
            self._source.close()
            self._source = None
        super().done(result)

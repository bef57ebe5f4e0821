"""Print or save a safety plan: choose the copy, see it exactly, then print or save.

The PDF exists only in memory. Each print or save is recorded (who, when, which version,
which copy); choosing options and previewing are not, as nothing has left the screen.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from refuge_desk.domain.errors import UserError
from refuge_desk.services import plan_print
from refuge_desk.services.plan_print import PlanPdf, Variant, Which
from refuge_desk.services.session import Session
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import wait_cursor
from refuge_desk.ui.common.pdf_preview import PdfPreviewDialog
from refuge_desk.ui.plans.plan_print_options import PrintOptionsBar

WINDOW_TITLE = "Print or save a plan"
VARIANTS = (Variant.RESIDENT, Variant.DISCREET, Variant.STAFF, Variant.BLANK)


class PlanPrintDialog(PdfPreviewDialog):
    def __init__(
        self,
        session: Session,
        dialogs: Dialogs,
        resident_id: int,
        which: Which,
        parent: QWidget | None = None,
        *,
        printer: Callable[[QWidget | None, bytes], bool] | None = None,
        variant: Variant = Variant.RESIDENT,
    ) -> None:
        self.session = session
        self.resident_id = resident_id
        self.which = which
        template = plan_print.template_for(session, resident_id, which)
        self.bar = PrintOptionsBar(template, VARIANTS)
        self.bar.set_variant(variant)
        # Headings in her language when the template has them; she can change it.
        self.bar.set_language(
            plan_print.language_for(template, plan_print.resident_languages(session, resident_id))
        )
        self.notes = QLabel()
        self.notes.setObjectName("print_notes")
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color: #7a4b00;")
        self.current: PlanPdf | None = None
        first = self._make()
        super().__init__(
            first.data if first else b"",
            WINDOW_TITLE,
            dialogs,
            self._printed,
            self._saved,
            parent,
            printer=printer,
        )
        self.options_row.addWidget(self.bar)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, self.notes)
        self._show_notes()
        self.bar.changed.connect(self.refresh_pdf)

    def _make(self) -> PlanPdf | None:
        try:
            with wait_cursor():
                self.current = plan_print.make_pdf(
                    self.session, self.resident_id, self.bar.options(), self.which
                )
            self._error = ""
        except UserError as exc:
            self.current = None
            self._error = str(exc)
        return self.current

    def _show_notes(self) -> None:
        lines = [self._error] if self._error else list(self.current.notes if self.current else ())
        self.notes.setText("\n".join(lines))
        self.notes.setVisible(bool(lines))
        ok = self.current is not None
        self.print_button.setEnabled(ok)
        self.save_button.setEnabled(ok)
        variant = self.bar.options().variant
        reference = plan_print.reference_of(self.session, self.resident_id)
        self.suggested_name = (
            "notes.pdf" if variant is Variant.DISCREET else f"{reference}-plan-{variant.value}.pdf"
        )

    def refresh_pdf(self) -> None:
        pdf = self._make()
        if pdf is not None:
            self.set_pdf(pdf.data)
        self._show_notes()

    def _record(self, action: str) -> None:
        if self.current is None:
            return
        try:
            plan_print.record_output(
                self.session,
                self.resident_id,
                self.current.what,
                self.bar.options().variant,
                action,
            )
        except UserError as exc:
            self.dialogs.error(self, WINDOW_TITLE, str(exc))

    def _printed(self) -> None:
        self._record("print")

    def _saved(self) -> None:
        self._record("save")

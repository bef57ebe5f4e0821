"""Subject access request: a manager decides on each restricted part, sees the copy, then
prints it or saves it as PDF or JSON. Every copy that leaves is recorded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QVBoxLayout, QWidget

from refuge_desk.domain.errors import UserError
from refuge_desk.services import sar
from refuge_desk.services.files import save_file
from refuge_desk.services.session import Session
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import wait_cursor
from refuge_desk.ui.common.pdf_preview import NOT_ENCRYPTED, PdfPreviewDialog

WINDOW_TITLE = "Subject access request"


class SarDialog(PdfPreviewDialog):
    def __init__(
        self,
        session: Session,
        dialogs: Dialogs,
        resident_id: int,
        parent: QWidget | None = None,
        *,
        printer: Callable[[QWidget | None, bytes], bool] | None = None,
    ) -> None:
        self.session = session
        self.resident_id = resident_id
        self.collected = sar.collect(session, resident_id)  # refuses all but managers
        reference = self.collected.data["resident"]["reference"]
        super().__init__(
            sar.to_pdf(self.collected),
            WINDOW_TITLE,
            dialogs,
            lambda: self._record("print"),
            lambda: self._record("pdf"),
            parent,
            printer=printer,
            suggested_name=f"{reference}-records.pdf",
        )
        box = QVBoxLayout()
        intro = QLabel(
            "Everything held about her and her children. Restricted parts are included unless "
            "you withhold them; your decision is recorded."
        )
        intro.setWordWrap(True)
        box.addWidget(intro)
        self.withhold: dict[str, QCheckBox] = {}
        for key, what in sar.restricted_items(session, resident_id).items():
            check = QCheckBox(f"Withhold: {what}")
            check.setObjectName(f"withhold_{key}")
            check.toggled.connect(lambda _on: self.refresh())
            self.withhold[key] = check
            box.addWidget(check)
        self.options_row.addLayout(box)
        self.json_button = QPushButton("Save &JSON…")
        self.json_button.clicked.connect(lambda: self.save_json())
        self.actions_row.insertWidget(
            self.actions_row.indexOf(self.save_button) + 1, self.json_button
        )

    def withheld(self) -> set[str]:
        return {key for key, check in self.withhold.items() if check.isChecked()}

    def refresh(self) -> None:
        with wait_cursor():
            self.collected = sar.collect(self.session, self.resident_id, self.withheld())
            self.set_pdf(sar.to_pdf(self.collected))

    def _record(self, how: str) -> None:
        try:
            sar.record(self.session, self.collected, how)
        except UserError as exc:
            self.dialogs.error(self, WINDOW_TITLE, str(exc))

    def save_json(self) -> bool:
        if not self.dialogs.confirm(self, "Save JSON", NOT_ENCRYPTED.replace("PDF", "file")):
            return False
        reference = self.collected.data["resident"]["reference"]
        path = self.dialogs.save_file(
            self, "Save JSON", "JSON files (*.json)", f"{reference}-records.json"
        )
        if path is None:
            return False
        path = path if path.suffix.lower() == ".json" else Path(f"{path}.json")
        try:
            save_file(path, sar.to_json(self.collected))
        except UserError as exc:
            self.dialogs.error(self, "Save JSON", str(exc))
            return False
        self._record("json")
        return True

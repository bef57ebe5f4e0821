"""Import residents from a CSV spreadsheet: all or nothing, every problem listed by line."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.errors import UserError, ValidationError
from refuge_desk.services import importer
from refuge_desk.services.session import Session
from refuge_desk.ui.common import style
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import plural, wait_cursor

INTRO = (
    "Choose a spreadsheet saved as CSV (in Excel: Save As → “CSV UTF-8”). The first row must "
    "name the columns; only <b>full_name</b> is required.<br>"
    f"Columns: <tt>{', '.join(importer.COLUMNS)}</tt><br>"
    "Dates as YYYY-MM-DD or DD/MM/YYYY. Rooms must already exist. Imported phone numbers are "
    "marked NOT safe to contact until you check them with her.<br>"
    "<b>All or nothing:</b> if any row has a problem, nothing is imported and every problem "
    "is listed with its line number."
)


class ImportResidentsDialog(QDialog):
    imported = Signal(int)  # how many residents were added

    def __init__(self, session: Session, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self.setWindowTitle("Import residents")
        intro = QLabel(INTRO)
        intro.setTextFormat(Qt.TextFormat.RichText)
        intro.setWordWrap(True)
        self.choose_button = QPushButton("Choose CSV file…")
        self.choose_button.setObjectName("primary")
        self.choose_button.clicked.connect(lambda: self.choose())
        self.file_label = QLabel("No file chosen.")
        self.file_label.setObjectName("muted")
        choose_row = QHBoxLayout()
        choose_row.addWidget(self.choose_button)
        choose_row.addWidget(self.file_label, 1)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.hide()
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setObjectName("import_details")
        self.details.setAccessibleName("What the import found")
        self.details.setPlaceholderText("Results appear here.")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(choose_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.buttons)
        self.resize(640, 480)
        self.succeeded: bool | None = None

    def choose(self) -> None:
        path = self.dialogs.open_file(self, "Choose a CSV file", "CSV files (*.csv);;All files (*)")
        if path is not None:
            self.import_path(path)

    def _show(self, ok: bool, summary: str, lines: list[str]) -> None:
        self.succeeded = ok
        colour = style.ACCENT_DARK if ok else style.DANGER
        self.summary.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.summary.setText(summary)
        self.summary.show()
        self.details.setPlainText("\n".join(lines))

    def import_path(self, path: Path) -> bool:
        """Import one file; shows the outcome in the dialog. True when residents were added."""
        self.file_label.setText(path.name)
        try:
            with wait_cursor():
                done = importer.import_file(self.session, path)
        except ValidationError as err:
            self._show(
                False,
                "Nothing was imported. Fix these problems in the file and try again:",
                list(err.problems),
            )
            return False
        except UserError as err:
            self._show(False, "Nothing was imported.", [str(err)])
            return False
        checks = [item for item in done if item.warnings]
        summary = f"Imported {plural(len(done), 'resident')}."
        if checks:
            summary += (
                f" Check the names on {plural(len(checks), 'line')} marked ⚠ below: they were "
                "imported as written."
            )
        lines = []
        for item in done:
            lines.append(f"Line {item.line}: {item.reference}")
            lines += [f"    ⚠ {w}" for w in item.warnings]
        self._show(True, summary, lines)
        self.imported.emit(len(done))
        return True

    def clear(self) -> None:
        """On lock: forget what was shown (references and problems may name residents)."""
        self.details.clear()
        self.summary.clear()
        self.summary.hide()
        self.file_label.setText("No file chosen.")
        self.succeeded = None

"""The secrets shown once — the vault recovery key and the backup key — and their printed sheet.

Used by the set-up wizard (both secrets), by a manager's "New recovery sheet…" (a new recovery
key, with the current or a new backup key), and when a recovery key was never confirmed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.errors import UserError
from refuge_desk.services import recovery
from refuge_desk.services import settings as vault_settings
from refuge_desk.services.export import keys
from refuge_desk.services.session import Session
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import ErrorBox
from refuge_desk.ui.common.pdf_preview import PdfPreviewDialog

_SECRET_STYLE = (
    "font-family: 'DejaVu Sans Mono', 'Consolas', monospace; font-weight: bold; "
    "background: #f3f0e8; padding: 12px; border: 2px dashed #b26a00; border-radius: 6px;"
)


def recovery_sheet_pdf(session: Session, recovery_key: str = "", identity: str = "") -> bytes:
    # reportlab (and its QR code) load when a sheet is printed, not at start-up.
    from refuge_desk.services.pdf.recovery_sheet import RecoverySheet, render_recovery_sheet

    org = vault_settings.org_info(session)
    today = session.today()
    return render_recovery_sheet(
        RecoverySheet(
            org.org_name,
            org.refuge_name,
            org.vault_id,
            f"{today.day} {today.strftime('%B %Y')}",
            recovery_key=recovery_key,
            backup_identity=identity,
            backup_recipient=keys.recipient(session) if identity else "",
        )
    )


def _grouped(identity: str) -> str:
    """The prefix whole, then groups of 8, so she can copy it by hand without losing her place."""
    head, rest = identity[:16], identity[16:]
    return " ".join([head, *(rest[i : i + 8] for i in range(0, len(rest), 8))])


class SecretsPanel(QWidget):
    """Each secret in large type, "Print recovery sheet…", and the "I have it" box."""

    confirmed = Signal(bool)

    def __init__(self, dialogs: Dialogs, confirm_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dialogs = dialogs
        self.session: Session | None = None
        self._recovery_key = ""
        self._identity = ""
        self.printed = False
        self.key_title = QLabel(
            "<b>Vault recovery key</b> — opens this vault if every manager forgets her passphrase"
        )
        self.key_title.setWordWrap(True)
        self.key = QLabel()
        self.key.setObjectName("recovery_key")
        self.key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key.setStyleSheet(_SECRET_STYLE + "font-size: 20pt; letter-spacing: 2px;")
        self.identity_title = QLabel(
            "<b>Backup key</b> — opens every backup of this vault (with Refuge Desk or the "
            "standard <i>age</i> tool)"
        )
        self.identity_title.setWordWrap(True)
        self.identity = QLabel()
        self.identity.setObjectName("backup_identity")
        self.identity.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.identity.setWordWrap(True)
        self.identity.setStyleSheet(_SECRET_STYLE + "font-size: 12pt;")
        advice = QLabel(
            "Print the recovery sheet (or copy both keys by hand, exactly) and keep it in the "
            "office safe — not on this computer, not in an email, not in a photo. They are "
            "shown only now and are not kept on this laptop."
        )
        advice.setWordWrap(True)
        self.print_button = QPushButton("Print recovery sheet…")
        self.print_button.setObjectName("print_recovery_sheet")
        self.print_button.clicked.connect(lambda: self.print_sheet())
        self.confirm = QCheckBox(confirm_text)
        self.confirm.setObjectName("confirm_written")
        self.confirm.toggled.connect(self.confirmed)
        row = QHBoxLayout()
        row.addWidget(self.print_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.key_title, self.key, self.identity_title, self.identity, advice):
            layout.addWidget(w)
        layout.addLayout(row)
        layout.addSpacing(8)
        layout.addWidget(self.confirm)

    def show_secrets(self, session: Session, recovery_key: str, identity: str) -> None:
        self.session = session
        self._recovery_key, self._identity = recovery_key, identity
        self.key.setText(recovery_key)
        self.identity.setText(_grouped(identity))
        for w in (self.key_title, self.key):
            w.setVisible(bool(recovery_key))
        for w in (self.identity_title, self.identity):
            w.setVisible(bool(identity))

    def sheet_pdf(self) -> bytes:
        assert self.session is not None
        return recovery_sheet_pdf(self.session, self._recovery_key, self._identity)

    def _mark_printed(self) -> None:
        self.printed = True

    def print_sheet(self) -> None:
        preview = PdfPreviewDialog(
            self.sheet_pdf(),
            "Recovery sheet",
            self.dialogs,
            self._mark_printed,
            self._mark_printed,
            self,
            suggested_name="recovery-sheet.pdf",
        )
        self.dialogs.run(preview)

    def forget(self) -> None:
        self._recovery_key = self._identity = ""
        self.key.clear()
        self.identity.clear()


class NewRecoverySheetDialog(QDialog):
    """A manager makes a new recovery sheet: a new recovery key (the old one stops working),
    with the current backup key (from its key file), a new one, or none."""

    CURRENT, NEW, NONE = 0, 1, 2

    def __init__(self, session: Session, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        session.require(session.role.manages_settings, "make a new recovery sheet")
        self.session = session
        self.dialogs = dialogs
        self.made = False
        self.setWindowTitle("New recovery sheet")
        self.pages = QStackedWidget()

        choose = QWidget()
        intro = QLabel(
            "A new sheet gets a NEW vault recovery key: the key on any older sheet stops "
            "working, so shred the old sheet once the new one is in the safe.\n\n"
            "Which backup key should the sheet carry? The backup key itself is never kept on "
            "this laptop."
        )
        intro.setWordWrap(True)
        has_key = bool(keys.recipient(session))
        self.choice = QButtonGroup(self)
        self.opt_current = QRadioButton("The current backup key — I will choose its key file")
        self.opt_new = QRadioButton(
            "A new backup key (backups made until now still need the old sheet)"
        )
        self.opt_none = QRadioButton("No backup key on this sheet")
        for i, b in enumerate((self.opt_current, self.opt_new, self.opt_none)):
            self.choice.addButton(b, i)
        self.opt_current.setEnabled(has_key)
        (self.opt_current if has_key else self.opt_new).setChecked(True)
        self.error = ErrorBox()
        self.make_button = QPushButton("Make the new sheet")
        self.make_button.setObjectName("primary")
        self.make_button.clicked.connect(lambda: self.make())
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.make_button)
        lay = QVBoxLayout(choose)
        lay.addWidget(intro)
        for b in (self.opt_current, self.opt_new, self.opt_none):
            lay.addWidget(b)
        lay.addWidget(self.error)
        lay.addStretch(1)
        lay.addLayout(buttons)

        show = QWidget()
        self.panel = SecretsPanel(
            dialogs, "I have printed the new sheet (or copied the keys) and put it in the safe"
        )
        self.done_button = QPushButton("Done")
        self.done_button.setObjectName("primary")
        self.done_button.setEnabled(False)
        self.panel.confirmed.connect(self.done_button.setEnabled)
        self.done_button.clicked.connect(self.accept)
        lay2 = QVBoxLayout(show)
        lay2.addWidget(self.panel)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.done_button)
        lay2.addLayout(row)

        self.pages.addWidget(choose)
        self.pages.addWidget(show)
        outer = QVBoxLayout(self)
        outer.addWidget(self.pages)
        self.setMinimumWidth(620)

    def make(self) -> bool:
        which = self.choice.checkedId()
        identity = ""
        try:
            if which == self.CURRENT:
                path = self.dialogs.open_file(
                    self, "The backup key file", "Key files (*.txt *.key);;All files (*)"
                )
                if path is None:
                    return False
                found = keys.read_identity_file(path)
                if str(found.to_public()) != keys.recipient(self.session):
                    raise UserError(
                        "That key file holds a different backup key from this vault's current "
                        "one. Choose the key file from the latest recovery sheet, or make a new "
                        "backup key."
                    )
                identity = str(found)
            elif which == self.NEW:
                identity = keys.generate_for(self.session)
            recovery_key = recovery.replace_key(self.session)
        except UserError as exc:
            self.error.show_problems([str(exc)])
            return False
        self.made = True
        self.panel.show_secrets(self.session, recovery_key, identity)
        self.pages.setCurrentIndex(1)
        return True

    def accept(self) -> None:
        if self.made and not self.panel.confirm.isChecked():
            return
        if self.made:
            recovery.mark_confirmed(self.session)
        self.panel.forget()
        super().accept()

    def reject(self) -> None:
        # Leaving unconfirmed: the vault stays "unconfirmed", so the next manager to sign in is
        # asked to make a key again: never a vault hanging on a key nobody has.
        unconfirmed = self.made and not self.panel.confirm.isChecked()
        if unconfirmed and not self.dialogs.confirm(
            self,
            "Sheet not saved?",
            "You have not confirmed the new sheet is printed or copied. The old recovery key "
            "no longer works. Close anyway? (A manager will be asked to make a new key at the "
            "next sign-in.)",
        ):
            return
        self.panel.forget()
        super().reject()

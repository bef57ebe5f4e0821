"""First run: organisation, refuge, first manager, then the recovery key shown once."""

from __future__ import annotations

import logging
from typing import cast

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from refuge_desk.domain.errors import UserError
from refuge_desk.domain.staff import MAX_USERNAME
from refuge_desk.services import auth, recovery
from refuge_desk.services.export import keys
from refuge_desk.services.session import Clock, Session, system_clock
from refuge_desk.services.vault_folder import VaultFolder
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.passphrase_field import NewPassphraseFields
from refuge_desk.ui.common.workers import run_in_background
from refuge_desk.ui.exports.recovery_sheet_dialog import SecretsPanel


def _error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #b3261e; font-weight: bold;")
    label.hide()
    return label


class OrganisationPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Set up Refuge Desk")
        self.setSubTitle(
            "This makes a new encrypted vault on this computer. The refuge's name and address "
            "are stored only inside it."
        )
        self.org = QLineEdit()
        self.org.setObjectName("org_name")
        self.org.setMaxLength(200)
        self.refuge = QLineEdit()
        self.refuge.setObjectName("refuge_name")
        self.refuge.setMaxLength(200)
        self.address = QPlainTextEdit()
        self.address.setObjectName("refuge_address")
        self.address.setFixedHeight(80)
        form = QFormLayout(self)
        form.addRow("Organisation name:", self.org)
        form.addRow("Refuge name:", self.refuge)
        form.addRow("Refuge address\n(confidential):", self.address)
        self.org.textChanged.connect(self.completeChanged)
        self.refuge.textChanged.connect(self.completeChanged)

    def isComplete(self) -> bool:
        return bool(self.org.text().strip() and self.refuge.text().strip())


class ManagerPage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("The first manager")
        self.setSubTitle(
            "You will be the first manager: you can add the other staff afterwards. "
            "Everyone signs in with her own user name and passphrase."
        )
        self.username = QLineEdit()
        self.username.setObjectName("manager_username")
        self.username.setMaxLength(MAX_USERNAME)
        self.full_name = QLineEdit()
        self.full_name.setObjectName("manager_full_name")
        self.full_name.setMaxLength(200)
        self.fields = NewPassphraseFields(self._inputs)
        self.error = _error_label()
        self.error.setObjectName("setup_error")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setFixedHeight(6)
        self.busy.hide()
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow("User name:", self.username)
        form.addRow("Full name:", self.full_name)
        layout.addLayout(form)
        layout.addWidget(self.fields)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addStretch(1)
        for signal in (self.username.textChanged, self.full_name.textChanged, self.fields.changed):
            signal.connect(self.completeChanged)

    def _inputs(self) -> list[str]:
        org = self._wizard.org_page
        return [self.username.text(), self.full_name.text(), org.org.text(), org.refuge.text()]

    def isComplete(self) -> bool:
        return bool(self.username.text().strip()) and self.fields.is_acceptable()

    def validatePage(self) -> bool:
        return self._wizard.create_vault()


class RecoveryKeyPage(QWizardPage):
    """The vault recovery key and the backup key, shown once, with the recovery sheet."""

    def __init__(self, dialogs: Dialogs) -> None:
        super().__init__()
        self.setTitle("Your recovery sheet — print it now")
        self.setSubTitle(
            "These two keys bring the vault and its backups back if passphrases are forgotten "
            "or the laptop is lost. They are shown only this once."
        )
        self.panel = SecretsPanel(
            dialogs,
            "I have printed the recovery sheet (or copied both keys) and put it somewhere safe.",
        )
        self.key = self.panel.key
        self.identity = self.panel.identity
        self.confirm = self.panel.confirm
        self.warning = QLabel(
            "Please print the sheet or copy both keys, then tick the box: they are not shown again."
        )
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.warning.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addWidget(self.warning)
        layout.addStretch(1)
        self.confirm.toggled.connect(self.completeChanged)

    def isComplete(self) -> bool:
        return self.confirm.isChecked()


class SetupWizard(QWizard):
    """Emits ``finished_setup(session)`` once the manager confirms the recovery key.

    Nothing is written until the manager page is done: then the vault folder is made (its
    parent must exist) and claimed by ``folder`` for as long as the app runs.
    """

    finished_setup = Signal(object)
    created = Signal()  # the vault exists and the recovery key is on screen
    restore_requested = Signal()  # "Restore from a backup…" instead of a new vault

    def __init__(
        self,
        folder: VaultFolder,
        clock: Clock = system_clock,
        parent: QWidget | None = None,
        dialogs: Dialogs | None = None,
    ) -> None:
        super().__init__(parent)
        self.folder = folder
        self._clock = clock
        self.session: Session | None = None
        self._creating = False
        self.setWindowTitle("Refuge Desk")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.org_page = OrganisationPage()
        self.manager_page = ManagerPage(self)
        self.key_page = RecoveryKeyPage(dialogs or Dialogs())
        self.addPage(self.org_page)
        self.addPage(self.manager_page)
        self.addPage(self.key_page)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Start using Refuge Desk")
        # A laptop replacing a lost or broken one starts from the backup instead.
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setButtonText(QWizard.WizardButton.CustomButton1, "Restore from a backup…")
        self.customButtonClicked.connect(lambda _which: self.restore_requested.emit())
        self.currentIdChanged.connect(
            lambda page: self.button(QWizard.WizardButton.CustomButton1).setVisible(page == 0)
        )
        self.setMinimumSize(640, 520)

    def create_vault(self) -> bool:
        """Next on the manager page: make the vault off the UI thread, then move on."""
        if self.session is not None:
            return True
        if self._creating:
            return False
        page = self.manager_page
        org = auth.Organisation(
            self.org_page.org.text(),
            self.org_page.refuge.text(),
            self.org_page.address.toPlainText(),
        )
        username, full_name = page.username.text(), page.full_name.text()
        secret, confirm = page.fields.passphrase(), page.fields.confirmation()

        def job() -> object:
            return auth.setup_vault(
                self.folder, org, username, full_name, secret, confirm, clock=self._clock
            )

        self._set_creating(True)
        run_in_background(job, self._created, self._create_failed, self)
        return False

    def _set_creating(self, on: bool) -> None:
        self._creating = on
        page = self.manager_page
        page.busy.setVisible(on)
        page.setEnabled(not on)
        for which in (QWizard.WizardButton.NextButton, QWizard.WizardButton.BackButton):
            button = self.button(which)
            if button is not None:
                button.setEnabled(not on)
        if on:
            page.error.hide()

    def _created(self, result: object) -> None:
        session, recovery_key = cast(tuple[Session, str], result)
        self._set_creating(False)
        self.manager_page.fields.clear()
        self.session = session
        recovery.mark_unconfirmed(session)  # until she ticks the box on the next page
        try:  # the organisation's backup key pair: the public half stays in the vault
            identity = keys.generate_for(session)
        except UserError:  # cannot happen for the first manager; Backups… would make one
            logging.getLogger(__name__).error("no backup key made at set-up")
            identity = ""
        self.key_page.panel.show_secrets(session, recovery_key, identity)
        self.created.emit()
        self.next()

    def _create_failed(self, exc: BaseException) -> None:
        self._set_creating(False)
        page = self.manager_page
        if isinstance(exc, UserError):
            page.error.setText(str(exc))
        else:
            logging.getLogger(__name__).error("vault set-up failed", exc_info=exc)
            page.error.setText(
                "The vault could not be made here. Nothing was saved; try another folder."
            )
        page.error.show()

    def reject(self) -> None:
        """Escape / close on the key page: the key would be lost, so ask her to confirm."""
        if self._creating:  # the vault is being made: cancelling now would strand it
            return
        if self.session is not None:
            if self.key_page.confirm.isChecked():
                self.accept()
            else:
                self.key_page.warning.show()
            return
        super().reject()

    def accept(self) -> None:
        if self.session is None or not self.key_page.confirm.isChecked():
            return
        recovery.mark_confirmed(self.session)
        self.key_page.panel.forget()
        super().accept()
        self.finished_setup.emit(self.session)

"""Staff accounts (managers) and changing one's own passphrase (everyone)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.errors import UserError
from refuge_desk.domain.roles import Role
from refuge_desk.domain.staff import StaffUser
from refuge_desk.services import settings as settings_service
from refuge_desk.services import staff as staff_service
from refuge_desk.services.auth import MAX_USERNAME
from refuge_desk.services.session import Session
from refuge_desk.ui.dialogs import Dialogs
from refuge_desk.ui.forms import ErrorBox, apply_or_show, line_edit, wait_cursor
from refuge_desk.ui.passphrase_field import NewPassphraseFields
from refuge_desk.ui.table_models import StaffModel

ROLE_HELP = {
    Role.MANAGER: "everything, including staff accounts, settings and exports",
    Role.WORKER: "full case work on residents",
    Role.VOLUNTEER: "rota view only: preferred name, room and alerts",
}


def role_combo(current: Role = Role.WORKER) -> QComboBox:
    combo = QComboBox()
    for role in Role:
        combo.addItem(f"{role.label} — {ROLE_HELP[role]}", role.value)
    combo.setCurrentIndex(combo.findData(current.value))
    return combo


def _org_names(session: Session) -> list[str]:
    """Names zxcvbn should penalise in a passphrase (the organisation's and the refuge's)."""
    try:
        info = settings_service.org_info(session)
    except UserError:
        return []
    return [info.org_name, info.refuge_name]


class _ActionDialog(QDialog):
    """A dialog whose OK runs ``_apply``; problems are shown inline, typed text is kept."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.error = ErrorBox()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.error)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

    def _apply(self) -> None:
        raise NotImplementedError

    def accept(self) -> None:
        if apply_or_show(self.error, self._apply):
            super().accept()


class AddStaffDialog(_ActionDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__("Add staff", parent)
        self.session = session
        self.user: StaffUser | None = None
        self.username = line_edit(MAX_USERNAME, "e.g. amira.h (no spaces)", "username")
        self.full_name = line_edit(200, name="full_name")
        self.role = role_combo()
        org = _org_names(session)
        self.passphrase = NewPassphraseFields(
            lambda: [self.username.text(), self.full_name.text(), *org],
            label="First passphrase",
        )
        self.form.addRow("User name:", self.username)
        self.form.addRow("Full name:", self.full_name)
        self.form.addRow("Role:", self.role)
        self.form.addRow(self.passphrase)
        note = QLabel("Tell her the passphrase in person. She can change it after signing in.")
        note.setObjectName("muted")
        note.setWordWrap(True)
        self.form.addRow(note)

    def _apply(self) -> None:
        self.user = staff_service.add(
            self.session,
            self.username.text(),
            self.full_name.text(),
            Role(self.role.currentData()),
            self.passphrase.passphrase(),
            self.passphrase.confirmation(),
        )


class ChangeRoleDialog(_ActionDialog):
    def __init__(self, session: Session, user: StaffUser, parent: QWidget | None = None) -> None:
        super().__init__("Change role", parent)
        self.session = session
        self.target = user
        self.role = role_combo(user.role)
        self.form.addRow("Staff member:", QLabel(f"{user.full_name} ({user.username})"))
        self.form.addRow("New role:", self.role)

    def _apply(self) -> None:
        self.target = staff_service.change_role(
            self.session, self.target.id, Role(self.role.currentData())
        )


class ResetPassphraseDialog(_ActionDialog):
    def __init__(self, session: Session, user: StaffUser, parent: QWidget | None = None) -> None:
        super().__init__("Reset passphrase", parent)
        self.session = session
        self.target = user
        org = _org_names(session)
        self.passphrase = NewPassphraseFields(
            lambda: [user.username, user.full_name, *org],
            label="New passphrase",
        )
        self.form.addRow("Staff member:", QLabel(f"{user.full_name} ({user.username})"))
        self.form.addRow(self.passphrase)
        text = "Her old passphrase stops working. Tell her the new one in person."
        if not user.active:
            text += " This also re-enables her disabled account."
        note = QLabel(text)
        note.setWordWrap(True)
        note.setObjectName("muted")
        self.form.addRow(note)

    def _apply(self) -> None:
        self.target = staff_service.reset_passphrase(
            self.session,
            self.target.id,
            self.passphrase.passphrase(),
            self.passphrase.confirmation(),
        )


class ChangeOwnPassphraseDialog(_ActionDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__("Change my passphrase", parent)
        self.session = session
        self.current = QLineEdit()
        self.current.setObjectName("current_passphrase")
        self.current.setEchoMode(QLineEdit.EchoMode.Password)
        self.current.setMaxLength(300)
        org = _org_names(session)
        self.passphrase = NewPassphraseFields(
            lambda: [session.user.username, session.user.full_name, *org],
            label="New passphrase",
        )
        self.form.addRow("Current passphrase:", self.current)
        self.form.addRow(self.passphrase)

    def _apply(self) -> None:
        try:
            staff_service.change_own_passphrase(
                self.session,
                self.current.text(),
                self.passphrase.passphrase(),
                self.passphrase.confirmation(),
            )
        except UserError:
            self.current.clear()
            raise


class StaffPage(QWidget):
    def __init__(self, session: Session, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self.dialog: QDialog | None = None
        self.setWindowTitle("Staff")
        manager = session.role.manages_staff

        self.summary = QLabel()
        self.summary.setObjectName("heading")
        self.add_button = QPushButton("Add staff")
        self.add_button.setObjectName("primary")
        self.role_button = QPushButton("Change role")
        self.disable_button = QPushButton("Disable account")
        self.reset_button = QPushButton("Reset passphrase")
        self.own_button = QPushButton("Change my passphrase")
        top = QHBoxLayout()
        top.addWidget(self.summary)
        top.addStretch(1)
        for b in (self.add_button, self.role_button, self.disable_button, self.reset_button):
            b.setVisible(manager)
            top.addWidget(b)
        top.addWidget(self.own_button)

        self.model = StaffModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(StaffModel.COL_FULL_NAME, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(90)
        note = QLabel(
            "Disabled accounts cannot sign in; their names stay on the records they "
            "worked on. Reset a passphrase to re-enable an account."
        )
        note.setObjectName("muted")
        note.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(note)
        layout.addWidget(self.view, 1)

        self.add_button.clicked.connect(lambda: self.add_staff())
        self.role_button.clicked.connect(lambda: self.change_role())
        self.disable_button.clicked.connect(lambda: self.disable())
        self.reset_button.clicked.connect(lambda: self.reset_passphrase())
        self.own_button.clicked.connect(lambda: self.change_own_passphrase())
        self.refresh()

    def refresh(self) -> None:
        try:
            rows = staff_service.list_staff(self.session)
        except UserError as err:
            self.model.clear()
            self.summary.setText(str(err))
            return
        self.model.set_rows(rows)
        active = sum(1 for u in rows if u.active)
        self.summary.setText(
            f"{active} active staff accounts"
            + (f", {len(rows) - active} disabled" if active < len(rows) else "")
        )

    def clear(self) -> None:
        if self.dialog is not None:
            self.dialog.reject()
        self.model.clear()
        self.summary.clear()

    def selected_user(self) -> StaffUser | None:
        index = self.view.currentIndex()
        return self.model.rows[index.row()] if index.isValid() else None

    def select_user(self, username: str) -> None:
        for i, user in enumerate(self.model.rows):
            if user.username == username:
                self.view.selectRow(i)
                return

    def _open(self, dialog: QDialog) -> QDialog:
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(self.refresh)
        dialog.finished.connect(lambda _r: self._closed(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _with_selected(self, title: str, make: Callable[[StaffUser], QDialog]) -> QDialog | None:
        user = self.selected_user()
        if user is None:
            self.dialogs.info(self, title, "Choose a staff member in the list first.")
            return None
        return self._open(make(user))

    def add_staff(self) -> QDialog:
        return self._open(AddStaffDialog(self.session, self))

    def change_role(self) -> QDialog | None:
        return self._with_selected("Change role", lambda u: ChangeRoleDialog(self.session, u, self))

    def reset_passphrase(self) -> QDialog | None:
        return self._with_selected(
            "Reset passphrase", lambda u: ResetPassphraseDialog(self.session, u, self)
        )

    def change_own_passphrase(self) -> QDialog:
        return self._open(ChangeOwnPassphraseDialog(self.session, self))

    def disable(self) -> bool:
        user = self.selected_user()
        if user is None:
            self.dialogs.info(self, "Disable account", "Choose a staff member in the list first.")
            return False
        if not user.active:
            self.dialogs.info(self, "Disable account", "That account is already disabled.")
            return False
        question = (
            f"Disable the account of {user.full_name} ({user.username})? She will no "
            "longer be able to sign in. Her name and history stay on the records she "
            "worked on. You can re-enable the account by resetting its passphrase."
        )
        if not self.dialogs.confirm(self, "Disable account", question):
            return False
        try:
            with wait_cursor():
                staff_service.disable(self.session, user.id)
        except UserError as err:
            self.dialogs.error(self, "Account not disabled", str(err))
            return False
        self.refresh()
        return True

"""Staff accounts (managers) and changing one's own passphrase (everyone).

Disabling an account, lowering a role, "her passphrase may have been seen", "change every key
now" and finishing a 0.1 vault's move to keys per account rewrite the vault under new keys
(services/rekey.py, a few seconds): they run on the job runner's worker thread behind a
progress bar, and the main window leaves the vault alone meanwhile (ui/common/job_runner.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
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
from refuge_desk.domain.staff import MAX_USERNAME, StaffUser
from refuge_desk.services import key_upgrade, passphrase_policy
from refuge_desk.services import settings as settings_service
from refuge_desk.services import staff as staff_service
from refuge_desk.services.session import Session
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import ErrorBox, apply_or_show, line_edit
from refuge_desk.ui.common.job_runner import JobRunner, Progress
from refuge_desk.ui.common.passphrase_field import NewPassphraseFields
from refuge_desk.ui.common.table_models import StaffModel

T = TypeVar("T")
REKEY_TITLE = "Changing keys"
REKEY_TEXT = "Changing the vault's keys… This takes a few seconds."

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


def lowers(old: Role, new: Role) -> bool:
    """A role that holds fewer of the vault's keys (services/staff then changes them all)."""
    return (old.manages_staff and not new.manages_staff) or (
        old.sees_case_detail and not new.sees_case_detail
    )


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def move_note(session: Session, people: list[StaffUser], but: int | None = None) -> str:
    """While a 0.1 vault's move to keys per account is under way, changing the keys finishes
    it (services/rekey.py): whoever has not signed in since then needs a new passphrase."""
    if not session.keyfile.upgrading:
        return ""
    waiting = staff_service.status(session)
    names = [f"{u.full_name} ({u.username})" for u in people if u.id in waiting and u.id != but]
    if not names:
        return ""
    if len(names) == 1:
        return (
            f"This also finishes the move to keys per account: {names[0]} has not signed in "
            "since the move and will then need a new passphrase from a manager."
        )
    return (
        f"This also finishes the move to keys per account: {_and(names)} have not signed in "
        "since the move and will each need a new passphrase from a manager."
    )


def _move_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("warning")
    label.setWordWrap(True)
    label.setVisible(bool(text))
    return label


def run_rekey(runner: JobRunner, parent: QWidget, work: Callable[[Progress], T]) -> T:
    """A change that rewrites the vault under new keys: off the UI thread, behind the bar."""
    return runner.run_job(work, parent, title=REKEY_TITLE, text=REKEY_TEXT, name="rekey_progress")


class ChangeRoleDialog(_ActionDialog):
    def __init__(
        self,
        session: Session,
        user: StaffUser,
        parent: QWidget | None = None,
        runner: JobRunner | None = None,
        move: str = "",
    ) -> None:
        super().__init__("Change role", parent)
        self.session = session
        self.target = user
        self.runner = runner or JobRunner(self)
        self.lowered = False  # the change took a role down (and changed the vault's keys)
        self.role = role_combo(user.role)
        self.role.setAccessibleName("New role")
        self.form.addRow("Staff member:", QLabel(f"{user.full_name} ({user.username})"))
        self.form.addRow("New role:", self.role)
        self.keys_note = QLabel(
            "A lower role holds fewer keys, so Refuge Desk changes every key of the vault when "
            "you press OK: her old keys then open nothing her new role may not see. It takes a "
            "few seconds; colleagues are not affected."
        )
        self.keys_note.setObjectName("muted")
        self.keys_note.setWordWrap(True)
        self.form.addRow(self.keys_note)
        self.move_note = _move_label(move)
        self.form.addRow(self.move_note)
        self.role.currentIndexChanged.connect(lambda _i: self._update_note())
        self._update_note()

    def chosen(self) -> Role:
        return Role(self.role.currentData())

    def _update_note(self) -> None:
        lowered = lowers(self.target.role, self.chosen())
        self.keys_note.setVisible(lowered)
        self.move_note.setVisible(lowered and bool(self.move_note.text()))

    def _apply(self) -> None:
        session, user_id, role = self.session, self.target.id, self.chosen()
        if lowers(self.target.role, role):
            self.target = run_rekey(
                self.runner,
                self,
                lambda progress: staff_service.change_role(session, user_id, role, progress),
            )
            self.lowered = True
        else:
            self.target = staff_service.change_role(session, user_id, role)


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


def seen_text(user: StaffUser) -> str:
    return (
        f"This gives {user.full_name} a new passphrase and changes every key of the vault, so "
        "her old passphrase, and any copy of the vault's keys taken before now, opens nothing; "
        "her colleagues are not affected and keep their own passphrases."
    )


class PassphraseSeenDialog(_ActionDialog):
    """ "Her passphrase may have been seen": a new passphrase for her, then new keys for the
    whole vault (services/staff.passphrase_seen), behind the progress bar."""

    def __init__(
        self,
        session: Session,
        user: StaffUser,
        parent: QWidget | None = None,
        runner: JobRunner | None = None,
        move: str = "",
    ) -> None:
        super().__init__("Her passphrase may have been seen", parent)
        self.session = session
        self.target = user
        self.runner = runner or JobRunner(self)
        self.org = _org_names(session)
        self.explanation = QLabel(seen_text(user))
        self.explanation.setObjectName("seen_explanation")
        self.explanation.setWordWrap(True)
        self.explanation.setContentsMargins(0, 0, 0, 8)
        self.move_note = _move_label(move)
        self.passphrase = NewPassphraseFields(
            lambda: [user.username, user.full_name, *self.org],
            label="New passphrase",
        )
        self.form.addRow(self.explanation)
        self.form.addRow(self.move_note)
        self.form.addRow("Staff member:", QLabel(f"{user.full_name} ({user.username})"))
        self.form.addRow(self.passphrase)
        note = QLabel("It takes a few seconds. Tell her the new passphrase in person.")
        note.setObjectName("muted")
        note.setWordWrap(True)
        self.form.addRow(note)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Set passphrase and change keys")
        ok.setAccessibleName("Set her new passphrase and change every key of the vault")

    def _apply(self) -> None:
        session, user = self.session, self.target
        passphrase, confirm = self.passphrase.passphrase(), self.passphrase.confirmation()
        # A weak or mistyped passphrase is told at once, before any slow work starts.
        passphrase_policy.check_new_passphrase(
            passphrase, confirm, [user.username, user.full_name, *self.org]
        )
        self.target = run_rekey(
            self.runner,
            self,
            lambda progress: staff_service.passphrase_seen(
                session, user.id, passphrase, confirm, progress
            ),
        )


def disable_question(user: StaffUser, move: str = "") -> str:
    return (
        f"Disable the account of {user.full_name} ({user.username})?\n\n"
        "She can no longer sign in. Refuge Desk then changes every key of the vault: her old "
        "passphrase, and any copy of the vault's keys taken before now, stop opening it. This "
        "takes a few seconds; colleagues sign in as before.\n\n"
        + (f"{move}\n\n" if move else "")
        + "Her name and history stay on the records she worked on. You can re-enable the "
        "account by resetting its passphrase."
    )


def rekey_now_question(move: str = "") -> str:
    return (
        "Change every key of the vault now?\n\n"
        "Everyone keeps her passphrase and signs in as before. Any copy of the vault's keys "
        "taken before now stops opening it. This takes a few seconds."
        + (f"\n\n{move}" if move else "")
    )


def finish_question(waiting: list[str]) -> str:
    if not waiting:
        who = "Everyone has signed in since the move, so nobody needs a new passphrase."
    elif len(waiting) == 1:
        who = (
            f"{waiting[0]} has not signed in since the move. Her old passphrase stops "
            "working: she will need a new passphrase from a manager (Reset passphrase…)."
        )
    else:
        who = (
            f"{_and(waiting)} have not signed in since the move. Their old passphrases stop "
            "working: each will need a new passphrase from a manager (Reset passphrase…)."
        )
    return (
        f"Finish the move to keys per account now?\n\n{who}\n\n"
        "Refuge Desk changes every key of the vault. This takes a few seconds."
    )


def _button(text: str, accessible: str, tip: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(accessible)
    if tip:
        button.setToolTip(tip)
    return button


class StaffPage(QWidget):
    def __init__(
        self,
        session: Session,
        dialogs: Dialogs,
        parent: QWidget | None = None,
        *,
        runner: JobRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        # The main window passes its own, so its timers and its lock know a rekey runs.
        self.runner = runner or JobRunner(self)
        self.dialog: QDialog | None = None
        self.setWindowTitle("Staff")
        manager = session.role.manages_staff

        self.summary = QLabel()
        self.summary.setObjectName("heading")
        self.add_button = _button("&Add staff…", "Add a staff account")
        self.add_button.setObjectName("primary")
        self.own_button = _button("Change &my passphrase…", "Change my own passphrase")
        top = QHBoxLayout()
        top.addWidget(self.summary)
        top.addStretch(1)
        top.addWidget(self.add_button)
        top.addWidget(self.own_button)

        chosen = QLabel("For the person chosen in the list:")
        chosen.setObjectName("muted")
        self.role_button = _button("Change &role…", "Change her role")
        self.reset_button = _button(
            "R&eset passphrase…",
            "Reset her passphrase",
            "She forgot it: a new passphrase (this also re-enables a disabled account)",
        )
        self.seen_button = _button(
            "Her passphrase may have been &seen…",
            "Her passphrase may have been seen",
            "A new passphrase for her and new keys for the whole vault",
        )
        self.disable_button = _button(
            "&Disable account…", "Disable her account", "She has left or must not sign in"
        )
        buttons = QHBoxLayout()
        for b in (self.role_button, self.reset_button, self.seen_button, self.disable_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        actions = QVBoxLayout()
        actions.setContentsMargins(0, 0, 0, 0)
        actions.setSpacing(4)
        actions.addWidget(chosen)
        actions.addLayout(buttons)
        self.actions_row = QWidget()
        self.actions_row.setLayout(actions)

        self.model = StaffModel(self)
        self.view = QTableView()
        self.view.setObjectName("staff_table")
        self.view.setAccessibleName("Staff accounts")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTabKeyNavigation(False)  # Tab leaves the list for the buttons
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(StaffModel.COL_TO_DO, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(90)
        note = QLabel(
            "Disabled accounts cannot sign in; their names stay on the records they "
            "worked on. Reset a passphrase to re-enable an account."
        )
        note.setObjectName("muted")
        note.setWordWrap(True)

        self.done_note = QLabel()
        self.done_note.setObjectName("done_note")
        self.done_note.setWordWrap(True)
        self.done_note.setStyleSheet("color: #2e5d34;")
        self.done_note.setAccessibleName("What was just done")
        self.done_note.hide()

        self.keys_box = QGroupBox("The vault's keys")
        self.keys_box.setObjectName("keys_box")
        keys_text = QLabel(
            "Refuge Desk changes every key of the vault by itself when you disable an "
            "account, lower a role or say a passphrase may have been seen. You can also "
            "change them at any time; everyone keeps her passphrase."
        )
        keys_text.setObjectName("muted")
        keys_text.setWordWrap(True)
        self.rekey_button = _button(
            "Change every &key now…",
            "Change every key of the vault now",
            "New keys for the whole vault; everyone keeps her passphrase",
        )
        self.finish_button = _button(
            "&Finish the move to keys per account…",
            "Finish the move to keys per account",
            "Colleagues who have not signed in since the move then need a new passphrase",
        )
        keys_buttons = QHBoxLayout()
        keys_buttons.addWidget(self.rekey_button)
        keys_buttons.addWidget(self.finish_button)
        keys_buttons.addStretch(1)
        keys_layout = QVBoxLayout(self.keys_box)
        keys_layout.addWidget(keys_text)
        keys_layout.addLayout(keys_buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.actions_row)
        layout.addWidget(self.done_note)
        layout.addWidget(self.view, 1)
        layout.addWidget(note)
        layout.addWidget(self.keys_box)

        for part in (
            self.add_button,
            self.actions_row,
            self.role_button,
            self.reset_button,
            self.seen_button,
            self.disable_button,
            self.keys_box,
            self.rekey_button,
        ):
            part.setVisible(manager)
        self.finish_button.setVisible(manager and session.keyfile.upgrading)

        self.add_button.clicked.connect(lambda: self.add_staff())
        self.role_button.clicked.connect(lambda: self.change_role())
        self.reset_button.clicked.connect(lambda: self.reset_passphrase())
        self.seen_button.clicked.connect(lambda: self.passphrase_seen())
        self.disable_button.clicked.connect(lambda: self.disable())
        self.own_button.clicked.connect(lambda: self.change_own_passphrase())
        self.rekey_button.clicked.connect(lambda: self.change_every_key())
        self.finish_button.clicked.connect(lambda: self.finish_move())
        self.refresh()

    @property
    def manager(self) -> bool:
        return self.session.role.manages_staff

    def refresh(self) -> None:
        if not self.session.is_open:  # locked while a change finished: nothing to read
            self.model.clear()
            self.summary.clear()
            return
        try:
            rows = staff_service.list_staff(self.session)
            to_do = staff_service.status(self.session) if self.manager else {}
        except UserError as err:
            self.model.clear()
            self.summary.setText(str(err))
            return
        self.model.set_rows(rows, to_do)
        active = sum(1 for u in rows if u.active)
        self.summary.setText(
            f"{active} active staff accounts"
            + (f", {len(rows) - active} disabled" if active < len(rows) else "")
        )
        self.finish_button.setVisible(self.manager and self.session.keyfile.upgrading)

    def clear(self) -> None:
        if self.dialog is not None:
            self.dialog.reject()
        self.model.clear()
        self.summary.clear()
        self.show_done("")

    def show_done(self, text: str) -> None:
        """A calm line under the buttons after a change that took a few seconds."""
        self.done_note.setText(text)
        self.done_note.setVisible(bool(text))

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

    def _chosen(self, title: str) -> StaffUser | None:
        user = self.selected_user()
        if user is None:
            self.dialogs.info(self, title, "Choose a staff member in the list first.")
        return user

    def _with_selected(self, title: str, make: Callable[[StaffUser], QDialog]) -> QDialog | None:
        user = self._chosen(title)
        return None if user is None else self._open(make(user))

    def add_staff(self) -> QDialog:
        return self._open(AddStaffDialog(self.session, self))

    def change_role(self) -> ChangeRoleDialog | None:
        user = self._chosen("Change role")
        if user is None:
            return None
        move = move_note(self.session, self.model.rows, user.id)
        dialog = ChangeRoleDialog(self.session, user, self, self.runner, move)
        dialog.accepted.connect(lambda: self._role_changed(dialog, bool(move)))
        self._open(dialog)
        return dialog

    def _role_changed(self, dialog: ChangeRoleDialog, finishes_move: bool) -> None:
        if dialog.lowered:
            user = dialog.target
            self._after_change(
                f"{user.full_name} is now {user.role.label.lower()}, and the vault has new keys.",
                finishes_move,
            )

    def reset_passphrase(self) -> QDialog | None:
        return self._with_selected(
            "Reset passphrase", lambda u: ResetPassphraseDialog(self.session, u, self)
        )

    def passphrase_seen(self) -> QDialog | None:
        title = "Her passphrase may have been seen"
        user = self._chosen(title)
        if user is None:
            return None
        if not user.active:
            self.dialogs.info(
                self,
                title,
                "That account is disabled: no passphrase opens it. Reset its passphrase if "
                "she should sign in again.",
            )
            return None
        move = move_note(self.session, self.model.rows, user.id)
        dialog = PassphraseSeenDialog(self.session, user, self, self.runner, move)
        dialog.accepted.connect(
            lambda: self._after_change(
                f"{user.full_name} has a new passphrase, and the vault has new keys. Tell her "
                "the new passphrase in person.",
                bool(move),
            )
        )
        return self._open(dialog)

    def _after_change(self, text: str, finished_move: bool = False) -> None:
        if not self.session.is_open:
            return
        if finished_move:
            text += (
                " The move to keys per account is finished too: see who needs a new "
                "passphrase in the list."
            )
        self.show_done(text)

    def change_own_passphrase(self) -> QDialog:
        return self._open(ChangeOwnPassphraseDialog(self.session, self))

    def _rekey(
        self,
        failed: str,
        work: Callable[[Progress], object],
        done: str,
        finishes_move: bool = False,
    ) -> bool:
        """Run a change that rekeys; False (and a plain sentence) if it was refused."""
        try:
            run_rekey(self.runner, self, work)
        except UserError as err:
            if not self.session.is_open:
                return False
            text = str(err)
            if self.session.keyfile.rekey_due:
                text += (
                    " The change itself is saved; Refuge Desk changes the vault's keys the "
                    "next time a manager signs in."
                )
            self.refresh()
            self.dialogs.error(self, failed, text)
            return False
        self.refresh()
        self._after_change(done, finishes_move)
        return True

    def disable(self) -> bool:
        user = self._chosen("Disable account")
        if user is None:
            return False
        if not user.active:
            self.dialogs.info(self, "Disable account", "That account is already disabled.")
            return False
        move = move_note(self.session, self.model.rows, user.id)
        if not self.dialogs.confirm(self, "Disable account", disable_question(user, move)):
            return False
        session, user_id = self.session, user.id
        return self._rekey(
            "Account not disabled",
            lambda progress: staff_service.disable(session, user_id, progress),
            f"The account of {user.full_name} is disabled, and the vault has new keys.",
            bool(move),
        )

    def change_every_key(self) -> bool:
        title = "Change every key now"
        move = move_note(self.session, self.model.rows)
        if not self.dialogs.confirm(self, title, rekey_now_question(move)):
            return False
        session = self.session
        return self._rekey(
            "The vault's keys were not changed",
            lambda progress: staff_service.rekey_now(session, progress),
            "The vault has new keys. Everyone signs in as before.",
            bool(move),
        )

    def finish_move(self) -> bool:
        title = "Finish the move to keys per account"
        if not self.session.keyfile.upgrading:
            self.dialogs.info(self, title, "The move to keys per account is already finished.")
            return False
        try:
            waiting = staff_service.status(self.session)
            people = [u for u in staff_service.list_staff(self.session) if u.id in waiting]
        except UserError as err:
            self.dialogs.error(self, title, str(err))
            return False
        names = [f"{u.full_name} ({u.username})" for u in people]
        if not self.dialogs.confirm(self, title, finish_question(names)):
            return False
        session = self.session
        done = "The move to keys per account is finished, and the vault has new keys."
        if people:
            done += (
                f" {len(people)} colleague{'s' if len(people) != 1 else ''} now "
                f"need{'' if len(people) != 1 else 's'} a new passphrase from a manager."
            )
        return self._rekey(
            "The move was not finished",
            lambda progress: key_upgrade.finish_now(session, progress),
            done,
        )

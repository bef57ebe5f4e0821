"""The window's one-off jobs, each a short conversation of dialogs: transfers in and out,
imports of templates and checklists, subject access, statistics, backups, settings.

Each runs only while the vault is open (``needs_open_session``) and ends in a plain sentence,
whatever goes wrong.
"""

from __future__ import annotations

from typing import Protocol, cast

from PySide6.QtWidgets import QDialog, QWidget

from refuge_desk.domain.errors import UserError, ValidationError
from refuge_desk.services import plan_print, plan_templates, risk
from refuge_desk.services.export import transfer
from refuge_desk.services.session import Session
from refuge_desk.ui.admin.settings_dialog import SettingsDialog
from refuge_desk.ui.admin.staff_page import ChangeOwnPassphraseDialog
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import wait_cursor
from refuge_desk.ui.common.session_guard import needs_open_session
from refuge_desk.ui.exports.backup_dialog import BackupDialog
from refuge_desk.ui.exports.backup_runner import BackupRunner
from refuge_desk.ui.exports.sar_dialog import SarDialog
from refuge_desk.ui.exports.transfer_notes_dialog import TransferNotesDialog
from refuge_desk.ui.plans.plan_print_dialog import PlanPrintDialog
from refuge_desk.ui.residents.import_dialog import ImportResidentsDialog

TRANSFER_OUT = "Transfer to another refuge"
TRANSFER_IN = "Import a transfer"
IMPORT_TEMPLATE = "Import plan template"
IMPORT_CHECKLIST = "Import risk checklist"


class Host(Protocol):
    """What the workflows need of the window."""

    @property
    def session(self) -> Session | None: ...

    def open_resident(self, resident_id: int | None) -> None: ...
    def refresh_page(self, name: str) -> None: ...
    def update_status(self) -> None: ...
    def settings_changed(self) -> None: ...


def _problems(err: UserError) -> str:
    problems: list[str] = getattr(err, "problems", None) or [str(err)]
    return "\n".join(problems)


class Workflows:
    def __init__(
        self, host: Host, parent: QWidget, dialogs: Dialogs, backups: BackupRunner
    ) -> None:
        self._host = host
        self._parent = parent
        self.dialogs = dialogs
        self._backups = backups
        self.transfer_notes_dialog: TransferNotesDialog | None = None  # tests tick notes in it

    @property
    def session(self) -> Session | None:
        return self._host.session

    # -- a resident's record ---------------------------------------------------------------
    @needs_open_session
    def print_plan(self, session: Session, resident_id: int, which: object) -> None:
        try:
            dialog = PlanPrintDialog(
                session, self.dialogs, resident_id, cast(plan_print.Which, which), self._parent
            )
        except UserError as err:
            self.dialogs.error(self._parent, "Print or save a plan", str(err))
            return
        self.dialogs.run(dialog)

    @needs_open_session
    def open_sar(self, session: Session, resident_id: int) -> None:
        try:
            dialog = SarDialog(session, self.dialogs, resident_id, self._parent)
        except UserError as err:
            self.dialogs.error(self._parent, "Subject access request", str(err))
            return
        self.dialogs.run(dialog)

    @needs_open_session
    def transfer_out(self, session: Session, resident_id: int) -> None:
        notes = self.dialogs.choose(
            self._parent,
            TRANSFER_OUT,
            "Her record, her children and every version of her safety plan go in an encrypted "
            "file for the receiving refuge. Include her notes (the free-text notes on her "
            "record, and the case notes you choose next)?",
            [("with", "Include notes…"), ("without", "Leave notes out"), ("cancel", "Cancel")],
            default="without",
        )
        if notes not in ("with", "without"):
            return
        note_ids: list[int] = []
        if notes == "with":
            picked = self._pick_transfer_notes(session, resident_id)
            if picked is None:
                return
            note_ids = picked
        path = self.dialogs.save_file(
            self._parent, TRANSFER_OUT, "Transfer files (*.age)", "transfer.age"
        )
        if path is None:
            return
        try:
            with wait_cursor():
                made = transfer.write(
                    session, resident_id, path, include_notes=notes == "with", note_ids=note_ids
                )
        except UserError as err:
            self.dialogs.error(self._parent, TRANSFER_OUT, str(err))
            return
        self.dialogs.info(
            self._parent,
            TRANSFER_OUT,
            f"Saved {path.name}. Read this one-time passphrase to the receiving refuge by "
            f"phone (never send it with the file):\n\n    {made.passphrase}\n\nDelete the "
            "file once they have it.",
        )

    def _pick_transfer_notes(self, session: Session, resident_id: int) -> list[int] | None:
        try:
            choices = transfer.note_choices(session, resident_id)
        except UserError as err:
            self.dialogs.error(self._parent, TRANSFER_OUT, str(err))
            return None
        if not choices:
            return []
        dialog = TransferNotesDialog(choices, self._parent)
        self.transfer_notes_dialog = dialog
        try:
            return dialog.chosen() if self.dialogs.run(dialog) else None
        finally:
            self.transfer_notes_dialog = None

    # -- from the "More" menu --------------------------------------------------------------
    @needs_open_session
    def transfer_in(self, session: Session) -> None:
        path = self.dialogs.open_file(self._parent, TRANSFER_IN, "Transfer files (*.age)")
        if path is None:
            return
        words = self.dialogs.ask_text(
            self._parent, TRANSFER_IN, "The one-time passphrase the other refuge read to you:"
        )
        if not words:
            return
        try:
            data = path.read_bytes()
            with wait_cursor():
                arrived = transfer.receive(session, data, words)
        except OSError as exc:
            self.dialogs.error(
                self._parent, TRANSFER_IN, f"The file could not be read ({exc.strerror})."
            )
            return
        except UserError as err:
            self.dialogs.error(self._parent, TRANSFER_IN, _problems(err))
            return
        self.dialogs.info(
            self._parent,
            TRANSFER_IN,
            f"She is now {arrived.reference} (a referral; their {arrived.from_reference}), with "
            f"{arrived.versions} safety-plan version(s).",
        )
        self._host.open_resident(arrived.resident_id)

    def _read(self, title: str, kinds: str) -> bytes | None:
        path = self.dialogs.open_file(self._parent, title, kinds)
        if path is None:
            return None
        try:
            return path.read_bytes()
        except OSError as exc:
            self.dialogs.error(self._parent, title, f"The file could not be read: {exc.strerror}.")
            return None

    def _refused(self, title: str, what: str, err: UserError) -> None:
        if isinstance(err, ValidationError):
            text = f"This {what} was not added. Please fix:\n\n• " + "\n• ".join(err.problems)
        else:
            text = str(err)
        self.dialogs.error(self._parent, title, text)

    @needs_open_session
    def import_template(self, session: Session) -> None:
        data = self._read(IMPORT_TEMPLATE, "Plan templates (*.json)")
        if data is None:
            return
        try:
            info = plan_templates.import_template(session, data)
        except UserError as err:
            self._refused(IMPORT_TEMPLATE, "template", err)
            return
        self.dialogs.info(
            self._parent,
            IMPORT_TEMPLATE,
            f'"{info.name}" (version {info.version}, {info.sections} sections) was added. '
            "New plans can use it from now on; agreed plans keep the template they were "
            "agreed with.",
        )

    @needs_open_session
    def import_checklist(self, session: Session) -> None:
        data = self._read(IMPORT_CHECKLIST, "Risk checklists (*.json)")
        if data is None:
            return
        try:
            info = risk.import_checklist(session, data)
        except UserError as err:
            self._refused(IMPORT_CHECKLIST, "checklist", err)
            return
        self.dialogs.info(
            self._parent,
            IMPORT_CHECKLIST,
            f'"{info.name}" (version {info.version}) was added. New checklists use it from '
            "now on; earlier ones keep the wording they were asked with.",
        )

    @needs_open_session
    def open_import(self, session: Session) -> None:
        self.dialogs.run(ImportResidentsDialog(session, self.dialogs, self._parent))
        if session.is_open:
            self._host.refresh_page("residents")

    @needs_open_session
    def open_stats(self, session: Session) -> None:
        # QtCharts loads only when a manager asks for statistics.
        from refuge_desk.ui.admin.stats_dialog import StatsDialog

        self.dialogs.run(StatsDialog(session, self.dialogs, self._parent))

    @needs_open_session
    def open_backups(self, session: Session) -> None:
        self.dialogs.run(BackupDialog(session, self.dialogs, self._parent, self._backups))
        self._host.update_status()

    @needs_open_session
    def open_settings(self, session: Session) -> None:
        dialog = SettingsDialog(session, self._parent, self.dialogs)
        if self.dialogs.run(dialog) == QDialog.DialogCode.Accepted:
            self._host.settings_changed()

    @needs_open_session
    def open_change_passphrase(self, session: Session) -> None:
        self.dialogs.run(ChangeOwnPassphraseDialog(session, self._parent))

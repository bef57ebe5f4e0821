"""The case-work tabs of a resident's record: risk, case notes, support, orders, immigration.

Each tab loads only when first shown for a resident (a record with 200 notes and 20
checklists opens at the speed of its Personal tab). Typing in the note composer and in an open
risk checklist is parked in the vault (drafts) every few seconds and on lock, and offered back
when her record is opened again.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from refuge_desk.domain.errors import UserError
from refuge_desk.services import drafts
from refuge_desk.services.session import Session
from refuge_desk.ui.casework.immigration_tab import ImmigrationTab
from refuge_desk.ui.casework.notes_tab import NotesTab
from refuge_desk.ui.casework.orders_tab import OrdersTab
from refuge_desk.ui.casework.risk_dialogs import ChecklistDialog
from refuge_desk.ui.casework.risk_tab import RiskTab
from refuge_desk.ui.casework.support_tab import SupportTab
from refuge_desk.ui.common.dialogs import Dialogs

# Names used by the home screen's targets and by Whereabouts.
TAB_NAMES = ("risk", "notes", "support", "orders", "immigration")


class CaseWork(QObject):
    changed = Signal()  # a write in any tab: the header (risk level) may need refreshing

    def __init__(
        self, session: Session, dialogs: Dialogs, tabs: QTabWidget, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self.tabs = tabs
        self.resident_id: int | None = None
        self.risk = RiskTab(session, dialogs)
        self.notes = NotesTab(session, dialogs)
        self.support = SupportTab(session, dialogs)
        self.orders = OrdersTab(session, dialogs)
        self.immigration = ImmigrationTab(session, dialogs)
        self.widgets: dict[str, QWidget] = {
            "risk": self.risk,
            "notes": self.notes,
            "support": self.support,
            "orders": self.orders,
            "immigration": self.immigration,
        }
        labels = {
            "risk": "Risk && MARAC",
            "notes": "Case notes",
            "support": "Support && outcomes",
            "orders": "Court orders",
            "immigration": "Immigration && money",
        }
        for name, widget in self.widgets.items():
            tabs.addTab(widget, labels[name])  # "&&" shows one "&" (a single one is a mnemonic)
            widget.changed.connect(self.changed)  # type: ignore[attr-defined]
        self.notes.changed.connect(self._note_saved)
        self._loaded: set[str] = set()
        tabs.currentChanged.connect(lambda _i: self._load_current())

    def index_of(self, name: str) -> int:
        return self.tabs.indexOf(self.widgets[name])

    def set_resident(self, resident_id: int | None) -> None:
        """A stored record (or None for a new one, which has no case work yet)."""
        if resident_id != self.resident_id and self.notes.has_unsaved_changes():
            # Never lose a note typed for the previous record: parked first, then cleared.
            if not self.park():
                text = self.notes.draft_payload().get("text", "")
                self.dialogs.error(
                    self.notes,
                    "Note not kept",
                    "The note you were typing could not be kept in the vault (is the disk "
                    "full?). Here it is to copy before you go on:\n\n" + str(text),
                )
            self.notes.clear()
        self.resident_id = resident_id
        self._loaded.clear()
        for widget in self.widgets.values():
            self.tabs.setTabVisible(self.tabs.indexOf(widget), resident_id is not None)
        if resident_id is None:
            self.clear()
            return
        self._restore_kept_note(resident_id)
        self._load_current()

    def _load_current(self) -> None:
        rid = self.resident_id
        current = self.tabs.currentWidget()
        for name, widget in self.widgets.items():
            if widget is current and rid is not None and name not in self._loaded:
                self._loaded.add(name)
                if name == "notes" and self.notes.resident_id == rid:
                    self.notes.refresh()  # keeps a restored composer
                else:
                    widget.load(rid)  # type: ignore[attr-defined]
                if name == "risk":
                    self._offer_kept_checklist(rid)

    def show_tab(self, name: str) -> None:
        if name in self.widgets and self.resident_id is not None:
            self.tabs.setCurrentIndex(self.index_of(name))

    def clear(self) -> None:
        self._loaded.clear()
        for widget in self.widgets.values():
            widget.clear()  # type: ignore[attr-defined]

    def refresh(self) -> None:
        self._loaded.clear()
        self._load_current()

    # -- typing kept safe -------------------------------------------------------------------
    def park(self) -> bool:
        """Park the note composer and an open checklist in the vault (autosave and lock).

        False when the vault refused (a full disk): the typing is still on screen."""
        if not self.session.is_open:
            return False
        try:
            if self.notes.has_unsaved_changes() and self.notes.resident_id is not None:
                drafts.park(
                    self.session,
                    drafts.CASE_NOTE,
                    self.notes.resident_id,
                    self.notes.draft_payload(),
                )
            dialog = self.risk.open_dialog
            if dialog is not None and dialog.has_unsaved_changes():
                drafts.park(
                    self.session,
                    drafts.RISK_CHECKLIST,
                    dialog.resident_id,
                    dialog.draft_payload(),
                )
        except UserError:
            return False
        return True

    def close_checklist_for_lock(self) -> None:
        dialog = self.risk.open_dialog
        if dialog is not None:
            dialog.discard()  # parked just before

    def _kept(self, kind: str, resident_id: int) -> dict[str, object] | None:
        rows = [
            r for r in drafts.mine(self.session) if r.kind == kind and r.record_id == resident_id
        ]
        return drafts.load(rows[0]) if rows else None

    def _restore_kept_note(self, resident_id: int) -> None:
        payload = self._kept(drafts.CASE_NOTE, resident_id)
        mine = self.notes.resident_id == resident_id and self.notes.has_unsaved_changes()
        if payload is not None and not mine:
            self.notes.restore_draft(payload)
            self._loaded.discard("notes")

    def _note_saved(self) -> None:
        if self.resident_id is not None and not self.notes.has_unsaved_changes():
            drafts.discard(self.session, drafts.CASE_NOTE, self.resident_id)

    def _offer_kept_checklist(self, resident_id: int) -> None:
        payload = self._kept(drafts.RISK_CHECKLIST, resident_id)
        if payload is None:
            return
        try:
            dialog = ChecklistDialog(self.session, self.dialogs, resident_id, parent=self.risk)
        except UserError:
            return  # kept in the vault: offered again next time
        dialog.restore_draft(payload)
        self.risk.open_dialog = dialog
        dialog.finished.connect(lambda _r: self._checklist_closed(dialog))
        dialog.open()  # not exec(): she comes back to it, the app stays responsive
        # On screen now, and re-parked by the autosave while she works on it.
        drafts.discard(self.session, drafts.RISK_CHECKLIST, resident_id)

    def _checklist_closed(self, dialog: ChecklistDialog) -> None:
        if self.risk.open_dialog is dialog:
            self.risk.open_dialog = None
        if self.session.is_open and dialog.saved is not None:
            drafts.discard(self.session, drafts.RISK_CHECKLIST, dialog.resident_id)
        if dialog.saved is not None:
            self.risk.refresh()
            self.changed.emit()

"""One resident's record, edited with explicit Save / Cancel and never lost silently."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.dates import stamp_text
from refuge_desk.domain.errors import StaleRecord, UserError, ValidationError
from refuge_desk.domain.residents import (
    _TEXT_LIMITS,  # the domain's own limits, so maxLength always matches validation
    DECLINE_REASONS,
    MOVE_ON_TYPES,
    REFERRAL_OUTCOMES,
    ContactSafety,
    Resident,
    Status,
    name_warnings,
    to_plain,
)
from refuge_desk.domain.roles import Role
from refuge_desk.services import residents as residents_service
from refuge_desk.services import risk
from refuge_desk.services import rooms as rooms_service
from refuge_desk.services import staff as staff_service
from refuge_desk.services.export import transfer
from refuge_desk.services.session import Session
from refuge_desk.ui.casework.record_tabs import CaseWork
from refuge_desk.ui.common import style
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import (
    ErrorBox,
    OptionalDateEdit,
    line_edit,
    restricted_marker,
    text_area,
    with_marker,
)
from refuge_desk.ui.residents.field_history import offer_field_history
from refuge_desk.ui.residents.history_dialog import HistoryDialog
from refuge_desk.ui.residents.resident_widgets import (
    AbusersEditor,
    ChildrenEditor,
    PhonesEditor,
    child_from_plain,
    resident_from_plain,
    safety_combo,
    set_safety,
)

TAB_PERSONAL, TAB_CONTACT, TAB_STAY, TAB_ABUSER, TAB_CHILDREN, TAB_NOTES = range(6)
PENDING_CHILD = "pending_child"  # draft key: the Child dialog open at lock time
UNSAFE_WARNING = (
    "⚠ Some contact details are marked NOT safe to contact. Never call, text or email "
    "them: the abuser may see it."
)

MIXED_SCRIPT_ADVICE = (
    "A letter from another alphabet looks the same on screen, but searching for the name "
    "typed on a keyboard will not find it, and a second record for her could go unnoticed. "
    "If her name is written in Latin letters only, go back and type those letters again. "
    "Save it as typed only if that is how her name is written."
)


def _choice_combo(choices: dict[str, str], name: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for key, label in choices.items():
        combo.addItem(label, key)
    return combo


def _limit(name: str) -> int:
    return _TEXT_LIMITS[name][1]


def _scrolled(inner: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(inner)
    return area


def _form_page() -> tuple[QWidget, QFormLayout]:
    page = QWidget()
    column = QVBoxLayout(page)
    form = QFormLayout()
    column.addLayout(form)
    column.addStretch(1)  # spare height below the form, not inside its rows
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
    form.setVerticalSpacing(8)
    return page, form


class ResidentEditor(QWidget):
    saved = Signal(int)
    closed = Signal()
    plan_requested = Signal(int)  # her safety plan, after this record's typing is settled
    sar_requested = Signal(int)  # a manager prepares her subject access request
    transfer_requested = Signal(int)  # her file to another refuge, as she moves on

    def __init__(self, session: Session, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self.setWindowTitle("Resident record")  # never a name in a title
        self.stored = Resident()  # the record as last loaded or saved
        # (version, updated_at) of the stored record the typing started from: a save names
        # it, so a colleague's newer save is refused rather than overwritten.
        self._base: tuple[int, str] = (0, "")
        self._snapshot: dict[str, Any] = {}
        self._forced_dirty = False
        self._filling = False
        self.resident_id: int | None = None
        # Mixed-script name warnings she chose to save anyway, since this record was opened.
        self._accepted_names: set[str] = set()

        self.heading = QLabel("New resident")
        self.heading.setObjectName("heading")
        self.meta = QLabel()
        self.meta.setObjectName("muted")
        self.error_box = ErrorBox()
        self.tabs = QTabWidget()
        self._build_personal()
        self._build_contact()
        self._build_stay()
        self._build_abuser()
        self._build_children()
        self._build_notes()
        self.field_labels = offer_field_history(
            self.tabs, self._resident_widgets(), lambda name: self.open_history(name)
        )
        self.casework = CaseWork(session, dialogs, self.tabs, self)
        self.casework.changed.connect(self._show_risk)

        self.unsaved = QLabel("Unsaved changes")
        self.unsaved.setObjectName("danger_note")
        self.unsaved.hide()
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("primary")
        self.save_button.setToolTip("Save this record (Ctrl+S)")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Close without saving (Esc); you are asked first")
        self.save_button.clicked.connect(lambda: self.save())
        self.cancel_button.clicked.connect(lambda: self.request_close())
        self.plan_button = QPushButton("Safety &plan…")
        self.plan_button.setObjectName("open_plan")
        self.plan_button.setToolTip("Her safety plan: build it with her, review it, print her copy")
        self.plan_button.clicked.connect(lambda: self.open_plan())
        self.sar_button = QPushButton("Subject access request…")
        self.sar_button.setObjectName("open_sar")
        self.sar_button.setToolTip("A copy of everything held about her (managers)")
        self.sar_button.clicked.connect(lambda: self._request_sar())
        self.history_button = QPushButton("History…")
        self.history_button.setObjectName("open_history")
        self.history_button.setToolTip("Every change to this record: before, after, who, when")
        self.history_button.clicked.connect(lambda: self.open_history())
        self.transfer_button = QPushButton("Transfer to another refuge…")
        self.transfer_button.setObjectName("transfer_out")
        self.transfer_button.clicked.connect(lambda: self._request_transfer())
        buttons = QHBoxLayout()
        buttons.addWidget(self.plan_button)
        buttons.addWidget(self.sar_button)
        buttons.addWidget(self.history_button)
        buttons.addWidget(self.transfer_button)
        buttons.addWidget(self.unsaved)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        self.risk_chip = QLabel()
        self.risk_chip.setObjectName("risk_chip")
        head = QHBoxLayout()
        head.addWidget(self.heading)
        head.addWidget(self.risk_chip)
        head.addStretch(1)
        head.addWidget(self.meta)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.error_box)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)

        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        self.save_shortcut.setContext(ctx)
        self.save_shortcut.activated.connect(lambda: self.save())
        self.cancel_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self.cancel_shortcut.setContext(ctx)
        self.cancel_shortcut.activated.connect(lambda: self.request_close())
        self._watch_changes()

    # -- building the tabs ----------------------------------------------------------------
    def _build_personal(self) -> None:
        page, form = _form_page()
        self.full_name = line_edit(_limit("full_name"), name="full_name")
        self.preferred_name = line_edit(
            _limit("preferred_name"), "What she likes to be called", "preferred_name"
        )
        self.aliases = text_area(2, "Previous names and aliases, one per line", "aliases")
        self.date_of_birth = OptionalDateEdit()
        self.pronouns = line_edit(_limit("pronouns"), "e.g. she/her")
        self.languages = line_edit(_limit("languages"), "e.g. Arabic, English")
        self.interpreter_needed = QCheckBox("Interpreter needed")
        self.interpreter_language = line_edit(
            _limit("interpreter_language"), "Language for the interpreter"
        )
        self.interpreter_language.setEnabled(False)
        self.interpreter_needed.toggled.connect(self.interpreter_language.setEnabled)
        interp = QWidget()
        row = QHBoxLayout(interp)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.interpreter_needed)
        row.addWidget(self.interpreter_language, 1)
        self.nationality = line_edit(_limit("nationality"))
        self.immigration_status = line_edit(
            _limit("immigration_status"), "e.g. spousal visa, MVDAC applied, EUSS settled"
        )
        self.nrpf = QCheckBox("No recourse to public funds (NRPF)")
        form.addRow("Full name *:", self.full_name)
        form.addRow("Preferred name:", self.preferred_name)
        form.addRow("Previous names / aliases:", self.aliases)
        form.addRow("Date of birth:", self.date_of_birth)
        form.addRow("Pronouns:", self.pronouns)
        form.addRow("Languages:", self.languages)
        form.addRow("Interpreter:", interp)
        form.addRow("Nationality:", self.nationality)
        form.addRow("Immigration status:", with_marker(self.immigration_status))
        form.addRow("NRPF:", with_marker(self.nrpf, stretch=False))
        self.tabs.addTab(_scrolled(page), "Personal")

    def _build_contact(self) -> None:
        page = QWidget()
        column = QVBoxLayout(page)
        self.unsafe_warning = QLabel(UNSAFE_WARNING)
        self.unsafe_warning.setObjectName("error_box")
        self.unsafe_warning.setWordWrap(True)
        self.unsafe_warning.setStyleSheet(self.error_box.styleSheet())
        self.unsafe_warning.hide()
        column.addWidget(self.unsafe_warning)
        phones_box = QGroupBox("Phone numbers")
        inner = QVBoxLayout(phones_box)
        self.phones = PhonesEditor()
        self.add_phone_button = QPushButton("Add phone number")
        self.add_phone_button.clicked.connect(lambda: self.phones.add_phone().number.setFocus())
        inner.addWidget(self.phones)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_phone_button)
        add_row.addStretch(1)
        inner.addLayout(add_row)
        column.addWidget(phones_box)
        email_box = QGroupBox("Email")
        form = QFormLayout(email_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.email = line_edit(_limit("email"), "name@example.org", "email")
        self.email_safety = safety_combo()
        self.email_safe_times = line_edit(_limit("email_safe_times"), "e.g. any time")
        form.addRow("Email address:", self.email)
        form.addRow("Safe to contact?", self.email_safety)
        form.addRow("Safe times:", self.email_safe_times)
        column.addWidget(email_box)
        column.addStretch(1)
        self.tabs.addTab(_scrolled(page), "Contact")

    def _build_stay(self) -> None:
        page, form = _form_page()
        self.status = QComboBox()
        for s in Status:
            self.status.addItem(s.label, s.value)
        self.referral_date = OptionalDateEdit()
        self.referral_source = line_edit(
            _limit("referral_source"), "e.g. national helpline, police, self-referral"
        )
        self.arrival_date = OptionalDateEdit()
        self.room = QComboBox()
        self.room.setObjectName("room")
        self.key_worker = QComboBox()
        self.key_worker.setObjectName("key_worker")
        self.alerts = text_area(3, "e.g. Do not disclose presence — one alert per line", "alerts")
        self.move_on_date = OptionalDateEdit()
        self.move_on_destination = line_edit(_limit("move_on_destination"))
        self.referral_outcome = _choice_combo(REFERRAL_OUTCOMES, "referral_outcome")
        self.decline_reason = _choice_combo(DECLINE_REASONS, "decline_reason")
        self.move_on_type = _choice_combo(MOVE_ON_TYPES, "move_on_type")
        self.referral_outcome.currentIndexChanged.connect(lambda _i: self._outcome_changed())
        form.addRow("Status:", self.status)
        form.addRow("Referral date:", self.referral_date)
        form.addRow("Referral source:", self.referral_source)
        form.addRow("Referral outcome:", self.referral_outcome)
        form.addRow("Why declined:", self.decline_reason)
        form.addRow("Arrival date:", self.arrival_date)
        form.addRow("Room:", self.room)
        form.addRow("Key worker:", self.key_worker)
        form.addRow("Alerts:", self.alerts)
        form.addRow("Move-on date:", with_marker(self.move_on_date, stretch=False))
        form.addRow("Move-on destination:", with_marker(self.move_on_destination))
        form.addRow("Kind of move-on:", with_marker(self.move_on_type, stretch=False))
        self.tabs.addTab(_scrolled(page), "Stay")

    def _outcome_changed(self) -> None:
        declined = self.referral_outcome.currentData() == "declined"
        self.decline_reason.setEnabled(declined)
        if not declined:
            self.decline_reason.setCurrentIndex(0)

    def _build_abuser(self) -> None:
        page = QWidget()
        column = QVBoxLayout(page)
        note = QLabel(
            "Staff only: never shown to relief workers or volunteers and never "
            "printed on her copy of anything."
        )
        note.setObjectName("warning")
        note.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(restricted_marker(), 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(note, 1)
        column.addLayout(head)
        self.abusers = AbusersEditor()
        column.addWidget(self.abusers, 1)
        self.tabs.addTab(_scrolled(page), "Abuser (restricted)")

    def _build_children(self) -> None:
        page = QWidget()
        column = QVBoxLayout(page)
        self.children_editor = ChildrenEditor()
        column.addWidget(self.children_editor)
        self.children_history = QPushButton("History of her children’s details…")
        self.children_history.setObjectName("children_history")
        self.children_history.clicked.connect(lambda: self.open_history("children"))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.children_history)
        column.addLayout(row)
        self.tabs.addTab(page, "Children")

    def _build_notes(self) -> None:
        page = QWidget()
        column = QVBoxLayout(page)
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("notes")
        self.notes.setAccessibleName("Free notes")
        self.notes.setPlaceholderText("Free notes")
        column.addWidget(self.notes)
        self.tabs.addTab(page, "Notes")

    def _watch_changes(self) -> None:
        for edit in self.findChildren(QLineEdit):
            edit.textChanged.connect(self._touched)
        for area in self.findChildren(QPlainTextEdit):
            area.textChanged.connect(self._touched)
        for box in self.findChildren(QCheckBox):
            box.toggled.connect(self._touched)
        for combo in (
            self.status,
            self.room,
            self.key_worker,
            self.email_safety,
            self.referral_outcome,
            self.decline_reason,
            self.move_on_type,
        ):
            combo.currentIndexChanged.connect(self._touched)
        for date in (self.date_of_birth, self.referral_date, self.arrival_date, self.move_on_date):
            date.changed.connect(self._touched)
        self.phones.changed.connect(self._touched)
        self.abusers.changed.connect(self._touched)
        self.children_editor.changed.connect(self._touched)

    def _touched(self, *_args: object) -> None:
        if self._filling:
            return
        self.unsafe_warning.setVisible(
            self.phones.any_unsafe()
            or (
                bool(self.email.text().strip())
                and self.email_safety.currentData() == ContactSafety.UNSAFE.value
            )
        )
        self.unsaved.setVisible(self.has_unsaved_changes())

    # -- choices ------------------------------------------------------------------------
    def _load_choices(self, res: Resident) -> None:
        self.room.clear()
        self.room.addItem("No room", None)
        self.key_worker.clear()
        self.key_worker.addItem("Not assigned", None)
        try:
            occupancy = rooms_service.occupancy(self.session)
            staff = staff_service.list_staff(self.session)
        except UserError:
            return  # e.g. a role that may not list staff: the load itself reports why
        for occ in occupancy:
            free = f"{occ.free} of {occ.room.beds} beds free"
            if occ.over:
                free = f"full, {occ.over} over capacity"
            access = ", accessible" if occ.room.accessible else ""
            self.room.addItem(f"{occ.room.name} — {free}{access}", occ.room.id)
        for user in staff:
            if user.active and user.role is not Role.VOLUNTEER:
                self.key_worker.addItem(user.full_name, user.id)
            elif user.id == res.key_worker_id:
                self.key_worker.addItem(f"{user.full_name} (no longer active)", user.id)

    # -- form <-> Resident ----------------------------------------------------------------
    def build_resident(self) -> Resident:
        res = self.stored.copy()
        res.full_name = self.full_name.text()
        res.preferred_name = self.preferred_name.text()
        res.aliases = self.aliases.toPlainText()
        res.date_of_birth = self.date_of_birth.value()
        res.pronouns = self.pronouns.text()
        res.languages = self.languages.text()
        res.interpreter_needed = self.interpreter_needed.isChecked()
        res.interpreter_language = self.interpreter_language.text()
        res.nationality = self.nationality.text()
        res.immigration_status = self.immigration_status.text()
        res.nrpf = self.nrpf.isChecked()
        res.phones = self.phones.phones()
        res.email = self.email.text().strip()
        res.email_safety = ContactSafety(self.email_safety.currentData())
        res.email_safe_times = self.email_safe_times.text()
        res.status = Status(self.status.currentData())
        res.referral_date = self.referral_date.value()
        res.referral_source = self.referral_source.text()
        res.arrival_date = self.arrival_date.value()
        res.room_id = self.room.currentData()
        res.key_worker_id = self.key_worker.currentData()
        res.alerts = self.alerts.toPlainText()
        res.move_on_date = self.move_on_date.value()
        res.move_on_destination = self.move_on_destination.text()
        res.referral_outcome = str(self.referral_outcome.currentData() or "")
        res.decline_reason = str(self.decline_reason.currentData() or "")
        res.move_on_type = str(self.move_on_type.currentData() or "")
        res.abusers = self.abusers.abusers()
        res.children = self.children_editor.child_list()
        res.notes = self.notes.toPlainText()
        res.version, res.updated_at = self._base
        return res

    def _fill(self, res: Resident) -> None:
        self._filling = True
        try:
            self.full_name.setText(res.full_name)
            self.preferred_name.setText(res.preferred_name)
            self.aliases.setPlainText(res.aliases)
            self.date_of_birth.set_value(res.date_of_birth)
            self.pronouns.setText(res.pronouns)
            self.languages.setText(res.languages)
            self.interpreter_needed.setChecked(res.interpreter_needed)
            self.interpreter_language.setText(res.interpreter_language)
            self.interpreter_language.setEnabled(res.interpreter_needed)
            self.nationality.setText(res.nationality)
            self.immigration_status.setText(res.immigration_status)
            self.nrpf.setChecked(res.nrpf)
            self.phones.set_phones(res.phones)
            self.email.setText(res.email)
            set_safety(self.email_safety, res.email_safety)
            self.email_safe_times.setText(res.email_safe_times)
            self.status.setCurrentIndex(max(0, self.status.findData(res.status.value)))
            self.referral_date.set_value(res.referral_date)
            self.referral_source.setText(res.referral_source)
            self.arrival_date.set_value(res.arrival_date)
            self.room.setCurrentIndex(max(0, self.room.findData(res.room_id)))
            self.key_worker.setCurrentIndex(max(0, self.key_worker.findData(res.key_worker_id)))
            self.alerts.setPlainText(res.alerts)
            self.move_on_date.set_value(res.move_on_date)
            self.move_on_destination.setText(res.move_on_destination)
            for combo, value in (
                (self.referral_outcome, res.referral_outcome),
                (self.decline_reason, res.decline_reason),
                (self.move_on_type, res.move_on_type),
            ):
                combo.setCurrentIndex(max(0, combo.findData(value)))
            self.decline_reason.setEnabled(res.referral_outcome == "declined")
            self.abusers.set_abusers(res.abusers)
            self.children_editor.set_children(res.children)
            self.notes.setPlainText(res.notes)
        finally:
            self._filling = False
        self._touched()

    def _show_header(self) -> None:
        res = self.stored
        if res.id is None:
            self.heading.setText("New resident")
            self.meta.setText("Not saved yet")
            return
        self.heading.setText(f"{res.reference} · {res.status.label}")
        who = res.updated_by or "unknown"
        moved = transfer.transferred_from(self.session, res.id)
        self.meta.setText(
            f"Last changed by {who} at {stamp_text(res.updated_at)}"
            + (f" · {moved}" if moved else "")
        )

    def _show_risk(self) -> None:
        """Her latest risk level and open MARAC flags, in words (colour only repeats them)."""
        rid = self.stored.id
        summary = risk.summaries(self.session, [rid]).get(rid) if rid is not None else None
        if summary is None or rid is None or summary.level is None:
            self.risk_chip.setText("Risk: no checklist yet" if rid is not None else "")
            self.risk_chip.setStyleSheet("")
            return
        text = f"Risk: {summary.label}"
        if summary.flags:
            text += " · MARAC: " + ", ".join(summary.flags)
        if summary.review_due:
            text += " · review due"
        self.risk_chip.setText(text)
        colour = {"high": style.DANGER, "medium": "#8a5a00"}.get(str(summary.level), "")
        self.risk_chip.setStyleSheet(
            f"color: {colour}; font-weight: bold; margin-left: 12px;"
            if colour
            else "margin-left: 12px;"
        )

    def _show(self, res: Resident) -> None:
        self.stored = res
        self._base = (res.version, res.updated_at)
        self.resident_id = res.id
        self._load_choices(res)
        self._fill(res)
        self._snapshot = to_plain(self.build_resident())
        self._forced_dirty = False
        self.error_box.clear_problems()
        self._show_header()
        self._show_risk()
        self.casework.set_resident(res.id)
        self.plan_button.setVisible(res.id is not None)
        self.sar_button.setVisible(res.id is not None and self.session.role.manages_staff)
        self.transfer_button.setVisible(res.id is not None)
        self.history_button.setVisible(res.id is not None)
        self.children_history.setVisible(res.id is not None)
        self._touched()

    # -- public API ------------------------------------------------------------------------
    def current_tab(self) -> int:
        return self.tabs.currentIndex()

    def set_current_tab(self, index: int) -> None:
        """Back to the tab she was on (after unlock); out-of-range values are ignored."""
        if 0 <= index < self.tabs.count():
            self.tabs.setCurrentIndex(index)

    def load(self, resident_id: int | None, *, keep_tab: bool = False) -> bool:
        """Show a stored record (or a blank one for None). False, with a message, on failure.

        A new load starts on the Personal tab unless ``keep_tab`` (restoring a draft).
        """
        if not keep_tab:
            self.tabs.setCurrentIndex(TAB_PERSONAL)
        self._accepted_names = set()
        if resident_id is None:
            self._show(Resident())
            self.full_name.setFocus()
            return True
        try:
            res = residents_service.get(self.session, resident_id)
        except UserError as err:
            self._show(Resident())
            self.resident_id = resident_id
            self.error_box.show_problems([str(err)])
            return False
        self._show(res)
        return True

    def has_unsaved_changes(self) -> bool:
        """Typed changes in the form, or typing in an open Child dialog."""
        if self._forced_dirty or self.children_editor.pending_changed():
            return True
        if not self._snapshot:
            return False
        return bool(to_plain(self.build_resident()) != self._snapshot)

    def draft_payload(self) -> dict[str, Any]:
        """The form as a plain dict, with the base version it started from and any open
        Child dialog's typing (under ``PENDING_CHILD``)."""
        payload: dict[str, Any] = to_plain(self.build_resident())
        payload["id"] = self.stored.id
        pending = self.children_editor.pending()
        if pending is not None:
            index, child = pending
            payload[PENDING_CHILD] = {"index": index, "child": to_plain(child)}
        return payload

    def restore_draft(self, payload: dict[str, Any]) -> None:
        """Show a parked draft over the stored record. Saving it is refused if a colleague
        saved the record after the draft's base version (nothing is overwritten)."""
        draft = resident_from_plain(payload)
        problems: list[str] = []
        if draft.id is not None and not self.load(draft.id, keep_tab=True):
            problems.append(
                "The record this draft belonged to no longer exists; saving "
                "will create a new record."
            )
            self._show(Resident())
        elif draft.id is None:
            self._show(Resident())
        self._fill(draft)
        if self.stored.id is not None:
            self._base = (draft.version, draft.updated_at)  # the draft's base, not the reload
        self._forced_dirty = True
        if problems:
            self.error_box.show_problems(problems)
        parked = payload.get(PENDING_CHILD)
        if isinstance(parked, dict) and isinstance(parked.get("child"), dict):
            index = parked.get("index")
            self.children_editor.reopen(
                index if isinstance(index, int) and not isinstance(index, bool) else None,
                child_from_plain(parked["child"]),
            )
        self._touched()

    def _names_checked(self, res: Resident) -> bool:
        """A name that mixes Latin with look-alike Cyrillic or Greek letters is asked about
        once: it may be genuine, so she can save it as typed, or go back and retype it."""
        warnings = name_warnings(res)
        if all(w in self._accepted_names for w in warnings):
            return True
        answer = self.dialogs.choose(
            self,
            "Check her names",
            "\n\n".join(warnings) + "\n\n" + MIXED_SCRIPT_ADVICE,
            [("save", "Save as typed"), ("back", "Go back and check")],
            "back",
        )
        if answer == "save":
            self._accepted_names.update(warnings)
            return True
        self.error_box.show_problems(warnings, "Not saved yet. Check these names:")
        return False

    def save(self) -> bool:
        res = self.build_resident()
        if not self._names_checked(res):
            return False
        try:
            stored = residents_service.save(self.session, res)
        except ValidationError as err:
            self.error_box.show_problems(err.problems, "Not saved yet. Please check:")
            return False
        except StaleRecord as err:
            self.error_box.show_problems([str(err)], "Not saved:")
            self._show_newer_header()
            return False
        except UserError as err:
            self.error_box.show_problems([str(err)], "Not saved:")
            return False
        self._show(stored)
        assert stored.id is not None
        self.saved.emit(stored.id)
        return True

    def _show_newer_header(self) -> None:
        """After a refused stale save: the typing stays, and Cancel then Discard (or opening
        the record again) shows the colleague's version."""
        if self.resident_id is None:
            return
        try:
            newer = residents_service.get(self.session, self.resident_id)
        except UserError:
            return
        self.stored = newer  # the base stays the old one: saving this form stays refused
        self._show_header()

    def discard(self) -> None:
        """Throw away typed changes: back to the stored record."""
        self._show(self.stored)

    def _request_transfer(self) -> None:
        if self.resident_id is not None and (not self.has_unsaved_changes() or self.save()):
            self.transfer_requested.emit(self.resident_id)

    def _resident_widgets(self) -> dict[str, QWidget]:
        """Her record's fields by name, for the per-field history menus."""
        out: dict[str, QWidget] = {}
        for f in dataclasses.fields(Resident):
            widget = getattr(self, f.name, None)
            if isinstance(widget, QWidget):
                out[f.name] = widget
        return out

    def open_history(self, field: str = "") -> HistoryDialog | None:
        """Her change history; ``field``: opened on that field's changes."""
        if self.resident_id is None:
            return None
        dialog = HistoryDialog(self.session, self.dialogs, self.resident_id, self, field=field)
        self.dialogs.run(dialog)
        if dialog.restored and not self.has_unsaved_changes():
            self.load(self.resident_id, keep_tab=True)
        return dialog

    def _request_sar(self) -> None:
        if self.resident_id is not None:
            self.sar_requested.emit(self.resident_id)

    def open_plan(self) -> bool:
        """Ask for her safety plan; unsaved typing here is saved or discarded first (asked)."""
        if self.resident_id is None:
            return False
        if self.has_unsaved_changes():
            answer = self.dialogs.save_discard_cancel(
                self,
                "Unsaved changes",
                "This record has changes that are not saved. Save them before opening her "
                "safety plan?",
            )
            if answer == "cancel" or (answer == "save" and not self.save()):
                return False
            if answer == "discard":
                self.discard()
        self.plan_requested.emit(self.resident_id)
        return True

    def request_close(self) -> bool:
        """True when the editor may close (saved, discarded or nothing to lose)."""
        if self.has_unsaved_changes():
            answer = self.dialogs.save_discard_cancel(
                self,
                "Unsaved changes",
                "This record has changes that are not saved. Save them before closing?",
            )
            if answer == "cancel":
                return False
            if answer == "save" and not self.save():
                return False
            if answer == "discard":
                self.discard()
        self.closed.emit()
        return True

    # -- lock / unlock ---------------------------------------------------------------------
    def clear(self) -> None:
        """Forget every resident fact (on lock). The record id is kept to come back to it."""
        self.children_editor.set_children([])
        self.stored = Resident()
        self._fill(Resident())
        self._snapshot = {}
        self._forced_dirty = False
        self.room.clear()
        self.key_worker.clear()
        self.error_box.clear_problems()
        self._accepted_names = set()
        self.heading.setText("")
        self.meta.setText("")
        self.risk_chip.setText("")
        self.casework.clear()
        self.unsaved.hide()

    def refresh(self) -> None:
        """After unlock: reload the record that was open (if the form is not holding edits)."""
        if self.has_unsaved_changes():
            return
        self.load(self.resident_id)

"""One resident's safety plan: sections on the left, the section's fields on the right.

The open draft is written to the vault a few seconds after typing stops, and at the latest
every ten seconds while she keeps typing (ui/plans/autosave.py); also on Ctrl+S, before any
action and on lock. Agreed versions are shown read only. Only the section on screen has
widgets; the others are built when first shown, so a long plan stays quick.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain import plans as plan_domain
from refuge_desk.domain.errors import StaleRecord, UserError
from refuge_desk.domain.plan_template import Audience, PlanTemplate, TemplateSection
from refuge_desk.domain.plans import Content
from refuge_desk.services import plan_templates, plans
from refuge_desk.services import residents as residents_service
from refuge_desk.services.session import Session
from refuge_desk.ui.common import style
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import ErrorBox, format_date, plural, wait_cursor
from refuge_desk.ui.plans.autosave import AUTOSAVE_MS, SaveSchedule
from refuge_desk.ui.plans.plan_dialogs import CompareDialog, FinaliseDialog, ReviewDialog
from refuge_desk.ui.plans.plan_fields import STAFF_BORDER, STAFF_TINT, FieldEditor, make_editor

COUNT_MS = 400
NOTICE_MS = 30_000  # how long a note such as "Filled from her record: ..." stays

AMBER = (style.WARNING_SOFT, style.RESTRICTED, "#e0c068")
GREEN = ("#e3f4e6", "#1e6b2f", "#9ccfa7")
RED = (style.DANGER_SOFT, style.DANGER, style.DANGER)
GREY = ("#eceeed", style.MUTED, style.BORDER)


def _chip(label: QLabel, colours: tuple[str, str, str], text: str) -> None:
    bg, fg, border = colours
    label.setStyleSheet(
        f"background: {bg}; color: {fg}; border: 1px solid {border}; border-radius: 10px;"
        " padding: 2px 10px; font-weight: bold;"
    )
    label.setText(text)
    label.setVisible(bool(text))
    # One line when there is room; wrapping only on a narrow window.
    label.setMinimumWidth(min(label.fontMetrics().horizontalAdvance(text) + 40, 460))


def _when(stamp: str, today: dt.date) -> str:
    """A stored UTC stamp as local '10:32' today, else '20 Nov 2026 10:32'."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone()
    if local.date() == today:
        return local.strftime("%H:%M")
    if local.year == today.year:
        return local.strftime("%d %b %H:%M")
    return f"{format_date(local.date())} {local.strftime('%H:%M')}"


class SectionPanel(QScrollArea):
    """One section's field editors, scrolling on their own."""

    def __init__(
        self, section: TemplateSection, content: Content, read_only: bool, page: PlanPage
    ) -> None:
        super().__init__()
        self.section = section
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(6, 4, 12, 12)
        column.setSpacing(10)
        title = QLabel(section.title)
        title.setObjectName("heading")
        title.setWordWrap(True)
        column.addWidget(title)
        if section.audience is Audience.STAFF:
            note = QLabel(
                "Staff only: nothing in this section is ever printed on her copy of the plan."
            )
            note.setObjectName("staff_section_note")
            note.setWordWrap(True)
            note.setStyleSheet(
                f"background: {STAFF_TINT}; color: {style.RESTRICTED};"
                f" border: 1px solid {STAFF_BORDER}; border-radius: 4px; padding: 5px 8px;"
            )
            column.addWidget(note)
        self.editors: list[FieldEditor] = []
        for f in section.fields:
            editor = make_editor(f)
            editor.set_value(content.get(f.id, plan_domain.empty_value(f)))
            editor.set_read_only(read_only)
            editor.changed.connect(page._touched)
            column.addWidget(editor)
            self.editors.append(editor)
        column.addStretch(1)
        self.setWidget(inner)

    def first_editor(self) -> FieldEditor | None:
        return self.editors[0] if self.editors else None


class PlanPage(QWidget):
    back_to_record = Signal(int)
    closed = Signal()
    print_requested = Signal(int, object)  # resident id, version int / plans.DRAFT / None

    def __init__(self, session: Session, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self.setWindowTitle("Safety plan")  # never a name in a title
        self.resident_id: int | None = None
        self.state: plans.PlanState | None = None
        self.viewing: plans.Which | None = None
        self.template: PlanTemplate | None = None
        self.content: Content = {}
        self.revision = 0
        self.key_worker_id: int | None = None
        self.panels: dict[int, SectionPanel] = {}
        self.dialog: QDialog | None = None
        self.schedule = SaveSchedule()
        self._filling = False
        self._saved_at = ""
        self._saved_by = ""
        self._section = 0
        self._resume: plans.Which | None = None  # what was on screen when locked

        self.back_button = QPushButton("← &Back to record")
        self.back_button.clicked.connect(self.go_back)
        self.heading = QLabel()
        self.heading.setObjectName("heading")
        self.state_chip = QLabel()
        self.state_chip.setObjectName("state_chip")
        self.review_chip = QLabel()
        self.review_chip.setObjectName("review_chip")
        for chip in (self.state_chip, self.review_chip):
            chip.setWordWrap(True)  # wraps on a narrow window rather than widening it
            chip.setTextFormat(Qt.TextFormat.PlainText)
        self.save_status = QLabel()
        self.save_status.setObjectName("muted")
        self.version_combo = QComboBox()
        self.version_combo.setObjectName("version_combo")
        self.version_combo.setAccessibleName("Version shown")
        self.version_combo.setMinimumWidth(250)
        self.version_combo.setToolTip("Which version of the plan to show")
        self.version_combo.currentIndexChanged.connect(self._version_chosen)
        self.version_label = QLabel("&Showing:")
        self.version_label.setBuddy(self.version_combo)

        head = QHBoxLayout()
        head.addWidget(self.back_button)
        head.addSpacing(8)
        head.addWidget(self.heading)
        head.addStretch(1)
        head.addWidget(self.version_label)
        head.addWidget(self.version_combo)
        chips = QHBoxLayout()
        chips.addWidget(self.state_chip)
        chips.addWidget(self.review_chip)
        chips.addWidget(self.save_status)
        chips.addStretch(1)

        self.start_button = self._button("S&tart plan", self.start_plan, primary=True)
        self.edit_button = self._button("&Edit (new draft)", self.edit_plan, primary=True)
        self.fill_button = self._button("&Fill from her record", self.fill_from_record)
        self.finalise_button = self._button("&Agree and finalise…", self.finalise, primary=True)
        self.review_button = self._button("Re&viewed, no changes…", self.mark_reviewed)
        self.compare_button = self._button("&Compare versions…", self.compare)
        self.print_button = self._button("&Print or save…", self.request_print)
        self.discard_button = self._button("&Discard draft…", self.discard_draft)
        self.edit_button.setToolTip("Start a new draft from this version")
        self.fill_button.setToolTip("Fill empty parts from her record; typing is never replaced")
        self.print_button.setToolTip("Print her copy, the staff copy or a discreet copy")
        actions = QHBoxLayout()
        for b in (
            self.start_button,
            self.edit_button,
            self.finalise_button,
            self.fill_button,
            self.review_button,
        ):
            actions.addWidget(b)
        actions.addStretch(1)
        for b in (self.compare_button, self.print_button, self.discard_button):
            actions.addWidget(b)

        self.error_box = ErrorBox()
        self.notice = QLabel()
        self.notice.setObjectName("plan_notice")
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setStyleSheet(
            f"background: {style.ACCENT_SOFT}; border: 1px solid {style.ACCENT};"
            " border-radius: 4px; padding: 5px 8px;"
        )
        self.notice.hide()

        self.sections = QListWidget()
        self.sections.setObjectName("plan_sections")
        self.sections.setAccessibleName("Plan sections")
        self.sections.setMinimumWidth(220)
        self.sections.setMaximumWidth(340)
        self.sections.setWordWrap(True)
        self.sections.setStyleSheet(
            f"QListWidget#plan_sections {{ background: {style.SURFACE}; }}"
            "QListWidget#plan_sections::item { padding: 5px 6px;"
            f" border-bottom: 1px solid {style.BORDER}; }}"
            "QListWidget#plan_sections::item:selected {"
            f" background: {style.ACCENT_SOFT}; color: {style.TEXT};"
            f" border-left: 4px solid {style.ACCENT}; }}"
        )
        self.sections.currentRowChanged.connect(self._section_chosen)
        self.stack = QStackedWidget()
        self.empty_state = QLabel()
        self.empty_state.setObjectName("plan_empty")
        self.empty_state.setWordWrap(True)
        self.empty_state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_state.setStyleSheet(f"color: {style.MUTED}; font-size: 12pt; padding: 30px;")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.sections)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 800])

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(chips)
        layout.addLayout(actions)
        layout.addWidget(self.error_box)
        layout.addWidget(self.notice)
        layout.addWidget(self.empty_state, 1)
        layout.addWidget(self.splitter, 1)

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setSingleShot(True)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self._autosave)
        self.count_timer = QTimer(self)
        self.count_timer.setSingleShot(True)
        self.count_timer.setInterval(COUNT_MS)
        self.count_timer.timeout.connect(self._update_current_count)
        self.notice_timer = QTimer(self)
        self.notice_timer.setSingleShot(True)
        self.notice_timer.setInterval(NOTICE_MS)
        self.notice_timer.timeout.connect(self.notice.hide)

        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self._shortcuts: list[QShortcut] = []
        for keys, slot in (
            (QKeySequence(QKeySequence.StandardKey.Save), self._save_shortcut),
            (QKeySequence("Alt+Up"), lambda: self.move_section(-1)),
            (QKeySequence("Alt+Down"), lambda: self.move_section(1)),
            (QKeySequence("Ctrl+PgUp"), lambda: self.move_section(-1)),
            (QKeySequence("Ctrl+PgDown"), lambda: self.move_section(1)),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(ctx)
            shortcut.activated.connect(slot)
            self._shortcuts.append(shortcut)
        self._show_nothing("")

    def _button(self, text: str, slot: Any, *, primary: bool = False) -> QPushButton:
        button = QPushButton(text)
        if primary:
            button.setObjectName("primary")
        button.clicked.connect(lambda _c=False: slot())
        return button

    # -- loading ---------------------------------------------------------------------------
    def load(self, resident_id: int) -> bool:
        """Show her plan: the open draft if there is one, else the latest version.

        False if it cannot be shown, or if typing on screen could not be saved first (the
        page then stays as it is, with the reason shown).
        """
        if self.has_unsaved_changes() and not self.save_now():
            return False
        self.resident_id = resident_id
        self._section = 0
        self._resume = None
        self.notice.hide()
        ok = self._reload(None)
        if self.splitter.isVisible():
            self.sections.setFocus()
        return ok

    def _reload(self, prefer: plans.Which | None, *, keep_section: bool = False) -> bool:
        assert self.resident_id is not None
        section = self._section if keep_section else 0
        self._stop_timers()
        self.schedule.reset()
        self.error_box.clear_problems()
        self.save_status.clear()
        try:
            with wait_cursor():
                state = plans.get(self.session, self.resident_id)
                resident = residents_service.get(self.session, self.resident_id)
        except UserError as err:
            self._show_nothing("")
            self.heading.setText("Safety plan")
            self.error_box.show_problems([str(err)], "The safety plan cannot be shown:")
            return False
        self.state = state
        self.key_worker_id = resident.key_worker_id
        name = resident.preferred_name.strip() or (resident.full_name.split() or [""])[0]
        self.heading.setText(f"Safety plan · {state.reference}" + (f" · {name}" if name else ""))
        if not state.exists or (state.draft is None and not state.latest_version):
            self._show_nothing(
                "She has no safety plan yet.\n\nStart one with her: it is filled from her "
                "record where it can be (children, safe numbers, languages).\nOr print a "
                "blank plan to fill in by hand."
            )
            return True
        which = prefer
        if which is None or (which == plans.DRAFT and state.draft is None):
            which = plans.DRAFT if state.draft is not None else state.latest_version
        if which != plans.DRAFT and not any(v.number == which for v in state.versions):
            which = state.latest_version
        self._fill_versions(which)
        ok = self._show_which(which)
        self.set_current_section(section)
        return ok

    def _fill_versions(self, which: plans.Which) -> None:
        state = self.state
        assert state is not None
        self.version_combo.blockSignals(True)
        self.version_combo.clear()
        if state.draft is not None:
            self.version_combo.addItem("Draft — not yet agreed", plans.DRAFT)
        for v in sorted(state.versions, key=lambda v: -v.number):
            latest = " (latest)" if v.number == state.latest_version else ""
            agreed = format_date(v.finalised_at[:10])
            self.version_combo.addItem(f"Version {v.number}{latest} — {agreed}", v.number)
        self.version_combo.setCurrentIndex(max(0, self.version_combo.findData(which)))
        self.version_combo.blockSignals(False)

    def _show_which(self, which: plans.Which) -> bool:
        state = self.state
        assert state is not None and self.resident_id is not None
        try:
            if which == plans.DRAFT:
                assert state.draft is not None
                self.template, self.content = state.draft.template, dict(state.draft.content)
                self.revision = state.draft.revision
                self._saved_at, self._saved_by = state.draft.updated_at, state.draft.updated_by
            else:
                self.template, version = plans.version(self.session, self.resident_id, int(which))
                self.content = dict(version.content)
        except UserError as err:
            self.error_box.show_problems([str(err)], "This version cannot be shown:")
            return False
        self.viewing = which
        self._build_sections()
        self._show_state()
        return True

    def _show_nothing(self, message: str) -> None:
        """No plan on screen: the "no plan yet" state (message) or nothing at all ("")."""
        self._drop_panels()
        if not message:
            self.state = None
        self.viewing = None
        self.template = None
        self.content = {}
        self.sections.clear()
        self.version_combo.blockSignals(True)
        self.version_combo.clear()
        self.version_combo.blockSignals(False)
        self.empty_state.setText(message)
        self.empty_state.setVisible(bool(message))
        self.splitter.hide()
        if message:
            _chip(self.state_chip, GREY, "No plan yet")
        else:
            self.state_chip.hide()
        self.review_chip.hide()
        self.save_status.clear()
        self._update_buttons()

    # -- sections --------------------------------------------------------------------------
    def _drop_panels(self) -> None:
        """Empty and let go of every section's widgets (her words must not linger)."""
        self._filling = True
        try:
            for panel in self.panels.values():
                for editor in panel.editors:
                    editor.clear()
        finally:
            self._filling = False
        self.panels = {}
        while self.stack.count():
            w = self.stack.widget(0)
            assert w is not None
            self.stack.removeWidget(w)
            w.setParent(None)
            w.deleteLater()

    def _build_sections(self) -> None:
        template = self.template
        assert template is not None
        self._drop_panels()
        self.sections.blockSignals(True)
        self.sections.clear()
        for s in template.sections:
            item = QListWidgetItem()
            if s.audience is Audience.STAFF:
                item.setBackground(QBrush(QColor(STAFF_TINT)))
                item.setForeground(QBrush(QColor(style.RESTRICTED)))
                item.setToolTip("Staff only: never printed on her copy.")
            self.sections.addItem(item)
            self.stack.addWidget(QWidget())  # placeholder until the section is first shown
        self.sections.blockSignals(False)
        self._update_counts()
        self.empty_state.hide()
        self.splitter.show()

    def _section_text(self, s: TemplateSection, filled: int) -> str:
        staff = "  ·  Staff only" if s.audience is Audience.STAFF else ""
        number = self.template.sections.index(s) + 1 if self.template else 0
        return f"{number}. {s.title}\n{filled} of {len(s.fields)} filled{staff}"

    def _update_counts(self) -> None:
        if self.template is None:
            return
        content = self._collect()
        for i, s in enumerate(self.template.sections):
            filled = sum(not plan_domain.is_empty(f, content.get(f.id)) for f in s.fields)
            item = self.sections.item(i)
            if item is not None:
                item.setText(self._section_text(s, filled))

    def _update_current_count(self) -> None:
        i = self.sections.currentRow()
        if self.template is None or not 0 <= i < len(self.template.sections):
            return
        s = self.template.sections[i]
        panel = self.panels.get(i)
        values = {e.field.id: e.value() for e in panel.editors} if panel else self.content
        filled = sum(not plan_domain.is_empty(f, values.get(f.id)) for f in s.fields)
        item = self.sections.item(i)
        if item is not None:
            item.setText(self._section_text(s, filled))

    def _panel(self, index: int) -> SectionPanel:
        panel = self.panels.get(index)
        if panel is None:
            assert self.template is not None
            self._filling = True
            try:
                panel = SectionPanel(
                    self.template.sections[index], self.content, self.read_only, self
                )
            finally:
                self._filling = False
            placeholder = self.stack.widget(index)
            self.stack.insertWidget(index, panel)
            if placeholder is not None:
                self.stack.removeWidget(placeholder)
                placeholder.deleteLater()
            self.panels[index] = panel
        return panel

    def _section_chosen(self, index: int) -> None:
        if self.template is None or not 0 <= index < len(self.template.sections):
            return
        if self.count_timer.isActive():  # the section being left shows its true count
            self.count_timer.stop()
            self._update_counts()
        self._section = index
        self.stack.setCurrentWidget(self._panel(index))

    def move_section(self, step: int) -> None:
        if self.template is None:
            return
        index = self.sections.currentRow() + step
        if not 0 <= index < self.sections.count():
            return
        keep_list_focus = self.sections.hasFocus()
        self.set_current_section(index)
        first = self.panels[index].first_editor() if index in self.panels else None
        if not keep_list_focus and first is not None:
            first.setFocus()

    def current_section(self) -> int:
        return self._section

    def set_current_section(self, index: int) -> None:
        """Back to the section she was on (after unlock); out-of-range values are ignored."""
        if 0 <= index < self.sections.count():
            self.sections.setCurrentRow(index)
            self._section_chosen(index)

    # -- state shown -----------------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        return self.viewing != plans.DRAFT

    def _show_state(self) -> None:
        state = self.state
        if state is None or self.viewing is None:
            return
        today = self.session.today()
        if self.viewing == plans.DRAFT:
            who = self._saved_by or "someone"
            saved = f" · saved {_when(self._saved_at, today)} by {who}" if self._saved_at else ""
            base = state.draft.base_version if state.draft is not None else 0
            since = f" (changes to version {base})" if base else ""
            _chip(self.state_chip, AMBER, f"Draft — not yet agreed{since}{saved}")
        else:
            info = next(v for v in state.versions if v.number == self.viewing)
            latest = self.viewing == state.latest_version
            text = (
                f"Version {info.number} — agreed {format_date(info.finalised_at[:10])} "
                f"by {info.finalised_by or 'unknown'}"
            )
            if not latest:
                text += f" · older version (latest is {state.latest_version})"
            _chip(self.state_chip, GREEN if latest else GREY, text + " · read only")
        self._show_review(state, today)
        self._update_buttons()

    def _show_review(self, state: plans.PlanState, today: dt.date) -> None:
        if state.review_date is None:
            self.review_chip.hide()
            return
        with_whom = f" with {state.reviewer}" if state.reviewer else ""
        when = format_date(state.review_date)
        days = (state.review_date - today).days
        status = state.review_status(today)
        if status == "overdue":
            late = plural(-days, "day")
            _chip(self.review_chip, RED, f"Review overdue: was due {when} ({late} ago){with_whom}")
        elif status == "due":
            soon = "today" if days == 0 else f"in {plural(days, 'day')}"
            _chip(self.review_chip, AMBER, f"Review due {when} ({soon}){with_whom}")
        else:
            _chip(self.review_chip, GREY, f"Review due {when}{with_whom}")

    def _update_buttons(self) -> None:
        state = self.state
        has_plan = state is not None and self.viewing is not None
        draft = has_plan and self.viewing == plans.DRAFT
        latest = has_plan and state is not None and self.viewing == state.latest_version
        comparable = state is not None and (
            state.latest_version >= 2 or (state.draft is not None and state.latest_version >= 1)
        )
        no_plan = self.resident_id is not None and state is not None and not has_plan
        self.start_button.setVisible(no_plan)
        self.edit_button.setVisible(bool(latest))
        if state is not None and state.draft is not None:
            self.edit_button.setText("&Edit (open the draft)")
        else:
            self.edit_button.setText("&Edit (new draft)")
        self.fill_button.setVisible(draft)
        self.finalise_button.setVisible(draft)
        self.discard_button.setVisible(draft)
        self.review_button.setVisible(bool(latest) and state is not None and state.draft is None)
        self.compare_button.setVisible(has_plan and comparable)
        self.print_button.setVisible(has_plan or no_plan)
        self.print_button.setText("&Print or save…" if has_plan else "&Print a blank plan…")
        self.back_button.setVisible(self.resident_id is not None)
        self.version_label.setVisible(has_plan)
        self.version_combo.setVisible(has_plan)

    def _version_chosen(self, _index: int) -> None:
        which = self.version_combo.currentData()
        if which is None or which == self.viewing:
            return
        if self.has_unsaved_changes() and not self.save_now():
            self._fill_versions(self.viewing if self.viewing is not None else which)
            return
        self._reload(which, keep_section=True)

    # -- typing and saving -----------------------------------------------------------------
    def _touched(self) -> None:
        if self._filling or self.viewing != plans.DRAFT:
            return
        touch = self.schedule.touched(time.monotonic())
        if touch.first:
            self.save_status.setText("Changes not saved yet…")
            self.save_status.setStyleSheet(f"color: {style.MUTED};")
        if touch.save_in_ms is not None:
            self.autosave_timer.start(touch.save_in_ms)
        self.count_timer.start()

    def _collect(self) -> Content:
        content = dict(self.content)
        for panel in self.panels.values():
            for editor in panel.editors:
                content[editor.field.id] = editor.value()
        return content

    def has_unsaved_changes(self) -> bool:
        return self.schedule.dirty and self.viewing == plans.DRAFT

    def typed_content(self) -> Content:
        """What is on screen now (to keep safe when the vault refused to save it)."""
        return self._collect()

    def forget_typing(self) -> None:
        """Drop unsaved typing from the screen; the caller has kept it somewhere safe."""
        self._stop_timers()
        self.schedule.forget()

    def _autosave(self) -> None:
        if not self.schedule.stale:
            self.save_now()

    def _save_shortcut(self) -> None:
        if self.viewing == plans.DRAFT:
            if not self.has_unsaved_changes():
                self.save_status.setText("All changes saved.")
            self.save_now()

    def save_now(self) -> bool:
        """Write the draft to the vault if it has changes. False (with a message) if refused;
        the typing stays on screen either way."""
        if not self.has_unsaved_changes() or self.resident_id is None:
            return True
        self.autosave_timer.stop()
        content = self._collect()
        try:
            self.revision = plans.save_draft(self.session, self.resident_id, content, self.revision)
        except UserError as err:
            self.schedule.refused(stale=isinstance(err, StaleRecord))
            self._save_failed(str(err))
            return False
        self.content = content
        self.schedule.saved()
        self._saved_at = self.session.stamp()
        self._saved_by = self.session.user.full_name
        self.error_box.clear_problems()
        self.save_status.setText("All changes saved.")
        self.save_status.setStyleSheet(f"color: {style.MUTED};")
        self._show_state()
        self._update_counts()
        return True

    def _save_failed(self, message: str) -> None:
        self.error_box.show_problems([message], "Your changes to the plan are not saved:")
        self.save_status.setText("Not saved")
        self.save_status.setStyleSheet(f"color: {style.DANGER}; font-weight: bold;")

    def _stop_timers(self) -> None:
        self.autosave_timer.stop()
        self.count_timer.stop()

    # -- actions ---------------------------------------------------------------------------
    def _run(self, action: Any, intro: str) -> tuple[bool, Any]:
        """Run a service call: (True, its result), or (False, None) with the refusal shown
        as plain sentences."""
        try:
            with wait_cursor():
                return True, action()
        except UserError as err:
            problems = getattr(err, "problems", None) or [str(err)]
            self.error_box.show_problems(list(problems), intro)
            return False, None

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
        if text:
            self.notice_timer.start()

    def start_plan(self) -> bool:
        if self.resident_id is None:
            return False
        rid = self.resident_id
        ok, templates = self._run(lambda: plan_templates.available(self.session), "Not started:")
        if not ok:
            return False
        template_id = None
        if len(templates) > 1:
            answer = self.dialogs.choose(
                self,
                "Which template?",
                "Which safety-plan template should her plan use?",
                [(str(t.id), t.name) for t in templates],
                str(templates[0].id),
            )
            if not answer:
                return False
            template_id = int(answer)
        ok, _state = self._run(
            lambda: plans.start_draft(self.session, rid, template_id), "The plan was not started:"
        )
        if not ok:
            return False
        self._reload(plans.DRAFT)
        if self.template is not None:
            filled = [
                f.label
                for f in self.template.fields()
                if not plan_domain.is_empty(f, self.content.get(f.id))
            ]
            if filled:
                self._say("Started a draft. Filled from her record: " + ", ".join(filled) + ".")
            else:
                self._say("Started a draft. Her record had nothing to fill in yet.")
        return True

    def edit_plan(self) -> bool:
        """From the latest version: open the draft, starting a new one if there is none."""
        if self.resident_id is None or self.state is None:
            return False
        rid = self.resident_id
        if self.state.draft is None:
            base = self.state.latest_version
            ok, _state = self._run(
                lambda: plans.start_draft(self.session, rid), "No new draft was started:"
            )
            if not ok:
                return False
            self._say(f"New draft started from version {base}. Version {base} stays as agreed.")
        self._reload(plans.DRAFT, keep_section=True)
        return True

    def fill_from_record(self) -> bool:
        if self.resident_id is None or self.viewing != plans.DRAFT or self.template is None:
            return False
        rid = self.resident_id
        content = self._collect()
        ok, result = self._run(
            lambda: plans.prefill(self.session, rid, content), "Nothing was filled in:"
        )
        if not ok:
            return False
        if result.content != plan_domain.normalise(self.template, content):
            self.content = result.content
            self._filling = True
            try:
                for panel in self.panels.values():
                    for editor in panel.editors:
                        editor.set_value(self.content.get(editor.field.id))
            finally:
                self._filling = False
            self._touched()
            self.save_now()
            self._update_counts()
        lines = []
        if result.filled:
            lines.append("Filled from her record: " + ", ".join(result.filled) + ".")
        if result.kept:
            lines.append(
                "Kept what is typed in the plan (her record says something different): "
                + ", ".join(result.kept)
                + "."
            )
        if not lines:
            lines.append("Nothing to fill: the parts her record covers are already filled in.")
        self._say("\n".join(lines))
        return True

    def _open(self, dialog: QDialog, done: Any) -> QDialog:
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(done)
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def finalise(self) -> QDialog | None:
        if self.resident_id is None or self.viewing != plans.DRAFT or self.state is None:
            return None
        if not self.save_now():
            return None
        assert self.template is not None
        dialog = FinaliseDialog(
            self.session,
            self.resident_id,
            self.revision,
            self.template,
            self._collect(),
            self.state.latest_version + 1,
            self.key_worker_id,
            self,
        )
        return self._open(dialog, lambda: self._finalised(dialog))

    def _finalised(self, dialog: FinaliseDialog) -> None:
        self.schedule.forget()
        self._reload(None, keep_section=True)
        v = dialog.version
        if v is not None:
            self._say(
                f"Version {v.number} agreed. Next review on {format_date(v.review_date)}. "
                "Print her copy with “Print or save…”."
            )

    def mark_reviewed(self) -> QDialog | None:
        state = self.state
        if self.resident_id is None or state is None or not state.latest_version:
            return None
        dialog = ReviewDialog(
            self.session,
            self.resident_id,
            state.latest_version,
            [state.reviewer_id, self.key_worker_id],
            self,
        )
        return self._open(dialog, self._reviewed)

    def _reviewed(self) -> None:
        self._reload(None, keep_section=True)
        if self.state is not None and self.state.review_date is not None:
            self._say(
                f"Review recorded, no changes. Next review on "
                f"{format_date(self.state.review_date)}."
            )

    def compare(self) -> QDialog | None:
        state = self.state
        if self.resident_id is None or state is None:
            return None
        if not self.save_now():
            return None
        options: list[tuple[str, plans.Which]] = []
        if state.draft is not None:
            options.append(("Draft (not yet agreed)", plans.DRAFT))
        options += [
            (f"Version {v.number}", v.number)
            for v in sorted(state.versions, key=lambda v: -v.number)
        ]
        latest = state.latest_version
        older: plans.Which
        newer: plans.Which
        if self.viewing == plans.DRAFT or (state.draft is not None and self.viewing == latest):
            older, newer = latest, plans.DRAFT
        elif isinstance(self.viewing, int) and self.viewing < latest:
            older, newer = self.viewing, latest
        else:
            older, newer = max(1, latest - 1), latest
        dialog = CompareDialog(self.session, self.resident_id, options, older, newer, self)
        return self._open(dialog, lambda: None)

    def discard_draft(self) -> bool:
        if self.resident_id is None or self.viewing != plans.DRAFT or self.state is None:
            return False
        latest = self.state.latest_version
        kept = f" Version {latest} stays as agreed." if latest else ""
        if not self.dialogs.confirm(
            self,
            "Discard the draft?",
            f"Throw away this draft and everything typed in it? This cannot be undone.{kept}",
        ):
            return False
        rid = self.resident_id
        self._stop_timers()
        ok, _none = self._run(lambda: plans.discard_draft(self.session, rid), "Not discarded:")
        if not ok:
            return False
        self.schedule.forget()
        self._reload(None, keep_section=True)
        self._say("The draft was discarded.")
        return True

    def request_print(self) -> None:
        if self.resident_id is None:
            return
        if self.has_unsaved_changes() and not self.save_now():
            return
        self.print_requested.emit(self.resident_id, self.viewing)

    def go_back(self) -> bool:
        """Save, then back to her record. Stays (with the message) if the save is refused."""
        if self.resident_id is None or not self.save_now():
            return False
        self.back_to_record.emit(self.resident_id)
        return True

    def request_close(self) -> bool:
        if not self.save_now():
            return False
        self.closed.emit()
        return True

    # -- lock / unlock ---------------------------------------------------------------------
    def clear(self) -> None:
        """Forget every resident fact (on lock). Her id and section are kept to come back."""
        self._stop_timers()
        if self.dialog is not None:
            self.dialog.reject()
        if self.viewing is not None:
            self._resume = self.viewing
        self.schedule.forget()
        self.state = None
        self.heading.clear()
        self.error_box.clear_problems()
        self.notice_timer.stop()
        self.notice.clear()
        self.notice.hide()
        self._saved_by = self._saved_at = ""
        self.key_worker_id = None
        self._show_nothing("")
        self.back_button.hide()

    def refresh(self) -> None:
        """Reload the plan that was open (after unlock), unless it holds unsaved typing."""
        if self.resident_id is None or self.has_unsaved_changes():
            return
        self._reload(self.viewing or self._resume, keep_section=True)

"""Risk dialogs: the checklist (entry and read-only), an incident, a MARAC referral."""

from __future__ import annotations

import contextlib
import datetime as dt
import html
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain import risk as rd
from refuge_desk.domain.errors import UserError
from refuge_desk.domain.risk import (
    Answer,
    AnswerEntry,
    Assessment,
    AssessmentInput,
    Checklist,
    Criterion,
    IncidentInput,
    Level,
    Referral,
    ReferralInput,
)
from refuge_desk.services import risk
from refuge_desk.services import staff as staff_service
from refuge_desk.services.session import Session
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import (
    DATE_FORMAT,
    ErrorBox,
    OptionalDateEdit,
    apply_or_show,
    day_of,
    format_date,
    line_edit,
    text_area,
)

LEVEL_STYLE = {
    Level.STANDARD: ("#dcebea", "#1f4f52"),
    Level.MEDIUM: ("#fff0cc", "#6b4200"),
    Level.HIGH: ("#fbe0dd", "#8c1d18"),
}
_KEYS = {Qt.Key.Key_Y: Answer.YES, Qt.Key.Key_N: Answer.NO, Qt.Key.Key_K: Answer.NOT_KNOWN}


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date_edit(day: dt.date, name: str) -> QDateEdit:
    edit = QDateEdit(_qdate(day))
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    edit.setObjectName(name)
    return edit


def _day(edit: QDateEdit) -> dt.date:
    return day_of(edit.date())


def level_badge_style(level: Level | None) -> str:
    soft, strong = (
        LEVEL_STYLE.get(level, ("#eceeed", "#1f2328")) if level else ("#eceeed", "#1f2328")
    )
    return (
        f"background: {soft}; color: {strong}; border: 1px solid {strong}; "
        "border-radius: 4px; padding: 4px 8px; font-weight: bold;"
    )


class _FormDialog(QDialog):
    """OK runs ``_apply``; a refusal is shown inline and what was typed stays."""

    def __init__(self, title: str, ok_label: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)  # never a name: titles can show in task switchers
        self.error = ErrorBox()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = QPushButton(ok_label)
        self.ok_button.setObjectName("primary")
        self.ok_button.setDefault(True)
        self.buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(540)

    def _layout(self, *top: QWidget) -> None:
        layout = QVBoxLayout(self)
        for w in top:
            layout.addWidget(w)
        layout.addWidget(self.error)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def _apply(self) -> None:
        raise NotImplementedError

    def accept(self) -> None:
        if apply_or_show(self.error, self._apply):
            super().accept()


# --- the checklist -----------------------------------------------------------------------


class QuestionRow(QFrame):
    """One question: the words, then Yes / No / Not known in one row and a comment.

    Keyboard: Tab reaches the answers, arrow keys move between them, Y / N / K choose.
    """

    def __init__(self, number: int, question: rd.Question, on_change: Any) -> None:
        super().__init__()
        self.question = question
        self.setObjectName("question_row")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        text = QLabel(f"<b>{number}.</b> {html.escape(question.text)}")
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        if question.help:
            text.setToolTip(question.help)
        self.group = QButtonGroup(self)
        self.buttons: dict[Answer, QRadioButton] = {}
        answers = QHBoxLayout()
        answers.setContentsMargins(0, 0, 0, 0)
        for answer in Answer:
            button = QRadioButton(answer.label)
            button.setObjectName(f"q_{question.id}_{answer.value}")
            button.setToolTip(f"Press {answer.label[0]} to choose")
            self.group.addButton(button)
            self.buttons[answer] = button
            answers.addWidget(button)
        self.comment = line_edit(rd.MAX_COMMENT, "Comment (optional)", f"q_{question.id}_comment")
        self.comment.setAccessibleName(f"Comment on: {question.text}")
        answers.addWidget(self.comment, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(text)
        if question.help:
            hint = QLabel(question.help)
            hint.setObjectName("muted")
            hint.setWordWrap(True)
            layout.addWidget(hint)
        layout.addLayout(answers)
        self.group.buttonToggled.connect(lambda _b, on: on and on_change())
        self.comment.textEdited.connect(lambda _t: on_change())

    def answer(self) -> Answer | None:
        return next((a for a, b in self.buttons.items() if b.isChecked()), None)

    def set_answer(self, answer: Answer | None) -> None:
        if answer is None:
            self.group.setExclusive(False)
            for b in self.buttons.values():
                b.setChecked(False)
            self.group.setExclusive(True)
        else:
            self.buttons[answer].setChecked(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        answer = _KEYS.get(Qt.Key(event.key()))
        if answer is not None and not self.comment.hasFocus():
            self.buttons[answer].setChecked(True)
            self.buttons[answer].setFocus()
            return
        super().keyPressEvent(event)


class ChecklistDialog(QDialog):
    """Enter a risk checklist for one resident. Saving goes through ``risk.add_assessment``.

    Keeps what was typed across a lock: ``draft_payload`` / ``restore_draft``.
    """

    def __init__(
        self,
        session: Session,
        dialogs: Dialogs,
        resident_id: int,
        checklist_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self.resident_id = resident_id
        self.checklist_id = checklist_id or risk.default_checklist_id(session)
        self.checklist: Checklist = risk.checklist(session, self.checklist_id)
        self.thresholds = risk.thresholds(session)
        self.saved: Assessment | None = None
        self._dirty = False
        self._raised_to: Level | None = None
        self.setWindowTitle("Risk checklist")
        self.setMinimumSize(760, 600)

        self.assessed_on = _date_edit(session.today(), "assessed_on")
        self.assessed_on.setMaximumDate(_qdate(session.today()))
        self.asked_by = QComboBox()
        self.asked_by.setObjectName("asked_by")
        try:
            staff = staff_service.list_staff(session)
        except UserError:
            staff = []
        for user in staff:
            if user.active and user.role.sees_case_detail:
                self.asked_by.addItem(user.full_name, user.id)
        self.asked_by.setCurrentIndex(max(0, self.asked_by.findData(session.user.id)))
        self.interpreter = QCheckBox("An interpreter was used")
        self.interpreter.setObjectName("interpreter")
        self.interpreter_note = line_edit(
            200, "Language, and the interpreter's name", "interp_note"
        )
        self.interpreter_note.setAccessibleName("Interpreter: language and name")
        self.interpreter_note.setEnabled(False)
        self.interpreter.toggled.connect(self.interpreter_note.setEnabled)
        self.interpreter.toggled.connect(lambda _on: self._changed())
        self.interpreter_note.textEdited.connect(lambda _t: self._changed())
        self.assessed_on.dateChanged.connect(lambda _d: self._changed())
        self.asked_by.currentIndexChanged.connect(lambda _i: self._changed())

        top = QFormLayout()
        top.addRow("Date asked:", self.assessed_on)
        top.addRow("Asked by:", self.asked_by)
        interp = QHBoxLayout()
        interp.addWidget(self.interpreter)
        interp.addWidget(self.interpreter_note, 1)
        top.addRow("Interpreter:", interp)

        intro = QLabel(
            f"{html.escape(self.checklist.name)} — answer every question: <b>Y</b>es, "
            "<b>N</b>o or Not <b>K</b>nown (the keys work too). The score is the number of "
            "“yes” answers."
        )
        intro.setWordWrap(True)
        self.rows: list[QuestionRow] = []
        body = QWidget()
        body_layout = QVBoxLayout(body)
        for i, q in enumerate(self.checklist.questions, 1):
            row = QuestionRow(i, q, self._changed)
            self.rows.append(row)
            body_layout.addWidget(row)
        body_layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(body)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._follow_focus)

        self.score_label = QLabel()
        self.score_label.setObjectName("score_label")
        self.level_combo = QComboBox()
        self.level_combo.setObjectName("level_combo")
        self.level_combo.currentIndexChanged.connect(lambda _i: self._level_changed())
        self.reason = line_edit(rd.MAX_TEXT, "Why you raised the level (required)", "raise_reason")
        self.reason.textEdited.connect(lambda _t: self._changed())
        judgement = QFormLayout()
        judgement.addRow("Score:", self.score_label)
        judgement.addRow("Level after professional judgement:", self.level_combo)
        judgement.addRow("Reason for raising it:", self.reason)
        note = QLabel("Professional judgement can raise the level, never lower it.")
        note.setObjectName("muted")

        self.error = ErrorBox()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = QPushButton("Save checklist")
        self.save_button.setObjectName("primary")
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        # Enter in a comment must not save half a checklist.
        self.save_button.setAutoDefault(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(intro)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.error)
        layout.addLayout(judgement)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self._update_score()
        self._dirty = False

    # -- state ----------------------------------------------------------------------------
    def _follow_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        body = self.scroll_area.widget()
        if new is not None and body is not None and body.isAncestorOf(new):
            self.scroll_area.ensureWidgetVisible(new, 20, 40)

    def _changed(self) -> None:
        self._dirty = True
        self._update_score()

    def answers(self) -> dict[str, AnswerEntry]:
        out: dict[str, AnswerEntry] = {}
        for row in self.rows:
            answer = row.answer()
            if answer is not None:
                out[row.question.id] = AnswerEntry(answer, row.comment.text())
        return out

    def score(self) -> int:
        return rd.score(self.answers())

    def scored_level(self) -> Level:
        return rd.level_for(self.score(), self.thresholds)

    def chosen_level(self) -> Level:
        data = self.level_combo.currentData()
        return Level(data) if data else self.scored_level()

    def _update_score(self) -> None:
        answered = len(self.answers())
        scored = self.scored_level()
        self.score_label.setText(
            f"{self.score()} of {len(self.rows)} — {scored.words} "
            f"({answered} of {len(self.rows)} answered)"
        )
        self.score_label.setStyleSheet(level_badge_style(scored))
        self.level_combo.blockSignals(True)
        self.level_combo.clear()
        for level in Level:
            if level.rank < scored.rank:
                continue  # never lower: lower levels are not offered
            label = f"{level.words} (as scored)" if level is scored else f"Raise to {level.words}"
            self.level_combo.addItem(label, level.value)
        # Only a level the worker chose to raise to is kept; "as scored" follows the answers.
        raised = self._raised_to
        keep = raised if raised is not None and raised.rank > scored.rank else scored
        self.level_combo.setCurrentIndex(max(0, self.level_combo.findData(keep.value)))
        self.level_combo.blockSignals(False)
        self.reason.setEnabled(self.chosen_level() is not scored)

    def _level_changed(self) -> None:
        self._dirty = True
        chosen = self.chosen_level()
        self._raised_to = chosen if chosen is not self.scored_level() else None
        self.reason.setEnabled(self.chosen_level() is not self.scored_level())
        if self.reason.isEnabled():
            self.reason.setFocus()

    def value(self) -> AssessmentInput:
        raised = self.chosen_level() is not self.scored_level()
        return AssessmentInput(
            checklist_id=self.checklist_id,
            assessed_on=_day(self.assessed_on),
            asked_by_id=self.asked_by.currentData(),
            answers=self.answers(),
            level=self.chosen_level(),
            raised_reason=self.reason.text() if raised else "",
            interpreter=self.interpreter.isChecked(),
            interpreter_note=self.interpreter_note.text(),
        )

    # -- drafts (parked in the vault by the main window on lock) --------------------------
    def has_unsaved_changes(self) -> bool:
        return self._dirty and self.saved is None

    def draft_payload(self) -> dict[str, Any]:
        return {
            "kind": "risk_checklist",
            "resident_id": self.resident_id,
            "checklist_id": self.checklist_id,
            "assessed_on": _day(self.assessed_on).isoformat(),
            "asked_by": self.asked_by.currentData(),
            "interpreter": self.interpreter.isChecked(),
            "interpreter_note": self.interpreter_note.text(),
            "answers": {
                row.question.id: [str(row.answer() or ""), row.comment.text()]
                for row in self.rows
                if row.answer() is not None or row.comment.text()
            },
            "level": self.chosen_level().value,
            "reason": self.reason.text(),
        }

    def restore_draft(self, payload: dict[str, Any]) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self.assessed_on.setDate(_qdate(dt.date.fromisoformat(str(payload["assessed_on"]))))
        index = self.asked_by.findData(payload.get("asked_by"))
        if index >= 0:
            self.asked_by.setCurrentIndex(index)
        self.interpreter.setChecked(bool(payload.get("interpreter")))
        self.interpreter_note.setText(str(payload.get("interpreter_note", "")))
        answers = payload.get("answers", {})
        for row in self.rows:
            answer, comment = ([*list(answers.get(row.question.id, ["", ""])), "", ""])[:2]
            try:
                row.set_answer(Answer(answer) if answer else None)
            except ValueError:
                row.set_answer(None)
            row.comment.setText(str(comment))
        self._update_score()
        try:
            level = Level(payload.get("level", ""))
        except ValueError:
            level = self.scored_level()
        index = self.level_combo.findData(level.value)
        if index >= 0:
            self.level_combo.setCurrentIndex(index)
        self.reason.setText(str(payload.get("reason", "")))
        self._update_score()
        self._dirty = True

    # -- closing --------------------------------------------------------------------------
    def accept(self) -> None:
        def save() -> None:
            self.saved = risk.add_assessment(self.session, self.resident_id, self.value())

        if apply_or_show(self.error, save):
            super().accept()

    def reject(self) -> None:
        if self.has_unsaved_changes() and not self.dialogs.confirm(
            self, "Risk checklist", "Close without saving? The answers given will be lost."
        ):
            return
        super().reject()

    def discard(self) -> None:
        """Close without asking (the lock has parked the draft)."""
        self._dirty = False
        super().reject()


# --- read-only view ----------------------------------------------------------------------


def assessment_html(checklist: Checklist, a: Assessment) -> str:
    e = html.escape
    parts = [
        f"<h3>{e(a.level.words)} — score {a.score} of {len(checklist.questions)}</h3>",
        f"<p>Asked on {e(format_date(a.assessed_on))} by {e(a.asked_by or 'not recorded')}"
        + (f", with an interpreter ({e(a.interpreter_note)})" if a.interpreter else "")
        + f".<br>Thresholds used: medium from {a.thresholds.medium}, high from "
        f"{a.thresholds.high}. Checklist: {e(checklist.name)} (version {checklist.version}).</p>",
    ]
    if a.raised:
        parts.append(
            f"<p><b>Raised by professional judgement</b> from {e(a.scored_level.words.lower())}"
            f": {e(a.raised_reason)}</p>"
        )
    parts.append("<table cellspacing='0' cellpadding='4' border='1' width='100%'>")
    parts.append("<tr><th>#</th><th>Question</th><th>Answer</th><th>Comment</th></tr>")
    for i, q in enumerate(checklist.questions, 1):
        entry = a.answers.get(q.id)
        answer = entry.answer.label if entry else "—"
        bold = entry is not None and entry.answer is Answer.YES
        parts.append(
            f"<tr><td>{i}</td><td>{e(q.text)}</td>"
            f"<td>{'<b>' if bold else ''}{e(answer)}{'</b>' if bold else ''}</td>"
            f"<td>{e(entry.comment if entry else '')}</td></tr>"
        )
    parts.append("</table>")
    return "".join(parts)


class AssessmentViewDialog(QDialog):
    """One past checklist, read-only, in the words it was asked in."""

    def __init__(self, session: Session, assessment_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Risk checklist (read-only)")
        checklist, a = risk.assessment(session, assessment_id)
        self.text = QTextBrowser()
        self.text.setAccessibleName("The assessment")
        self.text.setObjectName("assessment_view")
        self.text.setHtml(assessment_html(checklist, a))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(760, 620)


# --- incidents ---------------------------------------------------------------------------


class IncidentDialog(_FormDialog):
    def __init__(self, session: Session, resident_id: int, parent: QWidget | None = None):
        super().__init__("Add incident", "Save incident", parent)
        self.session = session
        self.resident_id = resident_id
        self.saved: rd.Incident | None = None
        self.occurred_on = _date_edit(session.today(), "occurred_on")
        self.occurred_on.setMaximumDate(_qdate(session.today()))
        self.what = text_area(4, "What happened, in a few sentences", "what_happened")
        self.police = QCheckBox("Reported to the police")
        self.police.setObjectName("reported_to_police")
        self.reference = line_edit(100, "Crime or incident number", "police_reference")
        self.reference.setEnabled(False)
        self.police.toggled.connect(self.reference.setEnabled)
        self.reported_by = line_edit(200, "Who reported it (her, staff, school…)", "reported_by")
        self.form.addRow("Date:", self.occurred_on)
        self.form.addRow("What happened:", self.what)
        self.form.addRow("", self.police)
        self.form.addRow("Police reference:", self.reference)
        self.form.addRow("Reported by:", self.reported_by)
        intro = QLabel("A new incident makes a risk review due now.")
        intro.setObjectName("muted")
        self._layout(intro)

    def _apply(self) -> None:
        self.saved = risk.add_incident(
            self.session,
            self.resident_id,
            IncidentInput(
                _day(self.occurred_on),
                self.what.toPlainText(),
                self.police.isChecked(),
                self.reference.text() if self.police.isChecked() else "",
                self.reported_by.text(),
            ),
        )


# --- MARAC referrals ---------------------------------------------------------------------


class ReferralDialog(_FormDialog):
    """Record a MARAC referral, or edit one later (meeting date, outcome)."""

    def __init__(
        self,
        session: Session,
        resident_id: int,
        referral: Referral | None = None,
        suggested: tuple[Criterion, ...] = (),
        parent: QWidget | None = None,
    ) -> None:
        title = "Edit MARAC referral" if referral else "Record MARAC referral"
        super().__init__(title, "Save referral", parent)
        self.session = session
        self.resident_id = resident_id
        self.referral = referral
        self.saved: Referral | None = None
        r = referral
        self.referred_on = _date_edit(r.referred_on if r else session.today(), "referred_on")
        self.referred_on.setMaximumDate(_qdate(session.today()))
        self.agency = line_edit(200, "Which MARAC (area) or agency", "agency")
        self.criteria: dict[Criterion, QCheckBox] = {}
        criteria_box = QWidget()
        criteria_layout = QVBoxLayout(criteria_box)
        criteria_layout.setContentsMargins(0, 0, 0, 0)
        chosen = r.criteria if r else suggested
        for c in Criterion:
            box = QCheckBox(c.words)
            box.setObjectName(f"criterion_{c.value}")
            box.setChecked(c in chosen)
            self.criteria[c] = box
            criteria_layout.addWidget(box)
        self.meeting_on = OptionalDateEdit()
        self.meeting_on.setObjectName("meeting_on")
        self.outcome = text_area(3, "What the meeting agreed", "outcome")
        self.consent = QRadioButton("She agreed to the information being shared")
        self.consent.setObjectName("consent_yes")
        self.no_consent = QRadioButton("Shared without her consent, on this lawful basis:")
        self.no_consent.setObjectName("consent_no")
        self.lawful_basis = text_area(
            2, "e.g. risk of serious harm to her or the children", "basis"
        )
        self.decided_by = line_edit(200, "Who decided to refer", "decided_by")
        consent_box = QWidget()
        consent_layout = QVBoxLayout(consent_box)
        consent_layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.consent, self.no_consent, self.lawful_basis):
            consent_layout.addWidget(w)
        self.no_consent.toggled.connect(self.lawful_basis.setEnabled)
        if r:
            self.agency.setText(r.agency)
            self.meeting_on.set_value(r.meeting_on)
            self.outcome.setPlainText(r.outcome)
            self.lawful_basis.setPlainText(r.lawful_basis)
            self.decided_by.setText(r.decided_by)
        else:
            self.decided_by.setText(session.user.full_name)
        if r is not None:  # a new referral makes her choose: nothing is assumed
            (self.consent if r.consent else self.no_consent).setChecked(True)
        self.lawful_basis.setEnabled(self.no_consent.isChecked())
        self.form.addRow("Referred on:", self.referred_on)
        self.form.addRow("Referred to:", self.agency)
        self.form.addRow("Criteria:", criteria_box)
        self.form.addRow("Meeting date:", self.meeting_on)
        self.form.addRow("Outcome:", self.outcome)
        self.form.addRow("Sharing:", consent_box)
        self.form.addRow("Decided by:", self.decided_by)
        self._layout()

    def value(self) -> ReferralInput:
        consent = self.consent.isChecked()
        return ReferralInput(
            referred_on=_day(self.referred_on),
            agency=self.agency.text(),
            criteria=tuple(c for c, box in self.criteria.items() if box.isChecked()),
            meeting_on=self.meeting_on.value(),
            outcome=self.outcome.toPlainText(),
            consent=consent,
            lawful_basis="" if consent else self.lawful_basis.toPlainText(),
            decided_by=self.decided_by.text(),
        )

    def _apply(self) -> None:
        if self.referral is None:
            self.saved = risk.add_referral(self.session, self.resident_id, self.value())
        else:
            self.saved = risk.update_referral(self.session, self.referral.id, self.value())

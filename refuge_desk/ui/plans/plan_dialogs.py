"""Dialogs of the safety-plan page: agree and finalise, review with no changes, compare.

They are modal and hold nothing that matters beyond what is on screen: the lock closes them
with reject(), and the plan itself is already saved in the vault before one opens.
"""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain import plans as plan_domain
from refuge_desk.domain.errors import UserError
from refuge_desk.domain.plan_template import Audience, PlanTemplate
from refuge_desk.domain.plans import Content, PlanVersion, SectionChanges
from refuge_desk.services import plans
from refuge_desk.services import staff as staff_service
from refuge_desk.services.session import Session
from refuge_desk.ui.common import style
from refuge_desk.ui.common.forms import (
    DATE_FORMAT,
    ErrorBox,
    apply_or_show,
    day_of,
    label_for,
    plural,
)

CONTEXT_LINES = 2  # unchanged lines shown around a change; longer runs are folded


def reviewer_combo(session: Session, preferred: list[int | None]) -> QComboBox:
    """Active managers and support workers; the first of ``preferred`` on the list is chosen."""
    combo = QComboBox()
    combo.setObjectName("reviewer")
    combo.addItem("No one named", None)
    try:
        staff = staff_service.list_staff(session)
    except UserError:
        staff = []
    for user in staff:
        if user.active and user.role.sees_case_detail:
            combo.addItem(f"{user.full_name} ({user.role.label})", user.id)
    for user_id in preferred:
        if user_id is not None and combo.findData(user_id) >= 0:
            combo.setCurrentIndex(combo.findData(user_id))
            break
    return combo


def review_date_edit(session: Session, default: dt.date) -> QDateEdit:
    edit = QDateEdit(QDate(default.year, default.month, default.day))
    edit.setObjectName("review_date")
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    today = session.today()
    edit.setMinimumDate(QDate(today.year, today.month, today.day).addDays(1))
    edit.setMaximumDate(QDate(today.year, today.month, today.day).addDays(365))
    return edit


class _PlanDialog(QDialog):
    """OK runs ``_apply``; a refusal is shown inline and what was chosen stays."""

    def __init__(self, title: str, ok_label: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)  # never a name: titles can show in task switchers
        self.error = ErrorBox()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = QPushButton(ok_label)
        self.ok_button.setObjectName("primary")
        self.ok_button.setDefault(True)
        self.buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.error)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

    def _apply(self) -> None:
        raise NotImplementedError

    def accept(self) -> None:
        if apply_or_show(
            self.error,
            self._apply,
            check_intro="Not done yet. Please check:",
            refused_intro="Not done:",
        ):
            super().accept()


class FinaliseDialog(_PlanDialog):
    """ "Agree and finalise": the next review date and who reviews it, then freeze."""

    def __init__(
        self,
        session: Session,
        resident_id: int,
        revision: int,
        template: PlanTemplate,
        content: Content,
        next_number: int,
        key_worker_id: int | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Agree and finalise the plan", "&Agree and finalise", parent)
        self.session = session
        self.resident_id = resident_id
        self.revision = revision
        self.version: PlanVersion | None = None
        filled, total = plan_domain.filled_count(template, content)
        staff_only = sum(f.audience is Audience.STAFF for f in template.fields())
        self.intro.setText(
            f"This freezes the draft as version {next_number}: what you agreed with her. "
            "Any later change starts a new draft; this version stays as it is."
        )
        self.summary = QLabel(f"{filled} of {total} parts filled.")
        self.summary.setObjectName("plan_summary")
        self.summary.setStyleSheet("font-weight: bold;")
        note = QLabel(
            f"{plural(staff_only, 'part is', 'parts are')} staff only and never printed "
            "on her copy."
        )
        note.setObjectName("muted")
        self.review_date = review_date_edit(session, plans.default_review_date(session))
        self.reviewer = reviewer_combo(session, [key_worker_id, session.user.id])
        self.form.addRow(self.summary)
        self.form.addRow(note)
        self.form.addRow("Next review on:", self.review_date)
        self.form.addRow("Reviewed with her by:", self.reviewer)

    def _apply(self) -> None:
        self.version = plans.finalise(
            self.session,
            self.resident_id,
            self.revision,
            day_of(self.review_date.date()),
            self.reviewer.currentData(),
        )


class ReviewDialog(_PlanDialog):
    """ "Reviewed, no changes": record the review and set the next date."""

    def __init__(
        self,
        session: Session,
        resident_id: int,
        latest_version: int,
        reviewer_ids: list[int | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Plan reviewed, no changes", "&Record the review", parent)
        self.session = session
        self.resident_id = resident_id
        self.intro.setText(
            f"You went through version {latest_version} with her and nothing needs to change. "
            "This records the review and sets the next one."
        )
        self.review_date = review_date_edit(session, plans.default_review_date(session))
        self.reviewer = reviewer_combo(session, [*reviewer_ids, session.user.id])
        self.note = QPlainTextEdit()
        self.note.setObjectName("review_note")
        self.note.setTabChangesFocus(True)
        self.note.setPlaceholderText("Optional: anything worth noting from the review")
        self.note.setFixedHeight(self.note.fontMetrics().lineSpacing() * 4 + 16)
        self.form.addRow("Next review on:", self.review_date)
        self.form.addRow("Reviewed with her by:", self.reviewer)
        self.form.addRow("Note:", self.note)

    def _apply(self) -> None:
        plans.mark_reviewed(
            self.session,
            self.resident_id,
            day_of(self.review_date.date()),
            self.reviewer.currentData(),
            self.note.toPlainText(),
        )


def _folded(diff: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Keep CONTEXT_LINES of unchanged text around each change; fold the rest to a note."""
    near: set[int] = set()
    for i, (tag, _line) in enumerate(diff):
        if tag != " ":
            near.update(range(i - CONTEXT_LINES, i + CONTEXT_LINES + 1))
    out: list[tuple[str, str]] = []
    skipped = 0
    for i, (tag, line) in enumerate(diff):
        if tag == " " and i not in near:
            skipped += 1
            continue
        if skipped:
            out.append(("…", f"{plural(skipped, 'unchanged line')}"))
            skipped = 0
        out.append((tag, line))
    if skipped:
        out.append(("…", f"{plural(skipped, 'unchanged line')}"))
    return out


_LINE_STYLE = {
    "-": (style.DANGER_SOFT, style.DANGER),
    "+": ("#e3f4e6", "#1e6b2f"),
    " ": (style.SURFACE, style.MUTED),
    "…": (style.SURFACE, style.MUTED),
}


def changes_html(sections: list[SectionChanges]) -> str:
    if not sections:
        return (
            f"<p style='color:{style.MUTED}; font-size:12pt'>No differences: "
            "the two are the same.</p>"
        )
    changed = sum(len(s.changes) for s in sections)
    parts = [
        f"<p style='color:{style.MUTED}'>{plural(changed, 'part')} changed in "
        f"{plural(len(sections), 'section')}.</p>"
    ]
    for s in sections:
        parts.append(f"<h3 style='margin-top:14px'>{html.escape(s.title)}</h3>")
        for change in s.changes:
            badge = ""
            if change.audience is Audience.STAFF:
                badge = (
                    f" <span style='color:{style.RESTRICTED}; background:{style.WARNING_SOFT}'>"
                    "&nbsp;Staff only&nbsp;</span>"
                )
            parts.append(
                f"<p style='margin:6px 0 2px 0'><b>{html.escape(change.label)}</b>{badge}</p>"
            )
            rows = []
            for tag, line in _folded(change.diff()):
                bg, fg = _LINE_STYLE[tag]
                mark = "" if tag == "…" else f"{tag if tag != ' ' else '&nbsp;'}&nbsp;"
                text = html.escape(line) if line else "&nbsp;"
                italic = "font-style:italic;" if tag == "…" else ""
                rows.append(
                    f"<tr><td style='background-color:{bg}; color:{fg}; {italic}"
                    f"white-space:pre-wrap; padding:1px 6px'>{mark}{text}</td></tr>"
                )
            parts.append("<table width='100%' cellspacing='0'>" + "".join(rows) + "</table>")
    return "".join(parts)


class CompareDialog(QDialog):
    """Two versions (or a version and the draft) side by side, change by change."""

    def __init__(
        self,
        session: Session,
        resident_id: int,
        options: list[tuple[str, plans.Which]],
        older: plans.Which,
        newer: plans.Which,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare plan versions")
        self.session = session
        self.resident_id = resident_id
        self.sections: list[SectionChanges] = []
        self.older = QComboBox()
        self.older.setObjectName("older")
        self.newer = QComboBox()
        self.newer.setObjectName("newer")
        for combo, chosen in ((self.older, older), (self.newer, newer)):
            for label, which in options:
                combo.addItem(label, which)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.currentIndexChanged.connect(self.show_changes)
        pick = QHBoxLayout()
        pick.addWidget(label_for("From:", self.older))
        pick.addWidget(self.older, 1)
        pick.addWidget(label_for("to:", self.newer))
        pick.addWidget(self.newer, 1)
        legend = QLabel(
            f"<span style='color:{style.DANGER}'>− removed</span> &nbsp; "
            f"<span style='color:#1e6b2f'>+ added</span> &nbsp; "
            f"<span style='color:{style.MUTED}'>unchanged</span>"
        )
        self.error = ErrorBox()
        self.view = QTextBrowser()
        self.view.setObjectName("changes")
        self.view.setAccessibleName("What changed")
        self.view.setOpenLinks(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(pick)
        layout.addWidget(legend)
        layout.addWidget(self.error)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(760, 600)
        self.show_changes()

    def show_changes(self, *_args: object) -> None:
        self.error.clear_problems()
        try:
            self.sections = plans.compare(
                self.session, self.resident_id, self.older.currentData(), self.newer.currentData()
            )
        except UserError as err:
            self.sections = []
            self.view.clear()
            self.error.show_problems([str(err)])
            return
        self.view.setHtml(changes_html(self.sections))

    def reject(self) -> None:
        self.view.clear()  # nothing of hers stays in a closed dialog
        super().reject()

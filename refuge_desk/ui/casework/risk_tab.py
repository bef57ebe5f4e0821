"""The risk tab of a resident's record: level banner, chart, checklists, incidents, MARAC."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.errors import UserError
from refuge_desk.domain.risk import Point
from refuge_desk.services import risk
from refuge_desk.services.session import Session
from refuge_desk.ui.casework.risk_chart import RiskChart
from refuge_desk.ui.casework.risk_dialogs import (
    AssessmentViewDialog,
    ChecklistDialog,
    IncidentDialog,
    ReferralDialog,
    level_badge_style,
)
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import format_date

IdRole = Qt.ItemDataRole.UserRole


def _table(name: str, headers: list[str], stretch: int, spoken: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setAccessibleName(spoken)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def _fill(table: QTableWidget, rows: list[tuple[int, list[str]]]) -> None:
    table.setRowCount(0)
    table.setRowCount(len(rows))
    for r, (item_id, cells) in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setData(IdRole, item_id)
            item.setToolTip(text if len(text) > 40 else "")
            table.setItem(r, c, item)


def _selected_id(table: QTableWidget) -> int | None:
    items = table.selectedItems()
    return int(items[0].data(IdRole)) if items else None


class RiskTab(QWidget):
    """``load(resident_id)``, ``refresh()``, ``clear()``; ``changed`` after every write."""

    changed = Signal()

    def __init__(self, session: Session, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self.resident_id: int | None = None
        self.overview: risk.Overview | None = None
        self.open_dialog: ChecklistDialog | None = None

        self.banner = QFrame()
        self.banner.setObjectName("risk_banner")
        self.banner.setStyleSheet(
            "QFrame#risk_banner { background: white; border: 1px solid #cfd3d8;"
            " border-radius: 6px; }"
        )
        self.level_label = QLabel()
        self.level_label.setObjectName("risk_level")
        self.detail_label = QLabel()
        self.detail_label.setObjectName("risk_detail")
        self.detail_label.setWordWrap(True)
        self.marac_label = QLabel()
        self.marac_label.setObjectName("risk_marac")
        self.marac_label.setWordWrap(True)
        self.review_label = QLabel()
        self.review_label.setObjectName("risk_review")
        banner_text = QVBoxLayout()
        banner_text.addWidget(self.detail_label)
        banner_text.addWidget(self.marac_label)
        banner_text.addWidget(self.review_label)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.addWidget(self.level_label, 0, Qt.AlignmentFlag.AlignTop)
        banner_layout.addLayout(banner_text, 1)

        self.new_button = QPushButton("New risk &checklist…")
        self.new_button.setObjectName("primary")
        self.incident_button = QPushButton("Add &incident…")
        self.referral_button = QPushButton("Record MARAC &referral…")
        self.new_button.clicked.connect(lambda: self.new_checklist())
        self.incident_button.clicked.connect(lambda: self.add_incident())
        self.referral_button.clicked.connect(lambda: self.add_referral())
        actions = QHBoxLayout()
        actions.addWidget(self.new_button)
        actions.addWidget(self.incident_button)
        actions.addWidget(self.referral_button)
        actions.addStretch(1)

        self.chart = RiskChart()
        self.assessments = _table(
            "risk_history",
            ["Date", "Score", "Level", "Asked by", "Judgement"],
            4,
            "Risk checklists",
        )
        self.assessments.doubleClicked.connect(lambda _i: self.open_assessment())
        self.open_button = QPushButton("&Open checklist…")
        self.open_button.clicked.connect(lambda: self.open_assessment())
        self.incidents = _table(
            "incidents",
            ["Date", "What happened", "Police", "Reported by", "Recorded by"],
            1,
            "Incidents",
        )
        self.referrals = _table(
            "marac_referrals",
            ["Referred", "To", "Criteria", "Meeting", "Outcome", "Sharing", "Decided by"],
            4,
            "MARAC referrals",
        )
        self.referrals.doubleClicked.connect(lambda _i: self.edit_referral())
        self.edit_referral_button = QPushButton("&Edit referral…")
        self.edit_referral_button.clicked.connect(lambda: self.edit_referral())

        self.tabs = QTabWidget()
        self.tabs.addTab(self._with_button(self.chart, None), "Chart")
        self.tabs.addTab(self._with_button(self.assessments, self.open_button), "Checklists")
        self.tabs.addTab(self._with_button(self.incidents, None), "Incidents")
        self.tabs.addTab(
            self._with_button(self.referrals, self.edit_referral_button), "MARAC referrals"
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(actions)
        layout.addWidget(self.tabs, 1)
        self.clear()

    @staticmethod
    def _with_button(widget: QWidget, button: QPushButton | None) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(widget, 1)
        if button is not None:
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(button)
            layout.addLayout(row)
        return box

    # -- the contract ---------------------------------------------------------------------
    def load(self, resident_id: int) -> None:
        self.resident_id = resident_id
        self.refresh()

    def refresh(self) -> None:
        if self.resident_id is None:
            self.clear()
            return
        try:
            ov = risk.overview(self.session, self.resident_id)
        except UserError as err:
            rid = self.resident_id
            self.clear()
            self.resident_id = rid
            self.detail_label.setText(str(err))
            return
        self.overview = ov
        self._show_banner(ov)
        self.chart.set_points(
            [Point(a.assessed_on, a.score, a.level, a.raised) for a in reversed(ov.assessments)],
            ov.thresholds,
            ov.max_score,
        )
        _fill(
            self.assessments,
            [
                (
                    a.id,
                    [
                        format_date(a.assessed_on),
                        str(a.score),
                        a.level.words,
                        a.asked_by,
                        f"Raised from {a.scored_level.label.lower()}: {a.raised_reason}"
                        if a.raised
                        else "",
                    ],
                )
                for a in ov.assessments
            ],
        )
        _fill(
            self.incidents,
            [
                (
                    i.id,
                    [
                        format_date(i.occurred_on),
                        i.what_happened.replace("\n", " "),
                        f"Yes ({i.police_reference})"
                        if i.reported_to_police and i.police_reference
                        else ("Yes" if i.reported_to_police else "No"),
                        i.reported_by,
                        i.created_by,
                    ],
                )
                for i in ov.incidents
            ],
        )
        _fill(
            self.referrals,
            [
                (
                    r.id,
                    [
                        format_date(r.referred_on),
                        r.agency,
                        ", ".join(c.short for c in r.criteria),
                        format_date(r.meeting_on) or "not set",
                        r.outcome.replace("\n", " "),
                        "With consent" if r.consent else f"Without consent: {r.lawful_basis}",
                        r.decided_by,
                    ],
                )
                for r in ov.referrals
            ],
        )
        for w in (self.new_button, self.incident_button, self.referral_button):
            w.setEnabled(True)
        self.open_button.setEnabled(bool(ov.assessments))
        self.edit_referral_button.setEnabled(bool(ov.referrals))

    def clear(self) -> None:
        """Forget everything about the resident (lock, or no resident chosen)."""
        self.resident_id = None
        self.overview = None
        self.level_label.setText("")
        self.level_label.setStyleSheet(level_badge_style(None))
        for label in (self.detail_label, self.marac_label, self.review_label):
            label.clear()
        self.chart.clear()
        for table in (self.assessments, self.incidents, self.referrals):
            table.setRowCount(0)
        for w in (
            self.new_button,
            self.incident_button,
            self.referral_button,
            self.open_button,
            self.edit_referral_button,
        ):
            w.setEnabled(False)

    # -- banner ---------------------------------------------------------------------------
    def _show_banner(self, ov: risk.Overview) -> None:
        today = self.session.today()
        a = ov.latest
        e = html.escape
        if a is None:
            self.level_label.setText("NOT ASSESSED")
            self.level_label.setStyleSheet(level_badge_style(None))
            self.detail_label.setText("No risk checklist has been done with her yet.")
        else:
            self.level_label.setText(a.level.words.upper())
            self.level_label.setStyleSheet(level_badge_style(a.level))
            text = (
                f"Score <b>{a.score}</b> of {ov.max_score} on {e(format_date(a.assessed_on))}"
                f" (asked by {e(a.asked_by or 'not recorded')})."
            )
            if a.raised:
                text += (
                    f"<br>Raised from {e(a.scored_level.words.lower())} by professional "
                    f"judgement: {e(a.raised_reason)}"
                )
            self.detail_label.setText(text)
        flags = ov.flags
        if flags.open:
            items = "".join(f"<li>{e(c.words)}</li>" for c in flags.open)
            self.marac_label.setText(
                f"<b>MARAC referral criteria met</b> (no referral since):<ul style='margin:0'>"
                f"{items}</ul>"
            )
        elif flags.met and flags.last_referral:
            self.marac_label.setText(
                f"MARAC criteria met; referred on {e(format_date(flags.last_referral))}."
            )
        elif flags.last_referral:
            self.marac_label.setText(
                f"Last MARAC referral: {e(format_date(flags.last_referral))}. No criteria open."
            )
        else:
            self.marac_label.setText("No MARAC referral criteria met.")
        review = ov.review
        if review.is_due(today):
            self.review_label.setText(
                f"<b>Risk review due</b> since {e(format_date(review.due_on))}: {e(review.words)}."
            )
        else:
            self.review_label.setText(f"Next risk review due {e(format_date(review.due_on))}.")

    # -- actions --------------------------------------------------------------------------
    def new_checklist(self) -> ChecklistDialog | None:
        """Open the checklist dialog (modal). Returns it (tests drive it via ``open_dialog``)."""
        if self.resident_id is None:
            return None
        try:
            dialog = ChecklistDialog(self.session, self.dialogs, self.resident_id, parent=self)
        except UserError as err:
            self.dialogs.error(self, "Risk checklist", str(err))
            return None
        self.open_dialog = dialog
        try:
            if self.dialogs.run(dialog) and dialog.saved is not None:
                self.refresh()
                self.changed.emit()
        finally:
            self.open_dialog = None
        return dialog

    def open_assessment(self) -> None:
        aid = _selected_id(self.assessments)
        if aid is None:
            return
        try:
            self.dialogs.run(AssessmentViewDialog(self.session, aid, self))
        except UserError as err:
            self.dialogs.error(self, "Risk checklist", str(err))

    def add_incident(self) -> None:
        if self.resident_id is None:
            return
        dialog = IncidentDialog(self.session, self.resident_id, self)
        if self.dialogs.run(dialog) and dialog.saved is not None:
            self.refresh()
            self.changed.emit()

    def add_referral(self) -> None:
        if self.resident_id is None:
            return
        suggested = self.overview.flags.met if self.overview else ()
        dialog = ReferralDialog(self.session, self.resident_id, None, suggested, self)
        if self.dialogs.run(dialog) and dialog.saved is not None:
            self.refresh()
            self.changed.emit()

    def edit_referral(self) -> None:
        rid = _selected_id(self.referrals)
        if rid is None or self.overview is None or self.resident_id is None:
            return
        referral = next((r for r in self.overview.referrals if r.id == rid), None)
        if referral is None:
            return
        dialog = ReferralDialog(self.session, self.resident_id, referral, (), self)
        if self.dialogs.run(dialog) and dialog.saved is not None:
            self.refresh()
            self.changed.emit()

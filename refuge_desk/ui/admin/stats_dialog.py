"""Funder statistics on screen: a date range, the counts, a chart per group, Save CSV…"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.errors import UserError
from refuge_desk.services import stats
from refuge_desk.services.session import Session
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import ErrorBox, label_for

CHARTED = (
    "Referrals",
    "Declined referrals, by reason",
    "First language",
    "Move-on destinations",
)


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(edit: QDateEdit) -> dt.date:
    d = edit.date()
    return dt.date(d.year(), d.month(), d.day())


class StatsDialog(QDialog):
    def __init__(self, session: Session, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        self.setWindowTitle("Funder statistics")
        self.figures: list[stats.Stat] = []
        today = session.today()
        self.start = QDateEdit(
            _qdate(
                today.replace(month=4, day=1)
                if today.month >= 4
                else today.replace(year=today.year - 1, month=4, day=1)
            )
        )
        self.end = QDateEdit(_qdate(today))
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.dateChanged.connect(lambda _d: self.refresh())
        self.error = ErrorBox()
        self.table = QTableWidget(0, 3)
        self.table.setAccessibleName("Figures")
        self.table.setObjectName("stats_table")
        self.table.setHorizontalHeaderLabels(["Group", "Item", "Count"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)
        self.group = QComboBox()
        self.group.setObjectName("chart_group")
        self.group.addItems(CHARTED)
        self.group.currentIndexChanged.connect(lambda _i: self._chart())
        self.chart = QChart()
        self.chart.legend().hide()
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        note = QLabel(
            "Counts only — no names or references. Any count from 1 to 4 is shown as <5 "
            "(and charted as 0), so no woman can be picked out."
        )
        note.setWordWrap(True)
        note.setObjectName("muted")
        self.save_button = QPushButton("Save &CSV…")
        self.save_button.clicked.connect(lambda: self.save_csv())
        close = QPushButton("Close")
        close.clicked.connect(self.reject)

        dates = QHBoxLayout()
        dates.addWidget(label_for("From:", self.start))
        dates.addWidget(self.start)
        dates.addWidget(label_for("to:", self.end))
        dates.addWidget(self.end)
        dates.addStretch(1)
        dates.addWidget(label_for("Chart:", self.group))
        dates.addWidget(self.group)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.chart_view)
        split.setSizes([520, 460])
        buttons = QHBoxLayout()
        buttons.addWidget(note, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(dates)
        layout.addWidget(self.error)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self.resize(1000, 640)
        self.refresh()

    def refresh(self) -> None:
        try:
            self.figures = stats.funder_stats(self.session, _day(self.start), _day(self.end))
        except UserError as exc:
            self.figures = []
            self.error.show_problems(getattr(exc, "problems", None) or [str(exc)])
        else:
            self.error.clear_problems()
        self.table.setRowCount(len(self.figures))
        for row, s in enumerate(self.figures):
            for col, text in enumerate((s.group, s.item, s.shown)):
                item = QTableWidgetItem(text)
                if col == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, col, item)
        self.table.resizeColumnToContents(0)
        self.save_button.setEnabled(bool(self.figures))
        self._chart()

    def chart_values(self) -> list[tuple[str, int]]:
        """(item, charted value) of the chosen group; suppressed counts chart as 0."""
        group = self.group.currentText()
        return [
            (s.item, 0 if s.suppressed else s.value)
            for s in self.figures
            if s.group == group and s.item != "Received"
        ]

    def _chart(self) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        values = list(reversed(self.chart_values()))  # first item at the top
        bars = QBarSet(self.group.currentText())
        for _item, value in values:
            bars.append(value)
        series = QHorizontalBarSeries()
        series.append(bars)
        self.chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append([item for item, _v in values])
        counts = QValueAxis()
        counts.setLabelFormat("%d")
        top = max([v for _i, v in values] + [5])
        counts.setRange(0, top)
        counts.setTickCount(top + 1 if top <= 10 else 6)
        if top > 10:
            counts.applyNiceNumbers()  # round steps such as 0, 5, 10, 15
        self.chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
        self.chart.addAxis(counts, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(categories)
        series.attachAxis(counts)
        self.chart.setTitle(self.group.currentText())

    def save_csv(self) -> bool:
        start, end = _day(self.start), _day(self.end)
        path = self.dialogs.save_file(
            self, "Save statistics", "CSV files (*.csv)", f"statistics-{start}-{end}.csv"
        )
        if path is None:
            return False
        path = path if path.suffix.lower() == ".csv" else Path(f"{path}.csv")
        try:
            stats.export_csv(self.session, start, end, path)
        except UserError as exc:
            self.dialogs.error(self, "Save statistics", str(exc))
            return False
        return True

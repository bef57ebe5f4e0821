"""Score and level over time: a QtCharts line with the two thresholds drawn across it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDateTime, QPointF, Qt, QTime
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QLabel, QStackedLayout, QWidget

from refuge_desk.domain.risk import Level, Point, Thresholds
from refuge_desk.ui.common import style
from refuge_desk.ui.common.forms import qdate

LEVEL_COLOURS = {Level.STANDARD: "#2f6b6f", Level.MEDIUM: "#b06a00", Level.HIGH: style.DANGER}


def _ms(day: dt.date) -> float:
    return float(QDateTime(qdate(day), QTime(12, 0)).toMSecsSinceEpoch())


class RiskChart(QWidget):
    """``set_points`` draws the history; ``clear`` forgets it (lock)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # QtCharts is big: loaded only when a risk chart is first made.
        from PySide6 import QtCharts

        self._charts: Any = QtCharts
        self.chart = QtCharts.QChart()
        self.chart.setMargins(self.chart.margins() * 0)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.view = QtCharts.QChartView(self.chart)
        self.view.setObjectName("risk_chart")
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(200)
        self.empty = QLabel("No risk checklists yet: the chart appears after the first one.")
        self.empty.setObjectName("muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedLayout(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.view)
        self.points: list[Point] = []

    def clear(self) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        self.points = []
        self.stack.setCurrentWidget(self.empty)

    def set_points(self, points: list[Point], thresholds: Thresholds, max_score: int) -> None:
        """``points`` oldest first."""
        self.clear()
        self.points = list(points)
        if not points:
            return
        c = self._charts
        first, last = points[0].assessed_on, points[-1].assessed_on
        if last <= first:
            first, last = first - dt.timedelta(days=14), last + dt.timedelta(days=14)
        pad = max(3, (last - first).days // 20)
        lo, hi = _ms(first - dt.timedelta(days=pad)), _ms(last + dt.timedelta(days=pad))

        score = c.QLineSeries()
        score.setName("Score")
        score.setPen(QPen(QColor(style.TEXT), 2))
        dots: dict[Level, Any] = {}
        for level in Level:
            s = c.QScatterSeries()
            s.setName(level.words)
            s.setMarkerSize(11)
            s.setColor(QColor(LEVEL_COLOURS[level]))
            s.setBorderColor(QColor("white"))
            dots[level] = s
        for p in points:
            score.append(QPointF(_ms(p.assessed_on), p.score))
            dots[p.level].append(QPointF(_ms(p.assessed_on), p.score))
        lines = []
        for value, name, colour in (
            (thresholds.medium, f"Medium: {thresholds.medium}+", LEVEL_COLOURS[Level.MEDIUM]),
            (thresholds.high, f"High: {thresholds.high}+", LEVEL_COLOURS[Level.HIGH]),
        ):
            line = c.QLineSeries()
            line.setName(name)
            pen = QPen(QColor(colour), 1.5)
            pen.setStyle(Qt.PenStyle.DashLine)
            line.setPen(pen)
            line.append(QPointF(lo, value))
            line.append(QPointF(hi, value))
            lines.append(line)

        x = c.QDateTimeAxis()
        x.setFormat("d MMM yy")
        x.setTitleText("Date of checklist")
        x.setRange(QDateTime.fromMSecsSinceEpoch(int(lo)), QDateTime.fromMSecsSinceEpoch(int(hi)))
        x.setTickCount(min(6, max(2, len(points) + 1)))
        y = c.QValueAxis()
        y.setRange(0, max(max_score, thresholds.high + 1, max(p.score for p in points)))
        y.setLabelFormat("%d")
        y.setTitleText("Score")
        self.chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        for series in (*lines, score, *(dots[lv] for lv in Level if dots[lv].count())):
            self.chart.addSeries(series)
            series.attachAxis(x)
            series.attachAxis(y)
        self.stack.setCurrentWidget(self.view)

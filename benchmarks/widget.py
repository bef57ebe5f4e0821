"""The residents list as staff use it: the real ``ResidentsPage``, offscreen, over the bench vault.

Each keystroke or header click is timed from setting the text / sort indicator until one
``QApplication.processEvents()`` returns, so it includes the page's ``reload`` (ids from SQL),
the model reset and the view painting its first screenful (which fetches one page of rows).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt is imported: no window on screen

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication

from refuge_desk.services import residents as residents_service
from refuge_desk.services.session import Session
from refuge_desk.store.residents_repo import ResidentRow
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.style import APP_STYLE
from refuge_desk.ui.common.table_models import ResidentsModel
from refuge_desk.ui.residents.residents_page import STATUS_FILTERS, ResidentsPage

WIDTH, HEIGHT = 1100, 700
ORDERS = (Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder)


@dataclass
class WidgetFigures:
    page_rows_per_fetch: int
    open_ms: float = 0.0
    open_rows: int = 0
    all_rows: int = 0
    search_ms: list[float] = field(default_factory=list)
    search_skipped: int = 0  # prefix equal to the text already in the box: no keystroke
    sort_ms: dict[str, float] = field(default_factory=dict)  # "key asc" -> median
    fetches: int = 0  # pages of rows the view fetched to paint
    count_mismatches: int = 0  # model.rowCount() != len(list_ids(...))
    order_mismatches: int = 0  # first row on screen is not list_ids(...)[0]
    not_reloaded: int = 0  # a keystroke / click that did not reset the model
    not_painted: int = 0  # no paint event on the table, or (with rows) no page fetched
    paints: int = 0  # paint events the table's viewport received


class FetchCounter:
    """Passes ``services.residents.rows_for`` through, counting the pages the view fetches."""

    def __init__(self, real: Callable[[Session, list[int]], list[ResidentRow]]) -> None:
        self.real = real
        self.calls = 0

    def __call__(self, session: Session, ids: list[int]) -> list[ResidentRow]:
        self.calls += 1
        return self.real(session, ids)


class PaintCounter(QObject):
    """Counts paint events on the table's viewport: proof the view really painted."""

    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def _ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000.0


class WidgetBench:
    def __init__(self, session: Session, repeats: int) -> None:
        self.session = session
        self.repeats = repeats
        app = QApplication.instance() or QApplication(["refuge-desk-bench"])
        assert isinstance(app, QApplication)
        app.setStyleSheet(APP_STYLE)
        self.app = app
        self.resets = 0
        self.painter = PaintCounter()
        self.fig = WidgetFigures(page_rows_per_fetch=ResidentsModel.PAGE)

    def run(self, prefixes: list[str]) -> WidgetFigures:
        real = residents_service.rows_for
        counter = FetchCounter(real)
        residents_service.rows_for = counter  # type: ignore[assignment]
        try:
            page = self._open()
            try:
                self._search(page, counter, prefixes)
                self._sort(page, counter)
            finally:
                page.close()
                page.deleteLater()
                self.app.processEvents()
        finally:
            residents_service.rows_for = real  # type: ignore[assignment]
        self.fig.fetches = counter.calls
        self.fig.paints = self.painter.paints
        return self.fig

    def _open(self) -> ResidentsPage:
        holder: list[ResidentsPage] = []

        def build() -> None:
            page = ResidentsPage(self.session, Dialogs())
            page.resize(WIDTH, HEIGHT)
            page.show()
            self.app.processEvents()
            holder.append(page)

        self.fig.open_ms = _ms(build)
        page = holder[0]
        self.fig.open_rows = page.model.rowCount()
        page.model.modelReset.connect(self._count_reset)
        page.view.viewport().installEventFilter(self.painter)
        # All statuses: the whole vault, as in the service-level figures (the default filter,
        # current residents, is a small share of a 20,000-resident history).
        page.status_filter.setCurrentIndex(
            next(i for i, f in enumerate(STATUS_FILTERS) if not f[1])
        )
        self.app.processEvents()
        self.fig.all_rows = page.model.rowCount()
        return page

    def _count_reset(self) -> None:
        self.resets += 1

    def _check(
        self, page: ResidentsPage, counter: FetchCounter, resets: int, fetches: int, paints: int
    ) -> None:
        sort, descending = page.sort_state()
        ids = residents_service.list_ids(
            self.session,
            search=page.search.text(),
            statuses=page.statuses(),
            sort=sort,
            descending=descending,
        )
        fig = self.fig
        fig.count_mismatches += page.model.rowCount() != len(ids)
        fig.order_mismatches += bool(ids) and page.model.id_at(0) != ids[0]
        fig.not_reloaded += self.resets == resets
        fig.not_painted += self.painter.paints == paints or (bool(ids) and counter.calls == fetches)

    def _search(self, page: ResidentsPage, counter: FetchCounter, prefixes: list[str]) -> None:
        for prefix in prefixes:
            if prefix == page.search.text():
                self.fig.search_skipped += 1
                continue
            resets, fetches, paints = self.resets, counter.calls, self.painter.paints

            def keystroke(p: str = prefix) -> None:
                page.search.setText(p)
                self.app.processEvents()

            self.fig.search_ms.append(_ms(keystroke))
            self._check(page, counter, resets, fetches, paints)
        page.search.setText("")
        self.app.processEvents()

    def _sort(self, page: ResidentsPage, counter: FetchCounter) -> None:
        header = page.view.horizontalHeader()
        model = page.model
        # Starts at (Reference, ascending); Desc-then-Asc per column makes every step a change.
        steps = [
            (col, order)
            for col in range(model.columnCount())
            if not page.view.isColumnHidden(col)
            for order in ORDERS
        ]
        samples: dict[str, list[float]] = {}
        for _ in range(self.repeats):
            for col, order in steps:
                resets, fetches, paints = self.resets, counter.calls, self.painter.paints

                def click(c: int = col, o: Qt.SortOrder = order) -> None:
                    header.setSortIndicator(c, o)
                    self.app.processEvents()

                t = _ms(click)
                self._check(page, counter, resets, fetches, paints)
                asc = "asc" if order == Qt.SortOrder.AscendingOrder else "desc"
                samples.setdefault(f"{model.sort_key(col)} {asc}", []).append(t)
        self.fig.sort_ms = {k: statistics.median(v) for k, v in samples.items()}


def measure(session: Session, prefixes: list[str], repeats: int) -> WidgetFigures:
    return WidgetBench(session, repeats).run(prefixes)

"""The residents list: search as you type, status filter, SQL sorting, privacy mode."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.errors import UserError
from refuge_desk.domain.residents import Status
from refuge_desk.services import residents as residents_service
from refuge_desk.services import rooms as rooms_service
from refuge_desk.services.session import Session
from refuge_desk.ui.common import style
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import label_for, plural
from refuge_desk.ui.common.table_models import RecordRole, ResidentsModel

# (label, statuses) for the filter combo; the first is the default.
STATUS_FILTERS: tuple[tuple[str, tuple[Status, ...]], ...] = (
    ("Current (referral + resident)", (Status.REFERRAL, Status.RESIDENT)),
    ("All", ()),
    ("Referral", (Status.REFERRAL,)),
    ("Resident", (Status.RESIDENT,)),
    ("Moved on", (Status.MOVED_ON,)),
    ("Archived", (Status.ARCHIVED,)),
)


class ResidentsTable(QTableView):
    """Enter / Return opens the current row, like a double-click."""

    activated_row = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class RotaCard(QFrame):
    """The rota-level view a relief worker / volunteer may see of one resident."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("rota_card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(260)
        self.name = QLabel()
        self.name.setObjectName("heading")
        self.name.setWordWrap(True)
        self.reference = QLabel()
        self.reference.setObjectName("muted")
        self.room = QLabel()
        self.children_line = QLabel()
        self.alerts = QLabel()
        self.alerts.setWordWrap(True)
        self.alerts.setTextFormat(Qt.TextFormat.PlainText)
        self.alerts.setObjectName("rota_alerts")
        self.placeholder = QLabel("Choose a resident in the list to see her rota card.")
        self.placeholder.setObjectName("muted")
        self.placeholder.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        for w in (
            self.placeholder,
            self.name,
            self.reference,
            self.room,
            self.children_line,
            self.alerts,
        ):
            layout.addWidget(w)
        layout.addStretch(1)
        self.resident_id: int | None = None
        self.clear()

    def show_resident(self, resident_id: int) -> None:
        view = residents_service.rota_view(self.session, resident_id)
        self.resident_id = resident_id
        self.placeholder.hide()
        self.name.setText(view.preferred_name or "(no preferred name)")
        self.reference.setText(f"{view.reference} · {view.status.label}")
        self.room.setText(f"Room: {view.room or 'not assigned'}")
        self.children_line.setText(f"Children with her: {view.children}")
        if view.alerts.strip():
            self.alerts.setText(f"Alerts:\n{view.alerts.strip()}")
            self.alerts.setStyleSheet(f"font-weight: bold; color: {style.DANGER};")
        else:
            self.alerts.setText("No alerts.")
            self.alerts.setStyleSheet(f"color: {style.MUTED};")
        for w in (self.name, self.reference, self.room, self.children_line, self.alerts):
            w.show()

    def clear(self) -> None:
        self.resident_id = None
        for w in (self.name, self.reference, self.room, self.children_line, self.alerts):
            w.clear()
            w.hide()
        self.placeholder.show()


class ResidentsPage(QWidget):
    open_resident = Signal(int)
    new_resident = Signal()

    def __init__(self, session: Session, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialogs = dialogs
        volunteer = not session.role.sees_case_detail

        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.setMaxLength(200)
        self.search.setPlaceholderText(
            "Search preferred name or reference…"
            if volunteer
            else "Search name, alias or reference…"
        )
        self.search.setMinimumWidth(280)
        self.volunteer = volunteer
        self.status_filter = QComboBox()
        # A volunteer's list is the rota (current residents only, enforced in the service):
        # she gets no filter at all rather than choices that would show nothing more.
        for label, _statuses in STATUS_FILTERS[:1] if volunteer else STATUS_FILTERS:
            self.status_filter.addItem(label)
        show_label = label_for("Show:", self.status_filter)
        show_label.setVisible(not volunteer)
        self.status_filter.setVisible(not volunteer)
        self.show_names = QPushButton("Show names")
        self.show_names.setCheckable(True)
        self.show_names.setToolTip(
            "Names are shown as initials so people passing cannot read them. "
            "Press to show full names; press again to hide them."
        )
        self.new_button = QPushButton("New resident")
        self.new_button.setObjectName("primary")
        self.new_button.setVisible(session.role.edits_residents)

        top = QHBoxLayout()
        top.addWidget(label_for("Search:", self.search))
        top.addWidget(self.search, 2)
        top.addSpacing(8)
        top.addWidget(show_label)
        top.addWidget(self.status_filter)
        top.addWidget(self.show_names)
        top.addStretch(1)
        top.addWidget(self.new_button)

        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        self.beds_label = QLabel()
        self.beds_label.setObjectName("muted")
        self.message = QLabel()
        self.message.setObjectName("danger_note")
        self.message.setWordWrap(True)
        self.message.hide()
        legend_icon = QLabel()
        legend_icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(14, 14)
        )
        legend = QLabel("has alerts: point at the reference to read them")
        legend.setObjectName("muted")
        info = QHBoxLayout()
        info.addWidget(self.count_label)
        info.addSpacing(16)
        info.addWidget(legend_icon)
        info.addWidget(legend)
        info.addStretch(1)
        info.addWidget(self.beds_label)

        self.model = ResidentsModel(self, names_visible=not volunteer)
        self.view = ResidentsTable()
        self.view.setAccessibleName("Residents")
        self.view.setModel(self.model)
        self.view.setSortingEnabled(False)  # sorting happens in SQL, see _sort_changed
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(ResidentsModel.COL_REFERENCE, Qt.SortOrder.AscendingOrder)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ResidentsModel.COL_NAME, QHeaderView.ResizeMode.Stretch)
        for col, width in (
            (ResidentsModel.COL_REFERENCE, 100),
            (ResidentsModel.COL_ROOM, 110),
            (ResidentsModel.COL_STATUS, 100),
            (ResidentsModel.COL_KEY_WORKER, 200),
            (ResidentsModel.COL_ARRIVED, 110),
            (ResidentsModel.COL_CHILDREN, 80),
            (ResidentsModel.COL_RISK, 190),
        ):
            self.view.setColumnWidth(col, width)
        self.view.setColumnHidden(ResidentsModel.COL_KEY_WORKER, volunteer)
        self.view.setColumnHidden(ResidentsModel.COL_ARRIVED, volunteer)
        self.view.setColumnHidden(ResidentsModel.COL_RISK, volunteer)

        self.rota_card = RotaCard(session) if volunteer else None
        body = QHBoxLayout()
        body.addWidget(self.view, 1)
        if self.rota_card is not None:
            body.addWidget(self.rota_card)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(info)
        layout.addWidget(self.message)
        layout.addLayout(body, 1)

        self.search.textChanged.connect(self.reload)
        self.status_filter.currentIndexChanged.connect(self.reload)
        self.show_names.toggled.connect(lambda on: self.model.set_privacy(not on))
        header.sortIndicatorChanged.connect(self._sort_changed)
        self.view.doubleClicked.connect(self._open_index)
        self.view.activated_row.connect(self._open_row)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.new_button.clicked.connect(lambda: self.new_resident.emit())
        self.setWindowTitle("Residents")
        self.refresh()

    # -- data -----------------------------------------------------------------------------
    def sort_state(self) -> tuple[str, bool]:
        header = self.view.horizontalHeader()
        column = header.sortIndicatorSection()
        if not 0 <= column < self.model.columnCount():
            column = ResidentsModel.COL_REFERENCE
        return (
            self.model.sort_key(column),
            header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder,
        )

    def statuses(self) -> tuple[Status, ...]:
        if self.volunteer:
            return STATUS_FILTERS[0][1]
        return STATUS_FILTERS[max(0, self.status_filter.currentIndex())][1]

    def reload(self) -> None:
        sort, descending = self.sort_state()
        try:
            ids = residents_service.list_ids(
                self.session,
                search=self.search.text(),
                statuses=self.statuses(),
                sort=sort,
                descending=descending,
            )
        except UserError as err:
            self.model.clear()
            self._show_message(str(err))
            self.count_label.clear()
            return
        self.message.hide()
        session = self.session
        self.model.set_ids(ids, lambda chunk: residents_service.rows_for(session, chunk))
        self.count_label.setText(plural(len(ids), "resident"))
        if self.rota_card is not None:
            self.rota_card.clear()

    def _update_beds(self) -> None:
        try:
            beds, used = rooms_service.totals(self.session)
        except UserError:
            self.beds_label.clear()
            return
        if beds == 0:
            self.beds_label.setText("Beds: no rooms set up yet")
        elif used > beds:
            self.beds_label.setText(f"Beds: {used} used of {beds}, {used - beds} over capacity")
        else:
            self.beds_label.setText(f"Beds: {used} used, {beds - used} free")

    def refresh(self) -> None:
        self._update_beds()
        self.reload()

    def clear(self) -> None:
        """Forget every resident fact (on lock). Privacy mode goes back on."""
        self.model.clear()
        # setText resets the undo history; clear() is undoable, so undo() would bring the
        # typed name back after unlock.
        self.search.blockSignals(True)
        self.search.setText("")
        self.search.blockSignals(False)
        self.show_names.setChecked(False)
        self.model.set_privacy(True)
        self.count_label.clear()
        self.beds_label.clear()
        self.message.hide()
        if self.rota_card is not None:
            self.rota_card.clear()

    # -- events ---------------------------------------------------------------------------
    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _sort_changed(self, _column: int, _order: Qt.SortOrder) -> None:
        self.reload()

    def _open_index(self, index: QModelIndex) -> None:
        self._open_row(index.row())

    def _open_row(self, row: int) -> None:
        rid = self.model.id_at(row)
        if rid is not None:
            self.open_resident.emit(rid)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self.rota_card is None:
            return
        rid = current.data(RecordRole) if current.isValid() else None
        if rid is None:
            self.rota_card.clear()
            return
        try:
            self.rota_card.show_resident(int(rid))
        except UserError as err:
            self.rota_card.clear()
            self._show_message(str(err))

    def selected_id(self) -> int | None:
        index = self.view.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

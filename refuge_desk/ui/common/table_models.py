"""Table models: rows in a Python list, replaced whole by ``set_rows``. Sorting is done in SQL."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import QAbstractItemView, QApplication, QStyle, QTableView

from refuge_desk.domain.errors import UserError
from refuge_desk.domain.residents import RoomOccupancy, Status, initials
from refuge_desk.domain.staff import StaffUser
from refuge_desk.services.residents import ResidentRow
from refuge_desk.ui.common import style
from refuge_desk.ui.common.forms import format_date
from refuge_desk.ui.common.style import DANGER

RecordRole = Qt.ItemDataRole.UserRole + 1

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class RowsModel(QAbstractTableModel, Generic[T]):
    """Base: subclasses set HEADERS and implement ``display`` and ``record_id``."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[T] = []

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, index.column())
        if role == RecordRole:
            return self.record_id(row)
        return self.extra(row, index.column(), role)

    def display(self, row: T, column: int) -> str:
        raise NotImplementedError

    def record_id(self, row: T) -> int | None:
        raise NotImplementedError

    def extra(self, row: T, column: int, role: int) -> Any:
        return None

    def id_at(self, row: int) -> int | None:
        return self.record_id(self.rows[row]) if 0 <= row < len(self.rows) else None

    def row_of(self, record_id: int) -> int:
        for i, row in enumerate(self.rows):
            if self.record_id(row) == record_id:
                return i
        return -1


class PagedRowsModel(RowsModel[T]):
    """Rows fetched a page at a time as the table scrolls (Qt's canFetchMore/fetchMore)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.total = 0
        self._fetch_from: Callable[[int], Sequence[T]] | None = None  # offset -> next page

    def reset(self, total: int, fetch_from: Callable[[int], Sequence[T]]) -> None:
        self.beginResetModel()
        self.rows, self.total, self._fetch_from = [], total, fetch_from
        self.endResetModel()
        if self.canFetchMore(_ROOT):
            self.fetchMore(_ROOT)

    def clear(self) -> None:
        self.beginResetModel()
        self.rows, self.total, self._fetch_from = [], 0, None
        self.endResetModel()

    def canFetchMore(self, parent: Index = _ROOT) -> bool:
        return not parent.isValid() and self._fetch_from is not None and len(self.rows) < self.total

    def fetchMore(self, parent: Index = _ROOT) -> None:
        if not self.canFetchMore(parent) or self._fetch_from is None:
            return
        more = list(self._fetch_from(len(self.rows)))
        if not more:
            self.total = len(self.rows)
            return
        first = len(self.rows)
        self.beginInsertRows(_ROOT, first, first + len(more) - 1)
        self.rows += more
        self.endInsertRows()


def _alert_icon() -> QIcon:
    return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)


_CENTRE = int(Qt.AlignmentFlag.AlignCenter)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


Fetch = Callable[[list[int]], list[ResidentRow]]


class ResidentsModel(RowsModel[ResidentRow]):
    """Lazy: holds the ordered ids from SQL and fetches rows a page at a time when shown.

    Building 20,000 full rows per keystroke costs ~30 ms in Python; ids cost a few, and a
    view only ever asks for the rows on screen.
    """

    PAGE = 200

    (
        COL_REFERENCE,
        COL_NAME,
        COL_ROOM,
        COL_STATUS,
        COL_KEY_WORKER,
        COL_ARRIVED,
        COL_CHILDREN,
        COL_RISK,
    ) = range(8)
    HEADERS = ("Reference", "Name", "Room", "Status", "Key worker", "Arrived", "Children", "Risk")
    # Column -> services.residents.list_residents(sort=...) key.
    SORT_KEYS = (
        "reference",
        "name",
        "room",
        "status",
        "key_worker",
        "arrived",
        "children",
        "risk",
    )

    def __init__(self, parent: Any = None, *, names_visible: bool = True) -> None:
        self._ids: list[int] = []
        self._pages: dict[int, dict[int, ResidentRow]] = {}
        self._fetch: Fetch | None = None
        super().__init__(parent)
        self.privacy = True
        # False for a volunteer's session: the Name column shows her preferred name only.
        self.names_visible = names_visible

    # -- lazy rows ------------------------------------------------------------------------
    def set_ids(self, ids: list[int], fetch: Fetch) -> None:
        self.beginResetModel()
        self._ids = list(ids)
        self._pages = {}
        self._fetch = fetch
        self.endResetModel()

    @property
    def rows(self) -> list[ResidentRow]:
        """Every row (fetches all pages: for tests and small lists, not for painting)."""
        return [r for i in range(len(self._ids)) if (r := self.row_at(i)) is not None]

    @rows.setter
    def rows(self, rows: list[ResidentRow]) -> None:
        rows = list(rows)
        self._ids = [r.id for r in rows]
        by_id = {r.id: r for r in rows}
        self._pages = {p: by_id for p in range(len(rows) // self.PAGE + 1)}
        self._fetch = None

    def row_at(self, row: int) -> ResidentRow | None:
        if not 0 <= row < len(self._ids):
            return None
        page = row // self.PAGE
        cached = self._pages.get(page)
        if cached is None:
            chunk = self._ids[page * self.PAGE : (page + 1) * self.PAGE]
            try:
                found = self._fetch(chunk) if self._fetch is not None else []
            except UserError:
                return None  # locked or gone: paint nothing rather than fail in paint
            cached = self._pages[page] = {r.id: r for r in found}
        return cached.get(self._ids[row])

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == RecordRole:
            return self.id_at(index.row())
        row = self.row_at(index.row())
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, index.column())
        return self.extra(row, index.column(), role)

    def id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, record_id: int) -> int:
        try:
            return self._ids.index(record_id)
        except ValueError:
            return -1

    def set_privacy(self, on: bool) -> None:
        self.privacy = on
        if self._ids:
            top = self.index(0, self.COL_NAME)
            bottom = self.index(len(self._ids) - 1, self.COL_NAME)
            self.dataChanged.emit(top, bottom, [Qt.ItemDataRole.DisplayRole])

    def sort_key(self, column: int) -> str:
        if column == self.COL_NAME and not self.names_visible:
            return "preferred_name"
        return self.SORT_KEYS[column]

    def name_of(self, row: ResidentRow) -> str:
        name = (row.full_name if self.names_visible else row.preferred_name).strip()
        if not name:
            return "—"
        return initials(name) if self.privacy else name

    def display(self, row: ResidentRow, column: int) -> str:
        c = column
        if c == self.COL_REFERENCE:
            return row.reference
        if c == self.COL_NAME:
            return self.name_of(row)
        if c == self.COL_ROOM:
            return row.room
        if c == self.COL_STATUS:
            return Status(row.status).label
        if c == self.COL_KEY_WORKER:
            return row.key_worker if self.names_visible else ""
        if c == self.COL_ARRIVED:
            return format_date(row.arrival_date)
        if c == self.COL_CHILDREN:
            return str(row.children) if row.children else ""
        if c == self.COL_RISK:
            return row.risk
        return ""

    def record_id(self, row: ResidentRow) -> int:
        return row.id

    def extra(self, row: ResidentRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.COL_CHILDREN:
            return _CENTRE
        if (
            role == Qt.ItemDataRole.ToolTipRole
            and row.alerts
            and column in (self.COL_REFERENCE, self.COL_NAME)
        ):
            return "Alerts:\n" + row.alerts
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column == self.COL_RISK
            and row.risk.startswith("High")
        ):
            return QColor(DANGER)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_RISK and row.risk:
            return (
                "Latest risk checklist level. MARAC: a referral criterion is met and not yet "
                "referred. review: a risk review is due."
            )
        if role == Qt.ItemDataRole.DecorationRole and row.alerts and column == self.COL_REFERENCE:
            return _alert_icon()
        return None


class RoomsModel(RowsModel[RoomOccupancy]):
    COL_ROOM, COL_BEDS, COL_OCCUPIED, COL_FREE, COL_ACCESSIBLE, COL_NOTES = range(6)
    HEADERS = ("Room", "Beds", "Occupied", "Free", "Accessible", "Notes")

    def display(self, row: RoomOccupancy, column: int) -> str:
        c = column
        if c == self.COL_ROOM:
            return row.room.name
        if c == self.COL_BEDS:
            return str(row.room.beds)
        if c == self.COL_OCCUPIED:
            return str(row.occupied)
        if c == self.COL_FREE:
            return f"0 ({row.over} over)" if row.over else str(row.free)
        if c == self.COL_ACCESSIBLE:
            return "Yes" if row.room.accessible else "No"
        if c == self.COL_NOTES:
            return row.room.notes.splitlines()[0] if row.room.notes else ""
        return ""

    def record_id(self, row: RoomOccupancy) -> int | None:
        return row.room.id

    def extra(self, row: RoomOccupancy, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            self.COL_BEDS,
            self.COL_OCCUPIED,
            self.COL_FREE,
        ):
            return _RIGHT
        if row.over and column in (self.COL_OCCUPIED, self.COL_FREE):
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(style.DANGER_SOFT))
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(style.DANGER))
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Over capacity by {row.over}."
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_NOTES and row.room.notes:
            return row.room.notes
        return None


class StaffModel(RowsModel[StaffUser]):
    COL_USERNAME, COL_FULL_NAME, COL_ROLE, COL_ACTIVE, COL_TO_DO = range(5)
    HEADERS = ("User name", "Full name", "Role", "Active", "Still to do")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        # services/staff.status: what an account still needs after a 0.1 vault's move to
        # keys per account ("will make her own keys when she next signs in", ...).
        self.to_do: dict[int, str] = {}

    def set_rows(self, rows: Sequence[StaffUser], to_do: dict[int, str] | None = None) -> None:
        self.to_do = dict(to_do or {})
        super().set_rows(rows)

    def display(self, row: StaffUser, column: int) -> str:
        c = column
        if c == self.COL_USERNAME:
            return row.username
        if c == self.COL_FULL_NAME:
            return row.full_name
        if c == self.COL_ROLE:
            return row.role.label
        if c == self.COL_ACTIVE:
            return "Active" if row.active else "Disabled"
        if c == self.COL_TO_DO:
            text = self.to_do.get(row.id, "")
            return text[:1].upper() + text[1:]
        return ""

    def record_id(self, row: StaffUser) -> int:
        return row.id

    def extra(self, row: StaffUser, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and not row.active:
            return QBrush(QColor(style.MUTED))
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_TO_DO:
            return self.display(row, column) or None
        return None


def read_only_rows(view: QAbstractItemView) -> None:
    """A list to choose one row from: whole rows, one at a time, never edited in place."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    if isinstance(view, QTableView):
        view.verticalHeader().hide()

"""A lazily loaded table of dossiers: pages are fetched in the background as the view scrolls,
so a database of a million dossiers opens instantly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush

from app.core.clock import vn_now
from app.core.deadlines import DeadlineClock, DeadlineState
from app.ui.lifecycle import deadline_view
from app.ui.ops import TaskRunner

PAGE_SIZE = 200
COLUMNS = ("Mã hồ sơ", "Chủ hồ sơ", "Thủ tục", "Ngày nhận", "Hẹn trả", "Trạng thái", "Hạn xử lý")
DUE_COLUMN, DEADLINE_COLUMN = 4, 6

PageFetcher = Callable[[int, int], list[Any]]  # (offset, limit) -> summaries, newest first
Counter = Callable[[], int]
Index = QModelIndex | QPersistentModelIndex


def _datetime_vi(value: datetime | None) -> str:
    return value.strftime("%d/%m/%Y %H:%M") if value else ""


class DossierListModel(QAbstractTableModel):
    """Rows are ``DossierSummary`` objects; ``set_source`` swaps the query and starts over."""

    total_changed = Signal(int)
    loading_changed = Signal(bool)

    def __init__(self, runner: TaskRunner, now: Callable[[], datetime] = vn_now) -> None:
        super().__init__()
        self._runner = runner
        self._now = now
        self._rows: list[Any] = []
        self._fetch: PageFetcher | None = None
        self._generation = 0
        self._exhausted = True
        self._loading = False
        self.total: int | None = None
        # Until the calendar is loaded (in the background) only "overdue" and "paused" are known.
        self._clock: DeadlineClock | None = None

    # -- query -------------------------------------------------------------------------------
    def set_source(self, fetch_page: PageFetcher, count: Counter | None = None) -> None:
        """Show the results of a new query; stale pages of the old one are ignored."""
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._fetch = fetch_page
        self._exhausted = False
        self._loading = False
        self.total = None
        self.endResetModel()
        if count is not None:
            generation = self._generation
            self._runner.run_db(count, lambda n: self._on_count(generation, n))
        self.fetchMore(QModelIndex())

    def set_clock(self, clock: DeadlineClock) -> None:
        """The moment and working-day bound the deadline column is computed against."""
        self._clock = clock
        if self._rows:
            self.dataChanged.emit(self.index(0, DUE_COLUMN), self.index(len(self._rows) - 1, DEADLINE_COLUMN))

    def deadline_at(self, row: int) -> DeadlineState | None:
        summary = self.summary_at(row)
        return None if summary is None else self._deadline(summary)

    def _deadline(self, row: Any) -> DeadlineState:
        clock = self._clock
        if clock is None:
            now = self._now()
            clock = DeadlineClock(now, now)
        return clock.state(row.status, row.due_at)

    def refresh(self) -> None:
        if self._fetch is not None:
            self.set_source(self._fetch)

    def summary_at(self, row: int) -> Any | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    @property
    def loading(self) -> bool:
        return self._loading

    def _on_count(self, generation: int, total: int) -> None:
        if generation == self._generation:
            self.total = total
            self.total_changed.emit(total)

    # -- lazy loading ------------------------------------------------------------------------
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        if not self.canFetchMore(parent) or self._fetch is None:
            return
        self._loading = True
        self.loading_changed.emit(True)
        generation, offset, fetch = self._generation, len(self._rows), self._fetch
        self._runner.run_db(lambda: fetch(offset, PAGE_SIZE),
                            lambda page: self._on_page(generation, page),
                            lambda error: self._on_page_failed(generation, error))

    def _on_page(self, generation: int, page: list[Any]) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self.loading_changed.emit(False)
        if len(page) < PAGE_SIZE:
            self._exhausted = True
        if page:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)  # last is inclusive
            self._rows.extend(page)
            self.endInsertRows()

    def _on_page_failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self._loading = False
            self._exhausted = True
            self.loading_changed.emit(False)
            raise error  # reaches the application's single error handler

    # -- table -------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            return row.procedure_name
        if column not in (DUE_COLUMN, DEADLINE_COLUMN):
            return None
        state = self._deadline(row)
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = deadline_view.colour(state)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return deadline_view.TOOLTIPS_VI.get(state)
        if role == Qt.ItemDataRole.DecorationRole and column == DEADLINE_COLUMN:
            return deadline_view.icon(state)
        if role == Qt.ItemDataRole.UserRole:
            return state.value
        return None

    def _display(self, row: Any, column: int) -> str:
        if column == DEADLINE_COLUMN:
            return deadline_view.label(self._deadline(row))
        values = (
            row.code,
            row.applicant_name,
            row.procedure_name,
            _datetime_vi(row.received_at),
            _datetime_vi(row.due_at),
            row.status.label_vi,
        )
        return values[column]

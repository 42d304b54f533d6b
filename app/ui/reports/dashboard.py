"""The supervisors' dashboard: the period's figures (each opens into its dossiers), charts, the
deadline panel, and the monthly report (PDF with the charts as shown, spreadsheet).

Every database call runs on the task runner's worker (``app.ui.ops``); the window only draws.
Needs ``VIEW_REPORTS`` (the services refuse anyone else; the menu hides the entry).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCharts import QChartView
from PySide6.QtCore import QBuffer, QByteArray, QDate, QIODevice, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.clock import vn_now, vn_today
from app.core.errors import MotCuaError
from app.services.admin import auth
from app.services.context import AppContext
from app.services.reports import deadlines, monthly
from app.services.reports.indicators import FIGURE_LABELS_VI, FIGURES, FULL_MARKS, Period
from app.ui.ops import TaskRunner
from app.ui.reports import charts
from app.ui.reports.figure_list import FigureDossiersDialog

ALL_FIELDS = "Tất cả lĩnh vực"
GROUP_KEYS = (("on_time", "Đúng hạn"), ("digitised_components", "Số hóa TPHS"), ("reused", "Tái sử dụng"))
#: Short names on the chart's axis (the table beside it has the full ones).
RATES_SHOWN = {"on_time": "Đúng hạn", "online": "Trực tuyến", "synced": "Đồng bộ DVCQG",
               "digitised_components": "Số hóa TPHS", "digitised_results": "Số hóa kết quả",
               "reused": "Tái sử dụng", "paid_online": "Thanh toán TT", "satisfied": "Hài lòng"}


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def png_of(view: QWidget) -> bytes:
    """The widget as shown, as PNG bytes (for the PDF report)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    view.grab().save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


class DashboardWindow(QWidget):
    def __init__(self, ctx: AppContext, runner: TaskRunner, officer: auth.Officer,
                 parent: QWidget | None = None, *, today: date | None = None,
                 now: Callable[[], datetime] = vn_now) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.officer, self._now = ctx, runner, officer, now
        self.setWindowTitle("Bảng điều khiển — chỉ số chất lượng phục vụ")
        self.resize(1360, 860)
        self.data: monthly.Dashboard | None = None
        self.watch: deadlines.DeadlineWatch | None = None
        self.chart_views: list[QChartView] = []
        self.figure_dialog: FigureDossiersDialog | None = None
        self.last_export: Path | None = None
        today = today or vn_today()
        self._build(today)
        self.refresh()

    # -- construction -------------------------------------------------------------------------
    def _build(self, today: date) -> None:
        self.first = QDateEdit(_qdate(today.replace(day=1)))
        self.last = QDateEdit(_qdate(today))
        for edit in (self.first, self.last):
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setCalendarPopup(True)
        self.field = QComboBox()
        self.field.addItem(ALL_FIELDS)
        self.refresh_button = QPushButton("Cập nhật")
        self.refresh_button.clicked.connect(self.refresh)
        self.pdf_button = QPushButton("Xuất báo cáo PDF…")
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        self.xlsx_button = QPushButton("Xuất Excel…")
        self.xlsx_button.clicked.connect(lambda: self.export_xlsx())
        bar = QHBoxLayout()
        for widget in (QLabel("Từ ngày"), self.first, QLabel("đến ngày"), self.last, QLabel("Lĩnh vực"),
                       self.field, self.refresh_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.pdf_button)
        bar.addWidget(self.xlsx_button)
        self.status = QLabel("")
        self.received = QLabel("")
        self.received.setStyleSheet("font-size: 15px; font-weight: bold;")

        self.table = QTableWidget(len(FIGURES), 5)
        self.table.setHorizontalHeaderLabels(["Chỉ số", "Số hồ sơ", "Trên tổng", "Tỷ lệ", "Mức tối đa"])
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setToolTip("Nhấn đúp một chỉ số để xem danh sách hồ sơ")
        self.table.cellDoubleClicked.connect(lambda row, _col: self.open_figure(FIGURES[row]))

        self.deadline_tabs = QTabWidget()
        self.overdue, self.due_today, self.due_tomorrow = QListWidget(), QListWidget(), QListWidget()
        for widget, title in ((self.overdue, "Quá hạn"), (self.due_today, "Đến hạn hôm nay"),
                              (self.due_tomorrow, "Đến hạn ngày mai")):
            self.deadline_tabs.addTab(widget, title)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.received)
        left_layout.addWidget(self.table, 3)
        left_layout.addWidget(QLabel("<b>Theo dõi hạn giải quyết</b>"))
        left_layout.addWidget(self.deadline_tabs, 2)

        self.group_by = QComboBox()
        self.group_by.addItems(["Theo lĩnh vực", "Theo cán bộ tiếp nhận"])
        self.group_by.currentIndexChanged.connect(lambda _i: self._draw_charts())
        self.chart_grid = QGridLayout()
        charts_box = QWidget()
        charts_layout = QVBoxLayout(charts_box)
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.group_by)
        charts_layout.addLayout(top)
        charts_layout.addLayout(self.chart_grid, 1)
        for index in range(2):
            self.chart_grid.setRowStretch(index, 1)
            self.chart_grid.setColumnStretch(index, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(charts_box)
        splitter.setSizes([560, 800])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

    # -- data -----------------------------------------------------------------------------------
    def period(self) -> Period:
        field = self.field.currentText()
        return Period(_pydate(self.first.date()), _pydate(self.last.date()),
                      field=None if field == ALL_FIELDS else field)

    def refresh(self) -> None:
        ctx, officer, period, now = self.ctx, self.officer, self.period(), self._now()

        def load() -> tuple[monthly.Dashboard, deadlines.DeadlineWatch, list[str]]:
            from app.services.reception.catalogue import list_procedures

            fields = sorted({p.field for p in list_procedures(ctx) if p.field})
            return monthly.dashboard(ctx, officer, period), deadlines.watch(ctx, officer, now), fields

        self.status.setText("Đang tính các chỉ số…")
        self.refresh_button.setEnabled(False)
        self.runner.run_db(load, self._show, self._failed)

    def _show(self, loaded: tuple[monthly.Dashboard, deadlines.DeadlineWatch, list[str]]) -> None:
        self.data, self.watch, fields = loaded
        self.refresh_button.setEnabled(True)
        if self.field.count() == 1:
            self.field.addItems(fields)
        figures = self.data.figures
        ch = figures.by_channel
        self.received.setText(f"Hồ sơ tiếp nhận: {figures.received} (trực tiếp {ch['1']}, "
                              f"trực tuyến {ch['2']}, bưu chính {ch['3']})")
        for row, name in enumerate(FIGURES):
            ratio = figures.ratios[name]
            mark = FULL_MARKS.get(name)
            cells = [FIGURE_LABELS_VI[name], str(ratio.num), str(ratio.den), _percent(ratio.percent),
                     "" if mark is None else f"≥ {mark:.0f} %"]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column == 3 and mark is not None and ratio.percent is not None and ratio.percent < mark:
                    item.setForeground(QColor("#c62828"))
                self.table.setItem(row, column, item)
        self._fill_deadlines()
        self._draw_charts()
        self.status.setText(f"Đã cập nhật lúc {self._now():%H:%M} ngày {self._now():%d/%m/%Y}.")

    def _fill_deadlines(self) -> None:
        assert self.watch is not None
        for index, (widget, items, title) in enumerate((
                (self.overdue, self.watch.overdue, "Quá hạn"),
                (self.due_today, self.watch.today, "Đến hạn hôm nay"),
                (self.due_tomorrow, self.watch.tomorrow, "Đến hạn ngày mai"))):
            widget.clear()
            for d in items:
                widget.addItem(f"{d.code} — hạn {d.due_at:%H:%M %d/%m/%Y} — {d.procedure_name} ({d.officer})")
            self.deadline_tabs.setTabText(index, f"{title} ({len(items)})")

    def _draw_charts(self) -> None:
        if self.data is None:
            return
        while self.chart_grid.count():
            item = self.chart_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        figures = self.data.figures
        ratios = figures.ratios
        groups_source = self.data.by_field if self.group_by.currentIndex() == 0 else self.data.by_officer
        groups = {name: {key: (g.ratios[key].percent or 0.0) for key, _label in GROUP_KEYS}
                  for name, g in groups_source.items()}
        self.chart_views = [
            charts.received_per_day(self.data.per_day),
            charts.timeliness(ratios["on_time"].num, ratios["early"].num, ratios["late"].num),
            charts.rates_against_marks([(label, ratios[k].percent or 0.0, FULL_MARKS.get(k))
                                        for k, label in RATES_SHOWN.items()]),
            charts.rates_by_group("Tỷ lệ (%) " + self.group_by.currentText().lower(), groups, GROUP_KEYS),
        ]
        for index, view in enumerate(self.chart_views):
            self.chart_grid.addWidget(view, index // 2, index % 2)

    def _failed(self, error: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        text = (error.message_vi if isinstance(error, MotCuaError)
                else "Không tính được các chỉ số (xem nhật ký).")
        self.status.setText(f"<span style='color:#c62828'>{text}</span>")

    # -- drill-down and export --------------------------------------------------------------------
    def open_figure(self, figure: str) -> FigureDossiersDialog:
        self.figure_dialog = FigureDossiersDialog(self.ctx, self.runner, self.officer, self.period(), figure,
                                                  self)
        self.figure_dialog.show()
        return self.figure_dialog

    def export_pdf(self, path: Path | None = None) -> None:
        if self.data is None:
            return
        path = path or self._ask("bao-cao-chi-so.pdf", "PDF (*.pdf)")
        if path is None:
            return
        images = [png_of(view) for view in self.chart_views]
        ctx, officer, period, figures = self.ctx, self.officer, self.data.period, self.data.figures
        self._export(lambda: monthly.write_pdf(ctx, officer, period, figures, path, images))

    def export_xlsx(self, path: Path | None = None) -> None:
        if self.data is None:
            return
        path = path or self._ask("bao-cao-chi-so.xlsx", "Excel (*.xlsx)")
        if path is None:
            return
        ctx, officer, period, figures = self.ctx, self.officer, self.data.period, self.data.figures
        self._export(lambda: monthly.write_xlsx(ctx, officer, period, figures, path))

    def _ask(self, name: str, kinds: str) -> Path | None:
        chosen, _filter = QFileDialog.getSaveFileName(self, "Lưu báo cáo", name, kinds)
        return Path(chosen) if chosen else None

    def _export(self, work: Callable[[], Any]) -> None:
        self.status.setText("Đang xuất báo cáo…")

        def done(path: Path) -> None:
            self.last_export = path
            self.status.setText(f"Đã lưu báo cáo: {path}")

        self.runner.run_db(work, done, self._failed)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %".replace(".", ",")

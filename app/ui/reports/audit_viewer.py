"""The audit viewer: who did what, on which dossier, when; filters; tampered rows shown in red.

A row whose content no longer matches its hash, or that no longer follows the row stored before it,
is listed like the others with a red background and says why; a banner above the table tells where
the whole chain first breaks (as ``motcua verify`` does). Nothing is hidden.
"""

from __future__ import annotations

import json
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.clock import vn_today
from app.core.errors import MotCuaError
from app.services import auth
from app.services.context import AppContext
from app.services.reports import audit_view
from app.ui.ops import TaskRunner

ANY = "Tất cả"
BROKEN = QColor("#ffcdd2")
COLUMNS = ("Số", "Thời điểm", "Cán bộ", "Thao tác", "Mã hồ sơ", "Chi tiết", "Tình trạng")


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class AuditViewer(QWidget):
    def __init__(self, ctx: AppContext, runner: TaskRunner, officer: auth.Officer,
                 parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.officer = ctx, runner, officer
        self.setWindowTitle("Nhật ký kiểm tra (audit)")
        self.resize(1180, 700)
        self.page: audit_view.AuditPage | None = None
        today = today or vn_today()
        self.who = QComboBox()
        self.what = QComboBox()
        for combo in (self.who, self.what):
            combo.addItem(ANY, None)
            combo.setMinimumWidth(150)
        self.dossier = QLineEdit()
        self.dossier.setPlaceholderText("mã hồ sơ")
        self.dossier.returnPressed.connect(self.refresh)
        self.use_period = QCheckBox("Từ ngày")
        self.first = QDateEdit(QDate(today.year, today.month, 1))
        self.last = QDateEdit(QDate(today.year, today.month, today.day))
        for edit in (self.first, self.last):
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setCalendarPopup(True)
        self.search = QPushButton("Lọc")
        self.search.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        for widget in (QLabel("Cán bộ"), self.who, QLabel("Thao tác"), self.what, self.dossier,
                       self.use_period, self.first, QLabel("đến"), self.last, self.search):
            bar.addWidget(widget)
        bar.addStretch(1)
        self.banner = QLabel("")
        self.banner.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.status = QLabel("")
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self.refresh()

    def query(self) -> audit_view.AuditQuery:
        period = self.use_period.isChecked()
        return audit_view.AuditQuery(
            officer=self.who.currentData(), action=self.what.currentData(),
            dossier_code=self.dossier.text().strip() or None,
            first=_pydate(self.first.date()) if period else None,
            last=_pydate(self.last.date()) if period else None)

    def refresh(self) -> None:
        ctx, officer, query = self.ctx, self.officer, self.query()
        self.status.setText("Đang tải và kiểm tra chuỗi nhật ký…")
        self.runner.run_db(lambda: audit_view.browse(ctx, officer, query, limit=500), self._show,
                           self._failed)

    def _fill_combo(self, combo: QComboBox, values: list[str], label: object) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(ANY, None)
        for value in values:
            combo.addItem(label(value), value)  # type: ignore[operator]
        index = combo.findData(current)
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def _show(self, page: audit_view.AuditPage) -> None:
        self.page = page
        self._fill_combo(self.who, page.officers, str)
        self._fill_combo(self.what, page.actions, audit_view.action_label)
        if page.chain.ok:
            self.banner.setText(f"<span style='color:#2e7d32'>Chuỗi nhật ký toàn vẹn ({page.chain.rows} "
                                "dòng đã kiểm tra).</span>")
            self.banner.setStyleSheet("")
        else:
            self.banner.setText(f"<b>CẢNH BÁO: chuỗi nhật ký bị phá vỡ tại dòng số "
                                f"{page.chain.first_bad_id}</b> ({_reason_vi(page.chain.reason)}). "
                                "Nhật ký đã bị sửa hoặc xóa ngoài ứng dụng; các dòng có nền đỏ là dòng "
                                "không còn khớp.")
            self.banner.setStyleSheet("background:#ffebee; color:#b71c1c; padding:6px;")
        self.table.setRowCount(len(page.lines))
        for row, line in enumerate(page.lines):
            e = line.entry
            details = json.dumps(e.details, ensure_ascii=False, sort_keys=True) if e.details else ""
            state = "Toàn vẹn" if line.intact else "; ".join(
                text for ok, text in ((line.content_ok, "nội dung đã bị sửa"),
                                      (line.link_ok, "mất liên kết với dòng trước")) if not ok)
            for column, text in enumerate((str(e.id), f"{e.at:%d/%m/%Y %H:%M:%S}", e.officer,
                                           audit_view.action_label(e.action), e.dossier_code or "", details,
                                           state)):
                item = QTableWidgetItem(text)
                if not line.intact:
                    item.setBackground(BROKEN)
                if column == 0:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        broken = sum(1 for line in page.lines if not line.intact)
        self.status.setText(f"{len(page.lines)} dòng" + (f", {broken} dòng không khớp." if broken else "."))

    def broken_rows(self) -> list[int]:
        return [] if self.page is None else [line.entry.id for line in self.page.lines if not line.intact]

    def _failed(self, error: BaseException) -> None:
        text = (error.message_vi if isinstance(error, MotCuaError)
                else "Không đọc được nhật ký (xem nhật ký lỗi).")
        self.status.setText(f"<span style='color:#c62828'>{text}</span>")


def _reason_vi(reason: str) -> str:
    if "content" in reason:
        return "nội dung dòng không khớp mã băm"
    if "prev_hash" in reason:
        return "dòng không nối tiếp dòng trước (có dòng bị xóa hoặc đổi chỗ)"
    return reason

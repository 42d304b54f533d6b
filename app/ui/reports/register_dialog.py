"""Exporting the dossier register (Sổ theo dõi hồ sơ) from the desktop: the same as ``motcua register``.

Period, optional field, procedure and receiving officer, the format (PDF, Excel, CSV) and the file;
the export runs on the task runner's worker with a progress bar (rows written / rows in the period).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.clock import vn_today
from app.core.errors import MotCuaError
from app.services import auth
from app.services.context import AppContext
from app.services.reports import register
from app.services.reports.indicators import Period
from app.ui.ops import TaskRunner

FORMATS = (("PDF (khổ A4 ngang)", "pdf"), ("Bảng tính Excel (.xlsx)", "xlsx"), ("CSV (UTF-8)", "csv"))
ALL = "Tất cả"


class _Progress(QObject):
    """Carries the worker's progress to the GUI thread (queued signal)."""

    moved = Signal(object)


class RegisterDialog(QDialog):
    def __init__(self, ctx: AppContext, runner: TaskRunner, officer: auth.Officer,
                 parent: QWidget | None = None, *, today: date | None = None,
                 fields: list[str] | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.officer = ctx, runner, officer
        self.setWindowTitle("Sổ theo dõi hồ sơ — xuất sổ")
        self.resize(560, 330)
        self.written: register.WrittenRegister | None = None
        today = today or vn_today()
        self.first = QDateEdit(QDate(today.year, today.month, 1))
        self.last = QDateEdit(QDate(today.year, today.month, today.day))
        for edit in (self.first, self.last):
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setCalendarPopup(True)
        self.field = QComboBox()
        self.field.addItem(ALL)
        self.field.addItems(fields or [])
        self.procedure = QLineEdit()
        self.procedure.setPlaceholderText("mã TTHC, vd 1.001193 (để trống: tất cả)")
        self.officer_name = QLineEdit()
        self.officer_name.setPlaceholderText("tài khoản cán bộ tiếp nhận (để trống: tất cả)")
        self.kind = QComboBox()
        for label, kind in FORMATS:
            self.kind.addItem(label, kind)
        self.kind.currentIndexChanged.connect(lambda _i: self._fix_suffix())
        self.path = QLineEdit(str(Path.home() / f"so-theo-doi-ho-so-{today:%Y-%m}.pdf"))
        browse = QPushButton("Chọn…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Nhận từ ngày", self.first)
        form.addRow("đến ngày", self.last)
        form.addRow("Lĩnh vực", self.field)
        form.addRow("Thủ tục", self.procedure)
        form.addRow("Cán bộ tiếp nhận", self.officer_name)
        form.addRow("Định dạng", self.kind)
        form.addRow("Lưu vào tệp", path_row)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("Xuất sổ", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Sổ theo dõi hồ sơ</b> (Mẫu 06 — TT 01/2018; Mẫu 07 — TT 03/2025, "
                                "theo bộ biểu mẫu của từng hồ sơ)"))
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._signals = _Progress()
        self._signals.moved.connect(self._moved)

    def _fix_suffix(self) -> None:
        path = Path(self.path.text().strip() or "so-theo-doi-ho-so")
        self.path.setText(str(path.with_suffix("." + self.kind.currentData())))

    def _browse(self) -> None:
        kind = self.kind.currentData()
        chosen, _f = QFileDialog.getSaveFileName(self, "Lưu sổ theo dõi hồ sơ", self.path.text(), f"*.{kind}")
        if chosen:
            self.path.setText(chosen)

    def period(self) -> Period:
        first, last = self.first.date(), self.last.date()
        field = self.field.currentText()
        return Period(date(first.year(), first.month(), first.day()),
                      date(last.year(), last.month(), last.day()),
                      field=None if field == ALL else field,
                      procedure_code=self.procedure.text().strip() or None,
                      officer=self.officer_name.text().strip() or None)

    def export(self) -> None:
        ctx, officer, period = self.ctx, self.officer, self.period()
        out = Path(self.path.text().strip())
        signals = self._signals
        self.export_button.setEnabled(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.message.setText("Đang xuất sổ…")

        def work() -> register.WrittenRegister:
            return register.export(ctx, officer, period, out, progress=lambda done, total: signals.moved.emit(
                (done, total)))

        self.runner.run_db(work, self._done, self._failed)

    def _moved(self, step: tuple[int, int]) -> None:
        done, total = step
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _done(self, written: register.WrittenRegister) -> None:
        self.written = written
        self.export_button.setEnabled(True)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        pages = f", {written.pages} trang" if written.pages else ""
        self.message.setText(f"Đã xuất {written.rows} hồ sơ{pages} vào tệp {written.path}")

    def _failed(self, error: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.progress.setVisible(False)
        text = error.message_vi if isinstance(error, MotCuaError) else "Không xuất được sổ (xem nhật ký)."
        self.message.setText(f"<span style='color:#c62828'>{text}</span>")

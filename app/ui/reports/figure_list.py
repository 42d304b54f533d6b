"""The dossiers behind one figure of the dashboard (its numerator, or its denominator)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QRadioButton,
    QVBoxLayout,
)

from app.core.errors import MotCuaError
from app.services import auth
from app.services.context import AppContext
from app.services.reports import indicators
from app.services.reports.indicators import FIGURE_LABELS_VI, Period
from app.ui.ops import TaskRunner

LIMIT = 5000


class FigureDossiersDialog(QDialog):
    def __init__(self, ctx: AppContext, runner: TaskRunner, officer: auth.Officer, period: Period,
                 figure: str, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.ctx, self.runner, self.officer, self.period, self.figure = ctx, runner, officer, period, figure
        self.setWindowTitle(f"Hồ sơ: {FIGURE_LABELS_VI.get(figure, figure)}")
        self.resize(460, 520)
        self.codes: list[str] = []
        self.numerator = QRadioButton("Hồ sơ được tính (tử số)")
        self.denominator = QRadioButton("Tất cả hồ sơ xét (mẫu số)")
        self.numerator.setChecked(True)
        self.numerator.toggled.connect(lambda _on: self.load())
        self.list = QListWidget()
        self.summary = QLabel("")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        choice = QHBoxLayout()
        choice.addWidget(self.numerator)
        choice.addWidget(self.denominator)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{FIGURE_LABELS_VI.get(figure, figure)}</b> — "
                                f"{period.first:%d/%m/%Y} đến {period.last:%d/%m/%Y}"))
        layout.addLayout(choice)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)
        self.load()

    def load(self) -> None:
        part = "num" if self.numerator.isChecked() else "den"
        ctx, officer, period, figure = self.ctx, self.officer, self.period, self.figure
        self.summary.setText("Đang tải…")
        self.runner.run_db(lambda: indicators.figure_codes(ctx, officer, period, figure, part, limit=LIMIT),
                           self._show, self._failed)

    def _show(self, codes: list[str]) -> None:
        self.codes = codes
        self.list.clear()
        self.list.addItems(codes)
        more = " (chỉ hiện 5000 hồ sơ đầu)" if len(codes) >= LIMIT else ""
        self.summary.setText(f"{len(codes)} hồ sơ{more}.")

    def _failed(self, error: BaseException) -> None:
        text = error.message_vi if isinstance(error, MotCuaError) else "Không tải được danh sách."
        self.summary.setText(text)

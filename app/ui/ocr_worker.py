"""Reading stored pages in the background, with a progress bar in the status bar.

Scanning, batches and result hand-backs store their PDFs first; this reads them afterwards, one PDF
per task on the worker pool (``app.services.ocr.background``), so the counter never waits for OCR.
It looks for unread PDFs at start-up, every :data:`POLL_MS` and whenever :meth:`OcrBackground.kick`
is called (after a scan or a batch), and shows "Đọc chữ trên trang: n/N" while it works. Closing
the window stops it between two pages. ``MOTCUA_AUTO_OCR=0`` keeps it off.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QProgressBar, QWidget

from app.core.progress import CancelToken
from app.services.context import AppContext
from app.services.ocr.background import read_backlog, unread_count
from app.services.ocr.prefill import auto_ocr_enabled
from app.ui.ops import TaskRunner

POLL_MS = 60_000


class OcrBackground(QObject):
    """``finished_round(int)``: a round of reading ended, with how many PDFs it read."""

    finished_round = Signal(int)

    def __init__(self, ctx: AppContext, runner: TaskRunner, parent: QWidget, *,
                 enabled: bool | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.enabled = auto_ocr_enabled() if enabled is None else enabled
        self.bar = QProgressBar(parent)
        self.bar.setObjectName("ocrProgress")
        self.bar.setMaximumWidth(260)
        self.bar.setFormat("Đọc chữ trên trang: %v/%m")
        self.bar.setToolTip("Nhận dạng chữ trên các trang đã quét để tìm kiếm được (chạy nền)")
        self.bar.hide()
        self.cancel = CancelToken()
        self._busy = False
        self._read = 0
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.kick)
        if self.enabled:
            self.timer.start()
            QTimer.singleShot(2_000, self.kick)

    def kick(self) -> None:
        """Look for unread PDFs now (nothing happens if a round is running)."""
        if not self.enabled or self._busy or self.cancel.cancelled:
            return
        self._busy = True
        self._read = 0
        ctx = self.ctx
        self.runner.run_db(lambda: unread_count(ctx), self._start, self._failed)

    def _start(self, total: int) -> None:
        if total == 0 or self.cancel.cancelled:
            self._busy = False
            return
        self.bar.setRange(0, total)
        self.bar.setValue(0)
        self.bar.show()
        self._next()

    def _next(self) -> None:
        ctx, cancel = self.ctx, self.cancel
        self.runner.run_work(lambda: read_backlog(ctx, limit=1, cancel=cancel), self._one_done, self._failed)

    def _one_done(self, outcomes: list[Any]) -> None:
        if not outcomes or self.cancel.cancelled:
            self._end()
            return
        self._read += len(outcomes)
        self.bar.setMaximum(max(self.bar.maximum(), self._read))  # PDFs stored meanwhile
        self.bar.setValue(self._read)
        self._next()

    def _failed(self, _error: BaseException) -> None:
        self._end()

    def _end(self) -> None:
        self._busy = False
        self.bar.hide()
        self.finished_round.emit(self._read)

    def close(self) -> None:
        self.timer.stop()
        self.cancel.cancel()

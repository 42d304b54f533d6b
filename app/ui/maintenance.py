"""Help → "Thu thập thông tin chẩn đoán…" and the daily backup run from the main window.

The scheduled backup (:func:`app.services.backup.run_scheduled_backup`) is tried a few seconds
after start-up and then every hour on the TaskRunner's work pool (it reads the database through its
own connection, so the database worker stays free); it only does something when a backup folder
is set and the last backup is 24 hours old. A failure is logged and shown once in the status bar
and a message box; the next hour tries again.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox

from app.core.clock import vn_now
from app.services import backup as backup_service
from app.services.context import AppContext
from app.services.diagnostics import DiagnosticsResult, collect_diagnostics
from app.ui.ops import TaskRunner

log = logging.getLogger(__name__)

BACKUP_EVERY_MS = 60 * 60 * 1000
FIRST_BACKUP_AFTER_MS = 5_000


class Maintenance(QObject):
    def __init__(self, window: QMainWindow, ctx: AppContext, runner: TaskRunner, help_menu: QMenu) -> None:
        super().__init__(window)
        self.window, self.ctx, self.runner = window, ctx, runner
        self.backup_running = False
        self._backup_error_shown = False
        self.diagnostics_action = QAction("Thu thập thông tin chẩn đoán…", window)
        self.diagnostics_action.triggered.connect(lambda: self.collect_diagnostics())
        help_menu.addAction(self.diagnostics_action)
        self.backup_timer = QTimer(self)
        self.backup_timer.setInterval(BACKUP_EVERY_MS)
        self.backup_timer.timeout.connect(self.run_scheduled_backup)
        self.backup_timer.start()
        self._first = QTimer(self)
        self._first.setSingleShot(True)
        self._first.timeout.connect(self.run_scheduled_backup)
        self._first.start(FIRST_BACKUP_AFTER_MS)

    # -- diagnostics -----------------------------------------------------------------------------
    def collect_diagnostics(self, path: Path | None = None) -> None:
        if path is None:
            suggested = Path.home() / f"motcua-chan-doan-{vn_now():%Y%m%d-%H%M}.zip"
            chosen, _filter = QFileDialog.getSaveFileName(self.window, "Lưu thông tin chẩn đoán",
                                                          str(suggested), "Tệp nén (*.zip)")
            if not chosen:
                return
            path = Path(chosen)
        ctx = self.ctx
        self.runner.run_work(lambda: collect_diagnostics(ctx, path), self._diagnostics_saved,
                             self.window.show_error)  # type: ignore[attr-defined]

    def _diagnostics_saved(self, result: DiagnosticsResult) -> None:
        self.window.statusBar().showMessage(f"Đã lưu thông tin chẩn đoán vào {result.path}", 10_000)
        QMessageBox.information(self.window, "MotCua Desk",
                                f"Đã lưu thông tin chẩn đoán vào:\n{result.path}\n\nTệp không chứa dữ liệu "
                                "cá nhân (số CCCD, điện thoại, thư điện tử đã được che); hãy gửi tệp này cho "
                                "bộ phận hỗ trợ.")

    # -- the daily backup ------------------------------------------------------------------------
    def run_scheduled_backup(self) -> None:
        if self.runner.closed:  # the window is closing: the timer must not outlive the workers
            self.backup_timer.stop()
            return
        if self.backup_running:
            return
        self.backup_running = True
        ctx = self.ctx
        self.runner.run_work(lambda: backup_service.run_scheduled_backup(ctx, vn_now()),
                             self._backup_done, self._backup_failed)

    def _backup_done(self, result: backup_service.BackupResult | None) -> None:
        self.backup_running = False
        self._backup_error_shown = False
        if result is not None:
            self.window.statusBar().showMessage(f"Đã sao lưu tự động vào {result.folder}", 15_000)

    def _backup_failed(self, error: BaseException) -> None:
        self.backup_running = False
        log.error("scheduled backup failed", exc_info=error)
        message = getattr(error, "message_vi", "") or "lỗi không mong muốn (chi tiết trong nhật ký)"
        self.window.statusBar().showMessage(f"Sao lưu tự động không thành công: {message}", 60_000)
        if not self._backup_error_shown:
            self._backup_error_shown = True
            QMessageBox.warning(self.window, "MotCua Desk", f"Sao lưu tự động không thành công: {message}")

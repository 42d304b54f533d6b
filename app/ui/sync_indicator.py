"""The sync indicator in the status bar, and the wiring of the sync into the main window.

:class:`SyncIndicator` shows, from ``app.services.sync.sync_state``: online or offline, the items
waiting, the last successful sync (dd/mm/yyyy HH:MM) and the items in error, with a coloured dot;
a click opens the sync centre. :class:`SyncUi` puts it in the status bar, refreshes it every
:data:`REFRESH_MS` (the query runs on the database worker) and after every run, runs the background
sync (:class:`~app.ui.sync_worker.SyncController`) and adds the "Đồng bộ" menu.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolButton, QWidget

from app.core.errors import MotCuaError
from app.services import auth
from app.services import sync as sync_service
from app.services.context import AppContext
from app.ui.ops import TaskRunner
from app.ui.sync_worker import RunReport, SyncController

REFRESH_MS = 5000
SYNC_NOW_SHORTCUT = "Ctrl+Shift+Y"

GREEN, ORANGE, RED, GREY = "#1b8a3a", "#c77700", "#c62828", "#777777"


def _dt(value: object) -> str:
    return value.strftime("%d/%m/%Y %H:%M") if value is not None else "chưa có"  # type: ignore[attr-defined]


def describe(state: sync_service.SyncState, running: bool = False) -> tuple[str, str, str]:
    """(text, colour, tooltip) of the indicator for a state."""
    if not state.server_url:
        return ("● Chưa cấu hình đồng bộ", GREY,
                "Chưa cấu hình máy chủ tỉnh. Bấm để mở Trung tâm đồng bộ → Cấu hình máy chủ.")
    link = {True: "Trực tuyến", False: "Ngoại tuyến", None: "Chưa kết nối"}[state.online]
    parts = [f"● {link}", f"Chờ gửi: {state.pending}"]
    if state.failed:
        parts.append(f"Lỗi: {state.failed}")
    parts.append(f"Đồng bộ lần cuối: {_dt(state.last_success)}")
    if running:
        parts.insert(1, "Đang đồng bộ…")
    if state.failed:
        colour = RED
    elif state.online is False or state.pending:
        colour = ORANGE
    elif state.online:
        colour = GREEN
    else:
        colour = GREY
    tips = [f"Máy chủ tỉnh: {state.server_url}"]
    if state.last_error_vi:
        tips.append(f"Lỗi gần nhất: {state.last_error_vi}")
    if state.clock_warning_vi:
        tips.append(state.clock_warning_vi)
    tips.append("Bấm để mở Trung tâm đồng bộ.")
    return " · ".join(parts), colour, "\n".join(tips)


NOT_CONFIGURED_VI = {
    "no_server": "Chưa cấu hình máy chủ tỉnh: mở Trung tâm đồng bộ → “Cấu hình máy chủ…”.",
    "no_token": "Chưa có mã truy cập của trạm cho máy chủ này: mở Trung tâm đồng bộ → “Cấu hình máy chủ…”.",
}


def run_message(report: RunReport) -> str:
    """One line for the officer about a finished run (Vietnamese)."""
    run, error = report.run, report.error
    if error is not None:
        if report.not_configured:
            return NOT_CONFIGURED_VI.get(getattr(error, "code", ""), NOT_CONFIGURED_VI["no_server"])
        return error.message_vi if isinstance(error, MotCuaError) else "Lần đồng bộ gặp lỗi không mong muốn."
    if run is None:
        return ""
    if run.outcome in ("locked", "offline", "auth", "server_error"):
        return f"Chưa đồng bộ được: {run.error_vi}"
    text = f"Đã gửi {run.sent} mục, nhận {run.received} thay đổi, lỗi {run.failed}."
    if run.outcome == "partial":
        text += " Lần đồng bộ chưa trọn vẹn: xem các mục lỗi trong Trung tâm đồng bộ."
    if run.error_vi:
        text += f" Lưu ý: {run.error_vi}"
    if run.clock_warning_vi:
        text += f" {run.clock_warning_vi}"
    return text


class SyncIndicator(QToolButton):
    """A flat button in the status bar; ``state`` is the last :class:`SyncState` shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncIndicator")
        self.setAutoRaise(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.state: sync_service.SyncState | None = None
        self.running = False
        self.colour = GREY
        self.setText("● Đồng bộ: đang tải…")

    def set_state(self, state: sync_service.SyncState) -> None:
        self.state = state
        self._render()

    def set_running(self, running: bool) -> None:
        self.running = running
        self._render()

    def _render(self) -> None:
        if self.state is None:
            return
        text, colour, tip = describe(self.state, self.running)
        self.colour = colour
        self.setText(text)
        self.setToolTip(tip)
        self.setStyleSheet(f"QToolButton#syncIndicator {{ color: {colour}; font-weight: 600; }}")


class SyncUi(QObject):
    """Everything the main window needs for the sync; ``run_finished`` after every run."""

    run_finished = Signal(object)  # RunReport
    state_changed = Signal(object)  # SyncState

    def __init__(self, window: QMainWindow, ctx: AppContext, runner: TaskRunner,
                 officer: auth.Officer, *, interval: float | None = None) -> None:
        super().__init__(window)
        self.window, self.ctx, self.runner, self.officer = window, ctx, runner, officer
        self.allowed = officer.can(auth.Permission.SYNC)
        self.controller = SyncController(ctx, self, interval=interval)
        self.indicator = SyncIndicator(window)
        self.indicator.clicked.connect(self.open_centre)
        self.centre = None  # the sync centre dialog once opened
        self._refreshing = False
        self._closed = False
        self._asked = False  # the officer asked for this run: say how it went in the status bar
        self.controller.run_started.connect(lambda _c: self.indicator.set_running(True))
        self.controller.run_finished.connect(self._on_run)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh(start_worker=True)

    def add_actions(self, menu_bar_owner: QMainWindow) -> QMenu:
        menu = menu_bar_owner.menuBar().addMenu("Đồn&g bộ")
        self.sync_now_action = QAction("Đồng bộ &ngay", self.window)
        self.sync_now_action.setShortcut(QKeySequence(SYNC_NOW_SHORTCUT))
        self.sync_now_action.triggered.connect(self.sync_now)
        self.sync_now_action.setEnabled(self.allowed)
        menu.addAction(self.sync_now_action)
        self.centre_action = QAction("&Trung tâm đồng bộ…", self.window)
        self.centre_action.triggered.connect(self.open_centre)
        menu.addAction(self.centre_action)
        self.window.addAction(self.sync_now_action)
        return menu

    # -- state -------------------------------------------------------------------------------
    def refresh(self, start_worker: bool = False) -> None:
        """Ask the database worker for the state (one cheap query); skipped while one is in flight."""
        if self._refreshing or self._closed:
            return
        self._refreshing = True
        ctx = self.ctx

        def done(state: sync_service.SyncState) -> None:
            self._refreshing = False
            if self._closed:
                return
            self.indicator.set_running(self.controller.running)
            self.indicator.set_state(state)
            self.state_changed.emit(state)
            if start_worker and state.server_url:  # the station syncs whoever is signed in
                self.controller.start()

        def failed(_error: BaseException) -> None:
            self._refreshing = False

        self.runner.run_db(lambda: sync_service.sync_state(ctx), done, failed)

    def _on_run(self, report: RunReport) -> None:
        if self._closed:
            return
        self.indicator.set_running(False)
        self.refresh()
        if self._asked:
            self._asked = False
            self.window.statusBar().showMessage(run_message(report), 8000)
        self.run_finished.emit(report)

    # -- actions -----------------------------------------------------------------------------
    def sync_now(self) -> bool:
        """Ctrl+Shift+Y: a run at once, in the background (False without the permission)."""
        if not self.allowed:
            self.window.statusBar().showMessage(
                "Tài khoản này không có quyền đồng bộ dữ liệu.", 5000)
            return False
        self.indicator.set_running(True)
        self._asked = True
        self.controller.sync_now()
        return True

    def wake(self) -> None:
        """After a change at the counter (a dossier received): send it soon."""
        self.controller.wake()

    def open_centre(self):  # type: ignore[no-untyped-def]
        from app.ui.sync_centre import SyncCentreDialog

        if self.centre is None:
            self.centre = SyncCentreDialog(self, self.window)
        self.centre.show()
        self.centre.raise_()
        self.centre.activateWindow()
        self.centre.reload()
        return self.centre

    def close(self) -> None:
        """Stop the timer and the worker (the window is closing)."""
        self._closed = True
        self.timer.stop()
        if self.centre is not None:
            self.centre.close()
        self.controller.stop()

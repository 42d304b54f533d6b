"""The "Báo cáo" menu of the main window: dashboard, register, audit viewer, and the citizens' rating
screen with "ask the citizen to rate the dossier shown" (F10).

Supervisors and administrators (``VIEW_REPORTS``) see the reports; every officer who receives or hands
back results may open the rating screen. Windows are created once and kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QWidget

from app.services import auth
from app.services.context import AppContext
from app.services.reports import satisfaction
from app.ui.ops import TaskRunner

SHORTCUTS = {"dashboard": "Ctrl+Shift+I", "register": "Ctrl+Shift+G", "audit": "Ctrl+Shift+A",
             "rating_screen": "Ctrl+Shift+H", "ask_rating": "F10"}


class ReportsMenu:
    def __init__(self, window: QMainWindow, ctx: AppContext, runner: TaskRunner, officer: auth.Officer,
                 current_code: Callable[[], str | None]) -> None:
        self.window, self.ctx, self.runner, self.officer = window, ctx, runner, officer
        self.current_code = current_code
        self.windows: dict[str, QWidget] = {}
        menu = window.menuBar().addMenu("&Báo cáo")
        reports = officer.can(auth.Permission.VIEW_REPORTS)
        rating = satisfaction.may_record(officer)
        self.actions: dict[str, QAction] = {}
        for key, text, slot, allowed in (
                ("dashboard", "&Bảng điều khiển chỉ số…", self.open_dashboard, reports),
                ("register", "&Sổ theo dõi hồ sơ…", self.open_register, reports),
                ("audit", "&Nhật ký kiểm tra…", self.open_audit_viewer, reports),
                ("rating_screen", "Màn hình đánh giá của &công dân", self.open_rating_screen, rating),
                ("ask_rating", "&Mời công dân đánh giá hồ sơ đang xem", self.ask_rating, rating)):
            action = QAction(text, window)
            action.setShortcut(SHORTCUTS[key])
            action.triggered.connect(lambda _c=False, s=slot: s())
            action.setEnabled(allowed)
            menu.addAction(action)
            window.addAction(action)
            self.actions[key] = action

    def _keep(self, key: str, make: Callable[[], Any]) -> Any:
        widget = self.windows.get(key)
        if widget is None:
            widget = make()
            widget.setWindowFlag(Qt.WindowType.Window, True)
            self.windows[key] = widget
        widget.show()
        widget.activateWindow()
        return widget

    def open_dashboard(self) -> QWidget:
        from app.ui.reports.dashboard import DashboardWindow

        return self._keep("dashboard",
                          lambda: DashboardWindow(self.ctx, self.runner, self.officer, self.window))

    def open_register(self) -> QWidget:
        from app.ui.reports.register_dialog import RegisterDialog

        return self._keep("register",
                          lambda: RegisterDialog(self.ctx, self.runner, self.officer, self.window))

    def open_audit_viewer(self) -> QWidget:
        from app.ui.reports.audit_viewer import AuditViewer

        return self._keep("audit", lambda: AuditViewer(self.ctx, self.runner, self.officer, self.window))

    def open_rating_screen(self) -> QWidget:
        from app.ui.reports.satisfaction_screen import SatisfactionScreen

        screen = self.windows.get("rating_screen")
        if screen is None:
            screen = SatisfactionScreen(self.ctx, self.runner, self.officer, self.window)
            self.windows["rating_screen"] = screen
            screen.place_on_second_screen()
        else:
            screen.show()
        return screen

    def ask_rating(self) -> QWidget | None:
        code = self.current_code()
        if not code:
            return None
        screen = self.open_rating_screen()
        screen.show_dossier(code)  # type: ignore[attr-defined]
        return screen

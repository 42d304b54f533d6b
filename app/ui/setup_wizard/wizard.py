"""The set-up wizard: its pages in order; Finish stores everything with one service call, in the
background."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMainWindow, QMenu, QWidget, QWizard

from app.core.calendar import CalendarDay
from app.core.errors import MotCuaError
from app.services.admin import auth
from app.services.admin import data_keys as keys_service
from app.services.context import AppContext
from app.services.station_setup import first_run
from app.services.station_setup.first_run import SetupOutcome, StationSetup
from app.ui.ops import TaskRunner
from app.ui.setup_wizard.admin_pages import AccountPage, CalendarPage, SecretPage, ServerPage
from app.ui.setup_wizard.office_pages import AgencyPage, DevicesPage, FormsPage, StationPage

log = logging.getLogger(__name__)
TITLE = "Thiết lập máy trạm — MotCua Desk"
UNEXPECTED_VI = "Đã xảy ra lỗi không mong muốn khi lưu. Chi tiết đã được ghi vào nhật ký."


@dataclass
class WizardStart:
    """What the wizard starts from (read in the background before it opens)."""

    setup: StationSetup
    days: list[CalendarDay]


def load_start(ctx: AppContext) -> WizardStart:
    """The stored answers, a fresh recovery secret when the folder has none, this year's calendar."""
    setup = first_run.current_setup(ctx)
    if not keys_service.recovery_set(ctx):
        setup.recovery_secret = keys_service.new_secret()
    return WizardStart(setup, first_run.calendar_days(ctx, setup.calendar_year))


class SetupWizard(QWizard):
    """Nothing is stored before Finish; Cancel leaves the station exactly as it was."""

    stored = Signal(object)  # the SetupOutcome

    def __init__(self, ctx: AppContext, runner: TaskRunner, start: WizardStart,
                 officer: auth.Officer | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.officer = officer
        self.setup = start.setup
        self.saving = False
        self.outcome: SetupOutcome | None = None
        self.setObjectName("setupWizard")
        self.setWindowTitle(TITLE)
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setMinimumSize(760, 560)
        self.setButtonText(QWizard.WizardButton.BackButton, "< &Quay lại")
        self.setButtonText(QWizard.WizardButton.NextButton, "&Tiếp >")
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Hoàn tất")
        self.setButtonText(QWizard.WizardButton.CancelButton, "&Hủy")
        self.pages_in_order: list[QWidget] = [
            AgencyPage(self.setup, self), StationPage(self.setup, self), FormsPage(self.setup, self),
            DevicesPage(self.setup, runner, self),
        ]
        if self.setup.create_admin:
            self.pages_in_order.append(AccountPage(self.setup, self))
        self.pages_in_order += [SecretPage(self.setup, self), ServerPage(self.setup, self),
                                CalendarPage(self.setup, start.days, self)]
        for page in self.pages_in_order:
            self.addPage(page)  # type: ignore[arg-type]

    def accept(self) -> None:
        """Finish: check the last page, then store everything in the background."""
        if self.saving or not self.validateCurrentPage():  # Qt's own accept() checks the page; ours must too
            return
        self.saving = True
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        self.button(QWizard.WizardButton.BackButton).setEnabled(False)
        ctx, setup, officer = self.ctx, self.setup, self.officer
        self.runner.run_db(lambda: first_run.apply_setup(ctx, setup, officer=officer), self._stored,
                           self._failed)

    def _stored(self, outcome: SetupOutcome) -> None:
        self.saving = False
        self.outcome = outcome
        log.info("station set up (administrator created: %s)", outcome.admin_created)
        self.stored.emit(outcome)
        super().accept()

    def _failed(self, error: BaseException) -> None:
        self.saving = False
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
        self.button(QWizard.WizardButton.BackButton).setEnabled(True)
        if not isinstance(error, MotCuaError):
            log.error("station set-up failed", exc_info=error)
        page = self.currentPage()
        message = error.message_vi if isinstance(error, MotCuaError) else UNEXPECTED_VI
        page.error.setText(message)  # type: ignore[attr-defined]

    def reject(self) -> None:
        if not self.saving:  # a save under way finishes first: its transaction is all or nothing
            super().reject()


def run_at_first_start(ctx: AppContext, runner: TaskRunner) -> bool | None:
    """Before sign-in: the wizard (modal) when the station was never set up. None when not needed,
    True when the station was set up, False when the administrator cancelled."""
    if not first_run.needs_setup(ctx):
        return None
    wizard = SetupWizard(ctx, runner, load_start(ctx))
    # said once the wizard is on screen, for whoever runs the app without seeing it (a headless start)
    QTimer.singleShot(0, lambda: log.info("window open: %s (data folder %s)", wizard.windowTitle(),
                                          ctx.data_dir))
    return wizard.exec() == QDialog.DialogCode.Accepted


class SetupMenu:
    """Quản trị → "Thiết lập máy trạm…": the wizard again, for a signed-in administrator."""

    def __init__(self, window: QMainWindow, ctx: AppContext, runner: TaskRunner,
                 officer: auth.Officer) -> None:
        self.window = window
        self.ctx = ctx
        self.runner = runner
        self.officer = officer
        self.wizard: SetupWizard | None = None
        self.action: QAction | None = None
        if not officer.can(auth.Permission.MANAGE_USERS):
            return
        menu = next((a.menu() for a in window.menuBar().actions() if a.text() == "&Quản trị"), None)
        if not isinstance(menu, QMenu):
            menu = window.menuBar().addMenu("&Quản trị")
        self.action = QAction("&Thiết lập máy trạm…", window)
        self.action.setObjectName("setupWizardAction")
        self.action.triggered.connect(self.open)
        menu.addAction(self.action)

    def open(self) -> None:
        if self.wizard is not None and self.wizard.isVisible():
            self.wizard.activateWindow()
            return
        ctx = self.ctx
        self.runner.run_db(lambda: load_start(ctx), self._show)

    def _show(self, start: WizardStart) -> None:
        self.wizard = SetupWizard(self.ctx, self.runner, start, self.officer, self.window)
        self.wizard.stored.connect(lambda _o: self.window.statusBar().showMessage(
            "Đã lưu thiết lập máy trạm.", 8000))
        self.wizard.open()

"""The main window: the dossier list with search and filters, the detail pane, the status bar."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from PySide6.QtCore import QItemSelection, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import MotCuaError
from app.core.lifecycle import Action
from app.services import auth
from app.services import catalogue as catalogue_service
from app.services import dossiers as dossier_service
from app.services import results as result_service
from app.services.context import AppContext, resolve_data_dir
from app.services.faults import user_error
from app.services.logging_setup import configure_logging
from app.services.scan_station import list_scanners
from app.services.sync import dossier_sync_state
from app.ui.dossier_detail import DIGITISE_KEYS, DIGITISE_LINK, dossier_html
from app.ui.dossier_model import DossierListModel
from app.ui.error_hooks import install_excepthooks
from app.ui.filter_bar import FilterBar
from app.ui.lifecycle.action_dialog import ActionDialog
from app.ui.lifecycle.actions_bar import ActionsBar
from app.ui.maintenance import Maintenance
from app.ui.ocr_worker import OcrBackground
from app.ui.ops import TaskRunner
from app.ui.receive_dialog import ReceiveDialog
from app.ui.recovery_secret_dialog import RecoveryReminder
from app.ui.reports.menu import ReportsMenu
from app.ui.return_dialog import ReturnDialog
from app.ui.scan_station import ScanStationDialog
from app.ui.sign_in import sign_in
from app.ui.signature_badge import DossierSignatures
from app.ui.sync_indicator import SyncUi

log = logging.getLogger(__name__)
UNEXPECTED_VI = ("Đã xảy ra lỗi không mong muốn. Chi tiết đã được ghi vào nhật ký (thư mục logs trong "
                 "thư mục dữ liệu); có thể gửi cho bộ phận hỗ trợ qua Trợ giúp → Thu thập thông tin "
                 "chẩn đoán.")


class MainWindow(QMainWindow):
    """What the officer sees all day."""

    detail_shown = Signal(str)  # the code of the dossier shown in the detail pane

    def __init__(self, ctx: AppContext, runner: TaskRunner | None = None,
                 officer: auth.Officer | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.runner = runner or TaskRunner(self, on_unhandled=self.show_error)
        # Without a signed-in officer (tests, tools) the window acts as the CLI does.
        self.officer = officer or auth.SYSTEM_OFFICER
        self.receive_dialog: ReceiveDialog | None = None
        self.return_dialog: ReturnDialog | None = None
        self.scan_station: ScanStationDialog | None = None
        self.setWindowTitle("MotCua Desk — Bộ phận Một cửa")
        self.resize(1280, 780)
        self.model = DossierListModel(self.runner)
        self._build_toolbar()
        self._build_body()
        self._build_status_bar()
        self._build_menus()
        self.apply_filters()

    # -- construction ------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        self.filters = FilterBar(self)
        self.filters.changed.connect(self.apply_filters)
        # Short names kept for the tests and the other screens.
        self.search_box = self.filters.search_box
        self.status_filter = self.filters.status_filter
        self.addToolBar(self.filters)
        ctx = self.ctx
        self.runner.run_db(lambda: catalogue_service.list_procedures(ctx), self.filters.set_procedures)

    def _build_body(self) -> None:
        self.table = QTableView(self)
        self.table.setObjectName("dossierTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((185, 160, 190, 112, 112, 120)):
            self.table.setColumnWidth(column, width)
        header.setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.detail = QTextBrowser(self)
        self.detail.setObjectName("dossierDetail")
        self.detail.setHtml("<p style='color:#777'>Chọn một hồ sơ để xem chi tiết.</p>")
        self.detail.setOpenLinks(False)  # "Số hoá kết quả…" (a returned dossier's result not yet digitised)
        self.detail.anchorClicked.connect(self._on_detail_link)
        self.digitise_dialog: QWidget | None = None
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        # the dossier's digitised PDFs and their digital signatures (app.ui.signature_badge), under the detail
        self.signatures = DossierSignatures(self.ctx, self.runner, self.officer, self.show_error, self)
        self.signatures.signed.connect(lambda code: self._show_detail(code))
        # the actions the dossier shown allows now (app.ui.lifecycle), right under its detail
        self.actions_bar = ActionsBar(self.officer, self)
        self.actions_bar.setObjectName("actionsBar")
        self.actions_bar.requested.connect(self.open_action_dialog)
        self.addActions(list(self.actions_bar.actions_by_name.values()))
        self.action_dialog: ActionDialog | None = None
        detail_box = QWidget(self)
        detail_layout = QVBoxLayout(detail_box)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.detail, 1)
        detail_layout.addWidget(self.actions_bar)
        right = QSplitter(Qt.Orientation.Vertical, self)
        right.addWidget(detail_box)
        right.addWidget(self.signatures)
        right.setSizes([560, 200])
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([880, 400])
        self.setCentralWidget(splitter)

    def _build_status_bar(self) -> None:
        self.count_label = QLabel("Đang tải…", self)
        # Sync with the province: the status-bar indicator, the background worker, the sync centre.
        self.sync = SyncUi(self, self.ctx, self.runner, self.officer)
        self.sync.run_finished.connect(lambda _report: self._show_detail())
        self.connection_label = self.sync.indicator
        role = auth.Role(self.officer.role)
        self.officer_label = QLabel(f"Cán bộ: {self.officer.full_name} ({role.label_vi})", self)
        self.officer_label.setObjectName("officerLabel")
        self.statusBar().addWidget(self.count_label, 1)
        # Stored pages read afterwards (OCR) for the search and the text layer, with a progress bar.
        self.ocr = OcrBackground(self.ctx, self.runner, self)
        self.statusBar().addPermanentWidget(self.ocr.bar)
        self.statusBar().addPermanentWidget(self.officer_label)
        self.statusBar().addPermanentWidget(self.connection_label)
        self.model.total_changed.connect(lambda n: self.count_label.setText(f"{n:,} hồ sơ".replace(",", ".")))

    def _build_menus(self) -> None:
        dossier_menu = self.menuBar().addMenu("&Hồ sơ")
        self.receive_action = self._action("&Tiếp nhận hồ sơ…", QKeySequence.StandardKey.New,
                                           self.open_receive_dialog, dossier_menu)
        self.receive_action.setEnabled(self.officer.can(auth.Permission.RECEIVE))
        self.return_action = self._action("T&rả kết quả…", "F9", self.open_return_dialog, dossier_menu)
        self.return_action.setEnabled(self.officer.can(auth.Permission.RETURN_RESULT))
        self.scan_action = self._action("&Quét tài liệu…", "Ctrl+Shift+S", self.open_scan_station,
                                        dossier_menu)
        self.scan_action.setEnabled(self.officer.can(auth.Permission.SCAN))
        self.batch_action = self._action("Số hóa theo &lô…", "Ctrl+Shift+B", self.open_batch_screen,
                                         dossier_menu)
        self.batch_action.setEnabled(self.officer.can(auth.Permission.DIGITISE))
        self.warehouse_action = self._action("&Kho dữ liệu điện tử…", "Ctrl+Shift+K",
                                             self.open_warehouse_screen, dossier_menu)
        self.warehouse_action.setEnabled(self.officer.can(auth.Permission.RECEIVE)
                                         or self.officer.can(auth.Permission.DIGITISE))
        self.digitise_action = self._action("&Số hoá kết quả…", DIGITISE_KEYS, self.open_digitise_result,
                                            dossier_menu)
        self.digitise_action.setEnabled(result_service.may_digitise(self.officer))
        dossier_menu.addSeparator()
        self.refresh_action = self._action("Làm mới danh sách", QKeySequence.StandardKey.Refresh,
                                           self.model.refresh, dossier_menu)
        focus_search = self._action("Tìm kiếm", QKeySequence.StandardKey.Find, self.focus_search,
                                    dossier_menu)
        dossier_menu.addSeparator()
        self._action("Thoát", QKeySequence.StandardKey.Quit, self.close, dossier_menu)
        self.addAction(focus_search)
        self.sync_now_action = self.sync.add_actions(self).actions()[0]  # Ctrl+Shift+Y
        # Administrators: Quản trị → recovery secret, and a yellow bar while none is set.
        self.recovery = RecoveryReminder(self, self.ctx, self.runner, self.officer)
        # Báo cáo: dashboard, register, audit viewer, the citizens' rating screen.
        self.reports = ReportsMenu(self, self.ctx, self.runner, self.officer,
                                   lambda: getattr(self, "_detail_code", None))
        help_menu = self.menuBar().addMenu("&Trợ giúp")
        self._action("Giới thiệu", None, self._about, help_menu)
        # Help → diagnostics, and the daily backup tried at start-up and every hour.
        self.maintenance = Maintenance(self, self.ctx, self.runner, help_menu)

    def _action(self, text: str, shortcut: QKeySequence.StandardKey | str | None, slot: object,
                menu: QWidget) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # -- behaviour ---------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def open_receive_dialog(self) -> ReceiveDialog | None:
        """Ctrl+N: a fresh reception form (window-modal; the list refreshes after each save)."""
        if not self.officer.can(auth.Permission.RECEIVE):
            return None
        if self.receive_dialog is not None and self.receive_dialog.isVisible():
            self.receive_dialog.activateWindow()
            return self.receive_dialog
        dialog = ReceiveDialog(self.ctx, self.runner, self.officer, self)
        dialog.delete_when_idle = True
        dialog.received.connect(lambda _d: self.apply_filters())
        dialog.received.connect(lambda _d: self.sync.wake())  # send it to the province soon
        dialog.destroyed.connect(lambda _o=None, d=dialog: self._forget_receive(d))
        self.receive_dialog = dialog
        dialog.open()
        return dialog

    def _forget_receive(self, dialog: ReceiveDialog) -> None:
        if self.receive_dialog is dialog:
            self.receive_dialog = None

    def open_return_dialog(self) -> ReturnDialog | None:
        """F9: hand results over; one dialog kept for the whole session, ready for the next scan."""
        if not self.officer.can(auth.Permission.RETURN_RESULT):
            return None
        if self.return_dialog is None:
            self.return_dialog = ReturnDialog(self.ctx, self.runner, self.officer, self,
                                              scanners=list_scanners)
            self.return_dialog.returned.connect(lambda _d: self.apply_filters())
            self.return_dialog.returned.connect(lambda _d: self._show_detail())
        self.return_dialog.open()
        self.return_dialog.code.setFocus()
        return self.return_dialog

    def open_scan_station(self) -> ScanStationDialog | None:
        """Ctrl+Shift+S: the scan station for the selected dossier."""
        rows = self.table.selectionModel().selectedRows()
        summary = self.model.summary_at(rows[0].row()) if rows else None
        if summary is None or not self.officer.can(auth.Permission.SCAN):
            self.statusBar().showMessage("Chọn một hồ sơ trong danh sách để quét tài liệu.", 5000)
            return None
        if self.scan_station is not None and self.scan_station.isVisible():
            self.scan_station.activateWindow()
            return self.scan_station
        dialog = ScanStationDialog(self.ctx, self.runner, self.officer, summary.code, self,
                                   scanners=list_scanners)
        dialog.delete_when_idle = True
        dialog.destroyed.connect(lambda _o=None, d=dialog: self._forget_scan_station(d))
        self.scan_station = dialog
        dialog.open()
        return dialog

    def open_batch_screen(self) -> QWidget:
        """Ctrl+Shift+B: batch digitising (separator sheets split a stack into documents)."""
        from app.ui.batch_screen import BatchScreen

        screen = getattr(self, "batch_screen", None)
        if screen is None:
            screen = BatchScreen(self.ctx, self.runner, self.officer, self)
            screen.setWindowFlag(Qt.WindowType.Window, True)
            self.batch_screen = screen
        screen.show()
        screen.activateWindow()
        return screen

    def open_warehouse_screen(self) -> QWidget:
        """Ctrl+Shift+K: the e-data warehouse browser (search, page preview, digital signatures)."""
        from app.ui.warehouse_screen import WarehouseScreen

        screen = getattr(self, "warehouse_screen", None)
        if screen is None:
            screen = WarehouseScreen(self.ctx, self.runner, self.officer, self.show_error, self)
            screen.setWindowFlag(Qt.WindowType.Window, True)
            self.warehouse_screen = screen
        screen.show()
        screen.activateWindow()
        return screen

    def open_digitise_result(self) -> QWidget | None:
        """Ctrl+Shift+R: digitise the result of the dossier shown (handed back without it)."""
        from app.ui.result_digitise import DigitiseResultDialog

        code = getattr(self, "_detail_code", None)
        if code is None or not result_service.may_digitise(self.officer):
            self.statusBar().showMessage("Chọn một hồ sơ trong danh sách để số hoá kết quả.", 5000)
            return None
        if self.digitise_dialog is not None and self.digitise_dialog.isVisible():
            self.digitise_dialog.activateWindow()
            return self.digitise_dialog
        dialog = DigitiseResultDialog(self.ctx, self.runner, self.officer, code, self, scanners=list_scanners)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.digitised.connect(lambda _record, c=code: self._show_detail(c))
        dialog.destroyed.connect(lambda _o=None: setattr(self, "digitise_dialog", None))
        self.digitise_dialog = dialog
        dialog.open()
        return dialog

    def open_action_dialog(self, action: Action) -> ActionDialog | None:
        """An action on the dossier shown (hand-over, supplements, refusal, postponement, stop,
        withdrawal, done), offered only when its status and the officer allow it."""
        dossier = self.actions_bar.dossier
        if dossier is None or action not in self.actions_bar.allowed():
            return None
        if self.action_dialog is not None and self.action_dialog.isVisible():
            self.action_dialog.reject()
        dialog = ActionDialog(self.ctx, self.runner, self.officer, dossier, action, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished_action.connect(lambda d: (self.apply_filters(), self._show_detail(d.code),
                                                  self.sync.wake()))
        dialog.destroyed.connect(lambda _o=None, d=dialog: self._forget_action_dialog(d))
        self.action_dialog = dialog
        dialog.open()
        return dialog

    def _forget_action_dialog(self, dialog: ActionDialog) -> None:
        if self.action_dialog is dialog:
            self.action_dialog = None

    def _on_detail_link(self, url: QUrl) -> None:
        if url.toString() == DIGITISE_LINK:
            self.open_digitise_result()

    def _forget_scan_station(self, dialog: ScanStationDialog) -> None:
        if self.scan_station is dialog:
            self.scan_station = None

    def apply_filters(self) -> None:
        wanted = self.filters.current()
        ctx, kwargs = self.ctx, wanted.as_kwargs()
        self.count_label.setText("Đang tìm…")
        self.model.set_source(
            lambda offset, limit: dossier_service.list_dossiers(ctx, wanted.text, limit=limit, offset=offset,
                                                                **kwargs),  # type: ignore[arg-type]
            lambda: dossier_service.count_dossiers(ctx, wanted.text, **kwargs),  # type: ignore[arg-type]
        )

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        summary = self.model.summary_at(indexes[0].row()) if indexes else None
        if summary is None:
            return
        self._show_detail(summary.code)

    def _show_detail(self, code: str | None = None) -> None:
        """Show a dossier (default: the one shown) with its sync state; again after each sync run."""
        code = code or getattr(self, "_detail_code", None)
        if code is None:
            return
        self._detail_code, ctx = code, self.ctx

        def show(found: tuple) -> None:  # type: ignore[type-arg]
            if found[0].code == self._detail_code:
                self.detail.setHtml(dossier_html(*found))
                self.actions_bar.show_dossier(found[0])
                self.signatures.show_dossier(found[0])
                self.detail_shown.emit(found[0].code)

        self.runner.run_db(lambda: (dossier_service.get_dossier(ctx, code), dossier_sync_state(ctx, code),
                                    result_service.result_status(ctx, code)), show)

    def show_error(self, error: BaseException) -> None:
        """The single place a failure reaches the officer: Vietnamese text, details in the log.
        Every uncaught exception comes here too (``app.ui.error_hooks``). A full disk, a read-only
        folder or a locked database gets its own message (``app.services.faults``)."""
        known = user_error(error)
        if isinstance(known, MotCuaError):
            log.warning("%s", known, exc_info=None if known is error else error)
        else:
            log.error("unexpected error", exc_info=error)
        if getattr(self, "_showing_error", False):  # an error while the box is open: logged only
            return
        self._showing_error = True
        try:
            if isinstance(known, MotCuaError):
                QMessageBox.warning(self, "MotCua Desk", known.message_vi)
            else:
                QMessageBox.critical(self, "MotCua Desk", UNEXPECTED_VI)
        finally:
            self._showing_error = False

    def _about(self) -> None:
        QMessageBox.about(self, "Giới thiệu",
                          "<b>MotCua Desk</b><br>Phần mềm Bộ phận Một cửa cấp xã, phường.")

    def closeEvent(self, event: object) -> None:  # noqa: N802
        for dialog in (self.receive_dialog, self.return_dialog, self.scan_station):
            if dialog is not None and dialog.isVisible():
                dialog.reject()  # the reception form saves its draft on the way out
        if self.scan_station is not None and self.scan_station.isVisible():
            event.ignore()  # the officer chose to keep unsaved scanned pages
            return
        self.sync.close()  # the timer and the background sync worker (between two items)
        self.ocr.close()  # the background reader stops between two PDFs
        self.runner.shutdown(wait=True)
        super().closeEvent(event)  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m app``: open the main window on the configured (or given) data folder."""
    parser = argparse.ArgumentParser(prog="python -m app", description="MotCua Desk")
    parser.add_argument("--data-dir")
    parser.add_argument("--db-url")
    args, qt_args = parser.parse_known_args(argv)
    logging.basicConfig(level=logging.INFO)
    configure_logging(resolve_data_dir(args.data_dir))  # JSON lines, rotated, personal data masked
    qt_app = QApplication([sys.argv[0], *qt_args])
    windows: list[MainWindow] = []

    def report(error: BaseException) -> None:  # every uncaught exception, from any thread
        if windows:
            windows[0].show_error(error)
        else:
            log.error("unexpected error", exc_info=error)
            known = user_error(error)
            QMessageBox.critical(None, "MotCua Desk", known.message_vi if known else
                                 "Đã xảy ra lỗi không mong muốn. Chi tiết đã được ghi vào nhật ký.")

    install_excepthooks(report)
    from app.ui.fonts import install_bundled_fonts

    install_bundled_fonts(qt_app)
    try:
        ctx = AppContext.open(args.data_dir, args.db_url)
    except MotCuaError as error:
        QMessageBox.critical(None, "MotCua Desk", error.message_vi)
        return 1
    sign_in_runner = TaskRunner()
    officer = sign_in(ctx, sign_in_runner)
    sign_in_runner.shutdown()
    if officer is None:
        ctx.close()
        return 0
    window = MainWindow(ctx, officer=officer)
    windows.append(window)
    window.show()
    QTimer.singleShot(0, lambda: log.info("window open: %s, signed in as %s", window.windowTitle(),
                                          officer.username))
    from app.ui.startup_recovery import start_scan_recovery

    start_scan_recovery(ctx, window.runner, window)  # pages a crash left in the scan spool
    code = qt_app.exec()
    ctx.close()
    return code

"""The main window: the dossier list with search and filters, the detail pane, the status bar."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from PySide6.QtCore import QItemSelection, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableView,
    QTextBrowser,
    QToolBar,
    QWidget,
)

from app.core.dossier import DossierStatus
from app.core.errors import MotCuaError
from app.services import dossiers as dossier_service
from app.services.context import AppContext
from app.ui.dossier_detail import dossier_html
from app.ui.dossier_model import DossierListModel
from app.ui.ops import TaskRunner

log = logging.getLogger(__name__)
SEARCH_DEBOUNCE_MS = 250


class MainWindow(QMainWindow):
    """What the officer sees all day."""

    def __init__(self, ctx: AppContext, runner: TaskRunner | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.runner = runner or TaskRunner(self, on_unhandled=self.show_error)
        self.setWindowTitle("MotCua Desk — Bộ phận Một cửa")
        self.resize(1280, 780)
        self.model = DossierListModel(self.runner)
        self._build_toolbar()
        self._build_body()
        self._build_status_bar()
        self._build_menus()
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.apply_filters()

    # -- construction ------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        bar = QToolBar("Tìm kiếm", self)
        bar.setMovable(False)
        self.search_box = QLineEdit(bar)
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText("Tìm theo mã hồ sơ, tên, CCCD, điện thoại, thủ tục… (Ctrl+F)")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumWidth(460)
        self.search_box.textChanged.connect(lambda _t: self._search_timer.start())
        self.search_box.returnPressed.connect(self.apply_filters)
        self.status_filter = QComboBox(bar)
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.addItem("Tất cả trạng thái", None)
        for status in DossierStatus:
            self.status_filter.addItem(f"{int(status)}. {status.label_vi}", int(status))
        self.status_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        bar.addWidget(QLabel(" Tìm: ", bar))
        bar.addWidget(self.search_box)
        bar.addSeparator()
        bar.addWidget(self.status_filter)
        self.addToolBar(bar)

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
        for column, width in enumerate((200, 170, 260, 120, 120, 140)):
            self.table.setColumnWidth(column, width)
        header.setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.detail = QTextBrowser(self)
        self.detail.setObjectName("dossierDetail")
        self.detail.setHtml("<p style='color:#777'>Chọn một hồ sơ để xem chi tiết.</p>")
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.setCentralWidget(splitter)

    def _build_status_bar(self) -> None:
        self.count_label = QLabel("Đang tải…", self)
        self.connection_label = QLabel("● Ngoại tuyến (chưa cấu hình đồng bộ)", self)
        self.connection_label.setObjectName("connectionLabel")
        self.statusBar().addWidget(self.count_label, 1)
        self.statusBar().addPermanentWidget(self.connection_label)
        self.model.total_changed.connect(lambda n: self.count_label.setText(f"{n:,} hồ sơ".replace(",", ".")))

    def _build_menus(self) -> None:
        dossier_menu = self.menuBar().addMenu("&Hồ sơ")
        self.refresh_action = self._action("Làm mới danh sách", QKeySequence.StandardKey.Refresh,
                                           self.model.refresh, dossier_menu)
        focus_search = self._action("Tìm kiếm", QKeySequence.StandardKey.Find, self.focus_search, dossier_menu)
        dossier_menu.addSeparator()
        self._action("Thoát", QKeySequence.StandardKey.Quit, self.close, dossier_menu)
        self.addAction(focus_search)
        help_menu = self.menuBar().addMenu("&Trợ giúp")
        self._action("Giới thiệu", None, self._about, help_menu)

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

    def apply_filters(self) -> None:
        text = self.search_box.text().strip() or None
        status = self.status_filter.currentData()
        ctx = self.ctx
        self.count_label.setText("Đang tìm…")
        self.model.set_source(
            lambda offset, limit: dossier_service.list_dossiers(ctx, text, status=status,
                                                                limit=limit, offset=offset),
            lambda: dossier_service.count_dossiers(ctx, text, status=status),
        )

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        summary = self.model.summary_at(indexes[0].row()) if indexes else None
        if summary is None:
            return
        ctx, code = self.ctx, summary.code
        self.runner.run_db(lambda: dossier_service.get_dossier(ctx, code),
                           lambda dossier: self.detail.setHtml(dossier_html(dossier)))

    def show_error(self, error: BaseException) -> None:
        """The single place a failure reaches the officer: Vietnamese text, details in the log."""
        if isinstance(error, MotCuaError):
            log.warning("%s", error)
            QMessageBox.warning(self, "MotCua Desk", error.message_vi)
            return
        log.error("unexpected error", exc_info=error)
        QMessageBox.critical(self, "MotCua Desk",
                             "Đã xảy ra lỗi không mong muốn. Chi tiết đã được ghi vào nhật ký.")

    def _about(self) -> None:
        QMessageBox.about(self, "Giới thiệu", "<b>MotCua Desk</b><br>Phần mềm Bộ phận Một cửa cấp xã, phường.")

    def closeEvent(self, event: object) -> None:  # noqa: N802
        self.runner.shutdown(wait=True)
        super().closeEvent(event)  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m app``: open the main window on the configured (or given) data folder."""
    parser = argparse.ArgumentParser(prog="python -m app", description="MotCua Desk")
    parser.add_argument("--data-dir")
    parser.add_argument("--db-url")
    args, qt_args = parser.parse_known_args(argv)
    logging.basicConfig(level=logging.INFO)
    qt_app = QApplication([sys.argv[0], *qt_args])
    from app.ui.fonts import install_bundled_fonts

    install_bundled_fonts(qt_app)
    try:
        ctx = AppContext.open(args.data_dir, args.db_url)
    except MotCuaError as error:
        QMessageBox.critical(None, "MotCua Desk", error.message_vi)
        return 1
    window = MainWindow(ctx)
    window.show()
    code = qt_app.exec()
    ctx.close()
    return code

"""Trung tâm đồng bộ: what waits to reach the provincial system, what failed and why.

Two lists (waiting items, items in error with the reason in Vietnamese), "Thử lại" for the selected
failed items (back to the queue), "Đồng bộ ngay" with its progress, and "Cấu hình máy chủ…" (server
address and station token, through ``app.services.sync.runs.configure``: the token goes to the keyring or
an encrypted file, never to a plain file). All reads and writes go through the database worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import MotCuaError
from app.core.outbox import OutboxItem, OutboxStatus
from app.services.sync import runs as sync_service
from app.ui.sync.indicator import run_message
from app.ui.sync.worker import ItemProgress, RunReport

if TYPE_CHECKING:
    from app.ui.sync.indicator import SyncUi

WAITING_COLUMNS = ("Mã hồ sơ", "Loại", "Số lần thử", "Tạo lúc")
FAILED_COLUMNS = ("Mã hồ sơ", "Loại", "Số lần thử", "Tình trạng", "Lý do")


def _dt(value: object) -> str:
    return value.strftime("%d/%m/%Y %H:%M") if value is not None else "—"  # type: ignore[attr-defined]


def _table(parent: QWidget, name: str, columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)  # one line per item; the full reason is in the tooltip
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(24)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _cell(text: str, item_id: int | None = None) -> QTableWidgetItem:
    cell = QTableWidgetItem(text)
    cell.setToolTip(text)
    if item_id is not None:
        cell.setData(Qt.ItemDataRole.UserRole, item_id)
    return cell


class ServerConfigDialog(QDialog):
    """Server address and station token; ``configured`` once the service has stored them."""

    configured = Signal(str)

    def __init__(self, sync_ui: SyncUi, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sync_ui = sync_ui
        self.setWindowTitle("Cấu hình máy chủ tỉnh")
        self.setMinimumWidth(520)
        self.server_edit = QLineEdit(self)
        self.server_edit.setObjectName("serverUrl")
        self.server_edit.setPlaceholderText("https://motcua.tinh.gov.vn")
        state = sync_ui.indicator.state
        if state is not None and state.server_url:
            self.server_edit.setText(state.server_url)
        self.token_edit = QLineEdit(self)
        self.token_edit.setObjectName("stationToken")
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText("Mã truy cập do tỉnh cấp cho máy trạm")
        hint = QLabel("Mã truy cập được cất trong kho khóa của hệ điều hành hoặc một tệp đã mã hóa, "
                      "không bao giờ lưu dưới dạng văn bản thường. Để trống nếu không đổi.", self)
        hint.setWordWrap(True)
        hint.setStyleSheet("color:#555")
        self.message = QLabel("", self)
        self.message.setObjectName("configMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color:#c62828")
        form = QFormLayout()
        form.addRow("Địa chỉ máy chủ:", self.server_edit)
        form.addRow("Mã truy cập của trạm:", self.token_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("Lưu")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def save(self) -> None:
        url, token = self.server_edit.text().strip(), self.token_edit.text().strip()
        if not url.startswith(("http://", "https://")):
            self.message.setText("Địa chỉ máy chủ phải bắt đầu bằng https:// (hoặc http:// khi thử nghiệm).")
            return
        ui = self.sync_ui
        ctx, officer = ui.ctx, ui.officer
        self.buttons.setEnabled(False)

        def done(_none: object) -> None:
            self.buttons.setEnabled(True)
            self.configured.emit(url)
            self.accept()

        def failed(error: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.message.setText(error.message_vi if isinstance(error, MotCuaError)
                                 else "Không lưu được cấu hình máy chủ.")

        ui.runner.run_db(lambda: sync_service.configure(ctx, server_url=url, token=token or None,
                                                        officer=officer) or True, done, failed)


class SyncCentreDialog(QDialog):
    """Non-modal; kept by :class:`SyncUi` and reloaded each time it is shown and after each run."""

    def __init__(self, sync_ui: SyncUi, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sync_ui = sync_ui
        self.setObjectName("syncCentre")
        self.setWindowTitle("Trung tâm đồng bộ")
        self.resize(920, 560)
        self.waiting: list[OutboxItem] = []
        self.failed: list[OutboxItem] = []
        self.config_dialog: ServerConfigDialog | None = None
        self._done = 0
        self._total = 0
        self._loading = False
        self.summary = QLabel("Đang tải…", self)
        self.summary.setObjectName("syncSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.tabs = QTabWidget(self)
        self.waiting_table = _table(self, "waitingTable", WAITING_COLUMNS)
        self.failed_table = _table(self, "failedTable", FAILED_COLUMNS)
        self.tabs.addTab(self.waiting_table, "Đang chờ gửi")
        self.tabs.addTab(self.failed_table, "Lỗi")
        self.failed_table.itemSelectionChanged.connect(self._update_buttons)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("syncProgress")
        self.progress.setVisible(False)
        self.progress_label = QLabel("", self)
        self.progress_label.setObjectName("syncMessage")
        self.progress_label.setWordWrap(True)
        self.retry_button = QPushButton("Thử &lại", self)
        self.retry_button.setObjectName("retryButton")
        self.retry_button.setToolTip("Đưa các mục lỗi đã chọn trở lại hàng chờ gửi")
        self.retry_button.clicked.connect(self.retry_selected)
        self.sync_button = QPushButton("Đồng bộ &ngay (Ctrl+Shift+Y)", self)
        self.sync_button.setObjectName("syncNowButton")
        self.sync_button.setShortcut(QKeySequence("Ctrl+Shift+Y"))
        self.sync_button.clicked.connect(self.sync_now)
        self.config_button = QPushButton("Cấu hình &máy chủ…", self)
        self.config_button.setObjectName("configButton")
        self.config_button.clicked.connect(self.open_config)
        close = QPushButton("Đó&ng", self)
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for button in (self.retry_button, self.sync_button, self.config_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_label)
        layout.addLayout(buttons)
        controller = sync_ui.controller
        controller.run_started.connect(self._on_started)
        controller.item_done.connect(self._on_item)
        sync_ui.run_finished.connect(self._on_finished)
        allowed = sync_ui.allowed
        self.sync_button.setEnabled(allowed)
        self.config_button.setEnabled(allowed)
        self._update_buttons()

    # -- loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the state and both lists on the database worker, then show them."""
        if self._loading:
            return
        self._loading = True
        ctx = self.sync_ui.ctx

        def read() -> tuple[sync_service.SyncState, list[OutboxItem], list[OutboxItem]]:
            return (sync_service.sync_state(ctx), sync_service.pending_items(ctx),
                    sync_service.failed_items(ctx))

        def failed(error: BaseException) -> None:
            self._loading = False
            self.progress_label.setText(error.message_vi if isinstance(error, MotCuaError)
                                        else "Không đọc được tình trạng đồng bộ.")

        self.sync_ui.runner.run_db(read, self._show, failed)

    def _show(self, data: tuple[sync_service.SyncState, list[OutboxItem], list[OutboxItem]]) -> None:
        self._loading = False
        state, self.waiting, self.failed = data
        self.summary.setText(self._summary_html(state))
        self.waiting_table.setRowCount(len(self.waiting))
        for row, item in enumerate(self.waiting):
            cells = (item.dossier_code, sync_service.KIND_LABELS_VI.get(item.kind, str(item.kind)),
                     str(item.attempts), _dt(item.created_at))
            for column, text in enumerate(cells):
                self.waiting_table.setItem(row, column, _cell(text, item.id))
        self.failed_table.setRowCount(len(self.failed))
        for row, item in enumerate(self.failed):
            status = ("Bị từ chối" if item.status is OutboxStatus.PARKED
                      else f"Gửi lại lúc {_dt(item.next_attempt_at)}")
            cells = (item.dossier_code, sync_service.KIND_LABELS_VI.get(item.kind, str(item.kind)),
                     str(item.attempts), status, sync_service.reason_vi(item))
            for column, text in enumerate(cells):
                self.failed_table.setItem(row, column, _cell(text, item.id))
        self.tabs.setTabText(0, f"Đang chờ gửi ({len(self.waiting)})")
        self.tabs.setTabText(1, f"Lỗi ({len(self.failed)})")
        self._update_buttons()

    @staticmethod
    def _summary_html(state: sync_service.SyncState) -> str:
        if not state.server_url:
            return ("<b>Chưa cấu hình máy chủ tỉnh.</b> Bấm “Cấu hình máy chủ…” để nhập địa chỉ và mã "
                    "truy cập do tỉnh cấp cho máy trạm.")
        link = {True: "<span style='color:#1b8a3a'>● Trực tuyến</span>",
                False: "<span style='color:#c62828'>● Ngoại tuyến</span>",
                None: "<span style='color:#777'>● Chưa kết nối</span>"}[state.online]
        lines = [f"<b>Máy chủ tỉnh:</b> {state.server_url} — {link}",
                 f"<b>Chờ gửi:</b> {state.pending} &nbsp; <b>Lỗi:</b> {state.failed} "
                 f"(bị từ chối: {state.parked}) &nbsp; <b>Đồng bộ thành công lần cuối:</b> "
                 f"{_dt(state.last_success) if state.last_success else 'chưa có'}"]
        if state.last_error_vi:
            lines.append(f"<span style='color:#c62828'>Lỗi gần nhất: {state.last_error_vi}</span>")
        if state.clock_warning_vi:
            lines.append(f"<span style='color:#c77700'>{state.clock_warning_vi}</span>")
        return "<br>".join(lines)

    def _selected_failed_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.failed_table.selectionModel().selectedRows()})
        return [self.failed[r].id for r in rows if r < len(self.failed)]

    def _update_buttons(self) -> None:
        self.retry_button.setEnabled(self.sync_ui.allowed and bool(self._selected_failed_ids()))

    # -- actions -----------------------------------------------------------------------------
    def retry_selected(self) -> None:
        """"Thử lại": the selected failed items go back to the queue, sent at the next run."""
        ids = self._selected_failed_ids()
        if not ids:
            return
        ui = self.sync_ui
        ctx, officer = ui.ctx, ui.officer
        self.retry_button.setEnabled(False)

        def done(items: list[OutboxItem]) -> None:
            self.progress_label.setText(f"Đã đưa {len(items)} mục trở lại hàng chờ; sẽ gửi ở lần đồng bộ "
                                        "tới (hoặc bấm “Đồng bộ ngay”).")
            self.reload()
            ui.refresh()

        def failed(error: BaseException) -> None:
            self._update_buttons()
            self.progress_label.setText(error.message_vi if isinstance(error, MotCuaError)
                                        else "Không thử lại được.")

        ui.runner.run_db(lambda: [sync_service.retry(ctx, i, officer) for i in ids], done, failed)

    def sync_now(self) -> None:
        state = self.sync_ui.indicator.state
        self._total = (state.pending + state.failed) if state is not None else 0
        self._done = 0
        if self.sync_ui.sync_now():
            self._on_started(None)

    def _on_started(self, _controller: object) -> None:
        self.progress.setVisible(True)
        if self._total:
            self.progress.setRange(0, self._total)
            self.progress.setValue(min(self._done, self._total))
        else:
            self.progress.setRange(0, 0)  # busy
        self.progress_label.setText("Đang đồng bộ với hệ thống tỉnh…")
        self.sync_button.setEnabled(False)

    def _on_item(self, progress: ItemProgress) -> None:
        self._done += 1
        if self._total and self.progress.maximum():
            self.progress.setValue(min(self._done, self._total))
        self.progress_label.setText(f"Đang đồng bộ… đã xử lý {self._done} mục "
                                    f"(mới nhất: {progress.item.dossier_code}).")

    def _on_finished(self, report: RunReport) -> None:
        self.progress.setVisible(False)
        self.sync_button.setEnabled(self.sync_ui.allowed)
        self._total = self._done = 0
        text = run_message(report)
        self.progress_label.setText(text)
        if self.isVisible():
            self.reload()

    def open_config(self) -> ServerConfigDialog:
        dialog = ServerConfigDialog(self.sync_ui, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.configured.connect(self._on_configured)
        self.config_dialog = dialog
        dialog.open()
        return dialog

    def _on_configured(self, url: str) -> None:
        self.config_dialog = None
        self.progress_label.setText(f"Đã lưu cấu hình máy chủ {url}. Đang đồng bộ…")
        self.sync_ui.refresh()
        self.sync_now()

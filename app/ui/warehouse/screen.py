"""Kho dữ liệu điện tử: browse the e-data warehouse, check and add the digital signatures.

The officer types an owner's CCCD / old CMND / tax code, or words of a name, a number or a document
type (accents and case do not matter), and presses Enter; "Chỉ còn hiệu lực" keeps the documents
still valid today, "Chưa ký số" the ones without a valid digital signature. The table lists type,
number/symbol, issue date, owner, validity and the signature state, each PDF verified by the services
(``app.services.warehouse.record_signing.browse``) on the database worker. Selecting a record shows page 1 of
its PDF (rendered by QtPdf on the work pool), its details and the :class:`SignatureBadge`, verified
again on open.

"Ký số" signs the selected records, "Ký tất cả chưa ký" every record of the list without a valid
signature: one token login and one PIN for the whole run. The PIN is asked at the first signature of
the session and kept in memory only (forgotten after a failure). The run goes on the work pool with a
progress bar and "Dừng" (it stops between two records); the list is refreshed afterwards. Only the
roles the services allow to sign (officers, supervisors, administrators) get the buttons.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from html import escape

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import MotCuaError
from app.core.warehouse import ResultRecord
from app.documents.signing import SignatureLevel, SigningError
from app.services.admin.auth import Officer
from app.services.context import AppContext
from app.services.warehouse import pdf_signing as signing_service
from app.services.warehouse import record_signing as service
from app.services.warehouse import records as warehouse
from app.ui.ops import TaskRunner
from app.ui.warehouse.signature_badge import COLOURS, SignatureBadge
from app.ui.widgets.signing_pin import NOT_A_SIGNER_VI, SigningPin, SigningRun, ask_secret_dialog, can_sign

log = logging.getLogger(__name__)

COLUMNS = ("Loại giấy tờ", "Số/ký hiệu", "Ngày cấp", "Chủ sở hữu", "Hiệu lực", "Chữ ký số")
SIGNATURE_COLUMN = 5
PREVIEW_WIDTH = 340
SOURCE_VI = {"manual": "Nhập tay", "batch": "Số hóa theo lô", "dossier": "Thành phần hồ sơ",
             "result": "Kết quả hồ sơ"}


def render_first_page(data: bytes, width: int) -> QImage:
    """Page 1 of the PDF ``data``, ``width`` pixels wide (QtPdf; safe on a worker thread)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    try:
        document.load(buffer)
        if document.pageCount() < 1:
            return QImage()
        points = document.pagePointSize(0)
        if points.width() <= 0:
            return QImage()
        rendered = document.render(0, QSize(width, round(width * points.height() / points.width())))
        page = QImage(rendered.size(), QImage.Format.Format_RGB32)  # QtPdf leaves the paper transparent
        page.fill(QColor("white"))
        painter = QPainter(page)
        painter.drawImage(0, 0, rendered)
        painter.end()
        return page
    finally:
        document.close()
        buffer.close()


def signature_cell(view: service.RecordView) -> tuple[str, str]:
    """The short words and the colour of the table's signature column."""
    status = view.status
    if status is None:
        return "✗ không kiểm tra được", COLOURS[SignatureLevel.INVALID][0]
    level = status.level
    if level is SignatureLevel.UNSIGNED:
        text = "✗ chưa ký số"
    elif level is SignatureLevel.INVALID:
        text = "✗ chữ ký không hợp lệ"
    elif level is SignatureLevel.UNTRUSTED:
        text = f"⚠ {status.signer} (chưa tin cậy)"
    else:
        text = f"✓ {status.signer}"
    return text, COLOURS[level][0]


class WarehouseScreen(QWidget):
    """The warehouse browser. Signals: ``searched(count)`` when a list is shown, ``record_shown(record
    id)`` when the selected record's badge is verified, ``preview_shown(record id)`` when its page 1 is
    drawn, ``signing_done(SignReport | BaseException)`` when a signing run ends."""

    searched = Signal(int)
    record_shown = Signal(str)
    preview_shown = Signal(str)
    signing_done = Signal(object)

    def __init__(self, ctx: AppContext, runner: TaskRunner, officer: Officer,
                 on_error: Callable[[BaseException], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.officer, self.on_error = ctx, runner, officer, on_error
        self.setWindowTitle("Kho dữ liệu điện tử")
        self.resize(1280, 760)
        self.views: list[service.RecordView] = []
        self.current: ResultRecord | None = None
        self.ask_secret: Callable[[str], str | None] = self._ask_secret
        self.pin = SigningPin(lambda prompt: self.ask_secret(prompt))  # the PIN of this session
        self.confirm: Callable[[str], bool] = self._confirm
        self._generation = 0
        self.can_sign = can_sign(officer)
        self._build()
        self.search()

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("warehouseSearch")
        self.search_box.setPlaceholderText("Số CCCD / CMND / mã số thuế, họ tên, số hoặc loại giấy tờ "
                                           "(không cần dấu) — Enter để tìm")
        self.search_box.setAccessibleName("Tìm trong kho dữ liệu")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.returnPressed.connect(self.search)
        self.search_button = QPushButton("Tìm", self)
        self.search_button.clicked.connect(self.search)
        self.valid_only = QCheckBox("Chỉ còn &hiệu lực", self)
        self.unsigned_only = QCheckBox("&Chưa ký số", self)
        for box in (self.valid_only, self.unsigned_only):
            box.toggled.connect(lambda _on: self.search())
        top = QHBoxLayout()
        top.addWidget(QLabel("Tìm:", self))
        top.addWidget(self.search_box, 1)
        top.addWidget(self.search_button)
        top.addSpacing(12)
        top.addWidget(self.valid_only)
        top.addWidget(self.unsigned_only)

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("warehouseTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((190, 110, 86, 170, 150)):
            self.table.setColumnWidth(column, width)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._on_selection)

        self.preview = QLabel("Chọn một giấy tờ để xem trang đầu", self)
        self.preview.setObjectName("warehousePreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumWidth(PREVIEW_WIDTH)
        self.preview.setStyleSheet("background: #eceff1; border: 1px solid #b0bec5; color: #555;")
        scroll = QScrollArea(self)
        scroll.setWidget(self.preview)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(PREVIEW_WIDTH + 24)
        self.badge = SignatureBadge(self)
        self.badge.setText("")
        self.badge.setStyleSheet("")
        self.badge.setWordWrap(True)
        self.details = QLabel(self)
        self.details.setObjectName("warehouseDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(4, 0, 0, 0)
        side_layout.addWidget(scroll, 1)
        side_layout.addWidget(self.badge)
        side_layout.addWidget(self.details)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([860, 400])

        self.count_label = QLabel("Đang tìm…", self)
        self.notice = QLabel(self)  # what the last signing run did
        self.notice.setObjectName("warehouseNotice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("QLabel { color: #1b5e20; font-weight: bold; }")
        self.sign_run = SigningRun(self, self.runner, self.notice.setText, stop_text="Dừng", bar_width=260)
        self.progress_bar, self.stop_button = self.sign_run.bar, self.sign_run.stop_button
        self.sign_button = QPushButton("&Ký số giấy tờ đã chọn…", self)
        self.sign_button.setObjectName("warehouseSignSelected")
        self.sign_all_button = QPushButton("Ký &tất cả giấy tờ chưa ký…", self)
        self.sign_all_button.setObjectName("warehouseSignAll")
        self.sign_button.clicked.connect(self.sign_selected)
        self.sign_all_button.clicked.connect(self.sign_all_unsigned)
        if not self.can_sign:
            for button in (self.sign_button, self.sign_all_button):
                button.setToolTip(NOT_A_SIGNER_VI)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addSpacing(16)
        bottom.addWidget(self.notice, 1)
        bottom.addWidget(self.progress_bar)
        bottom.addWidget(self.stop_button)
        bottom.addWidget(self.sign_button)
        bottom.addWidget(self.sign_all_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self._focus_search)
        QShortcut(QKeySequence("F5"), self, self.search)
        self._update_buttons()

    def _focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    # -- searching -------------------------------------------------------------------------------
    def search(self) -> None:
        """Ask the services for the list matching the box and the filters (database worker)."""
        self._generation += 1
        generation, ctx, officer = self._generation, self.ctx, self.officer
        query = self.search_box.text()
        valid, unsigned = self.valid_only.isChecked(), self.unsigned_only.isChecked()
        self.count_label.setText("Đang tìm…")

        def failed(error: BaseException) -> None:
            if generation == self._generation:
                self.count_label.setText(getattr(error, "message_vi", "Không tìm được."))
                self._fail(error)

        self.runner.run_db(
            lambda: service.browse(ctx, officer, query, valid_only=valid, unsigned_only=unsigned),
            lambda views: self._show(generation, views), failed)

    def _show(self, generation: int, views: list[service.RecordView]) -> None:
        if generation != self._generation:
            return
        keep = self.current.record_id if self.current is not None else None
        self.views = list(views)
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.setRowCount(len(self.views))
        for row, view in enumerate(self.views):
            m = view.record.metadata
            cells = (m.type_name or m.type_code, m.number_text,
                     m.issued_on.strftime("%d/%m/%Y") if m.issued_on else "", m.owner_name, m.validity_vi())
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 3:
                    item.setToolTip(" · ".join(x for x in m.owner_ids))
                self.table.setItem(row, column, item)
            self._paint_signature(row, view)
        self.table.blockSignals(False)
        unsigned = sum(1 for v in self.views if not v.validly_signed)
        self.count_label.setText(f"{len(self.views)} giấy tờ — {unsigned} chưa ký số" if self.views
                                 else "Không có giấy tờ nào phù hợp.")
        rows = [r for r, v in enumerate(self.views) if v.record.record_id == keep]
        if rows:
            self.table.selectRow(rows[0])
        elif self.views:
            self.table.selectRow(0)
        else:
            self._show_record(None)
        self._update_buttons()
        self.searched.emit(len(self.views))

    def _paint_signature(self, row: int, view: service.RecordView) -> None:
        text, colour = signature_cell(view)
        item = QTableWidgetItem(text)
        item.setForeground(QBrush(QColor(colour)))
        item.setToolTip(view.status.message if view.status is not None else view.error)
        self.table.setItem(row, SIGNATURE_COLUMN, item)

    # -- the selected record ---------------------------------------------------------------------
    def selected_views(self) -> list[service.RecordView]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.views[r] for r in rows if r < len(self.views)]

    def _on_selection(self) -> None:
        chosen = self.selected_views()
        self._show_record(chosen[0].record if len(chosen) == 1 else None, several=len(chosen) > 1)
        self._update_buttons()

    def _show_record(self, record: ResultRecord | None, *, several: bool = False) -> None:
        self.current = record
        if record is None:
            self.preview.setPixmap(QPixmap())
            self.preview.setText("Đã chọn nhiều giấy tờ" if several else "Chọn một giấy tờ để xem trang đầu")
            self.badge.setText("")
            self.badge.setStyleSheet("")
            self.details.setText("")
            return
        self.details.setText(details_html(record))
        self.badge.set_pending()
        ctx, record_id = self.ctx, record.record_id

        def verified(view: service.RecordView) -> None:  # verified on open (cached by SHA-256)
            if self.current is None or self.current.record_id != record_id:
                return
            if view.status is None:
                self.badge.set_error(view.error)
            else:
                self.badge.set_status(view.status)
            self.record_shown.emit(record_id)

        self.runner.run_db(lambda: service.record_signature(ctx, record), verified,
                           lambda error: self.badge.set_error(getattr(error, "message_vi", str(error))))
        self.preview.setPixmap(QPixmap())
        self.preview.setText("Đang mở trang đầu…")
        width = PREVIEW_WIDTH

        def drawn(image: QImage) -> None:
            if self.current is None or self.current.record_id != record_id:
                return
            if image.isNull():
                self.preview.setText("Không hiển thị được trang đầu của tệp PDF")
            else:
                self.preview.setPixmap(QPixmap.fromImage(image))
            self.preview_shown.emit(record_id)

        def not_drawn(error: BaseException) -> None:
            if self.current is not None and self.current.record_id == record_id:
                self.preview.setText(getattr(error, "message_vi", "Không mở được tệp PDF"))

        self.runner.run_work(lambda: render_first_page(warehouse.open_record_pdf(ctx, record), width), drawn,
                             not_drawn)

    # -- signing ---------------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        idle = self.can_sign and not self.signing
        self.sign_button.setEnabled(idle and bool(self.selected_views()))
        self.sign_all_button.setEnabled(idle and any(not v.validly_signed for v in self.views))

    def _ask_secret(self, prompt: str) -> str | None:
        return ask_secret_dialog(self, prompt)

    def _confirm(self, question: str) -> bool:
        answer = QMessageBox.question(self, "Ký số", question)
        return answer == QMessageBox.StandardButton.Yes

    def sign_selected(self) -> None:
        self._sign([v.record.record_id for v in self.selected_views()])

    def sign_all_unsigned(self) -> None:
        ids = [v.record.record_id for v in self.views if not v.validly_signed]
        if ids and self.confirm(f"Ký số {len(ids)} giấy tờ chưa ký trong danh sách (một lần nhập mã PIN)?"):
            self._sign(ids)

    def _sign(self, record_ids: list[str]) -> None:
        if not record_ids or not self.can_sign or self.signing:
            return
        try:
            settings = signing_service.signing_settings(self.ctx)
        except MotCuaError as exc:
            self._fail(exc)
            return
        secret = self.pin.secret_for(settings)
        if secret is None:
            return
        self.sign_run.start(self.ctx, record_ids, self.officer, settings, secret, self._signed,
                            self._sign_failed)
        self.notice.setText(f"Đang ký số {len(record_ids)} giấy tờ…")
        self._update_buttons()

    @property
    def signing(self) -> bool:
        return self.sign_run.active

    def stop_signing(self) -> None:
        self.sign_run.stop()

    def _signed(self, report: service.SignReport) -> None:
        self._update_buttons()
        if report.stopped is not None:
            self.pin.forget()  # the token went away: ask again next time
        self.search()  # the list and the badge show the new signatures
        self.notice.setText(report.summary_vi())
        if report.failed:
            lines = "\n".join(f"• {f.record_id}: {f.error.message_vi}" for f in report.failed[:10])
            self._fail(MotCuaError(f"{len(report.failed)} records not signed",
                                   f"{report.summary_vi()}\n\n{lines}"))
        self.signing_done.emit(report)

    def _sign_failed(self, error: BaseException) -> None:
        self._update_buttons()
        if isinstance(error, SigningError):
            self.pin.forget()  # a wrong PIN must be asked again
        self.notice.setText(getattr(error, "message_vi", "Ký số không thành công."))
        self._fail(error)
        self.signing_done.emit(error)

    def _fail(self, error: BaseException) -> None:
        if self.on_error is not None:
            self.on_error(error)
        else:
            QMessageBox.warning(self, "Kho dữ liệu điện tử", getattr(error, "message_vi", str(error)))

    def forget_secret(self) -> None:
        self.pin.forget()

    def closeEvent(self, event: object) -> None:  # noqa: N802
        self.sign_run.stop()  # a run stops after the record being signed
        super().closeEvent(event)  # type: ignore[arg-type]


def details_html(record: ResultRecord) -> str:
    """The selected record's details under its page."""
    m = record.metadata
    ids = [f"CCCD {m.owner_id_number}" if m.owner_id_number else "",
           f"CMND {m.owner_old_id_number}" if m.owner_old_id_number else "",
           f"MST {m.owner_tax_code}" if m.owner_tax_code else ""]
    source = SOURCE_VI.get(record.source_kind.value, record.source_kind.value)
    rows = [("Giấy tờ", record.label_vi()),
            ("Ngày cấp", m.issued_on.strftime("%d/%m/%Y") if m.issued_on else "—"),
            ("Cơ quan cấp", m.issuer or "—"), ("Người ký", m.signer or "—"),
            ("Chủ sở hữu", f"{m.owner_name} ({', '.join(x for x in ids if x)})"),
            ("Hiệu lực", m.validity_vi()), ("Nguồn", f"{source} {record.source_ref}".strip()),
            ("Mã lưu trữ", f"{record.record_id} — {record.pages} trang, SHA-256 {record.sha256[:12]}…")]
    body = "".join(f"<tr><td style='color:#555;padding-right:8px'>{escape(k)}</td><td>{escape(v)}</td></tr>"
                   for k, v in rows)
    return f"<table cellspacing='0' cellpadding='1'>{body}</table>"


__all__ = ["WarehouseScreen", "details_html", "render_first_page", "signature_cell"]

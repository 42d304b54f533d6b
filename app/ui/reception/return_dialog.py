"""Trả kết quả: scan the receipt's barcode (or type the code), check the dossier, confirm with Enter.

Flow: the code field has the focus; a keyboard-wedge scanner types the code and Enter, the dossier
is looked up in the background and summarised; the focus moves to "Người nhận kết quả" (the
applicant's name, selected so that typing replaces it); Enter hands the result over (status 10) and
the dialog is ready for the next scan. Messages are shown in the dialog, never in a message box.

"Số hoá kết quả" (Alt+H, :class:`app.ui.warehouse.result_digitise.ResultSection`) digitises the result
into the
applicant's e-data warehouse in the same transaction as the return: choose the file (Alt+T) or scan it
(Alt+Q), check the type, type số, ký hiệu, ngày cấp, người ký, then Enter. Left unticked, the result
is returned without it and can be digitised later from the dossier list (Ctrl+Shift+R).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.cccd import parse_cccd_qr
from app.core.clock import vn_now
from app.core.codes import looks_like_dossier_code
from app.core.dossier import Dossier
from app.core.errors import InvalidTransitionError, MotCuaError, ValidationError
from app.core.warehouse import ResultRecord
from app.services.admin.auth import Officer
from app.services.context import AppContext
from app.services.reception import handover
from app.services.scanning import camera as camera_service
from app.ui.dossiers.dossier_detail import dossier_html
from app.ui.ops import TaskRunner
from app.ui.warehouse.result_digitise import ResultSection, Scanners
from app.ui.widgets.camera_dialog import CameraDialog
from app.ui.widgets.formats import datetime_vi
from app.ui.widgets.qr_wedge import QrWedge

log = logging.getLogger(__name__)
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ReturnDialog(QDialog):
    """``returned(Dossier)`` after each result handed over."""

    returned = Signal(object)
    looked_up = Signal(object)  # Dossier, or None when not found

    def __init__(self, ctx: AppContext, runner: TaskRunner, officer: Officer, parent: QWidget | None = None,
                 now: Callable[[], datetime] = vn_now, *, scanners: Scanners | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.officer, self._now = ctx, runner, officer, now
        self.dossier: Dossier | None = None
        self.last_record: ResultRecord | None = None  # the result digitised with the last return
        self._busy = False
        self.setWindowTitle("Trả kết quả")
        self.resize(760, 640)
        layout = QVBoxLayout(self)
        hint = QLabel("Quét mã vạch trên giấy tiếp nhận hồ sơ, hoặc gõ mã hồ sơ rồi nhấn Enter.", self)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        form = QFormLayout()
        self.code = QLineEdit(self)
        self.code.setObjectName("returnCode")
        self.code.setPlaceholderText("Ví dụ 000.00.12.H29-261120-0001")
        self.code.setClearButtonEnabled(True)
        form.addRow(self._label("&Mã hồ sơ:", self.code), self.code)
        layout.addLayout(form)
        self.summary = QTextBrowser(self)
        self.summary.setObjectName("returnSummary")
        self.summary.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.summary.setHtml("<p style='color:#777'>Chưa có hồ sơ.</p>")
        layout.addWidget(self.summary, 1)
        lower = QFormLayout()
        self.collected_by = QLineEdit(self)
        self.collected_by.setObjectName("collectedBy")
        self.collected_by.setPlaceholderText("Họ và tên người đến nhận kết quả")
        self.collected_by.setEnabled(False)
        # The collector's identity: the CCCD's QR code (a wedge scanner into either field, or the
        # webcam, Shift+F7) fills both; or typed. Kept in the return's history entry.
        self.collector_id = QLineEdit(self)
        self.collector_id.setObjectName("collectorId")
        self.collector_id.setPlaceholderText("Số CCCD (12 số) hoặc CMND (9 số): quét mã QR trên thẻ hoặc gõ")
        self.collector_id.setEnabled(False)
        self.cccd_button = QPushButton("Quét CCCD bằng camera (Shift+F7)", self)
        self.cccd_button.setObjectName("collectorCamera")
        self.cccd_button.setAutoDefault(False)
        self.cccd_button.setEnabled(False)
        self.cccd_button.clicked.connect(self.open_cccd_camera)
        id_row = QHBoxLayout()
        id_row.addWidget(self.collector_id, 1)
        id_row.addWidget(self.cccd_button)
        self.time_label = QLabel(self)
        self.time_label.setObjectName("returnTime")
        lower.addRow(self._label("&Người nhận kết quả:", self.collected_by), self.collected_by)
        lower.addRow(self._label("Số &giấy tờ người nhận:", self.collector_id), id_row)
        lower.addRow("Thời điểm trả:", self.time_label)
        layout.addLayout(lower)
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #cfd8dc;")
        layout.addWidget(line)
        self.digitise = ResultSection(ctx, runner, officer, self, scanners=scanners)
        layout.addWidget(self.digitise)
        self.message = QLabel(self)
        self.message.setObjectName("returnMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.confirm_button = QPushButton("&Xác nhận trả kết quả (Enter)", self)
        self.confirm_button.setObjectName("confirmReturn")
        self.confirm_button.setEnabled(False)
        self.close_button = QPushButton("Đóng (Esc)", self)
        for button in (self.confirm_button, self.close_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.confirm_button.clicked.connect(self.confirm)
        self.close_button.clicked.connect(self.reject)
        self.code.textEdited.connect(lambda _t: self.message.clear())
        for first, second in ((self.code, self.collected_by), (self.collected_by, self.collector_id),
                              (self.collector_id, self.digitise.toggle),
                              (self.digitise.valid_until, self.confirm_button),
                              (self.confirm_button, self.close_button)):
            QWidget.setTabOrder(first, second)
        QShortcut(QKeySequence("F7"), self, self.open_camera)
        QShortcut(QKeySequence("Shift+F7"), self, self.open_cccd_camera)
        self.wedge = QrWedge(self)
        self.wedge.watch([self.code, self.collected_by, self.collector_id])
        self.wedge.scanned.connect(lambda payload, _field: self.fill_collector(payload))
        self.camera_dialog: CameraDialog | None = None
        self._tick()
        self.code.setFocus()

    def open_camera(self) -> None:
        """F7: show the receipt's QR code or Code 128 to the webcam instead of a handheld scanner."""
        ctx = self.ctx
        self.runner.run_db(lambda: camera_service.camera_source(ctx), self._start_camera)

    def _start_camera(self, source: str) -> None:
        self.camera_dialog = CameraDialog(self.runner, camera_service.read_dossier_code, source,
                                          "Quét mã trên giấy tiếp nhận bằng camera", self)
        self.camera_dialog.found.connect(self.look_up)
        self.camera_dialog.start()

    def open_cccd_camera(self) -> None:
        """Shift+F7: read the collector's CCCD QR code with the webcam."""
        if self.dossier is None:
            return
        ctx = self.ctx
        self.runner.run_db(lambda: camera_service.camera_source(ctx), self._start_cccd_camera)

    def _start_cccd_camera(self, source: str) -> None:
        self.camera_dialog = CameraDialog(self.runner, camera_service.read_cccd_qr, source,
                                          "Quét mã QR thẻ CCCD của người nhận kết quả", self)
        self.camera_dialog.found.connect(self.fill_collector)
        self.camera_dialog.start()

    def fill_collector(self, payload: str) -> None:
        """A CCCD QR code read at return: the collector's name and number, checked before Enter."""
        if self.dossier is None:
            self._say("Quét mã hồ sơ trước, rồi quét thẻ CCCD của người nhận.", error=True)
            return
        try:
            qr = parse_cccd_qr(payload)
        except ValidationError as error:
            self._say(escape(error.message_vi), error=True)
            return
        self.collected_by.setText(qr.full_name)
        self.collector_id.setText(qr.id_number)
        self.confirm_button.setFocus()
        self._say(f"Đã đọc thẻ CCCD của <b>{escape(qr.full_name)}</b> ({escape(qr.id_number)}). "
                  "Nhấn Enter để xác nhận trả kết quả.")

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    def _tick(self) -> None:
        self.time_label.setText(datetime_vi(self._now().replace(second=0, microsecond=0)))

    # -- look-up -------------------------------------------------------------------------------
    def look_up(self, text: str | None = None) -> None:
        """Find the dossier whose code was scanned or typed (in the background)."""
        text = (self.code.text() if text is None else text).strip()
        if not text:
            self._say("Hãy quét hoặc nhập mã hồ sơ.", error=True)
            return
        self.code.setText(text)
        self._say("Đang tìm hồ sơ…")
        ctx = self.ctx
        self.runner.run_db(lambda: handover.find_by_scanned_code(ctx, text), self._found, self._not_found)

    def _found(self, dossier: Dossier) -> None:
        self._tick()
        self.summary.setHtml(dossier_html(dossier))
        try:
            handover.check_returnable(dossier)  # only "Đã xử lý xong" (9) is returned
        except InvalidTransitionError as refused:
            self._not_returnable(dossier, refused)
            return
        self.dossier = dossier
        self.digitise.load(dossier)
        self._collector_enabled(True)
        self.confirm_button.setEnabled(True)
        self.collected_by.setText(dossier.applicant.full_name)
        self.collector_id.clear()
        self.collected_by.selectAll()
        self.collected_by.setFocus()
        self._say(f"Trạng thái: {escape(dossier.status.label_vi)}. Kiểm tra người nhận rồi nhấn Enter để "
                  "xác nhận trả kết quả.")
        self.looked_up.emit(dossier)

    def _not_returnable(self, dossier: Dossier, refused: InvalidTransitionError) -> None:
        """Shown, not returned: the message says why and which actions are possible now."""
        self.dossier = None
        self.digitise.load(None)
        self._collector_enabled(False)
        self.confirm_button.setEnabled(False)
        self._say(escape(refused.message_vi), error=True)
        self.code.selectAll()
        self.code.setFocus()
        self.looked_up.emit(dossier)

    def _not_found(self, error: BaseException) -> None:
        self.dossier = None
        self._collector_enabled(False)
        self.confirm_button.setEnabled(False)
        self.summary.setHtml("<p style='color:#777'>Chưa có hồ sơ.</p>")
        self.digitise.load(None)
        self._fail(error)
        self.code.selectAll()
        self.code.setFocus()
        self.looked_up.emit(None)

    def _collector_enabled(self, enabled: bool) -> None:
        for widget in (self.collected_by, self.collector_id, self.cccd_button):
            widget.setEnabled(enabled)

    # -- hand over -----------------------------------------------------------------------------
    def confirm(self) -> None:
        if self.dossier is None or self._busy:
            return
        name = self.collected_by.text()
        if looks_like_dossier_code(name):  # a new receipt scanned into the name field
            self.collected_by.clear()
            self.look_up(name)
            return
        try:
            work = self.digitise.result_work()  # None: returned without digitising the result
        except ValidationError as error:
            self._return_failed(error)
            return
        self._busy = True
        self.confirm_button.setEnabled(False)
        ctx, code, officer, collector_id = self.ctx, self.dossier.code, self.officer, self.collector_id.text()
        if work is not None:
            self._say("Đang số hoá kết quả và trả kết quả…")

        def hand_over() -> handover.ReturnOutcome:
            return handover.hand_over(ctx, code, name, officer, result=work() if work is not None else None,
                                       collector_id=collector_id)

        self.runner.run_db(hand_over, self._returned, self._return_failed)

    def _returned(self, outcome: handover.ReturnOutcome) -> None:
        dossier, record = outcome.dossier, outcome.record
        self.last_record = record
        self._busy = False
        self.dossier = None
        self.summary.setHtml(dossier_html(dossier))
        bar = self.summary.verticalScrollBar()
        bar.setValue(bar.maximum())  # the new history lines are at the end
        stored = ""
        if record is not None:
            stored = (f"Đã số hoá kết quả vào kho: {escape(record.label_vi())} "
                      f"({escape(record.record_id)}). ")
            self.digitise.stored()
        self.digitise.load(None)
        stored_id = dossier.history[-1].details.get("collector_id") if dossier.history else None
        who = f" (số giấy tờ {escape(str(stored_id))})" if stored_id else ""  # as stored, not as typed
        self._say(f"✔ Đã trả kết quả hồ sơ <b>{escape(dossier.code)}</b> cho "
                  f"<b>{escape(dossier.returned_to)}</b>{who} lúc {datetime_vi(dossier.returned_at)}. "
                  f"{stored}Quét mã hồ sơ tiếp theo.", ok=True)
        self.collected_by.clear()
        self.collector_id.clear()
        self._collector_enabled(False)
        self.code.clear()
        self.code.setFocus()
        self.returned.emit(dossier)

    def _return_failed(self, error: BaseException) -> None:
        self._busy = False
        self.confirm_button.setEnabled(True)
        self._fail(error)
        if isinstance(error, ValidationError) and error.field == "collector_id":
            self.collector_id.setFocus()
            self.collector_id.selectAll()
        elif isinstance(error, ValidationError) and error.field != "collected_by":
            self.digitise.focus_field(error.field)

    def done(self, result: int) -> None:  # closing: scanned pages not stored are given up
        self.digitise.give_up_scan()
        super().done(result)

    # -- messages and keys ---------------------------------------------------------------------
    def _fail(self, error: BaseException) -> None:
        if isinstance(error, MotCuaError):
            self._say(escape(error.message_vi), error=True)
        else:
            log.error("return failed", exc_info=error)
            self._say("Đã xảy ra lỗi không mong muốn. Chi tiết đã được ghi vào nhật ký.", error=True)

    def _say(self, html: str, *, error: bool = False, ok: bool = False) -> None:
        color = "#c62828" if error else "#2e7d32" if ok else "#333"
        self.message.setText(f"<span style='color:{color}'>{html}</span>")

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in _ENTER:
            focus: Any = self.focusWidget()
            if focus is self.code:
                self.look_up()
            elif focus is self.close_button:
                self.reject()
            elif isinstance(focus, QPushButton) and focus is not self.confirm_button:
                focus.click()  # Chọn tệp, Quét
            else:
                self.confirm()
            event.accept()
            return
        super().keyPressEvent(event)

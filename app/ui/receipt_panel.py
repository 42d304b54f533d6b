"""After a dossier is received: its code and appointment, and the receipt (Mẫu 01) to print,
preview or export. Shown inside the dialog (no message box), so the keyboard flow goes on."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.dossier import Dossier
from app.core.errors import MotCuaError
from app.services import printing
from app.services.auth import Officer
from app.services.context import AppContext
from app.ui import slip_output
from app.ui.draft_keeper import RunDb
from app.ui.formats import datetime_vi

RECEIPT_FORM = "01"


class ReceiptPanel(QFrame):
    """``show_dossier`` fills it; ``print_receipt``/``preview_receipt``/``export_receipt`` are the
    actions behind its buttons, callable directly (tests pass a printer or a path: no dialog)."""

    exported = Signal(Path)
    printed = Signal(int)  # pages
    failed = Signal(str)

    def __init__(self, ctx: AppContext, run_db: RunDb, officer: Officer,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receiptPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#receiptPanel { background: #e8f5e9; border: 1px solid #81c784; }")
        self.ctx, self._run_db, self.officer = ctx, run_db, officer
        self.dossier: Dossier | None = None
        self.preview_dialog: Any = None
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setObjectName("receiptSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        buttons = QHBoxLayout()
        self.print_button = self._button("&In biên nhận (Ctrl+P)", "printReceipt",
                                         lambda: self.print_receipt())
        self.preview_button = self._button("&Xem trước (Ctrl+Shift+P)", "previewReceipt",
                                           self.preview_receipt)
        self.export_button = self._button("Xuất PD&F… (Ctrl+E)", "exportReceipt",
                                          lambda: self.export_receipt())
        for button in (self.print_button, self.preview_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.outcome = QLabel(self)
        self.outcome.setObjectName("receiptOutcome")
        self.outcome.setWordWrap(True)
        self.outcome.hide()
        layout.addWidget(self.outcome)
        self.hide()

    def _button(self, text: str, name: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def show_dossier(self, dossier: Dossier) -> None:
        self.dossier = dossier
        self.summary.setText(
            f"<span style='font-size:13pt'>✔ Đã tiếp nhận hồ sơ <b>{escape(dossier.code)}</b></span><br>"
            f"Chủ hồ sơ: <b>{escape(dossier.applicant.full_name)}</b> — "
            f"Hẹn trả kết quả: <b>{datetime_vi(dossier.due_at)}</b><br>"
            "Nhấn Ctrl+P để in giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01), Esc để đóng.")
        self._note("")
        self.show()
        self.print_button.setFocus()

    def _note(self, html: str) -> None:
        self.outcome.setText(html)
        self.outcome.setVisible(bool(html))

    # -- actions -------------------------------------------------------------------------------
    def _with_slip(self, use: Callable[[bytes], None], *, preview: bool = False) -> None:
        if self.dossier is None:
            return
        ctx, code, officer = self.ctx, self.dossier.code, self.officer
        self._note("Đang tạo phiếu…")
        self._run_db(lambda: printing.render_slip(ctx, RECEIPT_FORM, code, officer, preview=preview), use,
                     self._failed)

    def print_receipt(self, printer: QPrinter | None = None) -> None:
        """Print Mẫu 01; without ``printer`` the print dialog asks (the default printer preselected)."""
        def done(data: bytes) -> None:
            pages = slip_output.print_pdf(self, data, printer)
            if pages:
                self._note("Đã gửi phiếu đến máy in.")
                self.printed.emit(pages)
            else:
                self._note("Đã hủy in.")

        self._with_slip(done)

    def preview_receipt(self) -> None:
        def done(data: bytes) -> None:
            self._note("")
            self.preview_dialog = slip_output.preview_pdf(self, data)

        self._with_slip(done, preview=True)

    def export_receipt(self, path: Path | None = None) -> None:
        """Write Mẫu 01 as PDF to ``path`` (asked with a file dialog when None)."""
        if self.dossier is None:
            return
        if path is None:
            path = slip_output.ask_pdf_path(self, f"bien-nhan-{self.dossier.code}.pdf")
            if path is None:
                return
        ctx, code, officer, out = self.ctx, self.dossier.code, self.officer, path
        self._note("Đang xuất tệp PDF…")
        self._run_db(lambda: printing.export_slip(ctx, RECEIPT_FORM, code, out, officer),
                     self._exported, self._failed)

    def _exported(self, path: Path) -> None:
        self._note(f"Đã lưu phiếu vào tệp: {escape(str(path))}")
        self.exported.emit(path)

    def _failed(self, error: BaseException) -> None:
        text = error.message_vi if isinstance(error, MotCuaError) else "Không tạo được phiếu (xem nhật ký)."
        self._note(f"<span style='color:#c62828'>{escape(text)}</span>")
        self.failed.emit(text)

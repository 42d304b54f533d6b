"""Số hoá kết quả: the result of a dossier into the applicant's e-data warehouse.

:class:`ResultSection` is the compact form the return dialog shows under "Người nhận kết quả"
(collapsed behind the "Số &hoá kết quả" check box, Alt+H) and :class:`DigitiseResultDialog` shows on
its own for a dossier handed back without it (the detail pane's "Kết quả chưa số hoá",
Ctrl+Shift+R). The result file is chosen with Alt+T (one PDF, or the images of its pages) or read
from a scanner with Alt+Q (when SANE sees one: the scan station's :class:`Acquisition`); then the
type (the procedure's results, the main one pre-selected, Alt+G), số (Alt+S), ký hiệu (Alt+I), ngày
cấp dd/mm/yyyy (Alt+C), người ký (Alt+K), hiệu lực (Alt+L). Nothing slow runs on the GUI thread:
the types are loaded, the scanned pages turned into a PDF and the record stored on the runner
(:mod:`app.services.warehouse.results`).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.dates import parse_date_vi
from app.core.dossier import Dossier
from app.core.errors import MotCuaError, ValidationError
from app.core.result_types import ResultType
from app.core.warehouse import ResultRecord, Validity
from app.scanning.profile import DEFAULT_PROFILE
from app.services.admin.auth import Officer
from app.services.context import AppContext
from app.services.reception import dossiers
from app.services.scanning.deck import StationPage
from app.services.warehouse import results
from app.ui.ops import TaskRunner
from app.ui.scanning.acquisition import Acquisition

log = logging.getLogger(__name__)
RESULT_FILTER = "PDF hoặc ảnh các trang (*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.bmp *.webp);;Mọi tệp (*)"
VALIDITY_LABELS = ((Validity.VALID, "Còn hiệu lực"), (Validity.UNTIL, "Còn hiệu lực đến ngày"),
                   (Validity.EXPIRED, "Hết hiệu lực"))
NO_FILE_VI = "Chưa có tệp kết quả (Alt+T chọn tệp PDF hoặc ảnh các trang)."
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)

Scanners = Callable[[], list[tuple[str, str]]]


def ask_result_files(parent: QWidget) -> list[str]:
    files, _filter = QFileDialog.getOpenFileNames(parent, "Chọn tệp kết quả (PDF hoặc ảnh các trang)", "",
                                                  RESULT_FILTER)
    return files


def _error(en: str, vi: str, field: str) -> ValidationError:
    return ValidationError(en, vi, field=field)


class ResultSection(QWidget):
    """The result's file and what is printed on it; :meth:`result_work` gives the work that builds
    the :class:`~app.services.warehouse.results.DossierResult` on a worker thread."""

    types_loaded = Signal()
    scan_finished = Signal(object)  # the number of pages read, or the exception that ended the scan
    toggled = Signal(bool)

    def __init__(self, ctx: AppContext, runner: TaskRunner, officer: Officer, parent: QWidget | None = None,
                 *, scanners: Scanners | None = None, collapsible: bool = True) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.officer = ctx, runner, officer
        self.code: str | None = None
        self.files: list[str] = []
        self.scanned: list[StationPage] = []
        self.scanner_uri: str | None = None
        self._scanners = scanners
        self._scanners_asked = False
        self.acquisition: Acquisition | None = None
        #: test hook: what the file dialog answers
        self.pick_files: Callable[[], list[str]] = lambda: ask_result_files(self)
        self._build(collapsible)

    # -- layout ------------------------------------------------------------------------------------
    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text, self.body)
        label.setBuddy(buddy)
        return label

    def _build(self, collapsible: bool) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        self.toggle = QCheckBox("Số &hoá kết quả vào kho dữ liệu của chủ hồ sơ", self)
        self.toggle.setObjectName("digitiseResult")
        outer.addWidget(self.toggle)
        self.body = QWidget(self)
        self.body.setObjectName("digitiseBody")
        grid = QGridLayout(self.body)
        grid.setContentsMargins(18 if collapsible else 0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)

        self.file_label = QLabel(NO_FILE_VI, self.body)
        self.file_label.setObjectName("resultFile")
        self.file_label.setStyleSheet("color: #607d8b;")
        self.file_label.setWordWrap(True)
        self.pick_button = QPushButton("Chọn &tệp…", self.body)
        self.pick_button.setObjectName("pickResultFile")
        self.scan_button = QPushButton("&Quét", self.body)
        self.scan_button.setObjectName("scanResult")
        self.scan_button.setToolTip("Đọc kết quả từ máy quét (khi có máy quét)")
        self.scan_button.setEnabled(False)
        for button in (self.pick_button, self.scan_button):
            button.setAutoDefault(False)
        files = QHBoxLayout()
        files.addWidget(self.file_label, 1)
        files.addWidget(self.pick_button)
        files.addWidget(self.scan_button)
        grid.addWidget(QLabel("Tệp kết quả:", self.body), 0, 0)
        grid.addLayout(files, 0, 1, 1, 3)

        self.type_combo = QComboBox(self.body)
        self.type_combo.setObjectName("resultTypeCode")
        self.type_combo.setMinimumContentsLength(30)
        self.type_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        grid.addWidget(self._label("Loại &giấy tờ:", self.type_combo), 1, 0)
        grid.addWidget(self.type_combo, 1, 1, 1, 3)

        self.number = self._edit("resultNumber", "vd 123")
        self.symbol = self._edit("resultSymbol", "vd 2026/KS hoặc QĐ-UBND")
        grid.addWidget(self._label("&Số:", self.number), 2, 0)
        grid.addWidget(self.number, 2, 1)
        grid.addWidget(self._label("Ký h&iệu:", self.symbol), 2, 2)
        grid.addWidget(self.symbol, 2, 3)

        self.issued_on = self._edit("resultIssuedOn", "dd/mm/yyyy")
        self.signer = self._edit("resultSigner", "họ tên người ký")
        grid.addWidget(self._label("Ngày &cấp:", self.issued_on), 3, 0)
        grid.addWidget(self.issued_on, 3, 1)
        grid.addWidget(self._label("Người &ký:", self.signer), 3, 2)
        grid.addWidget(self.signer, 3, 3)

        self.validity = QComboBox(self.body)
        self.validity.setObjectName("resultValidity")
        for value, label in VALIDITY_LABELS:
            self.validity.addItem(label, value.value)
        self.valid_until = self._edit("resultValidUntil", "dd/mm/yyyy")
        self.valid_until.setEnabled(False)
        grid.addWidget(self._label("Hiệu &lực:", self.validity), 4, 0)
        grid.addWidget(self.validity, 4, 1)
        grid.addWidget(QLabel("đến ngày:", self.body), 4, 2)
        grid.addWidget(self.valid_until, 4, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        outer.addWidget(self.body)

        self.pick_button.clicked.connect(self.choose_files)
        self.scan_button.clicked.connect(self.scan)
        self.validity.currentIndexChanged.connect(
            lambda _i: self.valid_until.setEnabled(self.validity.currentData() == Validity.UNTIL.value))
        self.toggle.toggled.connect(self._on_toggle)
        if collapsible:
            self.body.hide()
        else:
            self.toggle.hide()
            self.toggle.setChecked(True)
        order = [self.toggle, self.pick_button, self.scan_button, self.type_combo, self.number, self.symbol,
                 self.issued_on, self.signer, self.validity, self.valid_until]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    def _edit(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self.body)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        return edit

    @property
    def active(self) -> bool:
        """The officer wants the result digitised (the box is ticked)."""
        return self.toggle.isChecked()

    def _on_toggle(self, on: bool) -> None:
        self.body.setVisible(on)
        if on:
            self._ask_scanners()
            if self.code is not None:
                (self.number if self.files or self.scanned else self.pick_button).setFocus()
        self.toggled.emit(on)

    # -- the dossier -------------------------------------------------------------------------------
    def load(self, dossier: Dossier | None) -> None:
        """The dossier whose result is digitised (None: no dossier; the form is kept as typed)."""
        self.give_up_scan()
        self.code = dossier.code if dossier is not None else None
        self.type_combo.clear()
        self.clear_document()
        if dossier is None:
            return
        code, ctx = dossier.code, self.ctx
        if self.acquisition is None:
            self.acquisition = Acquisition(ctx, code, self.officer,
                                           lambda fn, ok, fail: self.runner.run_work(fn, ok, fail), self)
            self.acquisition.page.connect(lambda page: self.scanned.append(page))
            self.acquisition.finished.connect(self._on_scanned)
        self.acquisition.code = code  # the spool batch of the next scan is named after the dossier
        self.runner.run_db(lambda: results.result_choices(ctx, code),
                           lambda types: self._on_types(code, types), lambda _e: self.types_loaded.emit())

    def _on_types(self, code: str, types: list[ResultType]) -> None:
        if code != self.code:
            return
        self.type_combo.clear()
        for t in types:
            self.type_combo.addItem(f"{t.name} — {t.code}", t.code)
        self.type_combo.setCurrentIndex(0 if types else -1)
        self.types_loaded.emit()

    # -- the file ----------------------------------------------------------------------------------
    def choose_files(self) -> None:
        """Alt+T: one PDF, or the images of the result's pages."""
        chosen = [f for f in self.pick_files() if f]
        if not chosen:
            return
        self.give_up_scan()
        self.files = chosen
        self._show_document()
        self.number.setFocus()

    def _show_document(self) -> None:
        if self.scanned:
            text = f"{len(self.scanned)} trang đã quét từ máy quét"
        elif len(self.files) == 1:
            text = Path(self.files[0]).name
        elif self.files:
            text = f"{len(self.files)} ảnh trang: {', '.join(Path(f).name for f in self.files[:3])}" + \
                ("…" if len(self.files) > 3 else "")
        else:
            self.file_label.setText(NO_FILE_VI)
            self.file_label.setStyleSheet("color: #607d8b;")
            return
        self.file_label.setText(f"<b>{escape(text)}</b>")
        self.file_label.setStyleSheet("color: #1b5e20;")

    def clear_document(self) -> None:
        """After a result was stored: the file and what differs from one result to the next."""
        self.files = []
        self.scanned = []
        for edit in (self.number, self.symbol, self.issued_on, self.valid_until):
            edit.clear()
        self._show_document()

    # -- the scanner ---------------------------------------------------------------------------------
    def _ask_scanners(self) -> None:
        if self._scanners is None or self._scanners_asked:
            return
        self._scanners_asked = True
        self.runner.run_work(self._scanners, self.set_scanners, lambda _e: None)

    def set_scanners(self, found: list[tuple[str, str]]) -> None:
        """The scanners (source URI, label) SANE sees; the first one is used (set: not asked again)."""
        self._scanners_asked = True
        if found:
            self.scanner_uri, label = found[0]
            self.scan_button.setEnabled(True)
            self.scan_button.setToolTip(f"Quét kết quả bằng {label}")

    def scan(self) -> None:
        """Alt+Q: read the result's pages from the scanner (in the background)."""
        if self.acquisition is None or self.scanner_uri is None or self.acquisition.running:
            return
        self.give_up_scan()
        self.files = []
        self.file_label.setText("Đang quét…")
        self.scan_button.setEnabled(False)
        self.acquisition.start(self.scanner_uri, DEFAULT_PROFILE.name)

    def _on_scanned(self, outcome: object) -> None:
        self.scan_button.setEnabled(self.scanner_uri is not None)
        if isinstance(outcome, BaseException):
            message = outcome.message_vi if isinstance(outcome, MotCuaError) else "Không quét được kết quả."
            if not isinstance(outcome, MotCuaError):
                log.error("scanning a result failed", exc_info=outcome)
            self.file_label.setText(escape(message))
            self.file_label.setStyleSheet("color: #c62828;")
        else:
            self._show_document()
            self.number.setFocus()
        self.scan_finished.emit(outcome if isinstance(outcome, BaseException) else len(self.scanned))

    def give_up_scan(self) -> None:
        """Pages scanned and not stored are given up (their spool batch finished)."""
        if self.acquisition is not None:
            self.acquisition.cancel()
            self.acquisition.finish_spools()
        self.scanned = []

    def stored(self) -> None:
        """The result is in the warehouse: the scanned pages are done, the form ready for the next."""
        if self.acquisition is not None:
            self.acquisition.finish_spools()
        self.scanned = []
        self.clear_document()

    # -- the result ----------------------------------------------------------------------------------
    def result_work(self) -> Callable[[], results.DossierResult] | None:
        """None when the box is not ticked; else the work (for a worker thread) that gives the
        :class:`DossierResult`. Raises :class:`ValidationError` (Vietnamese) for what the form can
        see itself: no file, PDF and images mixed, a bad date."""
        if not self.active:
            return None
        if self.acquisition is not None and self.acquisition.running:
            raise _error("a scan is running", "Đang quét kết quả: chờ quét xong.", "pdf")
        issued = parse_date_vi(self.issued_on.text(), "issued_on", "Ngày cấp")
        validity = Validity(self.validity.currentData())
        until = parse_date_vi(self.valid_until.text(), "valid_until", "Ngày hết hiệu lực") \
            if validity is Validity.UNTIL else None
        fields: dict[str, Any] = {
            "type_code": self.type_combo.currentData() or None, "number": self.number.text(),
            "symbol": self.symbol.text(), "issued_on": issued, "signer": self.signer.text(),
            "validity": validity, "valid_until": until}
        if self.scanned:
            pages, code, officer = list(self.scanned), self.code or "", self.officer
            return lambda: results.DossierResult(pdf_bytes=results.scanned_result_pdf(code, pages, officer),
                                                 **fields)
        files = list(self.files)
        if not files:
            raise _error("no result file", NO_FILE_VI, "pdf")
        pdfs = [f for f in files if f.lower().endswith(".pdf")]
        if len(files) == 1 and pdfs:
            return lambda: results.DossierResult(pdf_path=files[0], **fields)
        if pdfs:
            raise _error("several files with a PDF among them",
                         "Chọn một tệp PDF, hoặc các ảnh trang của kết quả (không chọn lẫn nhiều tệp PDF).",
                         "pdf")
        return lambda: results.DossierResult(page_images=files, **fields)

    def focus_field(self, field: str | None) -> None:
        """Put the cursor where an error points."""
        target = {"number": self.number, "symbol": self.symbol, "issued_on": self.issued_on,
                  "signer": self.signer, "valid_until": self.valid_until, "type_code": self.type_combo,
                  "pdf": self.pick_button, "pages": self.pick_button}.get(field or "")
        if target is not None and self.active:
            target.setFocus()


class DigitiseResultDialog(QDialog):
    """The result of a dossier handed back without it, digitised later: ``digitised(ResultRecord)``."""

    digitised = Signal(object)
    loaded = Signal()

    def __init__(self, ctx: AppContext, runner: TaskRunner, officer: Officer, code: str,
                 parent: QWidget | None = None, *, scanners: Scanners | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.officer, self.code = ctx, runner, officer, code.strip()
        self._busy = False
        self.record: ResultRecord | None = None
        self.setWindowTitle(f"Số hoá kết quả — hồ sơ {self.code}")
        self.resize(640, 300)
        layout = QVBoxLayout(self)
        self.header = QLabel(f"Hồ sơ <b>{escape(self.code)}</b>", self)
        self.header.setWordWrap(True)
        layout.addWidget(self.header)
        self.section = ResultSection(ctx, runner, officer, self, scanners=scanners, collapsible=False)
        layout.addWidget(self.section)
        self.message = QLabel(self)
        self.message.setObjectName("digitiseMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.save_button = QPushButton("&Lưu vào kho (Enter)", self)
        self.save_button.setObjectName("saveDigitisedResult")
        self.close_button = QPushButton("Đóng (Esc)", self)
        for button in (self.save_button, self.close_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        QWidget.setTabOrder(self.section.valid_until, self.save_button)
        QWidget.setTabOrder(self.save_button, self.close_button)
        self.section.types_loaded.connect(self.loaded.emit)
        runner.run_db(lambda: _dossier(ctx, self.code), self._on_dossier, self._fail)

    def _on_dossier(self, dossier: Dossier) -> None:
        self.header.setText(f"Hồ sơ <b>{escape(dossier.code)}</b> — {escape(dossier.applicant.full_name)} — "
                            f"{escape(dossier.procedure_name)}")
        self.section.load(dossier)
        self.section.pick_button.setFocus()

    def save(self) -> None:
        if self._busy or self.section.code is None:
            return
        try:
            work = self.section.result_work()
        except ValidationError as error:
            self._fail(error)
            return
        assert work is not None
        ctx, code, officer = self.ctx, self.code, self.officer
        self._busy = True
        self.save_button.setEnabled(False)
        self._say("Đang lưu kết quả vào kho…")
        self.runner.run_db(lambda: results.digitise_dossier_result(ctx, code, officer, work()),
                           self._saved, self._failed)

    def _saved(self, record: ResultRecord) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        self.record = record
        self.section.stored()
        self._say(f"✔ Đã số hoá kết quả: {escape(record.label_vi())} ({escape(record.record_id)}).", ok=True)
        self.digitised.emit(record)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        self._fail(error)

    def _fail(self, error: BaseException) -> None:
        if isinstance(error, MotCuaError):
            self._say(escape(error.message_vi), error=True)
            self.section.focus_field(getattr(error, "field", None))
        else:
            log.error("digitising a result failed", exc_info=error)
            self._say("Đã xảy ra lỗi không mong muốn. Chi tiết đã được ghi vào nhật ký.", error=True)

    def _say(self, html: str, *, error: bool = False, ok: bool = False) -> None:
        color = "#c62828" if error else "#2e7d32" if ok else "#333"
        self.message.setText(f"<span style='color:{color}'>{html}</span>")

    def done(self, result: int) -> None:  # accept, reject, Esc
        self.section.give_up_scan()
        super().done(result)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in _ENTER:
            focus = self.focusWidget()
            if isinstance(focus, QPushButton) and focus is not self.save_button:
                focus.click()
            else:
                self.save()
            event.accept()
            return
        super().keyPressEvent(event)


def _dossier(ctx: AppContext, code: str) -> Dossier:
    return dossiers.get_dossier(ctx, code)

"""Số hóa theo lô: the batch screen of the digitisation clerk.

The clerk names a source (a folder of scans, or a scanner URI), presses "Bắt đầu" (F5) and watches
the pages arrive as thumbnails grouped by document: a separator sheet opens a new group (it is not
stored), blank pages are greyed with "Trang trắng?", pages that fail a quality gate are marked.
The progress line shows pages, pages per hour, documents done and how many of them the clerk has
recorded. "Dừng" (Esc) pauses (the batch stays open), "Tiếp tục lô" resumes the selected unfinished
batch where it stopped (or reopens a finished one whose documents are not all recorded), "Hủy lô"
abandons it. The batch runs on the TaskRunner's worker; pages come back through a queued signal.

Beside the tree, a :class:`~app.ui.result_form.ResultForm` (with its own page preview) records the
documents: when a batch finishes or is reopened, the first document not yet recorded is loaded,
its type pre-filled from its separator sheet; selecting a document in the tree loads it, F8 jumps to
the next one not recorded. Enter (or Ctrl+S) saves through
:func:`app.services.batch_records.record_document` (which holds every quality gate) and moves on;
the form's carried-over values stay. A document with blank or flagged pages shows what to look at
and "Đã xem trang trắng" (Alt+X), without which the service refuses it. Recorded documents show ✓
and their record number in the tree.

A document that cannot be recorded (an unreadable page, not a result at all, ...) is set aside with
"Để riêng giấy tờ này…" (Ctrl+Shift+D), which asks the reason (:class:`SetAsideDialog`); the tree
shows it grey with "⊘ Để riêng: <lý do>", the progress line counts it ("3/5 giấy tờ đã nhập, 1 để
riêng"), and once every document is recorded or set aside the batch leaves "Lô chưa xong". On a
set-aside document the same key (or "Đưa trở lại") puts it back among those to record.

"Ký số cả lô…" (for the roles that may sign) signs every recorded document of the batch whose PDF
has no valid signature yet (:func:`app.services.warehouse_signing.sign_records`: one token login),
on the work pool with a progress bar and "Dừng" (or Esc); the PIN is asked once per session
(:class:`~app.ui.signing_pin.SigningPin`). The status line gives the result and the tree marks each
signed record "✓ đã ký".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import MotCuaError, ValidationError
from app.core.progress import CancelToken
from app.core.warehouse import ResultMetadata, ResultRecord
from app.documents.signing import SigningError
from app.scanning.profile import PROFILES
from app.services import batch as batch_service
from app.services import batch_records, warehouse_signing
from app.services import signing as signing_service
from app.services.auth import Officer
from app.services.context import AppContext
from app.ui.ocr_prefill import Prefiller
from app.ui.ops import TaskRunner
from app.ui.result_form import ResultForm
from app.ui.set_aside_dialog import SetAsideDialog
from app.ui.signing_pin import NOT_A_SIGNER_VI, SigningPin, SigningRun, ask_secret_dialog, can_sign

log = logging.getLogger(__name__)

FLAG_LABELS = {"blank": "Trang trắng?", "unreadable": "Không đọc được", "pipeline_failed": "Lỗi xử lý ảnh",
               "too_dark": "Quá tối", "too_light": "Quá nhạt", "cut_off": "Mất mép",
               "duplicate": "Trùng trang", "near_duplicate": "Gần trùng"}
THUMB = 72
PREVIEW_WIDTH = 360
DONE_COLOUR = QColor(46, 125, 50)
ASIDE_COLOUR = QColor(117, 117, 117)
SET_ASIDE_KEYS = "Ctrl+Shift+D"


class _PageSignal(QObject):
    """Carries ``(record, thumbnail PNG)`` from the worker to the GUI thread (queued)."""

    page = Signal(object)


class BatchScreen(QWidget):
    """The batch screen. ``finished(BatchOutcome | BaseException)`` when a run ends;
    ``document_loaded(number)`` when a document's pages are in the form; ``recorded(ResultRecord)``
    after each document recorded; ``set_aside_changed(number)`` after a document is set aside or
    put back; ``signing_done(SignReport | BaseException)`` when "Ký số cả lô" ends;
    ``signatures_shown()`` when the tree shows the records' signatures."""

    finished = Signal(object)
    document_loaded = Signal(int)
    recorded = Signal(object)
    set_aside_changed = Signal(int)
    signing_done = Signal(object)
    signatures_shown = Signal()

    def __init__(self, ctx: AppContext, runner: TaskRunner, officer: Officer,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.officer = ctx, runner, officer
        self.setWindowTitle("Số hóa theo lô")
        self.resize(1280, 800)
        self.batch: Any = None
        self.outcome: Any = None
        self.cancel_token: CancelToken | None = None
        self.running = False
        self.pages_seen = 0
        self.documents_done = 0
        self.done = batch_records.DocumentsDone(0, 0)
        self.doc_number: int | None = None  # the document in the form
        self.document: batch_records.OpenDocument | None = None
        self._records: dict[int, str] = {}  # document number -> warehouse record id
        self._set_aside: dict[int, str] = {}  # document number -> why it is set aside
        self._signed: set[int] = set()  # numbers of the documents whose record is validly signed
        self.set_aside_dialog: SetAsideDialog | None = None
        self.can_sign = can_sign(officer)
        self.ask_secret: Callable[[str], str | None] = lambda prompt: ask_secret_dialog(self, prompt)
        self.confirm: Callable[[str], bool] = self._confirm
        self.pin = SigningPin(lambda prompt: self.ask_secret(prompt))  # the PIN of this session
        self._saving_number: int | None = None
        self._load_generation = 0
        self._syncing = False
        self._last_progress: tuple[int, float, int] = (0, 0.0, 0)
        self._started = 0.0
        self._seconds_before = 0.0
        self._current: QTreeWidgetItem | None = None
        self._signal = _PageSignal()
        self._signal.page.connect(self._on_page)
        self._build()
        self._refresh_unfinished()

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        top = QHBoxLayout()
        self.source = QLineEdit(self)
        self.source.setPlaceholderText("folder:/đường/dẫn/thư mục  hoặc  sane:THIẾT_BỊ?source=adf")
        self.source.setAccessibleName("Nguồn trang")
        self.browse_button = QPushButton("Chọn thư mục…", self)
        self.profile = QComboBox(self)
        for name, profile in PROFILES.items():
            self.profile.addItem(profile.label_vi, name)
        self.start_button = QPushButton("Bắt đầu (F5)", self)
        self.pause_button = QPushButton("Dừng (Esc)", self)
        self.cancel_button = QPushButton("Hủy lô", self)
        for widget in (QLabel("Nguồn:", self), self.source, self.browse_button, self.profile,
                       self.start_button, self.pause_button, self.cancel_button):
            top.addWidget(widget)
        resume_row = QHBoxLayout()
        self.unfinished = QComboBox(self)
        self.unfinished.setAccessibleName("Lô chưa xong")
        self.resume_button = QPushButton("Tiếp tục lô", self)
        resume_row.addWidget(QLabel("Lô chưa xong:", self))
        resume_row.addWidget(self.unfinished, 1)
        resume_row.addWidget(self.resume_button)
        self.progress = QLabel("Chưa chạy lô nào.", self)
        self.progress.setTextFormat(Qt.TextFormat.RichText)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["Tài liệu / trang", "Kiểm tra"])
        self.tree.setIconSize(QPixmap(THUMB, round(THUMB * 1.4)).size())
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(False)
        self.tree.setMinimumWidth(300)
        self.tree.currentItemChanged.connect(self._on_tree_current)

        right = QWidget(self)
        side = QVBoxLayout(right)
        side.setContentsMargins(0, 0, 0, 0)
        self.doc_label = QLabel("Chọn một tài liệu trong danh sách để nhập thông tin.", right)
        self.doc_label.setObjectName("batchDocument")
        self.doc_label.setTextFormat(Qt.TextFormat.RichText)
        self.doc_label.setWordWrap(True)
        self.set_aside_button = QPushButton(f"Để riêng giấy tờ này… ({SET_ASIDE_KEYS})", right)
        self.set_aside_button.setObjectName("batchSetAside")
        self.set_aside_button.setToolTip("Không nhập giấy tờ này vào kho (trang không đọc được, không phải "
                                         "kết quả…): ghi lý do, lô vẫn được coi là xong")
        self.set_aside_button.clicked.connect(self.set_aside_current)
        self.restore_button = QPushButton(f"Đưa trở lại ({SET_ASIDE_KEYS})", right)
        self.restore_button.setObjectName("batchRestore")
        self.restore_button.setToolTip("Đưa giấy tờ đã để riêng trở lại danh sách cần nhập")
        self.restore_button.clicked.connect(self.restore_current)
        for button in (self.set_aside_button, self.restore_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.hide()
        header = QHBoxLayout()
        header.addWidget(self.doc_label, 1)
        header.addWidget(self.set_aside_button, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self.restore_button, 0, Qt.AlignmentFlag.AlignTop)
        self.review_label = QLabel("", right)
        self.review_label.setObjectName("batchReview")
        self.review_label.setWordWrap(True)
        self.review_label.setStyleSheet("color: #b71c1c;")
        self.review_label.hide()
        self.form = ResultForm(self.ctx, self.runner, self.officer, parent=right, preview_width=PREVIEW_WIDTH)
        self.form.store = self._store
        self.prefiller = Prefiller(self.form)
        self.form.saved.connect(self._on_recorded)
        self.review_box = QCheckBox("Đã xem trang trắng (Alt+X)", self.form)
        self.review_box.setObjectName("blankPagesReviewed")
        self.review_box.hide()
        self.form.add_gate(self.review_box, "blank_pages_reviewed")
        side.addLayout(header)
        side.addWidget(self.review_label)
        side.addWidget(self.form, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([410, 850])
        self.message = QLabel("", self)
        self.message.setObjectName("batchMessage")
        self.message.setWordWrap(True)
        self.sign_run = SigningRun(self, self.runner, self.message.setText, stop_text="Dừng ký (Esc)",
                                   bar_width=220)
        self.sign_bar, self.sign_stop_button = self.sign_run.bar, self.sign_run.stop_button
        self.sign_button = QPushButton("Ký số cả lô…", self)
        self.sign_button.setObjectName("batchSignAll")
        self.sign_button.setToolTip("Ký số mọi giấy tờ đã nhập của lô chưa có chữ ký (một lần nhập mã PIN)"
                                    if self.can_sign else NOT_A_SIGNER_VI)
        self.sign_button.clicked.connect(self.sign_box)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.sign_bar)
        bottom.addWidget(self.sign_stop_button)
        bottom.addWidget(self.sign_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(resume_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bottom)
        self.browse_button.clicked.connect(self._browse)
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.pause)
        self.cancel_button.clicked.connect(self.cancel)
        self.resume_button.clicked.connect(self.resume)
        QShortcut(QKeySequence("F5"), self, self.start)
        QShortcut(QKeySequence("Esc"), self, self.pause)
        QShortcut(QKeySequence("F8"), self, self.next_unrecorded)
        QShortcut(QKeySequence("Alt+X"), self, self.toggle_reviewed)
        QShortcut(QKeySequence(SET_ASIDE_KEYS), self, self.toggle_set_aside)
        self._update_buttons()

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Chọn thư mục ảnh quét")
        if folder:
            self.source.setText(f"folder:{folder}")

    def _update_buttons(self) -> None:
        self.start_button.setEnabled(not self.running)
        self.resume_button.setEnabled(not self.running and self.unfinished.count() > 0)
        self.pause_button.setEnabled(self.running)
        self.cancel_button.setEnabled(self.batch is not None and getattr(self.batch, "state", "") == "open")
        unsigned = set(self._records) - self._signed
        self.sign_button.setEnabled(self.can_sign and not self.signing and not self.running
                                    and self.batch is not None and bool(unsigned))

    # -- unfinished batches ----------------------------------------------------------------------
    def _refresh_unfinished(self) -> None:
        ctx = self.ctx
        self.runner.run_db(lambda: batch_records.batches_to_finish(ctx), self._on_unfinished,
                           self._show_error)

    def _on_unfinished(self, batches: list[Any]) -> None:
        chosen = self.unfinished.currentData()
        self.unfinished.clear()
        for b in batches:
            self.unfinished.addItem(b.label_vi(), b.batch.id)
        if chosen is not None and self.unfinished.findData(chosen) >= 0:
            self.unfinished.setCurrentIndex(self.unfinished.findData(chosen))
        self._update_buttons()

    # -- running ---------------------------------------------------------------------------------
    def start(self) -> None:
        if self.running:
            return
        uri = self.source.text().strip()
        if not uri:
            self.message.setText("Hãy nhập nguồn trang (vd folder:/đường/dẫn).")
            return
        ctx, officer, profile = self.ctx, self.officer, str(self.profile.currentData())
        self._begin()
        self.runner.run_db(lambda: batch_service.start_batch(ctx, uri, profile, officer=officer),
                           self._run, self._failed)

    def resume(self) -> None:
        if self.running or self.unfinished.count() == 0:
            return
        self.open_batch(int(self.unfinished.currentData()))

    def open_batch(self, batch_id: int) -> None:
        """Reopen a batch where it stopped: scan the rest of an open one, then (or straight away for a
        finished one) load its first document not yet recorded."""
        if self.running:
            return
        ctx = self.ctx
        self._begin()
        self.runner.run_db(lambda: batch_service.batch_outcome(ctx, batch_id), self._resume_from,
                           self._failed)

    def _begin(self) -> None:
        self.running = True
        self.tree.clear()
        self._current = None
        self.outcome = None
        self._records = {}
        self._set_aside = {}
        self._signed = set()
        self.pages_seen = self.documents_done = 0
        self.done = batch_records.DocumentsDone(0, 0)
        self._seconds_before = 0.0
        self.message.setText("")
        self._clear_document("Tài liệu sẽ hiện ở đây khi lô quét xong.")
        self._update_buttons()

    def _resume_from(self, outcome: Any) -> None:
        self._show_outcome(outcome, final=False)
        self._seconds_before = outcome.batch.active_seconds
        self.pages_seen = outcome.progress.pages
        self._run(outcome.batch)

    def _run(self, batch: Any) -> None:
        self.batch = batch
        self.cancel_token = CancelToken()
        token, ctx, officer, signal = self.cancel_token, self.ctx, self.officer, self._signal

        def on_page(record: Any) -> None:  # on the worker
            signal.page.emit((record, batch_service.page_thumbnail(ctx, batch, record, THUMB)))

        self._started = time.monotonic()
        self._update_buttons()
        self._show_progress()
        self.runner.run_work(lambda: batch_service.run_batch(ctx, batch.id, officer=officer, cancel=token,
                                                             on_page=on_page),
                             self._done, self._failed)

    def pause(self) -> None:
        if self.form.popup_visible:  # Esc closes the type picker's list first
            self.form.type_list.hide()
            return
        if self.signing:
            self.stop_signing()
            return
        if self.cancel_token is not None and self.running:
            self.cancel_token.cancel()
            self.message.setText("Đang dừng sau trang hiện tại… Lô được giữ lại để tiếp tục.")

    def cancel(self) -> None:
        if self.batch is None:
            return
        batch_id, ctx, officer = self.batch.id, self.ctx, self.officer
        if self.cancel_token is not None:
            self.cancel_token.cancel()

        def cancelled(batch: Any) -> None:
            self.batch = batch
            self.message.setText(f"Đã hủy lô {batch.id}.")
            self._refresh_unfinished()

        self.runner.run_db(lambda: batch_service.cancel_batch(ctx, batch_id, officer=officer), cancelled,
                           self._show_error)

    # -- pages as they come ----------------------------------------------------------------------
    def _on_page(self, payload: tuple[Any, bytes]) -> None:
        self._syncing = True  # a new item is not the clerk choosing a document
        try:
            self._add_page(*payload)
        finally:
            self._syncing = False
        self._show_progress()

    def _add_page(self, record: Any, thumb: bytes) -> None:
        self.pages_seen += 1
        if record.kind == batch_service.KIND_SEPARATOR:
            if self._current is not None and self._current.childCount() == 0:
                self._current.setData(0, Qt.ItemDataRole.UserRole, record.separator)
                self._label_group(self._current)
            else:
                if self._current is not None:
                    self.documents_done += 1
                self._current = self._group(record.separator)
        else:
            if self._current is None:
                self._current = self._group(None)
            self._page_item(self._current, record, thumb)
            self._label_group(self._current)

    def _group(self, separator: str | None) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self.tree)
        item.setData(0, Qt.ItemDataRole.UserRole, separator)
        item.setFirstColumnSpanned(True)  # the document's line is longer than a page's name
        item.setExpanded(True)
        self._label_group(item)
        return item

    def _label_group(self, item: QTreeWidgetItem) -> None:
        number = self.tree.indexOfTopLevelItem(item)
        separator = item.data(0, Qt.ItemDataRole.UserRole)
        record = self._records.get(number)
        aside = None if record else self._set_aside.get(number)
        text = f"{'✓ ' if record else ''}Tài liệu {number + 1} — {item.childCount()} trang"
        if separator:
            text += f" — tờ tách {_separator_label(separator)}"
        flagged = sum(1 for i in range(item.childCount()) if item.child(i).text(1))
        if record:
            status = f"đã nhập {record}" + (" — ✓ đã ký" if number in self._signed else "")
        elif aside:
            status = f"⊘ Để riêng: {aside}"
        else:
            status = f"{flagged} trang cần kiểm tra" if flagged else ""
        item.setText(0, f"{text}\n{status}" if status else text)  # two lines: the tree is narrow
        item.setText(1, status)
        item.setToolTip(0, item.text(0))
        if record:
            item.setForeground(0, QBrush(DONE_COLOUR))
        elif aside:
            item.setForeground(0, QBrush(ASIDE_COLOUR))
            item.setForeground(1, QBrush(ASIDE_COLOUR))
        else:
            item.setData(0, Qt.ItemDataRole.ForegroundRole, None)
            item.setData(1, Qt.ItemDataRole.ForegroundRole, None)
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)

    def _page_item(self, group: QTreeWidgetItem, record: Any, thumb: bytes) -> QTreeWidgetItem:
        item = QTreeWidgetItem(group)
        item.setText(0, record.name)
        item.setData(0, Qt.ItemDataRole.UserRole, record.seq)
        flags = [FLAG_LABELS.get(f, f) for f in record.flags]
        item.setText(1, ", ".join(flags))
        if thumb:
            pixmap = QPixmap()
            if pixmap.loadFromData(thumb, "PNG"):
                item.setIcon(0, QIcon(pixmap))
        if record.blank or record.state == batch_service.STATE_FAILED:
            grey = QBrush(QColor(140, 140, 140))
            item.setForeground(0, grey)
            item.setForeground(1, grey)
        elif flags:
            item.setForeground(1, QBrush(QColor(180, 40, 30)))
        return item

    def _show_progress(self) -> None:
        seconds = self._seconds_before + (time.monotonic() - self._started if self.running else 0.0)
        rate = self.pages_seen * 3600.0 / seconds if seconds > 0 else 0.0
        self._set_progress(self.pages_seen, rate, self.documents_done)

    def _set_progress(self, pages: int, per_hour: float, documents: int) -> None:
        self._last_progress = (pages, per_hour, documents)
        states = {"done": "đã xong", "cancelled": "đã hủy"}
        state = "đang chạy" if self.running else states.get(getattr(self.batch, "state", ""), "tạm dừng")
        batch = f"Lô {self.batch.id} ({state}): " if self.batch is not None else ""
        rate = f"{per_hour:,.0f}".replace(",", ".")
        aside = f", <b>{self.done.set_aside}</b> để riêng" if self.done.set_aside else ""
        self.progress.setText(f"{escape(batch)}<b>{pages}</b> trang — <b>{rate}</b> trang/giờ — "
                              f"<b>{documents}</b> tài liệu xong — <b>{self.done.recorded}/{self.done.total}"
                              f"</b> giấy tờ đã nhập{aside}")

    # -- the end of a run ------------------------------------------------------------------------
    def _done(self, outcome: Any) -> None:
        self.running = False
        self.batch = outcome.batch
        self._show_outcome(outcome, final=True)
        self._refresh_unfinished()
        self.finished.emit(outcome)

    def _show_outcome(self, outcome: Any, *, final: bool) -> None:
        """Rebuild the groups from what the store says (the authority after a run or on resume)."""
        self._syncing = True
        try:
            self.tree.clear()
            self._current = None
            self._take_records(outcome)
            for doc in outcome.documents:
                group = self._group(doc.separator)
                for seq, name in zip(doc.seqs, doc.pages, strict=True):
                    item = QTreeWidgetItem(group)
                    item.setText(0, name)
                    item.setData(0, Qt.ItemDataRole.UserRole, seq)
                    flags = [FLAG_LABELS.get(f, f) for f, names in doc.flags.items() if name in names]
                    item.setText(1, ", ".join(flags))
                    if name in doc.blank_pages:
                        item.setForeground(0, QBrush(QColor(140, 140, 140)))
                self._label_group(group)
                self._current = group
        finally:
            self._syncing = False
        acc, prog = outcome.accounting, outcome.progress
        self.pages_seen = prog.pages
        self.documents_done = prog.documents_done
        self._set_progress(prog.pages, prog.pages_per_hour, prog.documents_done)
        if final:
            check = "khớp" if acc.ok else "KHÔNG KHỚP"
            self.message.setText(f"Đối soát: {acc.delivered} trang nhận = {acc.stored} trang lưu + "
                                 f"{acc.separators} tờ tách + {acc.failed} trang lỗi ({check}).")
        self._update_buttons()
        self._load_thumbnails(outcome)
        self._load_signatures()
        self._auto_select(outcome)

    def _take_records(self, outcome: Any) -> None:
        self.outcome = outcome
        self._records = {d.number: d.warehouse_record for d in outcome.documents if d.warehouse_record}
        self._set_aside = {d.number: d.set_aside_reason for d in outcome.documents
                           if d.set_aside_reason is not None and not d.warehouse_record}
        self.done = batch_records.DocumentsDone.of(outcome)
        self._update_buttons()

    def _load_thumbnails(self, outcome: Any) -> None:
        ctx, batch = self.ctx, outcome.batch

        def work() -> dict[int, bytes]:
            return {p.seq: batch_service.page_thumbnail(ctx, batch, p, THUMB)
                    for p in batch_service.batch_pages(ctx, batch.id) if p.kind == batch_service.KIND_PAGE}

        self.runner.run_work(work, self._set_thumbnails, lambda _e: None)

    def _set_thumbnails(self, thumbs: dict[int, bytes]) -> None:
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            for i in range(group.childCount()):
                item = group.child(i)
                data = thumbs.get(int(item.data(0, Qt.ItemDataRole.UserRole)))
                pixmap = QPixmap()
                if data and pixmap.loadFromData(data, "PNG"):
                    item.setIcon(0, QIcon(pixmap))

    def _failed(self, error: BaseException) -> None:
        self.running = False
        self._show_error(error)
        self._update_buttons()
        self._refresh_unfinished()
        self.finished.emit(error)

    def _show_error(self, error: BaseException) -> None:
        if isinstance(error, MotCuaError):
            self.message.setText(f"Lỗi: {error.message_vi}")
        else:
            log.error("batch screen: unexpected error", exc_info=error)
            self.message.setText(f"Lỗi không mong đợi: {type(error).__name__}")

    # -- recording the documents -------------------------------------------------------------------
    def _auto_select(self, outcome: Any) -> None:
        """After a run or on reopening: keep the document in the form if it still waits, else load
        the first one not yet recorded."""
        keep = self.doc_number
        waiting = {d.number for d in outcome.documents
                   if d.closed and d.sha256 is not None and not d.handled}
        if keep is not None and keep in waiting and self.document is not None:
            self._select_group(keep)
            return
        if not self.running or waiting:
            self._go_to(batch_records.first_unrecorded(outcome))

    def _go_to(self, number: int | None) -> None:
        if number is None:
            total = self.done.total
            if self.done.set_aside:
                self._clear_document(f"Đã xử lý xong cả lô: {self.done.label_vi()}.")
            else:
                self._clear_document(f"Đã nhập xong {total}/{total} giấy tờ của lô." if total else
                                     "Lô chưa có tài liệu nào quét xong.")
            return
        self.load_document(number)

    def next_unrecorded(self) -> None:
        """F8: the next document not yet recorded (after the one in the form, wrapping round)."""
        if self.batch is None:
            return
        self._advance(self.doc_number)

    def _advance(self, after: int | None) -> None:
        ctx, batch_id = self.ctx, self.batch.id

        def advance(outcome: Any) -> None:
            if self.batch is None or outcome.batch.id != self.batch.id:
                return
            self._take_records(outcome)
            self._relabel_groups()
            self._set_progress(*self._last_progress)
            self._go_to(batch_records.first_unrecorded(outcome, after))

        self.runner.run_db(lambda: batch_service.batch_outcome(ctx, batch_id), advance, self._show_error)

    def _relabel_groups(self) -> None:
        for g in range(self.tree.topLevelItemCount()):
            self._label_group(self.tree.topLevelItem(g))

    def load_document(self, number: int, page_seq: int | None = None) -> None:
        """Show document ``number`` (0-based) in the form (its pages are read on the worker)."""
        if self.batch is None:
            return
        self.doc_number = number
        self._load_generation += 1
        generation, ctx, batch_id = self._load_generation, self.ctx, self.batch.id
        self._select_group(number)
        self.doc_label.setText(f"<b>Tài liệu {number + 1}</b> — đang mở…")
        self.runner.run_db(lambda: batch_records.open_document(ctx, batch_id, number),
                           lambda doc: self._on_document(generation, doc, page_seq),
                           lambda error: self._on_document_failed(generation, error))

    def _on_document(self, generation: int, doc: batch_records.OpenDocument, page_seq: int | None) -> None:
        if generation != self._load_generation:
            return
        self.document = doc
        labels = [p.name + (" — " + ", ".join(FLAG_LABELS.get(f, f) for f in p.flags) if p.flags else "")
                  for p in doc.pages]
        self.form.set_document(doc.images, labels=labels)
        if page_seq is not None:
            self._show_seq(page_seq)
        if doc.result_code:
            self.form.choose_type(doc.result_code)  # the separator's type; else the carried-over one
        header = f"<b>Tài liệu {doc.number + 1}</b> — {len(doc.pages)} trang"
        if doc.result_code:
            header += f" — tờ tách {escape(doc.result_code)}"
        if doc.preassigned_record:
            header += f" — hồ sơ {escape(doc.preassigned_record)}"
        if doc.warehouse_record:
            header += f" — <span style='color:#2e7d32'>✓ đã nhập {escape(doc.warehouse_record)}</span>"
            if doc.number in self._signed:
                header += " <span style='color:#2e7d32'>— ✓ đã ký</span>"
        elif doc.set_aside_reason:
            header += f" — <span style='color:#757575'>⊘ Để riêng: {escape(doc.set_aside_reason)}</span>"
        self.doc_label.setText(header)
        self._update_document_buttons()
        review = doc.review_vi()
        self.review_label.setText(f"Cần xem trước khi lưu — {review}." if review else "")
        self.review_label.setVisible(bool(review))
        only_blank = doc.blank_pages and not doc.flagged
        self.review_box.setText("Đã xem trang trắng (Alt+X)" if only_blank else
                                "Đã xem trang trắng / trang cần kiểm tra (Alt+X)")
        self.review_box.setChecked(False)
        self.review_box.setVisible(doc.needs_review and not doc.warehouse_record and not doc.set_aside_reason)
        target = self.form.edits["number"] if self.form.result_type is not None else self.form.type_edit
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        if doc.pages and not doc.warehouse_record and not doc.set_aside_reason:
            self.prefiller.read(doc.images[0])  # the page's own values, in the background
            if doc.result_code:
                self.prefiller.keep("type_code")  # the separator sheet says what it is
        else:
            self.prefiller.reset()
        self.document_loaded.emit(doc.number)

    def _on_document_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._load_generation:
            return
        self._clear_document("")
        self._show_error(error)

    def _clear_document(self, text: str) -> None:
        self._load_generation += 1
        self.doc_number = None
        self.document = None
        self.form.set_document([])
        self.prefiller.reset()
        self.doc_label.setText(escape(text))
        self.review_label.hide()
        self.review_box.hide()
        self.review_box.setChecked(False)
        self._update_document_buttons()

    def _select_group(self, number: int) -> None:
        group = self.tree.topLevelItem(number)
        if group is None:
            return
        self._syncing = True
        try:
            self.tree.setCurrentItem(group)
            self.tree.scrollToItem(group)
        finally:
            self._syncing = False

    def _show_seq(self, seq: int) -> None:
        if self.document is None:
            return
        seqs = [p.seq for p in self.document.pages]
        if seq in seqs:
            self.form.show_page(seqs.index(seq))

    def _on_tree_current(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        if self._syncing or current is None or self.batch is None:
            return
        group = current.parent() or current
        number = self.tree.indexOfTopLevelItem(group)
        seq = current.data(0, Qt.ItemDataRole.UserRole) if current.parent() is not None else None
        if number == self.doc_number and self.document is not None:
            if seq is not None:
                self._show_seq(int(seq))
            return
        self.load_document(number, int(seq) if seq is not None else None)

    def toggle_reviewed(self) -> None:
        """Alt+X: the clerk has looked at the blank / flagged pages (or takes it back)."""
        if self.review_box.isVisible():
            self.review_box.setChecked(not self.review_box.isChecked())

    def _store(self, metadata: ResultMetadata) -> Any:
        """The form's save: record the document in the form (the service checks every gate)."""
        ctx, officer, number = self.ctx, self.officer, self.doc_number
        batch_id = self.batch.id if self.batch is not None else None
        reviewed = self.review_box.isChecked()
        self._saving_number = number

        def work() -> ResultRecord:
            if batch_id is None or number is None:
                raise ValidationError("no batch document chosen", "Chưa chọn tài liệu nào của lô.")
            return batch_records.record_document(ctx, batch_id, number, metadata, officer,
                                                 blank_pages_reviewed=reviewed, flags_accepted=reviewed)

        return work

    def _on_recorded(self, record: ResultRecord) -> None:
        number = self._saving_number
        if number is None:
            return
        self._records[number] = record.record_id
        group = self.tree.topLevelItem(number)
        if group is not None:
            self._label_group(group)
        self.message.setText(f"Đã nhập tài liệu {number + 1}: {record.label_vi()} — "
                             f"{record.metadata.owner_name} ({record.record_id}).")
        self.recorded.emit(record)
        self._advance(number)
        self._refresh_unfinished()

    # -- setting a document aside ----------------------------------------------------------------
    def _update_document_buttons(self) -> None:
        doc = self.document
        recorded = doc is not None and (doc.warehouse_record is not None or doc.number in self._records)
        aside = doc is not None and not recorded and doc.set_aside_reason is not None
        self.set_aside_button.setVisible(doc is not None and not recorded and not aside)
        self.restore_button.setVisible(aside)

    def toggle_set_aside(self) -> None:
        """Ctrl+Shift+D: set the document in the form aside (asking why), or put it back."""
        doc = self.document
        if doc is None or self.batch is None:
            return
        if doc.warehouse_record is not None or doc.number in self._records:
            self.message.setText(f"Tài liệu {doc.number + 1} đã được nhập vào kho: không thể để riêng.")
            return
        if doc.set_aside_reason is not None:
            self.restore_current()
        else:
            self.set_aside_current()

    def set_aside_current(self) -> None:
        """"Để riêng giấy tờ này…": ask the reason (window-modal), then set the document aside."""
        doc = self.document
        if doc is None or self.batch is None or self.set_aside_dialog is not None:
            return
        number = doc.number
        dialog = SetAsideDialog(number, self)
        self.set_aside_dialog = dialog

        def closed(_result: int) -> None:
            self.set_aside_dialog = None
            dialog.deleteLater()
            self.activateWindow()  # the keyboard goes back to the form

        dialog.accepted.connect(lambda: self._set_aside_now(number, dialog.reason()))
        dialog.finished.connect(closed)
        dialog.open()
        dialog.reasons.setFocus(Qt.FocusReason.OtherFocusReason)

    def _set_aside_now(self, number: int, reason: str) -> None:
        if self.batch is None:
            return
        ctx, officer, batch_id = self.ctx, self.officer, self.batch.id

        def done(doc: Any) -> None:
            if self.batch is None or self.batch.id != batch_id:
                return
            self._set_aside[number] = doc.set_aside_reason
            self.message.setText(f"Đã để riêng tài liệu {number + 1}: {doc.set_aside_reason}.")
            self.set_aside_changed.emit(number)
            self._advance(number)
            self._refresh_unfinished()

        self.runner.run_db(lambda: batch_records.set_aside_document(ctx, batch_id, number, officer, reason),
                           done, self._show_error)

    def restore_current(self) -> None:
        """"Đưa trở lại": the set-aside document in the form waits to be recorded again."""
        doc = self.document
        if doc is None or self.batch is None or doc.set_aside_reason is None:
            return
        ctx, officer, batch_id, number = self.ctx, self.officer, self.batch.id, doc.number

        def done(_doc: Any) -> None:
            if self.batch is None or self.batch.id != batch_id:
                return
            self._set_aside.pop(number, None)
            self.message.setText(f"Đã đưa tài liệu {number + 1} trở lại danh sách cần nhập.")
            self._advance(number - 1)  # the outcome again, and this document back in the form
            self._refresh_unfinished()
            self.set_aside_changed.emit(number)

        self.runner.run_db(lambda: batch_records.restore_document(ctx, batch_id, number, officer), done,
                           self._show_error)

    # -- signing the box -------------------------------------------------------------------------
    def _load_signatures(self) -> None:
        """Verify the batch's records (database worker) and mark the signed ones "✓ đã ký"."""
        if self.batch is None:
            return
        ctx, batch_id = self.ctx, self.batch.id

        def shown(states: list[batch_records.RecordedDocument]) -> None:
            if self.batch is None or self.batch.id != batch_id:
                return
            self._signed = {s.number for s in states if s.signed}
            self._relabel_groups()
            self._update_buttons()
            self.signatures_shown.emit()

        self.runner.run_db(lambda: batch_records.batch_signatures(ctx, batch_id), shown, self._show_error)

    def _confirm(self, question: str) -> bool:
        answer = QMessageBox.question(self, "Ký số cả lô", question)
        return answer == QMessageBox.StandardButton.Yes

    def sign_box(self) -> None:
        """"Ký số cả lô…": sign the batch's recorded documents not signed yet, one PIN for them all."""
        if not self.can_sign or self.signing or self.running or self.batch is None:
            return
        ctx, batch_id = self.ctx, self.batch.id

        def work() -> tuple[list[str], signing_service.SigningSettings]:
            return (batch_records.batch_record_ids(ctx, batch_id, unsigned_only=True),
                    signing_service.signing_settings(ctx))

        self.sign_button.setEnabled(False)
        self.runner.run_db(work, lambda found: self._sign_ids(batch_id, *found), self._sign_failed)

    def _sign_ids(self, batch_id: int, ids: list[str], settings: signing_service.SigningSettings) -> None:
        self._update_buttons()
        if self.batch is None or self.batch.id != batch_id or self.signing:
            return
        if not ids:
            self.message.setText("Mọi giấy tờ đã nhập của lô đều đã được ký số.")
            self._load_signatures()
            return
        if not self.confirm(f"Ký số {len(ids)} giấy tờ đã nhập của lô {batch_id} chưa có chữ ký "
                            "(một lần nhập mã PIN)?"):
            return
        secret = self.pin.secret_for(settings)
        if secret is None:
            return
        self.sign_run.start(self.ctx, ids, self.officer, settings, secret, self._box_signed,
                            self._sign_failed)
        self.message.setText(f"Đang ký số {len(ids)} giấy tờ của lô {batch_id}…")
        self._update_buttons()

    @property
    def signing(self) -> bool:
        return self.sign_run.active

    def stop_signing(self) -> None:
        """"Dừng ký" (Esc while signing): stop after the record being signed."""
        self.sign_run.stop()

    def _box_signed(self, report: warehouse_signing.SignReport) -> None:
        self._update_buttons()
        if report.stopped is not None:
            self.pin.forget()  # the token went away: ask again next time
        text = report.summary_vi()
        if report.failed:
            text += " " + "; ".join(f"{f.record_id}: {f.error.message_vi}" for f in report.failed[:3])
        self.message.setText(text)
        self._load_signatures()
        self.signing_done.emit(report)

    def _sign_failed(self, error: BaseException) -> None:
        self._update_buttons()
        if isinstance(error, SigningError):
            self.pin.forget()  # a wrong PIN must be asked again
        self._show_error(error)
        self.signing_done.emit(error)

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self.sign_run.stop()  # a signing run stops after the record being signed
        super().closeEvent(event)


def _separator_label(payload: str) -> str:
    from app.core.separator import PATCH_T, parse_separator

    if payload == PATCH_T:
        return "Patch T"
    parsed = parse_separator(payload)
    if parsed is not None and parsed.result_code:
        return parsed.result_code
    return "mới"

"""Số hóa theo lô: the batch screen of the digitisation clerk.

The clerk names a source (a folder of scans, or a scanner URI), presses "Bắt đầu" (F5) and watches
the pages arrive as thumbnails grouped by document: a separator sheet opens a new group (it is not
stored), blank pages are greyed with "Trang trắng?", pages that fail a quality gate are marked.
The progress line shows pages, pages per hour, documents done and how many of them the clerk has
recorded. "Dừng" (Esc) pauses (the batch stays open), "Tiếp tục lô" resumes the selected unfinished
batch where it stopped (or reopens a finished one whose documents are not all recorded), "Hủy lô"
abandons it. The batch runs on the TaskRunner's worker; pages come back through a queued signal.

Beside the tree, a :class:`~app.ui.warehouse.result_form.ResultForm` (with its own page preview) records the
documents: when a batch finishes or is reopened, the first document not yet recorded is loaded,
its type pre-filled from its separator sheet; selecting a document in the tree loads it, F8 jumps to
the next one not recorded. Enter (or Ctrl+S) saves through
:func:`app.services.batch.recording.record_document` (which holds every quality gate) and moves on;
the form's carried-over values stay. A document with blank or flagged pages shows what to look at
and "Đã xem trang trắng" (Alt+X), without which the service refuses it. Recorded documents show ✓
and their record number in the tree.

A document that cannot be recorded (an unreadable page, not a result at all, ...) is set aside with
"Để riêng giấy tờ này…" (Ctrl+Shift+D), which asks the reason (:class:`SetAsideDialog`); the tree
shows it grey with "⊘ Để riêng: <lý do>", the progress line counts it ("3/5 giấy tờ đã nhập, 1 để
riêng"), and once every document is recorded or set aside the batch leaves "Lô chưa xong". On a
set-aside document the same key (or "Đưa trở lại") puts it back among those to record.

"Ký số cả lô…" (for the roles that may sign) signs every recorded document of the batch whose PDF
has no valid signature yet (:func:`app.services.warehouse.record_signing.sign_records`: one token login),
on the work pool with a progress bar and "Dừng" (or Esc); the PIN is asked once per session
(:class:`~app.ui.widgets.signing_pin.SigningPin`). The status line gives the result and the tree marks each
signed record "✓ đã ký".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QTreeWidgetItem,
    QWidget,
)

from app.core.errors import MotCuaError
from app.core.progress import CancelToken
from app.services.admin.auth import Officer
from app.services.batch import engine as batch_service
from app.services.batch import lifecycle as batches
from app.services.batch import page_images
from app.services.batch import reading as batch_reading
from app.services.context import AppContext
from app.ui.batch.box_signing import BoxSigning
from app.ui.batch.document_recording import DocumentRecording
from app.ui.batch.page_tree import THUMB, PageTree
from app.ui.batch.screen_layout import build_batch_layout
from app.ui.batch.set_aside_dialog import SetAsideDialog
from app.ui.ops import TaskRunner
from app.ui.widgets.signing_pin import SigningPin, ask_secret_dialog, can_sign

log = logging.getLogger(__name__)



class _PageSignal(QObject):
    """Carries ``(record, thumbnail PNG)`` from the worker to the GUI thread (queued)."""

    page = Signal(object)


class BatchScreen(PageTree, DocumentRecording, BoxSigning, QWidget):
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
        self.done = batch_reading.DocumentsDone(0, 0)
        self.doc_number: int | None = None  # the document in the form
        self.document: batch_reading.OpenDocument | None = None
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
        build_batch_layout(self)
        self._refresh_unfinished()

    # -- layout ----------------------------------------------------------------------------------
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
        self.runner.run_db(lambda: batch_reading.batches_to_finish(ctx), self._on_unfinished,
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
        self.runner.run_db(lambda: batches.start_batch(ctx, uri, profile, officer=officer),
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
        self.runner.run_db(lambda: batches.batch_outcome(ctx, batch_id), self._resume_from,
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
        self.done = batch_reading.DocumentsDone(0, 0)
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
            signal.page.emit((record, page_images.page_thumbnail(ctx, batch, record, THUMB)))

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

        self.runner.run_db(lambda: batches.cancel_batch(ctx, batch_id, officer=officer), cancelled,
                           self._show_error)

    # -- pages as they come ----------------------------------------------------------------------
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
    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self.sign_run.stop()  # a signing run stops after the record being signed
        super().closeEvent(event)



"""Số hóa theo lô: the batch screen of the digitisation clerk.

The clerk names a source (a folder of scans, or a scanner URI), presses "Bắt đầu" (F5) and watches
the pages arrive as thumbnails grouped by document: a separator sheet opens a new group (it is not
stored), blank pages are greyed with "Trang trắng?", pages that fail a quality gate are marked.
The progress line shows pages, pages per hour and documents done. "Dừng" (Esc) pauses (the batch
stays open), "Tiếp tục" resumes the selected unfinished batch where it stopped, "Hủy lô" abandons
it. The batch runs on the TaskRunner's worker; pages come back through a queued signal.
"""

from __future__ import annotations

import logging
import time
from html import escape
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import MotCuaError
from app.core.progress import CancelToken
from app.scanning.profile import PROFILES
from app.services import batch as batch_service
from app.services.auth import Officer
from app.services.context import AppContext
from app.ui.ops import TaskRunner

log = logging.getLogger(__name__)

FLAG_LABELS = {"blank": "Trang trắng?", "unreadable": "Không đọc được", "pipeline_failed": "Lỗi xử lý ảnh",
               "too_dark": "Quá tối", "too_light": "Quá nhạt", "cut_off": "Mất mép",
               "duplicate": "Trùng trang", "near_duplicate": "Gần trùng"}
THUMB = 72


class _PageSignal(QObject):
    """Carries ``(record, thumbnail PNG)`` from the worker to the GUI thread (queued)."""

    page = Signal(object)


class BatchScreen(QWidget):
    """The batch screen. ``finished(BatchOutcome | BaseException)`` when a run ends."""

    finished = Signal(object)

    def __init__(self, ctx: AppContext, runner: TaskRunner, officer: Officer,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.officer = ctx, runner, officer
        self.setWindowTitle("Số hóa theo lô")
        self.resize(1000, 720)
        self.batch: Any = None
        self.cancel_token: CancelToken | None = None
        self.running = False
        self.pages_seen = 0
        self.documents_done = 0
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
        self.unfinished.setAccessibleName("Lô dở dang")
        self.resume_button = QPushButton("Tiếp tục lô", self)
        resume_row.addWidget(QLabel("Lô dở dang:", self))
        resume_row.addWidget(self.unfinished, 1)
        resume_row.addWidget(self.resume_button)
        self.progress = QLabel("Chưa chạy lô nào.", self)
        self.progress.setTextFormat(Qt.TextFormat.RichText)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["Tài liệu / trang", "Kiểm tra"])
        self.tree.setIconSize(QPixmap(THUMB, round(THUMB * 1.4)).size())
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(resume_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.message)
        self.browse_button.clicked.connect(self._browse)
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.pause)
        self.cancel_button.clicked.connect(self.cancel)
        self.resume_button.clicked.connect(self.resume)
        QShortcut(QKeySequence("F5"), self, self.start)
        QShortcut(QKeySequence("Esc"), self, self.pause)
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

    # -- unfinished batches ----------------------------------------------------------------------
    def _refresh_unfinished(self) -> None:
        ctx = self.ctx
        self.runner.run_db(lambda: batch_service.unfinished_batches(ctx), self._on_unfinished,
                           self._show_error)

    def _on_unfinished(self, batches: list[Any]) -> None:
        self.unfinished.clear()
        for b in batches:
            self.unfinished.addItem(f"Lô {b.id} — {b.source} — bắt đầu {b.created_at:%d/%m/%Y %H:%M}", b.id)
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
        batch_id = int(self.unfinished.currentData())
        ctx = self.ctx
        self._begin()
        self.runner.run_db(lambda: batch_service.batch_outcome(ctx, batch_id), self._resume_from,
                           self._failed)

    def _begin(self) -> None:
        self.running = True
        self.tree.clear()
        self._current = None
        self.pages_seen = self.documents_done = 0
        self._seconds_before = 0.0
        self.message.setText("")
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
        record, thumb = payload
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
        self._show_progress()

    def _group(self, separator: str | None) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self.tree)
        item.setData(0, Qt.ItemDataRole.UserRole, separator)
        item.setExpanded(True)
        self._label_group(item)
        return item

    def _label_group(self, item: QTreeWidgetItem) -> None:
        number = self.tree.indexOfTopLevelItem(item) + 1
        separator = item.data(0, Qt.ItemDataRole.UserRole)
        text = f"Tài liệu {number} — {item.childCount()} trang"
        if separator:
            text += f" — tờ tách {_separator_label(separator)}"
        item.setText(0, text)
        flagged = sum(1 for i in range(item.childCount()) if item.child(i).text(1))
        item.setText(1, f"{flagged} trang cần kiểm tra" if flagged else "")
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
        states = {"done": "đã xong", "cancelled": "đã hủy"}
        state = "đang chạy" if self.running else states.get(getattr(self.batch, "state", ""), "tạm dừng")
        batch = f"Lô {self.batch.id} ({state}): " if self.batch is not None else ""
        rate = f"{per_hour:,.0f}".replace(",", ".")
        self.progress.setText(f"{escape(batch)}<b>{pages}</b> trang — <b>{rate}</b> trang/giờ — "
                              f"<b>{documents}</b> tài liệu xong")

    # -- the end of a run ------------------------------------------------------------------------
    def _done(self, outcome: Any) -> None:
        self.running = False
        self.batch = outcome.batch
        self._show_outcome(outcome, final=True)
        self._refresh_unfinished()
        self.finished.emit(outcome)

    def _show_outcome(self, outcome: Any, *, final: bool) -> None:
        """Rebuild the groups from what the store says (the authority after a run or on resume)."""
        self.tree.clear()
        self._current = None
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


def _separator_label(payload: str) -> str:
    from app.core.separator import PATCH_T, parse_separator

    if payload == PATCH_T:
        return "Patch T"
    parsed = parse_separator(payload)
    if parsed is not None and parsed.result_code:
        return parsed.result_code
    return "mới"

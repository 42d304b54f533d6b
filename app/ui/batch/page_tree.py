"""The batch screen's tree: pages as they arrive, grouped by document, with their flags, thumbnails and the
batch's progress."""

from __future__ import annotations

import time
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QTreeWidgetItem,
)

from app.services.batch import lifecycle as batches
from app.services.batch import outcome as batch_docs
from app.services.batch import page_images
from app.services.batch import reading as batch_reading

FLAG_LABELS = {"blank": "Trang trắng?", "unreadable": "Không đọc được", "pipeline_failed": "Lỗi xử lý ảnh",
               "too_dark": "Quá tối", "too_light": "Quá nhạt", "cut_off": "Mất mép",
               "duplicate": "Trùng trang", "near_duplicate": "Gần trùng"}
THUMB = 72
DONE_COLOUR = QColor(46, 125, 50)
ASIDE_COLOUR = QColor(117, 117, 117)


class PageTree:
    """The page tree part of :class:`~app.ui.batch.screen.BatchScreen`."""

    def _on_page(self, payload: tuple[Any, bytes]) -> None:
        self._syncing = True  # a new item is not the clerk choosing a document
        try:
            self._add_page(*payload)
        finally:
            self._syncing = False
        self._show_progress()

    def _add_page(self, record: Any, thumb: bytes) -> None:
        self.pages_seen += 1
        if record.kind == batch_docs.KIND_SEPARATOR:
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
        if record.blank or record.state == batch_docs.STATE_FAILED:
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
        self.done = batch_reading.DocumentsDone.of(outcome)
        self._update_buttons()

    def _load_thumbnails(self, outcome: Any) -> None:
        ctx, batch = self.ctx, outcome.batch

        def work() -> dict[int, bytes]:
            return {p.seq: page_images.page_thumbnail(ctx, batch, p, THUMB)
                    for p in batches.batch_pages(ctx, batch.id) if p.kind == batch_docs.KIND_PAGE}

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


def _separator_label(payload: str) -> str:
    from app.core.separator import PATCH_T, parse_separator

    if payload == PATCH_T:
        return "Patch T"
    parsed = parse_separator(payload)
    if parsed is not None and parsed.result_code:
        return parsed.result_code
    return "mới"

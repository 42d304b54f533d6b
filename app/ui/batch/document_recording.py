"""Recording a batch's documents from the batch screen: load a document into the result form, save it, set
it aside or put it back."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QTreeWidgetItem,
)

from app.core.errors import ValidationError
from app.core.warehouse import ResultMetadata, ResultRecord
from app.services.batch import lifecycle as batches
from app.services.batch import reading as batch_reading
from app.services.batch import recording as batch_records
from app.services.batch import set_aside
from app.ui.batch.page_tree import FLAG_LABELS
from app.ui.batch.set_aside_dialog import SetAsideDialog


class DocumentRecording:
    """The recording part of :class:`~app.ui.batch.screen.BatchScreen`."""

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
            self._go_to(batch_reading.first_unrecorded(outcome))

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
            self._go_to(batch_reading.first_unrecorded(outcome, after))

        self.runner.run_db(lambda: batches.batch_outcome(ctx, batch_id), advance, self._show_error)

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
        self.runner.run_db(lambda: batch_reading.open_document(ctx, batch_id, number),
                           lambda doc: self._on_document(generation, doc, page_seq),
                           lambda error: self._on_document_failed(generation, error))

    def _on_document(self, generation: int, doc: batch_reading.OpenDocument, page_seq: int | None) -> None:
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

        self.runner.run_db(lambda: set_aside.set_aside_document(ctx, batch_id, number, officer, reason),
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

        self.runner.run_db(lambda: set_aside.restore_document(ctx, batch_id, number, officer), done,
                           self._show_error)

    # -- signing the box -------------------------------------------------------------------------

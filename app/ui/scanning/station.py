"""Trạm quét: scan a dossier's papers, check the pages and store one PDF per component.

The officer picks a source (files, a folder, a scanner SANE sees, the document camera) and presses
F5: pages arrive one by one as thumbnails while the pipeline runs in the background (Esc stops).
Pages that look blank are greyed with a "Trang trắng?" badge: Ctrl+K keeps one, Delete drops it.
Ctrl+L / Ctrl+R turn pages, drag and drop reorders them, Ctrl+Z undoes, keys 1-9 put the selected
pages in the dossier's component of that number, Ctrl+T / Ctrl+G split and merge documents, and
Ctrl+S stores the PDFs in the background and says what was stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QListWidgetItem, QMessageBox, QWidget

from app.core.dossier import Attachment, Dossier
from app.core.errors import MotCuaError
from app.core.progress import ProgressUpdate
from app.scanning.pipeline import PageFailure
from app.services.admin.auth import Officer
from app.services.context import AppContext
from app.services.reception import dossiers as dossier_service
from app.services.scanning import camera as camera_service
from app.services.scanning import station
from app.services.scanning.deck import StationPage
from app.ui.ops import TaskRunner
from app.ui.scanning.acquisition import Acquisition, Where
from app.ui.scanning.pages import PageModel
from app.ui.scanning.station_layout import (
    SOURCE_FILES,
    SOURCE_FOLDER,
    ask_discard,
    ask_files,
    ask_folder,
    build_station_layout,
    fill_components,
)

log = logging.getLogger(__name__)


class ScanStationDialog(QDialog):
    """The station for one dossier. ``saved(list[Attachment])`` after PDFs were stored."""

    saved = Signal(list)
    dossier_loaded = Signal(object)
    scan_finished = Signal(object)  # AcquireSummary, or the error that stopped the scan

    def __init__(self, ctx: AppContext, runner: TaskRunner, officer: Officer, code: str,
                 parent: QWidget | None = None,
                 scanners: Callable[[], list[tuple[str, str]]] | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.officer, self.code = ctx, runner, officer, code.strip()
        self.setWindowTitle(f"Trạm quét — hồ sơ {self.code}")
        self.resize(1180, 820)
        self.dossier: Dossier | None = None
        self.component_names: dict[int, str] = {}
        self.delete_when_idle = False
        self.stored: list[Attachment] = []
        self.failures: list[PageFailure] = []
        # test hooks: what the file dialogs and the discard question answer
        self.pick_files: Callable[[], list[str]] = lambda: ask_files(self)
        self.pick_folder: Callable[[], str] = lambda: ask_folder(self)
        self.confirm_discard: Callable[[int], bool] = lambda pages: ask_discard(self, pages)
        self.confirm_resume: Callable[[int], bool] = lambda pages: ask_resume(self, pages)
        self._jobs = 0
        self._closed = False
        self._saving = False
        self._replace_id: int | None = None
        self.resumed_pages = 0  # pages of an unfinished earlier session shown again
        self.model = PageModel(parent=self)
        build_station_layout(self)
        self.acquisition = Acquisition(ctx, self.code, officer,
                                       lambda fn, ok, fail: self._run("work", fn, ok, fail), self)
        self.acquisition.page.connect(self._on_page)
        self.acquisition.progress.connect(self._on_progress)
        self.acquisition.failure.connect(self.failures.append)
        self.acquisition.finished.connect(self._on_scan_finished)
        self._wire()
        self._load(scanners)
        self.view.setFocus()

    # -- wiring ----------------------------------------------------------------------------------
    def _wire(self) -> None:
        self.scan_button.clicked.connect(self.scan)
        self.cancel_button.clicked.connect(self.cancel_scan)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        self.assign_button.clicked.connect(lambda: self._assign_item(self.components.currentItem()))
        self.components.itemDoubleClicked.connect(self._assign_item)
        self.model.changed.connect(self._refresh_state)
        shortcuts: list[tuple[str | QKeySequence.StandardKey, Callable[[], object]]] = [
            ("F5", self.scan), (QKeySequence.StandardKey.Save, self.save), ("Ctrl+Shift+Z", self.redo),
            ("0", lambda: self.assign_number(0)), ("Ctrl+A", self.view.selectAll),
        ]
        shortcuts += [(str(n), lambda n=n: self.assign_number(n)) for n in range(1, 10)]
        for keys, slot in shortcuts:
            QShortcut(QKeySequence(keys), self, slot)
        self._refresh_state()

    def _run(self, pool: str, fn: Callable[[], Any], on_success: Callable[[Any], None],
             on_failure: Callable[[BaseException], None] | None = None) -> None:
        """``runner.run_db`` / ``run_work`` that counts this window's tasks (``delete_when_idle``)."""
        self._jobs += 1

        def finish(callback: Callable[[Any], None], value: Any) -> None:
            self._jobs -= 1
            try:
                callback(value)
            finally:
                if self._closed and self._jobs == 0 and self.delete_when_idle:
                    self.deleteLater()

        submit = self.runner.run_db if pool == "db" else self.runner.run_work
        submit(fn, lambda v: finish(on_success, v), lambda e: finish(on_failure or self._show_error, e))

    def _load(self, scanners: Callable[[], list[tuple[str, str]]] | None) -> None:
        ctx, code = self.ctx, self.code
        self._run("db", lambda: dossier_service.get_dossier(ctx, code), self._on_dossier)
        self._run("db", lambda: camera_service.camera_source(ctx),
                  lambda uri: self.source.addItem(f"Máy ảnh tài liệu ({uri})", uri))
        if scanners is not None:
            self._run("work", scanners, self._on_scanners, lambda _e: None)

    def _on_dossier(self, dossier: Dossier) -> None:
        self.dossier = dossier
        self.header.setText(f"Hồ sơ <b>{escape(dossier.code)}</b> — {escape(dossier.applicant.full_name)}"
                            f" — {escape(dossier.procedure_name)}")
        received = [c for c in dossier.components if c.received]
        self.component_names = {c.index: c.name for c in received}
        # a component keeps its number in the dossier (index + 1): the one in the stored file name
        # (<code>_TP<index + 1>.pdf), in the dossier's list and in ``motcua scan --to CODE:INDEX``
        self.model.set_components({c.index: (c.index + 1, c.name) for c in received})
        self.dossier_loaded.emit(dossier)
        ctx, code = self.ctx, self.code
        self._run("db", lambda: station.unfinished_batches(ctx, code), self._offer_resume, lambda _e: None)

    def _offer_resume(self, found: list[station.UnfinishedBatch]) -> None:
        """Pages scanned for this dossier in a session that ended abruptly (not saved, not given up)
        are offered again: shown as if scanned now, from the spool files (nothing is re-spooled)."""
        if not found or self._closed:
            return
        pages = [p for batch in found for p in batch.pages]
        batches = [b.batch for b in found]
        if self.acquiring or not self.confirm_resume(len(pages)):
            if not self.acquiring:  # given up: the batches are finished
                self._run("work", lambda: [station.finish_spool(b) for b in batches], lambda _v: None)
            return
        self._run("work", lambda: [station.adopt_spool(b) for b in batches], lambda _v: None)
        self.acquisition.adopt(batches)
        self.resumed_pages = len(pages)
        self.start_scan(pages)

    def _on_scanners(self, found: list[tuple[str, str]]) -> None:
        for at, (uri, label) in enumerate(found, start=2):
            self.source.insertItem(at, f"Máy quét: {label}", uri)
        if found:
            self.source.setCurrentIndex(2)  # a real scanner is what the station is for

    # -- state shown -----------------------------------------------------------------------------
    def _refresh_state(self) -> None:
        deck = self.model.deck
        fill_components(self.components, self.model.components, deck.save_groups())
        self.undo_action.setEnabled(deck.can_undo)
        self.undo_action.setToolTip(f"Hoàn tác: {deck.undo_label} (Ctrl+Z)" if deck.can_undo else "Hoàn tác")
        self.redo_action.setEnabled(deck.can_redo)
        self.save_button.setEnabled(not self._saving and bool(deck.save_groups()))
        if not self.acquiring and not self._saving and len(deck):
            self.status.setText(self._summary())

    def _summary(self) -> str:
        deck = self.model.deck
        parts = [f"{len(deck)} trang"]
        if len(deck.documents()) > 1:
            parts.append(f"{len(deck.documents())} tài liệu")
        if blanks := len(deck.undecided_blanks()):
            parts.append(f"{blanks} trang trắng cần xem lại (không được lưu nếu không giữ lại)")
        if loose := len(deck.unassigned()):
            parts.append(f"{loose} trang chưa gán thành phần")
        return "; ".join(parts) + "."

    @property
    def acquiring(self) -> bool:
        return self.acquisition.running

    @property
    def busy(self) -> bool:
        return self._jobs > 0

    # -- acquisition -------------------------------------------------------------------------------
    def scan(self) -> None:
        """F5: read pages from the chosen source (asking for the files or folder first)."""
        where = self._chosen_source()
        if where is not None:
            self.start_scan(where)

    def _chosen_source(self) -> Where | None:
        choice = self.source.currentData()
        if choice == SOURCE_FILES:
            files = self.pick_files()
            return list(files) if files else None
        if choice == SOURCE_FOLDER:
            folder = self.pick_folder()
            return f"folder:{folder}" if folder else None
        return str(choice)

    def start_scan(self, where: Where | Sequence[Path], *, replace_id: int | None = None) -> bool:
        """Acquire from ``where`` (a source URI or files) in the background; ``replace_id``: the
        first page that arrives takes that page's place and the scan stops there."""
        if self.acquiring or self._saving or self._closed:
            return False
        if not isinstance(where, str):
            where = [str(p) for p in where]
        self._replace_id = replace_id
        self.failures.clear()
        self.message.clear()
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        self.scan_button.setEnabled(False)
        self.status.setText("Đang quét…")
        return self.acquisition.start(where, str(self.profile.currentData()))

    def cancel_scan(self) -> None:
        if self.acquiring:
            self.acquisition.cancel()
            self.status.setText("Đang dừng quét…")

    def _on_page(self, page: StationPage) -> None:
        if self._replace_id is not None:
            old, self._replace_id = self._replace_id, None
            self.model.replace_page(old, page)
            self.view.setCurrentIndex(self.model.index(self.model.row_of(page.id)))
            self.acquisition.cancel()  # one page was asked for
            return
        row = self.model.append(page)
        self.view.scrollTo(self.model.index(row))
        self.status.setText(f"Đang quét… đã nhận {len(self.model.deck)} trang")

    def _on_progress(self, update: ProgressUpdate) -> None:
        if update.total:
            self.progress.setRange(0, update.total)
            self.progress.setValue(update.done)

    def _on_scan_finished(self, outcome: object) -> None:
        self._replace_id = None
        self.progress.hide()
        self.cancel_button.hide()
        self.scan_button.setEnabled(True)
        if self._closed:
            self.acquisition.finish_spools()  # the batch was still being written when the window closed
        self._refresh_state()
        if isinstance(outcome, BaseException):
            self._show_error(outcome)
        elif isinstance(outcome, station.AcquireSummary):
            self._report_scan(outcome)
        self.scan_finished.emit(outcome)

    def _report_scan(self, summary: station.AcquireSummary) -> None:
        text = self._summary() if len(self.model.deck) else "Không nhận được trang nào."
        if summary.cancelled:
            text = f"Đã dừng quét sau {summary.pages} trang. " + text
        self.status.setText(text)
        if summary.failures:
            self.message.setText("<span style='color:#c62828'>Không đọc được: " + "; ".join(
                escape(f"{Path(f.source).name} trang {f.index + 1}: {f.error_vi or f.error}")
                for f in summary.failures) + "</span>")

    # -- page operations -----------------------------------------------------------------------------
    def _selected(self) -> list[int]:
        return [] if self._saving else self.view.selected_ids()

    def rotate(self, degrees: int) -> None:
        self.model.rotate(self._selected(), degrees)

    def delete_selected(self) -> None:
        ids = self._selected()
        if ids and self._replace_id not in ids:
            row = self.model.row_of(ids[0])
            self.model.delete(ids)
            if len(self.model.deck):
                self.view.setCurrentIndex(self.model.index(min(row, len(self.model.deck) - 1)))

    def keep_selected(self) -> None:
        self.model.keep_blank(self._selected())

    def undo(self) -> None:
        self._restoring(self.model.undo, "Đã hoàn tác")

    def redo(self) -> None:
        self._restoring(self.model.redo, "Đã làm lại")

    def _restoring(self, change: Callable[[], str | None], what: str) -> None:
        """Undo/redo reset the view: the same pages are selected again afterwards."""
        ids = [] if self._saving else self.view.selected_ids()
        done = None if self._saving else change()
        for row in (self.model.row_of(i) for i in ids if i in self.model.deck.ids()):
            self.view.selectionModel().select(self.model.index(row), QItemSelectionModel.SelectionFlag.Select)
        if done:
            self.status.setText(f"{what}: {done}.")

    def assign_number(self, number: int) -> None:
        """Keys 1-9: the selected pages go to the dossier's component number ``number``; 0: none."""
        ids = self._selected()
        if not ids:
            return
        if number == 0:
            self.model.assign(ids, None)
            return
        found = [index for index, (n, _name) in self.model.components.items() if n == number]
        if found:
            self.model.assign(ids, found[0])

    def _assign_item(self, item: QListWidgetItem | None) -> None:
        """The component chosen in the list (by its index, whatever number it shows)."""
        ids = self._selected()
        if item is not None and ids:
            self.model.assign(ids, int(item.data(Qt.ItemDataRole.UserRole)))

    def rescan_selected(self) -> None:
        ids = self._selected()
        if len(ids) != 1:
            self.status.setText("Chọn đúng một trang để quét lại.")
            return
        where = self._chosen_source()
        if where is not None:
            self.start_scan(where, replace_id=ids[0])

    def split_selected(self) -> None:
        ids = self._selected()
        if ids:
            self.model.split(ids[0])

    def merge_selected(self) -> None:
        ids = self._selected()
        if ids:
            document = self.model.deck.document_of(ids[0])
            if document > 1:
                self.model.merge(document - 1)

    # -- saving ----------------------------------------------------------------------------------------
    def save(self) -> None:
        """Ctrl+S: build the PDFs (work pool), then attach them to the dossier (database worker)."""
        if self._saving or self._closed:
            return
        if self.acquiring:
            self.message.setText("Đang quét: chờ quét xong (hoặc nhấn Esc để dừng) rồi lưu.")
            return
        groups = self.model.deck.save_groups()
        if not groups:
            self.message.setText("Chưa có trang nào được gán thành phần hồ sơ: "
                                 "chọn trang rồi nhấn phím 1–9.")
            return
        self._saving = True
        self.save_button.setEnabled(False)
        self.status.setText("Đang tạo tệp PDF…")
        ctx, code, officer, names = self.ctx, self.code, self.officer, dict(self.component_names)
        saved_pages = [p for g in groups for p in g.pages]
        saved_ids = [p.id for p in saved_pages]

        def stored(attachments: list[Attachment]) -> None:
            self.acquisition.record_saved(saved_pages)
            self._on_saved(attachments, saved_ids)

        def built(pdfs: list[station.PreparedPdf]) -> None:
            self.status.setText("Đang lưu vào hồ sơ…")
            self._run("db", lambda: station.store_pdfs(ctx, code, pdfs, officer), stored,
                      self._on_save_failed)

        self._run("work", lambda: station.build_pdfs(code, groups, names, officer.full_name), built,
                  self._on_save_failed)

    def _on_saved(self, attachments: list[Attachment], saved_ids: list[int]) -> None:
        self._saving = False
        self.stored += attachments
        self.model.remove_saved(saved_ids)
        listed = ", ".join(f"{escape(a.file_name)} ({a.pages} trang)" for a in attachments)
        self.message.setText(f"<span style='color:#2e7d32'>Đã lưu {len(attachments)} tệp PDF vào hồ sơ: "
                             f"{listed}.</span>")
        self.status.setText(self._summary() if len(self.model.deck) else "Đã lưu tất cả các trang đã gán.")
        if not len(self.model.deck):
            self.acquisition.finish_spools()
        self._refresh_state()
        self.saved.emit(attachments)

    def _on_save_failed(self, error: BaseException) -> None:
        self._saving = False
        self._refresh_state()
        self.status.setText("Chưa lưu được.")
        self._show_error(error)

    def _show_error(self, error: BaseException) -> None:
        if isinstance(error, MotCuaError):
            text = error.message_vi
        else:
            log.error("scan station failed", exc_info=error)
            text = "Đã xảy ra lỗi không mong muốn. Chi tiết đã được ghi vào nhật ký."
        self.message.setText(f"<span style='color:#c62828'>{escape(text)}</span>")

    # -- dialogs and closing -----------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Esc stops a running scan first; pressed again (or when idle) it closes the station."""
        if event.key() == Qt.Key.Key_Escape and self.acquiring:
            self.cancel_scan()
            event.accept()
            return
        super().keyPressEvent(event)

    def done(self, result: int) -> None:
        if not self._closed:
            unsaved = len(self.model.deck)
            if unsaved and not self._saving and not self.confirm_discard(unsaved):
                return
            self._closed = True
            self.cancel_scan()
            self.acquisition.finish_spools()
        super().done(result)
        if self.delete_when_idle and self._jobs == 0:
            self.deleteLater()


def ask_resume(parent: QWidget, pages: int) -> bool:
    """Whether to show again the pages an abruptly ended session scanned for this dossier."""
    box = QMessageBox(QMessageBox.Icon.Question, "Trang quét chưa lưu",
                      f"Lần trước có {pages} trang đã quét cho hồ sơ này nhưng chưa được lưu "
                      "(chương trình đã dừng đột ngột).\n\nHiện lại các trang này để kiểm tra và lưu?",
                      QMessageBox.StandardButton.NoButton, parent)
    show = box.addButton("Hiện lại các trang", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Bỏ các trang này", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(show)
    box.exec()
    return box.clickedButton() is show

"""Tiếp nhận hồ sơ: receive a dossier at the counter, keyboard first.

The focus flow a standard dossier follows: the dialog opens in the procedure picker; "1193" + Enter
chooses the procedure and moves to the CCCD field; the officer scans the card's QR code (into
whatever field has the focus) and the applicant is filled, the focus moving to the components
checklist, where the mandatory components are already ticked; Enter saves. The receipt can then be
printed (Ctrl+P), previewed or exported, and Esc closes. What is typed is kept as a draft until saved.

Once the procedure and an identifier of the applicant (CCCD, CMND or tax code) are known, the e-data
warehouse is asked (on the database worker) which components a digitised, still-valid document of
the applicant can satisfy; the checklist shows each offer in its row and Alt+D takes it (the
component is then received from the warehouse, with the reuse flags the national indicators count).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QLineEdit, QPushButton, QWidget

from app.core.cccd import applicant_from_qr, parse_cccd_qr
from app.core.clock import vn_now
from app.core.dossier import Channel, Delivery, Dossier
from app.core.errors import MotCuaError, ValidationError
from app.core.procedure import Procedure
from app.services.admin.auth import Officer
from app.services.context import AppContext
from app.services.reception import catalogue, counter_warnings, drafts
from app.services.reception import receive as reception
from app.services.scanning import camera as camera_service
from app.services.warehouse import records as warehouse
from app.ui.ops import TaskRunner
from app.ui.reception.applicant_form import ApplicantForm
from app.ui.reception.components_table import ComponentsTable
from app.ui.reception.procedure_picker import ProcedurePicker
from app.ui.reception.receipt_panel import ReceiptPanel
from app.ui.reception.receive_layout import build_receive_layout
from app.ui.widgets.camera_dialog import CameraDialog
from app.ui.widgets.draft_keeper import DraftKeeper
from app.ui.widgets.formats import datetime_vi
from app.ui.widgets.qr_wedge import QrWedge

log = logging.getLogger(__name__)
DRAFT_VERSION = 1


class ReceiveDialog(QDialog):
    """``received(Dossier)`` after a successful save; ``delete_when_idle`` lets the owner drop the
    dialog once it is closed and no background task still reports to it."""

    received = Signal(object)
    catalogue_loaded = Signal()
    drafts_checked = Signal(int)  # how many drafts were found
    due_previewed = Signal(object)  # datetime
    offers_shown = Signal(int)  # how many components the warehouse can satisfy
    warnings_shown = Signal(list)  # the CounterWarning list now shown (empty: none)

    def __init__(self, ctx: AppContext, runner: TaskRunner, officer: Officer, parent: QWidget | None = None,
                 now: Callable[[], datetime] = vn_now) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.officer, self._now = ctx, runner, officer, now
        self.setWindowTitle("Tiếp nhận hồ sơ")
        self.resize(1060, 860)
        self.dossier: Dossier | None = None
        self.found_drafts: list[drafts.Draft] = []
        self.delete_when_idle = False
        self._jobs = 0
        self._saving = False
        self._closed = False
        self._due_generation = 0
        self._reuse_generation = 0
        self._warning_generation = 0
        self.warnings: list[counter_warnings.CounterWarning] = []
        self._reuse_key: tuple[str, tuple[str, ...]] | None = None
        self._pending_draft: drafts.Draft | None = None
        self.camera_dialog: CameraDialog | None = None
        self.picker = ProcedurePicker(self)
        self.applicant = ApplicantForm(self)
        self.components = ComponentsTable(self)
        self.receipt = ReceiptPanel(ctx, self.run_db, officer, self)
        build_receive_layout(self)  # the other fields, labels, banner and buttons (receive_layout.py)
        self.wedge = QrWedge(self)
        self.wedge.watch(self.findChildren(QLineEdit))
        self.wedge.scanned.connect(self._on_scanned)
        self.keeper = DraftKeeper(ctx, self.run_db, officer, self.draft_payload, parent=self)
        self._wire()
        self._load()
        self.picker.setFocus()

    # -- wiring --------------------------------------------------------------------------------
    def _wire(self) -> None:
        self.picker.chosen.connect(self._on_procedure)
        self.channel.currentIndexChanged.connect(lambda _i: self._on_channel())
        self.delivery.currentIndexChanged.connect(lambda _i: self._on_delivery())
        for signal in (self.applicant.edited, self.components.edited, self.delivery_address.textEdited,
                       self.note.textEdited, self.fee.valueChanged, self.picker.chosen):
            signal.connect(lambda *_a: self.keeper.touch())
        for name, edit in self.applicant.edits.items():
            edit.editingFinished.connect(lambda n=name: self._check_field(n))
        for name in ("id_number", "old_id_number", "tax_code"):
            self.applicant.edits[name].editingFinished.connect(self._lookup_reuse)
        self.applicant.edits["id_number"].editingFinished.connect(self._refresh_warnings)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        self.reopen_button.clicked.connect(self.reopen_draft)
        self.drop_button.clicked.connect(self.drop_draft)
        shortcuts: list[tuple[QKeySequence | str, Callable[[], object]]] = [
            (QKeySequence.StandardKey.Save, self.save),
            ("Ctrl+P", lambda: self.receipt.print_receipt() if self.dossier else None),
            ("Ctrl+Shift+P", lambda: self.receipt.preview_receipt() if self.dossier else None),
            ("Ctrl+E", lambda: self.receipt.export_receipt() if self.dossier else None),
            ("Ctrl+R", self.reopen_draft),
            ("Ctrl+L", self.picker.setFocus),
            ("Ctrl+K", lambda: self.components.setFocus()),
            ("Alt+D", self.accept_reuse),
            ("F7", self.open_camera),
        ]
        for keys, slot in shortcuts:
            QShortcut(QKeySequence(keys), self, slot)

    def run_db(self, fn: Callable[[], Any], on_success: Callable[[Any], None] | None = None,
               on_failure: Callable[[BaseException], None] | None = None) -> Any:
        """``runner.run_db`` that counts this dialog's tasks (see ``delete_when_idle``)."""
        self._jobs += 1

        def finish(callback: Callable[[Any], None] | None, value: Any) -> None:
            self._jobs -= 1
            try:
                if callback is not None:
                    callback(value)
            finally:
                if self._closed and self._jobs == 0 and self.delete_when_idle:
                    self.deleteLater()

        return self.runner.run_db(fn, lambda v: finish(on_success, v),
                                  lambda e: finish(on_failure or self._show_failure, e))

    def _load(self) -> None:
        ctx, officer = self.ctx, self.officer
        self.run_db(lambda: catalogue.list_procedures(ctx), self._on_catalogue)
        self.run_db(lambda: drafts.open_drafts(ctx, officer), self._on_drafts)

    def _on_catalogue(self, procedures: list[Procedure]) -> None:
        self.picker.set_catalogue(procedures)
        if self._pending_draft is not None:
            draft, self._pending_draft = self._pending_draft, None
            self._restore(draft)
        self.catalogue_loaded.emit()

    # -- procedure, channel, due date --------------------------------------------------------
    def _on_procedure(self, procedure: Procedure) -> None:
        self.components.set_procedure(procedure)
        self.general_error.hide()
        self._prefill_fee()
        self._refresh_due()
        self._reuse_key = None
        self._lookup_reuse()
        self._refresh_warnings()
        self.applicant.first_field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_channel(self) -> None:
        self._prefill_fee()
        self._refresh_due()

    def _prefill_fee(self) -> None:
        if self.picker.procedure is not None:
            self.fee.setValue(self.picker.procedure.fee_for_channel(int(self.channel.currentData())))

    def _on_delivery(self) -> None:
        post = self.delivery.currentData() == int(Delivery.POST)
        self.delivery_address.setEnabled(post)
        if post and not self.delivery_address.text():
            self.delivery_address.setText(self.applicant.edits["address"].text())
        self.keeper.touch()

    def _refresh_due(self) -> None:
        procedure = self.picker.procedure
        if procedure is None:
            return
        self._due_generation += 1
        generation, ctx, code = self._due_generation, self.ctx, procedure.code
        channel, at = int(self.channel.currentData()), self._now()
        self.due_label.setText("Đang tính ngày hẹn trả…")
        self.run_db(lambda: reception.preview_due(ctx, code, at, channel),
                    lambda due: self._on_due(generation, procedure, due))

    def _on_due(self, generation: int, procedure: Procedure, due: datetime) -> None:
        if generation != self._due_generation or self.dossier is not None:
            return
        self.due_label.setText(f"Hẹn trả kết quả (dự kiến): <b>{datetime_vi(due)}</b> — thời hạn giải "
                               f"quyết: {escape(procedure.processing.label_vi())}")
        self.due_previewed.emit(due)

    # -- warnings: the same person's open dossier, outside office hours -------------------------
    def _refresh_warnings(self) -> None:
        """Look for the warnings of receiving now (background); they never block the save."""
        procedure = self.picker.procedure
        if procedure is None or self.dossier is not None:
            return
        self._warning_generation += 1
        generation, ctx, code = self._warning_generation, self.ctx, procedure.code
        ids = ["".join(self.applicant.edits["id_number"].text().split())]
        at = self._now()
        self.run_db(lambda: counter_warnings.reception_warnings(ctx, ids, code, at),
                    lambda found: self._on_warnings(generation, found),
                    lambda error: log.warning("reception warnings failed: %s", error))

    def _on_warnings(self, generation: int, found: list[counter_warnings.CounterWarning]) -> None:
        if generation != self._warning_generation or self.dossier is not None:
            return
        self.warnings = list(found)
        self.counter_warning.setText("<br>".join(f"⚠ {escape(w.message_vi)}" for w in found))
        self.counter_warning.setVisible(bool(found))
        self.warnings_shown.emit(self.warnings)

    # -- the CCCD QR code ----------------------------------------------------------------------
    def _on_scanned(self, payload: str, _field: QLineEdit | None) -> None:
        if self.dossier is not None:
            return
        try:
            qr = parse_cccd_qr(payload)
        except ValidationError as error:
            self.applicant.show_errors([ValidationError(error.message_en, error.message_vi, "id_number")])
            self.applicant.edits["id_number"].setFocus()
            return
        self.applicant.fill(applicant_from_qr(qr))
        self.applicant.validate()
        self._lookup_reuse()
        self._refresh_warnings()
        if self.picker.procedure is None:
            self.picker.setFocus()
        else:
            self.components.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- reuse from the e-data warehouse -------------------------------------------------------
    def _owner_ids(self) -> tuple[str, ...]:
        ids = (self.applicant.edits[n].text() for n in ("id_number", "old_id_number", "tax_code"))
        return tuple(i for i in ("".join(x.split()) for x in ids) if i)

    def _lookup_reuse(self) -> None:
        """Ask the warehouse for the applicant's documents matching the components (background)."""
        procedure = self.picker.procedure
        if procedure is None or self.dossier is not None:
            return
        ids = self._owner_ids()
        key = (procedure.code, ids)
        if key == self._reuse_key:
            return
        self._reuse_key = key
        self._reuse_generation += 1
        generation, ctx, code = self._reuse_generation, self.ctx, procedure.code
        if not ids:
            self.components.set_offers([])
            return
        self.run_db(lambda: warehouse.reuse_candidates(ctx, code, list(ids)),
                    lambda offers: self._on_offers(generation, offers),
                    lambda error: log.warning("warehouse lookup failed: %s", error))

    def _on_offers(self, generation: int, offers: list[warehouse.ComponentOffer]) -> None:
        if generation != self._reuse_generation or self.dossier is not None:
            return
        self.components.set_offers(offers)
        self.offers_shown.emit(len(offers))

    def accept_reuse(self) -> None:
        """Alt+D: take (or give back) the warehouse's document for the current component."""
        if self.dossier is None and self.components.accept_offer():
            self.components.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def open_camera(self) -> None:
        """F7: read the CCCD QR with the station's webcam; the result fills the form like a scan."""
        if self.dossier is None:
            ctx = self.ctx
            self.run_db(lambda: camera_service.camera_source(ctx), self._start_camera)

    def _start_camera(self, source: str) -> None:
        self.camera_dialog = CameraDialog(self.runner, camera_service.read_cccd_qr, source,
                                          "Quét mã QR thẻ CCCD bằng camera", self)
        self.camera_dialog.found.connect(lambda payload: self._on_scanned(payload, None))
        self.camera_dialog.start()

    def _check_field(self, name: str) -> None:
        if self.dossier is None and self.applicant.edits[name].text().strip():
            self.applicant.validate(only={name})

    # -- drafts --------------------------------------------------------------------------------
    def draft_payload(self) -> dict[str, Any] | None:
        """The form as typed, or None when nothing was typed yet (no draft for an empty form)."""
        if self.dossier is not None:
            return None
        procedure = self.picker.procedure
        if procedure is None and self.applicant.is_empty():
            return None
        return {
            "version": DRAFT_VERSION,
            "procedure_code": procedure.code if procedure else "",
            "procedure_name": procedure.name if procedure else "",
            "applicant": self.applicant.to_dict(),
            "components": self.components.rows(),
            "channel": int(self.channel.currentData()),
            "delivery": int(self.delivery.currentData()),
            "delivery_address": self.delivery_address.text(),
            "fee_vnd": self.fee.value(),
            "note": self.note.text(),
        }

    def _on_drafts(self, found: list[drafts.Draft]) -> None:
        self.found_drafts = found
        if found:
            latest = found[0]
            name = latest.payload.get("applicant", {}).get("full_name") or "chưa có tên"
            what = latest.payload.get("procedure_name") or "chưa chọn thủ tục"
            more = f" (và {len(found) - 1} bản nháp khác)" if len(found) > 1 else ""
            self.draft_label.setText(
                f"Có bản nháp chưa lưu, lúc {latest.updated_at:%H:%M %d/%m/%Y}: <b>{escape(name)}</b> — "
                f"{escape(what)}{more}.")
            self.draft_banner.show()
        self.drafts_checked.emit(len(found))

    def reopen_draft(self) -> None:
        """Fill the form from the most recent draft and keep saving into it."""
        if not self.found_drafts or self.dossier is not None:
            return
        draft = self.found_drafts.pop(0)
        self.draft_banner.hide()
        if self.picker.loaded:
            self._restore(draft)
        else:
            self._pending_draft = draft

    def _restore(self, draft: drafts.Draft) -> None:
        data = draft.payload
        self.keeper.adopt(draft.id)
        if data.get("procedure_code"):
            self.picker.choose_code(str(data["procedure_code"]))
        self.applicant.from_dict(dict(data.get("applicant") or {}))
        self.components.restore(list(data.get("components") or []))
        self._reuse_key = None
        self._lookup_reuse()
        for combo, key in ((self.channel, "channel"), (self.delivery, "delivery")):
            combo.setCurrentIndex(max(0, combo.findData(int(data.get(key, 0) or 0))))
        self.delivery_address.setText(str(data.get("delivery_address", "")))
        self.fee.setValue(int(data.get("fee_vnd", 0) or 0))
        self.note.setText(str(data.get("note", "")))
        self.applicant.first_field.setFocus()

    def drop_draft(self) -> None:
        if self.found_drafts:
            draft_id, ctx = self.found_drafts.pop(0).id, self.ctx
            self.run_db(lambda: drafts.discard_draft(ctx, draft_id) or draft_id)
        self.draft_banner.hide()

    # -- saving --------------------------------------------------------------------------------
    def build_request(self) -> reception.ReceiveRequest | None:
        """The request from the form, or None after showing why it cannot be saved yet."""
        self.general_error.hide()
        procedure = self.picker.procedure
        if procedure is None:
            self._general("Chưa chọn thủ tục hành chính: gõ mã hoặc tên thủ tục rồi nhấn Enter.")
            self.picker.setFocus()
            return None
        if self.applicant.validate():
            self.applicant.focus_first_error()
            return None
        applicant, _unreadable = self.applicant.applicant()  # none: validate() checked the dates
        self.components.commit_editor()
        components = [reception.ComponentInput(index=r["index"], received=True, originals=r["originals"],
                                               certified_copies=r["certified_copies"],
                                               photocopies=r["photocopies"], note=r["note"],
                                               reused_record_id=r.get("reused_record_id"))
                      for r in self.components.rows() if r["received"]]
        return reception.ReceiveRequest(
            procedure_code=procedure.code, applicant=applicant, components=components,
            channel=Channel(int(self.channel.currentData())),
            delivery=Delivery(int(self.delivery.currentData())),
            delivery_address=self.delivery_address.text().strip(),
            fee_vnd=self.fee.value(), note=self.note.text().strip())

    def save(self) -> None:
        if self._saving or self.dossier is not None:
            return
        request = self.build_request()
        if request is None:
            return
        self._saving = True
        self.save_button.setEnabled(False)
        self.save_state.setText("Đang lưu hồ sơ…")
        ctx, officer = self.ctx, self.officer
        self.run_db(lambda: reception.receive_dossier(ctx, request, officer), self._on_saved,
                    self._on_save_failed)

    def _on_saved(self, dossier: Dossier) -> None:
        self._saving = False
        self.dossier = dossier
        self.keeper.discard()
        self.save_state.clear()
        self.picker.setReadOnly(True)
        self.applicant.lock()
        self.components.lock()
        for widget in (self.channel, self.delivery, self.delivery_address, self.fee, self.note,
                       self.save_button):
            widget.setEnabled(False)
        self.due_label.setText(f"Hẹn trả kết quả: <b>{datetime_vi(dossier.due_at)}</b>")
        self.receipt.show_dossier(dossier)
        self.received.emit(dossier)

    def _on_save_failed(self, error: BaseException) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.save_state.clear()
        if isinstance(error, ValidationError):
            others = self.applicant.show_errors(getattr(error, "errors", None) or [error])
            if others:
                self._general("\n".join(e.message_vi for e in others))
            self.applicant.focus_first_error()
            return
        self._show_failure(error)

    def _show_failure(self, error: BaseException) -> None:
        if isinstance(error, MotCuaError):
            self._general(error.message_vi)
        else:
            log.error("reception failed", exc_info=error)
            self._general("Đã xảy ra lỗi không mong muốn. Chi tiết đã được ghi vào nhật ký.")

    def _general(self, text: str) -> None:
        self.general_error.setText(text)
        self.general_error.show()

    # -- keyboard and closing --------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & ~(
                Qt.KeyboardModifier.KeypadModifier):
            focus = self.focusWidget()
            if isinstance(focus, QPushButton):  # a button reached with Tab does what it says
                focus.click()
            else:
                self.save()
            event.accept()
            return
        super().keyPressEvent(event)

    def done(self, result: int) -> None:
        if not self._closed:
            self._closed = True
            if self.dossier is None:
                self.keeper.flush()  # a closed window keeps what was typed
            self.keeper.stop()
            self.picker.hide_popup()
        super().done(result)
        if self.delete_when_idle and self._jobs == 0:
            self.deleteLater()

    @property
    def busy(self) -> bool:
        return self._jobs > 0

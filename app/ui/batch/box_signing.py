"""Signing a whole batch box from the batch screen: every recorded document not yet signed, one PIN."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QMessageBox,
)

from app.documents.signing import SigningError
from app.services.batch import recording as batch_records
from app.services.warehouse import pdf_signing as signing_service
from app.services.warehouse import record_signing as warehouse_signing


class BoxSigning:
    """The "Ký số cả lô…" part of :class:`~app.ui.batch.screen.BatchScreen`."""

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

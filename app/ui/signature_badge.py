"""The digital signature of each digitised PDF of a dossier: a coloured badge per file and "Ký số".

:class:`SignatureBadge` shows one :class:`~app.documents.signing.SignatureStatus`: green "Đã ký số:
<người ký>, dd/mm/yyyy HH:MM", orange for a signature whose certificate is not trusted, red for a
document changed after signing, and a red-orange "chưa ký số" for an unsigned PDF.
:class:`DossierSignatures` lists the dossier's PDFs with their badges; verification runs on the
TaskRunner (never on the GUI thread), and "Ký số" signs the selected file with the officer's token,
asking for the PIN once per session (kept in memory only, forgotten after a wrong PIN).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.clock import vn_aware
from app.core.dossier import Attachment, Dossier
from app.core.errors import MotCuaError
from app.documents.signing import SignatureLevel, SignatureStatus
from app.services import signing as signing_service
from app.services.auth import Officer
from app.services.context import AppContext
from app.ui.ops import TaskRunner
from app.ui.signing_pin import NOT_A_SIGNER_VI, SigningPin, ask_secret_dialog, can_sign

COLOURS = {
    SignatureLevel.VALID: ("#1b7a35", "#e6f4ea"),
    SignatureLevel.UNTRUSTED: ("#9a5b00", "#fff3e0"),
    SignatureLevel.INVALID: ("#b71c1c", "#fdecea"),
    SignatureLevel.UNSIGNED: ("#c2410c", "#fff1e6"),
}
PENDING = ("#555555", "#f2f2f2")


def badge_text(status: SignatureStatus) -> str:
    """The badge's words: "Đã ký số: <người ký>, dd/mm/yyyy HH:MM" for a good signature."""
    if status.level is SignatureLevel.UNSIGNED:
        return "✗ chưa ký số"
    if status.level is SignatureLevel.INVALID:
        return "✗ " + status.message
    when = f", {vn_aware(status.signed_at):%d/%m/%Y %H:%M}" if status.signed_at else ""
    text = f"✓ Đã ký số: {status.signer}{when}"
    if status.level is SignatureLevel.UNTRUSTED:
        text = "⚠ " + text[2:] + " (chứng thư chưa được tin cậy)"
    return text


class SignatureBadge(QLabel):
    """One file's signature state, coloured."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status: SignatureStatus | None = None
        self.setObjectName("signatureBadge")
        self.set_pending()

    def _paint(self, text: str, colours: tuple[str, str], tooltip: str = "") -> None:
        fg, bg = colours
        self.setText(text)
        self.setToolTip(tooltip)
        self.setStyleSheet(f"QLabel {{ color: {fg}; background: {bg}; border: 1px solid {fg}; "
                           "border-radius: 3px; padding: 1px 6px; font-weight: bold; }")

    def set_pending(self) -> None:
        self.status = None
        self._paint("Đang kiểm tra chữ ký…", PENDING)

    def set_error(self, message: str) -> None:
        self.status = None
        self._paint("Không kiểm tra được chữ ký", COLOURS[SignatureLevel.INVALID], message)

    def set_status(self, status: SignatureStatus) -> None:
        self.status = status
        tip = status.message
        if status.signed:
            trusted = {True: "có", False: "không", None: "chưa có chứng thư gốc để kiểm tra"}[status.trusted]
            tip += (f"\nCơ quan cấp chứng thư: {status.issuer or '—'}\nChứng thư tin cậy: {trusted}"
                    f"\nSố chữ ký: {status.signatures} ({status.subfilter or '?'})")
        self._paint(badge_text(status), COLOURS[status.level], tip)


class DossierSignatures(QWidget):
    """The dossier's digitised PDFs with their signature badges, and the "Ký số" action."""

    signed = Signal(str)  # dossier code, after a file was signed

    def __init__(self, ctx: AppContext, runner: TaskRunner, officer: Officer,
                 on_error: Callable[[BaseException], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.officer = ctx, runner, officer
        self.on_error = on_error
        self.code: str | None = None
        self.attachments: list[Attachment] = []
        self.badges: list[SignatureBadge] = []
        self.ask_secret: Callable[[str], str | None] = self._ask_secret
        self.pin = SigningPin(lambda prompt: self.ask_secret(prompt))  # the PIN of this session
        self.title = QLabel("<b>Tệp đã số hoá và chữ ký số</b>", self)
        self.table = QTableWidget(0, 2, self)
        self.table.setObjectName("signatureTable")
        self.table.setHorizontalHeaderLabels(["Tệp", "Chữ ký số"])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.sign_button = QPushButton("Ký số…", self)
        self.sign_button.setObjectName("signButton")
        self.sign_button.setToolTip("Ký số tệp đang chọn bằng USB token (chữ ký PAdES)")
        self.sign_button.clicked.connect(self.sign_selected)
        self.sign_button.setEnabled(False)
        self.table.itemSelectionChanged.connect(self._update_button)
        self.empty = QLabel("<span style='color:#777'>Chưa có tệp nào được quét vào hồ sơ.</span>", self)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.sign_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        self.can_sign = can_sign(officer)
        if not self.can_sign:
            self.sign_button.setToolTip(NOT_A_SIGNER_VI)
        self.show_dossier(None)

    # -- showing ---------------------------------------------------------------------------
    def show_dossier(self, dossier: Dossier | None) -> None:
        """List the dossier's PDFs; each badge is filled in when its check comes back."""
        self.code = dossier.code if dossier else None
        self.attachments = [a for a in (dossier.attachments if dossier else [])
                            if a.media_type == signing_service.PDF_MEDIA_TYPE]
        self.badges = []
        self.table.setRowCount(len(self.attachments))
        for row, attachment in enumerate(self.attachments):
            short = attachment.file_name.removeprefix(f"{self.code}_")  # "TP1.pdf": the code is above
            item = QTableWidgetItem(f"{short} ({attachment.pages} tr.)")
            item.setToolTip(f"{attachment.file_name}\nSHA-256 {attachment.sha256}\n{attachment.pages} trang")
            self.table.setItem(row, 0, item)
            badge = SignatureBadge(self.table)
            self.table.setCellWidget(row, 1, badge)
            self.badges.append(badge)
            self._check(row, attachment)
        self.empty.setVisible(dossier is not None and not self.attachments)
        self.table.setVisible(bool(self.attachments))
        self._update_button()

    def _check(self, row: int, attachment: Attachment) -> None:
        ctx, code, sha = self.ctx, self.code, attachment.sha256

        def done(status: SignatureStatus) -> None:
            if self.code == code and row < len(self.attachments) and self.attachments[row].sha256 == sha:
                self.badges[row].set_status(status)

        def failed(error: BaseException) -> None:
            if self.code == code and row < len(self.badges):
                self.badges[row].set_error(getattr(error, "message_vi", str(error)))

        self.runner.run_db(lambda: signing_service.signature_status(ctx, sha), done, failed)

    def _update_button(self) -> None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        self.sign_button.setEnabled(self.can_sign and bool(rows) and bool(self.attachments))

    # -- signing ---------------------------------------------------------------------------
    def _ask_secret(self, prompt: str) -> str | None:
        return ask_secret_dialog(self, prompt)

    def sign_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.code is None:
            return
        attachment = self.attachments[rows[0].row()]
        try:
            settings = signing_service.signing_settings(self.ctx)
        except MotCuaError as exc:
            self._fail(exc)
            return
        secret = self.pin.secret_for(settings)
        if secret is None:
            return
        ctx, code, officer = self.ctx, self.code, self.officer
        self.sign_button.setEnabled(False)
        self.sign_button.setText("Đang ký…")

        def work() -> signing_service.SignOutcome:
            key = settings.key(secret)
            return signing_service.sign_attachment(ctx, code, attachment.sha256, officer, key)

        def done(outcome: signing_service.SignOutcome) -> None:
            self.sign_button.setText("Ký số…")
            self.signed.emit(outcome.code)

        def failed(error: BaseException) -> None:
            self.sign_button.setText("Ký số…")
            self.pin.forget()  # a wrong PIN must be asked again
            self._update_button()
            self._fail(error)

        self.runner.run_db(work, done, failed)

    def _fail(self, error: BaseException) -> None:
        if self.on_error is not None:
            self.on_error(error)
        else:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(self, "Ký số", getattr(error, "message_vi", str(error)))

    def forget_secret(self) -> None:
        self.pin.forget()


__all__ = ["DossierSignatures", "SignatureBadge", "badge_text"]

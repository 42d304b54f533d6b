"""The signing secret of a screen's session: the USB token's PIN (or the PKCS#12 file's password).

Every screen that signs (the dossier's signature panel, the warehouse browser, the batch screen) asks
for it at the first signature of the session and keeps it in memory only; it is forgotten after a
failure (a wrong PIN, the token pulled out) so that the next signature asks again.
:class:`SigningPin` holds that logic once. The asking itself is a callable (the password dialog by
default) that the host can replace, e.g. tests answering the prompt.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog, QLineEdit, QProgressBar, QPushButton, QWidget

from app.core.errors import MotCuaError
from app.core.progress import CancelToken, ProgressUpdate
from app.services.admin.auth import Officer
from app.services.context import AppContext
from app.services.warehouse.pdf_signing import MODE_PKCS12, SigningSettings, require_signer
from app.services.warehouse.record_signing import SignReport, sign_records
from app.ui.ops import TaskRunner

NOT_A_SIGNER_VI = "Chỉ cán bộ có chứng thư số mới ký số được"


def can_sign(officer: Officer) -> bool:
    """Whether the officer's role may sign (``require_signer``): the screens show the buttons."""
    try:
        require_signer(officer)
    except MotCuaError:
        return False
    return True


def secret_prompt(settings: SigningSettings) -> str:
    """What the dialog asks: the token's PIN, or the certificate file's password."""
    if settings.mode == MODE_PKCS12:
        return f"Mật khẩu tệp chứng thư số {settings.pkcs12_path}:"
    return f"Mã PIN của USB token “{settings.token_label or '?'}”:"


def ask_secret_dialog(parent: QWidget, prompt: str) -> str | None:
    """The password dialog (modal); None when cancelled or left empty."""
    text, ok = QInputDialog.getText(parent, "Ký số", prompt, QLineEdit.EchoMode.Password)
    return text if ok and text else None


class SigningPin:
    """The secret of one session: :meth:`secret_for` asks once, :meth:`forget` after a failure."""

    def __init__(self, ask: Callable[[str], str | None]) -> None:
        self.ask = ask
        self.secret: str | None = None  # memory only

    def secret_for(self, settings: SigningSettings) -> str | None:
        """The session's secret, asked now if not known yet; None when the officer cancels."""
        if self.secret is None:
            self.secret = self.ask(secret_prompt(settings))
        return self.secret

    def forget(self) -> None:
        self.secret = None


__all__ = ["NOT_A_SIGNER_VI", "SigningPin", "ask_secret_dialog", "can_sign", "secret_prompt"]


class _Progress(QObject):
    """Carries the worker's :class:`ProgressUpdate` to the GUI thread (queued)."""

    update = Signal(object)


class SigningRun(QObject):
    """One background run of :func:`warehouse_signing.sign_records` with its progress bar and
    stop button: the batch screen ("Ký số cả lô") and the warehouse browser ("Ký tất cả") share it.
    The host lays out :attr:`bar` and :attr:`stop_button`; ``show_message`` receives the progress
    text; when the run ends the widgets are hidden before ``on_done``/``on_failed`` is called."""

    def __init__(self, parent: QWidget, runner: TaskRunner, show_message: Callable[[str], None], *,
                 stop_text: str, bar_width: int) -> None:
        super().__init__(parent)
        self.runner, self.show_message = runner, show_message
        self.token: CancelToken | None = None
        self.active = False
        self.bar = QProgressBar(parent)
        self.bar.setMaximumWidth(bar_width)
        self.bar.hide()
        self.stop_button = QPushButton(stop_text, parent)
        self.stop_button.setToolTip("Dừng ký sau giấy tờ đang ký")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.hide()
        self._progress = _Progress()
        self._progress.update.connect(self._on_progress)

    def start(self, ctx: AppContext, record_ids: list[str], officer: Officer, settings: SigningSettings,
              secret: str, on_done: Callable[[SignReport], None],
              on_failed: Callable[[BaseException], None]) -> None:
        token = self.token = CancelToken()
        self.active = True
        self.bar.setRange(0, len(record_ids))
        self.bar.setValue(0)
        self.bar.show()
        self.stop_button.setEnabled(True)
        self.stop_button.show()
        signal = self._progress

        def work() -> SignReport:
            return sign_records(ctx, record_ids, officer, settings.key(secret),
                                progress=signal.update.emit, cancel=token)

        def done(report: SignReport) -> None:
            self._end()
            on_done(report)

        def failed(error: BaseException) -> None:
            self._end()
            on_failed(error)

        self.runner.run_work(work, done, failed)

    def stop(self) -> None:
        """Stop after the record being signed (also on closing the host)."""
        if self.token is not None:
            self.token.cancel()
            self.stop_button.setEnabled(False)
            self.show_message("Đang dừng sau giấy tờ đang ký…")

    def _on_progress(self, update: ProgressUpdate) -> None:
        if not self.active:
            return
        self.bar.setValue(update.done)
        if update.message:
            self.show_message(update.message)

    def _end(self) -> None:
        self.active = False
        self.token = None
        self.bar.hide()
        self.stop_button.hide()

"""The signing secret of a screen's session: the USB token's PIN (or the PKCS#12 file's password).

Every screen that signs (the dossier's signature panel, the warehouse browser, the batch screen) asks
for it at the first signature of the session and keeps it in memory only; it is forgotten after a
failure (a wrong PIN, the token pulled out) so that the next signature asks again.
:class:`SigningPin` holds that logic once. The asking itself is a callable (the password dialog by
default) that the host can replace, e.g. tests answering the prompt.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from app.core.errors import MotCuaError
from app.services.auth import Officer
from app.services.signing import MODE_PKCS12, SigningSettings, require_signer

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

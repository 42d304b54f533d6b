"""How an exchange with the provincial system can fail, and what the outbox does about it.

* :class:`TransientError`: try again later (no connection, connection dropped, timeout, 5xx, 408,
  429); ``pause_all`` (429, 503) asks the whole station to wait ``retry_after`` seconds.
* :class:`RejectedError`: the server refused this item (4xx): it is parked with the reason, the
  other dossiers go on.
* :class:`ConflictError`: a status change the province had overtaken (409): the province wins.
* :class:`AuthError`: the station token is unknown, expired or revoked (401, 403): the run stops.
"""

from __future__ import annotations

from typing import Any

from app.core.errors import MotCuaError


class SyncError(MotCuaError):
    """Base of the sync errors; ``code`` is the server's machine-readable reason when known."""

    def __init__(
        self, message_en: str, message_vi: str | None = None, *, code: str = "", status: int | None = None
    ) -> None:
        super().__init__(message_en, message_vi)
        self.code = code
        self.status = status


class TransientError(SyncError):
    def __init__(
        self,
        message_en: str,
        message_vi: str | None = None,
        *,
        code: str = "",
        status: int | None = None,
        retry_after: float | None = None,
        pause_all: bool = False,
        connection: bool = False,
    ) -> None:
        super().__init__(message_en, message_vi, code=code, status=status)
        self.retry_after = retry_after
        self.pause_all = pause_all
        self.connection = connection  # no answer at all (network down, dropped, timed out)


class RejectedError(SyncError):
    pass


class ConflictError(SyncError):
    def __init__(
        self,
        message_en: str,
        message_vi: str | None = None,
        *,
        code: str = "conflict",
        status: int | None = 409,
        current: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message_en, message_vi, code=code, status=status)
        self.current = current or {}


class AuthError(SyncError):
    pass


class NotConfiguredError(SyncError):
    """No server address or no station token yet."""


#: What the officer can do about an item the server refused, by the server's reason code.
_RETRY_VI = "bấm “Thử lại” trong Trung tâm đồng bộ (hoặc lệnh: motcua sync retry {item})"
_WHAT_TO_DO_VI = {
    "invalid_request": "Hãy kiểm tra, sửa thông tin của hồ sơ {code} tại máy trạm rồi " + _RETRY_VI
    + "; nếu vẫn lỗi, báo quản trị hệ thống.",
    "unknown_procedure": "Hãy báo quản trị hệ thống tỉnh bổ sung thủ tục này vào danh mục, rồi "
    + _RETRY_VI + ".",
    "wrong_agency": "Mã đơn vị của trạm không khớp với mã truy cập: quản trị viên kiểm tra mã đơn vị "
    "trong phần cài đặt, rồi " + _RETRY_VI + ".",
    "dossier_not_found": "Hồ sơ {code} chưa có trên hệ thống tỉnh: gửi lại mục “Hồ sơ” của nó trước, "
    "rồi " + _RETRY_VI + " cho mục này.",
    "local_file_corrupted": "",  # the message itself says what to do
}
_WHAT_TO_DO_DEFAULT_VI = (
    "Sau khi khắc phục nguyên nhân, " + _RETRY_VI + "; nếu vẫn lỗi, báo quản trị hệ thống."
)


def refused_reason_vi(exc: RejectedError, dossier_code: str, item_id: int) -> str:
    """Why the server refused an item and what to do, in Vietnamese, for the parked item."""
    advice = _WHAT_TO_DO_VI.get(exc.code, _WHAT_TO_DO_DEFAULT_VI)
    what = (exc.message_vi or "Hệ thống tỉnh từ chối mục này.").rstrip()
    if not advice:
        return what
    if not what.endswith((".", "!", "?")):
        what += "."
    return f"{what} {advice.format(code=dossier_code, item=item_id)}"
class UnreadableAnswerError(SyncError):
    """An answer of the province that does not follow the protocol (a status out of range, a date
    that is not ``yyyyMMddHHmmss``): the change is skipped and logged, never half applied."""

    def __init__(self, what: str) -> None:
        super().__init__(f"the province sent a change this station cannot read: {what}",
                         "Hệ thống tỉnh gửi về một thay đổi không đúng định dạng; thay đổi này được bỏ qua.",
                         code="unreadable_answer")

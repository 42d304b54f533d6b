"""JSON over HTTPS to the provincial system: one ``httpx.Client``, errors mapped to the outbox's
categories (:mod:`app.sync.errors`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import httpx

from app.sync.backoff import parse_retry_after
from app.sync.errors import AuthError, ConflictError, RejectedError, TransientError

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
USER_AGENT = "MotCuaDesk-sync/1"
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=60.0, pool=10.0)

_AUTH_VI = {
    "token_expired": "Mã truy cập của trạm đã hết hạn. Hãy xin mã mới từ hệ thống tỉnh.",
    "token_revoked": "Mã truy cập của trạm đã bị thu hồi. Hãy xin mã mới từ hệ thống tỉnh.",
}
_AUTH_VI_DEFAULT = "Hệ thống tỉnh không chấp nhận mã truy cập của trạm."


def _error_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class Transport:
    """Requests to ``<server>/api/v1``, authenticated with the station token."""

    def __init__(
        self,
        server_url: str,
        token: str,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        client: httpx.Client | None = None,
    ) -> None:
        self.server_url = server_url.rstrip("/")
        self._client = client or httpx.Client(timeout=timeout)
        self._headers = {
            "Authorization": f"Bearer {token}",
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        }

    def close(self) -> None:
        self._client.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | Iterable[bytes] | None = None,
        ok: tuple[int, ...] = (200, 201),
    ) -> httpx.Response:
        """Send one request; returns the response when its status is in ``ok``, raises otherwise."""
        all_headers = dict(self._headers)
        all_headers.update(headers or {})
        url = f"{self.server_url}{API_PREFIX}{path}"
        try:
            response = self._client.request(
                method, url, json=json, params=params, headers=all_headers, content=content
            )
        except httpx.TimeoutException as exc:
            raise TransientError(
                f"{method} {path}: timed out ({type(exc).__name__})",
                "Hệ thống tỉnh không trả lời kịp (quá thời gian chờ).",
                connection=True,
            ) from exc
        except httpx.TransportError as exc:
            raise TransientError(
                f"{method} {path}: no connection ({type(exc).__name__}: {exc})",
                "Không kết nối được với hệ thống tỉnh.",
                connection=True,
            ) from exc
        if response.status_code in ok:
            return response
        raise self._failure(method, path, response)

    def _failure(self, method: str, path: str, response: httpx.Response) -> Exception:
        status = response.status_code
        body = _error_body(response)
        code = str(body.get("error") or "")
        message = str(body.get("message") or response.reason_phrase or "")
        message_vi = str(body.get("message_vi") or "")
        what = f"{method} {path}: HTTP {status} {code} {message}".strip()
        if status in (401, 403):
            return AuthError(
                what, _AUTH_VI.get(code, _AUTH_VI_DEFAULT), code=code or "unauthorised", status=status
            )
        if status == 409 and isinstance(body.get("HoSo"), dict):
            return ConflictError(
                what,
                message_vi or "Hồ sơ đã được hệ thống tỉnh cập nhật trước.",
                code=code or "conflict",
                current=body["HoSo"],
            )
        if status in (429, 503) or status >= 500 or status == 408:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), response.headers.get("Date"))
            busy = status in (429, 503)
            vi = (
                "Hệ thống tỉnh đang quá tải, sẽ gửi lại sau."
                if busy
                else f"Hệ thống tỉnh gặp lỗi (HTTP {status}), sẽ gửi lại sau."
            )
            return TransientError(what, vi, code=code, status=status, retry_after=retry_after, pause_all=busy)
        return RejectedError(
            what,
            message_vi or f"Hệ thống tỉnh từ chối (HTTP {status}): {message}",
            code=code or f"http_{status}",
            status=status,
        )

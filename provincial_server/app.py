"""The reference provincial server: FastAPI application factory, station authentication, errors.

Routes live in ``routes_dossiers`` (dossiers, status), ``routes_uploads`` (chunked uploads, files),
``routes_misc`` (auth check, time, change feed, catalogue, calendar) and ``routes_admin`` (the
province's own actions, for tests and demos; not part of the protocol, not in the OpenAPI file).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from provincial_server.schemas import Error
from provincial_server.store import Store
from provincial_server.upkeep import DEFAULT_UPLOAD_EXPIRY, expire_uploads

log = logging.getLogger("provincial_server")
VN_TZ = timezone(timedelta(hours=7))
API = "/api/v1"
TIME_FORMAT = "%Y%m%d%H%M%S"
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Error, "description": "malformed request"},
    401: {
        "model": Error,
        "description": "token missing, unknown, expired (token_expired) or revoked (token_revoked)",
    },
    422: {"model": Error, "description": "refused: the item is wrong and must not be sent again as is"},
    429: {"model": Error, "description": "too many requests: wait Retry-After"},
    500: {"model": Error, "description": "server error: try again later"},
    503: {"model": Error, "description": "unavailable: wait Retry-After"},
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        message_vi: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.message_vi = status, code, message, message_vi
        self.extra = extra or {}
        self.headers = headers or {}


@dataclass
class Clock:
    """The server's clock: Vietnam time, shifted by ``skew`` seconds (to test a wrong server clock)."""

    skew: float = 0.0

    def now(self) -> datetime:
        return (datetime.now(VN_TZ) + timedelta(seconds=self.skew)).replace(microsecond=0)

    def text(self) -> str:
        return self.now().strftime(TIME_FORMAT)

    def http_date(self, later: float = 0.0) -> str:
        return format_datetime(self.now().astimezone(UTC) + timedelta(seconds=later), usegmt=True)


@dataclass
class ServerState:
    store: Store
    clock: Clock = field(default_factory=Clock)
    chunk_size: int = 8 * 1024 * 1024
    upload_expiry: timedelta = DEFAULT_UPLOAD_EXPIRY  # unfinished uploads untouched this long go
    last_sweep: float = float("-inf")  # time.monotonic() of the last expiry sweep


def state_of(request: Request) -> ServerState:
    return request.app.state.server  # type: ignore[no-any-return]


_bearer = HTTPBearer(
    auto_error=False, description="the station token (python -m provincial_server add-station)"
)


def station(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Any:
    """The calling station; 401 for a missing, unknown, expired or revoked token."""
    if credentials is None or not credentials.credentials:
        raise ApiError(401, "token_missing", "no station token", "Thiếu mã truy cập của trạm.")
    server = state_of(request)
    row = server.store.station_by_token(credentials.credentials)
    if row is None:
        raise ApiError(401, "token_invalid", "unknown station token", "Mã truy cập của trạm không đúng.")
    if row["revoked_at"]:
        raise ApiError(401, "token_revoked", "the station token was revoked", "Mã truy cập đã bị thu hồi.")
    if row["expires_at"] and datetime.fromisoformat(row["expires_at"]) <= server.clock.now().replace(
        tzinfo=None
    ):
        raise ApiError(401, "token_expired", "the station token has expired", "Mã truy cập đã hết hạn.")
    return row


#: The calling station (a row of ``stations``), for route signatures.
Caller = Annotated[Any, Depends(station)]


def request_hash(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def error_response(exc: ApiError, clock: Clock) -> JSONResponse:
    body = {"error": exc.code, "message": exc.message, "message_vi": exc.message_vi, **exc.extra}
    return JSONResponse(body, status_code=exc.status, headers={"Date": clock.http_date(), **exc.headers})


def _field(error: Any) -> str:
    """A validation error's place without the ``body`` prefix, e.g. ``TaiLieuNop.0.TenTepDinhKem``."""
    loc = [str(p) for p in error.get("loc", ())]
    return ".".join(loc[1:] if loc[:1] == ["body"] and len(loc) > 1 else loc)


def create_app(
    data_dir: Path, *, clock_skew: float = 0.0, upload_expiry: timedelta = DEFAULT_UPLOAD_EXPIRY
) -> FastAPI:
    from provincial_server import routes_admin, routes_dossiers, routes_misc, routes_online, routes_uploads

    app = FastAPI(
        title="MotCua provincial sync protocol",
        version="1.0.0",
        description=(
            "Counter station <-> provincial one-stop system. National vocabulary "
            "(DongBoHoSoMC, CapNhatTienDoHoSoMC); dates yyyyMMddHHmmss in Vietnam time. "
            "See docs/sync-protocol.md."
        ),
        openapi_url=f"{API}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.server = ServerState(
        store=Store(data_dir), clock=Clock(clock_skew), upload_expiry=upload_expiry
    )
    expire_uploads(app.state.server, app.state.server.clock.now().replace(tzinfo=None).isoformat())
    app.state.server.store.admin_token()  # created on the first start, read by tests and demos
    app.state.upload_locks = {}  # upload id -> asyncio.Lock (one PUT at a time per upload)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc, state_of(request).clock)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        where = "; ".join(f"{_field(e)}: {e.get('msg')}" for e in errors)
        fields = list(dict.fromkeys(_field(e) for e in errors))
        vi = "Dữ liệu gửi lên không hợp lệ"
        if fields:
            vi += f" ở trường {', '.join(fields[:5])}{' …' if len(fields) > 5 else ''}"
            too_long = [e for e in errors if e.get("type") == "string_too_long"]
            if too_long:
                limit = (too_long[0].get("ctx") or {}).get("max_length")
                vi += f" (quá dài{f', tối đa {limit} ký tự' if limit else ''})"
        return error_response(
            ApiError(422, "invalid_request", where[:1000] or "invalid request", vi + "."),
            state_of(request).clock,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # A body that cannot be parsed, an unknown route or method: the documented error object too.
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        return error_response(
            ApiError(
                exc.status_code,
                code.get(exc.status_code, "http_error"),
                str(exc.detail)[:1000],
                "Yêu cầu không hợp lệ." if exc.status_code != 404 else "Không tìm thấy.",
                headers=dict(exc.headers or {}),
            ),
            state_of(request).clock,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(
            ApiError(500, "server_error", f"{type(exc).__name__}", "Lỗi máy chủ tỉnh."),
            state_of(request).clock,
        )

    @app.middleware("http")
    async def _date_header(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers["Date"] = state_of(request).clock.http_date()
        return response

    @app.get("/healthz", include_in_schema=False)
    def _health() -> dict[str, str]:
        return {"status": "ok"}

    for module in (routes_misc, routes_dossiers, routes_uploads, routes_online):
        app.include_router(module.router, prefix=API)
    app.include_router(routes_admin.router, prefix=f"{API}/admin", include_in_schema=False)
    return app

"""Chunked, resumable file uploads verified by SHA-256, and the files they leave on the server.

``POST /uploads`` announces a file (the same Idempotency-Key gives back the same upload);
``PUT /uploads/{id}`` sends bytes ``start-end/total`` where ``start`` must be what the server holds
(``DaNhan``, else 409 with the right value). Every byte received is kept, even from a request cut off
midway, so a resumed upload starts exactly where the last one stopped. ``complete`` checks the SHA-256
and files the bytes under the dossier. PUTs of one upload are taken one at a time.

An upload belongs to the agency's dossier, not to the token that started it: a station given a new
token (the old one expired or was revoked) announces the file again with the same Idempotency-Key and
goes on from the bytes the server holds. Unfinished uploads untouched for ``upload_expiry`` are
removed with their bytes (:mod:`provincial_server.upkeep`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import uuid
from pathlib import Path as FsPath
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.requests import ClientDisconnect

from provincial_server.app import ERRORS, ApiError, Caller, state_of
from provincial_server.routes_dossiers import CodePath, IdempotencyKey, check_file_room, load
from provincial_server.schemas import Error, OffsetMismatch, UploadIn, UploadState
from provincial_server.store import dumps
from provincial_server.upkeep import expire_uploads

router = APIRouter(tags=["files"])
UploadId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="MaTaiLen")]
Sha256Path = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
RECORD_EVERY = 1024 * 1024  # bytes between two records of how far an upload got
_RANGE = re.compile(r"^bytes ([0-9]+)-([0-9]+)/([0-9]+)$")
UPLOAD_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": Error, "description": "unknown upload"},
    409: {"model": OffsetMismatch, "description": "the server holds DaNhan bytes: continue from there"},
    **ERRORS,
}


def _lock(request: Request, upload_id: str) -> asyncio.Lock:
    locks: dict[str, asyncio.Lock] = request.app.state.upload_locks
    return locks.setdefault(upload_id, asyncio.Lock())


def _view(row: Any, chunk_size: int) -> dict[str, Any]:
    done = row["state"] == "hoan_tat"
    return {
        "MaTaiLen": row["id"],
        "MaHoSo": row["ma_ho_so"],
        "KichThuoc": row["size"],
        "DaNhan": row["size"] if done else row["received"],
        "TrangThai": row["state"],
        "KichThuocPhanGoiY": chunk_size,
        "TepDinhKemId": row["sha256"] if done else None,
        "DuongDanTaiTepTin": f"/api/v1/files/{row['ma_ho_so']}/{row['sha256']}" if done else None,
    }


def _row(request: Request, upload_id: str, caller: Any) -> Any:
    with state_of(request).store.read() as db:
        row = db.execute("SELECT * FROM uploads WHERE id = ?", (upload_id,)).fetchone()
    if row is None or row["agency"] != caller["agency"]:
        raise ApiError(404, "upload_not_found", f"no upload {upload_id}", "Không có phiên tải tệp này.")
    return row


def _offset_error(received: int, why: str) -> ApiError:
    return ApiError(
        409,
        "offset_mismatch",
        f"{why}: the server holds {received} bytes",
        f"Máy chủ đã nhận {received} byte; hãy gửi tiếp từ đó.",
        extra={"DaNhan": received},
    )


@router.post(
    "/uploads",
    response_model=UploadState,
    status_code=200,
    responses={
        201: {"model": UploadState, "description": "upload created"},
        404: {"model": Error, "description": "unknown dossier"},
        **ERRORS,
    },
    summary="Announce a file of a dossier (or find the upload of the same Idempotency-Key)",
)
def create_upload(request: Request, body: UploadIn, key: IdempotencyKey, caller: Caller) -> JSONResponse:
    server = state_of(request)
    info = body.model_dump()
    now = server.clock.now().replace(tzinfo=None).isoformat()
    expire_uploads(server, now)
    with server.store.write() as db:
        load(db, body.MaHoSo, caller["agency"])
        row = db.execute(
            "SELECT * FROM uploads WHERE agency = ? AND key = ?", (caller["agency"], key)
        ).fetchone()
        if row is not None:
            if json.loads(row["info"]) != info:
                raise ApiError(
                    422,
                    "idempotency_key_reused",
                    "this Idempotency-Key announced another file",
                    "Khóa chống trùng lặp đã được dùng cho một tệp khác.",
                )
            return JSONResponse(_view(row, server.chunk_size), status_code=200)
        held = db.execute(
            "SELECT upload_id FROM files WHERE ma_ho_so = ? AND sha256 = ?", (body.MaHoSo, body.SHA256)
        ).fetchone()
        if held is None:
            check_file_room(db, body.MaHoSo, adding=1)
        upload_id = uuid.uuid4().hex
        state = "hoan_tat" if held is not None else "dang_tai"
        db.execute(
            "INSERT INTO uploads (id, station_id, agency, key, ma_ho_so, sha256, size, info, received, "
            "state, created_at, completed_at, touched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                upload_id,
                caller["id"],
                caller["agency"],
                key,
                body.MaHoSo,
                body.SHA256,
                body.KichThuoc,
                dumps(info),
                body.KichThuoc if held else 0,
                state,
                now,
                now if held else None,
                now,
            ),
        )
        row = db.execute("SELECT * FROM uploads WHERE id = ?", (upload_id,)).fetchone()
    return JSONResponse(_view(row, server.chunk_size), status_code=200 if held else 201)


@router.get(
    "/uploads/{upload_id}",
    response_model=UploadState,
    responses=UPLOAD_ERRORS,
    summary="How many bytes the server holds (where to resume)",
)
def upload_state(request: Request, upload_id: UploadId, caller: Caller) -> dict[str, Any]:
    return _view(_row(request, upload_id, caller), state_of(request).chunk_size)


@router.put(
    "/uploads/{upload_id}",
    response_model=UploadState,
    responses=UPLOAD_ERRORS,
    summary="Send bytes start-end of the file (Content-Range)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def put_chunk(
    request: Request,
    upload_id: UploadId,
    content_range: Annotated[
        str,
        Header(
            alias="Content-Range",
            pattern=r"^bytes [0-9]+-[0-9]+/[0-9]+$",
            description="bytes START-END/TOTAL, END inclusive",
        ),
    ],
    caller: Caller,
    finish: Annotated[
        bool,
        Query(
            alias="hoan_tat",
            description="complete the upload (as POST .../complete) when this chunk ends the file: "
            "one round trip less per file",
        ),
    ] = False,
) -> dict[str, Any]:
    server = state_of(request)
    match = _RANGE.match(content_range)
    if match is None:
        raise ApiError(
            400, "bad_range", "Content-Range must be 'bytes START-END/TOTAL'", "Content-Range sai."
        )
    start, end, total = (int(g) for g in match.groups())
    async with _lock(request, upload_id):
        row = _row(request, upload_id, caller)
        if row["state"] == "hoan_tat":
            raise _offset_error(row["size"], "the upload is complete")
        if total != row["size"] or end < start or end >= total:
            raise ApiError(
                422,
                "bad_range",
                f"range {start}-{end}/{total} does not fit a file of {row['size']} bytes",
                "Khoảng dữ liệu không khớp với kích thước tệp.",
            )
        if start != row["received"]:
            raise _offset_error(row["received"], f"the chunk starts at {start}")
        written = await _receive(
            request, server.store.uploads_dir / f"{upload_id}.part", upload_id, start, end - start + 1, server
        )
        if start + written <= end:
            raise ApiError(
                400,
                "short_body",
                f"the body ended after {written} of {end - start + 1} bytes",
                "Dữ liệu gửi lên bị thiếu.",
            )
        if finish and end + 1 == total:
            return await _finish(request, upload_id, caller)
        return _view(_row(request, upload_id, caller), server.chunk_size)


async def _receive(
    request: Request, part: FsPath, upload_id: str, start: int, expected: int, server: Any
) -> int:
    """Append the body at ``start``; what arrived is recorded as it comes (every
    :data:`RECORD_EVERY` bytes, and at the end even when the connection breaks)."""
    written = recorded = 0
    with open(part, "r+b" if part.exists() else "w+b") as out:
        out.truncate(start)  # bytes past the recorded offset come from a request that never finished
        out.seek(start)
        _record(server, upload_id, start, 0, new_start=True)
        try:
            async for block in request.stream():
                if written + len(block) > expected:
                    raise ApiError(
                        400,
                        "long_body",
                        "the body is longer than Content-Range says",
                        "Dữ liệu gửi lên dài hơn khai báo.",
                    )
                out.write(block)
                written += len(block)
                if written - recorded >= RECORD_EVERY:
                    out.flush()
                    _record(server, upload_id, start + written, written - recorded)
                    recorded = written
        except ClientDisconnect:
            pass
        finally:
            out.flush()
            _record(server, upload_id, start + written, written - recorded)
    return written


def _record(server: Any, upload_id: str, received: int, more: int, *, new_start: bool = False) -> None:
    with server.store.write() as db:
        if new_start:
            db.execute(
                "UPDATE uploads SET starts = json_insert(starts, '$[#]', ?) WHERE id = ?",
                (received, upload_id),
            )
        db.execute(
            "UPDATE uploads SET received = ?, written_total = written_total + ?, touched_at = ? WHERE id = ?",
            (received, more, server.clock.now().replace(tzinfo=None).isoformat(), upload_id),
        )


def _sha256(path: FsPath) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


@router.post(
    "/uploads/{upload_id}/complete",
    response_model=UploadState,
    responses={
        **UPLOAD_ERRORS,
        422: {
            "model": Error,
            "description": "hash_mismatch: the bytes do not hash to SHA256; the upload starts again from 0",
        },
    },
    summary="Check the SHA-256 and file the bytes under the dossier",
)
async def complete_upload(request: Request, upload_id: UploadId, caller: Caller) -> dict[str, Any]:
    async with _lock(request, upload_id):
        return await _finish(request, upload_id, caller)


async def _finish(request: Request, upload_id: str, caller: Any) -> dict[str, Any]:
    """Check the SHA-256 and file the bytes (the caller holds the upload's lock)."""
    server = state_of(request)
    row = _row(request, upload_id, caller)
    if row["state"] == "hoan_tat":
        return _view(row, server.chunk_size)
    if row["received"] < row["size"]:
        raise _offset_error(row["received"], "the upload is not finished")
    part = server.store.uploads_dir / f"{upload_id}.part"
    if row["size"] == 0:
        part.touch()
    with open(part, "r+b") as f:
        f.truncate(row["size"])
    actual = await anyio.to_thread.run_sync(_sha256, part)
    if actual != row["sha256"]:
        with server.store.write() as db:
            db.execute("UPDATE uploads SET received = 0 WHERE id = ?", (upload_id,))
        part.unlink(missing_ok=True)
        raise ApiError(
            422,
            "hash_mismatch",
            f"received bytes hash to {actual}, not {row['sha256']}",
            "Tệp nhận được không khớp mã băm SHA-256; cần gửi lại từ đầu.",
        )
    target = server.store.files_dir / row["sha256"]
    if target.exists():
        part.unlink()
    else:
        part.replace(target)
    now = server.clock.now().replace(tzinfo=None).isoformat()
    with server.store.write() as db:
        db.execute(
            "INSERT OR IGNORE INTO files (ma_ho_so, sha256, size, info, upload_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (row["ma_ho_so"], row["sha256"], row["size"], row["info"], upload_id, now),
        )
        db.execute(
            "UPDATE uploads SET state = 'hoan_tat', completed_at = ? WHERE id = ?", (now, upload_id)
        )
    with contextlib.suppress(KeyError):
        del request.app.state.upload_locks[upload_id]
    return _view(_row(request, upload_id, caller), server.chunk_size)


@router.get(
    "/files/{MaHoSo}/{sha256}",
    response_class=FileResponse,
    responses={
        200: {
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            "description": "the file's bytes",
        },
        404: {"model": Error, "description": "no such file"},
        **ERRORS,
    },
    summary="A file of a dossier (DuongDanTaiTepTin)",
)
def get_file(request: Request, MaHoSo: CodePath, sha256: Sha256Path, caller: Caller) -> FileResponse:  # noqa: N803
    server = state_of(request)
    with server.store.read() as db:
        load(db, MaHoSo, caller["agency"])
        row = db.execute(
            "SELECT sha256 FROM files WHERE ma_ho_so = ? AND sha256 = ?", (MaHoSo, sha256)
        ).fetchone()
    if row is None:
        raise ApiError(404, "file_not_found", "no such file", "Không có tệp này.")
    return FileResponse(server.store.files_dir / sha256, media_type="application/octet-stream")

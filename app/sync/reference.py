"""The reference protocol (``docs/sync-protocol.md``, ``docs/openapi.json``) as an adapter.

Files go up in chunks of :data:`CHUNK_SIZE` bytes, each chunk a ``PUT`` with ``Content-Range``
streamed from disk in :data:`READ_SIZE` blocks (memory stays flat whatever the file's size). The
server keeps every byte it received, even from a chunk cut off midway, and tells how many it has
(``DaNhan``): a resumed upload starts exactly there. ``complete`` makes the server check SHA-256.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import httpx

from app.sync.adapter import Accepted, ChangePage, ServerTime, UploadProgress
from app.sync.errors import RejectedError, TransientError
from app.sync.transport import Transport
from app.sync.vocabulary import parse_time

CHUNK_SIZE = 8 * 1024 * 1024
READ_SIZE = 256 * 1024
#: Resumes within one attempt after a dropped chunk before the item is left for a later attempt.
QUICK_RESUMES = 3
UPLOAD_DONE = "hoan_tat"
#: Items in flight at once (each of another dossier): on a distant link, one item's round trips
#: overlap the others' bytes. Chosen by measurement (``python -m benchmarks link``).
IN_FLIGHT = 12


def _sha256(source: BinaryIO) -> str:
    digest = hashlib.sha256()
    while block := source.read(READ_SIZE * 4):
        digest.update(block)
    return digest.hexdigest()


def _replayed(response: httpx.Response) -> bool:
    return response.headers.get("Idempotent-Replayed", "").lower() == "true"


class ReferenceAdapter:
    """The MotCua reference protocol over HTTPS (JSON, station token, idempotency keys)."""

    def __init__(
        self,
        server_url: str,
        token: str,
        *,
        chunk_size: int = CHUNK_SIZE,
        transport: Transport | None = None,
        **_options: Any,
    ) -> None:
        self.transport = transport or Transport(server_url, token)
        self.chunk_size = chunk_size
        self.in_flight = IN_FLIGHT  # the push engine may send this many items at once

    def close(self) -> None:
        self.transport.close()

    # -- station and time ------------------------------------------------------------------------
    def check_auth(self) -> dict[str, Any]:
        return dict(self.transport.request("POST", "/auth/check").json())

    def server_time(self) -> ServerTime:
        sent = time.time()
        body = self.transport.request("GET", "/time").json()
        received = time.time()
        server_now = parse_time(body["ThoiGianMayChu"])
        assert server_now is not None
        # The server's epoch milliseconds compared with the middle of the round trip.
        offset = float(body["EpochMs"]) / 1000 - (sent + received) / 2
        return ServerTime(server_now=server_now, offset_seconds=offset)

    # -- dossiers --------------------------------------------------------------------------------
    def upsert_dossier(self, record: dict[str, Any], key: str) -> Accepted:
        response = self.transport.request(
            "PUT", f"/dossiers/{record['MaHoSo']}", json=record, headers={"Idempotency-Key": key}
        )
        return Accepted(replayed=_replayed(response), data=response.json())

    def update_status(self, record: dict[str, Any], key: str) -> Accepted:
        response = self.transport.request(
            "POST", f"/dossiers/{record['MaHoSo']}/status", json=record, headers={"Idempotency-Key": key}
        )
        return Accepted(replayed=_replayed(response), data=response.json())

    # -- files -----------------------------------------------------------------------------------
    def upload_file(
        self,
        record: dict[str, Any],
        key: str,
        open_file: Callable[[], BinaryIO],
        progress: UploadProgress | None = None,
    ) -> Accepted:
        response = self.transport.request("POST", "/uploads", json=record, headers={"Idempotency-Key": key})
        state = response.json()
        if state["TrangThai"] == UPLOAD_DONE:
            return Accepted(replayed=True, data=state)
        try:
            return self._send_bytes(state, record, open_file, progress)
        except RejectedError as exc:
            if exc.code != "upload_not_found":
                raise
            # The server expired the unfinished upload meanwhile: announced again at the next attempt.
            raise TransientError(
                f"upload {state['MaTaiLen']} expired on the server",
                "Phiên tải tệp đã hết hạn trên hệ thống tỉnh; tệp sẽ được gửi lại từ đầu.",
                code="upload_expired",
            ) from exc

    def _send_bytes(
        self,
        state: dict[str, Any],
        record: dict[str, Any],
        open_file: Callable[[], BinaryIO],
        progress: UploadProgress | None,
    ) -> Accepted:
        upload_id, size = state["MaTaiLen"], int(record["KichThuoc"])
        offset = int(state["DaNhan"])
        resumes = 0
        finished: dict[str, Any] | None = None
        with open_file() as source:
            while offset < size:
                if progress is not None:
                    progress(offset, size)
                try:
                    answer = self._put_chunk(upload_id, source, offset, size)
                except TransientError as exc:
                    if not exc.connection or resumes >= QUICK_RESUMES:
                        raise
                    resumes += 1  # the connection broke mid-chunk: ask what arrived, go on from there
                    offset = int(self.transport.request("GET", f"/uploads/{upload_id}").json()["DaNhan"])
                    continue
                except RejectedError as exc:
                    if exc.code != "hash_mismatch":
                        raise
                    self._mismatch(exc, record, open_file)
                offset = int(answer["DaNhan"])
                if answer.get("TrangThai") == UPLOAD_DONE:  # the last chunk completed the upload
                    finished = answer
        if progress is not None:
            progress(size, size)
        if finished is not None:
            return Accepted(replayed=False, data=finished)
        return Accepted(replayed=False, data=self._complete(upload_id, record, open_file))

    def _mismatch(
        self, exc: RejectedError, record: dict[str, Any], open_file: Callable[[], BinaryIO]
    ) -> None:
        """The server's bytes do not hash to SHA256 (it starts again from 0): a passing failure, unless
        the station's own copy no longer matches (then the item is parked)."""
        with open_file() as source:
            local = _sha256(source)
        if local != record["SHA256"]:
            raise RejectedError(
                f"the station's copy of {record['TenTep']} hashes to {local}, not {record['SHA256']}",
                f"Tệp {record['TenTep']} lưu tại máy trạm đã bị hỏng (mã băm không khớp); "
                "hãy quét lại hoặc khôi phục từ bản sao lưu.",
                code="local_file_corrupted",
            ) from exc
        raise TransientError(
            exc.message_en, "Tệp tải lên bị sai lệch, sẽ gửi lại từ đầu.", code=exc.code
        ) from exc

    def _complete(
        self, upload_id: str, record: dict[str, Any], open_file: Callable[[], BinaryIO]
    ) -> dict[str, Any]:
        """Ask the server to check the SHA-256. A mismatch restarts the upload from 0 on the server:
        a passing failure, unless the station's own copy no longer matches (then the item is parked)."""
        try:
            response = self.transport.request("POST", f"/uploads/{upload_id}/complete", ok=(200, 409))
        except RejectedError as exc:
            if exc.code != "hash_mismatch":
                raise
            self._mismatch(exc, record, open_file)
        if response.status_code == 409:  # the server holds fewer bytes than we sent: go on from there
            raise TransientError(
                f"upload {upload_id} incomplete on the server",
                "Tệp chưa tải lên đủ, sẽ gửi tiếp.",
                code="incomplete",
            )
        return dict(response.json())

    def _put_chunk(self, upload_id: str, source: BinaryIO, offset: int, size: int) -> dict[str, Any]:
        """Send one chunk; the last one asks the server to complete the upload in the same request."""
        end = min(size, offset + self.chunk_size)

        def body() -> Iterator[bytes]:
            source.seek(offset)
            left = end - offset
            while left > 0:
                block = source.read(min(READ_SIZE, left))
                if not block:
                    raise OSError("the file is shorter than announced")
                left -= len(block)
                yield block

        headers = {
            "Content-Range": f"bytes {offset}-{end - 1}/{size}",
            "Content-Length": str(end - offset),
            "Content-Type": "application/octet-stream",
        }
        params = {"hoan_tat": "true"} if end == size else None
        response = self.transport.request(
            "PUT", f"/uploads/{upload_id}", content=body(), headers=headers, params=params, ok=(200, 409)
        )
        # 409: the server has a different number of bytes than we thought; it says how many (DaNhan).
        return dict(response.json())

    # -- pulled from the province ----------------------------------------------------------------
    def changes(self, cursor: int, limit: int = 100) -> ChangePage:
        body = self.transport.request("GET", "/changes", params={"since": cursor, "limit": limit}).json()
        return ChangePage(
            changes=list(body["ThayDoi"]), cursor=int(body["TiepTheo"]), more=bool(body["ConNua"])
        )

    def online_dossier(self, code: str) -> dict[str, Any]:
        """An online dossier announced on the feed: ``{"HoSo", "NguoiNop", "XacThucVNeID"}``."""
        return dict(self.transport.request("GET", f"/online-dossiers/{code}").json())

    def file_bytes(self, code: str, sha256: str) -> bytes:
        return self.transport.request("GET", f"/files/{code}/{sha256}").content

    def catalogue(self, etag: str | None = None) -> tuple[list[dict[str, Any]] | None, str | None]:
        headers = {"If-None-Match": etag} if etag else None
        response = self.transport.request("GET", "/catalogue", headers=headers, ok=(200, 304))
        if response.status_code == 304:
            return None, etag
        return list(response.json()["DanhSachTTHC"]), response.headers.get("ETag")

    def calendar(self, year: int) -> list[dict[str, Any]]:
        return list(self.transport.request("GET", f"/calendar/{year}").json()["DanhSachNgay"])

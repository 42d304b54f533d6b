"""An in-memory provincial system behind the adapter interface, with scripted failures."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, BinaryIO

from app.sync.adapter import Accepted, ChangePage, ServerTime, UploadProgress
from app.sync.errors import SyncError


class FakeProvince:
    """Implements :class:`app.sync.adapter.ProvincialAdapter`. ``script`` is a list of errors (or
    None for success) consumed by the sending calls in order; ``gate`` blocks sending until set."""

    def __init__(self) -> None:
        self.dossiers: dict[str, dict[str, Any]] = {}
        self.files: dict[tuple[str, str], bytes] = {}
        self.statuses: list[tuple[str, int, int]] = []
        self.keys: set[str] = set()
        self.script: list[SyncError | None] = []
        self.time_errors: list[SyncError] = []
        self.changes_list: list[dict[str, Any]] = []
        self.calls: list[str] = []
        self.accepted: list[str] = []  # what was taken, in order
        self.gate: threading.Event | None = None
        self.entered = threading.Event()

    def _step(self, what: str) -> None:
        self.calls.append(what)
        self.entered.set()
        if self.gate is not None:
            self.gate.wait(10)
        if self.script:
            error = self.script.pop(0)
            if error is not None:
                raise error

    def check_auth(self) -> dict[str, Any]:
        return {"MaTram": 1}

    def server_time(self) -> ServerTime:
        self.calls.append("time")
        if self.time_errors:
            raise self.time_errors.pop(0)
        return ServerTime(datetime.now(), 0.0)

    def upsert_dossier(self, record: dict[str, Any], key: str) -> Accepted:
        self._step(f"dossier {record['MaHoSo']}")
        replayed = key in self.keys
        self.keys.add(key)
        self.dossiers[record["MaHoSo"]] = dict(record)
        self.accepted.append(f"dossier {record['MaHoSo']}")
        return Accepted(replayed=replayed)

    def update_status(self, record: dict[str, Any], key: str) -> Accepted:
        self._step(f"status {record['MaHoSo']} {record['TrangThaiHoSo']}")
        if key not in self.keys:
            self.statuses.append((record["MaHoSo"], record["TrangThaiTruoc"], record["TrangThaiHoSo"]))
            self.dossiers[record["MaHoSo"]]["TrangThaiHoSo"] = record["TrangThaiHoSo"]
        self.keys.add(key)
        self.accepted.append(f"status {record['MaHoSo']}")
        return Accepted()

    def upload_file(
        self,
        record: dict[str, Any],
        key: str,
        open_file: Callable[[], BinaryIO],
        progress: UploadProgress | None = None,
    ) -> Accepted:
        self._step(f"file {record['MaHoSo']} {record['SHA256'][:8]}")
        with open_file() as f:
            data = f.read()
        assert hashlib.sha256(data).hexdigest() == record["SHA256"]
        self.files[(record["MaHoSo"], record["SHA256"])] = data
        self.accepted.append(f"file {record['MaHoSo']}")
        return Accepted()

    def changes(self, cursor: int, limit: int = 100) -> ChangePage:
        page = [c for c in self.changes_list if c["Seq"] > cursor][:limit]
        return ChangePage(page, page[-1]["Seq"] if page else cursor, False)

    def catalogue(self, etag: str | None = None) -> tuple[list[dict[str, Any]] | None, str | None]:
        return None, etag

    def calendar(self, year: int) -> list[dict[str, Any]]:
        return []

    def close(self) -> None:
        pass

"""Fault injection for tests: a seeded schedule of broken connections, errors and slowness.

``--faults "seed=7,drop=0.1,e500=0.05,e503=0.05,e429=0.05,slow=0.1,drop_upload=0.1,restart=0.01,until=30"``

Each request to ``/api/v1/...`` (admin calls excepted) draws one fault with these probabilities:

``drop``         the connection is closed without an answer, at random before the request is handled
                 or after (the change is then made but the answer lost: the idempotency test);
``drop_upload``  (chunk uploads) the connection is cut partway through the body;
``e500``, ``e503``, ``e429``  that answer (503 and 429 with ``Retry-After``: ``retry_after`` seconds,
                 as a number or as an HTTP date, alternately);
``slow``         the answer comes ``slow_seconds`` late;
``restart``      the connection is cut and the server restarts (its data persists).

``cut=0.9`` also cuts every upload of at least ``cut_min`` bytes (default 1 MiB) once, when it reaches
90 % of the file. ``until=S`` stops the random faults S seconds after the start (bounded tests).
A dropped connection is a real one: the socket is aborted (TCP reset), no HTTP answer at all.

Scripted faults (``PUT /api/v1/admin/faults`` with ``{"script": [...]}``) answer exactly the requests
a test names, before any random fault: each entry ``{"path": REGEX, "method": "GET", "status": 401,
"error": "token_revoked", "times": 1}`` answers that error (``"status": 0`` drops the connection) to
the next ``times`` requests whose path matches (``times`` -1: every one).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

_RANGE = re.compile(rb"^bytes ([0-9]+)-([0-9]+)/([0-9]+)$")
_UPLOAD_PUT = re.compile(r"^/api/v1/uploads/[0-9a-f]{32}$")
RANDOM_FAULTS = ("drop", "drop_upload", "e500", "e503", "e429", "slow", "restart")


@dataclass
class FaultSpec:
    seed: int = 0
    drop: float = 0.0
    drop_upload: float = 0.0
    e500: float = 0.0
    e503: float = 0.0
    e429: float = 0.0
    slow: float = 0.0
    restart: float = 0.0
    cut: float = 0.0
    cut_min: int = 1024 * 1024
    retry_after: float = 1.0
    slow_seconds: float = 0.5
    until: float = 0.0

    @classmethod
    def parse(cls, text: str | None) -> FaultSpec:
        spec = cls()
        types = {f.name: f.type for f in fields(cls)}
        for part in (text or "").split(","):
            if not part.strip():
                continue
            name, _, value = part.partition("=")
            name = name.strip()
            if name not in types:
                raise ValueError(f"unknown fault {name!r} (known: {', '.join(types)})")
            setattr(spec, name, int(value) if types[name] in ("int", int) else float(value))
        return spec


def abort_connection(send: Any) -> bool:
    """Reset the TCP connection under uvicorn's ``send`` (no HTTP answer at all)."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        return False
    transport.abort()
    cycle.disconnected = True  # type: ignore[union-attr]
    return True


class FaultInjector:
    """ASGI wrapper around the protocol application."""

    def __init__(
        self,
        app: Any,
        spec: FaultSpec | str | None,
        http_date: Callable[[float], str],
        on_restart: Callable[[], None] | None = None,
    ) -> None:
        self.app = app
        self.http_date = http_date
        self.on_restart = on_restart
        self.scripted: list[dict[str, Any]] = []
        self.reconfigure(spec)

    def reconfigure(self, spec: FaultSpec | str | None) -> None:
        self.spec = spec if isinstance(spec, FaultSpec) else FaultSpec.parse(spec)
        self.rng = random.Random(self.spec.seed)
        self.started = time.monotonic()
        self.cut_done: set[str] = set()
        self.counts: dict[str, int] = {}

    def script(self, entries: list[dict[str, Any]]) -> None:
        self.scripted = [dict(e) for e in entries]

    def scripted_fault(self, method: str, path: str) -> dict[str, Any] | None:
        for entry in self.scripted:
            if entry.get("times", 1) == 0:
                continue
            if entry.get("method") and entry["method"] != method:
                continue
            if not re.search(str(entry.get("path") or ""), path):
                continue
            if entry.get("times", 1) > 0:
                entry["times"] = entry.get("times", 1) - 1
            return entry
        return None

    def draw(self, method: str, path: str) -> str | None:
        if self.spec.until and time.monotonic() - self.started > self.spec.until:
            return None
        roll, edge = self.rng.random(), 0.0
        for name in RANDOM_FAULTS:
            if name == "drop_upload" and not (method == "PUT" and _UPLOAD_PUT.match(path)):
                continue
            edge += getattr(self.spec, name)
            if roll < edge:
                self.counts[name] = self.counts.get(name, 0) + 1
                return name
        return None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/v1/") or path.startswith("/api/v1/admin"):
            await self.app(scope, receive, send)
            return
        scripted = self.scripted_fault(scope["method"], path)
        if scripted is not None:
            status = int(scripted.get("status", 500))
            if status == 0:
                abort_connection(send)
                return
            await self._error(send, status, str(scripted.get("error") or ""))
            return
        fault = self.draw(scope["method"], path)
        if fault in ("e500", "e503", "e429"):
            await self._error(send, int(fault[1:]))
            return
        if fault == "slow":
            await asyncio.sleep(self.spec.slow_seconds)
        elif fault in ("drop", "restart"):
            if fault == "restart" or self.rng.random() < 0.5:
                abort_connection(send)
                if fault == "restart" and self.on_restart is not None:
                    self.on_restart()
                return
            await self.app(scope, receive, self._swallow)  # handled, then the answer is lost
            abort_connection(send)
            return
        limit = self._cut_point(scope, path, fault == "drop_upload")
        if limit is not None:
            receive = self._cutting(receive, send, limit)
        await self.app(scope, receive, send)

    @staticmethod
    async def _swallow(_message: Any) -> None:
        return None

    async def _error(self, send: Any, status: int, code: str = "") -> None:
        headers = [(b"content-type", b"application/json"), (b"date", self.http_date(0).encode())]
        if status in (429, 503):
            wait = self.spec.retry_after
            value = self.http_date(wait) if self.rng.random() < 0.5 else str(round(wait))
            headers.append((b"retry-after", value.encode()))
        body = json.dumps(
            {
                "error": code or f"injected_{status}",
                "message": f"injected fault {status}",
                "message_vi": "Lỗi giả lập để kiểm thử.",
            }
        ).encode()
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _cut_point(self, scope: dict[str, Any], path: str, random_cut: bool) -> int | None:
        """Bytes of the body to let through before the connection is cut (None: no cut)."""
        if scope["method"] != "PUT" or not _UPLOAD_PUT.match(path):
            return None
        header = dict(scope.get("headers") or []).get(b"content-range", b"")
        match = _RANGE.match(header)
        if match is None:
            return None
        start, end, total = (int(g) for g in match.groups())
        if random_cut:
            return self.rng.randint(0, end - start)
        upload_id = path.rsplit("/", 1)[-1]
        if self.spec.cut and total >= self.spec.cut_min and upload_id not in self.cut_done:
            at = int(total * self.spec.cut)
            if start <= at <= end:
                self.cut_done.add(upload_id)
                return at - start
        return None

    def _cutting(self, receive: Any, send: Any, limit: int) -> Any:
        passed = 0
        cut = False

        async def cutting_receive() -> Any:
            nonlocal passed, cut
            if cut:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] != "http.request":
                return message
            body = message.get("body", b"")
            if passed + len(body) >= limit:
                cut = True
                abort_connection(send)
                return {"type": "http.request", "body": body[: limit - passed], "more_body": True}
            passed += len(body)
            return message

        return cutting_receive

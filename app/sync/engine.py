"""Pushing the outbox: in order per dossier, each item's outcome saved right after its attempt.

The engine knows nothing of the database: it works through an :class:`OutboxStore` (implemented by
``app.services.sync_store``) and a :class:`~app.sync.adapter.ProvincialAdapter`. What happens to an
item after an attempt:

* accepted (a duplicate the server already had included) -> ``sent``;
* a passing failure -> ``failed`` with the next attempt after an exponential backoff with jitter
  (``Retry-After`` is a floor); 429 and 503 also pause the whole station for ``Retry-After``;
  when the connection itself failed the server is probed, and an unreachable server ends the run
  (offline: nothing more is tried until the next run);
* refused by the server -> ``parked`` with the reason; that dossier's later items wait behind it,
  the other dossiers go on;
* a status change the province had overtaken -> the province wins (``superseded``);
* the station token refused -> the run stops (:class:`AuthError` propagates), items untouched.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import deque
from collections.abc import Callable
from concurrent import futures
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import BinaryIO, Protocol

from app.core.clock import vn_now
from app.core.errors import MotCuaError
from app.core.outbox import OutboxItem, OutboxKind
from app.sync.adapter import Accepted, ProvincialAdapter
from app.sync.backoff import Backoff
from app.sync.errors import AuthError, ConflictError, RejectedError, TransientError, refused_reason_vi
from app.sync.vocabulary import fit_stored

log = logging.getLogger(__name__)

BATCH = 50
#: What to do about an item the station itself could not read (a missing or damaged file).
LOCAL_ADVICE_VI = (
    "Hãy kiểm tra dữ liệu của máy trạm (lệnh: motcua verify), khôi phục hoặc quét lại tệp, rồi bấm "
    "“Thử lại” trong Trung tâm đồng bộ (hoặc lệnh: motcua sync retry {item})."
)
PROBES = (0.5, 1.5, 3.0)  # waits between connectivity probes before the server counts as unreachable


class OutboxStore(Protocol):
    def ready(self, now: datetime, limit: int) -> list[OutboxItem]: ...
    def next_wake(self) -> datetime | None: ...
    def mark_sent(self, item: OutboxItem, at: datetime, accepted: Accepted) -> None: ...
    def mark_failed(
        self, item: OutboxItem, error_en: str, error_vi: str, next_attempt_at: datetime
    ) -> None: ...
    def mark_parked(self, item: OutboxItem, error_en: str, error_vi: str) -> None: ...
    def mark_superseded(self, item: OutboxItem, conflict: ConflictError, at: datetime) -> None: ...
    def open_blob(self, sha256: str) -> BinaryIO: ...


@dataclass
class PushResult:
    sent: int = 0
    failed: int = 0  # attempts that failed for a passing reason
    parked: int = 0
    superseded: int = 0
    offline: bool = False  # the run ended because the server could not be reached
    online: bool | None = None  # whether the server answered at all during the run
    server_errors: int = 0  # attempts the server answered with an error of its own (5xx, 429...)
    last_error_en: str = ""
    last_error_vi: str = ""
    sent_ids: list[int] = field(default_factory=list)


class PushEngine:
    """One push run. ``max_wait``: how long the run may sleep for backoffs before it ends (the
    background worker calls again later); ``stop`` ends the run between items."""

    def __init__(
        self,
        store: OutboxStore,
        adapter: ProvincialAdapter,
        *,
        backoff: Backoff | None = None,
        max_wait: float = 30.0,
        stop: threading.Event | None = None,
        clock: Callable[[], datetime] = vn_now,
        rng: random.Random | None = None,
        on_item: Callable[[OutboxItem, str], None] | None = None,
        probes: tuple[float, ...] = PROBES,
        parallel: int = 1,
    ) -> None:
        self.store = store
        self.adapter = adapter
        self.backoff = backoff or Backoff()
        self.max_wait = max_wait
        self.stop = stop or threading.Event()
        self.clock = clock
        self.rng = rng or random.Random()
        self.on_item = on_item
        self.probes = probes
        self.parallel = max(1, parallel)
        self.result = PushResult()
        self._waited = 0.0
        self._lock = threading.Lock()

    def _sleep(self, seconds: float) -> bool:
        """Sleep up to the run's remaining wait budget; False when the budget (or a stop) ends the run."""
        if seconds <= 0:
            return not self.stop.is_set()
        with self._lock:
            if self._waited + seconds > self.max_wait:
                return False
            self._waited += seconds
        return not self.stop.wait(seconds)

    def _add(self, name: str) -> None:
        with self._lock:
            setattr(self.result, name, getattr(self.result, name) + 1)

    def run(self) -> PushResult:
        return self._run_parallel() if self.parallel > 1 else self._run_serial()

    def _run_parallel(self) -> PushResult:
        """Up to ``parallel`` items in flight, each of another dossier (a dossier's next item is
        ready only once the one before it is done, so the order within a dossier holds). On a
        distant link the round trips of one item overlap the bytes of the others."""
        in_flight: dict[Future[bool], OutboxItem] = {}
        # Ready items not started yet, each the next one of a dossier not in flight: asked for in
        # batches (one query per batch, not per item).
        queue: deque[OutboxItem] = deque()
        ending = False
        refused: AuthError | None = None
        with ThreadPoolExecutor(self.parallel, thread_name_prefix="sync-push") as pool:
            while True:
                if not ending and not self.stop.is_set() and len(in_flight) < self.parallel:
                    if not queue:
                        busy = {item.id for item in in_flight.values()}
                        queue.extend(i for i in self.store.ready(self.clock(), BATCH) if i.id not in busy)
                    while queue and len(in_flight) < self.parallel:
                        item = queue.popleft()
                        in_flight[pool.submit(self._send, item)] = item
                if not in_flight:
                    if ending or self.stop.is_set():
                        break
                    wake = self.store.next_wake()
                    if wake is None or not self._sleep((wake - self.clock()).total_seconds() + 0.01):
                        break
                    continue
                done, _ = futures.wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    in_flight.pop(future)
                    try:
                        ending |= not future.result()
                    except AuthError as exc:  # the others finish their attempt, nothing new starts
                        refused, ending = exc, True
        if refused is not None:
            raise refused
        return self.result

    def _run_serial(self) -> PushResult:
        while not self.stop.is_set():
            items = self.store.ready(self.clock(), BATCH)
            if not items:
                wake = self.store.next_wake()
                if wake is None or not self._sleep((wake - self.clock()).total_seconds() + 0.01):
                    break
                continue
            for item in items:
                if self.stop.is_set() or not self._send(item):
                    return self.result
        return self.result

    def _send(self, item: OutboxItem) -> bool:
        """Attempt one item and save the outcome; False when the run must end (offline, stopped)."""
        try:
            accepted = self._dispatch(item)
        except TransientError as exc:
            return self._transient(item, exc)
        except RejectedError as exc:
            reason_vi = refused_reason_vi(exc, item.dossier_code, item.id)
            self._error(exc.message_en, reason_vi)
            self.store.mark_parked(item, exc.message_en, reason_vi)
            self._add("parked")
            self.result.online = True
            self._notify(item, "parked")
            return True
        except ConflictError as exc:
            self.store.mark_superseded(item, exc, self.clock())
            self._add("superseded")
            self.result.online = True
            self._notify(item, "superseded")
            return True
        except AuthError:
            raise  # the station's token, not the item: the run stops, the item stays as it is
        except (MotCuaError, OSError) as exc:  # the local side: a missing or damaged file
            vi = getattr(exc, "message_vi", None) or f"Lỗi đọc dữ liệu tại máy trạm: {exc}"
            vi = f"{vi.rstrip('.')}. {LOCAL_ADVICE_VI.format(item=item.id)}"
            self._error(f"{type(exc).__name__}: {exc}", vi)
            self.store.mark_parked(item, f"local: {type(exc).__name__}: {exc}", vi)
            self._add("parked")
            self._notify(item, "parked")
            return True
        except Exception as exc:  # an answer the adapter could not read: retried later, and logged
            log.exception("sync item %s (%s %s) failed unexpectedly", item.id, item.kind, item.dossier_code)
            return self._transient(
                item,
                TransientError(
                    f"unexpected: {type(exc).__name__}: {exc}",
                    f"Lỗi không mong đợi khi đồng bộ: {type(exc).__name__}.",
                ),
            )
        self.store.mark_sent(item, self.clock(), accepted)
        self._add("sent")
        self.result.sent_ids.append(item.id)
        self.result.online = True
        self._notify(item, "sent")
        return True

    def _dispatch(self, item: OutboxItem) -> Accepted:
        # Items queued before a limit existed are shortened now (the same record, within limits).
        item = replace(item, payload=fit_stored(item.kind, item.payload))
        if item.kind is OutboxKind.DOSSIER_UPSERT:
            return self.adapter.upsert_dossier(item.payload, item.idempotency_key)
        if item.kind is OutboxKind.STATUS_UPDATE:
            return self.adapter.update_status(item.payload, item.idempotency_key)
        if item.kind is OutboxKind.FILE_UPLOAD:
            sha256 = str(item.payload["SHA256"])
            return self.adapter.upload_file(
                item.payload, item.idempotency_key, lambda: self.store.open_blob(sha256)
            )
        raise RejectedError(
            f"unknown outbox kind {item.kind}", f"Loại mục đồng bộ không hợp lệ: {item.kind}."
        )

    def _transient(self, item: OutboxItem, exc: TransientError) -> bool:
        self._error(exc.message_en, exc.message_vi)
        delay = self.backoff.delay(item.attempts + 1, exc.retry_after, self.rng)
        self.store.mark_failed(item, exc.message_en, exc.message_vi, self.clock() + timedelta(seconds=delay))
        self._add("failed")
        if not exc.connection:
            self._add("server_errors")
        self._notify(item, "failed")
        if exc.pause_all:  # the server asked everyone to slow down
            self.result.online = True
            return self._sleep(exc.retry_after if exc.retry_after is not None else delay)
        if exc.connection:
            return self._probe()
        self.result.online = True
        return True

    def _probe(self) -> bool:
        """After a failed connection: is the server there at all? No -> the run ends (offline)."""
        for wait in self.probes:
            if not self._sleep(wait):
                return False
            try:
                self.adapter.server_time()
            except TransientError:
                continue
            self.result.online = True
            return True
        log.info("provincial server unreachable: ending the sync run")
        self.result.offline = True
        self.result.online = False
        return False

    def _error(self, en: str, vi: str) -> None:
        self.result.last_error_en, self.result.last_error_vi = en, vi

    def _notify(self, item: OutboxItem, outcome: str) -> None:
        if self.on_item is not None:
            self.on_item(item, outcome)

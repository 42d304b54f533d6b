"""One sync run with the provincial system, and how it ended.

:func:`sync_once` takes the sync lock (one job per database, all stations of an office included),
checks the server and its clock (the first request retried on a passing failure), pushes the outbox
in order, then pulls upstream changes, the catalogue and the calendar (each retried likewise).
:class:`SyncRun` says how it ended (:attr:`SyncRun.outcome`); ``last_success`` is saved only when a
run completed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.core import settings_registry as registry
from app.core.clock import vn_now, vn_today
from app.core.outbox import OutboxItem
from app.services.context import AppContext
from app.services.online.intake import fetch_online
from app.services.online.notices import send_pending
from app.services.sync.store import DbOutboxStore, pull_calendar, pull_catalogue, pull_changes
from app.store.repositories import OutboxRepository, SettingsRepository
from app.store.sync_lock import SyncLock
from app.sync.adapter import ChangePage, ProvincialAdapter, create_adapter
from app.sync.backoff import START_RETRIES, retry_transient
from app.sync.engine import PushEngine
from app.sync.errors import AuthError, NotConfiguredError, RejectedError, SyncError, TransientError
from app.sync.secrets import TokenStore

log = logging.getLogger(__name__)

SERVER_URL = registry.SYNC_SERVER_URL.key
ADAPTER = registry.SYNC_ADAPTER.key
LAST_SUCCESS = registry.SYNC_LAST_SUCCESS.key
LAST_ATTEMPT = registry.SYNC_LAST_ATTEMPT.key
LAST_ERROR = registry.SYNC_LAST_ERROR.key
LAST_ERROR_VI = registry.SYNC_LAST_ERROR_VI.key
ONLINE = registry.SYNC_ONLINE.key
CLOCK_OFFSET = registry.SYNC_CLOCK_OFFSET.key
#: Setting: beyond this many minutes between the station's clock and the server's, the officer is warned.
CLOCK_WARNING_MINUTES = registry.SYNC_CLOCK_WARNING_MINUTES.key
DEFAULT_CLOCK_WARNING_MINUTES = float(registry.SYNC_CLOCK_WARNING_MINUTES.default or 5)
#: Setting: how many outbox items (of different dossiers) are sent at once; default: the adapter's.
IN_FLIGHT = registry.SYNC_IN_FLIGHT.key
KEEP_SENT = timedelta(days=30)
LOCKED_VI = "Một máy trạm khác đang đồng bộ; lần này bỏ qua."


@dataclass(frozen=True)
class SyncRun:
    """The outcome of :func:`sync_once`."""

    sent: int = 0  # dossier, status and file operations the server accepted in this run
    received: int = 0  # upstream changes applied to this station's dossiers
    failed: int = 0  # items attempted in this run that were not delivered (failed or parked)
    parked: int = 0
    superseded: int = 0
    online_new: int = 0  # online dossiers taken in from the province in this run
    online: bool | None = None
    offline: bool = False
    locked: bool = False  # another job held the sync lock: nothing was done
    auth_error: bool = False  # the token was refused (at the start, while pushing or while pulling)
    server_error: bool = False  # the server answered, but only with errors: nothing got through
    completed: bool = False  # pushed what was ready and pulled everything (``last_success`` set)
    error: str = ""
    error_vi: str = ""
    clock_warning_vi: str = ""

    def counts(self) -> dict[str, int]:
        return {"sent": self.sent, "received": self.received, "failed": self.failed,
                "online_new": self.online_new}

    @property
    def outcome(self) -> str:
        """How the run ended: ``ok`` (completed, everything attempted delivered), ``partial``
        (completed or not, some items failed or were refused, or the pull did not finish: see the
        failed items), ``auth`` (token refused), ``offline`` (server unreachable), ``server_error``
        (the server answered only with errors) or ``locked`` (another job was syncing)."""
        if self.locked:
            return "locked"
        if self.auth_error:
            return "auth"
        if self.offline:
            return "offline"
        if self.server_error:
            return "server_error"
        return "ok" if self.completed and not self.failed else "partial"


def _now() -> datetime:
    return vn_now().replace(microsecond=0)


def clock_warning_vi(offset_seconds: float | None, limit_minutes: float) -> str:
    """The warning shown when the station's clock is more than ``limit_minutes`` off the server's."""
    if offset_seconds is None or abs(offset_seconds) <= limit_minutes * 60:
        return ""
    way = "chậm" if offset_seconds > 0 else "nhanh"
    return (
        f"Đồng hồ máy trạm lệch {abs(offset_seconds) / 60:.0f} phút so với máy chủ tỉnh ({way} hơn); "
        "hãy chỉnh lại giờ của máy (giờ Việt Nam), vì giờ tiếp nhận và ngày hẹn trả tính theo đồng hồ này."
    )


def _in_flight(ctx: AppContext, adapter: ProvincialAdapter) -> int:
    """Items sent at once: the setting, else what the adapter allows (1 for an adapter that does
    not say: a gateway may not take concurrent requests)."""
    with ctx.session() as session:
        value = SettingsRepository(session).get(IN_FLIGHT)
    try:
        return max(1, int(value)) if value else int(getattr(adapter, "in_flight", 1))
    except ValueError:
        return 1


def _clock_limit(ctx: AppContext) -> float:
    with ctx.session() as session:
        value = SettingsRepository(session).get(CLOCK_WARNING_MINUTES)
    try:
        return float(value) if value else DEFAULT_CLOCK_WARNING_MINUTES
    except ValueError:
        return DEFAULT_CLOCK_WARNING_MINUTES


def make_adapter(ctx: AppContext) -> ProvincialAdapter:
    with ctx.session() as session:
        settings = SettingsRepository(session)
        url, name = settings.get(SERVER_URL), settings.get(ADAPTER) or "reference"
    if not url:
        raise NotConfiguredError(
            "no provincial server configured: motcua sync --server URL --token TOKEN",
            "Chưa cấu hình máy chủ tỉnh (motcua sync --server ĐỊA_CHỈ --token MÃ).",
            code="no_server",
        )
    token = TokenStore(ctx.data_dir).get(url)
    if not token:
        raise NotConfiguredError(
            "no station token stored for this server",
            "Chưa có mã truy cập của trạm cho máy chủ này.",
            code="no_token",
        )
    return create_adapter(name, server_url=url, token=token)


def _save_state(ctx: AppContext, values: dict[str, str | None]) -> None:
    with ctx.session(write=True) as session:
        settings = SettingsRepository(session)
        for key, value in values.items():
            if value is None:
                settings.delete(key)
            else:
                settings.set(key, value)


# --------------------------------------------------------------------------- one run


def sync_once(
    ctx: AppContext,
    *,
    adapter: ProvincialAdapter | None = None,
    max_wait: float = 30.0,
    stop: threading.Event | None = None,
    pull: bool = True,
    on_item: Callable[[OutboxItem, str], None] | None = None,
    start_retries: tuple[float, ...] = START_RETRIES,
) -> SyncRun:
    """One sync run; at most one per database at a time (else ``locked`` and nothing done).

    Raises :class:`NotConfiguredError` without a server or token. A refused token, an unreachable
    or erroring server or a busy lock are reported in the returned :class:`SyncRun`, not raised.
    The first request and the pulls are retried after ``start_retries`` waits on a passing failure,
    like the outbox's items; ``last_success`` is saved only when the run completed.
    """
    lock = SyncLock(ctx.db)
    if not lock.acquire():
        return SyncRun(locked=True, error="another sync job is running", error_vi=LOCKED_VI)
    own = adapter is None
    try:
        if adapter is None:
            adapter = make_adapter(ctx)
        return _run(
            ctx,
            adapter,
            max_wait=max_wait,
            stop=stop,
            pull=pull,
            on_item=on_item,
            start_retries=start_retries,
        )
    finally:
        if own and adapter is not None:
            adapter.close()
        lock.release()


def _run(
    ctx: AppContext,
    adapter: ProvincialAdapter,
    *,
    max_wait: float,
    stop: threading.Event | None,
    pull: bool,
    on_item: Callable[[OutboxItem, str], None] | None,
    start_retries: tuple[float, ...],
) -> SyncRun:
    started = _now()
    state: dict[str, str | None] = {LAST_ATTEMPT: started.isoformat()}
    stop = stop or threading.Event()
    budget = _WaitBudget(max_wait, stop)

    def ended(run: SyncRun, online: bool) -> SyncRun:
        _save_state(
            ctx,
            {
                **state,
                ONLINE: "1" if online else "0",
                LAST_ERROR: run.error or None,
                LAST_ERROR_VI: run.error_vi or None,
            },
        )
        return run

    try:
        clock = retry_transient(adapter.server_time, waits=start_retries, sleep=budget.sleep)
    except AuthError as exc:
        return ended(
            SyncRun(online=True, auth_error=True, error=exc.message_en, error_vi=exc.message_vi), True
        )
    except TransientError as exc:
        if exc.connection:  # no answer at all, however often asked: offline
            return ended(
                SyncRun(online=False, offline=True, error=exc.message_en, error_vi=exc.message_vi), False
            )
        return ended(
            SyncRun(online=True, server_error=True, error=exc.message_en, error_vi=exc.message_vi), True
        )
    except SyncError as exc:  # an answer that is no protocol answer (a wrong address, a proxy page)
        return ended(
            SyncRun(online=True, server_error=True, error=exc.message_en, error_vi=exc.message_vi), True
        )
    state[CLOCK_OFFSET] = f"{clock.offset_seconds:.1f}"
    clock_warning = clock_warning_vi(clock.offset_seconds, _clock_limit(ctx))
    if clock_warning:
        log.warning("station clock differs from the server's by %.0f s", clock.offset_seconds)

    outcomes: dict[int, str] = {}

    def track(item: OutboxItem, outcome: str) -> None:
        outcomes[item.id] = outcome
        if on_item is not None:
            on_item(item, outcome)

    engine = PushEngine(
        DbOutboxStore(ctx),
        adapter,
        max_wait=max_wait,
        stop=stop,
        on_item=track,
        parallel=_in_flight(ctx, adapter),
    )
    try:
        push = engine.run()
    except AuthError as exc:
        run = SyncRun(
            sent=engine.result.sent,
            online=True,
            auth_error=True,
            error=exc.message_en,
            error_vi=exc.message_vi,
            clock_warning_vi=clock_warning,
        )
        return ended(run, True)
    failed = sum(1 for outcome in outcomes.values() if outcome in ("failed", "parked"))
    counts = {
        "sent": push.sent,
        "failed": failed,
        "parked": push.parked,
        "superseded": push.superseded,
        "clock_warning_vi": clock_warning,
    }
    if push.offline:
        run = SyncRun(
            **counts, online=False, offline=True, error=push.last_error_en, error_vi=push.last_error_vi
        )
        return ended(run, False)
    error_en, error_vi = push.last_error_en, push.last_error_vi
    received, online_new, pulled = 0, 0, not pull
    if pull:
        try:
            received, online_new = _pull(ctx, _RetryingPulls(adapter, start_retries, budget.sleep))
            pulled = True
        except AuthError as exc:  # the token refused while pulling: as refused anywhere else
            run = SyncRun(
                **counts, online=True, auth_error=True, error=exc.message_en, error_vi=exc.message_vi
            )
            return ended(run, True)
        except TransientError as exc:
            log.warning("pulling from the provincial server failed: %s", exc.message_en)
            if exc.connection:
                run = SyncRun(
                    **counts, online=False, offline=True, error=exc.message_en, error_vi=exc.message_vi
                )
                return ended(run, False)
            error_en, error_vi = exc.message_en, exc.message_vi
        except RejectedError as exc:
            log.warning("pulling from the provincial server failed: %s", exc.message_en)
            error_en, error_vi = exc.message_en, exc.message_vi
    # Nothing got through and the server answered with errors of its own: the server is erroring.
    server_error = push.sent == 0 and received == 0 and (push.server_errors > 0 or not pulled)
    completed = pulled and not server_error
    if completed:
        state[LAST_SUCCESS] = _now().isoformat()
    run = SyncRun(
        **counts,
        received=received,
        online_new=online_new,
        online=True,
        server_error=server_error,
        completed=completed,
        error=error_en,
        error_vi=error_vi,
    )
    ended(run, True)
    with ctx.session(write=True) as session:
        OutboxRepository(session).purge_sent(started - KEEP_SENT)
    send_pending(ctx)  # the notices to citizens go out with each sync (the office's SMTP server, if set)
    return run


class _WaitBudget:
    """Sleeps of one run outside the outbox (start and pull retries) share its wait budget."""

    def __init__(self, max_wait: float, stop: threading.Event) -> None:
        self.left, self.stop = max_wait, stop

    def sleep(self, seconds: float) -> bool:
        if seconds > self.left or self.stop.is_set():
            return False
        self.left -= seconds
        return not self.stop.wait(seconds)


class _RetryingPulls:
    """The adapter's pulls (changes, catalogue, calendar), each retried on a passing failure."""

    def __init__(self, adapter: ProvincialAdapter, waits: tuple[float, ...], sleep: Callable[[float], bool]):
        self.adapter, self.waits, self._sleep = adapter, waits, sleep

    def changes(self, cursor: int, limit: int = 100) -> ChangePage:
        return retry_transient(
            lambda: self.adapter.changes(cursor, limit), waits=self.waits, sleep=self._sleep
        )

    def catalogue(self, etag: str | None = None) -> tuple[list[dict[str, Any]] | None, str | None]:
        return retry_transient(lambda: self.adapter.catalogue(etag), waits=self.waits, sleep=self._sleep)

    def calendar(self, year: int) -> list[dict[str, Any]]:
        return retry_transient(lambda: self.adapter.calendar(year), waits=self.waits, sleep=self._sleep)

    def __getattr__(self, name: str) -> Any:
        """Other calls (online dossiers and their files, where the adapter has them), retried alike."""
        call = getattr(self.adapter, name)

        def retried(*args: Any) -> Any:
            return retry_transient(lambda: call(*args), waits=self.waits, sleep=self._sleep)

        return retried


def _pull(ctx: AppContext, adapter: Any) -> tuple[int, int]:
    received = pull_changes(ctx, adapter)
    pull_catalogue(ctx, adapter)  # before the online dossiers: their procedures' processing times
    online_new = fetch_online(ctx, adapter)
    today = vn_today()
    pull_calendar(ctx, adapter, [today.year, today.year + 1], today)
    return received, online_new

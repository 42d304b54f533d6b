"""Sync with the provincial system: what the UI and the CLI call.

* :func:`configure` remembers the server address (a setting) and the station token (the keyring or
  an encrypted file, never the database: :mod:`app.sync.secrets`).
* :func:`sync_once` is one run: take the sync lock (one job per database, all stations of an office
  included), check the server and its clock, push the outbox in order, then pull upstream changes,
  the catalogue and the calendar. :func:`run_worker` repeats it in the background.
* :func:`sync_state`, :func:`failed_items` and :func:`retry` feed the status bar and the sync centre;
  :func:`pending_items`, :func:`reason_vi` and :func:`dossier_sync_state` the sync centre's lists and
  the dossier detail pane.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.core.outbox import UNSENT, OutboxItem, OutboxKind, OutboxStatus
from app.services.admin.auth import Officer, Permission, require
from app.services.context import AppContext
from app.services.sync.store import DbOutboxStore, pull_calendar, pull_catalogue, pull_changes
from app.store.repositories import OutboxRepository, SettingsRepository
from app.store.sync_lock import SyncLock
from app.sync.adapter import ProvincialAdapter, create_adapter
from app.sync.engine import PushEngine
from app.sync.errors import AuthError, NotConfiguredError, RejectedError, SyncError, TransientError
from app.sync.secrets import TokenStore

log = logging.getLogger(__name__)

SERVER_URL = "sync.server_url"
ADAPTER = "sync.adapter"  # name of the adapter (default "reference")
LAST_SUCCESS = "sync.last_success"
LAST_ATTEMPT = "sync.last_attempt"
LAST_ERROR = "sync.last_error"
LAST_ERROR_VI = "sync.last_error_vi"
ONLINE = "sync.online"
CLOCK_OFFSET = "sync.clock_offset"
#: Beyond this difference between the station's clock and the server's, the officer is warned.
CLOCK_WARNING_SECONDS = 300
KEEP_SENT = timedelta(days=30)
LOCKED_VI = "Một máy trạm khác đang đồng bộ; lần này bỏ qua."


@dataclass(frozen=True)
class SyncState:
    """What the status bar shows. ``failed`` counts items that need attention (a failed attempt
    waiting for its retry, or refused by the server: ``parked``)."""

    online: bool | None
    pending: int
    failed: int
    last_success: datetime | None
    last_error_vi: str | None
    parked: int = 0
    last_error: str | None = None
    server_url: str | None = None
    clock_offset_seconds: float | None = None
    clock_warning_vi: str | None = None


@dataclass(frozen=True)
class SyncRun:
    """The outcome of :func:`sync_once`."""

    sent: int = 0  # dossier, status and file operations the server accepted in this run
    received: int = 0  # upstream changes applied to this station's dossiers
    failed: int = 0  # items attempted in this run that were not delivered (failed or parked)
    parked: int = 0
    superseded: int = 0
    online: bool | None = None
    offline: bool = False
    locked: bool = False  # another job held the sync lock: nothing was done
    auth_error: bool = False
    error: str = ""
    error_vi: str = ""

    def counts(self) -> dict[str, int]:
        return {"sent": self.sent, "received": self.received, "failed": self.failed}


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


# --------------------------------------------------------------------------- configuration


def configure(
    ctx: AppContext,
    *,
    server_url: str | None = None,
    token: str | None = None,
    adapter: str | None = None,
    officer: Officer | None = None,
) -> None:
    """Remember the server address, the adapter name and the station token (kept out of plain files).
    With ``officer`` (the UI), the officer needs the sync permission."""
    if officer is not None:
        require(officer, Permission.SYNC)
    with ctx.session(write=True) as session:
        settings = SettingsRepository(session)
        if server_url:
            settings.set(SERVER_URL, server_url.strip().rstrip("/"))
        if adapter:
            settings.set(ADAPTER, adapter)
        url = settings.get(SERVER_URL)
    if token:
        if not url:
            raise NotConfiguredError(
                "a token needs a server address", "Chưa có địa chỉ máy chủ tỉnh.", code="no_server"
            )
        TokenStore(ctx.data_dir).set(url, token.strip())


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


# --------------------------------------------------------------------------- state for the UI


def sync_state(ctx: AppContext) -> SyncState:
    with ctx.session() as session:
        counts = OutboxRepository(session).counts()
        values = SettingsRepository(session).all()
    last = values.get(LAST_SUCCESS)
    online = values.get(ONLINE)
    offset = float(values[CLOCK_OFFSET]) if values.get(CLOCK_OFFSET) else None
    warning = None
    if offset is not None and abs(offset) > CLOCK_WARNING_SECONDS:
        warning = (
            f"Đồng hồ máy trạm lệch {abs(offset) / 60:.0f} phút so với máy chủ tỉnh; "
            "hãy chỉnh lại giờ của máy."
        )
    return SyncState(
        online=None if online is None else online == "1",
        pending=counts[OutboxStatus.PENDING],
        failed=counts[OutboxStatus.FAILED] + counts[OutboxStatus.PARKED],
        parked=counts[OutboxStatus.PARKED],
        last_success=datetime.fromisoformat(last) if last else None,
        last_error=values.get(LAST_ERROR) or None,
        last_error_vi=values.get(LAST_ERROR_VI) or None,
        server_url=values.get(SERVER_URL),
        clock_offset_seconds=offset,
        clock_warning_vi=warning,
    )


def failed_items(ctx: AppContext, limit: int = 500) -> list[OutboxItem]:
    """Items whose last attempt failed (waiting for a retry) or that the server refused (parked)."""
    with ctx.session() as session:
        return OutboxRepository(session).items((OutboxStatus.PARKED, OutboxStatus.FAILED), limit)


def retry(ctx: AppContext, item_id: int, officer: Officer | None = None) -> OutboxItem:
    """Send a parked or failed item again at the next run (after the cause was fixed).
    With ``officer`` (the UI), the officer needs the sync permission."""
    if officer is not None:
        require(officer, Permission.SYNC)
    with ctx.session(write=True) as session:
        return OutboxRepository(session).retry(item_id)


def pending_items(ctx: AppContext, limit: int = 500) -> list[OutboxItem]:
    """Items waiting for their first attempt (or put back by :func:`retry`), oldest first."""
    with ctx.session() as session:
        return OutboxRepository(session).items((OutboxStatus.PENDING,), limit)


KIND_LABELS_VI: dict[OutboxKind, str] = {
    OutboxKind.DOSSIER_UPSERT: "Hồ sơ",
    OutboxKind.STATUS_UPDATE: "Trạng thái",
    OutboxKind.FILE_UPLOAD: "Tệp đính kèm",
}

#: Fallbacks when an item carries no Vietnamese reason (English fragment of ``last_error`` -> text).
_REASONS_VI: tuple[tuple[str, str], ...] = (
    ("timed out", "Hệ thống tỉnh không trả lời kịp (quá thời gian chờ)."),
    ("no connection", "Không kết nối được với hệ thống tỉnh."),
    ("token", "Mã truy cập của trạm không hợp lệ hoặc đã bị thu hồi."),
    ("unknown_procedure", "Hệ thống tỉnh không có thủ tục hành chính này trong danh mục."),
    ("hashes to", "Tệp lưu tại máy trạm đã bị hỏng (mã băm không khớp)."),
    ("local:", "Lỗi đọc dữ liệu tại máy trạm."),
    ("429", "Hệ thống tỉnh đang quá tải, sẽ gửi lại sau."),
    ("503", "Hệ thống tỉnh tạm thời không phục vụ, sẽ gửi lại sau."),
    ("500", "Hệ thống tỉnh gặp lỗi, sẽ gửi lại sau."),
)


def reason_vi(item: OutboxItem) -> str:
    """Why the item is not delivered yet, in Vietnamese, for the officer ("" when nothing failed)."""
    if item.last_error_vi:
        return item.last_error_vi
    if not item.last_error:
        return "Hệ thống tỉnh từ chối mục này." if item.status is OutboxStatus.PARKED else ""
    for fragment, text in _REASONS_VI:
        if fragment in item.last_error:
            return text
    if item.status is OutboxStatus.PARKED:
        return "Hệ thống tỉnh từ chối mục này."
    return "Gửi không thành công, sẽ gửi lại sau."


@dataclass(frozen=True)
class DossierSyncState:
    """One dossier's place in the sync, for its detail pane. ``state``: ``synced`` (every item
    delivered, the last at ``synced_at``), ``pending`` (``waiting`` items to send, none failed),
    ``failed`` (an item failed or was refused: ``reason_vi``) or ``none`` (nothing in the outbox:
    a dossier from before the sync, or delivered more than 30 days ago)."""

    state: str
    waiting: int = 0
    synced_at: datetime | None = None
    reason_vi: str = ""

    @property
    def text_vi(self) -> str:
        if self.state == "synced":
            return f"Đã đồng bộ {self.synced_at:%d/%m/%Y %H:%M}" if self.synced_at else "Đã đồng bộ"
        if self.state == "pending":
            return f"Đang chờ đồng bộ ({self.waiting})"
        if self.state == "failed":
            return f"Lỗi đồng bộ: {self.reason_vi}"
        return "Không có thay đổi chờ đồng bộ"


def dossier_sync_state(ctx: AppContext, dossier_code: str) -> DossierSyncState:
    with ctx.session() as session:
        items = OutboxRepository(session).for_dossier(dossier_code)
    unsent = [i for i in items if i.status in UNSENT]
    troubled = [i for i in unsent if i.status in (OutboxStatus.PARKED, OutboxStatus.FAILED)]
    if troubled:
        return DossierSyncState("failed", waiting=len(unsent), reason_vi=reason_vi(troubled[0]))
    if unsent:
        return DossierSyncState("pending", waiting=len(unsent))
    sent = [i.sent_at for i in items if i.sent_at is not None]
    if sent:
        return DossierSyncState("synced", synced_at=max(sent))
    return DossierSyncState("none")


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
) -> SyncRun:
    """One sync run; at most one per database at a time (else ``locked`` and nothing done).

    Raises :class:`NotConfiguredError` without a server or token. A refused token, an unreachable
    server or a busy lock are reported in the returned :class:`SyncRun`, not raised.
    """
    lock = SyncLock(ctx.db)
    if not lock.acquire():
        return SyncRun(locked=True, error="another sync job is running", error_vi=LOCKED_VI)
    own = adapter is None
    try:
        if adapter is None:
            adapter = make_adapter(ctx)
        return _run(ctx, adapter, max_wait=max_wait, stop=stop, pull=pull, on_item=on_item)
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
) -> SyncRun:
    started = _now()
    state: dict[str, str | None] = {LAST_ATTEMPT: started.isoformat()}
    try:
        clock = adapter.server_time()
    except AuthError as exc:
        _save_state(ctx, {**state, ONLINE: "1", LAST_ERROR: exc.message_en, LAST_ERROR_VI: exc.message_vi})
        return SyncRun(online=True, auth_error=True, error=exc.message_en, error_vi=exc.message_vi)
    except SyncError as exc:
        _save_state(ctx, {**state, ONLINE: "0", LAST_ERROR: exc.message_en, LAST_ERROR_VI: exc.message_vi})
        return SyncRun(online=False, offline=True, error=exc.message_en, error_vi=exc.message_vi)
    state[CLOCK_OFFSET] = f"{clock.offset_seconds:.1f}"
    if abs(clock.offset_seconds) > CLOCK_WARNING_SECONDS:
        log.warning("station clock differs from the server's by %.0f s", clock.offset_seconds)

    outcomes: dict[int, str] = {}

    def track(item: OutboxItem, outcome: str) -> None:
        outcomes[item.id] = outcome
        if on_item is not None:
            on_item(item, outcome)

    engine = PushEngine(DbOutboxStore(ctx), adapter, max_wait=max_wait, stop=stop, on_item=track)
    try:
        push = engine.run()
    except AuthError as exc:
        _save_state(ctx, {**state, ONLINE: "1", LAST_ERROR: exc.message_en, LAST_ERROR_VI: exc.message_vi})
        return SyncRun(
            sent=engine.result.sent,
            online=True,
            auth_error=True,
            error=exc.message_en,
            error_vi=exc.message_vi,
        )
    error_en, error_vi = push.last_error_en, push.last_error_vi
    received = 0
    if pull and not push.offline:
        try:
            received = _pull(ctx, adapter)
        except AuthError as exc:
            error_en, error_vi = exc.message_en, exc.message_vi
        except (TransientError, RejectedError) as exc:
            log.warning("pulling from the provincial server failed: %s", exc.message_en)
            error_en, error_vi = exc.message_en, exc.message_vi
    failed = sum(1 for outcome in outcomes.values() if outcome in ("failed", "parked"))
    state.update(
        {ONLINE: "0" if push.offline else "1", LAST_ERROR: error_en or None, LAST_ERROR_VI: error_vi or None}
    )
    if not push.offline:
        state[LAST_SUCCESS] = _now().isoformat()
    _save_state(ctx, state)
    with ctx.session(write=True) as session:
        OutboxRepository(session).purge_sent(started - KEEP_SENT)
    return SyncRun(
        sent=push.sent,
        received=received,
        failed=failed,
        parked=push.parked,
        superseded=push.superseded,
        online=push.online if push.online is not None else True,
        offline=push.offline,
        error=error_en,
        error_vi=error_vi,
    )


def _pull(ctx: AppContext, adapter: ProvincialAdapter) -> int:
    received = pull_changes(ctx, adapter)
    pull_catalogue(ctx, adapter)
    today = _now().date()
    pull_calendar(ctx, adapter, [today.year, today.year + 1], today)
    return received


# --------------------------------------------------------------------------- background


def run_worker(
    ctx: AppContext,
    stop: threading.Event,
    *,
    wake: threading.Event | None = None,
    interval: float = 60.0,
    busy_interval: float = 5.0,
    on_run: Callable[[SyncRun | None, Exception | None], Any] | None = None,
    on_item: Callable[[OutboxItem, str], None] | None = None,
    on_start: Callable[[], Any] | None = None,
) -> None:
    """Run :func:`sync_once` until ``stop`` is set: every ``interval`` seconds, sooner while items
    remain and the server answers, at once when ``wake`` is set (e.g. after a dossier is received).
    ``on_start()`` is called before each run, ``on_run(run, error)`` after it, ``on_item(item,
    outcome)`` after each item's attempt (progress). Blocks: run it on a worker thread."""
    wake = wake or threading.Event()
    while not stop.is_set():
        run: SyncRun | None = None
        error: Exception | None = None
        if on_start is not None:
            on_start()
        try:
            run = sync_once(ctx, stop=stop, max_wait=min(interval, 30.0), on_item=on_item)
        except NotConfiguredError as exc:
            error = exc
        except Exception as exc:  # keep the worker alive; the cause goes to the log and to on_run
            log.exception("sync run failed")
            error = exc
        if on_run is not None:
            on_run(run, error)
        delay = interval
        if run is not None and run.online and not run.auth_error and sync_state(ctx).pending:
            delay = busy_interval
        deadline = time.monotonic() + delay
        while not stop.is_set() and not wake.is_set() and time.monotonic() < deadline:
            wake.wait(min(0.5, max(0.0, deadline - time.monotonic())))
        wake.clear()

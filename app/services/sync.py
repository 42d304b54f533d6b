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
from datetime import datetime
from typing import Any

from app.core.errors import NotFoundError
from app.core.outbox import UNSENT, OutboxItem, OutboxKind, OutboxStatus
from app.services.auth import Officer, Permission, require
from app.services.context import AppContext
from app.services.sync_run import (  # noqa: F401 - what the UI and the CLI import from here
    ADAPTER,
    CLOCK_OFFSET,
    CLOCK_WARNING_MINUTES,
    DEFAULT_CLOCK_WARNING_MINUTES,
    LAST_ERROR,
    LAST_ERROR_VI,
    LAST_SUCCESS,
    ONLINE,
    SERVER_URL,
    SyncRun,
    clock_warning_vi,
    make_adapter,
    sync_once,
)
from app.store.repositories import DossierRepository, OutboxRepository, SettingsRepository
from app.sync.errors import NotConfiguredError
from app.sync.secrets import TokenStore
from app.sync.vocabulary import fit_stored, rebuild_record

log = logging.getLogger(__name__)


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


# --------------------------------------------------------------------------- state for the UI


def sync_state(ctx: AppContext) -> SyncState:
    with ctx.session() as session:
        counts = OutboxRepository(session).counts()
        values = SettingsRepository(session).all()
    last = values.get(LAST_SUCCESS)
    online = values.get(ONLINE)
    offset = float(values[CLOCK_OFFSET]) if values.get(CLOCK_OFFSET) else None
    try:
        limit = float(values.get(CLOCK_WARNING_MINUTES) or DEFAULT_CLOCK_WARNING_MINUTES)
    except ValueError:
        limit = DEFAULT_CLOCK_WARNING_MINUTES
    warning = clock_warning_vi(offset, limit) or None
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
        repo = OutboxRepository(session)
        item = repo.get(item_id)
        try:
            dossier = DossierRepository(session).get(item.dossier_code)
        except NotFoundError:
            dossier = None
        # From the dossier as it is now (the officer may have fixed it), not the queued snapshot.
        payload = rebuild_record(item.kind, item.payload, dossier) or fit_stored(item.kind, item.payload)
        return repo.retry(item_id, payload)


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

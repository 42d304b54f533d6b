"""What the sync centre and the dossier detail pane read: one dossier's sync state, the waiting list,
the Vietnamese reasons, and the sync permission when the UI asks (no server needed)."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest

from app.core.outbox import OutboxItem, OutboxKind, OutboxStatus
from app.services.admin.auth import Officer, PermissionDeniedError, Role
from app.services.context import AppContext
from app.services.sync.runs import (
    configure,
    dossier_sync_state,
    failed_items,
    pending_items,
    reason_vi,
    retry,
    run_worker,
)
from app.store.repositories import OutboxRepository
from tests.sync.helpers import attach, new_agency, open_station, receive

CLERK = Officer("mai", "Phạm Thị Mai", Role.CLERK)
OFFICER = Officer("hoa", "Nguyễn Thị Hoa", Role.OFFICER)


@pytest.fixture
def ctx(tmp_path: Path, catalogue_file: Path):  # type: ignore[no-untyped-def]
    context = open_station(tmp_path / "data", new_agency(), catalogue_file)
    yield context
    context.close()


def _items(ctx: AppContext, code: str) -> list[OutboxItem]:
    with ctx.session() as session:
        return OutboxRepository(session).for_dossier(code)


def test_a_dossier_goes_from_waiting_to_error_to_synced(ctx: AppContext) -> None:
    d = receive(ctx, 1)
    attach(ctx, d.code, b"scan", "scan.pdf")
    assert dossier_sync_state(ctx, d.code).text_vi == "Đang chờ đồng bộ (2)"
    assert [i.dossier_code for i in pending_items(ctx)] == [d.code, d.code]
    upsert, upload = _items(ctx, d.code)
    with ctx.session(write=True) as session:
        OutboxRepository(session).mark_parked(upsert.id, "HTTP 422 unknown_procedure", "Thủ tục X không có.")
    state = dossier_sync_state(ctx, d.code)
    assert (state.state, state.waiting, state.text_vi) == ("failed", 2, "Lỗi đồng bộ: Thủ tục X không có.")
    assert [i.id for i in pending_items(ctx)] == [upload.id]
    retry(ctx, upsert.id, OFFICER)
    assert dossier_sync_state(ctx, d.code).state == "pending"
    sent_at = [datetime(2026, 3, 2, 9, 15), datetime(2026, 3, 2, 9, 16)]
    with ctx.session(write=True) as session:
        repo = OutboxRepository(session)
        repo.mark_sent(upsert.id, sent_at[0])
        repo.mark_sent(upload.id, sent_at[1])
    state = dossier_sync_state(ctx, d.code)
    assert (state.state, state.synced_at) == ("synced", sent_at[1])
    assert state.text_vi == "Đã đồng bộ 02/03/2026 09:16"
    assert dossier_sync_state(ctx, "KHONG-CO").text_vi == "Không có thay đổi chờ đồng bộ"


def test_reasons_are_vietnamese_even_without_a_stored_translation() -> None:
    def item(status: OutboxStatus, en: str, vi: str = "") -> OutboxItem:
        return OutboxItem(1, "X", OutboxKind.DOSSIER_UPSERT, "k", {}, status, 1, datetime(2026, 1, 1),
                          last_error=en, last_error_vi=vi)

    assert reason_vi(item(OutboxStatus.FAILED, "GET /time: no connection", "Mất kết nối.")) == "Mất kết nối."
    assert reason_vi(item(OutboxStatus.FAILED, "GET /time: no connection (ConnectError)")) == (
        "Không kết nối được với hệ thống tỉnh.")
    assert "quá thời gian chờ" in reason_vi(item(OutboxStatus.FAILED, "PUT /x: timed out"))
    assert "danh mục" in reason_vi(item(OutboxStatus.PARKED, "HTTP 422 unknown_procedure"))
    assert reason_vi(item(OutboxStatus.PARKED, "HTTP 400 odd")) == "Hệ thống tỉnh từ chối mục này."
    assert reason_vi(item(OutboxStatus.PENDING, "")) == ""


def test_the_ui_needs_the_sync_permission(ctx: AppContext) -> None:
    d = receive(ctx, 1)
    (item,) = _items(ctx, d.code)
    with ctx.session(write=True) as session:
        OutboxRepository(session).mark_parked(item.id, "refused", "Bị từ chối.")
    with pytest.raises(PermissionDeniedError):
        retry(ctx, item.id, CLERK)
    with pytest.raises(PermissionDeniedError):
        configure(ctx, server_url="http://127.0.0.1:9", officer=CLERK)
    assert [i.status for i in failed_items(ctx)] == [OutboxStatus.PARKED]
    configure(ctx, server_url="http://127.0.0.1:9/", officer=OFFICER)
    assert retry(ctx, item.id, OFFICER).status is OutboxStatus.PENDING


def test_the_worker_reports_each_run_start(ctx: AppContext) -> None:
    """Without a server the worker's run fails as "not configured"; ``on_start`` comes before it."""
    stop, events = threading.Event(), []

    def on_run(run, error):  # type: ignore[no-untyped-def]
        events.append(("run", type(error).__name__))
        stop.set()

    run_worker(ctx, stop, on_start=lambda: events.append(("start", "")), on_run=on_run)
    assert events == [("start", ""), ("run", "NotConfiguredError")]

"""The push engine and one sync run against an in-memory province: order, backoff, Retry-After,
offline detection, refused items, refused tokens, the pull and the conflict rule."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.core.dossier import DossierStatus
from app.core.outbox import OutboxStatus
from app.services.admin.auth import SYSTEM_OFFICER
from app.services.context import AppContext
from app.services.reception import handover
from app.services.reception.dossiers import get_dossier
from app.services.sync.runs import failed_items, retry, sync_once, sync_state
from app.services.sync.store import DbOutboxStore
from app.store.repositories import OutboxRepository, RemoteDossierRepository
from app.sync.backoff import Backoff
from app.sync.engine import PushEngine
from app.sync.errors import AuthError, ConflictError, RejectedError, TransientError
from app.sync.merge import SUPERSEDED_NOTE
from tests.sync.fakes import FakeProvince
from tests.sync.helpers import attach, open_station, receive
from tests.timing import budget

FAST = Backoff(base=0.05, cap=0.2)


@pytest.fixture
def ctx(tmp_path: Path, catalogue_file: Path):
    context = open_station(tmp_path / "data", "000.00.12.H29", catalogue_file)
    yield context
    context.close()


def push(ctx: AppContext, province: FakeProvince, max_wait: float = 5.0) -> PushEngine:
    engine = PushEngine(DbOutboxStore(ctx), province, backoff=FAST, max_wait=max_wait)
    engine.run()
    return engine


def unsent(ctx: AppContext) -> dict[OutboxStatus, int]:
    with ctx.session() as session:
        return OutboxRepository(session).counts()


def test_items_go_in_order_per_dossier_and_transient_failures_are_retried(ctx):
    a, b = receive(ctx, 1), receive(ctx, 2)
    attach(ctx, a.code, b"scan-a", "a.pdf", component=0)
    handover.mark_done(ctx, b.code, SYSTEM_OFFICER)
    province = FakeProvince()
    province.script = [
        TransientError("HTTP 500", "lỗi", status=500),
        None,
        None,
        TransientError("timeout", "quá giờ", connection=True),
    ]
    engine = push(ctx, province)
    assert engine.result.sent == 4 and engine.result.failed == 2
    for code, expected in ((a.code, ["dossier", "file"]), (b.code, ["dossier", "status"])):
        assert [c.split()[0] for c in province.accepted if c.endswith(code)] == expected
    assert province.statuses == [(b.code, 2, 9)]
    assert list(province.files.values()) == [b"scan-a"]
    assert unsent(ctx)[OutboxStatus.SENT] == 4


def test_retry_after_pauses_the_station(ctx):
    receive(ctx, 1)
    province = FakeProvince()
    province.script = [TransientError("HTTP 429", "quá tải", status=429, retry_after=0.6, pause_all=True)]
    started = time.monotonic()
    engine = push(ctx, province)
    assert engine.result.sent == 1 and time.monotonic() - started >= 0.6


def test_an_unreachable_server_ends_the_run_as_offline(ctx):
    receive(ctx, 1)
    province = FakeProvince()
    down = TransientError("connect refused", "không kết nối", connection=True)
    province.script = [down]
    province.time_errors = [down, down, down]
    engine = PushEngine(DbOutboxStore(ctx), province, backoff=FAST, max_wait=120, probes=(0.05, 0.1))
    started = time.monotonic()
    result = engine.run()
    # offline after the two short probes, long before the two-minute wait
    assert result.offline and result.online is False and time.monotonic() - started < min(budget(3), 60)
    assert unsent(ctx)[OutboxStatus.FAILED] == 1


def test_a_refused_item_is_parked_and_the_rest_flows(ctx):
    bad, good = receive(ctx, 1), receive(ctx, 2)
    attach(ctx, bad.code, b"scan", "x.pdf")
    province = FakeProvince()
    province.script = [
        RejectedError("HTTP 422 unknown_procedure", "Thủ tục không có trong danh mục", status=422)
    ]
    run = sync_once(ctx, adapter=province)
    assert run.counts() == {"sent": 1, "received": 0, "failed": 1, "online_new": 0}
    assert good.code in province.dossiers and bad.code not in province.dossiers
    parked = failed_items(ctx)
    assert [(i.dossier_code, i.status) for i in parked] == [(bad.code, OutboxStatus.PARKED)]
    assert "danh mục" in parked[0].last_error_vi
    state = sync_state(ctx)
    assert (state.pending, state.failed, state.parked) == (1, 1, 1)  # the file waits behind its dossier
    retry(ctx, parked[0].id)
    assert sync_once(ctx, adapter=province).sent == 2
    assert sync_state(ctx).pending == sync_state(ctx).failed == 0


def test_a_refused_token_stops_the_run_and_leaves_items_alone(ctx):
    receive(ctx, 1)
    province = FakeProvince()
    province.time_errors = [
        AuthError("HTTP 401 token_expired", "Mã truy cập của trạm đã hết hạn.", status=401)
    ]
    run = sync_once(ctx, adapter=province)
    assert run.auth_error and "hết hạn" in run.error_vi and run.sent == 0
    with ctx.session() as session:
        (item,) = OutboxRepository(session).items([OutboxStatus.PENDING])
    assert item.attempts == 0
    assert sync_state(ctx).last_error_vi == "Mã truy cập của trạm đã hết hạn."


def test_upstream_changes_are_applied_once(ctx):
    d = receive(ctx, 1)
    province = FakeProvince()
    sync_once(ctx, adapter=province)
    province.changes_list = [
        {
            "Seq": 1,
            "MaHoSo": d.code,
            "Loai": "TrangThai",
            "ThoiDiem": "20260302100000",
            "NguoiXuLy": "Chuyên viên",
            "NoiDung": "Chuyển xử lý",
            "TrangThaiHoSo": 4,
        },
        {
            "Seq": 2,
            "MaHoSo": d.code,
            "Loai": "BoSung",
            "ThoiDiem": "20260302110000",
            "TrangThaiHoSo": 5,
            "HoSoBoSung": {
                "HoSoBoSungId": "b1",
                "NoiDungBoSung": "Thiếu giấy chứng sinh",
                "NgayBoSung": "20260302110000",
                "DanhSachGiayToBoSung": ["Giấy chứng sinh"],
            },
        },
        {
            "Seq": 3,
            "MaHoSo": d.code,
            "Loai": "KetQua",
            "ThoiDiem": "20260303090000",
            "TrangThaiHoSo": 9,
            "DanhSachGiayToKetQua": [{"TenGiayTo": "Giấy khai sinh", "GiayToId": "kq1"}],
        },
        {
            "Seq": 4,
            "MaHoSo": "OTHER-260302-0001",
            "Loai": "TrangThai",
            "ThoiDiem": "20260302100000",
            "TrangThaiHoSo": 4,
        },
    ]
    assert sync_once(ctx, adapter=province).received == 3
    local = get_dossier(ctx, d.code)
    assert local.status is DossierStatus.DONE
    assert [s.reason for s in local.supplements] == ["Thiếu giấy chứng sinh"]
    assert [h.status for h in local.history] == [2, 4, 5, 9]
    with ctx.session() as session:
        remote = RemoteDossierRepository(session).get(d.code)
    assert (
        remote["results"] == [{"TenGiayTo": "Giấy khai sinh", "GiayToId": "kq1"}] and remote["last_seq"] == 3
    )
    assert sync_once(ctx, adapter=province).received == 0  # the cursor moved on


def test_the_province_wins_a_status_conflict(ctx):
    d = receive(ctx, 1)
    province = FakeProvince()
    sync_once(ctx, adapter=province)
    handover.mark_done(ctx, d.code, SYSTEM_OFFICER)  # the counter: 2 -> 9, not yet sent
    # meanwhile upstream asked for a supplement (5); the server refuses 2 -> 9 with its state
    province.script = [
        ConflictError(
            "HTTP 409 conflict",
            "Hệ thống tỉnh đã chuyển hồ sơ sang trạng thái 5.",
            current={"TrangThaiHoSo": 5, "NgayCapNhat": "20260302110000"},
        )
    ]
    province.changes_list = [
        {"Seq": 1, "MaHoSo": d.code, "Loai": "TrangThai", "ThoiDiem": "20260302110000", "TrangThaiHoSo": 5}
    ]
    run = sync_once(ctx, adapter=province)
    assert (run.superseded, run.sent, run.failed) == (1, 0, 0)
    local = get_dossier(ctx, d.code)
    assert local.status is DossierStatus.SUPPLEMENT_REQUESTED
    assert local.history[-1].note.startswith(SUPERSEDED_NOTE)
    with ctx.session() as session:
        (item,) = OutboxRepository(session).items([OutboxStatus.SUPERSEDED])
    assert item.payload["TrangThaiHoSo"] == 9
    assert sync_state(ctx).pending == 0


def test_pull_leaves_the_status_alone_while_a_local_change_waits(ctx):
    d = receive(ctx, 1)
    province = FakeProvince()
    sync_once(ctx, adapter=province)
    handover.mark_done(ctx, d.code, SYSTEM_OFFICER)
    province.changes_list = [
        {"Seq": 1, "MaHoSo": d.code, "Loai": "TrangThai", "ThoiDiem": "20260302110000", "TrangThaiHoSo": 4}
    ]
    # push refused for a passing reason: the status change still waits when the feed says 4
    province.script = [TransientError("HTTP 500", "lỗi", status=500)]
    PushEngine(DbOutboxStore(ctx), province, backoff=Backoff(base=60), max_wait=0).run()
    from app.services.sync.store import pull_changes

    assert pull_changes(ctx, province) == 1
    assert get_dossier(ctx, d.code).status is DossierStatus.DONE  # decided by the server when it is sent

"""The client against the reference server over real HTTP on loopback (server in a subprocess)."""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from app.cli import main as motcua
from app.core.dossier import DossierStatus
from app.core.outbox import OutboxStatus
from app.services.admin.auth import SYSTEM_OFFICER
from app.services.context import AppContext
from app.services.reception import handover
from app.services.reception.calendar import work_calendar
from app.services.reception.catalogue import get_procedure
from app.services.reception.dossiers import get_dossier
from app.services.sync.runs import configure, failed_items, retry, sync_once, sync_state
from app.store.repositories import OutboxRepository, RemoteDossierRepository
from app.sync.reference import ReferenceAdapter
from tests.sync.helpers import (
    PROCEDURES,
    Server,
    attach,
    catalogue_records,
    new_agency,
    open_station,
    receive,
    running_server,
    server_files,
)
from tests.timing import budget

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("province") / "data") as s:
        yield s


@dataclass
class Station:
    ctx: AppContext
    agency: str
    id: int
    token: str


@pytest.fixture
def station(server: Server, tmp_path: Path, catalogue_file: Path):
    agency = new_agency()
    station_id, token = server.station(agency)
    ctx = open_station(tmp_path / "data", agency, catalogue_file)
    configure(ctx, server_url=server.url, token=token)
    yield Station(ctx, agency, station_id, token)
    ctx.close()


def ours(server: Server, agency: str) -> dict[str, dict]:
    return {d["MaHoSo"]: d for d in server.admin("GET", "/dossiers") if d["MaHoSo"].startswith(agency)}


def test_dossiers_files_and_statuses_reach_the_province(server: Server, station: Station):
    ctx = station.ctx
    rng = random.Random(5)
    a, b = receive(ctx, 1), receive(ctx, 2)
    files = {a.code: [rng.randbytes(3000), rng.randbytes(70_000)], b.code: [rng.randbytes(10)]}
    for code, blobs in files.items():
        for i, data in enumerate(blobs):
            attach(ctx, code, data, f"scan-{i}.pdf", component=i)
    handover.mark_done(ctx, b.code, SYSTEM_OFFICER)
    handover.return_result(ctx, b.code, "Nguyễn Văn Thử 2", SYSTEM_OFFICER)

    run = sync_once(ctx)
    assert run.counts() == {"sent": 7, "received": 0, "failed": 0, "online_new": 0}
    held = ours(server, station.agency)
    assert set(held) == {a.code, b.code}
    assert (held[a.code]["TrangThaiHoSo"], held[b.code]["TrangThaiHoSo"]) == (2, 10)
    assert held[b.code]["ThongTinTra"] == "Nguyễn Văn Thử 2"
    assert [(s["from_status"], s["to_status"]) for s in held[b.code]["_status_log"]] == [(2, 9), (9, 10)]
    got = server_files(server)
    for code, blobs in files.items():
        assert got[code] == {hashlib.sha256(x).hexdigest(): x for x in blobs}
    assert [t["TepDinhKemId"] for t in held[a.code]["TaiLieuNop"] if t["TepDinhKemId"]]
    state = sync_state(ctx)
    assert (state.pending, state.failed, state.online) == (0, 0, True) and state.last_success
    assert abs(state.clock_offset_seconds) < 5 and state.clock_warning_vi is None
    assert sync_once(ctx).counts() == {"sent": 0, "received": 0, "failed": 0, "online_new": 0}


def test_a_retry_after_a_lost_answer_creates_no_duplicate(server: Server, station: Station):
    d = receive(station.ctx, 1)
    with station.ctx.session() as session:
        (item,) = OutboxRepository(session).for_dossier(d.code)
    client = ReferenceAdapter(server.url, station.token)
    try:
        first = client.upsert_dossier(item.payload, item.idempotency_key)
        again = client.upsert_dossier(item.payload, item.idempotency_key)
    finally:
        client.close()
    assert first.data["TaoMoi"] and not first.replayed
    assert again.replayed and again.data == first.data
    assert sync_once(station.ctx).sent == 1  # the outbox's own attempt is a duplicate: counted as sent
    assert ours(server, station.agency)[d.code]["PhienBan"] == 1


def test_upstream_changes_come_back(server: Server, station: Station):
    ctx = station.ctx
    d = receive(ctx, 1)
    sync_once(ctx)
    server.admin("POST", f"/dossiers/{d.code}/status", json={"TrangThaiHoSo": 4, "NoiDung": "Chuyển phòng"})
    server.admin(
        "POST",
        f"/dossiers/{d.code}/supplement",
        json={"NoiDungBoSung": "Thiếu bản sao CCCD", "DanhSachGiayToBoSung": ["Bản sao CCCD"]},
    )
    server.admin("POST", f"/dossiers/{d.code}/due", json={"NgayHenTra": "20991231170000"})
    server.admin(
        "POST",
        f"/dossiers/{d.code}/result",
        json={
            "DanhSachGiayToKetQua": [
                {"TenGiayTo": "Giấy khai sinh", "GiayToId": "KQ-1", "MaGiayToKetQua": "KQ.001"}
            ]
        },
    )
    assert sync_once(ctx).received == 4
    local = get_dossier(ctx, d.code)
    assert local.status is DossierStatus.DONE
    assert [int(h.status) for h in local.history] == [2, 4, 5, 9]
    assert [s.reason for s in local.supplements] == ["Thiếu bản sao CCCD"]
    assert local.due_at == datetime(2099, 12, 31, 17, 0)
    with ctx.session() as session:
        assert RemoteDossierRepository(session).get(d.code)["results"][0]["GiayToId"] == "KQ-1"
    # the counter hands the result over: 9 -> 10 reaches the province
    handover.return_result(ctx, d.code, "Nguyễn Văn Thử", SYSTEM_OFFICER)
    assert sync_once(ctx).counts() == {"sent": 1, "received": 0, "failed": 0, "online_new": 0}
    assert ours(server, station.agency)[d.code]["TrangThaiHoSo"] == 10


def test_the_province_wins_when_both_sides_changed_the_status(server: Server, station: Station):
    ctx = station.ctx
    d = receive(ctx, 1)
    sync_once(ctx)
    server.admin("POST", f"/dossiers/{d.code}/supplement", json={"NoiDungBoSung": "Thiếu giấy"})  # -> 5
    handover.mark_done(ctx, d.code, SYSTEM_OFFICER)  # offline meanwhile: 2 -> 9
    run = sync_once(ctx)
    assert (run.superseded, run.sent, run.failed) == (1, 0, 0)
    assert get_dossier(ctx, d.code).status is DossierStatus.SUPPLEMENT_REQUESTED
    held = ours(server, station.agency)[d.code]
    assert held["TrangThaiHoSo"] == 5 and held["_status_log"] == [
        {"from_status": 2, "to_status": 5, "source": "province"}
    ]
    assert sync_state(ctx).pending == 0


def test_a_refused_dossier_is_parked_and_the_rest_flows(server: Server, station: Station):
    ctx = station.ctx
    server.admin("PUT", "/catalogue", json={"DanhSachTTHC": catalogue_records(PROCEDURES[:1])})
    try:
        bad = receive(ctx, 1, PROCEDURES[1])  # not in the province's catalogue
        attach(ctx, bad.code, b"scan of the refused dossier", "x.pdf")
        good = receive(ctx, 2)
        run = sync_once(ctx)
        assert run.counts() == {"sent": 1, "received": 0, "failed": 1, "online_new": 0}
        assert set(ours(server, station.agency)) == {good.code}
        (parked,) = failed_items(ctx)
        assert parked.dossier_code == bad.code and parked.status is OutboxStatus.PARKED
        assert "unknown_procedure" in parked.last_error and PROCEDURES[1] in parked.last_error_vi
        assert (sync_state(ctx).pending, sync_state(ctx).failed) == (1, 1)
        server.admin("PUT", "/catalogue", json={"DanhSachTTHC": catalogue_records()})
        retry(ctx, parked.id)
        assert sync_once(ctx).counts() == {"sent": 2, "received": 0, "failed": 0, "online_new": 0}
        assert set(ours(server, station.agency)) == {good.code, bad.code}
    finally:
        server.admin("PUT", "/catalogue", json={"DanhSachTTHC": []})


def test_catalogue_and_calendar_come_down(server: Server, station: Station):
    ctx = station.ctx
    records = catalogue_records()
    records[0]["TenTTHC"] = "Đăng ký khai sinh (tên mới của tỉnh)"
    year = datetime.now().year
    from app.services.reception.calendar import set_day

    set_day(ctx, datetime(year, 10, 6).date(), "off", "nghỉ của xã")  # the administrator's own day
    server.admin("PUT", "/catalogue", json={"DanhSachTTHC": records})
    server.admin(
        "PUT",
        f"/calendar/{year}",
        json={
            "DanhSachNgay": [
                {"Ngay": f"{year}1005", "Loai": "Nghi", "GhiChu": "Nghỉ của tỉnh"},
                {"Ngay": f"{year}1006", "Loai": "LamViec", "GhiChu": "tỉnh cho làm"},
            ]
        },
    )
    try:
        sync_once(ctx)
        assert get_procedure(ctx, records[0]["MaTTHC"]).name == "Đăng ký khai sinh (tên mới của tỉnh)"
        notes = {o.day.day: o.note for o in work_calendar(ctx).overrides}
        assert notes[5] == "[Tỉnh] Nghỉ của tỉnh" and notes[6] == "nghỉ của xã"
    finally:
        server.admin("PUT", "/catalogue", json={"DanhSachTTHC": []})
        server.admin("PUT", f"/calendar/{year}", json={"DanhSachNgay": []})


def test_expired_or_revoked_token(server: Server, station: Station, capsys):
    ctx = station.ctx
    receive(ctx, 1)
    server.admin("POST", f"/stations/{station.id}/expire")
    run = sync_once(ctx)
    assert run.auth_error and "hết hạn" in run.error_vi and run.sent == 0
    assert sync_state(ctx).pending == 1
    args = ["--data-dir", str(ctx.data_dir), "sync", "--once"]
    assert motcua(args) == 1
    assert "Lỗi: Mã truy cập của trạm đã hết hạn" in capsys.readouterr().err
    _, token = server.station(station.agency, "quầy 1 (mã mới)")
    configure(ctx, token=token)
    server.admin("POST", f"/stations/{station.id}/revoke")  # the old one is revoked too: no effect now
    assert sync_once(ctx).sent == 1
    with ctx.session() as session:
        assert not OutboxRepository(session).items([OutboxStatus.PENDING, OutboxStatus.FAILED])


def test_cli_remembers_the_server_and_keeps_the_token_out_of_plain_files(
    server: Server, tmp_path, catalogue_file, capsys
):
    import json

    agency = new_agency()
    _, token = server.station(agency)
    ctx = open_station(tmp_path / "cli", agency, catalogue_file)
    receive(ctx, 1)
    ctx.close()
    base = ["--data-dir", str(tmp_path / "cli")]
    assert motcua([*base, "sync", "--once", "--server", server.url, "--token", token, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"sent": 1, "received": 0, "failed": 0, "online_new": 0}
    assert motcua([*base, "sync", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert set(status) == {"pending", "failed", "last_success"} and (status["pending"], status["failed"]) == (
        0,
        0,
    )
    assert datetime.strptime(status["last_success"], "%Y-%m-%d %H:%M")
    for path in (tmp_path / "cli").rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path


def test_server_clock_skew(tmp_path, catalogue_file):
    faults = "seed=3,e503=0.25,e429=0.25,retry_after=1,until=3"
    with running_server(tmp_path / "skewed", clock_skew=7200, faults=faults) as skewed:
        agency = new_agency()
        _, token = skewed.station(agency)
        ctx = open_station(tmp_path / "data", agency, catalogue_file)
        try:
            configure(ctx, server_url=skewed.url, token=token)
            for n in range(4):
                receive(ctx, n)
            started = time.monotonic()
            total = 0
            limit = min(budget(40), 1800)  # a Retry-After read on the station's clock would be 2 hours
            while sync_state(ctx).pending + sync_state(ctx).failed and time.monotonic() - started < limit:
                total += sync_once(ctx).sent
            assert (
                total == 4 and time.monotonic() - started < limit
            )  # Retry-After dates read on the server's clock
            state = sync_state(ctx)
            assert state.clock_offset_seconds == pytest.approx(7200, abs=30)
            assert "lệch 120 phút" in state.clock_warning_vi
        finally:
            ctx.close()


def test_a_big_upload_cut_at_90_percent_resumes_there(tmp_path, catalogue_file):
    with running_server(tmp_path / "cut", faults="cut=0.9") as cut:
        agency = new_agency()
        _, token = cut.station(agency)
        ctx = open_station(tmp_path / "data", agency, catalogue_file)
        try:
            configure(ctx, server_url=cut.url, token=token)
            d = receive(ctx, 1)
            data = random.Random(9).randbytes(5 * 1024 * 1024 + 123)
            attach(ctx, d.code, data, "big.pdf")
            assert sync_once(ctx).counts() == {"sent": 2, "received": 0, "failed": 0, "online_new": 0}
            (upload,) = cut.admin("GET", "/stats")["uploads"]
            assert upload["starts"] == [0, int(len(data) * 0.9)]  # resumed from what the server held
            assert upload["written_total"] == len(data) and upload["state"] == "hoan_tat"
            assert server_files(cut)[d.code] == {hashlib.sha256(data).hexdigest(): data}
        finally:
            ctx.close()


def test_a_damaged_local_file_is_parked_not_sent_forever(server: Server, station: Station):
    ctx = station.ctx
    d = receive(ctx, 1)
    attachment = attach(ctx, d.code, b"the scan as it was stored", "trang-1.pdf")
    path = ctx.db.blobs.path_of(attachment.sha256)
    path.chmod(0o644)
    path.write_bytes(b"the scan after a disk error")  # same content address, other bytes
    run = sync_once(ctx)
    assert run.counts() == {"sent": 1, "received": 0, "failed": 1, "online_new": 0}
    (parked,) = failed_items(ctx)
    assert "local_file_corrupted" in parked.last_error or "hashes to" in parked.last_error
    assert "bị hỏng" in parked.last_error_vi
    assert server_files(server)[d.code] == {}

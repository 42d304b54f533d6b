"""The transactional outbox on SQLite and PostgreSQL: written with the change, ordered per dossier,
one sync job at a time, and every station of a shared database sees the result."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.core.outbox import OutboxKind, OutboxStatus
from app.services import reception
from app.services.auth import SYSTEM_OFFICER
from app.services.context import AppContext
from app.services.sync import sync_once, sync_state
from app.store.database import Database
from app.store.repositories import AuditRepository, OutboxRepository
from app.store.sync_lock import SyncLock
from tests.sync.fakes import FakeProvince
from tests.sync.helpers import receive

NOW = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def station(db: Database, catalogue_file: Path) -> AppContext:
    return _ctx(db, catalogue_file)


def _ctx(db: Database, catalogue_file: Path) -> AppContext:
    from app.services.setup import init

    ctx = AppContext(db, db.data_dir)
    init(ctx, now=NOW, catalogue_path=catalogue_file)
    return ctx


def test_a_received_dossier_and_its_item_are_one_transaction(station: AppContext, monkeypatch):
    dossier = receive(station, 1)
    with station.session() as session:
        items = OutboxRepository(session).for_dossier(dossier.code)
    assert [(i.kind, i.status, i.payload["MaHoSo"]) for i in items] == [
        (OutboxKind.DOSSIER_UPSERT, OutboxStatus.PENDING, dossier.code)
    ]
    assert items[0].payload["TrangThaiHoSo"] == 2 and len(items[0].idempotency_key) == 36

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(AuditRepository, "append", broken)
    with pytest.raises(RuntimeError):
        receive(station, 2)
    with station.session() as session:
        assert OutboxRepository(session).counts()[OutboxStatus.PENDING] == 1  # nothing of the failed one


def test_status_changes_are_queued_in_order(station: AppContext):
    dossier = receive(station, 1)
    reception.mark_done(station, dossier.code, SYSTEM_OFFICER)
    reception.return_result(station, dossier.code, "Nguyễn Văn Thử", SYSTEM_OFFICER)
    with station.session() as session:
        items = OutboxRepository(session).for_dossier(dossier.code)
    assert [i.kind for i in items] == [
        OutboxKind.DOSSIER_UPSERT,
        OutboxKind.STATUS_UPDATE,
        OutboxKind.STATUS_UPDATE,
    ]
    assert [(i.payload["TrangThaiTruoc"], i.payload["TrangThaiHoSo"]) for i in items[1:]] == [(2, 9), (9, 10)]
    assert items[2].payload["ThongTinTra"] == "Nguyễn Văn Thử" and items[2].payload["NgayTra"]


def test_ready_gives_each_dossier_its_next_item_only(station: AppContext):
    with station.session(write=True) as session:
        repo = OutboxRepository(session)
        a1 = repo.add("A", OutboxKind.DOSSIER_UPSERT, {"n": 1})
        b1 = repo.add("B", OutboxKind.DOSSIER_UPSERT, {"n": 2})
        a2 = repo.add("A", OutboxKind.FILE_UPLOAD, {"n": 3})
        c1 = repo.add("C", OutboxKind.DOSSIER_UPSERT, {"n": 4})
    with station.session(write=True) as session:
        repo = OutboxRepository(session)
        assert [i.id for i in repo.ready(NOW)] == [a1, b1, c1]
        repo.mark_sent(a1, NOW)
        repo.mark_parked(b1, "HTTP 422 unknown_procedure", "Thủ tục không có trong danh mục")
        repo.mark_failed(c1, "HTTP 503", "quá tải", NOW + timedelta(seconds=30))
        assert [i.id for i in repo.ready(NOW)] == [a2]
        assert repo.next_wake() == NOW + timedelta(seconds=30)
        assert [i.id for i in repo.ready(NOW + timedelta(seconds=31))] == [a2, c1]
        b2 = repo.add("B", OutboxKind.STATUS_UPDATE, {"n": 5})
        assert b2 not in [i.id for i in repo.ready(NOW + timedelta(minutes=5))]  # waits behind the parked one
        assert repo.retry(b1).status is OutboxStatus.PENDING
        assert b1 in [i.id for i in repo.ready(NOW)]
        counts = repo.counts()
        assert (counts[OutboxStatus.SENT], counts[OutboxStatus.FAILED], counts[OutboxStatus.PENDING]) == (
            1,
            1,
            3,
        )
        assert repo.purge_sent(NOW + timedelta(seconds=1)) == 1


def test_one_sync_job_at_a_time_and_every_station_sees_the_result(
    db: Database, catalogue_file: Path, tmp_path
):
    first = _ctx(db, catalogue_file)
    other = AppContext(Database.open(db.url, tmp_path / "station2"), tmp_path / "station2")
    try:
        with SyncLock(first.db) as held, SyncLock(other.db) as other_held:
            assert held and not other_held
        receive(first, 1)
        province = FakeProvince()
        province.gate = threading.Event()
        results = {}
        worker = threading.Thread(
            target=lambda: results.setdefault("run", sync_once(first, adapter=province))
        )
        worker.start()
        assert province.entered.wait(10)  # the first station is sending
        busy = sync_once(other, adapter=FakeProvince())
        assert busy.locked and not busy.sent
        province.gate.set()
        worker.join(20)
        assert results["run"].sent == 1
        state = sync_state(other)
        assert (state.pending, state.failed, state.online) == (0, 0, True)
        assert state.last_success is not None
    finally:
        other.close()

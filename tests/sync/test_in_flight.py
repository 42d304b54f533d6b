"""Several outbox items in flight: items of different dossiers overlap, a dossier's own items still
go one after another in the order they were written, and a refused token stops new items."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from app.core.outbox import OutboxStatus
from app.services.sync_store import DbOutboxStore
from app.store.repositories import OutboxRepository
from app.sync.engine import PushEngine
from app.sync.errors import AuthError
from tests.sync.fakes import FakeProvince
from tests.sync.helpers import attach, open_station, receive


class SlowProvince(FakeProvince):
    """Every sending call takes ``delay`` seconds (a distant link); records when each ran."""

    def __init__(self, delay: float, refuse_after: int | None = None) -> None:
        super().__init__()
        self.delay, self.refuse_after = delay, refuse_after
        self.lock = threading.Lock()
        self.spans: list[tuple[str, str, float, float]] = []  # (dossier, what, start, end)
        self.running = self.most = 0

    def _step(self, what: str) -> None:
        with self.lock:
            if self.refuse_after is not None and len(self.spans) >= self.refuse_after:
                raise AuthError("HTTP 401 token_revoked", "Mã truy cập đã bị thu hồi.", status=401)
            self.running += 1
            self.most = max(self.most, self.running)
        start = time.monotonic()
        time.sleep(self.delay)
        with self.lock:
            self.running -= 1
            self.spans.append((what.split()[1], what, start, time.monotonic()))
            self.calls.append(what)


@pytest.fixture
def ctx(tmp_path: Path, catalogue_file: Path):
    context = open_station(tmp_path / "data", "000.00.12.H29", catalogue_file)
    yield context
    context.close()


def _queue(ctx: Any, dossiers: int, files: int) -> list[str]:
    codes = [receive(ctx, n).code for n in range(dossiers)]
    for code in codes:
        for i in range(files):
            attach(ctx, code, f"{code} trang {i}".encode(), f"trang-{i}.pdf")
    return codes


def test_items_of_different_dossiers_overlap_and_each_dossier_keeps_its_order(ctx):
    codes = _queue(ctx, dossiers=8, files=2)
    province = SlowProvince(delay=0.05)
    started = time.monotonic()
    result = PushEngine(DbOutboxStore(ctx), province, parallel=6).run()
    elapsed = time.monotonic() - started
    assert result.sent == 8 * 3 and province.most > 1
    serial = 8 * 3 * 0.05
    assert elapsed < serial  # overlapped (a generous bound on a loaded machine)
    for code in codes:
        mine = [span for span in province.spans if span[0] == code]
        assert [s[1].split()[0] for s in mine] == ["dossier", "file", "file"]
        for before, after in itertools.pairwise(mine):
            assert before[3] <= after[2]  # one after another, never two of a dossier at once
    with ctx.session() as session:
        assert OutboxRepository(session).counts()[OutboxStatus.SENT] == 24


def test_a_refused_token_stops_new_items_and_leaves_the_rest(ctx):
    _queue(ctx, dossiers=8, files=1)
    province = SlowProvince(delay=0.02, refuse_after=3)
    engine = PushEngine(DbOutboxStore(ctx), province, parallel=4)
    with pytest.raises(AuthError):
        engine.run()
    with ctx.session() as session:
        counts = OutboxRepository(session).counts()
    assert counts[OutboxStatus.SENT] == engine.result.sent >= 3
    assert counts[OutboxStatus.PENDING] == 16 - engine.result.sent  # untouched, sent at the next run
    assert counts[OutboxStatus.FAILED] == counts[OutboxStatus.PARKED] == 0


def test_a_file_missing_at_the_station_is_parked_with_what_to_do(ctx):
    from app.services.sync import failed_items, sync_once

    d = receive(ctx, 1)
    attachment = attach(ctx, d.code, b"the scan", "trang-1.pdf")
    ctx.db.blobs.path_of(attachment.sha256).unlink()  # lost from the disk
    run = sync_once(ctx, adapter=FakeProvince())
    assert (run.sent, run.parked, run.outcome) == (1, 1, "partial")
    (parked,) = failed_items(ctx)
    assert parked.status is OutboxStatus.PARKED and parked.last_error.startswith("local:")
    assert "motcua verify" in parked.last_error_vi
    assert f"motcua sync retry {parked.id}" in parked.last_error_vi

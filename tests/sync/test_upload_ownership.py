"""Uploads belong to the agency's dossier, not to a token: a new token of the same station goes on
with a half-sent file; unfinished uploads expire on the server with their bytes; the server's
``verify`` reports orphans."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.outbox import OutboxStatus
from app.services.context import AppContext
from app.services.sync import configure, sync_once
from app.store.repositories import OutboxRepository
from tests.sync.helpers import (
    ROOT,
    Server,
    attach,
    new_agency,
    open_station,
    receive,
    running_server,
    server_files,
)

pytestmark = pytest.mark.slow
SIZE = 3 * 1024 * 1024 + 17
#: Every upload of at least 1 MB is cut once at half its size, and asking the server how far it got
#: fails: the attempt ends with half the file on the server (as if the station had been switched off).
HALF_SENT = "cut=0.5,cut_min=1000000"
NO_RESUME = [{"path": "^/api/v1/uploads/[0-9a-f]{32}$", "method": "GET", "status": 0, "times": -1}]


def half_send(server: Server, ctx: AppContext) -> tuple[str, bytes, str]:
    """A dossier synced, its big file half on the server; returns (dossier code, bytes, upload id)."""
    d = receive(ctx, 1)
    data = random.Random(3).randbytes(SIZE)
    sha256 = attach(ctx, d.code, data, "ho-so-day.pdf").sha256
    server.faults(HALF_SENT, NO_RESUME)
    run = sync_once(ctx, max_wait=0)  # no time to wait for the retry
    server.faults("")
    assert run.sent == 1 and run.failed == 1
    (upload,) = server.admin("GET", "/stats", params={"sha256": sha256})["uploads"]
    assert upload["state"] == "dang_tai" and upload["received"] == SIZE // 2
    return d.code, data, upload["id"]


def test_a_new_token_of_the_station_resumes_the_half_sent_file(tmp_path: Path, catalogue_file: Path):
    with running_server(tmp_path / "province") as server:
        agency = new_agency()
        old_id, old_token = server.station(agency)
        ctx = open_station(tmp_path / "data", agency, catalogue_file)
        try:
            configure(ctx, server_url=server.url, token=old_token)
            code, data, upload_id = half_send(server, ctx)
            # The old token expires; the province issues a new one for the same counter.
            server.admin("POST", f"/stations/{old_id}/revoke")
            _, new_token = server.station(agency, "quầy 1 (mã mới)")
            configure(ctx, token=new_token)
            run = sync_once(ctx, max_wait=10)
            assert run.outcome == "ok" and run.sent == 1
            (upload,) = server.admin("GET", "/stats")["uploads"]
            assert upload["id"] == upload_id and upload["state"] == "hoan_tat"
            assert upload["starts"] == [0, SIZE // 2]  # went on where it stopped, not from 0
            assert upload["written_total"] == SIZE  # no byte sent twice
            assert list(server_files(server)[code].values()) == [data]
        finally:
            ctx.close()


def verify(data: Path, *args: str) -> tuple[int, dict]:
    done = subprocess.run(
        [sys.executable, "-m", "provincial_server", "verify", "--data", str(data), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)


def test_unfinished_uploads_expire_with_their_bytes_and_verify_reports_orphans(
    tmp_path: Path, catalogue_file: Path
):
    expiry = ("--upload-expiry-hours", "0.001")  # 3.6 s
    with running_server(tmp_path / "province", extra=expiry) as server:
        agency = new_agency()
        _, token = server.station(agency)
        ctx = open_station(tmp_path / "data", agency, catalogue_file)
        try:
            configure(ctx, server_url=server.url, token=token)
            code, data, upload_id = half_send(server, ctx)
            part = server.data / "uploads" / f"{upload_id}.part"
            assert part.stat().st_size == SIZE // 2
            status, report = verify(server.data, *expiry)
            assert status == 0 and report["ok"] and report["unfinished_uploads"] == 1
            # Bytes nobody accounts for: a part file without an upload, a file without a dossier.
            (server.data / "uploads" / "0123.part").write_bytes(b"stray")
            (server.data / "files" / ("ab" * 32)).write_bytes(b"stray")
            time.sleep(4)
            status, report = verify(server.data, *expiry)
            assert status == 1 and not report["ok"]
            assert report["orphan_parts"] == ["uploads/0123.part"]
            assert report["orphan_files"] == [f"files/{'ab' * 32}"]
            assert report["expired_uploads"] == [upload_id]
            # The next announcement sweeps the expired upload away; the station sends the file anew.
            run = sync_once(ctx, max_wait=10)
            assert run.outcome == "ok" and run.sent == 1
            assert not part.exists()
            (upload,) = server.admin("GET", "/stats")["uploads"]
            assert upload["id"] != upload_id and upload["starts"] == [0] and upload["state"] == "hoan_tat"
            assert list(server_files(server)[code].values()) == [data]
            with ctx.session() as session:
                assert not OutboxRepository(session).items([OutboxStatus.FAILED, OutboxStatus.PENDING])
            status, report = verify(server.data, *expiry)
            assert report["expired_uploads"] == [] and report["unfinished_uploads"] == 0
        finally:
            ctx.close()

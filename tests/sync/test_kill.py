"""Faults injected at random (a seeded schedule, bounded in time) and the client killed with SIGKILL
at random points, then restarted: after recovery the province holds exactly the station's dossiers,
statuses and files, byte for byte, with no duplicates, and the outbox is empty."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.outbox import OutboxStatus
from app.services import reception
from app.services.auth import SYSTEM_OFFICER
from app.services.dossiers import get_dossier
from app.services.sync import configure
from app.store.repositories import OutboxRepository
from app.sync.secrets import ENV_BACKEND, ENV_SECRET_DIR
from tests.sync.helpers import ROOT, attach, new_agency, open_station, receive, running_server, server_files
from tests.timing import budget, paced

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="SIGKILL")]

SEED = int(os.environ.get("MOTCUA_SYNC_KILL_SEED", "20261122"))  # another seed: another schedule
FAULTS = (
    f"seed={SEED % 1000},drop=0.08,drop_upload=0.15,e500=0.04,e503=0.04,e429=0.04,slow=0.05,restart=0.01,"
    "retry_after=1,slow_seconds=0.3,until=25,cut=0.9"
)
DOSSIERS, SMALL_FILES, BIG = 20, 40, 5 * 1024 * 1024
KILLS = int(os.environ.get("MOTCUA_SYNC_KILLS", "6"))
DEADLINE = budget(150)  # seconds for the whole recovery


def unsent(ctx) -> int:
    with ctx.session() as session:
        counts = OutboxRepository(session).counts()
    return counts[OutboxStatus.PENDING] + counts[OutboxStatus.FAILED] + counts[OutboxStatus.PARKED]


def test_faults_and_kills_end_with_exactly_the_stations_data(tmp_path: Path, catalogue_file: Path):
    rng = random.Random(SEED)
    with running_server(tmp_path / "province", faults=FAULTS) as server:
        agency = new_agency()
        _, token = server.station(agency)
        ctx = open_station(tmp_path / "station", agency, catalogue_file)
        try:
            configure(ctx, server_url=server.url, token=token)
            codes = [receive(ctx, n).code for n in range(DOSSIERS)]
            expected: dict[str, dict[str, bytes]] = {code: {} for code in codes}
            for i in range(SMALL_FILES):
                data = rng.randbytes(rng.randint(1, 60_000))
                code = codes[i % DOSSIERS]
                expected[code][attach(ctx, code, data, f"trang-{i}.pdf", component=i % 3).sha256] = data
            big = rng.randbytes(BIG)
            expected[codes[0]][attach(ctx, codes[0], big, "ho-so-day.pdf").sha256] = big
            for code in codes[:5]:
                reception.mark_done(ctx, code, SYSTEM_OFFICER)
            for code in codes[5:10]:
                reception.mark_done(ctx, code, SYSTEM_OFFICER)
                reception.return_result(ctx, code, "Người nhận", SYSTEM_OFFICER)
            with ctx.session() as session:
                items = OutboxRepository(session).items(list(OutboxStatus), limit=10_000)
            status_items = sum(1 for i in items if i.kind == "status.update")

            env = {
                **os.environ,
                ENV_BACKEND: "file",
                ENV_SECRET_DIR: os.environ[ENV_SECRET_DIR],
                "PYTHONPATH": str(ROOT),
            }
            command = [
                sys.executable,
                "-m",
                "app.cli",
                "--data-dir",
                str(ctx.data_dir),
                "sync",
                "--once",
                "--json",
            ]
            started = time.monotonic()
            for _ in range(KILLS):  # killed at random points: start-up, sending, mid-upload
                child = subprocess.Popen(
                    command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
                time.sleep(paced(rng.uniform(0.4, 2.5)))  # the same point of the work under load
                if child.poll() is None:
                    child.send_signal(signal.SIGKILL)
                child.wait(10)
            runs = 0
            while unsent(ctx) and time.monotonic() - started < DEADLINE:
                subprocess.run(
                    command,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    timeout=DEADLINE,
                    check=False,
                )
                runs += 1
            assert unsent(ctx) == 0, f"outbox not empty after {runs} runs"

            held = {
                d["MaHoSo"]: d for d in server.admin("GET", "/dossiers") if d["MaHoSo"].startswith(agency)
            }
            assert sorted(held) == sorted(codes)
            for code in codes:
                assert held[code]["TrangThaiHoSo"] == int(get_dossier(ctx, code).status)
            assert {
                code: files for code, files in server_files(server).items() if code in expected
            } == expected
            station_updates = [s for d in held.values() for s in d["_status_log"] if s["source"] == "station"]
            assert len(station_updates) == status_items  # each status change applied exactly once
            stats = server.admin("GET", "/stats")
            uploads = [u for u in stats["uploads"] if u["ma_ho_so"] in expected]
            assert len(uploads) == SMALL_FILES + 1 and all(u["state"] == "hoan_tat" for u in uploads)
            assert all(u["written_total"] == u["size"] for u in uploads)  # no byte stored twice
            (big_upload,) = [u for u in uploads if u["size"] == BIG]
            assert int(BIG * 0.9) in big_upload["starts"]  # resumed at 90 %, not from 0
            print(
                f"kill test: {runs} clean runs after {KILLS} kills, {stats['replays']} idempotent replays, "
                f"{time.monotonic() - started:.0f} s"
            )
        finally:
            ctx.close()

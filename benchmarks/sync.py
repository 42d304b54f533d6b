"""Sync throughput, memory and resume against the reference server on loopback.

Full: 2,000 dossiers, 10,000 generated scans (~2 GB, incompressible like JPEG pages) plus one
200 MB file; quick: 100 dossiers, 500 scans (~100 MB) plus one 100 MB file. Measured:

* throughput of ``motcua sync --once`` (a child process) against a raw upload of the same bytes by
  a bare HTTP client (same server, same protocol, no outbox, no database);
* the sync process's peak memory (it must stay flat whatever the file sizes: files are streamed);
* after a SIGKILL mid-run, how long the restarted station takes to send again, and how many bytes
  the server received twice (resumed uploads start where the server stopped).

Goals: throughput >= 70 % of the raw upload; peak memory <= 200 MB; back to sending <= 5 s after
the restart; nothing received twice.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from benchmarks.common import Report
from tests.sync.helpers import ROOT, attach, new_agency, open_station, receive, small_catalogue, start_server

FULL = {"dossiers": 2000, "files": 10_000, "mean_size": 200_000, "big": 200 * 1024 * 1024}
QUICK = {"dossiers": 100, "files": 500, "mean_size": 200_000, "big": 100 * 1024 * 1024}


def _prepare(ctx, scale: dict, seed: int) -> tuple[list[str], int]:
    import random

    rng = random.Random(seed)
    codes = [receive(ctx, n).code for n in range(scale["dossiers"])]
    total = 0
    for i in range(scale["files"]):
        data = rng.randbytes(rng.randint(scale["mean_size"] // 2, scale["mean_size"] * 3 // 2))
        attach(ctx, codes[i % len(codes)], data, f"trang-{i}.jpg")
        total += len(data)
    return codes, total


#: Runs ``motcua`` and appends its peak resident memory (VmHWM, kB, reset at exec unlike
#: ``ru_maxrss``, which a child inherits from this big parent) to the file ``$MOTCUA_BENCH_HWM``.
_WRAPPER = (
    "import os, sys\n"
    "from app.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')]\n"
    "open(os.environ['MOTCUA_BENCH_HWM'], 'a').write(f'{hwm[0]}\\n')\n"
    "sys.exit(code)\n"
)


def _sync_command(data_dir: Path) -> list[str]:
    return [sys.executable, "-c", _WRAPPER, "--data-dir", str(data_dir), "sync", "--once", "--json"]


def _peak_mb(env: dict) -> float:
    path = Path(env["MOTCUA_BENCH_HWM"])
    return (
        max((int(x) for x in path.read_text().split()), default=0) / 1024 if path.exists() else float("nan")
    )


def _upload_of(server, sha256: str) -> dict | None:
    uploads = server.admin("GET", "/stats", params={"sha256": sha256})["uploads"]
    return uploads[0] if uploads else None


def _kill_and_resume(server, ctx, env: dict, size: int, report: Report) -> tuple[float | None, int, float]:
    """A file of ``size`` bytes: the station is killed at about 30 %, restarted; returns (seconds to send
    again after the restart, bytes the server received twice, the restarted run's peak memory MB)."""
    from app.services.dossiers import get_dossier

    code = receive(ctx, 10**6 - 1).code
    sha256 = attach(ctx, code, os.urandom(size), "ho-so-day.pdf").sha256
    child = subprocess.Popen(_sync_command(ctx.data_dir), env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        upload = _upload_of(server, sha256)
        if upload is not None and upload["received"] >= 0.3 * size:
            break
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    time.sleep(0.3)  # the server notices the broken connection
    at_kill = _upload_of(server, sha256)["received"]
    restarted = time.perf_counter()
    child = subprocess.Popen(_sync_command(ctx.data_dir), env=env, stdout=subprocess.DEVNULL)
    resume = None
    while child.poll() is None:
        if resume is None and _upload_of(server, sha256)["received"] > at_kill:
            resume = time.perf_counter() - restarted
        time.sleep(0.1)
    upload = _upload_of(server, sha256)
    resumed_at = min((s for s in upload["starts"] if s >= at_kill), default=0)
    report.add(
        f"{size / 2**20:.0f} MB file: killed at {at_kill / size:.0%} (what the server held), "
        f"the restarted station resumed at {resumed_at / size:.0%}"
    )
    assert get_dossier(ctx, code)
    return resume, upload["written_total"] - size, _peak_mb(env)


def _raw_upload(server, ctx, codes: list[str]) -> float:
    """The same files uploaded by a bare client to another agency's dossiers; seconds taken."""
    from app.services.dossiers import get_dossier
    from app.store.repositories import OutboxRepository
    from app.sync.vocabulary import dossier_record

    agency = new_agency()
    _, token = server.station(agency)
    headers = {"Authorization": f"Bearer {token}"}
    api = f"{server.url}/api/v1"
    with ctx.session() as session:
        files = [
            (i.dossier_code, i.payload)
            for i in OutboxRepository(session).items(["sent"], limit=10**6)
            if i.kind == "file.upload"
        ]
    started = time.perf_counter()
    with httpx.Client(timeout=60) as client:
        raw_codes = {}
        for code in codes:
            record = dossier_record(get_dossier(ctx, code))
            record["MaHoSo"] = raw_codes[code] = f"{agency}-{code.rsplit('-', 2)[1]}-{code.rsplit('-', 1)[1]}"
            client.put(
                f"{api}/dossiers/{record['MaHoSo']}",
                json=record,
                headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
            ).raise_for_status()
        for code, payload in files:
            info = {**payload, "MaHoSo": raw_codes[code]}
            upload = client.post(
                f"{api}/uploads", json=info, headers={**headers, "Idempotency-Key": str(uuid.uuid4())}
            )
            upload_id, size = upload.json()["MaTaiLen"], info["KichThuoc"]
            with ctx.db.blobs.open(info["SHA256"], verify=False) as blob:  # sealed at rest: decrypted
                data = blob.read()
            client.put(
                f"{api}/uploads/{upload_id}",
                content=data,
                headers={**headers, "Content-Range": f"bytes 0-{size - 1}/{size}"},
            ).raise_for_status()
            client.post(f"{api}/uploads/{upload_id}/complete", headers=headers).raise_for_status()
    return time.perf_counter() - started


def run(quick: bool) -> Report:
    report = Report("sync")
    scale = QUICK if quick else FULL
    root = Path(tempfile.mkdtemp(prefix="motcua-sync-bench-"))
    env = {
        **os.environ,
        "MOTCUA_SYNC_SECRETS": "file",
        "MOTCUA_SECRET_DIR": str(root / "secret"),
        "PYTHONPATH": str(ROOT),
        "MOTCUA_BENCH_HWM": str(root / "hwm.txt"),
    }
    os.environ.update({k: env[k] for k in ("MOTCUA_SYNC_SECRETS", "MOTCUA_SECRET_DIR")})
    server = start_server(root / "province")
    try:
        from app.services.sync import configure, sync_state

        agency = new_agency()
        _, token = server.station(agency)
        ctx = open_station(root / "station", agency, small_catalogue(root))
        configure(ctx, server_url=server.url, token=token)
        started = time.perf_counter()
        codes, total = _prepare(ctx, scale, seed=11)
        report.add(
            f"prepared {len(codes):,} dossiers, {scale['files']:,} files, {total / 1e6:,.0f} MB "
            f"in {time.perf_counter() - started:.0f} s"
        )

        sync_started = time.perf_counter()
        subprocess.run(_sync_command(ctx.data_dir), env=env, stdout=subprocess.DEVNULL, check=True)
        elapsed = time.perf_counter() - sync_started
        state = sync_state(ctx)
        report.add(
            f"sync: {elapsed:.1f} s, {total / elapsed / 1e6:.1f} MB/s, {len(codes) / elapsed:.0f} "
            f"dossiers/s; left: {state.pending + state.failed} items"
        )
        raw = _raw_upload(server, ctx, codes)
        report.add(f"raw upload of the same bytes: {raw:.1f} s, {total / raw / 1e6:.1f} MB/s")
        resume, twice, peak_mb = _kill_and_resume(server, ctx, env, scale["big"], report)
        report.add(f"sync process peak memory: {peak_mb:.0f} MB; bytes received twice: {twice:,}")
        report.add(
            f"back to sending {resume if resume is not None else float('nan'):.2f} s after the restart"
        )
        state = sync_state(ctx)
        report.goal("throughput >= 70 % of a raw upload", raw / elapsed >= 0.7)
        report.goal("peak memory <= 200 MB", peak_mb <= 200)
        report.goal("sending again <= 5 s after a kill", resume is not None and resume <= 5)
        report.goal("nothing received twice, outbox empty", twice == 0 and state.pending + state.failed == 0)
        ctx.close()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    return report

"""Sync over a slow, distant link: one busy counter-day through a shaped loopback link.

The reference server sits behind :class:`benchmarks.shaped_link.ShapedLink` (latency each way and a
bandwidth limit shared by all connections). Links: 100 ms each way at 8 Mbit/s (a commune far from
the provincial data centre) and 20 ms at 100 Mbit/s. Data: full, 200 dossiers, 1,000 incompressible
files, 500 MB; ``--quick``, 20 dossiers, 100 files, 50 MB. ``motcua sync --once`` (a child process)
is compared with the time the same bytes take through the same link in one TCP stream; the time is
the run's, from the moment the interpreter is up (its start, seconds on a loaded machine, is shown
beside it).

Goals: within 1.25 times the one-stream time on both links; the sync process's peak memory under
300 MB. ``MOTCUA_BENCH_IN_FLIGHT=1,6,12`` (default 12) measures several settings of
``sync.in_flight`` (items sent at once) on each link.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Report
from benchmarks.shaped_link import ShapedLink, Sink, one_stream_seconds
from benchmarks.sync import _peak_mb, _prepare
from tests.sync.helpers import ROOT, new_agency, open_station, small_catalogue, start_server

FULL = {"dossiers": 200, "files": 1000, "mean_size": 500_000}
QUICK = {"dossiers": 20, "files": 100, "mean_size": 500_000}
#: ``motcua sync --once --json`` in a child process that also writes its peak memory (VmHWM) and how
#: long the run took once the interpreter was up (the interpreter's start is no work of the link's).
_WRAPPER = (
    "import os, sys, time\n"
    "started = time.perf_counter()\n"
    "from app.cli import main\n"
    "imported = time.perf_counter()\n"
    "code = main(sys.argv[1:])\n"
    "done = time.perf_counter()\n"
    "hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')]\n"
    "open(os.environ['MOTCUA_BENCH_HWM'], 'a').write(f'{hwm[0]}\\n')\n"
    "open(os.environ['MOTCUA_BENCH_RUN'], 'w').write(f'{imported - started} {done - imported}')\n"
    "sys.exit(code)\n"
)


def _sync_command(data_dir: Path) -> list[str]:
    return [sys.executable, "-c", _WRAPPER, "--data-dir", str(data_dir), "sync", "--once", "--json"]
LINKS = (("100 ms, 8 Mbit/s", 0.100, 8e6 / 8), ("20 ms, 100 Mbit/s", 0.020, 100e6 / 8))
GOAL_RATIO, GOAL_MB = 1.25, 300


def _reset_outbox(ctx) -> None:
    """Every item unsent again (the next server is a fresh one: it has none of them)."""
    from sqlalchemy import update

    from app.store.models_sync import OutboxRow

    with ctx.session(write=True) as session:
        session.execute(
            update(OutboxRow).values(status="pending", attempts=0, sent_at=None, next_attempt_at=None)
        )


def _one_link(root: Path, ctx, env: dict, name: str, latency: float, bandwidth: float, in_flight: str,
              report: Report) -> tuple[float, float]:
    from app.services.sync import configure, sync_state
    from app.store.repositories import SettingsRepository

    server = start_server(root / f"province-{latency}-{in_flight}")
    try:
        _, token = server.station(ctx.settings().agency_code)
        with ShapedLink(server.port, latency=latency, bandwidth=bandwidth) as link:
            configure(ctx, server_url=f"http://127.0.0.1:{link.port}", token=token)
            with ctx.session(write=True) as session:
                SettingsRepository(session).set("sync.in_flight", in_flight)
            _reset_outbox(ctx)
            Path(env["MOTCUA_BENCH_HWM"]).unlink(missing_ok=True)
            started = time.perf_counter()
            done = subprocess.run(_sync_command(ctx.data_dir), env=env, capture_output=True, text=True)
            wall = time.perf_counter() - started
        state = sync_state(ctx)
        left = state.pending + state.failed
        peak = _peak_mb(env)
        start_up, elapsed = (float(x) for x in Path(env["MOTCUA_BENCH_RUN"]).read_text().split())
        report.add(
            f"{name}, {in_flight} in flight: sync run {elapsed:.1f} s (process {wall:.1f} s, of which "
            f"{start_up:.1f} s importing); exit {done.returncode}, {left} items left; peak memory "
            f"{peak:.0f} MB"
        )
        return (elapsed if left == 0 and done.returncode == 0 else float("inf")), peak
    finally:
        server.stop()


def run(quick: bool) -> Report:
    report = Report("link")
    scale = QUICK if quick else FULL
    settings = os.environ.get("MOTCUA_BENCH_IN_FLIGHT", "12").split(",")
    root = Path(tempfile.mkdtemp(prefix="motcua-link-bench-"))
    env = {
        **os.environ,
        "MOTCUA_SYNC_SECRETS": "file",
        "MOTCUA_SECRET_DIR": str(root / "secret"),
        "PYTHONPATH": str(ROOT),
        "MOTCUA_BENCH_HWM": str(root / "hwm.txt"),
        "MOTCUA_BENCH_RUN": str(root / "run.txt"),
    }
    os.environ.update({k: env[k] for k in ("MOTCUA_SYNC_SECRETS", "MOTCUA_SECRET_DIR")})
    sink = Sink()
    try:
        ctx = open_station(root / "station", new_agency(), small_catalogue(root))
        started = time.perf_counter()
        codes, total = _prepare(ctx, scale, seed=19)
        report.add(
            f"one counter-day: {len(codes):,} dossiers, {scale['files']:,} files, {total / 1e6:,.0f} MB "
            f"(prepared in {time.perf_counter() - started:.0f} s); load {os.getloadavg()[0]:.1f}"
        )
        for name, latency, bandwidth in LINKS:
            with ShapedLink(sink.port, latency=latency, bandwidth=bandwidth) as link:
                floor = one_stream_seconds(link, total, sink.port)
            report.add(f"{name}: the same bytes in one stream {floor:.1f} s")
            best, peaks = float("inf"), []
            for in_flight in settings:
                elapsed, peak = _one_link(root, ctx, env, name, latency, bandwidth, in_flight, report)
                report.add(f"{name}, {in_flight} in flight: {elapsed / floor:.2f} x the one-stream time")
                best, peaks = min(best, elapsed), [*peaks, peak]
            report.goal(f"{name}: within {GOAL_RATIO} x one stream", best / floor <= GOAL_RATIO)
            report.goal(f"{name}: peak memory < {GOAL_MB} MB", max(peaks) < GOAL_MB)
        ctx.close()
    finally:
        sink.close()
        shutil.rmtree(root, ignore_errors=True)
    return report

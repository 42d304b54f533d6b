"""Supervisors' reports over one year of dossiers, on SQLite and PostgreSQL: the dashboard's figures
(``motcua report`` for the year and for a month) and the register streamed to CSV, xlsx and PDF.

Goals: the figures of a year of 1M dossiers under 2 s; the register written in bounded memory (the
peak memory of a child process that writes a month and one that writes a quarter stay close:
streaming, not loading). ``--quick``: 100k dossiers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import text as sql_text

from app.core.catalogue import load_catalogue
from app.store.database import Database
from app.store.repositories import DossierRepository
from benchmarks.common import DATA_ROOT, Report, median, timed_ms

NOW = datetime(2026, 11, 20, 16, 30)
YEAR = (date(2025, 11, 21), date(2026, 11, 20))
MONTH = (date(2026, 10, 1), date(2026, 10, 31))
QUARTER = (date(2026, 8, 1), date(2026, 10, 31))
GOAL_FIGURES_S = 2.0

_CHILD = """
import json, resource, sys, time
from datetime import date
from pathlib import Path
from tests.keyring_backend import install_for_session
install_for_session()
from app.services.auth import SYSTEM_OFFICER
from app.services.context import AppContext
from app.services.reports import register
from app.services.reports.indicators import Period
url, folder, first, last, out = sys.argv[1:6]
with AppContext.open(folder, url or None, migrate=False) as ctx:
    started = time.perf_counter()
    period = Period(date.fromisoformat(first), date.fromisoformat(last))
    written = register.export(ctx, SYSTEM_OFFICER, period, Path(out))
    seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "rows": written.rows, "pages": written.pages,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _fill(db: Database, rows: int) -> None:
    from app.core.demo import generate_dossiers

    with db.session() as session:
        have = DossierRepository(session).count()
    if have >= rows:
        return
    print(f"  building {rows:,} dossiers with their history (once)…", flush=True)
    started = time.perf_counter()
    stream = generate_dossiers(rows - have, seed=rows + 17, procedures=load_catalogue(), now=NOW, days=365)
    with db.session() as session:
        DossierRepository(session).add_many(stream)
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)


def _register(url: str, folder: Path, period: tuple[date, date], out: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", _CHILD, url, str(folder), period[0].isoformat(),
                             period[1].isoformat(), str(out)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def _measure(name: str, db: Database, url: str, folder: Path, rows: int, report: Report) -> None:
    from app.services.auth import SYSTEM_OFFICER
    from app.services.context import AppContext
    from app.services.reports import indicators
    from app.services.reports.indicators import Period

    ctx = AppContext(db, folder)
    year = Period(*YEAR)
    month = Period(*MONTH)
    figures = indicators.compute(ctx, SYSTEM_OFFICER, year)
    year_ms = timed_ms(lambda: indicators.compute(ctx, SYSTEM_OFFICER, year), 3)
    month_ms = timed_ms(lambda: indicators.compute(ctx, SYSTEM_OFFICER, month), 3)
    report.add(f"{name} {rows:,}: figures of the year ({figures.received:,} received, "
               f"{figures.ratios['on_time'].den:,} finished) median {median(year_ms):.0f} ms; "
               f"of a month {median(month_ms):.0f} ms")
    if rows >= 1_000_000:
        report.goal(f"{name}: figures of a year of 1M dossiers < {GOAL_FIGURES_S:.0f} s",
                    median(year_ms) / 1000 < GOAL_FIGURES_S)
    out = DATA_ROOT / "reports-out"
    out.mkdir(parents=True, exist_ok=True)
    peaks = {}
    runs = (("month", MONTH, "csv"), ("quarter", QUARTER, "csv"), ("month", MONTH, "xlsx"),
            ("quarter", QUARTER, "xlsx"), ("month", MONTH, "pdf"))
    for label, period, kind in runs:
        done = _register(url, folder, period, out / f"{name}-{label}.{kind}")
        peaks[(label, kind)] = done["peak_mb"]
        pages = f", {done['pages']:,} pages" if done["pages"] else ""
        report.add(f"{name}: register of a {label} as {kind}: {done['rows']:,} rows{pages} in "
                   f"{done['seconds']:.1f} s ({done['rows'] / max(done['seconds'], 1e-9):,.0f} rows/s), "
                   f"peak memory {done['peak_mb']:.0f} MB")
    for kind in ("csv", "xlsx"):
        grown = peaks[("quarter", kind)] - peaks[("month", kind)]
        report.goal(f"{name}: register as {kind} in bounded memory (a quarter needs < 30 MB more than a "
                    f"month: {grown:+.0f} MB)", grown < 30)


def run(quick: bool) -> Report:
    from tests.pg_server import PgServer

    rows = 100_000 if quick else 1_000_000
    report = Report("supervisors' reports")
    folder = DATA_ROOT / f"reports-{rows}"
    folder.mkdir(parents=True, exist_ok=True)
    db = Database.open(None, folder)
    try:
        _fill(db, rows)
        _measure("SQLite", db, "", folder, rows, report)
    finally:
        db.close()
    with PgServer() as server:
        url = server.url("postgres")
        pg_folder = DATA_ROOT / f"reports-pg-{rows}"
        pg_folder.mkdir(parents=True, exist_ok=True)
        db = Database.open(url, pg_folder)
        try:
            _fill(db, rows)
            with db.session(write=True) as session:
                session.execute(sql_text("ANALYZE"))
            _measure("PostgreSQL", db, url, pg_folder, rows, report)
        finally:
            db.close()
    return report

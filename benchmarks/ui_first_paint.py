"""Main window on a large database: time to first paint and memory (issue: counter reception).

The window must open without loading every dossier: the first page of 200 rows is fetched in the
background and the total is counted separately. Compared with an empty database, the time and memory
should barely grow with the number of dossiers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.common import DATA_ROOT, Report
from benchmarks.search import _database


def _probe(data_dir: Path) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-m", "benchmarks.ui_probe", str(data_dir)], env=env,
                         capture_output=True, text=True, check=True, timeout=600).stdout
    return json.loads(out.strip().splitlines()[-1])


def _empty_data_dir() -> Path:
    from app.services.admin.setup import init
    from app.services.context import AppContext

    folder = DATA_ROOT / "ui-empty"
    if not (folder / "motcua.db").exists():
        with AppContext.open(folder) as ctx:
            init(ctx)
    return folder


def run(quick: bool) -> Report:
    report = Report("main window first paint")
    rows = 100_000 if quick else 1_000_000
    _database(rows).close()
    from app.services.admin.setup import init
    from app.services.context import AppContext

    big = DATA_ROOT / f"search-{rows}"
    with AppContext.open(big) as ctx:
        init(ctx)  # catalogue and settings beside the generated dossiers (idempotent)
    empty = _probe(_empty_data_dir())
    full = _probe(big)
    for name, figures in (("empty database", empty), (f"{rows:,} dossiers", full)):
        report.add(f"{name:>18}: first paint {figures['first_paint_s']:.2f} s, total counted after "
                   f"{figures['count_s']:.2f} s, rows loaded {int(figures['rows_loaded'])}, "
                   f"peak RSS {figures['peak_rss_mb']:.0f} MB")
    report.add(f"ratio {rows:,} / empty: first paint {full['first_paint_s'] / empty['first_paint_s']:.2f}x, "
               f"memory {full['peak_rss_mb'] / empty['peak_rss_mb']:.2f}x")
    report.goal(f"first paint under 2 s with {rows:,} dossiers", full["first_paint_s"] < 2.0)
    report.goal("memory within 1.5x of an empty database (rows are not all loaded)",
                full["peak_rss_mb"] < 1.5 * empty["peak_rss_mb"])
    return report

"""Crash safety under SIGKILL: hundreds of kills of a receiving process, then a full check.

The driver (``tests/crash/driver.py``) receives dossiers and attaches pages, printing a CONFIRMED
line after each commit; it is killed at seeded random moments (some during start-up) and
restarted. Goal (issue: protect personal data and survive faults): >= 200 kills, 0 losses, 0
duplicates, ``verify`` clean.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from benchmarks.common import Report
from tests.crash.harness import check, prepare, run_kills

KILLS = 220
QUICK_KILLS = 40
SEED = 20260601


def run(quick: bool) -> Report:
    report = Report("kills")
    kills = QUICK_KILLS if quick else KILLS
    root = Path(tempfile.mkdtemp(prefix="motcua-kills-"))
    try:
        data_dir = root / "data"
        prepare(data_dir)
        result, confirmed = run_kills(data_dir, kills=kills, seed=SEED, progress=True)
        result = check(data_dir, result, confirmed)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    report.add(f"kills: {result.kills} ({result.kills_before_ready} during start-up) "
               f"in {result.seconds:.0f} s")
    report.add(f"operations confirmed: {result.confirmed_dossiers} dossiers, {result.confirmed_pages} pages")
    report.add(f"losses: {len(result.losses)}; duplicates: {len(result.duplicates)}; "
               f"verify problems: {len(result.verify_problems)}")
    for line in (result.losses + result.duplicates)[:10]:
        report.add(f"  {line}")
    report.goal(f">= {kills} kills", result.kills >= kills)
    report.goal("0 losses, 0 duplicates, verify clean", result.ok)
    return report

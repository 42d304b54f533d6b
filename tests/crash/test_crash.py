"""Crash safety, proven: SIGKILL the receiving process at random moments, restart it, check.

The CI variant kills about 16 times within ~40 s (``python -m benchmarks kills`` does 200+). The
seed is fixed so a failure can be replayed; set ``MOTCUA_CRASH_SEED`` to try others.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.crash.conftest import motcua
from tests.crash.harness import check, prepare, run_kills

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
CI_KILLS = 16
SEED = int(os.environ.get("MOTCUA_CRASH_SEED", "20260601"))


@pytest.mark.slow
def test_killed_at_random_points_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    """GIVEN a station receiving dossiers and attaching pages WHEN its process is killed with
    SIGKILL at random moments and restarted THEN every confirmed dossier and page is there, with
    its hash, nothing is there twice, and ``motcua verify`` is clean."""
    data_dir = tmp_path / "data"
    prepare(data_dir)
    report, confirmed = run_kills(data_dir, kills=CI_KILLS, seed=SEED, time_budget=40)
    report = check(data_dir, report, confirmed)
    assert report.kills >= 10, report
    assert report.confirmed_dossiers >= 5 and report.confirmed_pages >= 5, report
    assert report.losses == [] and report.duplicates == [] and report.verify_problems == [], report
    result = motcua("verify", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["ok"] is True

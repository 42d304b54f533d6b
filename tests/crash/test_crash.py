"""Crash safety, proven: SIGKILL the receiving process at random moments, restart it, check.

The CI variant kills 16 times (about 40 s on an idle machine; ``python -m benchmarks kills`` does
200+). The kill moments are drawn on the driver's measured pace, not in fixed seconds, so a loaded
machine kills at the same places in the work (see ``harness.run_kills``). The seed is fixed so a
failure can be replayed; set ``MOTCUA_CRASH_SEED`` to try others.
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
    report, confirmed = run_kills(data_dir, kills=CI_KILLS, seed=SEED)
    report = check(data_dir, report, confirmed)
    assert report.kills == CI_KILLS, report
    assert report.confirmed_dossiers >= 5 and report.confirmed_pages >= 5, report
    assert report.losses == [] and report.duplicates == [] and report.verify_problems == [], report
    result = motcua("verify", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["ok"] is True

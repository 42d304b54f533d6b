"""Vietnam time on any clock: with the machine's time zone set to UTC, New York or Ho Chi Minh City,
the station stores, prints, computes from and sends Vietnam wall time, and agrees with the server."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.clock import VN_TZ, from_epoch, to_vn, vn_aware, vn_now
from app.services.sync import CLOCK_WARNING_MINUTES, configure, sync_once, sync_state
from app.store.repositories import SettingsRepository
from tests.sync.helpers import ROOT, new_agency, open_station, receive, running_server

ZONES = ("UTC", "America/New_York", "Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("province") / "data") as s:
        yield s


def _vietnam(epoch: float) -> datetime:
    return (datetime.fromtimestamp(epoch, UTC) + timedelta(hours=7)).replace(tzinfo=None)


@pytest.mark.slow
@pytest.mark.parametrize("zone", ZONES)
def test_the_station_says_vietnam_time_whatever_the_os_zone(server, tmp_path: Path, catalogue_file, zone):
    agency = new_agency()
    _, token = server.station(agency)
    env = {**os.environ, "TZ": zone, "PYTHONPATH": str(ROOT)}
    args = [str(tmp_path / "data"), server.url, token, agency, str(catalogue_file)]
    done = subprocess.run(
        [sys.executable, "-m", "tests.sync.vn_time_probe", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    expected = _vietnam(seen["epoch"])
    assert abs(datetime.fromisoformat(seen["vn_now"]) - expected) < timedelta(minutes=1)
    received = datetime.fromisoformat(seen["received_at"])
    assert abs(received - expected) < timedelta(minutes=2)
    assert seen["receipt_has_time"]  # the receipt prints the Vietnam time and date
    assert datetime.fromisoformat(seen["due_at"]) > received
    assert seen["sent"] == received.strftime("%Y%m%d%H%M%S")
    assert seen["outcome"] == "ok"
    # The province's clock and the station's agree: no warning, what was sent is "now" on the server.
    server_now = datetime.fromisoformat(seen["server_now"])
    assert abs(server_now - received) < timedelta(minutes=3)
    assert abs(seen["offset"]) < 60 and seen["clock_warning"] is None


def test_clock_functions_do_not_read_the_os_zone(monkeypatch):
    import time

    if not hasattr(time, "tzset"):
        pytest.skip("no tzset on this platform")
    for zone in ZONES:
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        assert abs(vn_now() - _vietnam(time.time())) < timedelta(seconds=5)
        assert abs(from_epoch() - _vietnam(time.time())) < timedelta(seconds=5)
        naive = datetime(2026, 12, 8, 6, 30)
        assert to_vn(vn_aware(naive)) == naive and vn_aware(naive).utcoffset() == timedelta(hours=7)
        assert to_vn(datetime(2026, 12, 7, 23, 30, tzinfo=UTC)) == naive
    monkeypatch.delenv("TZ")
    time.tzset()
    assert VN_TZ.utcoffset(None) == timedelta(hours=7)


def _os_zone_reads(tree: ast.AST) -> list[int]:
    """Lines that read the OS time zone: ``datetime.now()`` / ``datetime.today()`` / ``date.today()``
    (called without a zone, or passed as a clock), ``time.localtime`` and ``.astimezone()``."""
    lines = []
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "astimezone"
            and not (node.args or node.keywords)
        ):
            lines.append(node.lineno)
        if not isinstance(node, ast.Attribute) or not isinstance(node.value, ast.Name):
            continue
        owner, attr = node.value.id, node.attr
        if (owner, attr) == ("time", "localtime"):
            lines.append(node.lineno)
        elif owner in ("datetime", "date") and attr in ("now", "today"):
            call = next((c for c in ast.walk(tree) if isinstance(c, ast.Call) and c.func is node), None)
            if id(node) not in called or call is None or not (call.args or call.keywords):
                lines.append(node.lineno)
    return sorted(lines)


def test_no_code_in_app_reads_the_os_time_zone():
    """Only ``app/core/clock.py`` may read the clock; everything else asks it for Vietnam time."""
    found = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        if path == ROOT / "app" / "core" / "clock.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(ROOT)}:{line}" for line in _os_zone_reads(tree)]
    assert found == []


def test_the_check_finds_what_it_looks_for():
    code = "datetime.now()\ndate.today()\nx.astimezone()\nf(clock=datetime.now)\ndatetime.now(UTC)\n"
    assert _os_zone_reads(ast.parse(code)) == [1, 2, 3, 4]


@pytest.mark.slow
def test_the_station_warns_when_its_clock_is_off(tmp_path: Path, catalogue_file, capsys):
    from app.cli import main as motcua

    with running_server(tmp_path / "skewed", clock_skew=-600) as skewed:
        agency = new_agency()
        _, token = skewed.station(agency)
        ctx = open_station(tmp_path / "data", agency, catalogue_file)
        try:
            configure(ctx, server_url=skewed.url, token=token)
            receive(ctx, 1)
            assert sync_once(ctx).outcome == "ok"
            warning = sync_state(ctx).clock_warning_vi
            assert warning and "lệch 10 phút" in warning and "nhanh" in warning
            assert motcua(["--data-dir", str(ctx.data_dir), "sync", "--once"]) == 0
            assert "Cảnh báo: Đồng hồ máy trạm lệch 10 phút" in capsys.readouterr().err
            with ctx.session(write=True) as session:  # the limit is a setting
                SettingsRepository(session).set(CLOCK_WARNING_MINUTES, "15")
            assert sync_state(ctx).clock_warning_vi is None
        finally:
            ctx.close()

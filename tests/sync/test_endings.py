"""Every way a run can end, as ``motcua sync --once --json`` reports it (exit code, JSON, state),
against the reference server on loopback with scripted faults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.cli import main as motcua
from app.services.context import AppContext
from app.services.sync.runs import configure, sync_state
from tests.sync.helpers import (
    PROCEDURES,
    Server,
    catalogue_records,
    free_port,
    new_agency,
    open_station,
    receive,
    running_server,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("province") / "data") as s:
        yield s


@pytest.fixture
def ctx(server: Server, tmp_path: Path, catalogue_file: Path) -> Iterator[AppContext]:
    agency = new_agency()
    _, token = server.station(agency)
    ctx = open_station(tmp_path / "data", agency, catalogue_file)
    configure(ctx, server_url=server.url, token=token)
    yield ctx
    server.faults("")
    ctx.close()


def sync(ctx: AppContext, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = motcua(["--data-dir", str(ctx.data_dir), "sync", "--once", "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def last_success(ctx: AppContext, capsys: pytest.CaptureFixture[str]) -> str | None:
    assert motcua(["--data-dir", str(ctx.data_dir), "sync", "status", "--json"]) == 0
    return json.loads(capsys.readouterr().out)["last_success"]


def refused(path: str, method: str = "", times: int = 1, status: int = 401) -> list[dict[str, Any]]:
    error = "token_revoked" if status == 401 else f"injected_{status}"
    return [{"path": path, "method": method, "status": status, "error": error, "times": times}]


def test_a_completed_run_exits_0_and_sets_last_success(server, ctx, capsys):
    receive(ctx, 1)
    code, data, _ = sync(ctx, capsys)
    assert (code, data) == (0, {"sent": 1, "received": 0, "failed": 0, "online_new": 0})
    assert last_success(ctx, capsys) is not None


@pytest.mark.parametrize(
    ("where", "script"),
    [
        ("start", refused("/time$")),
        ("push", refused("/dossiers/", "PUT")),
        ("pull", refused("/changes$")),
        ("catalogue", refused("/catalogue$")),
    ],
)
def test_a_refused_token_at_any_step_exits_1(server, ctx, capsys, where, script):
    receive(ctx, 1)
    server.faults("", script)
    code, data, err = sync(ctx, capsys)
    assert code == 1 and data["outcome"] == "auth", where
    assert "thu hồi" in data["error_vi"] and "Lỗi:" in err and "Lưu ý" not in err
    assert last_success(ctx, capsys) is None
    assert sync_state(ctx).last_error_vi and "thu hồi" in sync_state(ctx).last_error_vi


def test_nothing_listening_exits_1_offline(server, ctx, capsys):
    receive(ctx, 1)
    url = f"http://127.0.0.1:{free_port()}"
    configure(ctx, server_url=url, token="t" * 40)
    code, data, err = sync(ctx, capsys)
    assert code == 1 and data["outcome"] == "offline" and data["sent"] == 0
    assert "Không kết nối được" in err
    assert last_success(ctx, capsys) is None and sync_state(ctx).online is False


def test_a_server_answering_only_errors_exits_1(server, ctx, capsys):
    receive(ctx, 1)
    server.faults("", refused("/", times=-1, status=500))
    code, data, err = sync(ctx, capsys)
    assert code == 1 and data["outcome"] == "server_error" and data["sent"] == 0
    assert "HTTP 500" in data["error_vi"] and "Lỗi:" in err
    assert last_success(ctx, capsys) is None


def test_a_server_erroring_on_every_item_exits_1(server, ctx, capsys):
    receive(ctx, 1)
    server.faults("", refused("/dossiers/", "PUT", times=-1, status=500))
    code, data, _ = sync(ctx, capsys)
    assert code == 1 and data["outcome"] == "server_error" and data["failed"] == 1
    assert last_success(ctx, capsys) is None


def test_partial_success_exits_3(server, ctx, capsys):
    server.admin("PUT", "/catalogue", json={"DanhSachTTHC": catalogue_records(PROCEDURES[:1])})
    try:
        receive(ctx, 1, PROCEDURES[1])  # refused: not in the province's catalogue
        receive(ctx, 2)
        code, data, err = sync(ctx, capsys)
    finally:
        server.admin("PUT", "/catalogue", json={"DanhSachTTHC": []})
    assert code == 3 and data["outcome"] == "partial" and (data["sent"], data["failed"]) == (1, 1)
    assert "motcua sync failed" in err
    assert last_success(ctx, capsys) is not None  # the run itself went through


def test_a_pull_that_cannot_finish_is_partial(server, ctx, capsys):
    receive(ctx, 1)
    server.faults("", refused("/changes$", times=-1, status=500))
    code, data, _ = sync(ctx, capsys)
    assert code == 3 and data["outcome"] == "partial" and data["sent"] == 1
    assert last_success(ctx, capsys) is None  # not a completed run


@pytest.mark.parametrize("status", [0, 500])
def test_a_passing_failure_of_the_first_request_is_retried(server, ctx, capsys, status):
    """A dropped connection (0) or a 500 on GET /time: retried with backoff, the run goes on."""
    receive(ctx, 1)
    server.faults("", refused("/time$", times=2, status=status))
    code, data, _ = sync(ctx, capsys)
    assert (code, data) == (0, {"sent": 1, "received": 0, "failed": 0, "online_new": 0})
    assert last_success(ctx, capsys) is not None


def test_a_passing_failure_while_pulling_is_retried(server, ctx, capsys):
    receive(ctx, 1)
    server.faults("", [*refused("/changes$", status=0), *refused("/calendar/", status=503)])
    code, data, _ = sync(ctx, capsys)
    assert (code, data) == (0, {"sent": 1, "received": 0, "failed": 0, "online_new": 0})

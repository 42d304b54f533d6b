"""The real ``motcua`` command, run as a subprocess in temporary data folders."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.text import fold

BIN = Path(sys.executable).with_name("motcua.exe" if os.name == "nt" else "motcua")
if BIN.exists():
    COMMAND = [str(BIN)]
elif shutil.which("motcua"):
    COMMAND = [shutil.which("motcua")]
else:  # pragma: no cover - not installed as a console script
    COMMAND = [sys.executable, "-m", "app.cli"]

SUMMARY_KEYS = {"code", "procedure_code", "procedure_name", "applicant_name", "id_number", "phone",
                "received_at", "due_at", "status", "status_label", "channel"}
APPLICANT_KEYS = {"id_number", "old_id_number", "full_name", "birth_date", "sex", "address", "phone",
                  "email", "id_issue_date"}


def run(*args: str, data_dir: Path | None = None, env: dict[str, str] | None = None,
        command: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    environment["PYTHONIOENCODING"] = "utf-8"
    environment.update(env or {})
    argv = list(command or COMMAND)
    if data_dir is not None:
        argv += ["--data-dir", str(data_dir)]
    return subprocess.run(argv + list(args), capture_output=True, text=True, encoding="utf-8",
                          env=environment, timeout=120)


def run_json(*args: str, **kwargs) -> object:
    result = run(*args, "--json", **kwargs)
    assert result.returncode == 0, result.stderr + result.stdout
    return json.loads(result.stdout)


def due_json(data_dir: Path, received: str, procedure: str) -> object:
    return run_json("calendar", "due", "--from", received, "--procedure", procedure, data_dir=data_dir)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    result = run("init", "--demo", data_dir=folder)
    assert result.returncode == 0, result.stderr
    assert "Đã thêm 300 hồ sơ mẫu" in result.stdout
    assert (folder / "motcua.db").exists()
    return folder


@pytest.fixture
def plain_dir(tmp_path) -> Path:
    folder = tmp_path / "plain"
    data = run_json("init", data_dir=folder)
    assert data["procedures"] == 35 and data["dossiers"] == 0
    return folder


def test_init_demo_is_idempotent(demo_dir):
    data = run_json("init", "--demo", data_dir=demo_dir)
    assert data["demo_already_present"] is True
    assert data["demo_added"] == 0
    assert data["dossiers"] == 300
    assert data["procedures"] == 35


def test_catalog_list_json(demo_dir):
    items = run_json("catalog", "list", data_dir=demo_dir)
    assert len(items) == 35
    assert all(set(item) == {"code", "name", "field"} for item in items)
    assert {"code": "1.001193", "name": "Thủ tục đăng ký khai sinh", "field": "Hộ tịch"} in items


def test_global_options_before_the_command(demo_dir):
    result = run("--data-dir", str(demo_dir), "--json", "catalog", "list")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 35


def test_catalog_show_json(demo_dir):
    data = run_json("catalog", "show", "1.001193", data_dir=demo_dir)
    assert {"code", "name", "field", "processing", "cutoff", "components", "fees"} <= set(data)
    assert data["code"] == "1.001193"
    assert data["processing"] == {"amount": 0, "unit": "same_day"}
    assert data["cutoff"] == "15:00"
    component_keys = {"name", "originals", "certified_copies", "photocopies", "mandatory"}
    assert data["components"] and all(component_keys <= set(c) for c in data["components"])
    assert data["fees"] and all({"name", "amount_vnd", "channel"} <= set(f) for f in data["fees"])
    residence = run_json("catalog", "show", "1.004222", data_dir=demo_dir)
    assert residence["processing"] == {"amount": 7, "unit": "working_days"}
    assert residence["cutoff"] is None
    assert {"amount_vnd": 20000, "channel": 1} in [{k: f[k] for k in ("amount_vnd", "channel")}
                                                   for f in residence["fees"]]
    stay = run_json("catalog", "show", "2.001159", data_dir=demo_dir)
    assert stay["processing"] == {"amount": 1, "unit": "working_hours"}


def test_catalog_human_output(demo_dir):
    result = run("catalog", "show", "1.001193", data_dir=demo_dir)
    assert result.returncode == 0
    assert "Thời hạn giải quyết: Trong ngày" in result.stdout
    listing = run("catalog", "list", data_dir=demo_dir)
    assert "Thủ tục đăng ký khai sinh" in listing.stdout and "Tổng cộng: 35 thủ tục" in listing.stdout


def test_dossier_search_nguyen(demo_dir):
    items = run_json("dossier", "list", "--search", "nguyen", "--limit", "500", data_dir=demo_dir)
    assert len(items) >= 30
    for item in items:
        assert set(item) == SUMMARY_KEYS
        assert "nguyen" in fold(item["applicant_name"])
        assert len(item["received_at"]) == 16 and item["received_at"][10] == " "
    received = [item["received_at"] for item in items]
    assert received == sorted(received, reverse=True)
    two = run_json("dossier", "list", "--search", "NGUYỄN", "--limit", "2", data_dir=demo_dir)
    assert [i["code"] for i in two] == [i["code"] for i in items[:2]]


def test_dossier_list_filters(demo_dir):
    returned = run_json("dossier", "list", "--status", "10", "--limit", "1000", data_dir=demo_dir)
    assert returned and all(i["status"] == 10 and i["status_label"] == "Đã trả kết quả" for i in returned)
    everything = run_json("dossier", "list", "--limit", "1000", data_dir=demo_dir)
    assert len(everything) == 300 and len(returned) < 300
    assert len(run_json("dossier", "list", "--limit", "3", data_dir=demo_dir)) == 3
    human = run("dossier", "list", "--limit", "3", data_dir=demo_dir)
    assert human.returncode == 0 and "Hiển thị 3/300 hồ sơ" in human.stdout


def test_dossier_show(demo_dir):
    first = run_json("dossier", "list", "--search", "nguyen", "--limit", "1", data_dir=demo_dir)[0]
    data = run_json("dossier", "show", first["code"], data_dir=demo_dir)
    assert {"code", "procedure_code", "procedure_name", "status", "status_label", "channel", "received_at",
            "due_at", "applicant", "components", "attachments"} <= set(data)
    assert set(data["applicant"]) >= APPLICANT_KEYS
    assert data["code"] == first["code"]
    assert data["applicant"]["full_name"] == first["applicant_name"]
    assert data["received_at"] == first["received_at"] and data["status"] == first["status"]
    assert len(data["applicant"]["birth_date"]) == 10
    assert isinstance(data["components"], list) and data["attachments"] == []
    human = run("dossier", "show", first["code"], data_dir=demo_dir)
    assert human.returncode == 0
    assert first["applicant_name"] in human.stdout and "Hẹn trả kết quả" in human.stdout


@pytest.mark.parametrize("args", [("dossier", "show", "000.00.12.H29-990101-0001"),
                                  ("catalog", "show", "9.999")])
def test_not_found_errors(demo_dir, args):
    result = run(*args, "--json", data_dir=demo_dir)
    assert result.returncode == 1
    assert set(json.loads(result.stdout)) == {"error"}
    human = run(*args, data_dir=demo_dir)
    assert human.returncode == 1 and human.stdout == ""
    lines = human.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi: Không tìm thấy")
    assert "Traceback" not in human.stderr


def test_usage_errors_exit_2(demo_dir):
    result = run("dossier", "list", "--status", "42", "--json", data_dir=demo_dir)
    assert result.returncode == 2
    assert "error" in json.loads(result.stdout)
    human = run("calendar", "due", "--from", "tomorrow", "--procedure", "1.001193", data_dir=demo_dir)
    assert human.returncode == 2 and len(human.stderr.strip().splitlines()) == 1
    assert run().returncode == 2


def test_calendar_show_json(demo_dir):
    data = run_json("calendar", "show", "2026", data_dir=demo_dir)
    assert set(data) == {"year", "working_days", "days"}
    assert data["year"] == 2026
    new_year = next(d for d in data["days"] if d["date"] == "2026-01-01")
    assert new_year == {"date": "2026-01-01", "working": False, "reason": "Tết Dương lịch",
                        "source": "holiday"}
    assert all(set(d) == {"date", "working", "reason", "source"} for d in data["days"])
    swapped = {d["date"]: d for d in data["days"] if d["source"] == "official"}
    assert swapped["2026-01-02"]["working"] is False and swapped["2026-01-10"]["working"] is True
    assert "12729/VPCP-KGVX" in swapped["2026-01-10"]["reason"]
    assert due_json(demo_dir, "2025-12-31 09:00", "1.004222")["due_at"] == "2026-01-12 09:00"


def test_calendar_due_json(demo_dir):
    assert due_json(demo_dir, "2026-03-02 09:00", "1.004222") == {"due_at": "2026-03-11 09:00"}
    assert due_json(demo_dir, "2026-03-06 16:00", "1.001193") == {"due_at": "2026-03-09 17:00"}
    unknown = run("calendar", "due", "--from", "2026-03-02 09:00", "--procedure", "0.0", "--json",
                  data_dir=demo_dir)
    assert unknown.returncode == 1 and "error" in json.loads(unknown.stdout)


def test_calendar_set(plain_dir):
    data = run_json("calendar", "set", "2026-03-07", "work", "--note", "Làm bù", data_dir=plain_dir)
    assert data == {"date": "2026-03-07", "kind": "work", "note": "Làm bù", "working": True, "changed": True,
                    "warning": None}
    shown = run_json("calendar", "show", "2026", data_dir=plain_dir)
    assert {"date": "2026-03-07", "working": True, "reason": "Làm bù", "source": "override"} in shown["days"]
    assert due_json(plain_dir, "2026-03-06 16:00", "1.001193") == {"due_at": "2026-03-07 17:00"}

    weekday = run("calendar", "set", "2026-03-09", "work", data_dir=plain_dir)
    assert weekday.returncode == 1
    assert "chỉ có thể chuyển Thứ Bảy, Chủ Nhật hoặc ngày nghỉ lễ" in weekday.stderr
    as_json = run("calendar", "set", "2026-03-09", "work", "--json", data_dir=plain_dir)
    assert as_json.returncode == 1 and "error" in json.loads(as_json.stdout)

    off = run("calendar", "set", "2026-03-09", "off", "--note", "Nghỉ địa phương", data_dir=plain_dir)
    assert off.returncode == 0 and "ngày nghỉ" in off.stdout
    sunday = run("calendar", "set", "2026-03-08", "off", data_dir=plain_dir)
    assert sunday.returncode == 0 and "Lưu ý" in sunday.stderr
    sunday_json = run_json("calendar", "set", "2026-03-08", "off", data_dir=plain_dir)
    assert sunday_json["working"] is False and sunday_json["warning"]


def test_env_data_dir_honoured(demo_dir):
    result = run("dossier", "list", "--limit", "2", "--json", env={"MOTCUA_DATA_DIR": str(demo_dir)})
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 2


def test_env_db_url_honoured(tmp_path):
    db = tmp_path / "elsewhere.db"
    result = run("init", "--json", env={"MOTCUA_DATA_DIR": str(tmp_path / "data"),
                                        "MOTCUA_DB_URL": f"sqlite:///{db}"})
    assert result.returncode == 0, result.stderr
    assert db.exists()
    listing = run("--db-url", f"sqlite:///{db}", "catalog", "list", "--json", data_dir=tmp_path / "data")
    assert len(json.loads(listing.stdout)) == 35


def test_not_initialised(tmp_path):
    missing = tmp_path / "nothing"
    result = run("dossier", "list", "--json", data_dir=missing)
    assert result.returncode == 1
    assert "motcua init" in json.loads(result.stdout)["error"]
    assert not missing.exists()


def test_unsupported_database_url(tmp_path):
    result = run("catalog", "list", "--db-url", "nosuchdialect://x", "--json", data_dir=tmp_path)
    assert result.returncode == 1 and set(json.loads(result.stdout)) == {"error"}


def test_damaged_database_is_a_clear_error(tmp_path):
    # A storage fault is a known error now (app.store.storage_errors); unexpected errors are logged:
    # tests/services/test_logging.py::test_cli_unexpected_error_is_logged_masked.
    (tmp_path / "motcua.db").write_bytes(b"this is not a database" * 200)
    result = run("catalog", "list", data_dir=tmp_path)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "motcua verify" in result.stderr


def test_python_dash_m(demo_dir):
    result = run("catalog", "list", "--json", data_dir=demo_dir, command=[sys.executable, "-m", "app.cli"])
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 35

"""The real ``motcua warehouse add`` / ``search`` (subprocesses on a temporary data folder)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.warehouse.conftest import make_pdf

BIN = Path(sys.executable).with_name("motcua.exe" if os.name == "nt" else "motcua")
RECORD_KEYS = {"record_id", "type_code", "type_name", "number", "symbol", "issued_on", "issuer", "signer",
               "owner", "validity", "valid_until", "valid_now", "sha256", "pages", "size", "source",
               "created_by", "created_at"}
CCCD = "079190001234"


def run(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run([str(BIN), "--data-dir", str(data), *args], capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=120, check=False)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wh-cli") / "data"
    assert run(folder, "init", "--json").returncode == 0
    return folder


def test_add_then_search_by_owner(data: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "khai-sinh.pdf"
    pdf.write_bytes(make_pdf("cli", pages=2))
    added = run(data, "warehouse", "add", "--pdf", str(pdf), "--type", "KQ.G15.000031", "--owner-id", CCCD,
                "--owner-name", "Nguyễn Thị Thu Hà", "--number", "12", "--symbol", "2019",
                "--issued", "05/03/2019", "--issuer", "UBND phường Bến Nghé", "--json")
    assert added.returncode == 0, added.stderr + added.stdout
    record = json.loads(added.stdout)
    assert set(record) == RECORD_KEYS
    assert (record["type_name"], record["issued_on"], record["pages"], record["validity"]) == \
        ("Giấy khai sinh", "2019-03-05", 2, "valid")
    assert record["owner"] == {"name": "Nguyễn Thị Thu Hà", "id_number": CCCD, "old_id_number": "",
                               "tax_code": ""}

    again = run(data, "warehouse", "add", "--pdf", str(pdf), "--type", "KQ.G15.000031", "--owner-id", CCCD,
                "--owner-name", "Nguyễn Thị Thu Hà", "--json")
    assert again.returncode == 1
    assert record["record_id"] in json.loads(again.stdout)["error"]

    found = run(data, "warehouse", "search", "--owner", CCCD, "--json")
    assert found.returncode == 0, found.stderr
    result = json.loads(found.stdout)
    assert (result["owner"], result["count"]) == (CCCD, 1)
    assert result["records"][0]["sha256"] == record["sha256"]
    text = run(data, "warehouse", "search", "--owner", CCCD)
    assert "Giấy khai sinh" in text.stdout and "12/2019" in text.stdout and "05/03/2019" in text.stdout
    nobody = run(data, "warehouse", "search", "--owner", "001190000000", "--json")
    assert json.loads(nobody.stdout)["count"] == 0


def test_add_rejects_bad_input_in_vietnamese(data: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(make_pdf("bad"))
    bad_id = run(data, "warehouse", "add", "--pdf", str(pdf), "--type", "KQ.G15.000031", "--owner-id", "12ab",
                 "--owner-name", "A")
    assert bad_id.returncode == 1 and "không phải số CCCD" in bad_id.stderr
    bad_date = run(data, "warehouse", "add", "--pdf", str(pdf), "--type", "KQ.G15.000031", "--owner-id", CCCD,
                   "--owner-name", "A", "--issued", "31/02/2019", "--json")
    assert bad_date.returncode == 1 and "issued_on" in json.loads(bad_date.stdout)["error"]

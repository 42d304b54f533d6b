"""The reference server over real HTTP on loopback: files per dossier held to its schema (413 in the
documented error object, never a 500 on the lookup), an unparsable body answered with the error
object, and an empty agency refused when a station is added."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.sync.helpers import PROCEDURES, ROOT, Server, catalogue_records, new_agency, running_server

ERROR_KEYS = {"error", "message", "message_vi"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("server") / "data") as live:
        live.admin("PUT", "/catalogue", json={"DanhSachTTHC": catalogue_records(PROCEDURES[:1])})
        yield live


def _dossier(code: str, components: int) -> dict[str, object]:
    return {"MaHoSo": code, "MaTTHC": PROCEDURES[0], "TenTTHC": "Đăng ký khai sinh", "KenhThucHien": 1,
            "ChuHoSo": "Nguyễn Văn An", "LoaiDoiTuong": 1, "NgayNopHoSo": "20261118091500",
            "NgayTiepNhan": "20261118091500", "NgayHenTra": "20261120170000", "TrangThaiHoSo": 2,
            "TaiLieuNop": [{"TenTepDinhKem": f"Giấy tờ {i}"} for i in range(components)]}


def _client(server: Server, agency: str) -> httpx.Client:
    _id, token = server.station(agency)
    return httpx.Client(base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {token}"},
                        timeout=30)


def test_a_dossier_never_holds_more_files_than_its_schema(server: Server) -> None:
    agency = new_agency()
    code = f"{agency}-261118-0001"
    with _client(server, agency) as client:
        key = {"Idempotency-Key": uuid.uuid4().hex}
        put = client.put(f"/dossiers/{code}", json=_dossier(code, 200), headers=key)
        assert put.status_code == 201, put.text
        upload = client.post("/uploads", json={"MaHoSo": code, "TenTep": "trang.pdf", "KichThuoc": 10,
                                               "SHA256": "ab" * 32},
                             headers={"Idempotency-Key": uuid.uuid4().hex})
        assert upload.status_code == 413 and set(upload.json()) >= ERROR_KEYS
        assert upload.json()["error"] == "too_many_files"
        lookup = client.get(f"/dossiers/{code}")
        assert lookup.status_code == 200 and len(lookup.json()["TaiLieuNop"]) == 200
        again = client.get(f"/dossiers/{code}")  # the keep-alive connection still answers
        assert again.status_code == 200


def test_an_unparsable_body_gets_the_documented_error_object(server: Server) -> None:
    agency = new_agency()
    code = f"{agency}-261118-0002"
    with _client(server, agency) as client:
        for body, kind in ((b"{not json", "application/json"), (b"\xff\xfe\x00", "application/json"),
                           (b"plain words", "text/plain")):
            answer = client.put(f"/dossiers/{code}", content=body,
                                headers={"Content-Type": kind, "Idempotency-Key": uuid.uuid4().hex})
            assert 400 <= answer.status_code < 500, answer.text
            assert set(answer.json()) >= ERROR_KEYS and "detail" not in answer.json()
        missing = client.get("/no-such-route")
        assert missing.status_code == 404 and set(missing.json()) >= ERROR_KEYS


def test_add_station_refuses_an_empty_agency(server: Server, tmp_path: Path) -> None:
    token = (server.data / "admin.token").read_text().strip()
    answer = httpx.post(f"{server.url}/api/v1/admin/stations", json={"agency": "", "name": "quầy"},
                        headers={"X-Admin-Token": token}, timeout=30)
    assert answer.status_code == 422 and answer.json()["error"] == "invalid_agency"
    command = subprocess.run([sys.executable, "-m", "provincial_server", "add-station", "--data",
                              str(tmp_path / "srv"), "--agency", "", "--name", "quầy"], cwd=ROOT,
                             capture_output=True, text=True, timeout=120, check=False)
    assert command.returncode == 2 and "agency" in command.stderr and not command.stdout.strip()

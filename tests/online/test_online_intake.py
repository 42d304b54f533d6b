"""Online dossiers: submitted to the reference server as a citizen would, taken in by a station at
sync with their files, accepted / sent back for supplements / refused at the counter, and the
province's status read back through its own lookup call."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.cli import main as motcua
from app.core.dossier import DossierStatus
from app.services import lifecycle
from app.services.admin.auth import SYSTEM_OFFICER, create_user
from app.services.admin.counter_officer import set_default_officer
from app.services.reception.dossiers import get_dossier, list_dossiers
from app.services.sync.runs import configure, sync_once
from tests.sync.conftest import catalogue_file  # noqa: F401 - the fixture
from tests.sync.helpers import PROCEDURES, ROOT, catalogue_records, new_agency, open_station, running_server

pytestmark = pytest.mark.slow

APPLICANT = {"full_name": "Trần Thị Trực Tuyến", "id_number": "079190000123", "email": "tt@example.vn",
             "phone": "0903000111", "address": "5 Nguyễn Huệ, Phường Sài Gòn"}


@pytest.fixture(autouse=True)
def _token_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from app.sync.secrets import ENV_BACKEND, ENV_SECRET_DIR

    monkeypatch.setenv(ENV_BACKEND, "file")
    monkeypatch.setenv(ENV_SECRET_DIR, str(tmp_path / "machine-secret"))


def _submit_http(url: str, token: str, files: dict[str, bytes]) -> str:
    body = {"MaTTHC": PROCEDURES[0], "NguoiNop": APPLICANT, "XacThucVNeID": 1,
            "TepDinhKem": [{"TenTep": n, "NoiDung": base64.b64encode(d).decode()} for n, d in files.items()]}
    response = httpx.post(f"{url}/api/v1/online-dossiers", json=body,
                          headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 201, response.text
    return str(response.json()["MaHoSo"])


def _submit_cli(data: Path, agency: str, tmp: Path, files: dict[str, bytes]) -> str:
    (tmp / "applicant.json").write_text(json.dumps(APPLICANT, ensure_ascii=False), encoding="utf-8")
    paths = []
    for name, content in files.items():
        (tmp / name).write_bytes(content)
        paths += ["--file", str(tmp / name)]
    done = subprocess.run(
        [sys.executable, "-m", "provincial_server", "submit-online", "--data", str(data), "--agency", agency,
         "--procedure", PROCEDURES[0], "--applicant-json", str(tmp / "applicant.json"), *paths],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.strip().splitlines()[-1]


def test_online_dossiers_are_taken_in_handled_and_reported_back(tmp_path: Path, catalogue_file: Path,  # noqa: F811
                                                                 capsys: pytest.CaptureFixture[str]):
    with running_server(tmp_path / "province") as server:
        server.admin("PUT", "/catalogue", json={"DanhSachTTHC": catalogue_records()})
        agency = new_agency()
        _, token = server.station(agency)
        _, token2 = server.station(agency, name="quầy 2")
        submitted = {}
        for n in range(3):
            files = {f"don-{n}.pdf": b"%PDF-1.7 don " + bytes([n]) * 500,
                     f"cccd-{n}.jpg": b"\xff\xd8" * (n + 50)}
            if n == 0:
                code = _submit_cli(server.data, agency, tmp_path, files)
            else:
                code = _submit_http(server.url, token, files)
            submitted[code] = files
        assert len(set(submitted)) == 3

        ctx = open_station(tmp_path / "station1", agency, catalogue_file)
        ctx2 = open_station(tmp_path / "station2", agency, catalogue_file)
        try:
            configure(ctx, server_url=server.url, token=token)
            configure(ctx2, server_url=server.url, token=token2)
            run = sync_once(ctx)
            assert run.online_new == 3 and run.counts()["online_new"] == 3
            waiting = {s.code: s for s in list_dossiers(ctx, status=1)}
            assert set(waiting) == set(submitted)
            for code, files in submitted.items():
                d = get_dossier(ctx, code)
                assert (d.status, int(d.channel)) == (DossierStatus.REGISTERED, 2)
                assert d.applicant.full_name == APPLICANT["full_name"]
                assert sorted(a.sha256 for a in d.attachments) == sorted(
                    hashlib.sha256(b).hexdigest() for b in files.values())
                for a in d.attachments:  # stored like every other file: encrypted, read back intact
                    with ctx.db.blobs.open(a.sha256) as f:
                        assert hashlib.sha256(f.read()).hexdigest() == a.sha256
            first, second, third = sorted(submitted)
            # the CLI contract of the inbox and the detail
            assert motcua(["--data-dir", str(tmp_path / "station1"), "--json", "dossier", "list",
                           "--status", "1"]) == 0
            listed = json.loads(capsys.readouterr().out)
            assert sorted(x["code"] for x in listed) == sorted(submitted)
            assert motcua(["--data-dir", str(tmp_path / "station1"), "--json", "dossier", "show", first]) == 0
            shown = json.loads(capsys.readouterr().out)
            assert shown["channel"] == 2
            assert sorted(f["sha256"] for f in shown["files"]) == sorted(
                hashlib.sha256(b).hexdigest() for b in submitted[first].values())
            assert {f["name"] for f in shown["files"]} == set(submitted[first])

            # the command line acts as a real officer: the station's default one
            create_user(ctx, "binh", "Trần Văn Bình", "mat khau 12345", "officer", by=SYSTEM_OFFICER)
            set_default_officer(ctx, "binh", SYSTEM_OFFICER)
            assert motcua(["--data-dir", str(tmp_path / "station1"), "--json", "accept", first]) == 0
            accepted = json.loads(capsys.readouterr().out)
            assert accepted["code"] == first and accepted["status"] == 2
            accepted_at = get_dossier(ctx, first).history[-1].at
            assert accepted["due_at"] > accepted_at.strftime("%Y-%m-%d %H:%M")  # counted from the acceptance
            lifecycle.request_supplement(ctx, second, ["Bản sao giấy khai sinh"], "Thiếu giấy khai sinh",
                                         SYSTEM_OFFICER)
            lifecycle.refuse(ctx, third, "Không thuộc thẩm quyền", SYSTEM_OFFICER)
            # offline until the next sync: nothing reached the province yet
            lookup = {c: httpx.get(f"{server.url}/api/v1/dossiers/{c}", timeout=30,
                                   headers={"Authorization": f"Bearer {token}"}).json()["TrangThaiHoSo"]
                      for c in submitted}
            assert set(lookup.values()) == {1}
            run = sync_once(ctx)
            assert run.failed == 0 and run.online_new == 0
            lookup = {c: httpx.get(f"{server.url}/api/v1/dossiers/{c}", timeout=30,
                                   headers={"Authorization": f"Bearer {token}"}).json()["TrangThaiHoSo"]
                      for c in submitted}
            assert lookup == {first: 2, second: 5, third: 3}

            # the other station of the office: nothing pending, and accepting again is refused
            sync_once(ctx2)
            assert list_dossiers(ctx2, status=1) == []
            assert get_dossier(ctx2, first).status is DossierStatus.RECEIVED
        finally:
            ctx.close()
            ctx2.close()

"""The real ``motcua`` command: receive, print, return and user (subprocesses, temporary folders)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.core.codes import parse_dossier_code

BIN = Path(sys.executable).with_name("motcua.exe" if os.name == "nt" else "motcua")
if BIN.exists():
    COMMAND = [str(BIN)]
elif shutil.which("motcua"):
    COMMAND = [shutil.which("motcua")]
else:  # pragma: no cover - not installed as a console script
    COMMAND = [sys.executable, "-m", "app.cli"]

QR = ("079190001234|281234567|Nguyễn Thị Thu Hà|12031990|Nữ|"
      "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh|01072021")
NAME = "Nguyễn Thị Thu Hà"
BIRTH = "1.001193"  # khai sinh: same day, cutoff 15:00
RESIDENCE = "1.004222"  # thường trú: 7 working days
APPLICANT_KEYS = {"id_number", "old_id_number", "full_name", "birth_date", "sex", "address", "id_issue_date"}


def run(*args: str, data_dir: Path | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    environment["PYTHONIOENCODING"] = "utf-8"
    argv = [*COMMAND, *(["--data-dir", str(data_dir)] if data_dir is not None else []), *args]
    return subprocess.run(argv, capture_output=True, text=True, encoding="utf-8", env=environment,
                          timeout=120, input=stdin)


def run_json(*args: str, **kwargs) -> object:
    result = run(*args, "--json", **kwargs)
    assert result.returncode == 0, result.stderr + result.stdout
    return json.loads(result.stdout)


def pdf_text(path: Path) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(path.read_bytes())).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def receive(data_dir: Path, *args: str) -> dict:
    return run_json("receive", "--procedure", BIRTH, "--applicant-qr", QR, *args, data_dir=data_dir)


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("office")
    assert run_json("init", data_dir=folder)["procedures"] == 35
    return folder


def test_receive_json(office, tmp_path):
    receipt = tmp_path / "giay tiep nhan" / "01.pdf"
    data = receive(office, "--received-at", "2026-03-18 10:30", "--receipt", str(receipt))
    assert set(data) == {"code", "due_at", "status", "applicant"}
    assert set(data["applicant"]) == APPLICANT_KEYS
    assert data["applicant"] == {
        "id_number": "079190001234", "old_id_number": "281234567", "full_name": NAME,
        "birth_date": "1990-03-12", "sex": "Nữ",
        "address": "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh", "id_issue_date": "2021-07-01"}
    assert data["status"] == 2
    agency, day, _number = parse_dossier_code(data["code"])
    assert agency == "000.00.12.H29" and day.isoformat() == "2026-03-18"
    due = run_json("calendar", "due", "--from", "2026-03-18 10:30", "--procedure", BIRTH, data_dir=office)
    assert data["due_at"] == due["due_at"]

    text = pdf_text(receipt)
    assert data["code"] in text and NAME in text
    assert not list(receipt.parent.glob("*.part"))

    shown = run_json("dossier", "show", data["code"], data_dir=office)
    assert shown["status"] == 2 and shown["officer"] == "Dòng lệnh"
    assert shown["received_at"] == "2026-03-18 10:30" and shown["due_at"] == data["due_at"]
    assert shown["form_set"] == "TT01-2018"


def test_receive_after_the_cutoff_and_with_components(office):
    data = receive(office, "--received-at", "2026-03-18 16:30", "--component", "3", "--component", "6")
    due = run_json("calendar", "due", "--from", "2026-03-18 16:30", "--procedure", BIRTH, data_dir=office)
    assert data["due_at"] == due["due_at"] == "2026-03-19 17:00"
    shown = run_json("dossier", "show", data["code"], data_dir=office)
    assert [c["index"] for c in shown["components"] if c["received"]] == [3, 6]


def test_two_receives_get_consecutive_codes(office):
    first = receive(office, "--received-at", "2026-04-01 08:00")["code"]
    second = receive(office, "--received-at", "2026-04-01 08:05")["code"]
    assert parse_dossier_code(second)[2] == parse_dossier_code(first)[2] + 1
    assert first[:-4] == second[:-4]


def test_receive_human_output(office):
    result = run("receive", "--procedure", RESIDENCE, "--applicant-qr", QR,
                 "--received-at", "2026-03-02 09:00", data_dir=office)
    assert result.returncode == 0, result.stderr
    assert "Đã tiếp nhận hồ sơ: 000.00.12.H29-260302-" in result.stdout
    assert "Hẹn trả kết quả: 11/03/2026 09:00 (Thứ Tư)" in result.stdout
    assert NAME in result.stdout


def test_receive_from_a_json_file(office, tmp_path):
    person = {"id_number": "001085012345", "old_id_number": "", "full_name": "Trần Văn Bình",
              "birth_date": "1985-06-01", "sex": "Nam", "address": "3 Tràng Tiền, Hà Nội",
              "id_issue_date": None, "phone": "0912 345 678", "email": "binh@example.vn"}
    path = tmp_path / "nguoi-nop.json"
    path.write_text(json.dumps(person, ensure_ascii=False), encoding="utf-8")
    data = run_json("receive", "--procedure", RESIDENCE, "--applicant-json", str(path), "--received-at",
                    "2026-03-02 09:00", data_dir=office)
    assert data["applicant"] == {k: person[k] for k in APPLICANT_KEYS}
    shown = run_json("dossier", "show", data["code"], data_dir=office)
    assert shown["applicant"]["phone"] == "0912 345 678" and shown["applicant"]["email"] == "binh@example.vn"


@pytest.mark.parametrize("args", [
    ("--applicant-qr", "079190001234|Nguyễn|abc"),
    ("--applicant-qr", QR.replace("|Nữ|", "|Nam|")),  # CCCD 4th digit 1 = female
    ("--applicant-qr", QR, "--component", "99"),
    ("--applicant-qr", QR, "--received-at", "2099-01-01 08:00"),
    ("--applicant-json", "/nonexistent/nguoi-nop.json"),
])
def test_receive_errors(office, args):
    before = len(run_json("dossier", "list", "--limit", "1000", data_dir=office))
    result = run("receive", "--procedure", BIRTH, *args, "--json", data_dir=office)
    assert result.returncode == 1, result.stdout
    assert set(json.loads(result.stdout)) == {"error"}
    human = run("receive", "--procedure", BIRTH, *args, data_dir=office)
    assert human.returncode == 1 and human.stdout == ""
    lines = human.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi: ") and "Traceback" not in human.stderr
    assert len(run_json("dossier", "list", "--limit", "1000", data_dir=office)) == before


def test_receive_usage_errors(office):
    neither = run("receive", "--procedure", BIRTH, "--json", data_dir=office)
    assert neither.returncode == 2 and "error" in json.loads(neither.stdout)
    both = run("receive", "--procedure", BIRTH, "--applicant-qr", QR, "--applicant-json", "x.json",
               data_dir=office)
    assert both.returncode == 2
    negative = run("receive", "--procedure", BIRTH, "--applicant-qr", QR, "--component", "-1",
                   data_dir=office)
    assert negative.returncode == 2


def test_print_forms(office, tmp_path):
    code = receive(office, "--received-at", "2026-03-18 09:00")["code"]
    for form in ("01", "05"):
        out = tmp_path / f"mau-{form}.pdf"
        data = run_json("print", form, code, "--out", str(out), data_dir=office)
        assert data == {"form": form, "code": code, "out": str(out.resolve())}
        assert out.read_bytes().startswith(b"%PDF")
        text = pdf_text(out)
        assert code in text and NAME in text
    for form in ("02", "03", "04"):  # nothing was asked, refused or postponed: no such slip
        refused = run("print", form, code, "--out", str(tmp_path / f"mau-{form}.pdf"), "--json",
                      data_dir=office)
        assert refused.returncode == 1 and "error" in json.loads(refused.stdout)
        assert not (tmp_path / f"mau-{form}.pdf").exists()
    human = run("print", "1", code, "--out", str(tmp_path / "lai.pdf"), data_dir=office)
    assert human.returncode == 0 and "Đã in Mẫu 01" in human.stdout
    missing = run("print", "01", "000.00.12.H29-990101-0001", "--out", str(tmp_path / "x.pdf"), "--json",
                  data_dir=office)
    assert missing.returncode == 1 and "error" in json.loads(missing.stdout)
    assert not (tmp_path / "x.pdf").exists()


def test_return(office):
    code = receive(office, "--received-at", "2026-03-18 09:00")["code"]
    early = run("return", code, "--collected-by", NAME, "--json", data_dir=office)
    assert early.returncode == 1 and "status 2" in json.loads(early.stdout)["error"]
    assert run_json("done", code, "--at", "18/03/2026 15:00", data_dir=office) == {"code": code, "status": 9}
    data = run_json("return", code, "--collected-by", NAME, "--at", "2026-03-18 16:00", data_dir=office)
    assert data == {"code": code, "status": 10, "returned_at": "2026-03-18 16:00", "returned_to": NAME,
                    "result_record": None}
    shown = run_json("dossier", "show", code, data_dir=office)
    assert (shown["status"], shown["returned_at"], shown["returned_to"]) == (10, "2026-03-18 16:00", NAME)
    assert [h["status"] for h in shown["history"]] == [2, 9, 10]
    again = run("return", code, "--collected-by", NAME, data_dir=office)
    assert again.returncode == 1 and "đã được trả kết quả" in again.stderr
    listed = run_json("dossier", "list", "--status", "10", data_dir=office)
    assert code in [d["code"] for d in listed]


def test_return_human_output(office):
    code = receive(office, "--received-at", "2026-03-18 09:00")["code"]
    run_json("done", code, "--at", "2026-03-18 15:00", data_dir=office)
    result = run("return", code, "--collected-by", "Trần Văn Bình", "--at", "2026-03-19 08:00",
                 data_dir=office)
    assert result.returncode == 0, result.stderr
    assert f"Đã trả kết quả hồ sơ {code} cho Trần Văn Bình lúc 19/03/2026 08:00." in result.stdout


def _result_pdf(path: Path, pages: int) -> Path:
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    pdf.docinfo["/Title"] = path.stem
    pdf.save(path, deterministic_id=True)
    return path


def test_return_digitises_the_result(office, tmp_path):
    """``return --result-pdf`` hands the result over and stores it in the applicant's warehouse."""
    code = receive(office, "--received-at", "2026-03-18 09:00")["code"]
    run_json("done", code, "--at", "2026-03-18 15:00", data_dir=office)
    pdf = _result_pdf(tmp_path / "giay khai sinh.pdf", pages=2)
    data = run_json("return", code, "--collected-by", NAME, "--at", "2026-03-18 16:00",
                    "--result-pdf", str(pdf), "--result-number", "88", "--result-symbol", "2026/KS",
                    "--result-issued", "18/03/2026", "--result-signer", "Trần Văn Bình",
                    "--result-type", "KQ.G15.000031", data_dir=office)
    assert set(data) == {"code", "status", "returned_at", "returned_to", "result_record"}
    assert data["status"] == 10 and data["result_record"].startswith("KHO-")
    found = run_json("warehouse", "search", "--owner", "079190001234", "--text", "88", data_dir=office)
    record = next(r for r in found["records"] if r["record_id"] == data["result_record"])
    assert (record["type_code"], record["number"], record["symbol"], record["pages"]) == \
        ("KQ.G15.000031", "88", "2026/KS", 2)
    assert (record["issued_on"], record["signer"]) == ("2026-03-18", "Trần Văn Bình")
    assert record["source"] == {"kind": "result", "ref": f"{code}#KQ"}
    assert record["owner"]["name"] == NAME

    # a broken file: nothing returned, Vietnamese on stderr, English in --json
    other = receive(office, "--received-at", "2026-03-18 09:00")["code"]
    run_json("done", other, "--at", "2026-03-18 15:00", data_dir=office)
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"not a pdf")
    human = run("return", other, "--collected-by", NAME, "--result-pdf", str(bad), data_dir=office)
    assert human.returncode == 1 and "Tệp không phải là tệp PDF" in human.stderr
    as_json = run("return", other, "--collected-by", NAME, "--result-pdf", str(bad), "--json",
                  data_dir=office)
    assert as_json.returncode == 1 and json.loads(as_json.stdout) == {"error": "the file is not a PDF"}
    assert run_json("dossier", "show", other, data_dir=office)["status"] == 9
    usage = run("return", other, "--collected-by", NAME, "--result-number", "1", data_dir=office)
    assert usage.returncode == 2 and "--result-pdf" in usage.stderr + usage.stdout


def test_users(tmp_path):
    folder = tmp_path / "users"
    run_json("init", data_dir=folder)
    assert run_json("user", "list", data_dir=folder) == []
    added = run("user", "add", "quantri", "--role", "admin", "--full-name", "Nguyễn Văn Quản",
                "--password-stdin", "--json", data_dir=folder, stdin="mật khẩu đủ dài\n")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout) == {"username": "quantri", "full_name": "Nguyễn Văn Quản",
                                        "role": "admin"}
    clerk = run("user", "add", "mai", "--role", "clerk", "--full-name", "Phạm Thị Mai", data_dir=folder,
                stdin="mat khau 12345\n")
    assert clerk.returncode == 0 and "Đã tạo tài khoản “mai”" in clerk.stdout
    users = run_json("user", "list", data_dir=folder)
    assert [(u["username"], u["role"], u["active"]) for u in users] == [("mai", "clerk", True),
                                                                       ("quantri", "admin", True)]
    assert set(users[0]) == {"username", "full_name", "role", "active", "created_at", "last_login_at"}
    short = run("user", "add", "ngan", "--role", "officer", "--full-name", "Ngắn", "--password-stdin",
                "--json", data_dir=folder, stdin="123\n")
    assert short.returncode == 1 and "password" in json.loads(short.stdout)["error"]
    duplicate = run("user", "add", "mai", "--role", "officer", "--full-name", "Mai", "--password-stdin",
                    data_dir=folder, stdin="mat khau 12345\n")
    assert duplicate.returncode == 1 and "đã có người dùng" in duplicate.stderr
    bad_role = run("user", "add", "x1", "--role", "boss", "--full-name", "X", data_dir=folder, stdin="x\n")
    assert bad_role.returncode == 2
    human = run("user", "list", data_dir=folder)
    assert "Quản trị viên" in human.stdout and "Tổng cộng: 2 tài khoản." in human.stdout


def test_receipt_failure_keeps_the_dossier(office, tmp_path):
    folder = tmp_path / "a folder, not a file"
    folder.mkdir()
    result = run("receive", "--procedure", BIRTH, "--applicant-qr", QR, "--received-at", "2026-03-18 09:00",
                 "--receipt", str(folder), "--json", data_dir=office)
    assert result.returncode == 0  # stored: a script that retries on failure must not receive it twice
    answer = json.loads(result.stdout)
    code = answer["code"]  # the code is never hidden behind the error
    assert f"motcua print 01 {code}" in answer["warnings"][0]
    assert f"motcua print 01 {code}" in result.stderr
    assert run_json("dossier", "show", code, data_dir=office)["status"] == 2
    assert not list(tmp_path.rglob("*.part"))

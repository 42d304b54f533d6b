"""``motcua handover / supplement / refuse / postpone / stop / withdraw / done / return``: every action
from every status through the command's entry point (in-process), and the life of one dossier
through the real command (subprocesses)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata
from datetime import date, datetime, time, timedelta
from io import BytesIO
from itertools import product
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.cli import main
from app.core.calendar import WorkCalendar
from app.core.clock import vn_today
from app.core.dossier import Channel, DossierStatus, StatusChange, SupplementRequest
from app.core.lifecycle import ACTIONS, Action
from app.services.admin.auth import SYSTEM_OFFICER, create_user
from app.services.admin.counter_officer import set_default_officer
from app.services.context import AppContext
from app.store.repositories import DossierRepository

BIN = Path(sys.executable).with_name("motcua.exe" if os.name == "nt" else "motcua")
COMMAND = [str(BIN)] if BIN.exists() else ([shutil.which("motcua")] if shutil.which("motcua")
                                            else [sys.executable, "-m", "app.cli"])
QR = ("079190001234|281234567|Nguyễn Thị Thu Hà|12031990|Nữ|"
      "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh|01072021")
RESIDENCE = "1.004222"  # thường trú: 7 working days
S = DossierStatus
PATHS: dict[S, list[tuple[S, str]]] = {
    S.REGISTERED: [], S.RECEIVED: [], S.REJECTED: [(S.REJECTED, "refuse")],
    S.PROCESSING: [(S.PROCESSING, "handover")],
    S.SUPPLEMENT_REQUESTED: [(S.PROCESSING, "handover"), (S.SUPPLEMENT_REQUESTED, "supplement_request")],
    S.PAYMENT_REQUESTED: [(S.PROCESSING, "handover"), (S.PAYMENT_REQUESTED, "")],
    S.WITHDRAWN: [(S.WITHDRAWN, "withdraw")], S.STOPPED: [(S.STOPPED, "stop")],
    S.DONE: [(S.PROCESSING, "handover"), (S.DONE, "done")],
    S.RETURNED: [(S.PROCESSING, "handover"), (S.DONE, "done"), (S.RETURNED, "return")],
}


def next_working_morning(after: date) -> datetime:
    return datetime.combine(WorkCalendar().next_working_day(after), time(10, 0))


def in_process(capsys, data_dir: Path, *args: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    code = main(["--data-dir", str(data_dir), *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("office")
    assert main(["--data-dir", str(folder), "init", "--json"]) == 0
    add_default_officer(folder)
    return folder


def add_default_officer(folder: Path) -> None:
    """`motcua receive` acts as a real officer: the station's default one."""
    with AppContext.open(folder) as ctx:
        create_user(ctx, "binh", "Trần Văn Bình", "mat khau 12345", "officer", by=SYSTEM_OFFICER)
        set_default_officer(ctx, "binh", SYSTEM_OFFICER)


def dossier_in(capsys, office: Path, status: S) -> str:  # type: ignore[no-untyped-def]
    code, data = in_process(capsys, office, "receive", "--procedure", RESIDENCE, "--applicant-qr", QR,
                            "--received-at", "2025-03-18 09:00")
    assert code == 0, data
    received = datetime(2025, 3, 18, 9, 0)
    with AppContext.open(office) as ctx, ctx.session(write=True) as session:
        repo = DossierRepository(session)
        d = repo.get(data["code"])
        if status is S.REGISTERED:
            d.channel = Channel.ONLINE
            d.history = [StatusChange(received, S.REGISTERED, "", "Nộp trực tuyến")]
        for hour, (step, action) in enumerate(PATHS[status], start=1):
            d.history.append(StatusChange(received + timedelta(hours=hour), step, "Trần Văn Bình",
                                          action=action))
        if status is S.SUPPLEMENT_REQUESTED:
            d.supplements.append(SupplementRequest(d.history[-1].at, "Thiếu giấy", ["Giấy tờ"],
                                                   "Trần Văn Bình", id="yc-1", previous_due_at=d.due_at))
        d.status = status
        repo.update(d)
    return data["code"]


COMMANDS: dict[Action, list[str]] = {
    Action.HANDOVER: ["handover", "{code}", "--to", "Phòng Tư pháp"],
    Action.DONE: ["done", "{code}"],
    Action.SUPPLEMENT_REQUEST: ["supplement", "request", "{code}", "--item", "Bản sao CCCD",
                                "--reason", "Thiếu"],
    Action.SUPPLEMENT_RECEIVE: ["supplement", "receive", "{code}"],
    Action.REFUSE: ["refuse", "{code}", "--reason", "Không thuộc thẩm quyền"],
    Action.POSTPONE: ["postpone", "{code}", "--new-due", "{new_due}", "--reason", "Chờ xác minh"],
    Action.STOP: ["stop", "{code}", "--reason", "Dừng theo đề nghị"],
    Action.WITHDRAW: ["withdraw", "{code}", "--reason", "Công dân xin rút"],
    Action.RETURN: ["return", "{code}", "--collected-by", "Nguyễn Thị Thu Hà"],
}
KEYS = {Action.SUPPLEMENT_RECEIVE: {"code", "status", "due_at", "previous_due_at"},
        Action.POSTPONE: {"code", "due_at"},
        Action.RETURN: {"code", "status", "returned_at", "returned_to", "result_record"}}


def test_every_action_from_every_status(capsys, office):
    """The CLI offers every action but ``accept`` (online dossiers come through the sync) and
    ``receive`` (its own command); each is allowed exactly from the statuses of the table."""
    new_due = next_working_morning(vn_today()).strftime("%d/%m/%Y %H:%M")
    for action, status in product(COMMANDS, S):
        code = dossier_in(capsys, office, status)
        if action is Action.RETURN:  # a fee-bearing dossier is returned once its fee is settled
            assert in_process(capsys, office, "fee", "pay", code, "--amount", "0", "--method", "exempt",
                              "--reason", "Miễn theo quy định")[0] == 0
        argv = [part.format(code=code, new_due=new_due) for part in COMMANDS[action]]
        exit_code, data = in_process(capsys, office, *argv)
        rule = ACTIONS[action]
        if status not in rule.sources:
            assert exit_code == 1 and set(data) == {"error"}, (action, status, data)
            assert f"status {int(status)}" in data["error"]
            _, shown = in_process(capsys, office, "dossier", "show", code)
            assert shown["status"] == int(status)
            continue
        assert exit_code == 0, (action, status, data)
        assert set(data) == KEYS.get(action, {"code", "status"}), action
        _, shown = in_process(capsys, office, "dossier", "show", code)
        expected = rule.target if rule.target is not None else S.PROCESSING
        assert shown["status"] == int(expected)
        if "status" in data:
            assert data["status"] == int(expected)
        last = shown["history"][-1]
        assert set(last) == {"at", "action", "status", "officer", "reason"}
        assert last["action"] == action.value and last["officer"]


def test_errors_are_json_and_exit_1(capsys, office):
    code = dossier_in(capsys, office, S.RECEIVED)
    for argv in (["refuse", code, "--reason", "  "],
                 ["handover", code, "--to", "X", "--at", "31/02/2026 10:00"],
                 ["handover", "000.00.12.H29-990101-0001", "--to", "X"]):
        exit_code, data = in_process(capsys, office, *argv)
        assert exit_code == 1 and set(data) == {"error"} and data["error"], argv
    _, shown = in_process(capsys, office, "dossier", "show", code)
    assert shown["status"] == 2 and len(shown["history"]) == 1


# --------------------------------------------------------------------------- the real command


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    environment["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run([*COMMAND, "--data-dir", str(data_dir), *args], capture_output=True, text=True,
                          encoding="utf-8", env=environment, timeout=180)


def run_json(data_dir: Path, *args: str):  # type: ignore[no-untyped-def]
    result = run(data_dir, *args, "--json")
    assert result.returncode == 0, result.stderr + result.stdout
    return json.loads(result.stdout)


def pdf_text(path: Path) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(path.read_bytes())).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_the_life_of_a_dossier(tmp_path):
    data = tmp_path / "data"
    assert run_json(data, "init")["procedures"] == 35
    add_default_officer(data)
    received = run_json(data, "receive", "--procedure", RESIDENCE, "--applicant-qr", QR,
                        "--received-at", "02/03/2026 08:00")
    code, first_due = received["code"], received["due_at"]

    early = run(data, "return", code, "--collected-by", "Nguyễn Thị Thu Hà", "--json")
    assert early.returncode == 1 and "status 2" in json.loads(early.stdout)["error"]
    assert run_json(data, "dossier", "show", code)["status"] == 2  # nothing invented

    assert run_json(data, "handover", code, "--to", "Công chức Tư pháp - Hộ tịch",
                    "--at", "2026-03-02 09:00") == {"code": code, "status": 4}
    mau02 = tmp_path / "mau-02.pdf"
    assert run_json(data, "supplement", "request", code, "--item", "Bản sao Giấy khai sinh",
                    "--item", "Giấy xác nhận tình trạng hôn nhân", "--reason", "Thiếu giấy tờ hộ tịch",
                    "--at", "03/03/2026 09:00", "--out", str(mau02)) == {"code": code, "status": 5}
    text = pdf_text(mau02)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text and code in text
    assert "Bản sao Giấy khai sinh" in text and "Giấy xác nhận tình trạng hôn nhân" in text
    assert "Lý do: Thiếu giấy tờ hộ tịch" in text

    paused = [d["code"] for d in run_json(data, "dossier", "list", "--due", "paused")]
    overdue = [d["code"] for d in run_json(data, "dossier", "list", "--due", "overdue")]
    assert code in paused and code not in overdue  # its appointment is past, but the clock is stopped

    back = run_json(data, "supplement", "receive", code, "--at", "2026-03-10 09:00")
    assert back["code"] == code and back["status"] == 4 and back["previous_due_at"] == first_due
    new_due = datetime.strptime(back["due_at"], "%Y-%m-%d %H:%M")
    assert new_due > datetime.strptime(first_due, "%Y-%m-%d %H:%M")
    calendar = WorkCalendar()
    assert calendar.is_working_day(new_due.date())
    assert time(7, 0) < new_due.time() <= time(11, 30) or time(13, 30) < new_due.time() <= time(17, 0)
    assert code in [d["code"] for d in run_json(data, "dossier", "list", "--due", "overdue")]

    past = run(data, "postpone", code, "--new-due", "2026-03-01 10:00", "--reason", "Chờ xác minh", "--json")
    assert past.returncode == 1 and "error" in json.loads(past.stdout)
    later = next_working_morning(vn_today())
    mau04 = tmp_path / "mau-04.pdf"
    assert run_json(data, "postpone", code, "--new-due", later.strftime("%d/%m/%Y %H:%M"),
                    "--reason", "Chờ kết quả xác minh của Công an phường", "--out", str(mau04)) == {
        "code": code, "due_at": later.strftime("%Y-%m-%d %H:%M")}
    assert run_json(data, "dossier", "show", code)["due_at"] == later.strftime("%Y-%m-%d %H:%M")
    text = pdf_text(mau04)
    assert f"ngày {later:%d} tháng {later:%m} năm {later:%Y}" in text
    assert "Lý do: Chờ kết quả xác minh của Công an phường" in text

    assert run_json(data, "done", code) == {"code": code, "status": 9}
    assert run_json(data, "fee", "pay", code, "--amount", "20000", "--method", "cash", "--receipt-no",
                    "BL-000123") == {"code": code, "paid": True, "due_amount": 0}
    returned = run_json(data, "return", code, "--collected-by", "Nguyễn Thị Thu Hà",
                        "--collector-id", "079190001234")
    assert returned["status"] == 10

    shown = run_json(data, "dossier", "show", code)
    assert [(h["action"], h["status"]) for h in shown["history"]] == [
        ("receive", 2), ("handover", 4), ("supplement_request", 5), ("supplement_receive", 4),
        ("postpone", 4), ("done", 9), ("return", 10)]
    assert all(h["officer"] for h in shown["history"])
    assert shown["history"][2]["reason"] == "Thiếu giấy tờ hộ tịch"
    assert shown["history"][4]["reason"] == "Chờ kết quả xác minh của Công an phường"

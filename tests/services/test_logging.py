"""Structured, rotated, masked logs and the diagnostics zip that carries no personal data."""

from __future__ import annotations

import json
import logging
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import insert

from app.cli import main as cli_main
from app.core.errors import ValidationError
from app.core.privacy import mask_personal_data
from app.core.text import fold
from app.services.admin.diagnostics import collect_diagnostics
from app.services.admin.logging_setup import configure_logging, log_path, make_handler, remove_logging
from app.services.context import AppContext
from app.services.reception.receive import ReceiveRequest, receive_dossier
from app.store.models import DossierRow
from app.store.repositories import SettingsRepository
from tests.services.test_reception import BIRTH, OFFICER, QR, applicant

CCCD, CMND, NAME = "079190001234", "281234567", "Nguyễn Thị Thu Hà"
PHONE, EMAIL = "0912345678", "thuha.nguyen@example.com"
ADDRESS = "12 Lê Lợi, Phường Sài Gòn"


@pytest.fixture
def logged(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = configure_logging(tmp_path)
    yield path
    remove_logging()


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize(("text", "masked"), [
    (f"CCCD {CCCD}", "CCCD 0791******34"),
    (f"CMND {CMND}.", "CMND 281****67."),
    ("gọi 0912 345 678 hoặc +84 912.345.678", "gọi 0912****78 hoặc +84912****78"),
    (f"thư {EMAIL}", "thư t***@example.com"),
    ("mã hồ sơ 000.00.22.H12-250318-0001 lúc 2025-03-18 10:30:00", None),
    ("sha 5f2b9c0e1234567890ab1234567890cd", None),
])
def test_masking(text: str, masked: str | None) -> None:
    assert mask_personal_data(text) == (text if masked is None else masked)


@given(st.from_regex(r"0[0-9]{11}", fullmatch=True), st.text(max_size=30), st.text(max_size=30))
def test_no_twelve_digit_number_survives(number: str, before: str, after: str) -> None:
    masked = mask_personal_data(f"{before} {number} {after}")
    assert number not in masked


def test_json_lines_with_masked_message_arguments_and_traceback(logged: Path) -> None:
    log = logging.getLogger("app.test")
    try:
        raise ValueError(f"bad card {CCCD} phone {PHONE}")
    except ValueError:
        log.exception("receive failed for %s (%s)", CCCD, EMAIL, extra={"dossier": "X-250318-0001"})
    log.info("plain %d", 5)
    records = _records(logged)
    assert [r["level"] for r in records] == ["ERROR", "INFO"]
    first = records[0]
    assert set(first) >= {"ts", "level", "logger", "msg", "pid", "thread", "exc", "dossier"}
    assert first["msg"] == "receive failed for 0791******34 (t***@example.com)"
    assert "Traceback" in first["exc"] and "0791******34" in first["exc"] and "0912****78" in first["exc"]
    raw = logged.read_text(encoding="utf-8")
    assert CCCD not in raw and PHONE not in raw and EMAIL not in raw


def test_rotates_at_the_size_limit_keeping_five(tmp_path: Path) -> None:
    handler = make_handler(tmp_path)
    handler.maxBytes = 2000  # type: ignore[attr-defined]
    log = logging.getLogger("app.rotation")
    log.addHandler(handler)
    log.propagate = False
    try:
        for n in range(400):
            log.warning("line %d %s", n, "x" * 50)
    finally:
        log.removeHandler(handler)
        handler.close()
        log.propagate = True
    names = sorted(p.name for p in log_path(tmp_path).parent.iterdir())
    assert names == ["motcua.log", *[f"motcua.log.{n}" for n in range(1, 6)]]


def test_cli_unexpected_error_is_logged_masked(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    def boom(*_args: object) -> int:
        raise RuntimeError(f"kaboom for {CCCD}")

    monkeypatch.setattr("app.cli.maintenance.cmd_verify", boom)
    argv = ["--data-dir", str(tmp_path), "verify", "--json"]
    monkeypatch.setattr("sys.argv", ["motcua", *argv])
    code = cli_main(argv)
    assert code == 1
    out = json.loads(capsys.readouterr().out)
    assert "unexpected error" in out["error"]
    records = _records(log_path(tmp_path))
    assert records[-1]["msg"] == "unexpected error in `motcua verify`"
    assert "Traceback" in records[-1]["exc"] and CCCD not in log_path(tmp_path).read_text(encoding="utf-8")


def test_diagnostics_zip_has_no_personal_data(app_ctx: AppContext, tmp_path: Path) -> None:
    """GIVEN a dossier of a known person, and logs from a failed input, a database error, a CLI crash
    and a line an older version wrote unmasked WHEN diagnostics are collected THEN none of the
    person's identifiers, name, phone, e-mail or address is anywhere in the zip."""
    person = applicant()
    assert person.full_name == NAME and person.id_number == CCCD and QR
    from dataclasses import replace

    person = replace(person, phone=PHONE, email=EMAIL, address=ADDRESS)
    configure_logging(app_ctx.data_dir)
    try:
        _log_and_collect(app_ctx, person, tmp_path)
    finally:
        remove_logging()


def _log_and_collect(app_ctx: AppContext, person, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    dossier = receive_dossier(app_ctx, ReceiveRequest(BIRTH, person), OFFICER)
    log = logging.getLogger("app.ui.main_window")
    try:
        receive_dossier(app_ctx, ReceiveRequest(BIRTH, replace(person, phone="09123 bad 45678x")), OFFICER)
    except ValidationError as error:
        log.warning("%s", error)  # what MainWindow.show_error logs
    try:
        with app_ctx.session(write=True) as session:  # a database error carrying the row's values
            session.execute(insert(DossierRow).values(code=dossier.code, applicant_name=NAME, id_number=CCCD))
    except Exception as error:
        log.error("unexpected error", exc_info=error)
    with log_path(app_ctx.data_dir).open("a", encoding="utf-8") as f:
        f.write(json.dumps({"msg": f"old version line {CCCD} {PHONE} {EMAIL}"}) + "\n")
    with app_ctx.session(write=True) as session:
        SettingsRepository(session).set("agency.head_name", "Phạm Văn Trưởng")
        SettingsRepository(session).set("sync.api_token", "tok-s3cr3t")
    out = tmp_path / "support" / "diag.zip"
    result = collect_diagnostics(app_ctx, out)
    assert result.verify_ok is True
    wanted = {"README.txt", "versions.json", "settings.json", "verify.json", "logs/motcua.log"}
    assert wanted <= set(result.files)
    with zipfile.ZipFile(out) as zf:
        content = "\n".join(zf.read(name).decode("utf-8") for name in zf.namelist())
        settings = json.loads(zf.read("settings.json"))
    assert "unexpected error" in content and "0791******34" in content  # the logs are there, masked
    for secret in (CCCD, NAME, fold(NAME), PHONE, EMAIL, ADDRESS, CMND, "Lê Lợi"):
        assert secret not in content, secret
    assert settings["agency.code"] == app_ctx.settings().agency_code
    assert settings["agency.head_name"] == settings["sync.api_token"] == "<đã ẩn>"
    assert "Trưởng" not in content and "tok-s3cr3t" not in content

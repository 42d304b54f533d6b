"""Fees: a cash payment with its e-receipt, a payment made online that the province reports, and the
return of an unpaid fee-bearing dossier refused (then allowed once exempted with a reason)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main as motcua
from app.core.errors import InvalidTransitionError, ValidationError
from app.services.admin.auth import SYSTEM_OFFICER
from app.services.online.fees import fee_state, pay
from app.services.reception import handover
from app.services.sync.runs import configure, sync_once
from tests.sync.conftest import catalogue_file  # noqa: F401 - the fixture
from tests.sync.helpers import (
    PROCEDURES,
    catalogue_records,
    new_agency,
    open_station,
    receive,
    running_server,
)

FEE_PROCEDURE = PROCEDURES[1]  # 20.000 đồng at the counter


@pytest.fixture(autouse=True)
def _token_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from app.sync.secrets import ENV_BACKEND, ENV_SECRET_DIR

    monkeypatch.setenv(ENV_BACKEND, "file")
    monkeypatch.setenv(ENV_SECRET_DIR, str(tmp_path / "machine-secret"))


def fee_pay(data: str, *args: str) -> int:
    return motcua(["--data-dir", data, "--json", "fee", "pay", *args])


def test_cash_payment_and_unpaid_return(tmp_path: Path, catalogue_file: Path,  # noqa: F811
                                        capsys: pytest.CaptureFixture[str]):
    ctx = open_station(tmp_path / "data", "000.00.12.H29", catalogue_file)
    try:
        d = receive(ctx, 1, FEE_PROCEDURE)
        assert d.fee_vnd == 20000
        unpaid = receive(ctx, 2, FEE_PROCEDURE)
        for code in (d.code, unpaid.code):
            handover.mark_done(ctx, code, SYSTEM_OFFICER)
        with pytest.raises(InvalidTransitionError) as refused:
            handover.return_result(ctx, unpaid.code, "Nguyễn Văn Thử 2", SYSTEM_OFFICER)
        assert "chưa nộp đủ phí" in refused.value.message_vi and "20.000" in refused.value.message_vi
        with pytest.raises(ValidationError):
            pay(ctx, unpaid.code, 0, "exempt", SYSTEM_OFFICER)  # an exemption needs its reason

        data = str(tmp_path / "data")
        assert fee_pay(data, d.code, "--amount", "10000",
                       "--method", "cash", "--receipt-no", "BL-0001") == 0
        assert json.loads(capsys.readouterr().out) == {"code": d.code, "paid": False,
                                                       "due_amount": 10000}
        assert fee_pay(data, d.code, "--amount", "10000",
                       "--method", "cash", "--receipt-no", "BL-0002") == 0
        assert json.loads(capsys.readouterr().out) == {"code": d.code, "paid": True, "due_amount": 0}
        assert [p.receipt_no for p in fee_state(ctx, d.code).payments] == ["BL-0001", "BL-0002"]
        assert fee_pay(data, d.code, "--amount", "-5",
                       "--method", "cash") == 1
        assert "error" in json.loads(capsys.readouterr().out)
        assert handover.return_result(ctx, d.code, "Nguyễn Văn Thử 1", SYSTEM_OFFICER).status == 10

        state = pay(ctx, unpaid.code, 0, "exempt", SYSTEM_OFFICER, reason="Người có công với cách mạng")
        assert state.paid and state.exempt
        assert handover.return_result(ctx, unpaid.code, "Nguyễn Văn Thử 2", SYSTEM_OFFICER).status == 10
    finally:
        ctx.close()


@pytest.mark.slow
def test_online_payment_reported_by_the_province(tmp_path: Path, catalogue_file: Path):  # noqa: F811
    with running_server(tmp_path / "province") as server:
        server.admin("PUT", "/catalogue", json={"DanhSachTTHC": catalogue_records()})
        agency = new_agency()
        _, token = server.station(agency)
        ctx = open_station(tmp_path / "data", agency, catalogue_file)
        try:
            configure(ctx, server_url=server.url, token=token)
            d = receive(ctx, 3, FEE_PROCEDURE)
            assert sync_once(ctx).failed == 0
            server.admin("POST", f"/dossiers/{d.code}/payment",
                         json={"SoTien": 20000, "HinhThuc": 2, "SoBienLai": "DVC-778"})
            assert sync_once(ctx).received == 1
            state = fee_state(ctx, d.code)
            assert (state.paid, state.online, state.payments[-1].source) == (True, 2, "province")
            assert state.payments[-1].receipt_no == "DVC-778"
        finally:
            ctx.close()

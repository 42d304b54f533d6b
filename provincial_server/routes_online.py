"""Online dossiers: the citizen portal's submission (channel 2, status 1) and the station's read of
one, with its applicant, when the change feed announces it (``Loai`` = ``TrucTuyen``)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from provincial_server import online
from provincial_server.app import ERRORS, ApiError, Caller, state_of
from provincial_server.routes_dossiers import CodePath, dossier_view, load
from provincial_server.schemas import Error, OnlineDossier, OnlineDossierCreated, OnlineDossierIn

router = APIRouter(tags=["online"])


@router.post(
    "/online-dossiers",
    response_model=OnlineDossierCreated,
    status_code=201,
    responses={422: {"model": Error}, **ERRORS},
    summary="A dossier submitted online by a citizen (the portal's side; channel 2, status 1)",
)
def submit_online(request: Request, body: OnlineDossierIn, caller: Caller) -> JSONResponse:
    """Creates the dossier for the caller's agency with the files as its components; the agency's
    stations learn of it on ``/changes`` (``Loai`` = ``TrucTuyen``)."""
    server = state_of(request)
    if not server.store.procedure_known(body.MaTTHC):
        raise ApiError(422, "unknown_procedure", f"procedure {body.MaTTHC} is not in the catalogue",
                       f"Thủ tục {body.MaTTHC} không có trong danh mục của tỉnh.")
    files: list[tuple[str, bytes, str | None]] = []
    for entry in body.TepDinhKem:
        try:
            data = base64.b64decode(entry.NoiDung, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(422, "bad_file", f"{entry.TenTep}: not base64",
                           f"Tệp {entry.TenTep} không đúng định dạng base64.") from None
        files.append((entry.TenTep, data, entry.MaThanhPhanHoSo))
    applicant = {k: v for k, v in body.NguoiNop.items() if v is not None}
    try:
        code = online.submit(server.store, server.clock.now().replace(tzinfo=None), caller["agency"],
                             body.MaTTHC, applicant, files, vneid=bool(body.XacThucVNeID))
    except ValueError as exc:
        raise ApiError(422, "bad_applicant", str(exc), "Thiếu họ tên người nộp hồ sơ.") from None
    return JSONResponse({"MaHoSo": code}, status_code=201)


@router.get(
    "/online-dossiers/{MaHoSo}",
    response_model=OnlineDossier,
    responses={404: {"model": Error}, **ERRORS},
    summary="An online dossier with its applicant, as the station takes it in",
)
def get_online(request: Request, MaHoSo: CodePath, caller: Caller) -> dict[str, Any]:  # noqa: N803
    server = state_of(request)
    with server.store.read() as db:
        view = dossier_view(db, load(db, MaHoSo, caller["agency"]))
    found = online.applicant_of(server.store, MaHoSo)
    if found is None:
        raise ApiError(404, "dossier_not_found", f"{MaHoSo} was not submitted online",
                       f"Hồ sơ {MaHoSo} không phải hồ sơ nộp trực tuyến.")
    applicant, vneid = found
    return {"HoSo": view, "NguoiNop": applicant, "XacThucVNeID": vneid}

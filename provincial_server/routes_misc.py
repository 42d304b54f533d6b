"""Station check, server time, the change feed, the catalogue and the calendar."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from provincial_server.app import ERRORS, TIME_FORMAT, Caller, state_of
from provincial_server.schemas import Calendar, Catalogue, ChangePage, ServerTime, StationInfo

router = APIRouter()


@router.post(
    "/auth/check",
    response_model=StationInfo,
    responses=ERRORS,
    tags=["station"],
    summary="Check the station token",
)
def auth_check(caller: Caller) -> dict[str, Any]:
    expires = caller["expires_at"]
    return {
        "MaTram": caller["id"],
        "TenTram": caller["name"],
        "MaDonVi": caller["agency"],
        "HetHan": datetime.fromisoformat(expires).strftime(TIME_FORMAT) if expires else None,
    }


@router.get(
    "/time",
    response_model=ServerTime,
    responses=ERRORS,
    tags=["station"],
    summary="The server's clock (Vietnam time) and epoch milliseconds",
)
def server_time(request: Request, caller: Caller) -> dict[str, Any]:
    clock = state_of(request).clock
    return {
        "ThoiGianMayChu": clock.text(),
        "EpochMs": int((time.time() + clock.skew) * 1000),
        "MuiGio": "Asia/Ho_Chi_Minh",
    }


@router.get(
    "/changes",
    response_model=ChangePage,
    responses=ERRORS,
    tags=["pull"],
    summary="Changes made upstream (status, supplement requests, results, appointments)",
)
def changes(
    request: Request,
    caller: Caller,
    since: Annotated[int, Query(ge=0, le=2**62, description="the last TiepTheo received")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Only the province's own changes, for the dossiers of the station's agency, oldest first."""
    records, cursor, more = state_of(request).store.changes(caller["agency"], since, limit)
    return {"ThayDoi": records, "TiepTheo": cursor, "ConNua": more}


@router.get(
    "/catalogue",
    response_model=Catalogue,
    tags=["pull"],
    responses={304: {"description": "not modified (If-None-Match matched the ETag)"}, **ERRORS},
    summary="The province's procedure catalogue (ETag / If-None-Match)",
)
def catalogue(
    request: Request,
    caller: Caller,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match", max_length=200)] = None,
) -> Response:
    records, version = state_of(request).store.catalogue()
    etag = f'"{version}"'
    if if_none_match is not None and if_none_match.strip() == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return JSONResponse({"DanhSachTTHC": records, "PhienBan": version}, headers={"ETag": etag})


@router.get(
    "/calendar/{year}",
    response_model=Calendar,
    responses=ERRORS,
    tags=["pull"],
    summary="The province's days off and worked days of a year",
)
def calendar(
    request: Request, year: Annotated[int, Path(ge=2000, le=2100)], caller: Caller
) -> dict[str, Any]:
    return {"Nam": year, "DanhSachNgay": state_of(request).store.calendar(year)}

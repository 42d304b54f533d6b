"""Dossiers: create or update with an idempotency key, read back, status changes (with conflicts)."""

from __future__ import annotations

import json
import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import JSONResponse

from provincial_server.app import ERRORS, ApiError, Caller, request_hash, state_of
from provincial_server.schemas import Conflict, Dossier, DossierIn, Error, StatusResult, TienDo, UpsertResult
from provincial_server.store import Store, dumps

router = APIRouter(tags=["dossiers"])
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=64,
        pattern=r"^[0-9A-Za-z:._\-]+$",
        description="stable per operation: a repeat is answered as the first",
    ),
]
CodePath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z.\-_]+$")]
#: Province-owned fields: a dossier upsert from the counter never overwrites them.
PROVINCE_FIELDS = (
    "NgayHenTra",
    "NgayTra",
    "ThongTinTra",
    "HinhThuc",
    "DanhSachHoSoBoSung",
    "DanhSachGiayToKetQua",
)


def file_entries(db: sqlite3.Connection, code: str) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT sha256, info FROM files WHERE ma_ho_so = ? ORDER BY created_at, sha256", (code,)
    )
    out = []
    for row in rows:
        info = json.loads(row["info"])
        out.append(
            {
                "MaThanhPhanHoSo": info.get("MaThanhPhanHoSo"),
                "TenTepDinhKem": info["TenTep"],
                "TepDinhKemId": row["sha256"],
                "DuongDanTaiTepTin": f"/api/v1/files/{code}/{row['sha256']}",
                "DuocSoHoa": 1,
            }
        )
    return out


MAX_FILES = 200  # TaiLieuNop's maxItems: received components and the files held, together


def check_file_room(db: sqlite3.Connection, code: str, components: int | None = None,
                    adding: int = 0) -> None:
    """Refuse (413) what would give a dossier more TaiLieuNop entries than its schema allows."""
    if components is None:
        row = db.execute("SELECT record FROM dossiers WHERE ma_ho_so = ?", (code,)).fetchone()
        components = len(json.loads(row["record"]).get("TaiLieuNop", [])) if row is not None else 0
    held = db.execute("SELECT count(*) FROM files WHERE ma_ho_so = ?", (code,)).fetchone()[0]
    if components + held + adding > MAX_FILES:
        raise ApiError(
            413,
            "too_many_files",
            f"dossier {code} would hold {components + held + adding} files and components, "
            f"the limit is {MAX_FILES}",
            f"Hồ sơ {code} vượt quá {MAX_FILES} thành phần và tệp đính kèm.",
        )


def dossier_view(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """The dossier as the province holds it (schema ``HoSo``)."""
    record = json.loads(row["record"])
    province = json.loads(row["province"])
    for key in PROVINCE_FIELDS:
        if key in province:
            record[key] = province[key]
    record.setdefault("DanhSachHoSoBoSung", [])
    record.setdefault("DanhSachGiayToKetQua", [])
    record["TrangThaiHoSo"] = row["status"]
    record["PhienBan"] = row["version"]
    record["NgayCapNhat"] = province.get("NgayCapNhat") or record["NgayTiepNhan"]
    files = file_entries(db, row["ma_ho_so"])
    scanned = {f["MaThanhPhanHoSo"] for f in files}
    for entry in record.get("TaiLieuNop", []):
        if entry.get("MaThanhPhanHoSo") in scanned:
            entry["DuocSoHoa"] = 1  # a scan of the component arrived after the dossier
    record["TaiLieuNop"] = [*record.get("TaiLieuNop", []), *files]
    if files:
        record["HoSoCoThanhPhanSoHoa"] = 1
    return record


def load(db: sqlite3.Connection, code: str, agency: str) -> sqlite3.Row:
    row = db.execute("SELECT * FROM dossiers WHERE ma_ho_so = ?", (code,)).fetchone()
    if row is None or row["agency"] != agency:
        raise ApiError(
            404, "dossier_not_found", f"no dossier {code}", f"Không có hồ sơ {code} trên hệ thống tỉnh."
        )
    return row


def _replay(db: sqlite3.Connection, station_id: int, key: str, digest: str) -> JSONResponse | None:
    seen = Store.recall(db, station_id, key)
    if seen is None:
        return None
    if seen["request_sha256"] != digest:
        raise ApiError(
            422,
            "idempotency_key_reused",
            "this Idempotency-Key was used for another request",
            "Khóa chống trùng lặp đã được dùng cho một yêu cầu khác.",
        )
    db.execute(
        "UPDATE idempotency SET replays = replays + 1 WHERE station_id = ? AND key = ?", (station_id, key)
    )
    return JSONResponse(
        json.loads(seen["body"]), status_code=seen["status_code"], headers={"Idempotent-Replayed": "true"}
    )


@router.put(
    "/dossiers/{MaHoSo}",
    response_model=UpsertResult,
    status_code=200,
    responses={201: {"model": UpsertResult, "description": "created"}, **ERRORS},
    summary="Create or update a dossier (DongBoHoSoMC)",
)
def upsert_dossier(
    request: Request,
    MaHoSo: CodePath,  # noqa: N803 - the protocol's name
    body: DossierIn,
    key: IdempotencyKey,
    caller: Caller,
) -> JSONResponse:
    """The counter's fields are stored; the province's (status after creation, appointment, return,
    supplement requests, results) are kept. A repeated Idempotency-Key answers as the first time
    (header ``Idempotent-Replayed: true``)."""
    server = state_of(request)
    if body.MaHoSo != MaHoSo:
        raise ApiError(
            422,
            "code_mismatch",
            "MaHoSo of the path and of the body differ",
            "Mã hồ sơ trên đường dẫn và trong nội dung không khớp.",
        )
    if not MaHoSo.startswith(f"{caller['agency']}-"):
        raise ApiError(
            422,
            "wrong_agency",
            f"{MaHoSo} is not a dossier of agency {caller['agency']}",
            f"Hồ sơ {MaHoSo} không thuộc đơn vị {caller['agency']} của trạm.",
        )
    if not server.store.procedure_known(body.MaTTHC):
        raise ApiError(
            422,
            "unknown_procedure",
            f"procedure {body.MaTTHC} is not in the province's catalogue",
            f"Thủ tục {body.MaTTHC} không có trong danh mục của tỉnh.",
        )
    record = body.model_dump()
    digest = request_hash("PUT", MaHoSo, record)
    now = server.clock.now().replace(tzinfo=None).isoformat()
    with server.store.write() as db:
        replay = _replay(db, caller["id"], key, digest)
        if replay is not None:
            return replay
        check_file_room(db, MaHoSo, components=len(body.TaiLieuNop))
        row = db.execute("SELECT * FROM dossiers WHERE ma_ho_so = ?", (MaHoSo,)).fetchone()
        if row is None:
            province = {"NgayHenTra": body.NgayHenTra, "NgayCapNhat": server.clock.text()}
            db.execute(
                "INSERT INTO dossiers (ma_ho_so, agency, station_id, record, status, province, version, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (
                    MaHoSo,
                    caller["agency"],
                    caller["id"],
                    dumps(record),
                    body.TrangThaiHoSo,
                    dumps(province),
                    now,
                    now,
                ),
            )
            result, status_code = (
                {"MaHoSo": MaHoSo, "PhienBan": 1, "TaoMoi": True, "TrangThaiHoSo": body.TrangThaiHoSo},
                201,
            )
        else:
            if row["agency"] != caller["agency"]:
                raise ApiError(
                    422,
                    "wrong_agency",
                    f"{MaHoSo} belongs to another agency",
                    f"Hồ sơ {MaHoSo} thuộc đơn vị khác.",
                )
            province = json.loads(row["province"])
            province["NgayCapNhat"] = server.clock.text()
            version = row["version"] + 1
            db.execute(
                "UPDATE dossiers SET record = ?, province = ?, version = ?, updated_at = ? "
                "WHERE ma_ho_so = ?",
                (dumps(record), dumps(province), version, now, MaHoSo),
            )
            result, status_code = (
                {"MaHoSo": MaHoSo, "PhienBan": version, "TaoMoi": False, "TrangThaiHoSo": row["status"]},
                200,
            )
        Store.remember(db, caller["id"], key, digest, status_code, result, server.clock.now())
    return JSONResponse(result, status_code=status_code)


@router.get(
    "/dossiers/{MaHoSo}",
    response_model=Dossier,
    responses={404: {"model": Error}, **ERRORS},
    summary="The dossier as the province holds it (TraCuuHoSo)",
)
def get_dossier(request: Request, MaHoSo: CodePath, caller: Caller) -> dict[str, Any]:  # noqa: N803
    with state_of(request).store.read() as db:
        return dossier_view(db, load(db, MaHoSo, caller["agency"]))


@router.post(
    "/dossiers/{MaHoSo}/status",
    response_model=StatusResult,
    responses={
        404: {"model": Error},
        409: {
            "model": Conflict,
            "description": "the province changed "
            "the dossier meanwhile: the province wins; its current state is returned",
        },
        **ERRORS,
    },
    summary="A status change made at the counter (CapNhatTienDoHoSoMC)",
)
def update_status(
    request: Request,
    MaHoSo: CodePath,  # noqa: N803 - the protocol's name
    body: TienDo,
    key: IdempotencyKey,
    caller: Caller,
) -> JSONResponse:
    """Applied when the dossier's status is still ``TrangThaiTruoc``; a repeat of the current status is
    accepted without change (``ApDung: false``); anything else is a conflict (409)."""
    server = state_of(request)
    if body.MaHoSo != MaHoSo:
        raise ApiError(
            422,
            "code_mismatch",
            "MaHoSo of the path and of the body differ",
            "Mã hồ sơ trên đường dẫn và trong nội dung không khớp.",
        )
    record = body.model_dump()
    digest = request_hash("POST", MaHoSo, "status", record)
    with server.store.write() as db:
        replay = _replay(db, caller["id"], key, digest)
        if replay is not None:
            return replay
        row = load(db, MaHoSo, caller["agency"])
        current = row["status"]
        # A step that keeps the status (a postponement) still changes the dossier when it carries
        # a new appointment or a supplement entry.
        same_status_step = body.TrangThaiTruoc == body.TrangThaiHoSo and (
            body.NgayHenTra is not None or body.HoSoBoSung is not None
        )
        if current == body.TrangThaiHoSo and not (same_status_step and current == body.TrangThaiTruoc):
            result, code = {"MaHoSo": MaHoSo, "ApDung": False, "HoSo": dossier_view(db, row)}, 200
        elif current == body.TrangThaiTruoc:
            province = json.loads(row["province"])
            province["NgayCapNhat"] = server.clock.text()
            if body.TrangThaiHoSo == 10:
                province.update(
                    NgayTra=body.NgayTra, ThongTinTra=body.ThongTinTra or "", HinhThuc=body.HinhThuc or 0
                )
            if body.NgayHenTra is not None:
                province["NgayHenTra"] = body.NgayHenTra
            if body.HoSoBoSung is not None:
                entry = body.HoSoBoSung.model_dump()
                kept = province.get("DanhSachHoSoBoSung", [])
                kept = [s for s in kept if s.get("HoSoBoSungId") != entry["HoSoBoSungId"]]
                province["DanhSachHoSoBoSung"] = [*kept, entry]
            db.execute(
                "UPDATE dossiers SET status = ?, province = ?, version = version + 1, updated_at = ? "
                "WHERE ma_ho_so = ?",
                (
                    body.TrangThaiHoSo,
                    dumps(province),
                    server.clock.now().replace(tzinfo=None).isoformat(),
                    MaHoSo,
                ),
            )
            db.execute(
                "INSERT INTO status_log (ma_ho_so, from_status, to_status, source, record, at) "
                "VALUES (?, ?, ?, 'station', ?, ?)",
                (MaHoSo, current, body.TrangThaiHoSo, dumps(record), server.clock.text()),
            )
            row = load(db, MaHoSo, caller["agency"])
            result, code = {"MaHoSo": MaHoSo, "ApDung": True, "HoSo": dossier_view(db, row)}, 200
        else:
            result, code = (
                {
                    "error": "conflict",
                    "HoSo": dossier_view(db, row),
                    "message": f"status is {current}, not {body.TrangThaiTruoc}: changed upstream",
                    "message_vi": f"Hệ thống tỉnh đã chuyển hồ sơ sang trạng thái {current}.",
                },
                409,
            )
        Store.remember(db, caller["id"], key, digest, code, result, server.clock.now())
    return JSONResponse(result, status_code=code)

"""The province's side, for tests and demos: stations, changes made upstream, inspection, faults.

Not part of the counter protocol (left out of the OpenAPI file). Every call needs the header
``X-Admin-Token`` = the content of ``<data>/admin.token``. Fault injection never applies here.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Request
from fastapi.responses import FileResponse

from provincial_server.app import ApiError, Clock, state_of
from provincial_server.routes_dossiers import dossier_view
from provincial_server.store import Store, dumps


def require_admin(
    request: Request, token: Annotated[str | None, Header(alias="X-Admin-Token")] = None
) -> None:
    if not token or token != state_of(request).store.admin_token():
        raise ApiError(401, "admin_token", "admin token missing or wrong", "Sai mã quản trị.")


router = APIRouter(dependencies=[Depends(require_admin)])
Json = Annotated[dict[str, Any], Body()]


def province_change(store: Store, clock: Clock, code: str, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Record a change made by the province (kind: TrangThai, BoSung, KetQua, HenTra, ThanhToan) and
    publish it on the change feed. Returns the feed entry."""
    with store.write() as db:
        row = db.execute("SELECT * FROM dossiers WHERE ma_ho_so = ?", (code,)).fetchone()
        if row is None:
            raise ApiError(404, "dossier_not_found", f"no dossier {code}", f"Không có hồ sơ {code}.")
        province = json.loads(row["province"])
        status = int(data.get("TrangThaiHoSo") or row["status"])
        entry: dict[str, Any] = {
            "MaHoSo": code,
            "Loai": kind,
            "ThoiDiem": clock.text(),
            "NguoiXuLy": str(data.get("NguoiXuLy") or "Cán bộ xử lý"),
            "NoiDung": str(data.get("NoiDung") or ""),
            "NgayHenTra": province.get("NgayHenTra"),
        }
        if kind == "BoSung":
            status = int(data.get("TrangThaiHoSo") or 5)
            request = {
                "HoSoBoSungId": uuid.uuid4().hex,
                "NguoiYeuCauBoSung": entry["NguoiXuLy"],
                "NoiDungBoSung": str(data.get("NoiDungBoSung") or "Bổ sung giấy tờ"),
                "NgayBoSung": clock.text(),
                "DanhSachGiayToBoSung": list(data.get("DanhSachGiayToBoSung") or []),
                "TrangThaiBoSung": 0,
            }
            province["DanhSachHoSoBoSung"] = [*province.get("DanhSachHoSoBoSung", []), request]
            entry["HoSoBoSung"] = request
        elif kind == "KetQua":
            status = int(data.get("TrangThaiHoSo") or 9)
            province["DanhSachGiayToKetQua"] = list(data.get("DanhSachGiayToKetQua") or [])
            entry["DanhSachGiayToKetQua"] = province["DanhSachGiayToKetQua"]
        elif kind == "ThanhToan":
            entry["ThanhToan"] = {
                "SoTien": int(data.get("SoTien") or 0),
                "HinhThuc": int(data.get("HinhThuc") or 1),
                "SoBienLai": str(data.get("SoBienLai") or ""),
            }
            province["DuocThanhToanTrucTuyen"] = entry["ThanhToan"]["HinhThuc"]
        elif kind == "HenTra":
            province["NgayHenTra"] = entry["NgayHenTra"] = str(data["NgayHenTra"])
        entry["TrangThaiHoSo"] = status
        province["NgayCapNhat"] = clock.text()
        db.execute(
            "UPDATE dossiers SET status = ?, province = ?, version = version + 1 WHERE ma_ho_so = ?",
            (status, dumps(province), code),
        )
        if status != row["status"]:
            db.execute(
                "INSERT INTO status_log (ma_ho_so, from_status, to_status, source, record, at) "
                "VALUES (?, ?, ?, 'province', ?, ?)",
                (code, row["status"], status, dumps(entry), clock.text()),
            )
        entry["Seq"] = Store.add_change(db, row["agency"], code, entry)
    return entry


@router.post("/stations")
def add_station(request: Request, body: Json) -> dict[str, Any]:
    server = state_of(request)
    try:
        station_id, token = server.store.add_station(
            str(body.get("agency") or ""),
            str(body.get("name") or "station"),
            server.clock.now().replace(tzinfo=None),
            body.get("expires_days"),
        )
    except ValueError as exc:
        raise ApiError(422, "invalid_agency", str(exc), "Mã đơn vị không hợp lệ.") from None
    return {"id": station_id, "token": token}


@router.post("/stations/{station_id}/revoke")
def revoke(request: Request, station_id: int) -> dict[str, Any]:
    server = state_of(request)
    return {"revoked": server.store.revoke_station(station_id, server.clock.now().replace(tzinfo=None))}


@router.post("/stations/{station_id}/expire")
def expire(request: Request, station_id: int) -> dict[str, Any]:
    server = state_of(request)
    server.store.expire_station(station_id, server.clock.now().replace(tzinfo=None))
    return {"expired": True}


@router.post("/dossiers/{code}/{kind}")
def change(request: Request, code: str, kind: str, body: Json) -> dict[str, Any]:
    kinds = {"status": "TrangThai", "supplement": "BoSung", "result": "KetQua", "due": "HenTra",
             "payment": "ThanhToan"}
    if kind not in kinds:
        raise ApiError(404, "unknown_change", f"unknown change {kind}", "Không rõ loại thay đổi.")
    server = state_of(request)
    return province_change(server.store, server.clock, code, kinds[kind], body)


@router.get("/dossiers")
def dossiers(request: Request) -> list[dict[str, Any]]:
    with state_of(request).store.read() as db:
        rows = db.execute("SELECT * FROM dossiers ORDER BY ma_ho_so").fetchall()
        out = []
        for row in rows:
            view = dossier_view(db, row)
            view["_files"] = [
                dict(r)
                for r in db.execute(
                    "SELECT sha256, size, upload_id FROM files WHERE ma_ho_so = ? ORDER BY sha256",
                    (row["ma_ho_so"],),
                )
            ]
            view["_status_log"] = [
                dict(r)
                for r in db.execute(
                    "SELECT from_status, to_status, source FROM status_log WHERE ma_ho_so = ? ORDER BY id",
                    (row["ma_ho_so"],),
                )
            ]
            out.append(view)
    return out


@router.get("/stats")
def stats(request: Request, sha256: str | None = None) -> dict[str, Any]:
    """Counts, and the uploads (only those of ``sha256`` when given: cheap enough to poll)."""
    query = "SELECT id, ma_ho_so, sha256, size, received, written_total, starts, state FROM uploads"
    with state_of(request).store.read() as db:
        if sha256:
            rows = db.execute(f"{query} WHERE sha256 = ? ORDER BY id", (sha256,))
        else:
            rows = db.execute(f"{query} ORDER BY id")
        uploads = [dict(r) for r in rows]
        for u in uploads:
            u["starts"] = json.loads(u["starts"])
        return {
            "dossiers": db.execute("SELECT count(*) FROM dossiers").fetchone()[0],
            "files": db.execute("SELECT count(*) FROM files").fetchone()[0],
            "replays": db.execute("SELECT coalesce(sum(replays), 0) FROM idempotency").fetchone()[0],
            "status_updates": db.execute(
                "SELECT count(*) FROM status_log WHERE source = 'station'"
            ).fetchone()[0],
            "uploads": uploads,
        }


@router.get("/files/{sha256}")
def file_bytes(request: Request, sha256: str) -> FileResponse:
    path = state_of(request).store.files_dir / sha256
    if len(sha256) != 64 or not path.is_file():
        raise ApiError(404, "file_not_found", "no such file", "Không có tệp này.")
    return FileResponse(path, media_type="application/octet-stream")


@router.put("/catalogue")
def set_catalogue(request: Request, body: Json) -> dict[str, Any]:
    state_of(request).store.set_catalogue(list(body["DanhSachTTHC"]))
    return {"procedures": len(body["DanhSachTTHC"])}


@router.put("/calendar/{year}")
def set_calendar(request: Request, year: int, body: Json) -> dict[str, Any]:
    state_of(request).store.set_calendar(year, list(body["DanhSachNgay"]))
    return {"days": len(body["DanhSachNgay"])}


@router.put("/faults")
def set_faults(request: Request, body: Json) -> dict[str, Any]:
    injector = getattr(request.app.state, "faults", None)
    if injector is None:
        raise ApiError(
            409, "no_faults", "the server was started without fault injection", "Không bật lỗi giả lập."
        )
    injector.reconfigure(str(body.get("spec") or ""))
    injector.script(list(body.get("script") or []))
    return {"spec": str(body.get("spec") or ""), "script": injector.scripted}

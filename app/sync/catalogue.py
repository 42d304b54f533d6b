"""The catalogue (danh mục TTHC) and the working calendar as the province sends them down.

Catalogue entries use the national names (MaTTHC, TenTTHC, ThanhPhanHoSo...); component codes are
the positional ``TP01``, ``TP02``... that dossiers use in ``TaiLieuNop.MaThanhPhanHoSo``. Calendar
days are ``{"Ngay": "yyyyMMdd", "Loai": "Nghi" | "LamViec", "GhiChu"}``. Pure functions.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from app.core.calendar import DayKind, DayOverride
from app.core.catalogue import format_cutoff, imported_component, parse_cutoff
from app.core.procedure import Fee, Procedure, ProcessingTime, ProcessingUnit, ResultDocument
from app.sync.vocabulary import component_code, fmt_day, parse_day

UNITS = {
    ProcessingUnit.WORKING_DAYS: "NgayLamViec",
    ProcessingUnit.WORKING_HOURS: "GioLamViec",
    ProcessingUnit.SAME_DAY: "TrongNgay",
}
_UNITS_BACK = {v: k for k, v in UNITS.items()}
DAY_KINDS = {DayKind.OFF: "Nghi", DayKind.WORK: "LamViec"}
_DAY_KINDS_BACK = {v: k for k, v in DAY_KINDS.items()}
#: Notes of calendar days that came from the province start with this (the administrator's own
#: days never do, and are never changed by a pull).
PROVINCE_DAY_PREFIX = "[Tỉnh] "


def procedure_to_record(p: Procedure) -> dict[str, Any]:
    return {
        "MaTTHC": p.code,
        "TenTTHC": p.name,
        "TenLinhVuc": p.field,
        "CapThucHien": p.level,
        "ThoiHanGiaiQuyet": {
            "SoLuong": p.processing.amount,
            "DonVi": UNITS[p.processing.unit],
            "SoLuongTrucTuyen": p.processing.online_amount,
        },
        "GioTiepNhanToiDa": format_cutoff(p.cutoff),
        "ThanhPhanHoSo": [
            {
                "MaThanhPhanHoSo": component_code(i),
                "TenThanhPhanHoSo": c.name,
                "BanChinh": c.originals,
                "BanSaoChungThuc": c.certified_copies,
                "BanChup": c.photocopies,
                "BatBuoc": c.mandatory,
                "TruongHop": c.case,
                "MaKetQuaThayThe": list(c.accepted_result_codes),
            }
            for i, c in enumerate(p.components)
        ],
        "DanhSachLePhi": [
            {"TenPhiLePhi": f.name, "Gia": f.amount_vnd, "KenhThucHien": f.channel, "GhiChu": f.note}
            for f in p.fees
        ],
        "DanhSachKetQua": [{"MaKetQua": r.code, "TenKetQua": r.name} for r in p.results],
        "CanCuPhapLy": list(p.legal_basis),
        "DichVuThietYeu": p.essential_service,
    }


def procedure_from_record(data: dict[str, Any]) -> Procedure:
    limit = data.get("ThoiHanGiaiQuyet") or {}
    online = limit.get("SoLuongTrucTuyen")
    cutoff: time | None = parse_cutoff(data.get("GioTiepNhanToiDa"))
    return Procedure(
        code=str(data["MaTTHC"]),
        name=str(data["TenTTHC"]),
        field=str(data.get("TenLinhVuc") or ""),
        level=str(data.get("CapThucHien") or ""),
        processing=ProcessingTime(
            amount=float(limit.get("SoLuong") or 0),
            unit=_UNITS_BACK.get(str(limit.get("DonVi")), ProcessingUnit.WORKING_DAYS),
            online_amount=None if online is None else float(online),
        ),
        cutoff=cutoff,
        components=tuple(
            imported_component(
                name=str(c["TenThanhPhanHoSo"]),
                originals=int(c.get("BanChinh") or 0),
                certified_copies=int(c.get("BanSaoChungThuc") or 0),
                photocopies=int(c.get("BanChup") or 0),
                mandatory=bool(c.get("BatBuoc", True)),
                case=str(c.get("TruongHop") or ""),
                accepted_result_codes=tuple(str(x) for x in c.get("MaKetQuaThayThe") or ()),
            )
            for c in data.get("ThanhPhanHoSo") or ()
        ),
        fees=tuple(
            Fee(
                name=str(f["TenPhiLePhi"]),
                amount_vnd=int(f.get("Gia") or 0),
                channel=None if f.get("KenhThucHien") is None else int(f["KenhThucHien"]),
                note=str(f.get("GhiChu") or ""),
            )
            for f in data.get("DanhSachLePhi") or ()
        ),
        results=tuple(
            ResultDocument(code=str(r["MaKetQua"]), name=str(r["TenKetQua"]))
            for r in data.get("DanhSachKetQua") or ()
        ),
        legal_basis=tuple(str(x) for x in data.get("CanCuPhapLy") or ()),
        essential_service=bool(data.get("DichVuThietYeu", False)),
    )


def day_to_record(day: DayOverride) -> dict[str, Any]:
    note = day.note.removeprefix(PROVINCE_DAY_PREFIX)
    return {"Ngay": fmt_day(day.day), "Loai": DAY_KINDS[day.kind], "GhiChu": note}


def day_from_record(data: dict[str, Any]) -> DayOverride:
    """A province's calendar day as a local override, its note marked as coming from the province."""
    kind = _DAY_KINDS_BACK.get(str(data.get("Loai")))
    if kind is None:
        raise ValueError(f"unknown calendar day kind {data.get('Loai')!r}")
    return DayOverride(
        day=parse_day(str(data["Ngay"])), kind=kind, note=PROVINCE_DAY_PREFIX + str(data.get("GhiChu") or "")
    )


def is_province_day(day: DayOverride) -> bool:
    return day.note.startswith(PROVINCE_DAY_PREFIX)

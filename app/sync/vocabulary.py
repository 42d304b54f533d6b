"""The national vocabulary on the wire: dossiers, status changes and files as the province sees them.

Field names are those of the national dossier sync (``DongBoHoSoMC``) and progress update
(``CapNhatTienDoHoSoMC``) services; dates are ``yyyyMMddHHmmss`` in Vietnam time (the app stores
naive Vietnam local times, so no conversion happens). Fields marked *extension* in
``docs/sync-protocol.md`` are MotCua additions a gateway may drop. Pure functions, no I/O.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from app.core.applicant import ApplicantKind
from app.core.dossier import Attachment, Dossier, DossierStatus, StatusChange, SupplementRequest

DATE_FORMAT = "%Y%m%d%H%M%S"
DAY_FORMAT = "%Y%m%d"
SUMMARY_MAX = 1000  # TrichYeuHoSo


def fmt_time(value: datetime | None) -> str | None:
    """``yyyyMMddHHmmss`` (Vietnam time) or None."""
    return None if value is None else value.strftime(DATE_FORMAT)


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, DATE_FORMAT)


def fmt_day(value: date) -> str:
    return value.strftime(DAY_FORMAT)


def parse_day(text: str) -> date:
    return datetime.strptime(text, DAY_FORMAT).date()


def component_code(index: int) -> str:
    """MaThanhPhanHoSo of the component at ``index`` of the procedure (catalogue order): TP01..."""
    return f"TP{index + 1:02d}"


def component_index(code: str | None) -> int | None:
    if not code or not code.startswith("TP") or not code[2:].isdigit():
        return None
    return int(code[2:]) - 1


def _identifiers(dossier: Dossier) -> list[dict[str, Any]]:
    """DinhDanhCHS: 1 = CCCD (12 digits), 2 = CMND (9 digits), 3 = tax code (MST)."""
    a = dossier.applicant
    pairs = ((1, a.id_number), (2, a.old_id_number), (3, a.tax_code))
    return [{"LoaiDinhDanh": kind, "SoDinhDanh": number} for kind, number in pairs if number]


def dossier_record(dossier: Dossier) -> dict[str, Any]:
    """The dossier as sent with ``PUT /dossiers/{MaHoSo}`` (DongBoHoSoMC fields plus extensions)."""
    a = dossier.applicant
    digitised = bool(dossier.attachments) or any(c.digitised for c in dossier.components if c.received)
    documents = [
        {
            "MaThanhPhanHoSo": component_code(c.index),
            "TenTepDinhKem": c.name,
            "DuocSoHoa": int(c.digitised),
            "DuocTaiSuDung": int(c.reused_record_id is not None),
            "DuocLayTuKhoDMQG": int(c.from_warehouse),
            "MaKetQuaThayThe": c.replaced_result_code,
            "BanChinh": c.originals,
            "BanSaoChungThuc": c.certified_copies,
            "BanChup": c.photocopies,
        }
        for c in dossier.components
        if c.received
    ]
    fees = (
        [
            {
                "TenPhiLePhi": "Phí, lệ phí",
                "MaPhiLePhi": "",
                "HinhThucThu": 1,
                "Gia": dossier.fee_vnd,
                "LoaiPhiLePhi": 1,
            }
        ]
        if dossier.fee_vnd
        else []
    )
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": dossier.procedure_code,
        "TenTTHC": dossier.procedure_name,
        "KenhThucHien": int(dossier.channel),
        "ChuHoSo": a.full_name,
        "LoaiDoiTuong": 2 if a.kind is ApplicantKind.ORGANISATION else 1,
        "MaDoiTuong": a.identity,
        "SoGiayToChuHoSo": a.identity,
        "SoDienThoai": a.phone,
        "Email": a.email,
        "DiaChiChuHoSo": a.address,
        "TrichYeuHoSo": f"{dossier.procedure_name} - {a.full_name}"[:SUMMARY_MAX],
        "NgayNopHoSo": fmt_time(dossier.received_at),
        "NgayTiepNhan": fmt_time(dossier.received_at),
        "NgayHenTra": fmt_time(dossier.due_at),
        "TrangThaiHoSo": int(dossier.status),
        "NgayTra": fmt_time(dossier.returned_at),
        "ThongTinTra": dossier.returned_to,
        "HinhThuc": int(dossier.delivery),
        "DiaChiNhanKetQua": dossier.delivery_address,
        "HoSoCoThanhPhanSoHoa": int(digitised),
        "TaiKhoanDuocXacThucVoiVNeID": 0,
        "DuocThanhToanTrucTuyen": 0,
        "NguoiTiepNhan": dossier.officer,
        "SoBoHoSo": dossier.sets_count,
        "DinhDanhCHS": _identifiers(dossier),
        "TaiLieuNop": documents,
        "DanhSachLePhi": fees,
    }


def status_record(dossier: Dossier, change: StatusChange, previous: DossierStatus) -> dict[str, Any]:
    """One status change of ``POST /dossiers/{MaHoSo}/status`` (CapNhatTienDoHoSoMC fields plus
    ``TrangThaiTruoc``, the status it started from, which lets the server see a conflict)."""
    returned = change.status is DossierStatus.RETURNED
    return {
        "MaHoSo": dossier.code,
        "TrangThaiTruoc": int(previous),
        "TrangThaiHoSo": int(change.status),
        "ThoiDiemXuLy": fmt_time(change.at),
        "NguoiXuLy": change.officer,
        "NoiDungXuLy": change.note,
        "NgayTra": fmt_time(dossier.returned_at) if returned else None,
        "ThongTinTra": dossier.returned_to if returned else None,
        "HinhThuc": int(dossier.delivery) if returned else None,
    }


def file_record(dossier: Dossier, attachment: Attachment) -> dict[str, Any]:
    """A stored file of the dossier, as announced with ``POST /uploads``."""
    index = attachment.component_index
    return {
        "MaHoSo": dossier.code,
        "TenTep": attachment.file_name,
        "KichThuoc": attachment.size,
        "SHA256": attachment.sha256,
        "LoaiTep": attachment.media_type,
        "MaThanhPhanHoSo": None if index is None else component_code(index),
        "SoTrang": attachment.pages,
        "DaKySo": attachment.signed,
    }


def supplement_from_record(data: dict[str, Any]) -> SupplementRequest:
    """A supplement request of the change feed (HoSoBoSung) as the app keeps it."""
    return SupplementRequest(
        requested_at=parse_time(data.get("NgayBoSung")) or datetime.now().replace(microsecond=0),
        reason=str(data.get("NoiDungBoSung") or ""),
        items=[str(x) for x in data.get("DanhSachGiayToBoSung") or []],
        officer=str(data.get("NguoiYeuCauBoSung") or ""),
        completed_at=parse_time(data.get("NgayTiepNhanBoSung")),
    )

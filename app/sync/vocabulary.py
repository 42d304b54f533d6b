"""The national vocabulary on the wire: dossiers, status changes and files as the province sees them.

Field names are those of the national dossier sync (``DongBoHoSoMC``) and progress update
(``CapNhatTienDoHoSoMC``) services; dates are ``yyyyMMddHHmmss`` in Vietnam time (the app stores
naive Vietnam wall times, :mod:`app.core.clock`, so no conversion happens). Fields marked
*extension* in ``docs/sync-protocol.md`` are MotCua additions a gateway may drop. Every record is
built within the protocol's length limits (:mod:`app.sync.limits`). Pure functions, no I/O.

A dossier record is the union of small sections (:data:`DOSSIER_SECTIONS`): a new group of fields
is one more function appended there, with its limits in :mod:`app.sync.limits`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from app.core.applicant import ApplicantKind
from app.core.clock import vn_now
from app.core.dossier import Attachment, Dossier, DossierStatus, StatusChange, SupplementRequest
from app.core.outbox import OutboxKind
from app.sync import limits

DATE_FORMAT = "%Y%m%d%H%M%S"
DAY_FORMAT = "%Y%m%d"


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


def _procedure_section(dossier: Dossier) -> dict[str, Any]:
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": dossier.procedure_code,
        "TenTTHC": dossier.procedure_name,
        "KenhThucHien": int(dossier.channel),
        "TrichYeuHoSo": f"{dossier.procedure_name} - {dossier.applicant.full_name}",
        "NguoiTiepNhan": dossier.officer,
        "SoBoHoSo": dossier.sets_count,
    }


def _applicant_section(dossier: Dossier) -> dict[str, Any]:
    a = dossier.applicant
    return {
        "ChuHoSo": a.full_name,
        "LoaiDoiTuong": 2 if a.kind is ApplicantKind.ORGANISATION else 1,
        "MaDoiTuong": a.identity,
        "SoGiayToChuHoSo": a.identity,
        "SoDienThoai": a.phone,
        "Email": a.email,
        "DiaChiChuHoSo": a.address,
        "DinhDanhCHS": _identifiers(dossier),
        "TaiKhoanDuocXacThucVoiVNeID": 0,
    }


def _progress_section(dossier: Dossier) -> dict[str, Any]:
    return {
        "NgayNopHoSo": fmt_time(dossier.received_at),
        "NgayTiepNhan": fmt_time(dossier.received_at),
        "NgayHenTra": fmt_time(dossier.due_at),
        "TrangThaiHoSo": int(dossier.status),
        "NgayTra": fmt_time(dossier.returned_at),
        "ThongTinTra": dossier.returned_to,
        "HinhThuc": int(dossier.delivery),
        "DiaChiNhanKetQua": dossier.delivery_address,
    }


def _documents_section(dossier: Dossier) -> dict[str, Any]:
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
    return {"HoSoCoThanhPhanSoHoa": int(digitised), "TaiLieuNop": documents}


def _fees_section(dossier: Dossier) -> dict[str, Any]:
    fees = [
        {
            "TenPhiLePhi": "Phí, lệ phí",
            "MaPhiLePhi": "",
            "HinhThucThu": 1,
            "Gia": dossier.fee_vnd,
            "LoaiPhiLePhi": 1,
        }
    ]
    return {"DuocThanhToanTrucTuyen": 0, "DanhSachLePhi": fees if dossier.fee_vnd else []}


#: The sections of a dossier record, in order (later sections may override earlier fields).
DOSSIER_SECTIONS: list[Callable[[Dossier], dict[str, Any]]] = [
    _procedure_section,
    _applicant_section,
    _progress_section,
    _documents_section,
    _fees_section,
]


def dossier_record(dossier: Dossier) -> dict[str, Any]:
    """The dossier as sent with ``PUT /dossiers/{MaHoSo}`` (DongBoHoSoMC fields plus extensions),
    within the protocol's limits."""
    record: dict[str, Any] = {}
    for section in DOSSIER_SECTIONS:
        record.update(section(dossier))
    return limits.fit_dossier(record)


def supplement_record(request: SupplementRequest) -> dict[str, Any]:
    """A supplement request as a ``DanhSachHoSoBoSung`` entry (``TrangThaiBoSung`` 0 while waiting,
    1 once received; ``NgayHenTraTruoc``/``NgayHenTraMoi`` the appointment before and after it;
    ``LanBoSung``, the request's rank in the dossier, is an extension)."""
    return {
        "HoSoBoSungId": request.id,
        "NguoiYeuCauBoSung": request.officer,
        "NoiDungBoSung": request.reason,
        "NgayBoSung": fmt_time(request.requested_at),
        "DanhSachGiayToBoSung": list(request.items),
        "NguoiTiepNhanBoSung": request.received_by,
        "NgayTiepNhanBoSung": fmt_time(request.completed_at),
        "TrangThaiBoSung": 1 if request.completed_at is not None else 0,
        "NgayHenTraTruoc": fmt_time(request.previous_due_at),
        "NgayHenTraMoi": fmt_time(request.new_due_at),
        "LanBoSung": request.sequence,
    }


def status_record(dossier: Dossier, change: StatusChange, previous: DossierStatus) -> dict[str, Any]:
    """One step of ``POST /dossiers/{MaHoSo}/status``: the CapNhatTienDoHoSoMC fields (MaHoSo,
    NguoiXuLy, ThoiDiemXuLy, PhongBanXuLy, NoiDungXuLy, TrangThai as TrangThaiHoSo, NgayBatDau,
    NgayKetThucTheoQuyDinh) plus ``TrangThaiTruoc``, the status it started from (the server sees a
    conflict), ``HanhDong`` (the counter's action), ``NgayHenTra`` when the step changed the
    appointment, and ``HoSoBoSung`` (a DanhSachHoSoBoSung entry) for a supplement requested or
    received."""
    returned = change.status is DossierStatus.RETURNED
    due_changed = change.previous_due_at is not None and change.due_at is not None
    supplement_id = change.details.get("supplement_id")
    supplement = next((s for s in dossier.supplements if supplement_id and s.id == supplement_id), None)
    record = {
        "MaHoSo": dossier.code,
        "TrangThaiTruoc": int(previous),
        "TrangThaiHoSo": int(change.status),
        "ThoiDiemXuLy": fmt_time(change.at),
        "NguoiXuLy": change.officer,
        "NoiDungXuLy": change.note,
        "HanhDong": change.action,
        "PhongBanXuLy": str(change.details.get("unit") or ""),
        "NgayBatDau": fmt_time(change.at),
        "NgayKetThucTheoQuyDinh": fmt_time(change.due_at or dossier.due_at),
        "NgayHenTra": fmt_time(change.due_at) if due_changed else None,
        "HoSoBoSung": None
        if supplement is None
        else limits.fit(supplement_record(supplement), limits.SUPPLEMENT),
        "NgayTra": fmt_time(dossier.returned_at) if returned else None,
        "ThongTinTra": dossier.returned_to if returned else None,
        "HinhThuc": int(dossier.delivery) if returned else None,
    }
    return limits.fit(record, limits.STATUS)


def file_record(dossier: Dossier, attachment: Attachment) -> dict[str, Any]:
    """A stored file of the dossier, as announced with ``POST /uploads``."""
    index = attachment.component_index
    record = {
        "MaHoSo": dossier.code,
        "TenTep": attachment.file_name,
        "KichThuoc": attachment.size,
        "SHA256": attachment.sha256,
        "LoaiTep": attachment.media_type,
        "MaThanhPhanHoSo": None if index is None else component_code(index),
        "SoTrang": attachment.pages,
        "DaKySo": attachment.signed,
    }
    return limits.fit(record, limits.FILE)


def supplement_from_record(data: dict[str, Any]) -> SupplementRequest:
    """A supplement request of the change feed (HoSoBoSung) as the app keeps it."""
    return SupplementRequest(
        requested_at=parse_time(data.get("NgayBoSung")) or vn_now().replace(microsecond=0),
        reason=str(data.get("NoiDungBoSung") or ""),
        items=[str(x) for x in data.get("DanhSachGiayToBoSung") or []],
        officer=str(data.get("NguoiYeuCauBoSung") or ""),
        completed_at=parse_time(data.get("NgayTiepNhanBoSung")),
        id=str(data.get("HoSoBoSungId") or ""),
        received_by=str(data.get("NguoiTiepNhanBoSung") or ""),
        previous_due_at=parse_time(data.get("NgayHenTraTruoc")),
        new_due_at=parse_time(data.get("NgayHenTraMoi")),
    )


def rebuild_record(
    kind: OutboxKind, stored: dict[str, Any], dossier: Dossier | None
) -> dict[str, Any] | None:
    """The record of an outbox item rebuilt from the dossier as it is now (after the officer fixed
    it), or None when it cannot be rebuilt (then the stored record is only fitted to the limits)."""
    if dossier is None:
        return None
    if kind is OutboxKind.DOSSIER_UPSERT:
        return dossier_record(dossier)
    if kind is OutboxKind.FILE_UPLOAD:
        for attachment in dossier.attachments:
            if attachment.sha256 == stored.get("SHA256"):
                return file_record(dossier, attachment)
        return None
    if kind is OutboxKind.STATUS_UPDATE:
        for change in dossier.history:
            if fmt_time(change.at) == stored.get("ThoiDiemXuLy") and int(change.status) == stored.get(
                "TrangThaiHoSo"
            ):
                previous = DossierStatus(int(stored["TrangThaiTruoc"]))
                return status_record(dossier, change, previous)
        return None
    return None


def fit_stored(kind: OutboxKind, stored: dict[str, Any]) -> dict[str, Any]:
    """A stored record (queued before the limits existed) fitted to the limits."""
    if kind is OutboxKind.DOSSIER_UPSERT:
        return limits.fit_dossier(stored)
    if kind is OutboxKind.FILE_UPLOAD:
        return limits.fit(stored, limits.FILE)
    if kind is OutboxKind.STATUS_UPDATE:
        return limits.fit(stored, limits.STATUS)
    return stored

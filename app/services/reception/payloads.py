"""Reception requests and applicants as plain data (drafts, the CLI's JSON): to and from dictionaries."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Any

from app.core.applicant import Applicant, ApplicantKind, Sex
from app.core.cccd import parse_sex
from app.core.dossier import (
    Channel,
    Delivery,
)
from app.core.errors import ValidationError
from app.services.reception.receive import ComponentInput, ReceiveRequest

APPLICANT_KEYS = ("id_number", "old_id_number", "full_name", "birth_date", "sex", "address",
                  "id_issue_date")
APPLICANT_OPTIONAL_KEYS = ("phone", "email", "tax_code", "kind")


# --------------------------------------------------------------------------- plain data (drafts, CLI)


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise ValidationError(f"{key} must be text", f"Trường “{key}” phải là chuỗi ký tự.", field=key)
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def _date(data: dict[str, Any], key: str) -> date | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(f"{key} must be a date YYYY-MM-DD, got {value!r}",
                              f"Trường “{key}” phải là ngày dạng YYYY-MM-DD (đang là “{value}”).",
                              field=key) from None


def applicant_from_dict(data: dict[str, Any], *, strict: bool = True) -> Applicant:
    """An applicant from plain data: the keys of :data:`APPLICANT_KEYS` plus optional phone, email,
    tax_code, kind ("person"/"organisation"); dates ``YYYY-MM-DD``, sex "Nam"/"Nữ". Text is made
    NFC. With ``strict`` an unknown key is an error (it is usually a typo)."""
    if not isinstance(data, dict):
        raise ValidationError("the applicant must be a JSON object",
                              "Thông tin người nộp hồ sơ phải là một đối tượng JSON.", field="applicant")
    unknown = sorted(set(data) - set(APPLICANT_KEYS) - set(APPLICANT_OPTIONAL_KEYS) - {"qr_raw"})
    if strict and unknown:
        raise ValidationError(f"unknown applicant keys: {', '.join(unknown)}",
                              f"Thông tin người nộp hồ sơ có trường không hợp lệ: {', '.join(unknown)}.",
                              field=unknown[0])
    sex_text = _text(data, "sex")
    sex = parse_sex(sex_text) if sex_text else None
    if sex_text and sex is None:
        raise ValidationError(f"sex must be 'Nam' or 'Nữ', got {sex_text!r}",
                              f"Giới tính phải là “Nam” hoặc “Nữ” (đang là “{sex_text}”).", field="sex")
    kind_text = _text(data, "kind") or ApplicantKind.PERSON.value
    try:
        kind = ApplicantKind(kind_text)
    except ValueError:
        raise ValidationError(f"kind must be 'person' or 'organisation', got {kind_text!r}",
                              f"Loại chủ hồ sơ phải là “person” hoặc “organisation” (đang là “{kind_text}”).",
                              field="kind") from None
    return Applicant(
        full_name=_text(data, "full_name"),
        kind=kind,
        id_number=_text(data, "id_number").replace(" ", ""),
        old_id_number=_text(data, "old_id_number").replace(" ", ""),
        birth_date=_date(data, "birth_date"),
        sex=sex,
        address=_text(data, "address"),
        phone=_text(data, "phone"),
        email=_text(data, "email"),
        id_issue_date=_date(data, "id_issue_date"),
        tax_code=_text(data, "tax_code").replace(" ", ""),
        qr_raw=str(data.get("qr_raw") or ""),
    )


def applicant_to_dict(a: Applicant) -> dict[str, Any]:
    """Plain data of an applicant (the inverse of :func:`applicant_from_dict`)."""
    return {
        "id_number": a.id_number,
        "old_id_number": a.old_id_number,
        "full_name": a.full_name,
        "birth_date": a.birth_date.isoformat() if a.birth_date else None,
        "sex": a.sex.value if isinstance(a.sex, Sex) else None,
        "address": a.address,
        "id_issue_date": a.id_issue_date.isoformat() if a.id_issue_date else None,
        "phone": a.phone,
        "email": a.email,
        "tax_code": a.tax_code,
        "kind": a.kind.value,
        "qr_raw": a.qr_raw,
    }


def request_to_payload(request: ReceiveRequest) -> dict[str, Any]:
    """A JSON-ready dict of a (possibly incomplete) request, e.g. to save it as a draft."""
    return {
        "procedure_code": request.procedure_code,
        "applicant": applicant_to_dict(request.applicant),
        "components": None if request.components is None else [
            {"index": c.index, "received": c.received, "originals": c.originals,
             "certified_copies": c.certified_copies, "photocopies": c.photocopies, "note": c.note,
             "reused_record_id": c.reused_record_id}
            for c in request.components],
        "channel": int(request.channel),
        "delivery": int(request.delivery),
        "delivery_address": request.delivery_address,
        "received_at": request.received_at.isoformat(timespec="minutes") if request.received_at else None,
        "fee_vnd": request.fee_vnd,
        "note": request.note,
    }


def request_from_payload(payload: dict[str, Any]) -> ReceiveRequest:
    """The request saved by :func:`request_to_payload` (missing keys take their defaults)."""
    components = payload.get("components")
    received_at = payload.get("received_at")
    return ReceiveRequest(
        procedure_code=str(payload.get("procedure_code") or ""),
        applicant=applicant_from_dict(payload.get("applicant") or {}, strict=False),
        components=None if components is None else [
            ComponentInput(index=int(c["index"]), received=bool(c.get("received", True)),
                           originals=int(c.get("originals", 0)),
                           certified_copies=int(c.get("certified_copies", 0)),
                           photocopies=int(c.get("photocopies", 0)), note=str(c.get("note") or ""),
                           reused_record_id=c.get("reused_record_id"))
            for c in components],
        channel=Channel(int(payload.get("channel", Channel.DIRECT))),
        delivery=Delivery(int(payload.get("delivery", Delivery.COUNTER))),
        delivery_address=str(payload.get("delivery_address") or ""),
        received_at=datetime.fromisoformat(received_at) if received_at else None,
        fee_vnd=payload.get("fee_vnd"),
        note=str(payload.get("note") or ""),
    )

"""Applicants as plain data (drafts, the CLI's JSON, online dossiers): to and from dictionaries."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from app.core.applicant import Applicant, ApplicantKind, Sex
from app.core.cccd import parse_sex
from app.core.errors import ValidationError

APPLICANT_KEYS = ("id_number", "old_id_number", "full_name", "birth_date", "sex", "address",
                  "id_issue_date")
APPLICANT_OPTIONAL_KEYS = ("phone", "email", "tax_code", "kind")


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

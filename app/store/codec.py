"""Conversions between domain objects (``app.core``) and rows / JSON documents of the store.

Datetimes are stored naive, in the office's local time (Vietnam, UTC+7, no daylight saving):
an aware datetime is converted to UTC+7 and its tzinfo dropped, so SQLite and PostgreSQL
(``timestamp without time zone``) give back the same values.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from app.core.applicant import Applicant, ApplicantKind, Sex
from app.core.dossier import (
    Attachment,
    Channel,
    Delivery,
    Dossier,
    DossierStatus,
    ReceivedComponent,
    StatusChange,
    SupplementRequest,
)
from app.core.procedure import ComponentSpec, Fee, Procedure, ProcessingTime, ProcessingUnit, ResultDocument
from app.core.timeliness import (
    end_time,
    has_digitised_component,
    has_reused_component,
    result_time,
    supplement_count,
)
from app.store.models import ProcedureRow
from app.store.search import dossier_search_text

LOCAL_TZ = timezone(timedelta(hours=7))


def naive_local(value: datetime) -> datetime:
    """``value`` as a naive local (UTC+7) datetime."""
    if value.tzinfo is None:
        return value
    return value.astimezone(LOCAL_TZ).replace(tzinfo=None)


def _dt_out(value: datetime | None) -> str | None:
    return naive_local(value).isoformat() if value is not None else None


def _dt_in(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _date_out(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date_in(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


# -- procedures ---------------------------------------------------------------------------------
def procedure_values(p: Procedure, now: datetime) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "field": p.field,
        "level": p.level,
        "processing_amount": float(p.processing.amount),
        "processing_unit": p.processing.unit.value,
        "processing_online_amount": p.processing.online_amount,
        "cutoff": p.cutoff,
        "components": [
            {"name": c.name, "originals": c.originals, "certified_copies": c.certified_copies,
             "photocopies": c.photocopies, "mandatory": c.mandatory, "case": c.case,
             "accepted_result_codes": list(c.accepted_result_codes)}
            for c in p.components
        ],
        "fees": [{"name": f.name, "amount_vnd": f.amount_vnd, "channel": f.channel, "note": f.note}
                 for f in p.fees],
        "results": [{"code": r.code, "name": r.name} for r in p.results],
        "legal_basis": list(p.legal_basis),
        "essential_service": p.essential_service,
        "extra": dict(p.extra),
        "updated_at": now,
    }


def row_to_procedure(row: ProcedureRow) -> Procedure:
    online = row.processing_online_amount
    cutoff: time | None = row.cutoff
    return Procedure(
        code=row.code,
        name=row.name,
        field=row.field,
        level=row.level,
        processing=ProcessingTime(
            amount=row.processing_amount,
            unit=ProcessingUnit(row.processing_unit),
            online_amount=online,
        ),
        cutoff=cutoff,
        components=tuple(
            ComponentSpec(name=c["name"], originals=c["originals"], certified_copies=c["certified_copies"],
                          photocopies=c["photocopies"], mandatory=c["mandatory"], case=c["case"],
                          accepted_result_codes=tuple(c["accepted_result_codes"]))
            for c in row.components
        ),
        fees=tuple(Fee(name=f["name"], amount_vnd=f["amount_vnd"], channel=f["channel"], note=f["note"])
                   for f in row.fees),
        results=tuple(ResultDocument(code=r["code"], name=r["name"]) for r in row.results),
        legal_basis=tuple(row.legal_basis),
        essential_service=row.essential_service,
        extra=dict(row.extra),
    )


# -- applicants and dossier parts -----------------------------------------------------------------
def applicant_to_json(a: Applicant) -> dict[str, Any]:
    return {
        "full_name": a.full_name, "kind": a.kind.value, "id_number": a.id_number,
        "old_id_number": a.old_id_number, "birth_date": _date_out(a.birth_date),
        "sex": a.sex.value if a.sex is not None else None, "address": a.address, "phone": a.phone,
        "email": a.email, "id_issue_date": _date_out(a.id_issue_date), "tax_code": a.tax_code,
        "qr_raw": a.qr_raw,
    }


def applicant_from_json(data: dict[str, Any]) -> Applicant:
    return Applicant(
        full_name=data["full_name"], kind=ApplicantKind(data["kind"]), id_number=data["id_number"],
        old_id_number=data["old_id_number"], birth_date=_date_in(data["birth_date"]),
        sex=Sex(data["sex"]) if data["sex"] else None, address=data["address"], phone=data["phone"],
        email=data["email"], id_issue_date=_date_in(data["id_issue_date"]), tax_code=data["tax_code"],
        qr_raw=data["qr_raw"],
    )


def _component_to_json(c: ReceivedComponent) -> dict[str, Any]:
    return {
        "index": c.index, "name": c.name, "received": c.received, "originals": c.originals,
        "certified_copies": c.certified_copies, "photocopies": c.photocopies, "note": c.note,
        "digitised": c.digitised, "reused_record_id": c.reused_record_id,
        "from_warehouse": c.from_warehouse, "replaced_result_code": c.replaced_result_code,
    }


def _attachment_to_json(a: Attachment) -> dict[str, Any]:
    return {
        "sha256": a.sha256, "file_name": a.file_name, "media_type": a.media_type, "size": a.size,
        "component_index": a.component_index, "pages": a.pages, "signed": a.signed,
        "created_at": _dt_out(a.created_at),
    }


def _attachment_from_json(d: dict[str, Any]) -> Attachment:
    return Attachment(**{**d, "created_at": _dt_in(d["created_at"])})


def _supplement_to_json(s: SupplementRequest) -> dict[str, Any]:
    return {"requested_at": _dt_out(s.requested_at), "reason": s.reason, "items": list(s.items),
            "officer": s.officer, "completed_at": _dt_out(s.completed_at), "id": s.id,
            "sequence": s.sequence, "received_by": s.received_by,
            "previous_due_at": _dt_out(s.previous_due_at), "new_due_at": _dt_out(s.new_due_at)}


def _supplement_from_json(d: dict[str, Any]) -> SupplementRequest:
    # Requests stored before they had an id, a sequence and the two appointments get defaults.
    return SupplementRequest(requested_at=datetime.fromisoformat(d["requested_at"]), reason=d["reason"],
                             items=list(d["items"]), officer=d["officer"],
                             completed_at=_dt_in(d["completed_at"]), id=d.get("id") or "",
                             sequence=int(d.get("sequence") or 1), received_by=d.get("received_by") or "",
                             previous_due_at=_dt_in(d.get("previous_due_at")),
                             new_due_at=_dt_in(d.get("new_due_at")))


def history_to_json(h: StatusChange) -> dict[str, Any]:
    return {"at": _dt_out(h.at), "status": int(h.status), "officer": h.officer, "note": h.note,
            "action": h.action, "reason": h.reason, "station": h.station, "due_at": _dt_out(h.due_at),
            "previous_due_at": _dt_out(h.previous_due_at), "details": dict(h.details)}


def _history_from_json(d: dict[str, Any]) -> StatusChange:
    # Entries written before actions were recorded have only at, status, officer and note.
    return StatusChange(at=datetime.fromisoformat(d["at"]), status=DossierStatus(d["status"]),
                        officer=d["officer"], note=d["note"], action=d.get("action") or "",
                        reason=d.get("reason") or "", station=d.get("station") or "",
                        due_at=_dt_in(d.get("due_at")), previous_due_at=_dt_in(d.get("previous_due_at")),
                        details=dict(d.get("details") or {}))


def history_rows(dossier_id: int, d: Dossier) -> list[dict[str, Any]]:
    """Rows of ``dossier_status_history`` for a dossier."""
    return [{"dossier_id": dossier_id, "seq": i, "at": naive_local(h.at), "status": int(h.status),
             "officer": h.officer, "note": h.note, "action": h.action, "reason": h.reason,
             "station": h.station,
             "due_at": naive_local(h.due_at) if h.due_at is not None else None,
             "previous_due_at": naive_local(h.previous_due_at) if h.previous_due_at is not None else None}
            for i, h in enumerate(d.history)]


# -- dossiers -----------------------------------------------------------------------------------
def dossier_values(d: Dossier, now: datetime) -> dict[str, Any]:
    """Column values of a dossier row (without ``id`` and ``created_at``)."""
    a = d.applicant
    return {
        "code": d.code,
        "procedure_code": d.procedure_code,
        "procedure_name": d.procedure_name,
        "applicant_kind": a.kind.value,
        "applicant_name": a.full_name,
        "id_number": a.id_number,
        "old_id_number": a.old_id_number,
        "phone": a.phone,
        "tax_code": a.tax_code,
        "received_at": naive_local(d.received_at),
        "due_at": naive_local(d.due_at),
        "status": int(d.status),
        "channel": int(d.channel),
        "officer": d.officer,
        "delivery": int(d.delivery),
        "delivery_address": d.delivery_address,
        "fee_vnd": d.fee_vnd,
        "form_set": d.form_set,
        "sets_count": d.sets_count,
        "returned_at": naive_local(d.returned_at) if d.returned_at is not None else None,
        "returned_to": d.returned_to,
        "applicant": applicant_to_json(a),
        "components": [_component_to_json(c) for c in d.components],
        "attachments": [_attachment_to_json(x) for x in d.attachments],
        "supplements": [_supplement_to_json(s) for s in d.supplements],
        "history": [history_to_json(h) for h in d.history],
        "search_text": dossier_search_text(d),
        "updated_at": now,
        "ended_at": _naive_or_none(end_time(d.history)),
        "result_at": _naive_or_none(result_time(d.history)),
        "supplement_count": supplement_count(d.history),
        "components_digitised": has_digitised_component(d),
        "components_reused": has_reused_component(d),
    }


def _naive_or_none(value: datetime | None) -> datetime | None:
    return naive_local(value) if value is not None else None


def row_to_dossier(row: Any) -> Dossier:
    """A dossier from a ``dossiers`` row (ORM object or Core row: attribute access by column)."""
    return Dossier(
        code=row.code,
        procedure_code=row.procedure_code,
        procedure_name=row.procedure_name,
        applicant=applicant_from_json(row.applicant),
        received_at=row.received_at,
        due_at=row.due_at,
        channel=Channel(row.channel),
        status=DossierStatus(row.status),
        components=[ReceivedComponent(**c) for c in row.components],
        attachments=[_attachment_from_json(x) for x in row.attachments],
        officer=row.officer,
        supplements=[_supplement_from_json(s) for s in row.supplements],
        delivery=Delivery(row.delivery),
        delivery_address=row.delivery_address,
        fee_vnd=row.fee_vnd,
        form_set=row.form_set,
        sets_count=row.sets_count,
        returned_at=row.returned_at,
        returned_to=row.returned_to,
        history=[_history_from_json(h) for h in row.history],
        id=row.id,
    )

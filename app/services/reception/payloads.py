"""Reception requests and applicants as plain data (drafts, the CLI's JSON): to and from dictionaries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.core.applicant_data import applicant_from_dict, applicant_to_dict
from app.core.dossier import (
    Channel,
    Delivery,
)
from app.services.reception.receive import ComponentInput, ReceiveRequest

# the applicant's part lives in the core, where online dossiers read it too; reception's callers find it here
__all__ = ["applicant_from_dict", "applicant_to_dict", "request_from_payload", "request_to_payload"]


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

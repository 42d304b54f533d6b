"""The procedure catalogue: pure conversions between :class:`Procedure` and plain JSON dicts.

The catalogue file (``resources/catalogue/procedures.json``, built by
``scripts/build_catalogue.py``) holds ``{"format": 1, ..., "procedures": [<procedure dict>, ...]}``;
each procedure dict is exactly what :func:`procedure_to_dict` produces, which is also the shape the
CLI prints for ``motcua catalog show --json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import time
from pathlib import Path
from typing import Any

from app.core.catalogue_text import clean_component_name, is_online_only
from app.core.errors import ValidationError
from app.core.procedure import (
    ComponentSpec,
    Fee,
    Procedure,
    ProcessingTime,
    ProcessingUnit,
    ResultDocument,
)
from app.core.resources import resource_path

CATALOGUE_FORMAT = 1


def default_catalogue_path() -> Path:
    """The packaged catalogue file."""
    return resource_path("catalogue", "procedures.json")


def _number(value: float | int | None) -> float | int | None:
    """JSON-friendly number: ``1.0`` becomes ``1`` so the output reads naturally."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def format_cutoff(cutoff: time | None) -> str | None:
    return None if cutoff is None else cutoff.strftime("%H:%M")


def parse_cutoff(text: str | None) -> time | None:
    if text in (None, ""):
        return None
    try:
        hours, minutes = str(text).split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise ValidationError(f"invalid cutoff time {text!r} (expected HH:MM)",
                              f"Giờ tiếp nhận giới hạn “{text}” không hợp lệ (cần HH:MM).",
                              field="cutoff") from exc


def processing_to_dict(processing: ProcessingTime) -> dict[str, Any]:
    return {
        "amount": _number(processing.amount),
        "unit": processing.unit.value,
        "online_amount": _number(processing.online_amount),
    }


def component_to_dict(component: ComponentSpec) -> dict[str, Any]:
    return {
        "name": component.name,
        "originals": component.originals,
        "certified_copies": component.certified_copies,
        "photocopies": component.photocopies,
        "mandatory": component.mandatory,
        "case": component.case,
        "accepted_result_codes": list(component.accepted_result_codes),
        "online_only": component.online_only,
    }


def fee_to_dict(fee: Fee) -> dict[str, Any]:
    return {"name": fee.name, "amount_vnd": fee.amount_vnd, "channel": fee.channel, "note": fee.note}


def procedure_to_dict(procedure: Procedure) -> dict[str, Any]:
    """A plain, JSON-serialisable dict (English keys, ``cutoff`` as ``"HH:MM"`` or None)."""
    return {
        "code": procedure.code,
        "name": procedure.name,
        "field": procedure.field,
        "level": procedure.level,
        "processing": processing_to_dict(procedure.processing),
        "cutoff": format_cutoff(procedure.cutoff),
        "components": [component_to_dict(c) for c in procedure.components],
        "fees": [fee_to_dict(f) for f in procedure.fees],
        "results": [{"code": r.code, "name": r.name} for r in procedure.results],
        "legal_basis": list(procedure.legal_basis),
        "essential_service": procedure.essential_service,
        "extra": dict(procedure.extra),
    }


def imported_component(name: str, **fields: Any) -> ComponentSpec:
    """A component as it enters the application: text cleaned of crawl residue, and marked online
    only when its text says so (see :mod:`app.core.catalogue_text`)."""
    cleaned = clean_component_name(name)
    case = clean_component_name(str(fields.pop("case", "") or ""))
    online = bool(fields.pop("online_only", False)) or is_online_only(cleaned, case)
    return ComponentSpec(name=cleaned, case=case, online_only=online, **fields)


def _require(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise ValidationError(f"catalogue entry {where}: missing key {key!r}",
                              f"Danh mục thủ tục {where}: thiếu trường “{key}”.", field=key)
    return data[key]


def procedure_from_dict(data: Mapping[str, Any]) -> Procedure:
    """The inverse of :func:`procedure_to_dict`; optional keys may be missing."""
    code = str(_require(data, "code", "?"))
    proc = _require(data, "processing", code)
    try:
        unit = ProcessingUnit(proc.get("unit", ProcessingUnit.WORKING_DAYS.value))
    except ValueError as exc:
        raise ValidationError(f"catalogue entry {code}: unknown processing unit {proc.get('unit')!r}",
                              f"Danh mục thủ tục {code}: đơn vị thời hạn “{proc.get('unit')}” không hợp lệ.",
                              field="processing.unit") from exc
    online = proc.get("online_amount")
    processing = ProcessingTime(
        amount=float(proc.get("amount") or 0),
        unit=unit,
        online_amount=None if online is None else float(online),
    )
    components = tuple(
        imported_component(
            name=str(c["name"]),
            originals=int(c.get("originals", 1) or 0),
            certified_copies=int(c.get("certified_copies", 0) or 0),
            photocopies=int(c.get("photocopies", 0) or 0),
            mandatory=bool(c.get("mandatory", True)),
            case=str(c.get("case") or ""),
            accepted_result_codes=tuple(str(x) for x in c.get("accepted_result_codes") or ()),
            online_only=bool(c.get("online_only", False)),
        )
        for c in data.get("components") or ()
    )
    fees = tuple(
        Fee(
            name=str(f["name"]),
            amount_vnd=int(f.get("amount_vnd") or 0),
            channel=None if f.get("channel") is None else int(f["channel"]),
            note=str(f.get("note") or ""),
        )
        for f in data.get("fees") or ()
    )
    results = tuple(ResultDocument(code=str(r["code"]), name=str(r["name"]))
                    for r in data.get("results") or ())
    return Procedure(
        code=code,
        name=str(_require(data, "name", code)),
        field=str(data.get("field") or ""),
        level=str(data.get("level") or ""),
        processing=processing,
        cutoff=parse_cutoff(data.get("cutoff")),
        components=components,
        fees=fees,
        results=results,
        legal_basis=tuple(str(x) for x in data.get("legal_basis") or ()),
        essential_service=bool(data.get("essential_service", False)),
        extra={str(k): str(v) for k, v in (data.get("extra") or {}).items()},
    )


def catalogue_document(procedures: Iterable[Procedure], **meta: Any) -> dict[str, Any]:
    """The whole catalogue file as a dict (``meta`` adds top-level keys such as ``source``)."""
    return {"format": CATALOGUE_FORMAT, **meta, "procedures": [procedure_to_dict(p) for p in procedures]}


def parse_catalogue(document: Any) -> list[Procedure]:
    """Procedures of a catalogue document (the wrapped form, or a bare list of procedure dicts)."""
    entries = document.get("procedures") if isinstance(document, Mapping) else document
    if not isinstance(entries, list):
        raise ValidationError("catalogue: expected a list of procedures",
                              "Tệp danh mục thủ tục không đúng định dạng.")
    procedures = []
    for number, entry in enumerate(entries, 1):
        try:
            procedures.append(procedure_from_dict(entry))
        except ValidationError:
            raise
        except (TypeError, ValueError, KeyError, AttributeError) as exc:  # a hand-edited file
            raise ValidationError(
                f"catalogue: procedure #{number} is malformed ({type(exc).__name__}: {exc})",
                f"Tệp danh mục thủ tục không đúng định dạng (thủ tục thứ {number}).") from None
    seen: set[str] = set()
    for p in procedures:
        if p.code in seen:
            raise ValidationError(f"catalogue: duplicate procedure code {p.code}",
                                  f"Danh mục thủ tục bị trùng mã {p.code}.", field="code")
        seen.add(p.code)
    return procedures


def load_catalogue(path: Path | None = None) -> list[Procedure]:
    """Read the catalogue file (default: the packaged one) into :class:`Procedure` objects."""
    path = default_catalogue_path() if path is None else Path(path)
    try:
        with path.open(encoding="utf-8") as fh:
            document = json.load(fh)
    except FileNotFoundError as exc:
        raise ValidationError(f"catalogue file not found: {path}",
                              f"Không tìm thấy tệp danh mục thủ tục: {path}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError(f"catalogue file {path} is not valid JSON: {exc}",
                              f"Tệp danh mục thủ tục {path} bị lỗi định dạng JSON.") from exc
    return parse_catalogue(document)

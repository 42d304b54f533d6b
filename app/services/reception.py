"""Receiving dossiers at the counter and handing results back.

:func:`receive_dossier` is one database transaction: the dossier code is taken from this station's
block, the appointment is computed, the dossier is stored with its first history entry and the audit
log gets a row. If anything fails, nothing is kept (and the number goes back to the block), so a
dossier is either fully received, with a code, or not at all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.core import limits
from app.core.applicant import Applicant, ApplicantKind, Sex
from app.core.applicant_rules import unstorable_text_error, validate_applicant
from app.core.calendar import compute_due
from app.core.cccd import parse_sex
from app.core.clock import vn_now
from app.core.codes import format_dossier_code, looks_like_dossier_code
from app.core.dossier import (
    Channel,
    Delivery,
    Dossier,
    DossierStatus,
    ReceivedComponent,
    StatusChange,
)
from app.core.errors import InvalidTransitionError, NotFoundError, ValidationError
from app.core.input_rules import applicant_limit_errors, clean_applicant, text_limit_errors
from app.core.lifecycle import Action, check_action
from app.core.procedure import Procedure
from app.core.text import clean_text
from app.core.warehouse import ResultRecord
from app.services import calendar as calendar_service
from app.services.auth import Officer, Permission, require
from app.services.calendar import calendar_for_session
from app.services.catalogue import get_procedure
from app.services.context import FORM_SET, PROFILE_DEFAULTS, AppContext
from app.services.lifecycle import actions as lifecycle_actions
from app.services.lifecycle.engine import load, record_step, step_time
from app.services.online.fees import require_paid
from app.services.online.notices import queue_notice
from app.services.results import DossierResult, digitise_dossier_result
from app.services.sync_outbox import enqueue_dossier
from app.services.warehouse import apply_reuse_flags
from app.store.codec import naive_local
from app.store.repositories import (
    AuditRepository,
    CodeCounterRepository,
    DossierRepository,
    ProcedureRepository,
    SettingsRepository,
)

#: A dossier may not be received later than now plus this (clock differences between stations).
FUTURE_TOLERANCE = timedelta(minutes=10)
RECEIVED_NOTE = "Tiếp nhận hồ sơ"
APPLICANT_KEYS = ("id_number", "old_id_number", "full_name", "birth_date", "sex", "address",
                  "id_issue_date")
APPLICANT_OPTIONAL_KEYS = ("phone", "email", "tax_code", "kind")
_EMBEDDED_CODE_RE = re.compile(r"\S+-[0-9]{6}-[0-9]{4}")


@dataclass
class ComponentInput:
    """One component as the officer ticks it: ``index`` into the procedure's component list."""

    index: int
    received: bool = True
    originals: int = 0
    certified_copies: int = 0
    photocopies: int = 0
    note: str = ""
    reused_record_id: str | None = None


@dataclass
class ReceiveRequest:
    """What the officer entered to receive a dossier."""

    procedure_code: str
    applicant: Applicant
    components: list[ComponentInput] | None = None  # None: the mandatory components, default counts
    channel: Channel = Channel.DIRECT
    delivery: Delivery = Delivery.COUNTER
    delivery_address: str = ""
    received_at: datetime | None = None  # None: now
    fee_vnd: int | None = None  # None: the procedure's fee for the channel
    note: str = ""


# --------------------------------------------------------------------------- components


def default_components(procedure: Procedure) -> list[ComponentInput]:
    """The procedure's mandatory components with the paper counts the catalogue asks for."""
    return [ComponentInput(index=i, originals=spec.originals, certified_copies=spec.certified_copies,
                           photocopies=spec.photocopies)
            for i, spec in enumerate(procedure.components) if spec.mandatory]


def component_inputs(procedure: Procedure, indices: list[int]) -> list[ComponentInput]:
    """Components chosen by index, with the catalogue's paper counts (an index out of range is kept
    with zero counts, for :func:`validate_request` to report)."""
    inputs = []
    for index in indices:
        if 0 <= index < len(procedure.components):
            spec = procedure.components[index]
            inputs.append(ComponentInput(index, originals=spec.originals, photocopies=spec.photocopies,
                                         certified_copies=spec.certified_copies))
        else:
            inputs.append(ComponentInput(index))
    return inputs


def _component_errors(procedure: Procedure, components: list[ComponentInput]) -> list[ValidationError]:
    errors: list[ValidationError] = []
    total = len(procedure.components)
    seen: set[int] = set()
    for pos, c in enumerate(components):
        where = f"components[{pos}]"
        index = c.index
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < total:
            span_en = f"0-{total - 1}" if total else "none"
            span_vi = f"chỉ số từ 0 đến {total - 1}" if total else "danh mục không có thành phần nào"
            errors.append(ValidationError(
                f"component index {index!r} is out of range: procedure {procedure.code} has {total} "
                f"components ({span_en})",
                f"Thành phần hồ sơ số {index} không có trong danh sách: thủ tục {procedure.code} có "
                f"{total} thành phần ({span_vi}).",
                field=f"{where}.index"))
            continue
        if index in seen:
            errors.append(ValidationError(
                f"component {index} is given twice", f"Thành phần hồ sơ số {index} bị nhập hai lần.",
                field=f"{where}.index"))
        seen.add(index)
        for name, label in (("originals", "bản chính"), ("certified_copies", "bản sao chứng thực"),
                            ("photocopies", "bản chụp")):
            value = getattr(c, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                errors.append(ValidationError(
                    f"component {index}: {name} must be a whole number >= 0, got {value!r}",
                    f"Thành phần hồ sơ số {index}: số {label} phải là số nguyên không âm (đang là {value}).",
                    field=f"{where}.{name}"))
    return errors


# --------------------------------------------------------------------------- validation


def _now() -> datetime:
    return vn_now().replace(second=0, microsecond=0)


def _moment(value: datetime) -> datetime:
    """Naive local time to the minute (receipts and appointments are to the minute)."""
    return naive_local(value).replace(second=0, microsecond=0)


def _request_errors(request: ReceiveRequest, procedure: Procedure | None,
                    now: datetime) -> list[ValidationError]:
    errors = list(validate_applicant(request.applicant, today=now.date()))
    errors += applicant_limit_errors(request.applicant)
    errors += text_limit_errors(
        [(request.note, limits.TEXT_MAX, "note", "Ghi chú"),
         (request.delivery_address, limits.ADDRESS_MAX, "delivery_address", "Địa chỉ nhận kết quả")]
        + [(c.note, limits.TEXT_MAX, f"components[{i}].note", "Ghi chú thành phần hồ sơ")
           for i, c in enumerate(request.components or [])])
    if procedure is not None:
        components = default_components(procedure) if request.components is None else request.components
        errors += _component_errors(procedure, components)
    try:
        Channel(request.channel)
    except ValueError:
        errors.append(ValidationError(f"unknown channel {request.channel!r}",
                                      f"Kênh nộp hồ sơ “{request.channel}” không hợp lệ.", field="channel"))
    try:
        delivery = Delivery(request.delivery)
    except ValueError:
        delivery = None
        errors.append(ValidationError(f"unknown delivery {request.delivery!r}",
                                      f"Hình thức nhận kết quả “{request.delivery}” không hợp lệ.",
                                      field="delivery"))
    if delivery is Delivery.POST and not (request.delivery_address or "").strip():
        errors.append(ValidationError("delivery by post needs a delivery address",
                                      "Nhận kết quả qua bưu chính thì phải nhập địa chỉ nhận.",
                                      field="delivery_address"))
    texts = [(request.note, "note", "Ghi chú"),
             (request.delivery_address, "delivery_address", "Địa chỉ nhận")]
    texts += [(c.note, f"components[{i}].note", "Ghi chú thành phần hồ sơ")
              for i, c in enumerate(request.components or [])]
    errors += [e for value, field, label in texts if (e := unstorable_text_error(value, field, label))]
    fee = request.fee_vnd
    if fee is not None and (isinstance(fee, bool) or not isinstance(fee, int) or fee < 0):
        errors.append(ValidationError(f"the fee must be a whole number of đồng >= 0, got {fee!r}",
                                      f"Phí, lệ phí phải là số đồng không âm (đang là {fee}).",
                                      field="fee_vnd"))
    if request.received_at is not None:
        received = _moment(request.received_at)
        if received > now + FUTURE_TOLERANCE:
            errors.append(ValidationError(
                f"the receipt time {received:%Y-%m-%d %H:%M} is in the future",
                f"Thời điểm tiếp nhận {received:%d/%m/%Y %H:%M} là thời điểm trong tương lai.",
                field="received_at"))
        elif not 2000 <= received.year <= 2099:
            errors.append(ValidationError(
                f"the receipt time {received:%Y-%m-%d} is out of range (2000-2099)",
                f"Thời điểm tiếp nhận {received:%d/%m/%Y} không hợp lệ (năm 2000–2099).",
                field="received_at"))
    return errors


def clean_request(request: ReceiveRequest) -> ReceiveRequest:
    """Every free-text field cleaned at the door (NFC, no escapes nor control characters)."""
    components = None if request.components is None else [
        replace(c, note=clean_text(c.note, multiline=True)) for c in request.components]
    return replace(request, applicant=clean_applicant(request.applicant), components=components,
                   delivery_address=clean_text(request.delivery_address),
                   note=clean_text(request.note, multiline=True))


def _find_procedure(ctx: AppContext, code: str) -> tuple[Procedure | None, list[ValidationError]]:
    try:
        return get_procedure(ctx, code), []
    except NotFoundError as exc:
        return None, [ValidationError(exc.message_en, exc.message_vi, field="procedure_code")]


def validate_request(ctx: AppContext, request: ReceiveRequest) -> list[ValidationError]:
    """Every problem of the request (empty = it can be received): the applicant rules, the
    components (index in range, no duplicates, counts >= 0), channel, delivery (post needs an
    address), fee and receipt time. Each error's ``field`` names the request field at fault:
    ``procedure_code``, the :class:`Applicant` fields, ``components[<position>].index`` /
    ``.originals`` / ``.certified_copies`` / ``.photocopies``, ``channel``, ``delivery``,
    ``delivery_address``, ``fee_vnd``, ``received_at``."""
    procedure, errors = _find_procedure(ctx, request.procedure_code)
    return errors + _request_errors(clean_request(request), procedure, _now())


def preview_due(ctx: AppContext, procedure_code: str, received_at: datetime, channel: int = 1) -> datetime:
    """The appointment a dossier received at ``received_at`` would get (nothing is stored)."""
    return calendar_service.due(ctx, _moment(received_at), procedure_code, channel=int(channel))


# --------------------------------------------------------------------------- receive


def _received_components(procedure: Procedure, inputs: list[ComponentInput]) -> list[ReceivedComponent]:
    """Every component of the procedure, in catalogue order; the ones not given are not received."""
    given = {c.index: c for c in inputs}
    out = []
    for index, spec in enumerate(procedure.components):
        c = given.get(index)
        if c is None:
            out.append(ReceivedComponent(index=index, name=spec.name, received=False))
            continue
        reused = (c.reused_record_id or "").strip() or None
        out.append(ReceivedComponent(
            index=index, name=spec.name, received=c.received, originals=c.originals,
            certified_copies=c.certified_copies, photocopies=c.photocopies, note=c.note.strip(),
            digitised=reused is not None, reused_record_id=reused))
    return out


def _raise_first(errors: list[ValidationError]) -> None:
    if errors:
        first = errors[0]
        first.errors = list(errors)  # type: ignore[attr-defined]
        raise first


def receive_dossier(ctx: AppContext, request: ReceiveRequest, officer: Officer) -> Dossier:
    """Receive a dossier: status RECEIVED (2), code from this station's block, appointment from the
    working calendar. Raises :class:`PermissionDeniedError` without RECEIVE, the first
    :class:`ValidationError` (all of them in its ``errors``) when the request is not valid."""
    require(officer, Permission.RECEIVE)
    request = clean_request(request)
    now = _now()
    procedure, errors = _find_procedure(ctx, request.procedure_code)
    _raise_first(errors + _request_errors(request, procedure, now))
    assert procedure is not None
    received_at = _moment(request.received_at) if request.received_at is not None else now
    channel = Channel(request.channel)
    delivery = Delivery(request.delivery)
    inputs = default_components(procedure) if request.components is None else request.components
    settings = ctx.settings()
    with ctx.session(write=True) as session:
        number = CodeCounterRepository(session).allocate(settings.agency_code, received_at.date(),
                                                         settings.block)
        code = format_dossier_code(settings.agency_code, received_at.date(), number)
        # The procedure as stored in this transaction (the catalogue may have been reloaded).
        procedure = ProcedureRepository(session).get(procedure.code)
        due_at = compute_due(received_at, procedure.processing, calendar_for_session(session),
                             cutoff=procedure.cutoff, channel=int(channel))
        form_set = SettingsRepository(session).get(FORM_SET) or PROFILE_DEFAULTS[FORM_SET]
        fee = procedure.fee_for_channel(int(channel)) if request.fee_vnd is None else int(request.fee_vnd)
        note = " ".join(request.note.split()) or RECEIVED_NOTE
        dossier = Dossier(
            code=code,
            procedure_code=procedure.code,
            procedure_name=procedure.name,
            applicant=request.applicant,
            received_at=received_at,
            due_at=due_at,
            channel=channel,
            status=DossierStatus.RECEIVED,
            components=_received_components(procedure, inputs),
            officer=officer.full_name,
            delivery=delivery,
            delivery_address=request.delivery_address.strip() if delivery is Delivery.POST else "",
            fee_vnd=fee,
            form_set=form_set,
            history=[StatusChange(received_at, DossierStatus.RECEIVED, officer.full_name, note,
                                  action=Action.RECEIVE.value, station=settings.station_id, due_at=due_at)],
        )
        apply_reuse_flags(session, dossier.components)  # reused from the e-data warehouse
        DossierRepository(session).add(dossier)
        enqueue_dossier(session, dossier)  # the provincial sync, in this same transaction
        queue_notice(session, dossier, "received", "received")
        AuditRepository(session).append(officer.username, "receive", dossier_code=code, details={
            "procedure_code": procedure.code,
            "applicant": request.applicant.identity,
            "received_at": received_at.isoformat(timespec="minutes"),
            "due_at": due_at.isoformat(timespec="minutes"),
            "channel": int(channel),
            "components": [c.index for c in dossier.components if c.received],
            "fee_vnd": fee,
        })
    return dossier


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ReturnOutcome:
    """A result handed over: the dossier (status 10) and the warehouse record of its digitised
    result, when one was given (see :func:`hand_over`)."""

    dossier: Dossier
    record: ResultRecord | None = None


def _clean_name(collected_by: str) -> str:
    collected_by = " ".join(unicodedata.normalize("NFC", collected_by or "").split())
    if not collected_by:
        raise ValidationError("the name of the person collecting the result is required",
                              "Chưa nhập họ tên người nhận kết quả.", field="collected_by")
    return collected_by


def _clean_collector_id(collector_id: str) -> str:
    """The collector's identity number (CCCD from the card's QR code, or typed): digits only."""
    number = "".join((collector_id or "").split())
    if number and not (number.isdigit() and len(number) in (9, 12)):
        raise ValidationError(f"the collector's identity number {number!r} is not 9 or 12 digits",
                              f"Số giấy tờ tùy thân của người nhận kết quả “{number}” không hợp lệ "
                              "(CCCD 12 chữ số hoặc CMND 9 chữ số).", field="collector_id")
    return number


def check_returnable(dossier: Dossier) -> None:
    """Only a dossier whose result is ready (9, "Đã xử lý xong") can be returned; otherwise an
    :class:`InvalidTransitionError` that says why and what can be done now."""
    if dossier.status is DossierStatus.RETURNED:
        when = f" lúc {dossier.returned_at:%d/%m/%Y %H:%M}" if dossier.returned_at else ""
        to = f" cho {dossier.returned_to}" if dossier.returned_to else ""
        raise InvalidTransitionError(
            f"dossier {dossier.code} was already returned (status {int(dossier.status)})",
            f"Hồ sơ {dossier.code} đã được trả kết quả{when}{to} (trạng thái “{dossier.status.label_vi}”).")
    check_action(Action.RETURN, dossier.status, dossier.code)


def _hand_over_in(session: Any, code: str, collected_by: str, collector_id: str, officer: Officer,
                  station: str, at: datetime | None, record: ResultRecord | None) -> Dossier:
    """Inside a write transaction: move the dossier from 9 to 10 (history, outbox, audit)."""
    dossier = load(session, code)
    check_returnable(dossier)
    require_paid(session, dossier)
    moment = step_time(dossier, at, "trả kết quả", "return")
    dossier.returned_at = moment
    dossier.returned_to = collected_by
    details: dict[str, Any] = {"collected_by": collected_by}
    if collector_id:
        details["collector_id"] = collector_id
    if record is not None:
        details["result_record"] = record.record_id
    record_step(session, dossier, Action.RETURN, officer, station, moment,
                note=f"Trả kết quả cho {collected_by}", details=details)
    return dossier


def hand_over(ctx: AppContext, code: str, collected_by: str, officer: Officer, at: datetime | None = None,
              *, result: DossierResult | None = None, collector_id: str = "") -> ReturnOutcome:
    """:func:`return_result`, also giving the warehouse record of the digitised result."""
    require(officer, Permission.RETURN_RESULT)
    collected_by = _clean_name(collected_by)
    collector_id = _clean_collector_id(collector_id)
    station = ctx.settings().station_id
    if result is None:
        with ctx.session(write=True) as session:
            return ReturnOutcome(_hand_over_in(session, code, collected_by, collector_id, officer, station,
                                               at, None))
    with ctx.session() as session:  # the return's own errors first (checked again when writing)
        dossier = load(session, code)
    check_returnable(dossier)
    step_time(dossier, at, "trả kết quả", "return")
    returned: list[Dossier] = []

    def within(session: Session, record: ResultRecord) -> None:
        returned.append(_hand_over_in(session, code, collected_by, collector_id, officer, station, at,
                                      record))

    record = digitise_dossier_result(ctx, code, officer, result, within=within)
    return ReturnOutcome(returned[0], record)


def return_result(ctx: AppContext, code: str, collected_by: str, officer: Officer,
                  at: datetime | None = None, *, result: DossierResult | None = None,
                  collector_id: str = "") -> Dossier:
    """Hand the result over to ``collected_by`` (identity number ``collector_id``, from the CCCD's QR
    code or typed, optional): only a dossier in 9 (done) moves to 10; any other status is refused
    with what can be done now. Records returned_at / returned_to.

    With ``result`` the result document is digitised into the applicant's e-data warehouse in the
    same transaction (:func:`app.services.results.digitise_dossier_result`): if the file is not
    valid (:class:`ValidationError`, Vietnamese) or a duplicate, nothing is returned. Without it the
    result can be digitised later (the dossier shows "Kết quả chưa số hoá")."""
    return hand_over(ctx, code, collected_by, officer, at, result=result, collector_id=collector_id).dossier


def mark_done(ctx: AppContext, code: str, officer: Officer, at: datetime | None = None) -> Dossier:
    """Record that the result is ready (2 or 4 -> 9): :func:`app.services.lifecycle.mark_done`."""
    return lifecycle_actions.mark_done(ctx, code, officer, at)


def find_by_scanned_code(ctx: AppContext, text: str) -> Dossier:
    """The dossier whose code was scanned from a receipt (bar code or QR code, possibly with a
    scanner's CR/LF or inside a longer text such as a lookup URL); :class:`NotFoundError` otherwise."""
    cleaned = unicodedata.normalize("NFC", text or "").strip().strip("\ufeff\x00")
    candidates = [cleaned] if looks_like_dossier_code(cleaned) else []
    candidates += [m.group(0).strip("/?&=#") for m in _EMBEDDED_CODE_RE.finditer(cleaned)]
    with ctx.session() as session:
        repo = DossierRepository(session)
        for candidate in dict.fromkeys(candidates):
            # A URL query may glue "code=" to the code: try the part after the last '=' or '/' too.
            for code in dict.fromkeys((candidate, re.split(r"[=/]", candidate)[-1])):
                try:
                    return repo.get(code)
                except NotFoundError:
                    continue
    shown = cleaned if len(cleaned) <= 60 else cleaned[:59] + "…"
    raise NotFoundError(f"no dossier for the scanned code {shown!r}",
                        f"Không tìm thấy hồ sơ nào có mã “{shown}”.")


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

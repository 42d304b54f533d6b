"""Receiving dossiers at the counter.

:func:`receive_dossier` is one database transaction: the dossier code is taken from this station's
block, the appointment is computed, the dossier is stored with its first history entry and the audit
log gets a row. If anything fails, nothing is kept (and the number goes back to the block), so a
dossier is either fully received, with a code, or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from app.core import limits
from app.core.applicant import Applicant
from app.core.applicant_rules import unstorable_text_error, validate_applicant
from app.core.calendar import compute_due
from app.core.clock import vn_now
from app.core.codes import format_dossier_code
from app.core.dossier import (
    Channel,
    Delivery,
    Dossier,
    DossierStatus,
    ReceivedComponent,
    StatusChange,
)
from app.core.errors import NotFoundError, ValidationError
from app.core.input_rules import applicant_limit_errors, clean_applicant, text_limit_errors
from app.core.lifecycle import Action
from app.core.procedure import Procedure
from app.core.text import clean_text
from app.services.admin.auth import Officer, Permission, require
from app.services.admin.office import calendar_for_session
from app.services.admin.register_book import form_set_for, new_register_entry
from app.services.context import AppContext
from app.services.online.notices import queue_notice
from app.services.reception import calendar as calendar_service
from app.services.reception.catalogue import get_procedure
from app.services.sync.outbox import enqueue_dossier
from app.services.warehouse.records import apply_reuse_flags
from app.store.codec import naive_local
from app.store.repositories import (
    AuditRepository,
    CodeCounterRepository,
    DossierRepository,
    ProcedureRepository,
)

#: A dossier may not be received later than now plus this (clock differences between stations).
FUTURE_TOLERANCE = timedelta(minutes=10)
RECEIVED_NOTE = "Tiếp nhận hồ sơ"


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


def default_components(procedure: Procedure, channel: int = Channel.DIRECT) -> list[ComponentInput]:
    """The procedure's mandatory components with the paper counts the catalogue asks for; an
    interactive e-form (online only) is part of an online dossier only."""
    online = int(channel) == Channel.ONLINE
    return [ComponentInput(index=i, originals=spec.originals, certified_copies=spec.certified_copies,
                           photocopies=spec.photocopies)
            for i, spec in enumerate(procedure.components)
            if spec.mandatory and (online or not spec.online_only)]


def component_inputs(procedure: Procedure, indices: list[int]) -> list[ComponentInput]:
    """Components chosen by index (0-based, in catalogue order), with the catalogue's paper counts
    (an index out of range is kept with zero counts, for :func:`validate_request` to report)."""
    inputs = []
    for index in indices:
        if 0 <= index < len(procedure.components):
            spec = procedure.components[index]
            inputs.append(ComponentInput(index, originals=spec.originals, photocopies=spec.photocopies,
                                         certified_copies=spec.certified_copies))
        else:
            inputs.append(ComponentInput(index))
    return inputs


def _component_errors(procedure: Procedure, components: list[ComponentInput],
                      channel: int = Channel.DIRECT) -> list[ValidationError]:
    """Problems of the chosen components. Messages number components from 1, as the catalogue
    lists them (``index`` is 0-based)."""
    errors: list[ValidationError] = []
    total = len(procedure.components)
    seen: set[int] = set()
    for pos, c in enumerate(components):
        where = f"components[{pos}]"
        index = c.index
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < total:
            number = index + 1 if isinstance(index, int) and not isinstance(index, bool) else index
            span_en = f"1-{total}" if total else "none"
            span_vi = f"số từ 1 đến {total}" if total else "danh mục không có thành phần nào"
            errors.append(ValidationError(
                f"component {number!r} is out of range: procedure {procedure.code} has {total} "
                f"components ({span_en})",
                f"Thành phần hồ sơ số {number} không có trong danh sách: thủ tục {procedure.code} có "
                f"{total} thành phần ({span_vi}).",
                field=f"{where}.index"))
            continue
        number = index + 1
        if index in seen:
            errors.append(ValidationError(
                f"component {number} is given twice", f"Thành phần hồ sơ số {number} bị nhập hai lần.",
                field=f"{where}.index"))
        seen.add(index)
        if c.received and procedure.components[index].online_only and int(channel) != Channel.ONLINE:
            errors.append(ValidationError(
                f"component {number} is an online form: it is not part of an in-person dossier",
                f"Thành phần hồ sơ số {number} là mẫu điện tử chỉ dùng khi nộp trực tuyến, không nhận "
                "trong hồ sơ nộp trực tiếp.", field=f"{where}.index"))
        for name, label in (("originals", "bản chính"), ("certified_copies", "bản sao chứng thực"),
                            ("photocopies", "bản chụp")):
            value = getattr(c, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                errors.append(ValidationError(
                    f"component {number}: {name} must be a whole number >= 0, got {value!r}",
                    f"Thành phần hồ sơ số {number}: số {label} phải là số nguyên không âm (đang là {value}).",
                    field=f"{where}.{name}"))
    return errors


# --------------------------------------------------------------------------- validation


def _now() -> datetime:
    return vn_now().replace(second=0, microsecond=0)


def _moment(value: datetime) -> datetime:
    """Naive local time to the minute (receipts and appointments are to the minute)."""
    return naive_local(value).replace(second=0, microsecond=0)


def _channel_or_direct(value: object) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        return Channel.DIRECT  # the bad channel is reported on its own


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
        channel = _channel_or_direct(request.channel)
        components = (default_components(procedure, channel) if request.components is None
                      else request.components)
        errors += _component_errors(procedure, components, channel)
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


def _received_components(procedure: Procedure, inputs: list[ComponentInput],
                         channel: Channel = Channel.DIRECT) -> list[ReceivedComponent]:
    """Every component of the procedure, in catalogue order; the ones not given are not received.
    An in-person dossier does not list the online-only e-forms at all (``index`` stays the
    catalogue position)."""
    given = {c.index: c for c in inputs}
    out = []
    for index, spec in enumerate(procedure.components):
        if spec.online_only and channel is not Channel.ONLINE:
            continue
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
    inputs = default_components(procedure, channel) if request.components is None else request.components
    settings = ctx.settings()
    with ctx.session(write=True) as session:
        number = CodeCounterRepository(session).allocate(settings.agency_code, received_at.date(),
                                                         settings.block)
        code = format_dossier_code(settings.agency_code, received_at.date(), number)
        # The procedure as stored in this transaction (the catalogue may have been reloaded).
        procedure = ProcedureRepository(session).get(procedure.code)
        due_at = compute_due(received_at, procedure.processing, calendar_for_session(session),
                             cutoff=procedure.cutoff, channel=int(channel))
        form_set = form_set_for(session, received_at)
        register = new_register_entry(session, settings.agency_code, received_at)
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
            components=_received_components(procedure, inputs, channel),
            officer=officer.full_name,
            delivery=delivery,
            delivery_address=request.delivery_address.strip() if delivery is Delivery.POST else "",
            fee_vnd=fee,
            form_set=form_set,
            history=[StatusChange(received_at, DossierStatus.RECEIVED, officer.full_name, note,
                                  action=Action.RECEIVE.value, station=settings.station_id, due_at=due_at)],
            register=register,
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
            "register": f"{register.book}/{register.seq}",
        })
    return dossier

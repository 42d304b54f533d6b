"""The use cases of a dossier's life after reception, one per action of the action table.

Each checks the officer's permission, the action table (:class:`InvalidTransitionError` in
Vietnamese and English otherwise) and its input, then records the step in one transaction
(:func:`app.services.lifecycle.engine.record_step`) and returns the dossier as stored.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from app.core.calendar import WorkCalendar, compute_due
from app.core.deadlines import DeadlineState, SupplementTimeRule, deadline_state, resumed_due
from app.core.dossier import Dossier, DossierStatus, SupplementRequest
from app.core.errors import NotFoundError, ValidationError
from app.core.lifecycle import Action, resume_status
from app.services.auth import Officer
from app.services.calendar import calendar_for_session
from app.services.context import AppContext
from app.services.lifecycle.engine import (
    clean_text,
    load_for,
    now,
    permitted,
    record_step,
    step_time,
    to_minute,
)
from app.store.repositories import ProcedureRepository, SettingsRepository, report_facts

#: Setting: what a received supplement does to the appointment (``resume`` or ``restart``).
SUPPLEMENT_TIME_RULE = "lifecycle.supplement_time_rule"
MAX_ITEMS = 100


def supplement_time_rule(ctx: AppContext) -> SupplementTimeRule:
    with ctx.session() as session:
        return _time_rule(session)


def _time_rule(session: Session) -> SupplementTimeRule:
    value = (SettingsRepository(session).get(SUPPLEMENT_TIME_RULE) or "").strip()
    try:
        return SupplementTimeRule(value) if value else SupplementTimeRule.RESUME
    except ValueError:
        return SupplementTimeRule.RESUME


def _station(ctx: AppContext) -> str:
    return ctx.settings().station_id


def _procedure_due(session: Session, dossier: Dossier, start: datetime, calendar: WorkCalendar) -> datetime:
    """The procedure's full processing time counted from ``start`` (the dossier's current
    appointment when the procedure is no longer in the catalogue)."""
    try:
        procedure = ProcedureRepository(session).get(dossier.procedure_code)
    except NotFoundError:
        return dossier.due_at
    return compute_due(start, procedure.processing, calendar, cutoff=procedure.cutoff,
                       channel=int(dossier.channel))


def accept(ctx: AppContext, code: str, officer: Officer, at: datetime | None = None) -> Dossier:
    """Take an online dossier in (1 -> 2); its appointment counts from now."""
    permitted(officer, Action.ACCEPT)
    station = _station(ctx)
    with ctx.session(write=True) as session:
        dossier = load_for(session, code, Action.ACCEPT)
        moment = step_time(dossier, at, "tiếp nhận", "acceptance")
        due = _procedure_due(session, dossier, moment, calendar_for_session(session))
        record_step(session, dossier, Action.ACCEPT, officer, station, moment, due_at=due)
    return dossier


def handover(ctx: AppContext, code: str, to: str, officer: Officer, at: datetime | None = None) -> Dossier:
    """Hand the dossier over for processing to a unit or officer ``to`` (2 -> 4)."""
    permitted(officer, Action.HANDOVER)
    unit = clean_text(to, "to", "Đơn vị, cán bộ nhận hồ sơ", required=True)
    station = _station(ctx)
    with ctx.session(write=True) as session:
        dossier = load_for(session, code, Action.HANDOVER)
        moment = step_time(dossier, at, "chuyển xử lý", "hand-over")
        record_step(session, dossier, Action.HANDOVER, officer, station, moment,
                    note=f"Chuyển xử lý: {unit}", details={"unit": unit})
    return dossier


def timeliness(finished: datetime, due: datetime) -> str:
    """Trước hạn / Đúng hạn / Quá hạn, as Mẫu 05 records the result of a step."""
    if finished.date() < due.date():
        return "Trước hạn"
    return "Đúng hạn" if finished <= due else "Quá hạn"


def mark_done(ctx: AppContext, code: str, officer: Officer, at: datetime | None = None) -> Dossier:
    """The result is at the counter (4 -> 9), or the counter settled the dossier itself (2 -> 9)."""
    permitted(officer, Action.DONE)
    station = _station(ctx)
    with ctx.session(write=True) as session:
        dossier = load_for(session, code, Action.DONE)
        moment = step_time(dossier, at, "xử lý xong", "completion")
        settled_here = dossier.status is DossierStatus.RECEIVED
        note = "Bộ phận Một cửa giải quyết xong" if settled_here else "Kết quả đã về Bộ phận Một cửa"
        record_step(session, dossier, Action.DONE, officer, station, moment, note=note,
                    details={"timeliness": timeliness(moment, dossier.due_at)})
    return dossier


def _clean_items(items: list[str]) -> list[str]:
    cleaned = [clean_text(item, "item", "Giấy tờ cần bổ sung", required=False) for item in items or []]
    cleaned = [c for c in cleaned if c]
    if not cleaned:
        raise ValidationError("at least one item to supplement is required",
                              "Chưa nhập giấy tờ nào cần bổ sung.", field="items")
    if len(cleaned) > MAX_ITEMS:
        raise ValidationError(f"more than {MAX_ITEMS} items", f"Quá {MAX_ITEMS} giấy tờ cần bổ sung.",
                              field="items")
    return list(dict.fromkeys(cleaned))


def request_supplement(ctx: AppContext, code: str, items: list[str], reason: str, officer: Officer,
                       at: datetime | None = None) -> Dossier:
    """Ask for ``items`` (Mẫu 02) with ``reason`` (1, 2 or 4 -> 5): the clock stops. A second
    request in the same dossier is allowed and marked ``repeated`` (the national indicator then
    counts the dossier late)."""
    permitted(officer, Action.SUPPLEMENT_REQUEST)
    wanted = _clean_items(items)
    why = clean_text(reason, "reason", "Lý do yêu cầu bổ sung", required=True)
    station = _station(ctx)
    with ctx.session(write=True) as session:
        dossier = load_for(session, code, Action.SUPPLEMENT_REQUEST)
        moment = step_time(dossier, at, "yêu cầu bổ sung", "supplement request")
        request = SupplementRequest(requested_at=moment, reason=why, items=wanted, officer=officer.full_name,
                                    id=uuid.uuid4().hex, sequence=len(dossier.supplements) + 1,
                                    previous_due_at=dossier.due_at)
        dossier.supplements.append(request)
        repeated = request.sequence > 1
        note = f"Yêu cầu bổ sung (lần {request.sequence}): {why}" if repeated else f"Yêu cầu bổ sung: {why}"
        record_step(session, dossier, Action.SUPPLEMENT_REQUEST, officer, station, moment, reason=why,
                    note=note, details={"items": wanted, "supplement_id": request.id,
                                        "sequence": request.sequence, "repeated": repeated})
    return dossier


def receive_supplement(ctx: AppContext, code: str, officer: Officer, at: datetime | None = None) -> Dossier:
    """The supplement came in (5 -> the status before the request). The appointment is recomputed
    on the working calendar by the setting ``lifecycle.supplement_time_rule``: ``resume`` (default:
    the working time left at the request runs on) or ``restart`` (the full time again). The history
    entry keeps both appointments (``previous_due_at``, ``due_at``)."""
    permitted(officer, Action.SUPPLEMENT_RECEIVE)
    station = _station(ctx)
    with ctx.session(write=True) as session:
        dossier = load_for(session, code, Action.SUPPLEMENT_RECEIVE)
        moment = step_time(dossier, at, "nhận hồ sơ bổ sung", "supplement receipt")
        open_requests = [s for s in dossier.supplements if s.completed_at is None]
        request = open_requests[-1] if open_requests else None
        calendar = calendar_for_session(session)
        time_rule = _time_rule(session)
        previous_due = dossier.due_at
        asked_at = request.requested_at if request is not None else dossier.history[-1].at
        if time_rule is SupplementTimeRule.RESTART:
            due = _procedure_due(session, dossier, moment, calendar)
        else:
            due = resumed_due(calendar, asked_at, previous_due, moment)
        details: dict[str, object] = {"time_rule": time_rule.value}
        if request is not None:
            request.completed_at, request.received_by = moment, officer.full_name
            request.previous_due_at, request.new_due_at = previous_due, due
            details["supplement_id"] = request.id
        record_step(session, dossier, Action.SUPPLEMENT_RECEIVE, officer, station, moment,
                    target=resume_status(dossier.history), due_at=due, details=details,
                    note=f"Nhận hồ sơ bổ sung; hẹn trả mới {due:%d/%m/%Y %H:%M}")
        if dossier.id is not None:  # the pause moves a due kept from before a postponement too
            report_facts.shift_due_before_postponement(session, dossier.id, due - previous_due)
    return dossier


def refuse(ctx: AppContext, code: str, reason: str, officer: Officer, at: datetime | None = None) -> Dossier:
    """Refuse the dossier (1 or 2 -> 3) for ``reason`` (printed on Mẫu 03)."""
    permitted(officer, Action.REFUSE)
    why = clean_text(reason, "reason", "Lý do từ chối", required=True)
    station = _station(ctx)
    with ctx.session(write=True) as session:
        dossier = load_for(session, code, Action.REFUSE)
        moment = step_time(dossier, at, "từ chối", "refusal")
        record_step(session, dossier, Action.REFUSE, officer, station, moment, reason=why,
                    note=f"Từ chối tiếp nhận: {why}")
    return dossier


POSTPONABLE = frozenset({DeadlineState.OVERDUE, DeadlineState.DUE_TODAY, DeadlineState.DUE_SOON})


def postpone(ctx: AppContext, code: str, new_due: datetime, reason: str, officer: Officer,
             at: datetime | None = None) -> Dossier:
    """A new appointment with an apology (4 -> 4, Mẫu 04): only for a dossier that is late or due
    within one working day; ``new_due`` must be later than the current appointment, in the future and
    on a working day."""
    permitted(officer, Action.POSTPONE)
    why = clean_text(reason, "reason", "Lý do hẹn lại", required=True)
    new = to_minute(new_due)
    station = _station(ctx)
    with ctx.session(write=True) as session:
        dossier = load_for(session, code, Action.POSTPONE)
        moment = step_time(dossier, at, "hẹn lại", "postponement")
        calendar = calendar_for_session(session)
        current = dossier.due_at
        if deadline_state(dossier.status, current, moment, calendar) not in POSTPONABLE:
            raise ValidationError(
                f"dossier {dossier.code} is due {current:%Y-%m-%d %H:%M}: a postponement is only for a "
                "dossier that is late or due within one working day",
                f"Hồ sơ {dossier.code} hẹn trả {current:%d/%m/%Y %H:%M}: chỉ hẹn lại khi hồ sơ đã quá hạn "
                "hoặc còn không quá một ngày làm việc.", field="new_due")
        if new <= current:
            raise ValidationError(
                f"the new appointment {new:%Y-%m-%d %H:%M} is not later than the current one "
                f"({current:%Y-%m-%d %H:%M})",
                f"Ngày hẹn mới {new:%d/%m/%Y %H:%M} phải sau ngày hẹn hiện tại ({current:%d/%m/%Y %H:%M}).",
                field="new_due")
        if new <= max(now(), moment):
            raise ValidationError(f"the new appointment {new:%Y-%m-%d %H:%M} is not in the future",
                                  f"Ngày hẹn mới {new:%d/%m/%Y %H:%M} đã qua; hãy chọn thời điểm sắp tới.",
                                  field="new_due")
        if not calendar.is_working_day(new.date()):
            raise ValidationError(f"the new appointment {new:%Y-%m-%d} is not a working day",
                                  f"Ngày hẹn mới {new:%d/%m/%Y} không phải ngày làm việc.", field="new_due")
        record_step(session, dossier, Action.POSTPONE, officer, station, moment, reason=why, due_at=new,
                    note=f"Xin lỗi, hẹn lại ngày trả {new:%d/%m/%Y %H:%M}: {why}")
        if dossier.id is not None:  # the indicators judge the dossier by the due it had first
            report_facts.keep_due_before_postponement(session, dossier.id, current)
    return dossier


def stop(ctx: AppContext, code: str, reason: str, officer: Officer, at: datetime | None = None) -> Dossier:
    """Stop processing (2, 4 or 5 -> 8) for ``reason`` (printed on the stop notice)."""
    permitted(officer, Action.STOP)
    why = clean_text(reason, "reason", "Lý do dừng giải quyết", required=True)
    station = _station(ctx)
    with ctx.session(write=True) as session:
        dossier = load_for(session, code, Action.STOP)
        moment = step_time(dossier, at, "dừng giải quyết", "stop")
        record_step(session, dossier, Action.STOP, officer, station, moment, reason=why,
                    note=f"Dừng giải quyết: {why}")
    return dossier


def withdraw(ctx: AppContext, code: str, reason: str, officer: Officer,
             at: datetime | None = None) -> Dossier:
    """The citizen withdraws the dossier (1, 2, 4 or 5 -> 7) for ``reason``."""
    permitted(officer, Action.WITHDRAW)
    why = clean_text(reason, "reason", "Lý do rút hồ sơ", required=True)
    station = _station(ctx)
    with ctx.session(write=True) as session:
        dossier = load_for(session, code, Action.WITHDRAW)
        moment = step_time(dossier, at, "rút hồ sơ", "withdrawal")
        record_step(session, dossier, Action.WITHDRAW, officer, station, moment, reason=why,
                    note=f"Công dân rút hồ sơ: {why}")
    return dossier

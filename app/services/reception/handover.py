"""Handing results back at the counter: mark a dossier done, hand its result over (with the result
digitised in the same transaction), find a dossier by a scanned code."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.core.codes import looks_like_dossier_code
from app.core.dossier import (
    Dossier,
    DossierStatus,
    check_transition,
)
from app.core.errors import InvalidTransitionError, NotFoundError, ValidationError
from app.core.warehouse import ResultRecord
from app.services.admin.auth import Officer, Permission, require
from app.services.context import AppContext
from app.services.reception.receive import FUTURE_TOLERANCE, as_local, now_local
from app.services.sync.outbox import enqueue_new_statuses
from app.services.warehouse.results import DossierResult, digitise_dossier_result
from app.store.repositories import (
    AuditRepository,
    DossierRepository,
)

DONE_AT_COUNTER_NOTE = "Kết quả đã có tại Bộ phận Một cửa"
#: Statuses from which a result can be handed over (2 and 4 pass through 9 first).
RETURNABLE = frozenset({DossierStatus.RECEIVED, DossierStatus.PROCESSING, DossierStatus.DONE})
_EMBEDDED_CODE_RE = re.compile(r"\S+-[0-9]{6}-[0-9]{4}")


# --------------------------------------------------------------------------- results


def _load_for_update(session: Any, code: str) -> Dossier:
    code = code.strip()
    try:
        return DossierRepository(session).get(code)
    except NotFoundError as exc:
        raise NotFoundError(f"unknown dossier {code}", f"Không tìm thấy hồ sơ có mã “{code}”.") from exc


def _event_time(dossier: Dossier, at: datetime | None, what_en: str, what_vi: str) -> datetime:
    moment = as_local(at) if at is not None else now_local()
    if moment < dossier.received_at:
        raise ValidationError(
            f"the {what_en} time {moment:%Y-%m-%d %H:%M} is before the dossier was received",
            f"Thời điểm {what_vi} {moment:%d/%m/%Y %H:%M} trước thời điểm tiếp nhận hồ sơ "
            f"({dossier.received_at:%d/%m/%Y %H:%M}).",
            field="at")
    if moment > now_local() + FUTURE_TOLERANCE:
        raise ValidationError(f"the {what_en} time {moment:%Y-%m-%d %H:%M} is in the future",
                              f"Thời điểm {what_vi} {moment:%d/%m/%Y %H:%M} là thời điểm trong tương lai.",
                              field="at")
    return moment


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


def _check_returnable(dossier: Dossier) -> None:
    previous = dossier.status
    if previous is DossierStatus.RETURNED:
        when = f" lúc {dossier.returned_at:%d/%m/%Y %H:%M}" if dossier.returned_at else ""
        to = f" cho {dossier.returned_to}" if dossier.returned_to else ""
        raise InvalidTransitionError(f"dossier {dossier.code} was already returned",
                                     f"Hồ sơ {dossier.code} đã được trả kết quả{when}{to}.")
    if previous not in RETURNABLE:
        raise InvalidTransitionError(
            f"dossier {dossier.code} is in status {int(previous)}: no result to return",
            f"Hồ sơ {dossier.code} đang ở trạng thái “{previous.label_vi}”, chưa có kết quả để trả.")


def _hand_over_in(session: Any, code: str, collected_by: str, officer: Officer, at: datetime | None,
                  record: ResultRecord | None) -> Dossier:
    """Inside a write transaction: move the dossier to 10, queue the status changes, audit."""
    dossier = _load_for_update(session, code)
    moment = _event_time(dossier, at, "return", "trả kết quả")
    previous = dossier.status
    first_change = len(dossier.history)
    _check_returnable(dossier)
    if dossier.status in (DossierStatus.RECEIVED, DossierStatus.PROCESSING):
        dossier.move_to(DossierStatus.DONE, moment, officer.full_name, DONE_AT_COUNTER_NOTE)
    dossier.move_to(DossierStatus.RETURNED, moment, officer.full_name, f"Trả kết quả cho {collected_by}")
    dossier.returned_at = moment
    dossier.returned_to = collected_by
    DossierRepository(session).update(dossier)
    enqueue_new_statuses(session, dossier, previous, first_change)
    details: dict[str, Any] = {"from_status": int(previous), "returned_to": collected_by,
                               "returned_at": moment.isoformat(timespec="minutes")}
    if record is not None:
        details["result_record"] = record.record_id
    AuditRepository(session).append(officer.username, "return", dossier_code=dossier.code, details=details)
    return dossier


def hand_over(ctx: AppContext, code: str, collected_by: str, officer: Officer, at: datetime | None = None,
              *, result: DossierResult | None = None) -> ReturnOutcome:
    """:func:`return_result`, also giving the warehouse record of the digitised result."""
    require(officer, Permission.RETURN_RESULT)
    collected_by = _clean_name(collected_by)
    if result is None:
        with ctx.session(write=True) as session:
            return ReturnOutcome(_hand_over_in(session, code, collected_by, officer, at, None))
    with ctx.session() as session:  # the return's own errors first (checked again when writing)
        dossier = _load_for_update(session, code)
    _event_time(dossier, at, "return", "trả kết quả")
    _check_returnable(dossier)
    returned: list[Dossier] = []

    def within(session: Session, record: ResultRecord) -> None:
        returned.append(_hand_over_in(session, code, collected_by, officer, at, record))

    record = digitise_dossier_result(ctx, code, officer, result, within=within)
    return ReturnOutcome(returned[0], record)


def return_result(ctx: AppContext, code: str, collected_by: str, officer: Officer,
                  at: datetime | None = None, *, result: DossierResult | None = None) -> Dossier:
    """Hand the result over to ``collected_by``: a dossier in 9 (done) moves to 10; one in 2 or 4
    (the result is ready at the counter) moves through 9 to 10. Records returned_at / returned_to.

    With ``result`` the result document is digitised into the applicant's e-data warehouse in the
    same transaction (:func:`app.services.warehouse.results.digitise_dossier_result`): if the file is not
    valid (:class:`ValidationError`, Vietnamese) or a duplicate, nothing is returned. Without it the
    result can be digitised later (the dossier shows "Kết quả chưa số hoá")."""
    return hand_over(ctx, code, collected_by, officer, at, result=result).dossier


def mark_done(ctx: AppContext, code: str, officer: Officer, at: datetime | None = None) -> Dossier:
    """Record that the result is ready (status 9); needs RETURN_RESULT (the counter records it)."""
    require(officer, Permission.RETURN_RESULT)
    with ctx.session(write=True) as session:
        dossier = _load_for_update(session, code)
        moment = _event_time(dossier, at, "completion", "xử lý xong")
        previous = dossier.status
        check_transition(dossier.status, DossierStatus.DONE)
        dossier.move_to(DossierStatus.DONE, moment, officer.full_name)
        DossierRepository(session).update(dossier)
        enqueue_new_statuses(session, dossier, previous, len(dossier.history) - 1)
        AuditRepository(session).append(officer.username, "done", dossier_code=dossier.code, details={
            "from_status": int(previous), "at": moment.isoformat(timespec="minutes")})
    return dossier


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

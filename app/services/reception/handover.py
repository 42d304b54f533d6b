"""Handing results back at the counter: hand a result over (with the result digitised in the same
transaction), find a dossier by a scanned code."""

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
)
from app.core.errors import InvalidTransitionError, NotFoundError, ValidationError
from app.core.lifecycle import Action, check_action
from app.core.warehouse import ResultRecord
from app.services.admin.auth import Officer, Permission, require
from app.services.context import AppContext
from app.services.lifecycle import actions as lifecycle_actions
from app.services.lifecycle.engine import load, record_step, step_time
from app.services.online.fees import require_paid
from app.services.warehouse.results import DossierResult, digitise_dossier_result
from app.store.repositories import (
    DossierRepository,
)

_EMBEDDED_CODE_RE = re.compile(r"\S+-[0-9]{6}-[0-9]{4}")


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
    same transaction (:func:`app.services.warehouse.results.digitise_dossier_result`): if the file is not
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

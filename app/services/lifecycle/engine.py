"""One step of a dossier's life, recorded in one transaction.

:func:`record_step` writes together, inside the caller's write transaction: the dossier row (status,
appointment, history JSON and the ``dossier_status_history`` rows), the audit row (hash chained)
and the outbox item for the province (a ``CapNhatTienDoHoSoMC`` progress item). If anything fails,
nothing of the step is kept. The use cases (:mod:`app.services.lifecycle.actions`) check the action
table, the permission and the input first.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.core.applicant_rules import unstorable_text_error
from app.core.clock import vn_now
from app.core.dossier import Dossier, DossierStatus, StatusChange
from app.core.errors import NotFoundError, ValidationError
from app.core.lifecycle import Action, ActionRule, check_action, rule
from app.services.admin.auth import Officer, Permission, require
from app.services.online.notices import queue_notice
from app.services.sync.outbox import enqueue_status
from app.store.codec import naive_local
from app.store.repositories import AuditRepository, DossierRepository

#: A step may not be dated later than now plus this (clock differences between stations).
FUTURE_TOLERANCE = timedelta(minutes=10)
#: Longest reason or unit name kept (the national progress item's text fields hold 2000).
MAX_TEXT = 2000


def now() -> datetime:
    return vn_now().replace(second=0, microsecond=0)


def to_minute(value: datetime) -> datetime:
    """Naive local time to the minute (slips and appointments are to the minute)."""
    return naive_local(value).replace(second=0, microsecond=0)


def permitted(officer: Officer, action: Action) -> ActionRule:
    """The action's rule, once the officer's permission for it is checked."""
    r = rule(action)
    require(officer, Permission(r.permission))
    return r


def load(session: Session, code: str) -> Dossier:
    code = (code or "").strip()
    try:
        return DossierRepository(session).get(code)
    except NotFoundError as exc:
        raise NotFoundError(f"unknown dossier {code}", f"Không tìm thấy hồ sơ có mã “{code}”.") from exc


def load_for(session: Session, code: str, action: Action) -> Dossier:
    """The dossier, once the action table allows ``action`` from its status."""
    dossier = load(session, code)
    check_action(action, dossier.status, dossier.code)
    return dossier


def clean_text(value: str | None, field: str, label_vi: str, *, required: bool) -> str:
    """NFC text on one line; ValidationError (Vietnamese and English) when required and empty, too
    long, or not storable."""
    text = " ".join(unicodedata.normalize("NFC", value or "").split())
    error = unstorable_text_error(value or "", field, label_vi)
    if error is not None:
        raise error
    if required and not text:
        raise ValidationError(f"{field} is required", f"Chưa nhập {label_vi.lower()}.", field=field)
    if len(text) > MAX_TEXT:
        raise ValidationError(f"{field} is longer than {MAX_TEXT} characters",
                              f"{label_vi} dài quá {MAX_TEXT} ký tự.", field=field)
    return text


def step_time(dossier: Dossier, at: datetime | None, label_vi: str, label_en: str) -> datetime:
    """The step's time (now by default): not before the receipt nor the last step recorded at a
    counter, not in the future. (Steps pulled from the province carry the province's clock, which
    may differ from this station's: they do not bound the counter's time.)"""
    moment = to_minute(at) if at is not None else now()
    local = [h.at for h in dossier.history if h.station]
    last = max([dossier.received_at, *local])
    if moment < last:
        raise ValidationError(
            f"the {label_en} time {moment:%Y-%m-%d %H:%M} is before the dossier's last step "
            f"({last:%Y-%m-%d %H:%M})",
            f"Thời điểm {label_vi} {moment:%d/%m/%Y %H:%M} trước bước xử lý gần nhất của hồ sơ "
            f"({last:%d/%m/%Y %H:%M}).", field="at")
    if moment > now() + FUTURE_TOLERANCE:
        raise ValidationError(f"the {label_en} time {moment:%Y-%m-%d %H:%M} is in the future",
                              f"Thời điểm {label_vi} {moment:%d/%m/%Y %H:%M} là thời điểm trong tương lai.",
                              field="at")
    return moment


#: The steps the citizen is told of, and the notice each gives.
NOTICE_EVENTS = {Action.ACCEPT: "received", Action.SUPPLEMENT_REQUEST: "supplement",
                 Action.DONE: "result_ready", Action.POSTPONE: "postponed", Action.REFUSE: "refused"}


def record_step(session: Session, dossier: Dossier, action: Action, officer: Officer, station: str,
                at: datetime, *, target: DossierStatus | None = None, reason: str = "", note: str = "",
                due_at: datetime | None = None, details: dict[str, Any] | None = None) -> StatusChange:
    """Apply ``action`` to ``dossier`` (already checked) and store everything it changes: status
    (``target``, default the rule's), appointment (``due_at``, when it changes), a history entry,
    the audit row and the outbox item. Returns the new history entry."""
    r = rule(action)
    previous_status = dossier.status
    previous_due = dossier.due_at
    status = target if target is not None else r.target
    assert status is not None, f"{action} needs an explicit target"
    due_changed = due_at is not None and due_at != previous_due
    if due_at is not None:
        dossier.due_at = due_at
    change = StatusChange(
        at=at, status=status, officer=officer.full_name, note=note or r.label_vi, action=action.value,
        reason=reason, station=station, due_at=dossier.due_at,
        previous_due_at=previous_due if due_changed else None, details=dict(details or {}))
    dossier.status = status
    dossier.history.append(change)
    DossierRepository(session).update(dossier)
    enqueue_status(session, dossier, change, previous_status)
    audit: dict[str, Any] = {"from_status": int(previous_status), "to_status": int(status),
                             "at": at.isoformat(timespec="minutes"), "station": station,
                             "due_at": dossier.due_at.isoformat(timespec="minutes")}
    if reason:
        audit["reason"] = reason
    if due_changed:
        audit["previous_due_at"] = previous_due.isoformat(timespec="minutes")
    audit.update(change.details)
    AuditRepository(session).append(officer.username, action.value, dossier_code=dossier.code, details=audit)
    event = NOTICE_EVENTS.get(action)
    if event is not None:  # the citizen is told, once per step
        items = "\n".join(f"- {i}" for i in change.details.get("items", []) if isinstance(i, str))
        detail = items or reason
        if action is Action.POSTPONE and reason:
            detail = f"\nLý do: {reason}"
        queue_notice(session, dossier, event, f"{event}:{len(dossier.history)}", detail)
    return change

"""Deadline states of dossiers: the lists "due today", "due within a working day", "overdue" and
"paused" (waiting for supplements: never counted overdue)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.core.clock import vn_now
from app.core.deadlines import RUNNING, DeadlineClock, DeadlineState, deadline_state, one_working_day_later
from app.core.dossier import Dossier, DossierStatus
from app.core.errors import ValidationError
from app.services.admin.office import calendar_for_session
from app.services.context import AppContext
from app.store.repositories import DossierRepository, DossierSummary

#: The lists ``motcua dossier list --due`` offers.
DUE_FILTERS = (DeadlineState.DUE_TODAY, DeadlineState.DUE_SOON, DeadlineState.OVERDUE, DeadlineState.PAUSED)


def _due_state(due: DeadlineState | str) -> DeadlineState:
    try:
        state = DeadlineState(due)
    except ValueError:
        state = None
    if state not in DUE_FILTERS:
        raise ValidationError(f"unknown deadline list {due!r} (today, soon, overdue, paused)",
                              f"Không có danh sách hạn “{due}” (today, soon, overdue, paused).", field="due")
    return state  # type: ignore[return-value]


def _now() -> datetime:
    return vn_now().replace(second=0, microsecond=0)


def dossier_deadline(ctx: AppContext, dossier: Dossier, now: datetime | None = None) -> DeadlineState:
    with ctx.session() as session:
        calendar = calendar_for_session(session)
    return deadline_state(dossier.status, dossier.due_at, now or _now(), calendar)


def list_by_deadline(ctx: AppContext, due: DeadlineState | str, *, now: datetime | None = None,
                     limit: int = 50, offset: int = 0) -> list[DossierSummary]:
    """Dossiers in the deadline list ``due`` (today, soon, overdue, paused), soonest first. ``soon``
    is every running dossier due within one working day from now (today's included)."""
    state = _due_state(due)
    moment = now or _now()
    with ctx.session() as session:
        repo = DossierRepository(session)
        return repo.by_due(**_due_bounds(session, state, moment), limit=limit, offset=offset)


def count_by_deadline(ctx: AppContext, due: DeadlineState | str, *, now: datetime | None = None) -> int:
    """How many dossiers :func:`list_by_deadline` would list without a limit."""
    state = _due_state(due)
    with ctx.session() as session:
        return DossierRepository(session).count_due(**_due_bounds(session, state, now or _now()))


def deadline_clock(ctx: AppContext, now: datetime | None = None) -> DeadlineClock:
    """A clock that gives the deadline state of any number of listed dossiers (one calendar load)."""
    with ctx.session() as session:
        calendar = calendar_for_session(session)
    return DeadlineClock.at(now or _now(), calendar)


def _due_bounds(session: Session, state: DeadlineState, moment: datetime) -> dict[str, Any]:
    if state is DeadlineState.PAUSED:
        return {"statuses": [DossierStatus.SUPPLEMENT_REQUESTED]}
    if state is DeadlineState.OVERDUE:
        return {"statuses": RUNNING, "due_before": moment}
    if state is DeadlineState.DUE_TODAY:
        tomorrow = datetime.combine(moment.date() + timedelta(days=1), time())
        return {"statuses": RUNNING, "due_from": moment, "due_before": tomorrow}
    until = one_working_day_later(calendar_for_session(session), moment)
    return {"statuses": RUNNING, "due_from": moment, "due_until": until}


def postponement_default(ctx: AppContext, dossier: Dossier, now: datetime | None = None) -> datetime:
    """What the postponement dialog proposes: the next working day after the current appointment (or
    after today, for a dossier already late) at the appointment's time of day."""
    moment = now or _now()
    with ctx.session() as session:
        calendar = calendar_for_session(session)
    day = max(dossier.due_at.date(), moment.date()) + timedelta(days=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, dossier.due_at.time().replace(second=0, microsecond=0))

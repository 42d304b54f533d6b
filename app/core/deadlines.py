"""Deadline arithmetic after reception: working time left, a new appointment after a supplement, and
the deadline state a list shows (due today, due within a working day, overdue, paused).

Working time is counted like :func:`app.core.calendar.compute_due`: inside the office-hour sessions
of working days only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from app.core.calendar import WorkCalendar, compute_due
from app.core.procedure import ProcessingTime, ProcessingUnit
from app.core.status import DossierStatus

#: Statuses whose appointment runs (a dossier waiting for supplements is paused, not late).
RUNNING = frozenset({DossierStatus.REGISTERED, DossierStatus.RECEIVED, DossierStatus.PROCESSING,
                     DossierStatus.PAYMENT_REQUESTED})


class SupplementTimeRule(StrEnum):
    """What happens to the appointment when a requested supplement comes in (UNCONFIRMED in the
    law as read: a setting). ``resume``: the working time left when the request was made runs on
    from the supplement's arrival; ``restart``: the procedure's full processing time starts again."""

    RESUME = "resume"
    RESTART = "restart"


class DeadlineState(StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "soon"  # due within one working day from now
    DUE_TODAY = "today"
    OVERDUE = "overdue"
    PAUSED = "paused"  # waiting for supplements: the clock is stopped
    CLOSED = "closed"  # no deadline runs (done, returned, refused, stopped, withdrawn)


DEADLINE_LABELS_VI = {
    DeadlineState.ON_TIME: "Trong hạn",
    DeadlineState.DUE_SOON: "Sắp đến hạn",
    DeadlineState.DUE_TODAY: "Đến hạn hôm nay",
    DeadlineState.OVERDUE: "Quá hạn",
    DeadlineState.PAUSED: "Tạm dừng (chờ bổ sung)",
    DeadlineState.CLOSED: "",
}


def working_time_between(calendar: WorkCalendar, start: datetime, end: datetime) -> timedelta:
    """Working time from ``start`` to ``end`` (zero when ``end`` is not later)."""
    if end <= start:
        return timedelta()
    total = timedelta()
    day = start.date()
    while day <= end.date():
        if calendar.is_working_day(day):
            midnight = datetime.combine(day, time())
            for begin, finish in calendar.hours.spans:
                lo = max(start, midnight + begin)
                hi = min(end, midnight + finish)
                if hi > lo:
                    total += hi - lo
        day += timedelta(days=1)
    return total


def add_working_time(calendar: WorkCalendar, start: datetime, amount: timedelta) -> datetime:
    """The moment ``amount`` of working time after ``start`` (rounded up to the minute)."""
    hours = max(amount, timedelta()).total_seconds() / 3600
    return compute_due(start, ProcessingTime(hours, ProcessingUnit.WORKING_HOURS), calendar)


def one_working_day_later(calendar: WorkCalendar, moment: datetime) -> datetime:
    return add_working_time(calendar, moment, calendar.hours.day_length)


def resumed_due(calendar: WorkCalendar, requested_at: datetime, previous_due: datetime,
                supplemented_at: datetime) -> datetime:
    """``resume``: the working time that was left at the request runs on from the supplement."""
    left = working_time_between(calendar, requested_at, previous_due)
    return add_working_time(calendar, supplemented_at, left)


def deadline_state(status: DossierStatus, due_at: datetime, now: datetime,
                   calendar: WorkCalendar) -> DeadlineState:
    """The deadline state of a dossier at ``now`` (see :class:`DeadlineState`)."""
    status = DossierStatus(status)
    if status is DossierStatus.SUPPLEMENT_REQUESTED:
        return DeadlineState.PAUSED
    if status not in RUNNING:
        return DeadlineState.CLOSED
    if due_at < now:
        return DeadlineState.OVERDUE
    if due_at.date() == now.date():
        return DeadlineState.DUE_TODAY
    if due_at <= one_working_day_later(calendar, now):
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME


@dataclass(frozen=True)
class DeadlineClock:
    """The deadline state of many dossiers at one moment, without a calendar lookup per dossier:
    the one-working-day bound is computed once (a list shows thousands of rows)."""

    now: datetime
    soon_until: datetime

    @classmethod
    def at(cls, now: datetime, calendar: WorkCalendar) -> DeadlineClock:
        return cls(now, one_working_day_later(calendar, now))

    def state(self, status: DossierStatus | int, due_at: datetime | None) -> DeadlineState:
        """Same answer as :func:`deadline_state` at :attr:`now`."""
        status = DossierStatus(status)
        if status is DossierStatus.SUPPLEMENT_REQUESTED:
            return DeadlineState.PAUSED
        if status not in RUNNING or due_at is None:
            return DeadlineState.CLOSED
        if due_at < self.now:
            return DeadlineState.OVERDUE
        if due_at.date() == self.now.date():
            return DeadlineState.DUE_TODAY
        if due_at <= self.soon_until:
            return DeadlineState.DUE_SOON
        return DeadlineState.ON_TIME

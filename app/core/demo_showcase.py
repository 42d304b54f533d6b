"""A few demo dossiers placed relative to ``now`` so that the demo always shows every deadline state
a counter works with: due today, due within one working day, overdue, paused for supplements, done
(waiting to be collected), returned and refused.

The random demo (:mod:`app.core.demo`) ages dossiers realistically but cannot promise that, on the
day the demo is opened, one of them is due today; these do, whatever the date.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.core.calendar import WorkCalendar, compute_due
from app.core.codes import format_dossier_code
from app.core.demo import (
    DEMO_PLACE,
    OFFICERS,
    SUPPLEMENT_REASONS,
    DemoPlace,
    _components,
    _People,
)
from app.core.dossier import Channel, Dossier, DossierStatus, StatusChange, SupplementRequest
from app.core.lifecycle import Action
from app.core.procedure import Procedure, ProcessingUnit

S = DossierStatus
A = Action
REFUSAL_REASON = "Hồ sơ không thuộc thẩm quyền giải quyết của UBND phường"


@dataclass(frozen=True)
class _Plan:
    name: str  # what the dossier shows in the demo
    due_day: date
    due_time: time
    final: DossierStatus
    received_at: datetime | None = None  # set: received then, due by the procedure's time


def _working_days_back(calendar: WorkCalendar, day: date, count: int) -> date:
    """The working day ``count`` working days before ``day`` (``day`` itself need not be working)."""
    current = day
    while count > 0:
        current -= timedelta(days=1)
        if calendar.is_working_day(current):
            count -= 1
    return current


def _previous_working_day(calendar: WorkCalendar, day: date) -> date:
    return _working_days_back(calendar, day, 1)


def _procedure(procedures: Sequence[Procedure]) -> Procedure | None:
    """A procedure counted in whole working days (3 to 15), its due time equal to its receipt time."""
    candidates = [p for p in procedures if p.processing.unit is ProcessingUnit.WORKING_DAYS
                  and float(p.processing.amount).is_integer() and 3 <= p.processing.amount <= 15]
    return min(candidates, key=lambda p: (p.processing.amount != 7, p.code)) if candidates else None


def _recent_moments(calendar: WorkCalendar, now: datetime) -> list[datetime]:
    """Two receipt times in the last working session before ``now`` (today if it has begun)."""
    day = now.date()
    opening = calendar.hours.sessions[0][0]
    if not calendar.is_working_day(day) or now.time() < (datetime.combine(day, opening)
                                                         + timedelta(minutes=30)).time():
        day = _previous_working_day(calendar, day)
        end = datetime.combine(day, calendar.hours.closing)
    else:
        end = min(now, datetime.combine(day, calendar.hours.closing))
    starts = [datetime.combine(day, start) for start, _ in calendar.hours.sessions]
    start = max(s for s in starts if s < end)
    return sorted({max(start, end - timedelta(minutes=m)) for m in (20, 50)})


def _plans(calendar: WorkCalendar, now: datetime) -> list[_Plan]:
    today = now.date()
    closing = calendar.hours.closing
    late_today = (datetime.combine(today, closing) - timedelta(minutes=15)).time()
    plans = [_Plan("just received", today, time(0, 0), S.RECEIVED, moment)
             for moment in _recent_moments(calendar, now)]
    if calendar.is_working_day(today) and now.time() < late_today:
        plans.append(_Plan("due today", today, late_today, S.PROCESSING))
    next_day = calendar.next_working_day(today)
    plans += [
        _Plan("due within one working day", next_day, time(10, 0), S.PROCESSING),
        _Plan("overdue", _working_days_back(calendar, today, 2), time(9, 30), S.PROCESSING),
        _Plan("paused for supplements", next_day, time(14, 0), S.SUPPLEMENT_REQUESTED),
        _Plan("done, waiting to be collected", _previous_working_day(calendar, today), time(15, 0), S.DONE),
        _Plan("returned", _working_days_back(calendar, today, 3), time(9, 0), S.RETURNED),
        _Plan("refused", _working_days_back(calendar, today, 1), time(8, 30), S.REJECTED),
    ]
    return plans


def with_showcase(regular: Callable[[int], Iterator[Dossier]], count: int, showcase: list[Dossier]
                  ) -> Iterator[Dossier]:
    """``count`` dossiers in order of reception: the showcase merged into the ``regular`` ones."""
    extra = showcase[:count]
    return heapq.merge(regular(count - len(extra)), extra, key=lambda d: d.received_at)


def showcase_dossiers(procedures: Sequence[Procedure], now: datetime, *, calendar: WorkCalendar,
                      place: DemoPlace = DEMO_PLACE, seed: int = 1,
                      number_for: Callable[[date], int] | None = None) -> list[Dossier]:
    """One dossier per deadline state, every moment at or before ``now`` (oldest first); empty when
    the catalogue has no procedure counted in working days."""
    procedure = _procedure(procedures)
    if procedure is None:
        return []
    rng = random.Random(seed)
    people = _People(place)
    amount = int(procedure.processing.amount)
    numbers: dict[date, int] = {}
    out = []
    for index, plan in enumerate(_plans(calendar, now)):
        if plan.received_at is not None:
            received = plan.received_at
        else:
            received = datetime.combine(_working_days_back(calendar, plan.due_day, amount), plan.due_time)
        received_day = received.date()
        due = compute_due(received, procedure.processing, calendar, cutoff=procedure.cutoff)
        officer = OFFICERS[index % len(OFFICERS)]
        applicant = people.person(rng, received_day)
        history = [StatusChange(received, S.RECEIVED, officer, "Tiếp nhận hồ sơ", action=A.RECEIVE,
                                due_at=due)]
        supplements: list[SupplementRequest] = []
        returned_at = None
        if plan.final is S.RECEIVED:
            pass  # at the counter still, not handed over yet
        elif plan.final is S.REJECTED:  # refused at the counter (2 -> 3), with its reason
            refused = received + timedelta(minutes=20)
            history.append(StatusChange(refused, S.REJECTED, officer, REFUSAL_REASON, action=A.REFUSE,
                                        reason=REFUSAL_REASON))
        else:
            handed = received + timedelta(minutes=10)
            history.append(StatusChange(handed, S.PROCESSING, officer, "Chuyển xử lý", action=A.HANDOVER))
            if plan.final is S.SUPPLEMENT_REQUESTED:
                asked = min(now, handed + timedelta(hours=2))
                reason, items = SUPPLEMENT_REASONS[index % len(SUPPLEMENT_REASONS)]
                supplements.append(SupplementRequest(asked, reason, list(items), officer))
                history.append(StatusChange(asked, S.SUPPLEMENT_REQUESTED, officer, reason,
                                            action=A.SUPPLEMENT_REQUEST, reason=reason,
                                            details={"items": list(items)}))
            elif plan.final in (S.DONE, S.RETURNED):
                done = min(now, due - timedelta(hours=1))
                history.append(StatusChange(done, S.DONE, officer, "Đã có kết quả", action=A.DONE))
                if plan.final is S.RETURNED:
                    returned_at = min(now, done + timedelta(minutes=30))
                    history.append(StatusChange(returned_at, S.RETURNED, officer, "Trả kết quả cho công dân",
                                                action=A.RETURN))
        if number_for is not None:
            number = number_for(received_day)
        else:
            number = numbers[received_day] = numbers.get(received_day, 900) + 1
        out.append(Dossier(
            code=format_dossier_code(place.agency_code, received_day, number),
            procedure_code=procedure.code, procedure_name=procedure.name, applicant=applicant,
            received_at=received, due_at=due, channel=Channel.DIRECT, status=history[-1].status,
            components=_components(rng, procedure), officer=officer, supplements=supplements,
            fee_vnd=procedure.fee_for_channel(1), returned_at=returned_at,
            returned_to=applicant.full_name if returned_at else "", history=history))
    return sorted(out, key=lambda d: d.received_at)

"""The list's deadline clock gives the same state as :func:`deadline_state` for every dossier, with
one working-day computation for the whole list."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.core.calendar import WorkCalendar
from app.core.deadlines import DeadlineClock, DeadlineState, deadline_state
from app.core.status import DossierStatus


def test_clock_agrees_with_deadline_state_around_a_weekend_and_the_new_year_swap() -> None:
    calendar = WorkCalendar()
    seen: set[DeadlineState] = set()
    for now in (datetime(2026, 12, 4, 16, 0), datetime(2026, 12, 7, 7, 30), datetime(2025, 12, 31, 15, 0),
                datetime(2026, 1, 1, 9, 0)):
        clock = DeadlineClock.at(now, calendar)
        for status in DossierStatus:
            for hours in range(-30, 120, 5):
                due = now + timedelta(hours=hours)
                state = clock.state(status, due)
                assert state is deadline_state(status, due, now, calendar), (now, status, due)
                seen.add(state)
    assert seen == set(DeadlineState)

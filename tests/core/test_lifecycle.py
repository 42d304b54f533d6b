"""The action table: shape, derived transitions, errors, and the deadline arithmetic after reception."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import product

import pytest

from app.core.calendar import DayKind, DayOverride, WorkCalendar
from app.core.deadlines import (
    DeadlineState,
    add_working_time,
    deadline_state,
    resumed_due,
    working_time_between,
)
from app.core.dossier import ALLOWED_TRANSITIONS, DossierStatus, StatusChange
from app.core.errors import InvalidTransitionError
from app.core.lifecycle import (
    ACTIONS,
    RESUMABLE,
    Action,
    Slip,
    allowed_actions,
    check_action,
    derived_transitions,
    entry_action,
    resume_status,
)

S = DossierStatus
EXPECTED = {  # the rules of the one-stop-shop decrees, written out once more by hand
    Action.RECEIVE: (set(), S.RECEIVED),
    Action.ACCEPT: ({S.REGISTERED}, S.RECEIVED),
    Action.HANDOVER: ({S.RECEIVED}, S.PROCESSING),
    Action.DONE: ({S.RECEIVED, S.PROCESSING}, S.DONE),
    Action.SUPPLEMENT_REQUEST: ({S.REGISTERED, S.RECEIVED, S.PROCESSING}, S.SUPPLEMENT_REQUESTED),
    Action.SUPPLEMENT_RECEIVE: ({S.SUPPLEMENT_REQUESTED}, None),
    Action.REFUSE: ({S.REGISTERED, S.RECEIVED}, S.REJECTED),
    Action.POSTPONE: ({S.PROCESSING}, S.PROCESSING),
    Action.STOP: ({S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED}, S.STOPPED),
    Action.WITHDRAW: ({S.REGISTERED, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED}, S.WITHDRAWN),
    Action.RETURN: ({S.DONE}, S.RETURNED),
}


def test_the_table_holds_the_rules():
    assert set(ACTIONS) == set(Action) == set(EXPECTED)
    for action, (sources, target) in EXPECTED.items():
        assert ACTIONS[action].sources == sources, action
        assert ACTIONS[action].target == target, action
    slips = {a: r.slip for a, r in ACTIONS.items() if r.slip is not None}
    assert slips == {Action.RECEIVE: Slip.RECEIPT, Action.ACCEPT: Slip.RECEIPT,
                     Action.HANDOVER: Slip.CONTROL_SHEET, Action.SUPPLEMENT_REQUEST: Slip.SUPPLEMENT_REQUEST,
                     Action.REFUSE: Slip.REFUSAL,
                     Action.POSTPONE: Slip.APOLOGY, Action.STOP: Slip.STOP_NOTICE}
    assert {a for a, r in ACTIONS.items() if r.needs_reason} == {
        Action.SUPPLEMENT_REQUEST, Action.REFUSE, Action.POSTPONE, Action.STOP, Action.WITHDRAW}
    assert {S.REGISTERED, S.RECEIVED, S.PROCESSING} == RESUMABLE


def test_permissions_are_real_permissions():
    from app.services.auth import Permission  # the core names them by value; the services own them

    used = {Permission(r.permission) for r in ACTIONS.values()}
    assert used >= {Permission.RECEIVE, Permission.RETURN_RESULT, Permission.SUPPLEMENT}


def test_allowed_transitions_are_derived_from_the_table():
    assert derived_transitions() == ALLOWED_TRANSITIONS
    for source, target in product(S, S):
        by_table = source != target and any(
            source in r.sources and (target == r.target or (r.target is None and target in RESUMABLE))
            for r in ACTIONS.values())
        assert (target in ALLOWED_TRANSITIONS[source]) == by_table, (source, target)


@pytest.mark.parametrize(("action", "status"), list(product(Action, S)))
def test_check_action_every_pair(action: Action, status: S):
    sources, _ = EXPECTED[action]
    if status in sources:
        assert check_action(action, status).action is action
        assert action in allowed_actions(status)
        return
    with pytest.raises(InvalidTransitionError) as refused:
        check_action(action, status, "CODE-1")
    error = refused.value
    assert status.label_vi in error.message_vi and "CODE-1" in error.message_vi
    assert f"status {int(status)}" in error.message_en
    assert "Thao tác có thể làm lúc này" in error.message_vi
    assert action not in allowed_actions(status)


def test_resume_status_and_legacy_action_names():
    at = datetime(2026, 3, 2, 8)
    history = [StatusChange(at, S.RECEIVED), StatusChange(at, S.PROCESSING),
               StatusChange(at, S.SUPPLEMENT_REQUESTED), StatusChange(at, S.PROCESSING),
               StatusChange(at, S.PROCESSING), StatusChange(at, S.DONE, action="done")]
    assert resume_status(history[:3]) is S.PROCESSING
    assert resume_status(history[:1] + history[2:3]) is S.RECEIVED
    assert [entry_action(history, i) for i in range(len(history))] == [
        "receive", "handover", "supplement_request", "supplement_receive", "postpone", "done"]


# --------------------------------------------------------------------------- deadlines

CAL = WorkCalendar()  # 07:00-11:30, 13:30-17:00 (8 h a day), national holidays


def test_working_time_between_skips_nights_lunch_and_weekends():
    friday = datetime(2026, 3, 6, 16, 0)
    monday = datetime(2026, 3, 9, 8, 0)
    assert working_time_between(CAL, friday, monday) == timedelta(hours=2)
    assert working_time_between(CAL, datetime(2026, 3, 9, 11, 0), datetime(2026, 3, 9, 14, 0)) == \
        timedelta(minutes=60)
    assert working_time_between(CAL, monday, friday) == timedelta()


def test_resumed_due_runs_the_time_that_was_left_on_working_time():
    due = datetime(2026, 3, 12, 17, 0)  # Thursday closing
    asked = datetime(2026, 3, 11, 9, 0)  # 6 h left that Wednesday + 8 h Thursday: 14 working hours
    back = datetime(2026, 3, 13, 15, 0)  # Friday 15:00: 2 h today, 8 h Monday, 4 h Tuesday
    assert resumed_due(CAL, asked, due, back) == datetime(2026, 3, 17, 11, 0)
    # the supplement comes in on a Saturday: counting starts Monday morning (8 h + 6 h)
    assert resumed_due(CAL, asked, due, datetime(2026, 3, 14, 10, 0)) == datetime(2026, 3, 17, 15, 0)


def test_resumed_due_skips_an_administrators_day_off():
    calendar = WorkCalendar([DayOverride(datetime(2026, 3, 16).date(), DayKind.OFF, "Nghỉ bù")])
    assert resumed_due(calendar, datetime(2026, 3, 11, 9, 0), datetime(2026, 3, 12, 17, 0),
                       datetime(2026, 3, 13, 15, 0)) == datetime(2026, 3, 18, 11, 0)


def test_resumed_due_over_tet_2026():
    # Tết 2026: civil servants off Monday 16/2 to Friday 20/2 (and the weekends around it)
    asked, due = datetime(2026, 2, 12, 9, 0), datetime(2026, 2, 13, 17, 0)  # 14 h left; 6 h on Friday
    assert resumed_due(CAL, asked, due, datetime(2026, 2, 13, 9, 0)) == datetime(2026, 2, 23, 17, 0)


def test_add_working_time_and_deadline_states():
    now = datetime(2026, 3, 13, 10, 0)  # Friday
    assert add_working_time(CAL, now, timedelta(hours=8)) == datetime(2026, 3, 16, 10, 0)
    state = lambda status, due: deadline_state(status, due, now, CAL)  # noqa: E731
    assert state(S.PROCESSING, datetime(2026, 3, 13, 9, 0)) is DeadlineState.OVERDUE
    assert state(S.PROCESSING, datetime(2026, 3, 13, 17, 0)) is DeadlineState.DUE_TODAY
    assert state(S.RECEIVED, datetime(2026, 3, 16, 9, 0)) is DeadlineState.DUE_SOON  # Monday: 1 working day
    assert state(S.RECEIVED, datetime(2026, 3, 16, 11, 0)) is DeadlineState.ON_TIME
    assert state(S.SUPPLEMENT_REQUESTED, datetime(2026, 3, 1, 9, 0)) is DeadlineState.PAUSED  # never overdue
    assert state(S.DONE, datetime(2026, 3, 1, 9, 0)) is DeadlineState.CLOSED

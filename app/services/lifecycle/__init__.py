"""Dossier actions after reception: hand-over, supplements, refusal, postponement, stop, withdrawal,
done (the return itself is :func:`app.services.reception.handover.hand_over`); deadline lists."""

from app.services.lifecycle.actions import (
    SUPPLEMENT_TIME_RULE,
    accept,
    handover,
    mark_done,
    postpone,
    receive_supplement,
    refuse,
    request_supplement,
    stop,
    supplement_time_rule,
    withdraw,
)
from app.services.lifecycle.deadlines import (
    DUE_FILTERS,
    count_by_deadline,
    deadline_clock,
    dossier_deadline,
    list_by_deadline,
    postponement_default,
)

__all__ = ["DUE_FILTERS", "SUPPLEMENT_TIME_RULE", "accept", "count_by_deadline", "deadline_clock",
           "dossier_deadline", "handover",
           "list_by_deadline", "mark_done", "postpone", "postponement_default",
           "receive_supplement", "refuse",
           "request_supplement", "stop", "supplement_time_rule", "withdraw"]

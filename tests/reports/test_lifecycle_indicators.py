"""The lifecycle's own steps feed the indicators: a postponed late dossier stays late, the end time
of ``done`` counts, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from app.core.clock import vn_now
from app.services import lifecycle
from app.services.auth import SYSTEM_OFFICER
from app.services.dossiers import get_dossier
from app.services.reports import indicators
from app.services.reports.indicators import Period
from tests.services.test_lifecycle_services import OFFICER, S, _next_working_morning, dossier_in


def test_a_postponed_late_dossier_stays_late(app_ctx):
    late = dossier_in(app_ctx, S.PROCESSING)  # received long ago: overdue now
    first_due = get_dossier(app_ctx, late).due_at
    lifecycle.postpone(app_ctx, late, _next_working_morning(app_ctx), "Chờ xác minh", OFFICER)
    lifecycle.mark_done(app_ctx, late, OFFICER)  # before the new appointment
    today = vn_now().date()
    period = Period(date(today.year - 2, 1, 1), today)
    figures = indicators.compute(app_ctx, SYSTEM_OFFICER, period)
    done = get_dossier(app_ctx, late)
    assert done.due_at > vn_now() > first_due  # on time for the new appointment only
    assert indicators.figure_codes(app_ctx, SYSTEM_OFFICER, period, "late") == [late]
    assert figures.ratios["on_time"].num == 0 and figures.ratios["late"].to_json() == {"num": 1, "den": 1}

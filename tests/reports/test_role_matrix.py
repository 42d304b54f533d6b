"""Who may use the supervisors' services: every role against every new service (the role matrix)."""

from __future__ import annotations

from datetime import date

import pytest

from app.services.auth import ROLE_PERMISSIONS, Officer, Permission, PermissionDeniedError, Role
from app.services.reports import audit_view, deadlines, indicators, monthly, register, satisfaction
from app.services.reports.indicators import Period
from tests.reports.crafted import load_crafted

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))

SERVICES = {
    "report": (Permission.VIEW_REPORTS, lambda ctx, who, tmp: indicators.compute(ctx, who, MARCH)),
    "figure_codes": (Permission.VIEW_REPORTS,
                     lambda ctx, who, tmp: indicators.figure_codes(ctx, who, MARCH, "late")),
    "dashboard": (Permission.VIEW_REPORTS, lambda ctx, who, tmp: monthly.dashboard(ctx, who, MARCH)),
    "register": (Permission.VIEW_REPORTS,
                 lambda ctx, who, tmp: register.export(ctx, who, MARCH, tmp / f"{who.username}.csv")),
    "audit": (Permission.VIEW_REPORTS,
              lambda ctx, who, tmp: audit_view.browse(ctx, who, audit_view.AuditQuery())),
    "deadlines": (Permission.VIEW_REPORTS, lambda ctx, who, tmp: deadlines.watch(ctx, who)),
    "rate": ((Permission.RECEIVE, Permission.RETURN_RESULT),
             lambda ctx, who, tmp: satisfaction.rate(ctx, who, "X-H08", 3)),
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_what_its_permissions_allow(app_ctx, tmp_path, role):
    load_crafted(app_ctx)
    who = Officer(f"u-{role.value}", f"Người dùng {role.value}", role)
    for needed, call in SERVICES.values():
        wanted = needed if isinstance(needed, tuple) else (needed,)
        allowed = any(p in ROLE_PERMISSIONS[role] for p in wanted)
        if allowed:
            call(app_ctx, who, tmp_path)
        else:
            with pytest.raises(PermissionDeniedError):
                call(app_ctx, who, tmp_path)
    expected = {Role.ADMIN: True, Role.SUPERVISOR: True, Role.OFFICER: False, Role.CLERK: False}
    assert who.can(Permission.VIEW_REPORTS) is expected[role]

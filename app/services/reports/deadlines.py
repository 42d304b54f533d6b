"""Deadline watch: the dossiers still being handled that are overdue, due today or due tomorrow.

Dossiers waiting for a supplement (status 5) are paused and not listed; finished ones neither.
Needs ``VIEW_REPORTS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.core.clock import vn_now
from app.core.dossier import DossierStatus
from app.services.auth import Officer, Permission, require
from app.services.context import AppContext
from app.store.repositories.indicators import IndicatorRepository


@dataclass(frozen=True)
class DueDossier:
    code: str
    procedure_name: str
    officer: str
    due_at: datetime
    status: DossierStatus


@dataclass(frozen=True)
class DeadlineWatch:
    now: datetime
    overdue: list[DueDossier] = field(default_factory=list)
    today: list[DueDossier] = field(default_factory=list)
    tomorrow: list[DueDossier] = field(default_factory=list)


def watch(ctx: AppContext, officer: Officer, now: datetime | None = None, *,
          limit: int = 500) -> DeadlineWatch:
    require(officer, Permission.VIEW_REPORTS)
    now = now or vn_now()
    with ctx.session() as session:
        rows = IndicatorRepository(session).deadlines(now, 2, limit=limit)
    result = DeadlineWatch(now)
    tomorrow = now.date() + timedelta(days=1)
    for row in rows:
        item = DueDossier(row.code, row.procedure_name, row.officer, row.due_at, DossierStatus(row.status))
        if row.due_at < now:
            result.overdue.append(item)
        elif row.due_at.date() == now.date():
            result.today.append(item)
        elif row.due_at.date() == tomorrow:
            result.tomorrow.append(item)
    return result

"""Citizens' satisfaction ratings (``satisfaction_ratings``): one per dossier and service event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.store.models_reports import SatisfactionRow

_T = SatisfactionRow.__table__


@dataclass(frozen=True)
class Rating:
    dossier_code: str
    event: str
    level: int
    reason: str
    officer: str
    rated_at: datetime


class RatingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, dossier_code: str, event: str) -> Rating | None:
        row = self.session.execute(
            select(_T).where(_T.c.dossier_code == dossier_code, _T.c.event == event)).one_or_none()
        if row is None:
            return None
        return Rating(row.dossier_code, row.event, row.level, row.reason, row.officer, row.rated_at)

    def add(self, rating: Rating) -> None:
        """Insert (the unique constraint refuses a second rating of the same event)."""
        self.session.execute(insert(_T).values(
            dossier_code=rating.dossier_code, event=rating.event, level=rating.level, reason=rating.reason,
            officer=rating.officer, rated_at=rating.rated_at.replace(microsecond=0)))

    def for_dossier(self, dossier_code: str) -> list[Rating]:
        rows = self.session.execute(
            select(_T).where(_T.c.dossier_code == dossier_code).order_by(_T.c.rated_at, _T.c.id))
        return [Rating(r.dossier_code, r.event, r.level, r.reason, r.officer, r.rated_at) for r in rows]

"""Drafts: an officer's work in progress as a JSON payload, saved as it is typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.core.clock import vn_now
from app.store.models_reception import DraftRow


@dataclass(frozen=True)
class DraftRecord:
    id: int
    officer: str
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    updated_at: datetime


def _record(row: DraftRow) -> DraftRecord:
    return DraftRecord(row.id, row.officer, row.kind, dict(row.payload), row.created_at, row.updated_at)


class DraftRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, officer: str, kind: str, payload: dict[str, Any],
            now: datetime | None = None) -> DraftRecord:
        now = now or vn_now()
        row = DraftRow(officer=officer, kind=kind, payload=payload, created_at=now, updated_at=now)
        self.session.add(row)
        self.session.flush()
        return _record(row)

    def get(self, draft_id: int) -> DraftRecord | None:
        row = self.session.get(DraftRow, draft_id)
        return None if row is None else _record(row)

    def update(self, draft_id: int, payload: dict[str, Any],
               now: datetime | None = None) -> DraftRecord | None:
        """Replace the payload; None when the draft no longer exists."""
        row = self.session.get(DraftRow, draft_id)
        if row is None:
            return None
        row.payload = payload
        row.updated_at = now or vn_now()
        self.session.flush()
        return _record(row)

    def list_for(self, officer: str, kind: str | None = None) -> list[DraftRecord]:
        """The officer's drafts (of ``kind`` when given), most recently saved first."""
        stmt = select(DraftRow).where(DraftRow.officer == officer)
        if kind is not None:
            stmt = stmt.where(DraftRow.kind == kind)
        stmt = stmt.order_by(DraftRow.updated_at.desc(), DraftRow.id.desc())
        return [_record(r) for r in self.session.scalars(stmt)]

    def delete(self, draft_id: int) -> bool:
        """Remove a draft; False when there was none."""
        return bool(self.session.execute(delete(DraftRow).where(DraftRow.id == draft_id)).rowcount)

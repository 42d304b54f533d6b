"""Small repositories: local calendar, settings, blob bookkeeping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.core.calendar import DayKind, DayOverride
from app.core.clock import vn_now
from app.store.models import BlobRow, CalendarOverrideRow, SettingRow


class CalendarRepository:
    """The administrator's overrides of the working calendar."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def overrides(self, year: int | None = None) -> list[DayOverride]:
        stmt = select(CalendarOverrideRow).order_by(CalendarOverrideRow.day)
        if year is not None:
            stmt = stmt.where(CalendarOverrideRow.day >= date(year, 1, 1),
                              CalendarOverrideRow.day <= date(year, 12, 31))
        return [DayOverride(day=r.day, kind=DayKind(r.kind), note=r.note) for r in self.session.scalars(stmt)]

    def set_day(self, day: date, kind: DayKind, note: str = "") -> None:
        row = self.session.get(CalendarOverrideRow, day)
        if row is None:
            self.session.add(CalendarOverrideRow(day=day, kind=DayKind(kind).value, note=note))
        else:
            row.kind = DayKind(kind).value
            row.note = note
        self.session.flush()

    def clear_day(self, day: date) -> None:
        self.session.execute(delete(CalendarOverrideRow).where(CalendarOverrideRow.day == day))


class SettingsRepository:
    """Key-value settings of this installation (strings)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str, default: str | None = None) -> str | None:
        row = self.session.get(SettingRow, key)
        return row.value if row is not None else default

    def set(self, key: str, value: str) -> None:
        row = self.session.get(SettingRow, key)
        if row is None:
            self.session.add(SettingRow(key=key, value=value))
        else:
            row.value = value
        self.session.flush()

    def delete(self, key: str) -> None:
        self.session.execute(delete(SettingRow).where(SettingRow.key == key))

    def all(self) -> dict[str, str]:
        return {r.key: r.value for r in self.session.scalars(select(SettingRow).order_by(SettingRow.key))}


@dataclass(frozen=True)
class BlobInfo:
    sha256: str
    size: int
    media_type: str
    created_at: datetime


class BlobRepository:
    """Which blobs the database knows about (the bytes themselves are in ``Database.blobs``)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, sha256: str, size: int, media_type: str) -> BlobInfo:
        """Remember a stored blob; recording the same content again keeps the first record."""
        row = self.session.get(BlobRow, sha256)
        if row is None:
            row = BlobRow(sha256=sha256, size=size, media_type=media_type, created_at=vn_now())
            self.session.add(row)
            self.session.flush()
        return BlobInfo(row.sha256, row.size, row.media_type, row.created_at)

    def get(self, sha256: str) -> BlobInfo | None:
        row = self.session.get(BlobRow, sha256)
        return None if row is None else BlobInfo(row.sha256, row.size, row.media_type, row.created_at)

"""The office's working calendar: show a year, set a day, compute an appointment date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from app.core.calendar import (
    WEEKDAY_NAMES_VI,
    CalendarDay,
    DayKind,
    DayOverride,
    WorkCalendar,
    compute_due,
)
from app.core.errors import ValidationError
from app.services.admin.office import calendar_for_session
from app.services.context import AppContext
from app.services.reception.catalogue import get_procedure
from app.store.repositories import CalendarRepository


@dataclass(frozen=True)
class YearCalendar:
    year: int
    working_days: int  # how many working days the year has
    days: list[CalendarDay]  # holidays on weekdays, worked weekends and every override


@dataclass(frozen=True)
class DaySetting:
    day: date
    kind: DayKind
    note: str
    working: bool  # the day's state after the change
    changed: bool  # False when the request changed nothing (see ``warning``)
    warning_en: str | None = None
    warning_vi: str | None = None


def work_calendar(ctx: AppContext) -> WorkCalendar:
    """The national holidays with this office's overrides and office hours."""
    with ctx.session() as session:
        return calendar_for_session(session)


def show_year(ctx: AppContext, year: int) -> YearCalendar:
    _check_year(year)
    cal = work_calendar(ctx)
    all_days = cal.year_days(year)
    return YearCalendar(year=year, working_days=sum(d.working for d in all_days),
                        days=cal.non_working_weekdays_and_worked_weekends(year))


def _check_year(year: int) -> None:
    if not 1900 <= year <= 2200:
        raise ValidationError(f"year {year} is out of range (1900-2200)",
                              f"Năm {year} không hợp lệ (1900–2200).", field="year")


def set_day(ctx: AppContext, day: date, kind: DayKind | str, note: str = "") -> DaySetting:
    """Make ``day`` a day off (``off``) or a working day (``work``).

    Only a weekend day or a holiday can be made a working day: asking ``work`` for a day that is
    already working raises :class:`ValidationError`, unless the day is working only because of an
    earlier ``off`` override, which is then removed. ``off`` for a day that is already off is
    recorded (with its note) but reported with a warning.
    """
    kind = DayKind(kind)
    _check_year(day.year)
    weekday = WEEKDAY_NAMES_VI[day.weekday()]
    with ctx.session(write=True) as session:
        repo = CalendarRepository(session)
        others = [o for o in repo.overrides() if o.day != day]
        existing = next((o for o in repo.overrides(day.year) if o.day == day), None)
        base = calendar_for_session(session, others)  # the calendar without this day's override
        base_working = base.is_working_day(day)
        if kind is DayKind.WORK and base_working:
            if existing is not None:  # undo an earlier "off"
                repo.clear_day(day)
                return DaySetting(day, kind, note, True, True,
                                  "the local day off was removed; the day is a normal working day again",
                                  "Đã bỏ ngày nghỉ địa phương; ngày này trở lại là ngày làm việc "
                                  "bình thường.")
            raise ValidationError(
                f"{day.isoformat()} is already a working day: only a weekend day or a holiday "
                "can be made a working day",
                f"Ngày {day:%d/%m/%Y} ({weekday}) đã là ngày làm việc: chỉ có thể chuyển Thứ Bảy, "
                "Chủ Nhật hoặc ngày nghỉ lễ thành ngày làm việc.",
                field="day",
            )
        if kind is DayKind.OFF and not base_working:
            if existing is not None and existing.kind is DayKind.WORK and not note:
                repo.clear_day(day)
                return DaySetting(day, kind, note, False, True,
                                  "the worked day was removed; the day is off again",
                                  "Đã bỏ ngày làm bù; ngày này trở lại là ngày nghỉ.")
            repo.set_day(day, kind, note)
            why = base.describe(day).reason
            changed = existing != DayOverride(day, kind, note)
            return DaySetting(day, kind, note, False, changed,
                              f"{day.isoformat()} is already a day off ({why})",
                              f"Ngày {day:%d/%m/%Y} ({weekday}) vốn đã là ngày nghỉ ({why}).")
        repo.set_day(day, kind, note)
        return DaySetting(day, kind, note, kind is DayKind.WORK, True)


def due(ctx: AppContext, received_at: datetime, procedure_code: str, *,
        channel: int = 1) -> datetime:
    """The appointment date of a dossier of ``procedure_code`` received at ``received_at``."""
    procedure = get_procedure(ctx, procedure_code)
    cal = work_calendar(ctx)
    return compute_due(received_at, procedure.processing, cal, cutoff=procedure.cutoff, channel=channel)

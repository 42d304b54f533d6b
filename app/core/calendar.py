"""Working calendar (lịch làm việc) and appointment dates (ngày hẹn trả kết quả).

The national holidays are seeded from the ``holidays`` package; the administrator's local calendar
(overrides stored by the application) always wins. Deadlines are counted in working time: only inside
the office sessions (default 07:00-11:30 and 13:30-17:00, 8 hours) of working days.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from functools import lru_cache

from app.core.errors import ValidationError
from app.core.official_days import OfficialDay, official_days
from app.core.procedure import ProcessingTime, ProcessingUnit

VN_TZ = timezone(timedelta(hours=7), "ICT")
#: A run of this many consecutive calendar years without a working day means a broken calendar.
MAX_EMPTY_YEARS = 3
#: More working time than this (about 50 years of 8-hour days) is certainly an input error.
MAX_PROCESSING_HOURS = 100_000
WEEKDAY_NAMES_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
_SUBSTITUTED = re.compile(r"thay cho ngày (\d{1,2})/(\d{1,2})/(\d{4})")


class CalendarError(ValidationError, ValueError):
    """An unusable calendar or deadline input (bad office hours, no working day, bad amount)."""


class DayKind(StrEnum):
    OFF = "off"  # extra day off (nghỉ theo lịch địa phương)
    WORK = "work"  # working day (Thứ Bảy làm bù, or a holiday the province decided to work)


@dataclass(frozen=True)
class DayOverride:
    """One day of the administrator's local calendar; it beats weekends and seeded holidays."""

    day: date
    kind: DayKind
    note: str = ""


def _td(t: time) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


@dataclass(frozen=True)
class OfficeHours:
    """The office sessions of a working day, ordered and non-overlapping, on whole minutes."""

    sessions: tuple[tuple[time, time], ...] = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))
    _spans: tuple[tuple[timedelta, timedelta], ...] = field(init=False, repr=False, compare=False)
    _length: timedelta = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        sessions = tuple((start, end) for start, end in self.sessions)
        if not sessions:
            raise CalendarError("office hours need at least one session",
                                "Giờ làm việc phải có ít nhất một buổi.", field="sessions")
        previous_end: time | None = None
        for start, end in sessions:
            label = f"{start:%H:%M}-{end:%H:%M}"
            for t in (start, end):
                if t.tzinfo is not None or t.second or t.microsecond:
                    raise CalendarError(f"session {label}: times must be naive and on whole minutes",
                                        f"Buổi {label}: giờ phải tính tròn phút.", field="sessions")
            if start >= end:
                raise CalendarError(f"session {label} ends before it starts",
                                    f"Buổi {label}: giờ kết thúc phải sau giờ bắt đầu.", field="sessions")
            if previous_end is not None and start < previous_end:
                raise CalendarError(f"session {label} overlaps or precedes the previous session",
                                    f"Buổi {label} chồng lên hoặc đứng trước buổi trước đó.",
                                    field="sessions")
            previous_end = end
        object.__setattr__(self, "sessions", sessions)
        spans = tuple((_td(s), _td(e)) for s, e in sessions)
        object.__setattr__(self, "_spans", spans)
        object.__setattr__(self, "_length", sum((e - s for s, e in spans), timedelta()))

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """Parse ``"07:00-11:30,13:30-17:00"`` (the format of :meth:`to_text`)."""
        sessions: list[tuple[time, time]] = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            try:
                start, end = (time.fromisoformat(x.strip()) for x in part.split("-"))
            except ValueError as exc:
                raise CalendarError(f"bad session {part!r}, expected HH:MM-HH:MM",
                                    f"Buổi “{part}” không hợp lệ, cần dạng GG:PP-GG:PP.",
                                    field="sessions") from exc
            sessions.append((start, end))
        return cls(tuple(sessions))

    def to_text(self) -> str:
        return ",".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self.sessions)

    @property
    def spans(self) -> tuple[tuple[timedelta, timedelta], ...]:
        """Sessions as offsets from midnight."""
        return self._spans

    @property
    def day_length(self) -> timedelta:
        return self._length

    @property
    def hours_per_day(self) -> float:
        return self.day_length / timedelta(hours=1)

    @property
    def closing(self) -> time:
        return self.sessions[-1][1]


DEFAULT_OFFICE_HOURS = OfficeHours()


@dataclass(frozen=True)
class CalendarDay:
    day: date
    working: bool
    reason: str
    # "weekday" | "weekend" | "holiday" (seeded from the national source) | "official" (a swap of the
    # packaged file the package lacks) | "override"
    source: str


# --------------------------------------------------------------------------- national seed


@lru_cache(maxsize=512)
def _vn_holiday_items(year: int) -> tuple[tuple[date, str], ...]:
    try:
        import holidays  # imported lazily: only needed to seed the calendar
    except ImportError:  # pragma: no cover - a declared dependency
        return ()
    try:
        try:
            found = holidays.country_holidays("VN", years=year, language="vi")
        except TypeError:  # pragma: no cover - versions without localisation
            found = holidays.country_holidays("VN", years=year)
        if "vi" not in getattr(found, "supported_languages", ("vi",)):  # pragma: no cover
            found = holidays.country_holidays("VN", years=year)
        items = dict(found.items())
    except (NotImplementedError, KeyError, ValueError, OverflowError):  # pragma: no cover
        return ()
    return tuple(sorted((d, str(name)) for d, name in items.items() if d.year == year))


def vn_holidays(year: int) -> dict[date, str]:
    """Vietnam's public days off of ``year`` from the ``holidays`` package, with Vietnamese names.

    Includes days off in lieu (nghỉ bù) and the swapped days the package knows; weekend dates of
    holidays are listed too. Empty for years the package cannot compute.
    """
    return dict(_vn_holiday_items(year))


@lru_cache(maxsize=512)
def _vn_makeup_items(year: int) -> tuple[tuple[date, str], ...]:
    found: dict[date, str] = {}
    for y in (year - 1, year, year + 1):
        for day_off, name in _vn_holiday_items(y):
            match = _SUBSTITUTED.search(name)
            if not match:
                continue
            dd, mm, yyyy = (int(g) for g in match.groups())
            try:
                worked = date(yyyy, mm, dd)
            except ValueError:  # pragma: no cover - malformed label
                continue
            if worked.year == year:
                weekday = WEEKDAY_NAMES_VI[worked.weekday()]
                found[worked] = f"{weekday} làm bù (cho ngày nghỉ {day_off:%d/%m/%Y})"
    return tuple(sorted(found.items()))


def vn_makeup_workdays(year: int) -> dict[date, str]:
    """Weekend days of ``year`` worked in exchange for a swapped day off (làm bù), as the ``holidays``
    package records them in its labels "Ngày nghỉ (thay cho ngày dd/mm/yyyy)" (e.g. Sat 22/08/2026)."""
    return dict(_vn_makeup_items(year))


# --------------------------------------------------------------------------- calendar


@dataclass
class _Year:
    first_ordinal: int
    working: bytearray  # index: ordinal - first_ordinal
    working_ordinals: list[int]
    holidays: dict[date, str]
    makeup: dict[date, str]
    official: dict[date, OfficialDay]


class WorkCalendar:
    """Which days are working days, and the office hours of a working day.

    Precedence: override (the administrator's and the province's days) > official swap (the
    packaged file of announced swaps the package lacks) > seeded holiday > seeded làm-bù weekend >
    Saturday/Sunday rule. ``workday_source`` gives seeded working weekend days and
    ``official_source`` the official swaps; ``None`` means :func:`vn_makeup_workdays` and
    :func:`~app.core.official_days.official_days` when ``holiday_source`` is :func:`vn_holidays`,
    and none otherwise.
    """

    def __init__(self, overrides: Iterable[DayOverride] = (), hours: OfficeHours = DEFAULT_OFFICE_HOURS,
                 holiday_source: Callable[[int], Mapping[date, str]] = vn_holidays,
                 workday_source: Callable[[int], Mapping[date, str]] | None = None,
                 official_source: Callable[[int], Mapping[date, OfficialDay]] | None = None) -> None:
        self.hours = hours
        self._overrides: dict[date, DayOverride] = {o.day: o for o in overrides}
        self._holiday_source = holiday_source
        if holiday_source is vn_holidays:
            workday_source = workday_source or vn_makeup_workdays
            official_source = official_source or official_days
        self._workday_source = workday_source
        self._official_source = official_source
        self._years: dict[int, _Year] = {}

    @property
    def overrides(self) -> tuple[DayOverride, ...]:
        return tuple(sorted(self._overrides.values(), key=lambda o: o.day))

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        if not date.min.year <= year <= date.max.year:
            raise CalendarError(f"year {year} is outside the supported range",
                                f"Năm {year} nằm ngoài phạm vi lịch.")
        hol = {d: n for d, n in self._holiday_source(year).items() if d.year == year}
        makeup = {}
        if self._workday_source is not None:
            makeup = {d: n for d, n in self._workday_source(year).items() if d.year == year}
        official = {}
        if self._official_source is not None:
            official = {d: o for d, o in self._official_source(year).items() if d.year == year}
        first = date(year, 1, 1).toordinal()
        size = date(year, 12, 31).toordinal() - first + 1
        working = bytearray(size)
        for i in range(size):
            day = date.fromordinal(first + i)
            override = self._overrides.get(day)
            if override is not None:
                working[i] = override.kind is DayKind.WORK
            elif day in official:
                working[i] = official[day].working
            elif day in hol:
                working[i] = False
            else:
                working[i] = day.weekday() < 5 or day in makeup
        info = _Year(first, working, [first + i for i in range(size) if working[i]], hol, makeup, official)
        self._years[year] = info
        return info

    def is_working_day(self, day: date) -> bool:
        info = self._year(day.year)
        return bool(info.working[day.toordinal() - info.first_ordinal])

    def nth_working_day_after(self, day: date, n: int = 1) -> date:
        """The ``n``-th working day strictly after ``day`` (``n`` ≥ 1)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        ordinal, year, empty_years = day.toordinal(), day.year, 0
        while True:
            if year > date.max.year:
                raise CalendarError("the deadline falls after year 9999", "Hạn xử lý vượt quá năm 9999.")
            ordinals = self._year(year).working_ordinals
            i = bisect_right(ordinals, ordinal)
            available = len(ordinals) - i
            if n <= available:
                return date.fromordinal(ordinals[i + n - 1])
            n -= available
            empty_years = empty_years + 1 if available == 0 else 0
            if empty_years > MAX_EMPTY_YEARS:
                raise CalendarError(
                    f"no working day in the {MAX_EMPTY_YEARS} years after {day.isoformat()}: "
                    "check the holidays and day overrides of the calendar",
                    f"Không có ngày làm việc nào trong {MAX_EMPTY_YEARS} năm sau ngày {day:%d/%m/%Y}: "
                    "kiểm tra lại lịch nghỉ và các ngày điều chỉnh.",
                )
            year += 1

    def next_working_day(self, day: date) -> date:
        return self.nth_working_day_after(day, 1)

    def describe(self, day: date) -> CalendarDay:
        """Whether ``day`` is a working day, why (in Vietnamese), and which rule decided it."""
        info = self._year(day.year)
        weekday = day.weekday()
        override = self._overrides.get(day)
        if override is not None:
            working = override.kind is DayKind.WORK
            if override.note:
                reason = override.note
            elif not working:
                reason = "Nghỉ theo lịch địa phương"
            elif weekday >= 5:
                reason = f"{WEEKDAY_NAMES_VI[weekday]} làm bù"
            elif day in info.holidays:
                reason = f"Làm việc theo lịch địa phương (không nghỉ {info.holidays[day]})"
            else:
                reason = "Làm việc theo lịch địa phương"
            return CalendarDay(day, working, reason, "override")
        if day in info.official:
            swap = info.official[day]
            return CalendarDay(day, swap.working, f"{swap.note} (theo {swap.source})", "official")
        if day in info.holidays:
            return CalendarDay(day, False, info.holidays[day], "holiday")
        if weekday >= 5 and day in info.makeup:
            return CalendarDay(day, True, info.makeup[day], "holiday")
        if weekday >= 5:
            return CalendarDay(day, False, f"Nghỉ cuối tuần ({WEEKDAY_NAMES_VI[weekday]})", "weekend")
        return CalendarDay(day, True, "Ngày làm việc", "weekday")

    def year_days(self, year: int) -> list[CalendarDay]:
        """Every day of ``year``, in order."""
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        return [self.describe(date.fromordinal(o)) for o in range(first, last + 1)]

    def non_working_weekdays_and_worked_weekends(self, year: int) -> list[CalendarDay]:
        """The days that break the Monday-Friday rule (holidays on weekdays, nghỉ bù, làm bù, local
        days off), plus every override of the year even when it changes nothing, for `calendar show`."""
        return [d for d in self.year_days(year)
                if d.working != (d.day.weekday() < 5) or d.source == "override"]


# --------------------------------------------------------------------------- deadlines


def _ceil_minute(moment: datetime) -> datetime:
    if moment.second or moment.microsecond:
        return moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return moment


def _naive_local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(VN_TZ).replace(tzinfo=None)


def _add_working_time(calendar: WorkCalendar, start: datetime, amount: timedelta) -> datetime:
    """The earliest moment at which ``amount`` of working time has elapsed since ``start``."""
    spans = calendar.hours.spans
    day = start.date()
    offset = start - datetime.combine(day, time())
    if not calendar.is_working_day(day):
        day, offset = calendar.next_working_day(day), spans[0][0]
    remaining = amount
    for begin, end in spans:  # the rest of the first day
        if offset >= end:
            continue
        position = max(offset, begin)
        if remaining <= end - position:
            return datetime.combine(day, time()) + position + remaining
        remaining -= end - position
    if remaining <= timedelta():  # zero amount received after closing: the next opening
        return datetime.combine(calendar.next_working_day(day), time()) + spans[0][0]
    day_length = calendar.hours.day_length
    skipped = (remaining - timedelta(microseconds=1)) // day_length  # whole days, never the last one
    remaining -= skipped * day_length
    day = calendar.nth_working_day_after(day, skipped + 1)
    for begin, end in spans:
        if remaining <= end - begin:
            return datetime.combine(day, time()) + begin + remaining
        remaining -= end - begin
    raise AssertionError("unreachable: remaining time exceeds a working day")  # pragma: no cover


def compute_due(received_at: datetime, processing: ProcessingTime, calendar: WorkCalendar,
                *, cutoff: time | None = None, channel: int = 1) -> datetime:
    """The appointment date (ngày hẹn trả) of a dossier received at ``received_at``.

    Naive Vietnam local time in and out (an aware ``received_at`` is converted to UTC+7), rounded up
    to the minute. ``WORKING_DAYS`` and ``WORKING_HOURS`` count working time inside the sessions of
    working days from the first working moment at or after reception; a count that ends exactly at a
    session end gives that session end. ``SAME_DAY``: received on a working day before ``cutoff``
    (default: closing time) and before closing → closing time that day, else closing time of the
    next working day.
    """
    received = _naive_local(received_at)
    hours = calendar.hours
    if processing.unit is ProcessingUnit.SAME_DAY:
        limit = min(cutoff, hours.closing) if cutoff is not None else hours.closing
        day = received.date()
        if not (calendar.is_working_day(day) and received.time() < limit):
            day = calendar.next_working_day(day)
        return datetime.combine(day, hours.closing)
    amount = processing.amount_for_channel(channel)
    if not math.isfinite(amount) or amount < 0:
        raise CalendarError(f"processing amount must be a finite number >= 0, got {amount!r}",
                            f"Thời hạn giải quyết không hợp lệ: {amount!r}.", field="processing")
    if processing.unit is ProcessingUnit.WORKING_DAYS:
        seconds = amount * hours.day_length.total_seconds()
    elif processing.unit is ProcessingUnit.WORKING_HOURS:
        seconds = amount * 3600.0
    else:  # pragma: no cover - a new unit must be handled explicitly
        raise CalendarError(f"unsupported processing unit {processing.unit!r}")
    if seconds > MAX_PROCESSING_HOURS * 3600:
        raise CalendarError(f"processing time {amount:g} {processing.unit} is unreasonably long",
                            f"Thời hạn giải quyết {amount:g} quá dài.", field="processing")
    total = timedelta(seconds=round(seconds))  # whole seconds: 0.1 day is 48 min, not 47:59.99
    return _ceil_minute(_add_working_time(calendar, received, total))

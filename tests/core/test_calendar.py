"""Working calendar and appointment dates (ngày hẹn trả).

Default office hours: 07:00-11:30 (4.5 h) and 13:30-17:00 (3.5 h), so 1 working day = 8 h.
Expected due times are computed by hand; each id explains the count.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.calendar import (
    DEFAULT_OFFICE_HOURS,
    CalendarDay,
    CalendarError,
    DayKind,
    DayOverride,
    OfficeHours,
    WorkCalendar,
    compute_due,
    vn_holidays,
    vn_makeup_workdays,
)
from app.core.errors import MotCuaError
from app.core.procedure import ProcessingTime, ProcessingUnit

dt = datetime
VN = WorkCalendar()  # national calendar seeded from the `holidays` package


def days(amount: float, online: float | None = None) -> ProcessingTime:
    return ProcessingTime(amount, ProcessingUnit.WORKING_DAYS, online)


def hours(amount: float) -> ProcessingTime:
    return ProcessingTime(amount, ProcessingUnit.WORKING_HOURS)


SAME_DAY = ProcessingTime(1, ProcessingUnit.SAME_DAY)


# --------------------------------------------------------------------------- the `holidays` seed


def test_vn_holidays_tet_2027_and_adjacent_days() -> None:
    h = vn_holidays(2027)
    # Tết (mùng 1) is Sat 6/2/2027: the weekend Tết days are moved to Thu 4/2 ("29 Tết") and Wed 10/2.
    assert [d for d in h if date(2027, 2, 1) <= d <= date(2027, 2, 28)] == [
        date(2027, 2, d) for d in range(4, 11)
    ]
    assert h[date(2027, 2, 4)] == "29 Tết"
    assert h[date(2027, 2, 6)] == "Tết Nguyên Đán"
    assert h[date(2027, 2, 10)] == "Mùng năm Tết Nguyên Đán"
    # 1/5/2027 is a Saturday -> observed Mon 3/5; 2/9/2027 is a Thursday -> adjacent day Fri 3/9.
    expected = {date(2027, 4, 30), date(2027, 5, 1), date(2027, 5, 3), date(2027, 9, 2), date(2027, 9, 3)}
    assert expected <= set(h)
    assert date(2027, 9, 1) not in h


def test_vn_holidays_2026() -> None:
    h = vn_holidays(2026)
    assert sorted(h) == [
        date(2026, 1, 1),
        *(date(2026, 2, d) for d in range(16, 21)),  # Giao thừa (Mon) .. mùng bốn (Fri)
        date(2026, 4, 26), date(2026, 4, 27),  # Giỗ Tổ on Sunday + nghỉ bù Monday
        date(2026, 4, 30), date(2026, 5, 1),
        date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2),  # 31/8 swapped with Sat 22/8
        date(2026, 11, 24),  # Ngày Văn hóa Việt Nam, a holiday since 2026
    ]
    assert h[date(2026, 8, 31)] == "Ngày nghỉ (thay cho ngày 22/08/2026)"


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        pytest.param(2026, {date(2026, 8, 22)}, id="2026-sat-22-8-worked-for-mon-31-8"),
        pytest.param(2025, {date(2025, 4, 26)}, id="2025-sat-26-4-worked-for-fri-2-5"),
        pytest.param(2019, {date(2019, 1, 5), date(2019, 5, 4)},
                     id="2019-sat-5-1-from-the-2018-swap-across-years-and-sat-4-5"),
        pytest.param(2027, set(), id="2027-none-known"),
    ],
)
def test_vn_makeup_workdays(year: int, expected: set[date]) -> None:
    found = vn_makeup_workdays(year)
    assert set(found) == expected
    assert all(name.startswith("Thứ Bảy làm bù (cho ngày nghỉ ") for name in found.values())


# --------------------------------------------------------------------------- compute_due, national calendar


@pytest.mark.parametrize(
    ("received", "processing", "expected"),
    [
        # Tết 2027: Thu 4/2 .. Wed 10/2 off.
        pytest.param(dt(2027, 2, 3, 10), days(1), dt(2027, 2, 11, 10),
                     id="tet27-wed-10h-1day: wed 1.5h+3.5h=5h, 3h left -> thu 11/2 10:00"),
        pytest.param(dt(2027, 2, 3, 16), days(3), dt(2027, 2, 15, 16),
                     id="tet27-wed-16h-3days: wed 1h, thu 11 8h, fri 12 8h, mon 15 7h -> 16:00"),
        pytest.param(dt(2027, 2, 8, 9), days(1), dt(2027, 2, 11, 17),
                     id="tet27-received-during-tet: counts from thu 11/2 07:00, 8h -> 17:00 same day"),
        pytest.param(dt(2027, 2, 5, 9), days(0.5), dt(2027, 2, 11, 11),
                     id="tet27-received-giao-thua-half-day: thu 11/2 07:00+4h -> 11:00"),
        pytest.param(dt(2027, 1, 4, 7), days(27), dt(2027, 2, 16, 17),
                     id="27days-across-tet27: 23 days 4/1..3/2, then 11,12,15,16/2 -> tue 16/2 17:00"),
        pytest.param(dt(2026, 12, 31, 14), days(1), dt(2027, 1, 4, 14),
                     id="year-end: thu 31/12 3h, fri 1/1 off, mon 4/1 5h -> 14:00"),
        # 2026: Giỗ Tổ on Sunday 26/4 -> Mon 27/4 off; 30/4 (Thu) and 1/5 (Fri).
        pytest.param(dt(2026, 4, 24, 15), days(1), dt(2026, 4, 28, 15),
                     id="gio-to-2026-fri-15h: fri 2h, mon 27/4 nghi bu, tue 28/4 6h -> 15:00"),
        pytest.param(dt(2026, 4, 29, 14), days(2), dt(2026, 5, 5, 14),
                     id="30-4-2026-wed-14h-2days: wed 3h, thu+fri off, mon 4/5 8h, tue 5h -> 14:00"),
        # 2027: 30/4 Friday, 1/5 Saturday observed on Monday 3/5.
        pytest.param(dt(2027, 4, 29, 8), days(1), dt(2027, 5, 4, 8),
                     id="30-4-2027-thu-8h: thu 3.5h+3.5h=7h, fri+mon off -> tue 4/5 08:00"),
        # 2026: 31/8 (swap for Sat 22/8), 1/9, 2/9 off; Sat 22/8 worked.
        pytest.param(dt(2026, 8, 28, 9), days(2), dt(2026, 9, 4, 9),
                     id="2-9-2026-fri-9h-2days: fri 6h, 31/8-2/9 off, thu 3/9 8h, fri 4/9 2h -> 09:00"),
        pytest.param(dt(2026, 8, 21, 16), days(1), dt(2026, 8, 22, 16),
                     id="lam-bu-sat-22-8-2026: fri 1h, sat 22/8 is a working saturday 7h -> 16:00"),
        # 2027: 2/9 Thursday + Friday 3/9.
        pytest.param(dt(2027, 9, 1, 13, 30), days(1), dt(2027, 9, 6, 11, 30),
                     id="2-9-2027-wed-13h30: wed 3.5h, mon 6/9 4.5h ends at 11:30 sharp (not 13:30)"),
        pytest.param(dt(2026, 11, 23, 9), days(1), dt(2026, 11, 25, 9),
                     id="ngay-van-hoa-24-11-2026: mon 6h, tue off, wed 2h -> 09:00"),
        # Reception outside the sessions.
        pytest.param(dt(2026, 5, 5, 12, 15), days(0.5), dt(2026, 5, 6, 7, 30),
                     id="lunch-12h15-half-day: from 13:30, 3.5h -> 17:00, 0.5h -> wed 07:30"),
        pytest.param(dt(2026, 5, 5, 11, 30), days(0.5), dt(2026, 5, 6, 7, 30),
                     id="at-11h30-sharp-counts-from-13h30: 3.5h + 0.5h -> wed 07:30"),
        pytest.param(dt(2026, 5, 5, 6, 10), days(1), dt(2026, 5, 5, 17),
                     id="before-7h: from 07:00, 8h -> 17:00 same day"),
        pytest.param(dt(2026, 5, 5, 17, 45), days(1), dt(2026, 5, 6, 17),
                     id="after-17h: from wed 07:00 -> wed 17:00"),
        pytest.param(dt(2026, 5, 5, 17), days(1), dt(2026, 5, 6, 17),
                     id="at-17h-sharp: from wed 07:00 -> wed 17:00"),
        pytest.param(dt(2026, 5, 10, 9), days(2), dt(2026, 5, 12, 17),
                     id="sunday: from mon 07:00, 16h -> tue 17:00"),
        pytest.param(dt(2026, 5, 9, 20), hours(1), dt(2026, 5, 11, 8),
                     id="saturday-evening-1hour: mon 07:00+1h -> 08:00"),
        # Fractional days and hours.
        pytest.param(dt(2026, 5, 11, 9), days(0.5), dt(2026, 5, 11, 15),
                     id="half-day-mon-9h: 2.5h to 11:30, 1.5h from 13:30 -> 15:00"),
        pytest.param(dt(2026, 5, 11, 13, 30), days(2), dt(2026, 5, 13, 11, 30),
                     id="2days-mon-13h30: mon 3.5h, tue 8h, wed 4.5h -> 11:30 sharp"),
        pytest.param(dt(2026, 5, 11, 9), days(0.1), dt(2026, 5, 11, 9, 48),
                     id="0.1day-is-48min-no-float-fuzz"),
        pytest.param(dt(2026, 5, 11, 7), days(1 / 3), dt(2026, 5, 11, 9, 40),
                     id="third-of-a-day-is-160min: 07:00 -> 09:40"),
        pytest.param(dt(2026, 5, 11, 11), hours(1), dt(2026, 5, 11, 14),
                     id="1hour-mon-11h: 0.5h to 11:30, 0.5h from 13:30 -> 14:00"),
        pytest.param(dt(2026, 5, 11, 16), hours(4), dt(2026, 5, 12, 10),
                     id="4hours-mon-16h: 1h mon, 3h tue -> 10:00"),
        pytest.param(dt(2026, 5, 11, 11, 15), hours(0.5), dt(2026, 5, 11, 13, 45),
                     id="half-hour-over-lunch: 15min + 15min -> 13:45"),
        pytest.param(dt(2026, 5, 11, 7), hours(4.5), dt(2026, 5, 11, 11, 30),
                     id="4.5hours-from-7h-ends-at-11h30-sharp"),
        # Seconds: the due time is rounded up to the minute.
        pytest.param(dt(2026, 5, 11, 9, 0, 20), hours(1), dt(2026, 5, 11, 10, 1),
                     id="seconds-10h00m20s-rounded-up-to-10h01"),
        pytest.param(dt(2026, 5, 11, 10, 30, 30), hours(1), dt(2026, 5, 11, 13, 31),
                     id="seconds-59.5min-before-lunch-30s-after -> 13:30:30 -> 13:31"),
        pytest.param(dt(2026, 5, 11, 9, 0, 0, 1), hours(1), dt(2026, 5, 11, 10, 1),
                     id="microsecond-rounds-up"),
        # Zero processing time: the first working moment.
        pytest.param(dt(2026, 5, 11, 10), days(0), dt(2026, 5, 11, 10), id="zero-inside-session"),
        pytest.param(dt(2026, 5, 11, 12), days(0), dt(2026, 5, 11, 13, 30), id="zero-at-lunch"),
        pytest.param(dt(2026, 5, 11, 18), days(0), dt(2026, 5, 12, 7), id="zero-after-closing"),
    ],
)
def test_compute_due_national_calendar(received: datetime, processing: ProcessingTime,
                                       expected: datetime) -> None:
    assert compute_due(received, processing, VN) == expected


@pytest.mark.parametrize(
    ("received", "cutoff", "expected"),
    [
        pytest.param(dt(2026, 5, 11, 14, 59), time(15), dt(2026, 5, 11, 17),
                     id="mon-14h59-before-cutoff-15h: mon 17:00"),
        pytest.param(dt(2026, 5, 11, 15), time(15), dt(2026, 5, 12, 17),
                     id="mon-15h00-at-cutoff: next working day tue 17:00"),
        pytest.param(dt(2026, 5, 11, 6, 30), time(15), dt(2026, 5, 11, 17),
                     id="mon-6h30-before-opening: same day 17:00"),
        pytest.param(dt(2026, 5, 11, 12), time(15), dt(2026, 5, 11, 17),
                     id="mon-lunch-12h: same day 17:00"),
        pytest.param(dt(2026, 5, 15, 15, 30), time(15), dt(2026, 5, 18, 17),
                     id="fri-15h30-after-cutoff: weekend skipped, mon 17:00"),
        pytest.param(dt(2026, 5, 16, 9), time(15), dt(2026, 5, 18, 17),
                     id="saturday-9h: non-working day, mon 17:00"),
        pytest.param(dt(2026, 5, 11, 16, 59), None, dt(2026, 5, 11, 17),
                     id="no-cutoff-16h59: cutoff is closing time, same day 17:00"),
        pytest.param(dt(2026, 5, 11, 17, 30), None, dt(2026, 5, 12, 17),
                     id="no-cutoff-17h30-after-closing: tue 17:00"),
        pytest.param(dt(2026, 5, 11, 17, 30), time(18), dt(2026, 5, 12, 17),
                     id="cutoff-18h-after-closing-17h30: closed, tue 17:00"),
        pytest.param(dt(2027, 2, 3, 16), time(15), dt(2027, 2, 11, 17),
                     id="wed-3-2-2027-16h-after-cutoff: tet 4/2-10/2 off, thu 11/2 17:00"),
        pytest.param(dt(2026, 4, 29, 15, 10), time(15), dt(2026, 5, 4, 17),
                     id="wed-29-4-2026-15h10: 30/4+1/5+weekend off, mon 4/5 17:00"),
        pytest.param(dt(2026, 8, 21, 15, 30), time(15), dt(2026, 8, 22, 17),
                     id="fri-21-8-2026-15h30: sat 22/8 is lam-bu, sat 17:00"),
    ],
)
def test_same_day(received: datetime, cutoff: time | None, expected: datetime) -> None:
    assert compute_due(received, SAME_DAY, VN, cutoff=cutoff) == expected


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        pytest.param(1, dt(2026, 5, 13, 17), id="direct-3days-mon-to-wed-17h"),
        pytest.param(2, dt(2026, 5, 12, 17), id="online-2days-mon-to-tue-17h"),
        pytest.param(3, dt(2026, 5, 13, 17), id="postal-uses-the-direct-time"),
    ],
)
def test_online_channel_shorter_time(channel: int, expected: datetime) -> None:
    assert compute_due(dt(2026, 5, 11, 7), days(3, online=2), VN, channel=channel) == expected


def test_aware_received_at_is_converted_to_vietnam_time() -> None:
    received = datetime(2026, 5, 11, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
    assert compute_due(received, hours(1), VN) == dt(2026, 5, 11, 10)


# --------------------------------------------------------------------------- overrides and custom hours


def _ov(day: date, kind: DayKind, note: str = "") -> DayOverride:
    return DayOverride(day, kind, note)


@pytest.mark.parametrize(
    ("overrides", "received", "processing", "expected"),
    [
        pytest.param([], dt(2026, 5, 8, 15), days(1), dt(2026, 5, 11, 15),
                     id="control-no-override: fri 2h, mon 6h -> 15:00"),
        pytest.param([_ov(date(2026, 5, 9), DayKind.WORK)], dt(2026, 5, 8, 15), days(1), dt(2026, 5, 9, 15),
                     id="work-saturday-9-5: fri 2h, sat 6h -> sat 15:00"),
        pytest.param([_ov(date(2026, 5, 12), DayKind.OFF)], dt(2026, 5, 11, 10), days(1), dt(2026, 5, 13, 10),
                     id="off-tuesday-12-5: mon 5h, tue off, wed 3h -> 10:00"),
        pytest.param([_ov(date(2026, 4, 30), DayKind.WORK)], dt(2026, 4, 29, 14), days(1),
                     dt(2026, 4, 30, 14), id="work-beats-holiday-30-4: wed 3h, thu 5h -> 14:00"),
        pytest.param([_ov(date(2026, 8, 22), DayKind.OFF)], dt(2026, 8, 21, 16), days(1),
                     dt(2026, 8, 24, 16), id="off-beats-seeded-lam-bu-22-8: fri 1h, mon 7h -> 16:00"),
        pytest.param([_ov(date(2026, 8, 31), DayKind.WORK)], dt(2026, 8, 28, 9), days(2), dt(2026, 9, 3, 9),
                     id="province-works-31-8: fri 6h, mon 31/8 8h, thu 3/9 2h -> 09:00"),
        pytest.param([_ov(date(2027, 2, 7), DayKind.WORK)], dt(2027, 2, 3, 10), days(1), dt(2027, 2, 7, 10),
                     id="work-beats-tet-on-sunday-7-2-2027: wed 5h, sun 3h -> 10:00"),
        pytest.param([_ov(date(2026, 5, 11), DayKind.OFF)], dt(2026, 5, 11, 10), SAME_DAY,
                     dt(2026, 5, 12, 17), id="same-day-received-on-local-day-off"),
    ],
)
def test_overrides_win(overrides: list[DayOverride], received: datetime, processing: ProcessingTime,
                       expected: datetime) -> None:
    calendar = WorkCalendar(overrides)
    assert compute_due(received, processing, calendar, cutoff=time(15)) == expected


def test_overrides_beat_seeded_days() -> None:
    calendar = WorkCalendar([_ov(date(2026, 4, 30), DayKind.WORK), _ov(date(2026, 8, 22), DayKind.OFF),
                             _ov(date(2026, 5, 12), DayKind.OFF), _ov(date(2026, 5, 9), DayKind.WORK)])
    assert not VN.is_working_day(date(2026, 4, 30)) and calendar.is_working_day(date(2026, 4, 30))
    assert VN.is_working_day(date(2026, 8, 22)) and not calendar.is_working_day(date(2026, 8, 22))
    assert not calendar.is_working_day(date(2026, 5, 12))
    assert calendar.is_working_day(date(2026, 5, 9))


def test_custom_holiday_source_has_no_seeded_lam_bu() -> None:
    calendar = WorkCalendar(holiday_source=lambda _year: {})
    assert calendar.is_working_day(date(2026, 4, 30))
    assert not calendar.is_working_day(date(2026, 8, 22))
    assert compute_due(dt(2026, 4, 29, 14), days(1), calendar) == dt(2026, 4, 30, 14)


H_8_TO_17 = OfficeHours(((time(8), time(12)), (time(13), time(17))))
H_ONE_SESSION = OfficeHours(((time(7, 30), time(16, 30)),))
H_THREE = OfficeHours(((time(7), time(9)), (time(10), time(12)), (time(14), time(18))))


@pytest.mark.parametrize(
    ("office", "received", "processing", "expected"),
    [
        pytest.param(H_8_TO_17, dt(2026, 5, 11, 12, 30), days(1), dt(2026, 5, 12, 12),
                     id="8-12+13-17-lunch-1day: mon 13:00-17:00 4h, tue 08:00-12:00 -> 12:00 sharp"),
        pytest.param(H_8_TO_17, dt(2026, 5, 11, 7, 30), hours(1), dt(2026, 5, 11, 9),
                     id="8-12+13-17-before-opening: 08:00+1h -> 09:00"),
        pytest.param(H_ONE_SESSION, dt(2026, 5, 11, 10), days(1), dt(2026, 5, 12, 10),
                     id="single-9h-session-1day: mon 6.5h, tue 2.5h -> 10:00"),
        pytest.param(H_ONE_SESSION, dt(2026, 5, 11, 16), SAME_DAY, dt(2026, 5, 11, 16, 30),
                     id="single-session-same-day-closes-16h30"),
        pytest.param(H_THREE, dt(2026, 5, 11, 8, 30), hours(2), dt(2026, 5, 11, 11, 30),
                     id="three-sessions: 0.5h before 09:00, 1.5h from 10:00 -> 11:30"),
        pytest.param(H_THREE, dt(2026, 5, 11, 15), days(1), dt(2026, 5, 12, 15),
                     id="three-sessions-1day: mon 3h, tue 2h+2h+1h -> 15:00"),
    ],
)
def test_custom_office_hours(office: OfficeHours, received: datetime, processing: ProcessingTime,
                             expected: datetime) -> None:
    assert compute_due(received, processing, WorkCalendar(hours=office)) == expected


def test_office_hours_defaults_and_text() -> None:
    assert DEFAULT_OFFICE_HOURS.hours_per_day == 8.0
    assert DEFAULT_OFFICE_HOURS.to_text() == "07:00-11:30,13:30-17:00"
    assert OfficeHours.parse("07:00-11:30, 13:30-17:00") == DEFAULT_OFFICE_HOURS
    assert H_ONE_SESSION.hours_per_day == 9.0
    assert H_THREE.closing == time(18)


@pytest.mark.parametrize(
    "sessions",
    [
        pytest.param((), id="empty"),
        pytest.param(((time(11), time(7)),), id="end-before-start"),
        pytest.param(((time(7), time(7)),), id="zero-length"),
        pytest.param(((time(7), time(12)), (time(11), time(17))), id="overlapping"),
        pytest.param(((time(13), time(17)), (time(7), time(11))), id="unordered"),
        pytest.param(((time(7, 0, 30), time(11)),), id="seconds"),
    ],
)
def test_office_hours_validation(sessions: tuple[tuple[time, time], ...]) -> None:
    with pytest.raises(CalendarError) as info:
        OfficeHours(sessions)
    assert isinstance(info.value, ValueError) and isinstance(info.value, MotCuaError)
    assert info.value.field == "sessions"


@pytest.mark.parametrize("text", ["07:00", "7h-11h", "07:00-11:30,13:30-", ""])
def test_office_hours_parse_errors(text: str) -> None:
    with pytest.raises(CalendarError):
        OfficeHours.parse(text)


# --------------------------------------------------------------------------- errors


def test_calendar_without_working_days_raises() -> None:
    def everything_off(year: int) -> dict[date, str]:
        first = date(year, 1, 1)
        return {first + timedelta(n): "Nghỉ" for n in range(366) if (first + timedelta(n)).year == year}

    calendar = WorkCalendar(holiday_source=everything_off)
    with pytest.raises(ValueError, match="no working day in the 3 years"):
        compute_due(dt(2026, 5, 11, 9), days(1), calendar)
    with pytest.raises(ValueError, match="no working day"):
        compute_due(dt(2026, 5, 11, 9), SAME_DAY, calendar, cutoff=time(15))


@pytest.mark.parametrize("amount", [-1, math.nan, math.inf, 1e9])
def test_bad_amounts_raise(amount: float) -> None:
    with pytest.raises(ValueError, match="processing"):
        compute_due(dt(2026, 5, 11, 9), days(amount), VN)


# --------------------------------------------------------------------------- calendar listing


@pytest.mark.parametrize(("year", "count"), [(2026, 365), (2027, 365), (2028, 366)])
def test_year_days_covers_the_year(year: int, count: int) -> None:
    listed = VN.year_days(year)
    assert len(listed) == count
    assert [d.day for d in listed] == [date(year, 1, 1) + timedelta(n) for n in range(count)]
    assert all(d.working == VN.is_working_day(d.day) for d in listed)


def test_year_days_reasons() -> None:
    by_day = {d.day: d for d in VN.year_days(2027)}
    assert by_day[date(2027, 2, 6)] == CalendarDay(date(2027, 2, 6), False, "Tết Nguyên Đán", "holiday")
    assert by_day[date(2027, 2, 13)] == CalendarDay(date(2027, 2, 13), False, "Nghỉ cuối tuần (Thứ Bảy)",
                                                    "weekend")
    assert by_day[date(2027, 2, 11)] == CalendarDay(date(2027, 2, 11), True, "Ngày làm việc", "weekday")


def test_non_standard_days_for_calendar_show() -> None:
    calendar = WorkCalendar([
        _ov(date(2026, 5, 9), DayKind.WORK),
        _ov(date(2026, 5, 12), DayKind.OFF),
        _ov(date(2026, 6, 15), DayKind.OFF, "Bầu cử đại biểu HĐND"),
        _ov(date(2026, 4, 30), DayKind.WORK),
        _ov(date(2026, 6, 16), DayKind.WORK),  # a normal weekday: listed because it is an override
    ])
    listed = {d.day: d for d in calendar.non_working_weekdays_and_worked_weekends(2026)}
    assert listed[date(2026, 5, 9)] == CalendarDay(date(2026, 5, 9), True, "Thứ Bảy làm bù", "override")
    assert listed[date(2026, 5, 12)] == CalendarDay(date(2026, 5, 12), False, "Nghỉ theo lịch địa phương",
                                                    "override")
    assert listed[date(2026, 6, 15)].reason == "Bầu cử đại biểu HĐND"
    assert listed[date(2026, 4, 30)].reason == "Làm việc theo lịch địa phương (không nghỉ Ngày Chiến thắng)"
    assert listed[date(2026, 6, 16)].working
    assert listed[date(2026, 8, 22)] == CalendarDay(
        date(2026, 8, 22), True, "Thứ Bảy làm bù (cho ngày nghỉ 31/08/2026)", "holiday")
    assert listed[date(2026, 2, 17)].reason == "Tết Nguyên Đán"
    assert date(2026, 4, 26) not in listed  # Giỗ Tổ on a Sunday: a weekend day off anyway
    assert listed[date(2026, 4, 27)].reason == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"
    national = [d.day for d in VN.non_working_weekdays_and_worked_weekends(2027)]
    assert national == [
        date(2027, 1, 1), date(2027, 2, 4), date(2027, 2, 5), date(2027, 2, 8), date(2027, 2, 9),
        date(2027, 2, 10), date(2027, 4, 16), date(2027, 4, 30), date(2027, 5, 3), date(2027, 9, 2),
        date(2027, 9, 3), date(2027, 11, 24),
    ]


def test_nth_working_day_after() -> None:
    assert VN.next_working_day(date(2027, 2, 3)) == date(2027, 2, 11)
    assert VN.nth_working_day_after(date(2026, 12, 30), 3) == date(2027, 1, 5)
    assert VN.nth_working_day_after(date(2026, 1, 1), 600).year == 2028


# --------------------------------------------------------------------------- properties

PROPERTY_CALENDAR = WorkCalendar([
    _ov(date(2026, 5, 9), DayKind.WORK), _ov(date(2026, 5, 12), DayKind.OFF),
    _ov(date(2027, 2, 7), DayKind.WORK), _ov(date(2026, 8, 22), DayKind.OFF),
])
received_times = st.datetimes(min_value=dt(2025, 12, 1), max_value=dt(2027, 12, 31))
processings = st.one_of(
    st.integers(1, 64).map(lambda n: days(n / 4)),
    st.integers(1, 40).map(lambda n: hours(n / 2)),
    st.just(SAME_DAY),
)
cutoffs = st.sampled_from([None, time(15), time(11), time(16, 30)])


def _inside_session(moment: datetime, office: OfficeHours) -> bool:
    return any(start < moment.time() <= end for start, end in office.sessions)


@settings(max_examples=300, deadline=None)
@given(received=received_times, processing=processings, cutoff=cutoffs)
def test_due_is_a_working_moment_after_reception(received: datetime, processing: ProcessingTime,
                                                 cutoff: time | None) -> None:
    due = compute_due(received, processing, PROPERTY_CALENDAR, cutoff=cutoff)
    assert due > received
    assert due.second == 0 and due.microsecond == 0
    assert PROPERTY_CALENDAR.is_working_day(due.date())
    assert _inside_session(due, PROPERTY_CALENDAR.hours)


@settings(max_examples=300, deadline=None)
@given(a=received_times, b=received_times, processing=processings, cutoff=cutoffs)
def test_due_is_monotonic(a: datetime, b: datetime, processing: ProcessingTime, cutoff: time | None) -> None:
    early, late = sorted((a, b))
    assert (compute_due(early, processing, PROPERTY_CALENDAR, cutoff=cutoff)
            <= compute_due(late, processing, PROPERTY_CALENDAR, cutoff=cutoff))


def _due_by_walking_minutes(received: datetime, minutes: int, calendar: WorkCalendar) -> datetime:
    """Reference: count working minutes one by one (slow but obviously right)."""
    moment, counted = received, 0
    while counted < minutes:
        if calendar.is_working_day(moment.date()) and any(
                start <= moment.time() < end for start, end in calendar.hours.sessions):
            counted += 1
        moment += timedelta(minutes=1)
    return moment


@settings(max_examples=40, deadline=None)
@given(received=received_times.map(lambda m: m.replace(second=0, microsecond=0)),
       minutes=st.integers(1, 3 * 480), office=st.sampled_from([DEFAULT_OFFICE_HOURS, H_THREE]))
def test_matches_minute_by_minute_reference(received: datetime, minutes: int, office: OfficeHours) -> None:
    calendar = WorkCalendar(PROPERTY_CALENDAR.overrides, hours=office)
    assert compute_due(received, hours(minutes / 60), calendar) == _due_by_walking_minutes(
        received, minutes, calendar)

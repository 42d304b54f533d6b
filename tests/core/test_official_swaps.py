"""The official swaps the ``holidays`` package lacks: the data file, its place in the calendar, and
due times across the 2026 New Year swap (letter 12729/VPCP-KGVX of 25/12/2025)."""

from __future__ import annotations

import json
from datetime import date, datetime
from importlib.metadata import version

import pytest

from app.core.calendar import DayKind, DayOverride, WorkCalendar, compute_due, vn_holidays, vn_makeup_workdays
from app.core.errors import ValidationError
from app.core.official_days import SWAPS_FILE, load_swaps, parse_swaps
from app.core.procedure import ProcessingTime, ProcessingUnit
from app.core.resources import resource_path

DAYS_3 = ProcessingTime(3, ProcessingUnit.WORKING_DAYS)
DAY_1 = ProcessingTime(1, ProcessingUnit.WORKING_DAYS)


def test_the_file_is_versioned_with_its_sources():
    swaps = load_swaps()
    assert swaps.version
    assert "12729/VPCP-KGVX" in swaps.sources and "25/12/2025" in swaps.sources["12729/VPCP-KGVX"]
    assert swaps.days[date(2026, 1, 2)].working is False
    assert swaps.days[date(2026, 1, 10)].working is True
    assert all(o.source in swaps.sources for o in swaps.days.values())


def test_the_package_does_not_contradict_the_file():
    """Fails when a newer ``holidays`` disagrees with the data file: it lists as a holiday a day the
    file says is worked, or as a worked weekend a day the file says is off. Then read the new
    package's notes and the official letters, and fix the file (or drop what the package now has)."""
    for official in load_swaps().days.values():
        year = official.day.year
        if official.working:
            assert official.day not in vn_holidays(year), (official, vn_holidays(year)[official.day])
        else:
            assert official.day not in vn_makeup_workdays(year), official


def test_the_file_was_checked_against_the_installed_package():
    document = json.loads(resource_path(*SWAPS_FILE).read_text(encoding="utf-8"))
    assert document["holidays_package_checked"] == version("holidays"), (
        "the holidays package changed: check resources/calendar/vn-official-swaps.json against it "
        "and update holidays_package_checked (and the pin in pyproject.toml)")


def test_tet_2026_is_in_the_package():
    # Civil servants are off Saturday 14/2 to Sunday 22/2/2026: the weekdays come from the package.
    calendar = WorkCalendar()
    assert [d.day for d in calendar.year_days(2026)[44:53] if not d.working] == [
        date(2026, 2, d) for d in range(14, 23)]


def test_calendar_places_the_swaps_between_package_and_overrides():
    calendar = WorkCalendar()
    assert not calendar.is_working_day(date(2026, 1, 2))
    assert calendar.is_working_day(date(2026, 1, 10))
    described = calendar.describe(date(2026, 1, 10))
    assert described.source == "official" and "12729/VPCP-KGVX" in described.reason
    # the administrator (or the province) decides last
    local = WorkCalendar([DayOverride(date(2026, 1, 2), DayKind.WORK, "[Tỉnh] Làm việc"),
                          DayOverride(date(2026, 1, 10), DayKind.OFF)])
    assert local.is_working_day(date(2026, 1, 2)) and not local.is_working_day(date(2026, 1, 10))
    # a calendar with its own holiday source has no official swaps unless given
    assert WorkCalendar(holiday_source=lambda _y: {}).is_working_day(date(2026, 1, 2))


@pytest.mark.parametrize(("received", "processing", "expected"), [
    # Wed 31/12/2025 09:00: 1/1 holiday, 2/1 swapped off, 3-4/1 weekend -> Mon 5, Tue 6, Wed 7 09:00
    (datetime(2025, 12, 31, 9, 0), DAYS_3, datetime(2026, 1, 7, 9, 0)),
    (datetime(2025, 12, 31, 16, 0), DAY_1, datetime(2026, 1, 5, 16, 0)),
    # Fri 9/1/2026 09:00, one working day: Saturday 10/1 is worked
    (datetime(2026, 1, 9, 9, 0), DAY_1, datetime(2026, 1, 10, 9, 0)),
    # received on the worked Saturday itself
    (datetime(2026, 1, 10, 14, 0), DAY_1, datetime(2026, 1, 12, 14, 0)),
])
def test_due_times_across_the_2026_new_year_swap(received, processing, expected):
    assert compute_due(received, processing, WorkCalendar()) == expected


def test_without_the_file_the_package_alone_would_be_wrong():
    package_only = WorkCalendar(holiday_source=vn_holidays, official_source=lambda _y: {})
    assert compute_due(datetime(2025, 12, 31, 9, 0), DAYS_3, package_only) == datetime(2026, 1, 6, 9, 0)


@pytest.mark.parametrize("days", [
    [{"date": "2026-01-02", "kind": "holiday", "source": "A"}],
    [{"date": "2026-13-02", "kind": "off", "source": "A"}],
    [{"date": "2026-01-02", "kind": "off", "source": "B"}],
    [{"date": "2026-01-02", "kind": "off", "source": "A"},
     {"date": "2026-01-02", "kind": "work", "source": "A"}],
])
def test_malformed_files_are_refused(days):
    with pytest.raises(ValidationError):
        parse_swaps({"version": "1", "sources": [{"id": "A", "title": "a"}], "days": days})

"""Official swaps of working days the ``holidays`` package lacks, from a small versioned data file.

``resources/calendar/vn-official-swaps.json`` lists the days off and the worked Saturdays each yearly
notice of the Government Office announces (e.g. letter 12729/VPCP-KGVX of 25/12/2025: Friday
02/01/2026 off, Saturday 10/01/2026 worked), each with its source letter. The working calendar
applies them above the package's holidays and beneath the administrator's overrides (which include
the province's calendar): see :class:`app.core.calendar.WorkCalendar`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from app.core.errors import ValidationError
from app.core.resources import resource_path

SWAPS_FILE = ("calendar", "vn-official-swaps.json")


@dataclass(frozen=True)
class OfficialDay:
    day: date
    working: bool  # True: a worked weekend day (làm bù); False: a day off
    note: str
    source: str  # the letter that announced it, e.g. "12729/VPCP-KGVX"


@dataclass(frozen=True)
class OfficialSwaps:
    version: str
    sources: dict[str, str]  # id -> title
    days: dict[date, OfficialDay]

    def of_year(self, year: int) -> dict[date, OfficialDay]:
        return {d: o for d, o in self.days.items() if d.year == year}


def parse_swaps(document: dict) -> OfficialSwaps:  # type: ignore[type-arg]
    """The swaps of a data file's JSON (:class:`ValidationError` on a malformed file)."""
    try:
        sources = {str(s["id"]): str(s.get("title") or "") for s in document.get("sources") or ()}
        days: dict[date, OfficialDay] = {}
        for entry in document["days"]:
            kind = str(entry["kind"])
            if kind not in ("off", "work"):
                raise ValueError(f"kind {kind!r}")
            source = str(entry["source"])
            if source not in sources:
                raise ValueError(f"unknown source {source!r}")
            day = date.fromisoformat(str(entry["date"]))
            if day in days:
                raise ValueError(f"{day} listed twice")
            days[day] = OfficialDay(day, kind == "work", str(entry.get("note") or ""), source)
        return OfficialSwaps(str(document["version"]), sources, days)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"malformed official swaps file: {exc}",
                              f"Tệp lịch hoán đổi ngày làm việc không đúng định dạng: {exc}.") from None


@lru_cache(maxsize=4)
def load_swaps(path: Path | None = None) -> OfficialSwaps:
    """The packaged swaps file (or ``path``)."""
    target = resource_path(*SWAPS_FILE) if path is None else Path(path)
    return parse_swaps(json.loads(target.read_text(encoding="utf-8")))


def official_days(year: int) -> dict[date, OfficialDay]:
    """The official days off and worked days of ``year`` from the packaged file."""
    return load_swaps().of_year(year)

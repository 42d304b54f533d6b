"""The service-quality indicators of a period (``motcua report``, the dashboard), for supervisors.

The figures are counted by the database (:mod:`app.store.repositories.indicators` holds the exact
definitions); this module checks the permission, turns calendar days into the period, gives the JSON
of the ``motcua report`` contract and opens each figure into its dossiers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from app.core.errors import ValidationError
from app.services.auth import Officer, Permission, require
from app.services.context import AppContext
from app.store.repositories.indicators import FIGURES, IndicatorRepository, Indicators, Ratio, Scope

__all__ = [
    "FIGURES",
    "FIGURE_LABELS_VI",
    "FULL_MARKS",
    "Indicators",
    "Period",
    "Ratio",
    "compute",
    "figure_codes",
    "report_json",
    "scope_of",
]

#: Percentages that earn full marks in the national formulas (digitisation, reuse, online, satisfaction).
FULL_MARKS: dict[str, float] = {"digitised_components": 80.0, "reused": 80.0, "online": 50.0,
                                "satisfied": 90.0, "on_time": 100.0, "digitised_results": 80.0}

FIGURE_LABELS_VI: dict[str, str] = {
    "received": "Hồ sơ tiếp nhận",
    "on_time": "Giải quyết đúng hạn (kể cả trước hạn)",
    "early": "Giải quyết trước hạn",
    "late": "Giải quyết quá hạn",
    "online": "Hồ sơ trực tuyến",
    "synced": "Đã đồng bộ lên Cổng DVCQG",
    "digitised_components": "Số hóa thành phần hồ sơ",
    "digitised_results": "Số hóa kết quả",
    "reused": "Tái sử dụng dữ liệu số hóa",
    "paid_online": "Thanh toán trực tuyến",
    "satisfied": "Hài lòng",
}


@dataclass(frozen=True)
class Period:
    """Calendar days ``first`` to ``last`` inclusive, optionally narrowed to a field, procedure or officer."""

    first: date
    last: date
    field: str | None = None
    procedure_code: str | None = None
    officer: str | None = None


def scope_of(period: Period) -> Scope:
    if period.last < period.first:
        raise ValidationError(
            f"the period ends ({period.last.isoformat()}) before it starts ({period.first.isoformat()})",
            f"Ngày kết thúc ({period.last:%d/%m/%Y}) trước ngày bắt đầu ({period.first:%d/%m/%Y}).",
            field="to")
    end = datetime.combine(period.last + timedelta(days=1), time())
    return Scope(datetime.combine(period.first, time()), end,
                 field=period.field or None, procedure_code=period.procedure_code or None,
                 officer=period.officer or None)


def compute(ctx: AppContext, officer: Officer, period: Period) -> Indicators:
    """The figures of ``period`` (needs ``VIEW_REPORTS``)."""
    require(officer, Permission.VIEW_REPORTS)
    scope = scope_of(period)
    with ctx.session() as session:
        return IndicatorRepository(session).compute(scope)


def figure_codes(ctx: AppContext, officer: Officer, period: Period, figure: str, part: str = "num",
                 *, limit: int | None = None) -> list[str]:
    """The codes of the dossiers behind ``figure`` (its numerator, or with ``part="den"`` its
    denominator); ``figure="received"`` gives the dossiers received in the period."""
    require(officer, Permission.VIEW_REPORTS)
    if figure != "received" and figure not in FIGURES:
        raise ValidationError(f"unknown figure {figure!r}", f"Không có chỉ số “{figure}”.", field="figure")
    with ctx.session() as session:
        return IndicatorRepository(session).codes(scope_of(period), figure, part, limit=limit)


def report_json(period: Period, figures: Indicators) -> dict[str, Any]:
    """The ``motcua report --json`` object."""
    out: dict[str, Any] = {
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "received": {"total": figures.received, "by_channel": dict(figures.by_channel)},
    }
    for name in FIGURES:
        out[name] = figures.ratios[name].to_json()
    return out

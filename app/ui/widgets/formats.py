"""How the UI writes and reads dates and money: dd/mm/yyyy, HH:MM dd/mm/yyyy, 1.234.000 đồng."""

from __future__ import annotations

from datetime import date, datetime

from app.core.dates import parse_date_vi

__all__ = ["date_vi", "datetime_vi", "money_vi", "parse_date_vi"]


def date_vi(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def datetime_vi(value: datetime | None) -> str:
    """``16:30 ngày 23/11/2026``: how an appointment is read out at the counter."""
    return f"{value:%H:%M} ngày {value:%d/%m/%Y}" if value else ""


def money_vi(amount: int) -> str:
    return f"{amount:,} đồng".replace(",", ".") if amount else "Không thu"



"""How the UI writes and reads dates and money: dd/mm/yyyy, HH:MM dd/mm/yyyy, 1.234.000 đồng."""

from __future__ import annotations

import re
from datetime import date, datetime

from app.core.errors import ValidationError

# 01/02/1990, 1/2/1990, 01-02-1990, 01.02.1990 or 01021990
_DATE_RE = re.compile(r"\s*(?:([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})"
                      r"|([0-9]{2})([0-9]{2})([0-9]{4}))\s*")


def date_vi(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def datetime_vi(value: datetime | None) -> str:
    """``16:30 ngày 23/11/2026``: how an appointment is read out at the counter."""
    return f"{value:%H:%M} ngày {value:%d/%m/%Y}" if value else ""


def money_vi(amount: int) -> str:
    return f"{amount:,} đồng".replace(",", ".") if amount else "Không thu"


def parse_date_vi(text: str, field: str, label_vi: str) -> date | None:
    """The date typed as dd/mm/yyyy (empty text = no date); ValidationError naming ``field``."""
    if not text.strip():
        return None
    match = _DATE_RE.fullmatch(text)
    if match is not None:
        day, month, year = (g for g in match.groups() if g is not None)
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            pass
    raise ValidationError(
        f"{field}: not a date dd/mm/yyyy: {text!r}",
        f"{label_vi} không hợp lệ: “{text.strip()}” (dạng ngày/tháng/năm, ví dụ 01/02/1990).",
        field,
    )

"""Dates as people type them at the counter: dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy
and ddmmyyyy). Used by the forms and by the CLI, so both accept and refuse the same text."""

from __future__ import annotations

import re
from datetime import date, datetime

from app.core.errors import ValidationError

# 01/02/1990, 1/2/1990, 01-02-1990, 01.02.1990 or 01021990
_DATE_RE = re.compile(r"\s*(?:([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})"
                      r"|([0-9]{2})([0-9]{2})([0-9]{4}))\s*")


def parse_date_vi(text: str, field: str, label_vi: str) -> date | None:
    """The date typed as dd/mm/yyyy (empty text = no date); ValidationError naming ``field``."""
    if not (text or "").strip():
        return None
    match = _DATE_RE.fullmatch(text)
    if match is not None:
        day, month, year = (g for g in match.groups() if g is not None)
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            pass
    raise ValidationError(f"{field}: not a date dd/mm/yyyy: {text!r}",
                          f"{label_vi} không hợp lệ: “{text.strip()}” "
                          "(dạng ngày/tháng/năm, ví dụ 01/02/2019).",
                          field)


_CLI_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S")


def parse_cli_datetime(text: str) -> datetime:
    """A moment typed on the command line: ``YYYY-MM-DD HH:MM`` or ``dd/mm/yyyy HH:MM`` (also with
    seconds, ``T`` between date and time, or a one-digit day and month); ValidationError otherwise."""
    cleaned = " ".join(str(text or "").replace("T", " ").split())
    for pattern in _CLI_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
    raise ValidationError(f"invalid time {text!r} (expected 'YYYY-MM-DD HH:MM' or 'dd/mm/yyyy HH:MM')",
                          f"Thời điểm “{str(text).strip()}” không hợp lệ (dạng “YYYY-MM-DD HH:MM” hoặc "
                          "“dd/mm/yyyy HH:MM”, ví dụ 2026-03-18 10:30 hoặc 18/03/2026 10:30).", "at")

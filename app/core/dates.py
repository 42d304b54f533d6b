"""Dates as people type them at the counter: dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy
and ddmmyyyy). Used by the forms and by the CLI, so both accept and refuse the same text.

:func:`parse_cli_datetime` is the one parser of every date-and-time option of the command line."""

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


# "2026-01-02 08:30" (also with seconds or a "T"), "02/01/2026 08:30" (also d/m/yyyy, "-" or "."),
# and a date alone (at 00:00) for both shapes.
_ISO_MOMENT_RE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
                            r"(?:[ T]+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?")
_VI_MOMENT_RE = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})"
                           r"(?:[ T,]+([0-9]{1,2})(?::|h|g|giờ ?)([0-9]{2})(?::([0-9]{2}))?)?")


def parse_cli_datetime(text: str) -> datetime:
    """A moment typed on the command line: ``YYYY-MM-DD HH:MM`` or ``dd/mm/yyyy HH:MM``.

    Seconds are accepted and kept; a date without a time means 00:00. A :class:`ValidationError`
    (Vietnamese and English, naming both accepted shapes) otherwise."""
    cleaned = " ".join((text or "").split())
    for pattern, order in ((_ISO_MOMENT_RE, (0, 1, 2)), (_VI_MOMENT_RE, (2, 1, 0))):
        match = pattern.fullmatch(cleaned)
        if match is None:
            continue
        parts = match.groups()
        year, month, day = (int(parts[i]) for i in order)
        hour, minute, second = (int(p) if p else 0 for p in parts[3:])
        try:
            return datetime(year, month, day, hour, minute, second)
        except ValueError:
            break
    raise ValidationError(
        f"not a date and time: {text!r} (expected 'YYYY-MM-DD HH:MM' or 'dd/mm/yyyy HH:MM')",
        f"Thời điểm “{cleaned}” không hợp lệ (dạng “dd/mm/yyyy HH:MM”, ví dụ 02/01/2026 08:30, "
        "hoặc “YYYY-MM-DD HH:MM”).",
        "at")

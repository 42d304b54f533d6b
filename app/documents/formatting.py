"""Text, date and money formatting for the slips (pure functions, no ReportLab)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from xml.sax.saxutils import escape

# C0/C1 controls, DEL, lone surrogates and non-characters: nothing a printed slip can show.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BREAKS = re.compile(r"\r\n|[\r\n\t\u2028\u2029]")
DOTS = "…………"
# Longest value printed from data: a table cell or signature block cannot split across pages, so a
# garbage value of thousands of characters would make ReportLab fail. Long free text passes a limit.
TEXT_LIMIT = 1000
LONG_TEXT_LIMIT = 8000


def clean(text: object) -> str:
    """``text`` as NFC Vietnamese with control characters removed and line breaks as spaces."""
    value = "" if text is None else str(text)
    value = _BREAKS.sub(" ", value)
    value = _UNPRINTABLE.sub("", value)
    return unicodedata.normalize("NFC", value)


def clip(text: str, limit: int = TEXT_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def esc(text: object, limit: int = TEXT_LIMIT) -> str:
    """``text`` cleaned, clipped and made safe for ReportLab's Paragraph mini-markup (XML-like)."""
    return escape(clip(clean(text), limit), {'"': "&quot;"})


def or_dots(text: object, dots: str = DOTS, limit: int = TEXT_LIMIT) -> str:
    """Escaped ``text``, or dotted leader for hand-filling when it is empty."""
    value = clean(text).strip()
    return esc(value, limit) if value else dots


def slip_datetime(moment: datetime | None) -> str:
    """"HH giờ mm phút, ngày dd tháng MM năm yyyy" (the OpenCPS receipt format)."""
    if moment is None:
        return "…giờ…phút, ngày … tháng … năm ……"
    return (
        f"{moment.hour:02d} giờ {moment.minute:02d} phút, "
        f"ngày {moment.day:02d} tháng {moment.month:02d} năm {moment.year}"
    )


def slip_date(day: date | None) -> str:
    """"ngày dd tháng MM năm yyyy" (slip body)."""
    if day is None:
        return "ngày … tháng … năm ……"
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def header_date(place: str, day: date | None) -> str:
    """The date line of the header, Decree 30/2020 style: day < 10 and months 1, 2 get a leading 0.

    >>> header_date("Bến Nghé", date(2026, 3, 5))
    'Bến Nghé, ngày 05 tháng 3 năm 2026'
    """
    place = clean(place).strip() or "……"
    if day is None:
        return f"{place}, ngày … tháng … năm ……"
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: date | datetime | None) -> str:
    """dd/mm/yyyy, used outside the slip date lines."""
    return day.strftime("%d/%m/%Y") if day is not None else "…/…/……"


def money_vnd(amount: int | None) -> str:
    """50000 -> "50.000 đồng"; 0 or None -> "Không"."""
    if not amount:
        return "Không"
    return f"{amount:,}".replace(",", ".") + " đồng"


def as_datetime(value: object) -> datetime | None:
    """Accept a datetime, a date (midnight) or an ISO string from ``extra``."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return datetime.fromisoformat(str(value))

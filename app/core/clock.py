"""Vietnam time on any machine: the one clock of the station.

The database stores naive Vietnam wall times (UTC+7; Vietnam has no daylight saving time), receipts
print them, due dates are computed from them and the sync sends them as ``yyyyMMddHHmmss``. A counter
PC whose operating system is set to another time zone (UTC is common on freshly installed machines)
must still say Vietnam time, so nothing in the app reads the OS zone: ``datetime.now()``,
``date.today()`` and ``time.localtime()`` are not used; these functions are.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone

#: Asia/Ho_Chi_Minh. A fixed offset (no tzdata needed on Windows): UTC+7 all year since 1975.
VN_TZ = timezone(timedelta(hours=7), "ICT")


def vn_now_aware() -> datetime:
    """Now, as an aware datetime in Vietnam time (for PDF metadata, signatures, HTTP dates)."""
    return datetime.now(VN_TZ)


def vn_now() -> datetime:
    """Now, as a naive Vietnam wall time (how the database stores times)."""
    return datetime.now(VN_TZ).replace(tzinfo=None)


def vn_today() -> date:
    """Today's date in Vietnam (the due-date calendar works on these days)."""
    return vn_now().date()


def to_vn(value: datetime) -> datetime:
    """``value`` as a naive Vietnam wall time; a naive value is taken as Vietnam time already."""
    if value.tzinfo is None:
        return value
    return value.astimezone(VN_TZ).replace(tzinfo=None)


def vn_aware(value: datetime) -> datetime:
    """``value`` as an aware Vietnam time; a naive value is taken as Vietnam time already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=VN_TZ)
    return value.astimezone(VN_TZ)


def from_epoch(seconds: float | None = None) -> datetime:
    """Epoch seconds (default: now) as a naive Vietnam wall time (file times, log records)."""
    moment = datetime.fromtimestamp(time.time() if seconds is None else seconds, UTC)
    return moment.astimezone(VN_TZ).replace(tzinfo=None)

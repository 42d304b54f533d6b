"""Citizens' ratings on the wire: ``DanhGiaHaiLong`` of the dossier record (a MotCua extension).

A rating re-sends the dossier's national record with every rating it has so far, so the province
always holds the whole list (a later upsert never drops one). Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from app.core.dossier import Dossier
from app.sync.vocabulary import dossier_record, fmt_time


def rating_record(event: str, level: int, reason: str, rated_at: datetime) -> dict[str, Any]:
    return {"SuKien": event, "MucDo": int(level), "LyDo": reason, "ThoiDiem": fmt_time(rated_at)}


def dossier_record_with_ratings(dossier: Dossier, ratings: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The dossier's record plus ``DanhGiaHaiLong`` (records of :func:`rating_record`)."""
    record = dossier_record(dossier)
    record["DanhGiaHaiLong"] = list(ratings)
    return record

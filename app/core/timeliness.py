"""What the service-quality indicators need from one dossier, computed from the dossier itself.

The store keeps these beside each dossier row (``ended_at``, ``result_at``, ``supplement_count``,
``components_digitised``, ``components_reused``) whenever the dossier is written, so the indicators
count with indexes instead of reading every dossier's history and JSON:

* the end time, by the formulas' priority: the first time the dossier reached 9 (Đã xử lý xong),
  else 10 (Đã trả kết quả), else 3 or 8 (refused, stopped); None while it is still open;
* the result time: the first 9, else the first 10 (None for a refusal or a stop);
* the number of supplement requests (status 5 entries of the history);
* ``HoSoCoThanhPhanSoHoa``: a file attached, or a received component digitised;
* a received component reused from the warehouse or taken from the citizen's national store.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from app.core.dossier import Dossier, DossierStatus, StatusChange

_S = DossierStatus


def _first(history: Iterable[StatusChange], *statuses: DossierStatus) -> datetime | None:
    times = [h.at for h in history if h.status in statuses]
    return min(times) if times else None


def result_time(history: list[StatusChange]) -> datetime | None:
    return _first(history, _S.DONE) or _first(history, _S.RETURNED)


def end_time(history: list[StatusChange]) -> datetime | None:
    return result_time(history) or _first(history, _S.REJECTED, _S.STOPPED)


def supplement_count(history: list[StatusChange]) -> int:
    return sum(1 for h in history if h.status is _S.SUPPLEMENT_REQUESTED)


def has_digitised_component(dossier: Dossier) -> bool:
    return bool(dossier.attachments) or any(c.digitised for c in dossier.components if c.received)


def has_reused_component(dossier: Dossier) -> bool:
    return any(c.received and (c.reused_record_id is not None or c.from_warehouse)
               for c in dossier.components)

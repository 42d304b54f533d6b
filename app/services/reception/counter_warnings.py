"""Warnings before a dossier is received: nothing is refused, the officer decides.

* ``open_dossier``: the same person (CCCD) already has an open dossier of the same procedure
  (received, in processing, waiting for supplements or payment, or done and not yet collected):
  often a second visit about the same matter, not a new dossier.
* ``outside_hours``: the receipt time is outside the office hours (the setting
  ``calendar.office_hours``) or on a day that is not a working day of the office calendar: the
  appointment is then counted from the next working session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.core.calendar import WEEKDAY_NAMES_VI, WorkCalendar
from app.core.clock import vn_now
from app.core.dossier import DossierStatus
from app.services.admin.office import calendar_for_session
from app.services.context import AppContext
from app.store.repositories import EarlierDossierQuery

#: Statuses of a dossier still open at the counter.
OPEN_STATUSES = frozenset({DossierStatus.REGISTERED, DossierStatus.RECEIVED, DossierStatus.PROCESSING,
                           DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.PAYMENT_REQUESTED,
                           DossierStatus.DONE})
OPEN_DOSSIER = "open_dossier"
OUTSIDE_HOURS = "outside_hours"


@dataclass(frozen=True)
class CounterWarning:
    """One warning: ``kind`` (:data:`OPEN_DOSSIER`, :data:`OUTSIDE_HOURS`), the messages, and the
    earlier dossier's code for ``open_dossier``."""

    kind: str
    message_en: str
    message_vi: str
    dossier_code: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"kind": self.kind, "message": self.message_en, "message_vi": self.message_vi,
                "dossier_code": self.dossier_code}


def _in_session(calendar: WorkCalendar, moment: datetime) -> bool:
    if not calendar.is_working_day(moment.date()):
        return False
    now = moment.time()
    return any(start <= now < end for start, end in calendar.hours.sessions)


def _hours_text(calendar: WorkCalendar) -> str:
    return ", ".join(f"{s:%H:%M}–{e:%H:%M}" for s, e in calendar.hours.sessions)


def outside_hours_warning(calendar: WorkCalendar, moment: datetime) -> CounterWarning | None:
    """The ``outside_hours`` warning for a receipt at ``moment``, or None inside office hours."""
    if _in_session(calendar, moment):
        return None
    day = moment.date()
    if not calendar.is_working_day(day):
        reason = calendar.describe(day).reason
        return CounterWarning(
            OUTSIDE_HOURS,
            f"{day.isoformat()} is not a working day ({reason}): the appointment counts from the next "
            "working day",
            f"Ngày {day:%d/%m/%Y} ({WEEKDAY_NAMES_VI[day.weekday()]}) không phải ngày làm việc ({reason}): "
            "thời hạn giải quyết tính từ ngày làm việc tiếp theo.")
    return CounterWarning(
        OUTSIDE_HOURS,
        f"{moment:%H:%M} is outside office hours ({_hours_text(calendar)}): the appointment counts from "
        "the next working session",
        f"Tiếp nhận lúc {moment:%H:%M} là ngoài giờ làm việc ({_hours_text(calendar)}): thời hạn giải "
        "quyết tính từ buổi làm việc tiếp theo.")


def reception_warnings(ctx: AppContext, id_numbers: list[str], procedure_code: str,
                       received_at: datetime | None = None, *, exclude_code: str | None = None
                       ) -> list[CounterWarning]:
    """The warnings for receiving a dossier of ``procedure_code`` for the person with these ID
    numbers at ``received_at`` (default: now). ``exclude_code``: the dossier just received."""
    moment = (received_at or vn_now()).replace(second=0, microsecond=0)
    with ctx.session() as session:
        earlier = EarlierDossierQuery(session).same_person_and_procedure(
            id_numbers, procedure_code.strip(), statuses=[int(s) for s in OPEN_STATUSES], limit=2)
        calendar = calendar_for_session(session)
    warnings: list[CounterWarning] = []
    for found in (e for e in earlier if e.code != exclude_code):
        status = DossierStatus(found.status)
        warnings.append(CounterWarning(
            OPEN_DOSSIER,
            f"the same person already has an open dossier {found.code} of this procedure "
            f"(received {found.received_at:%Y-%m-%d %H:%M}, status {int(status)})",
            f"Người này đã có hồ sơ {found.code} của cùng thủ tục, tiếp nhận lúc "
            f"{found.received_at:%H:%M %d/%m/%Y}, đang ở trạng thái “{status.label_vi}”.",
            found.code))
        break  # the newest is enough to find the others
    hours = outside_hours_warning(calendar, moment)
    if hours is not None:
        warnings.append(hours)
    return warnings


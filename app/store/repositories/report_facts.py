"""Writing the per-dossier facts of the indicators (``dossier_report_facts``), for the lifecycle.

* :func:`keep_due_before_postponement`: call in the transaction of a postponement (Mẫu 04) with the
  due *before* it; only the first postponement is kept (later ones do not move it).
* :func:`shift_due_before_postponement`: call when a supplement pause moves the due by ``delta``, so
  the kept due moves with it (the pause is not the dossier's fault).
* :func:`set_paid_online`: ``DuocThanhToanTrucTuyen`` (1 national portal, 2 provincial gateway).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.store.models_reports import DossierReportFactsRow

_T = DossierReportFactsRow.__table__


def _ensure(session: Session, dossier_id: int) -> None:
    found = session.execute(select(_T.c.dossier_id).where(_T.c.dossier_id == dossier_id)).first()
    if found is None:
        session.execute(insert(_T).values(dossier_id=dossier_id, due_before_postponement=None, paid_online=0))


def keep_due_before_postponement(session: Session, dossier_id: int, due: datetime) -> None:
    _ensure(session, dossier_id)
    session.execute(update(_T).where(_T.c.dossier_id == dossier_id, _T.c.due_before_postponement.is_(None))
                    .values(due_before_postponement=due))


def shift_due_before_postponement(session: Session, dossier_id: int, delta: timedelta) -> None:
    row = session.execute(select(_T.c.due_before_postponement).where(_T.c.dossier_id == dossier_id)).first()
    if row is not None and row.due_before_postponement is not None:
        session.execute(update(_T).where(_T.c.dossier_id == dossier_id)
                        .values(due_before_postponement=row.due_before_postponement + delta))


def set_paid_online(session: Session, dossier_id: int, channel: int) -> None:
    if channel not in (0, 1, 2):
        raise ValueError(f"DuocThanhToanTrucTuyen is 0, 1 or 2, not {channel}")
    _ensure(session, dossier_id)
    session.execute(update(_T).where(_T.c.dossier_id == dossier_id).values(paid_online=channel))

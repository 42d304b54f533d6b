"""Models of the supervisors' reports (migration ``0012``).

* ``satisfaction_ratings``: a citizen's rating of the service (3 Rất hài lòng, 2 Hài lòng, 1 Không hài
  lòng, with an optional reason), one per dossier and service event (``receive``, ``supplement``,
  ``return``), rated on the citizen-facing screen or with ``motcua rate``.
* ``dossier_report_facts``: per-dossier facts the service-quality indicators need and the dossier row
  does not hold. ``due_before_postponement`` is the due before the first postponement (Mẫu 04): a
  postponement does not make a late dossier on time, so the indicators compare the end time with it
  when it is set (the lifecycle's postpone writes it once, keeping the earliest; a later supplement
  pause shifts it like the due itself). ``paid_online`` is ``DuocThanhToanTrucTuyen`` (0 not paid
  online, 1 on the national portal, 2 through a provincial or ministry payment gateway).

``app.store`` imports this module, so ``Base.metadata`` always includes these tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models import Base


class SatisfactionRow(Base):
    """One rating of one service event of a dossier."""

    __tablename__ = "satisfaction_ratings"
    __table_args__ = (UniqueConstraint("dossier_code", "event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dossier_code: Mapped[str] = mapped_column(String(64), index=True)
    event: Mapped[str] = mapped_column(String(16))
    level: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    officer: Mapped[str] = mapped_column(String(64))
    rated_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class DossierReportFactsRow(Base):
    """What the indicators need beyond the dossier row (absent row: no postponement, not paid online)."""

    __tablename__ = "dossier_report_facts"

    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True)
    due_before_postponement: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    paid_online: Mapped[int] = mapped_column(Integer, default=0)

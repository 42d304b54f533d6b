"""Fee payments recorded for a dossier (migration ``0014``).

``payments``: one row per payment or exemption. ``method``: ``cash``, ``transfer``,
``online-national``, ``online-provincial`` (paid through the national or provincial payment platform,
reported by the province) or ``exempt`` (``reason`` says why). ``receipt_no`` is the number of the
e-receipt (biên lai điện tử) issued by the office's provider. ``source``: ``counter`` or ``province``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models import Base


class PaymentRow(Base):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dossier_code: Mapped[str] = mapped_column(String(64), index=True)
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    method: Mapped[str] = mapped_column(String(32))
    receipt_no: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default="counter")
    officer: Mapped[str] = mapped_column(String(200), default="")
    paid_at: Mapped[datetime] = mapped_column(DateTime)

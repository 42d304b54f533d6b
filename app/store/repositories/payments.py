"""Fee payments of dossiers (``payments``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.store.models_fees import PaymentRow


@dataclass(frozen=True)
class Payment:
    dossier_code: str
    amount: int
    method: str
    paid_at: datetime
    receipt_no: str = ""
    reason: str = ""
    source: str = "counter"
    officer: str = ""


class PaymentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, p: Payment) -> None:
        self.session.execute(insert(PaymentRow).values(
            dossier_code=p.dossier_code, amount=p.amount, method=p.method, paid_at=p.paid_at,
            receipt_no=p.receipt_no, reason=p.reason, source=p.source, officer=p.officer))

    def for_dossier(self, code: str) -> list[Payment]:
        rows = self.session.scalars(
            select(PaymentRow).where(PaymentRow.dossier_code == code).order_by(PaymentRow.id)).all()
        return [Payment(r.dossier_code, r.amount, r.method, r.paid_at, r.receipt_no, r.reason, r.source,
                        r.officer) for r in rows]

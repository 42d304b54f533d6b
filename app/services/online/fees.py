"""Fees and their payment: what a dossier owes (its fee from the catalogue at reception), what was
paid, how (cash, transfer, the national or provincial payment platform) and against which
e-receipt (biên lai điện tử), or that it was waived with a reason. A fee-bearing dossier is not
returned while anything is owed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.core.clock import vn_now
from app.core.dossier import Dossier
from app.core.errors import InvalidTransitionError, ValidationError
from app.services.admin.auth import Officer
from app.services.context import AppContext
from app.store.repositories import AuditRepository, DossierRepository
from app.store.repositories.payments import Payment, PaymentRepository

METHODS = ("cash", "transfer", "online-national", "online-provincial", "exempt")
METHOD_LABELS_VI = {
    "cash": "Tiền mặt",
    "transfer": "Chuyển khoản",
    "online-national": "Thanh toán trực tuyến (Cổng Dịch vụ công quốc gia)",
    "online-provincial": "Thanh toán trực tuyến (hệ thống của tỉnh)",
    "exempt": "Miễn phí, lệ phí",
}
#: DuocThanhToanTrucTuyen of the national dossier sync: 1 national platform, 2 provincial.
ONLINE_FLAG = {"online-national": 1, "online-provincial": 2}
MAX_AMOUNT = 10**12


@dataclass(frozen=True)
class FeeState:
    code: str
    fee: int
    paid_amount: int
    exempt: bool
    online: int  # DuocThanhToanTrucTuyen
    payments: tuple[Payment, ...] = ()

    @property
    def due_amount(self) -> int:
        return 0 if self.exempt else max(0, self.fee - self.paid_amount)

    @property
    def paid(self) -> bool:
        return self.due_amount == 0

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "paid": self.paid, "due_amount": self.due_amount}


def fee_state_in(session: Session, dossier: Dossier) -> FeeState:
    payments = tuple(PaymentRepository(session).for_dossier(dossier.code))
    online = next((ONLINE_FLAG[p.method] for p in payments if p.method in ONLINE_FLAG), 0)
    return FeeState(
        code=dossier.code,
        fee=int(dossier.fee_vnd or 0),
        paid_amount=sum(p.amount for p in payments if p.method != "exempt"),
        exempt=any(p.method == "exempt" for p in payments),
        online=online,
        payments=payments,
    )


def fee_state(ctx: AppContext, code: str) -> FeeState:
    with ctx.session() as session:
        return fee_state_in(session, DossierRepository(session).get(code))


def require_paid(session: Session, dossier: Dossier) -> None:
    """Refuse the return of a fee-bearing dossier while something is owed (not waived)."""
    state = fee_state_in(session, dossier)
    if not state.paid:
        raise InvalidTransitionError(
            f"dossier {dossier.code} still owes {state.due_amount} VND of fees: record the payment "
            "(or the exemption with its reason) before returning the result",
            f"Hồ sơ {dossier.code} chưa nộp đủ phí, lệ phí (còn {state.due_amount:,} đồng)".replace(",", ".")
            + ": hãy ghi nhận thanh toán (hoặc miễn, kèm lý do) trước khi trả kết quả.")


def _clean(method: str, amount: int, receipt_no: str, reason: str) -> tuple[str, str]:
    if method not in METHODS:
        raise ValidationError(f"unknown payment method {method!r} ({', '.join(METHODS)})",
                              f"Hình thức thanh toán “{method}” không hợp lệ.", field="method")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= MAX_AMOUNT:
        raise ValidationError("the amount must be a whole number of đồng, 0 or more",
                              "Số tiền phải là số đồng nguyên, không âm.", field="amount")
    receipt = " ".join((receipt_no or "").split())
    why = " ".join((reason or "").split())
    if len(receipt) > 64:
        raise ValidationError("the receipt number is longer than 64 characters",
                              "Số biên lai dài quá 64 ký tự.", field="receipt_no")
    if method == "exempt" and not why:
        raise ValidationError("an exemption needs a reason", "Miễn phí, lệ phí phải ghi rõ lý do.",
                              field="reason")
    if method != "exempt" and amount == 0:
        raise ValidationError("a payment needs an amount above 0", "Số tiền thanh toán phải lớn hơn 0.",
                              field="amount")
    return receipt, why


def record_payment(session: Session, dossier: Dossier, amount: int, method: str, *, receipt_no: str = "",
                   reason: str = "", officer: str = "", source: str = "counter",
                   at: datetime | None = None) -> FeeState:
    """Record a payment inside the caller's transaction (the audit row included)."""
    receipt, why = _clean(method, amount, receipt_no, reason)
    moment = (at or vn_now()).replace(microsecond=0)
    payment = Payment(dossier.code, amount, method, moment, receipt, why, source, officer)
    PaymentRepository(session).add(payment)
    details: dict[str, Any] = {"amount": amount, "method": method, "source": source}
    if receipt:
        details["receipt_no"] = receipt
    if why:
        details["reason"] = why
    AuditRepository(session).append(officer or source, "fee_payment", dossier_code=dossier.code,
                                    details=details)
    return fee_state_in(session, dossier)


def pay(ctx: AppContext, code: str, amount: int, method: str, officer: Officer, *, receipt_no: str = "",
        reason: str = "", at: datetime | None = None) -> FeeState:
    """The officer records a payment (or an exemption) of ``code``'s fee."""
    with ctx.session(write=True) as session:
        dossier = DossierRepository(session).get(code)
        return record_payment(session, dossier, amount, method, receipt_no=receipt_no, reason=reason,
                              officer=officer.full_name, at=at)

"""Text at the door: what the counter accepts in a dossier's free-text fields.

Every text field is cleaned when it arrives (:func:`app.core.text.clean_text`: Unicode NFC, no
terminal escapes, no control characters) and held to the sync protocol's length limits
(:mod:`app.core.limits`), so that a dossier the province would refuse is refused here, while the
applicant is still at the counter, and nothing stored can steer a terminal.
"""

from __future__ import annotations

from dataclasses import replace

from app.core import limits
from app.core.applicant import Applicant
from app.core.errors import ValidationError
from app.core.text import clean_text

# field, limit, Vietnamese label
APPLICANT_LIMITS = (
    ("full_name", limits.APPLICANT_NAME_MAX, "Họ và tên"),
    ("address", limits.ADDRESS_MAX, "Địa chỉ"),
    ("id_number", limits.ID_NUMBER_MAX, "Số CCCD"),
    ("old_id_number", limits.ID_NUMBER_MAX, "Số CMND"),
    ("tax_code", limits.ID_NUMBER_MAX, "Mã số thuế"),
    ("phone", limits.PHONE_MAX, "Số điện thoại"),
    ("email", limits.EMAIL_MAX, "Thư điện tử"),
    ("qr_raw", limits.TEXT_MAX, "Nội dung mã QR"),
)


def clean_applicant(a: Applicant) -> Applicant:
    """The applicant with every text field cleaned (see the module)."""
    return replace(a, **{name: clean_text(getattr(a, name)) for name, _limit, _label in APPLICANT_LIMITS
                         if isinstance(getattr(a, name), str)})


def applicant_limit_errors(a: Applicant) -> list[ValidationError]:
    return [e for e in (_too_long(getattr(a, name), limit, name, label)
                        for name, limit, label in APPLICANT_LIMITS) if e is not None]


def _too_long(value: object, limit: int, field: str, label_vi: str) -> ValidationError | None:
    try:
        limits.check_length(value if isinstance(value, str) else None, limit, field, label_vi)
    except ValidationError as exc:
        return exc
    return None


def text_limit_errors(items: list[tuple[str, int, str, str]]) -> list[ValidationError]:
    """``(value, limit, field, label_vi)`` each checked against its limit."""
    return [e for e in (_too_long(v, lim, f, lab) for v, lim, f, lab in items) if e is not None]

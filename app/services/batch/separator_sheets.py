"""Separator sheets of a batch: the result type a sheet names, printing sheets and checking a result code."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from app.core.errors import ValidationError

logger = logging.getLogger(__name__)


def result_type_name(code: str) -> str | None:
    """The name of the result type ``code`` in the bundled catalogue (``None`` when unknown)."""
    from app.core.catalogue import load_catalogue

    for procedure in load_catalogue():
        for result in procedure.results:
            if result.code == code:
                return result.name
    return None


@dataclass(frozen=True)
class SeparatorSheets:
    pdf: bytes
    payload: str
    result_code: str | None
    type_name: str | None
    count: int


def separator_sheets(result_code: str | None = None, count: int = 1,
                     record: str | None = None) -> SeparatorSheets:
    """``count`` A4 separator sheets (optionally for one result type or record), as a PDF."""
    from app.core.separator import SeparatorPayload, format_separator
    from app.documents.separator import render_separator_pdf

    if not 1 <= count <= 1000:
        raise ValidationError(f"count must be 1-1000, got {count}", "Số tờ phải từ 1 đến 1000.",
                              field="count")
    code = validate_result_code(result_code) if result_code else None
    name = result_type_name(code) if code else None
    payload = format_separator(SeparatorPayload(code, record or None))
    pdf = render_separator_pdf(code, name or "", count, record or None)
    return SeparatorSheets(pdf, payload, code, name, count)


def validate_result_code(code: str) -> str:
    """A result code (MaKetQua) as printed on separators: letters, digits, ``.``, ``-``, ``_``."""
    text = (code or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}", text):
        raise ValidationError(f"invalid result code {code!r}", f"Mã kết quả “{code}” không hợp lệ.",
                              field="type")
    return text

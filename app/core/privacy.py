"""Masking personal identifiers in text that leaves the database: logs and diagnostics.

What is masked, wherever it appears in a text:

* runs of 9 to 13 digits (CCCD 12, CMND 9, phone 10-11, with ``+84`` too), also written with
  spaces, dots or dashes between groups: the first digits (3 or 4) and the last 2 stay, so
  ``079190001234`` becomes ``0791******34`` and an officer can still tell two records apart;
* e-mail addresses: the first character of the local part stays (``h***@example.com``);
* anything shaped like a generated recovery secret (``ABCD-EFGH-JKLM-NPQR-STUV-WXYZ``): code never
  logs one, this is the safety net.

Names and addresses cannot be recognised reliably in free text; the rule for them is that code
never logs them. SQL parameters are hidden from error messages by the store (``hide_parameters``)
for the same reason, and the row values PostgreSQL repeats in a constraint error's ``DETAIL`` line
are removed here.
"""

from __future__ import annotations

import re

MASK = "*"
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![0-9A-Za-z+])", r"(?![0-9A-Za-z])"
# 9-13 digits in a row, or a phone number written in groups ("0912 345 678", "+84 912.345.678").
_DIGIT_RUN = re.compile(_EDGE_BEFORE + r"(?:(\+84)[ .-]?\d{2,3}(?:[ .-]?\d{2,4}){2,3}"
                        r"|0\d{2,3}(?:[ .-]\d{2,4}){2,3}|\d{9,13})" + _EDGE_AFTER)
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-])[\w.+-]{0,63}@([\w-]+(?:\.[\w-]+)+)")
# A recovery secret as app.store.data_key.generate_secret makes it: 6 groups of 4 of A-Z (no I, O) and 2-9.
_RECOVERY_SECRET = re.compile(r"(?<![0-9A-Za-z-])[A-HJ-NP-Z2-9]{4}(?:-[A-HJ-NP-Z2-9]{4}){5}(?![0-9A-Za-z-])")
SECRET_MASK = "-".join([MASK * 4] * 6)
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\]\n?(?=\(Background|$|\n)", re.DOTALL)
# PostgreSQL repeats the row's values in some errors: "DETAIL:  Failing row contains (...)",
# "DETAIL:  Key (id_number)=(0791...) already exists."
_PG_ROW_DETAIL = re.compile(r"((?:DETAIL|CHI TIẾT):\s+)(?:Failing row contains|Key) .*")


def mask_digits(digits: str) -> str:
    """``0791******34`` for a 12-digit number; 3 leading digits stay for 9-digit ones."""
    head = 4 if len(digits) >= 10 else 3
    return digits[:head] + MASK * (len(digits) - head - 2) + digits[-2:]


def _mask_number(match: re.Match[str]) -> str:
    prefix = match.group(1) or ""
    digits = re.sub(r"\D", "", match.group(0)[len(prefix):])
    if not 9 - len(prefix) // 3 <= len(digits) <= 13:  # grouped digits that are not a number we know
        return match.group(0)
    return prefix + mask_digits(digits)


def mask_personal_data(text: str) -> str:
    """``text`` with identity numbers, phone numbers and e-mail addresses masked."""
    if not text:
        return text
    text = _SQL_PARAMETERS.sub("[parameters hidden]", text)
    text = _PG_ROW_DETAIL.sub(r"\1[row values hidden]", text)
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    text = _RECOVERY_SECRET.sub(SECRET_MASK, text)
    return _DIGIT_RUN.sub(_mask_number, text)

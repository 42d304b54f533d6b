"""The QR code printed on the chip-based citizen identity card (thẻ Căn cước công dân, CCCD).

The payload is one line of seven fields separated by ``|``: the 12-digit CCCD number, the old
9-digit CMND number (or empty), the full name, the birth date ``DDMMYYYY``, the sex ``Nam``/``Nữ``,
the permanent address and the issue date ``DDMMYYYY``::

    001090123456|012345678|NGUYEN VAN A|01011990|Nam|Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh|15042021

Scanners and cards are not all alike, so :func:`parse_cccd_qr` is tolerant:

* surrounding white space, a trailing CR/LF and a byte-order mark are ignored;
* the text is normalised to NFC (a keyboard-wedge scanner may type NFD-decomposed Vietnamese);
* the old CMND field may be empty; a layout with no old-ID field at all
  (``id|name|birth|sex|address|issue``) is recognised too;
* 6 fields (no issue date) are accepted;
* more than 7 fields (an address containing ``|``) are accepted: the issue date is the last
  8-digit date field, the fields between the sex and that date are joined back into the address
  with ``", "``, and anything after the issue date is ignored (it stays in ``raw``);
* the sex may be written ``Nam``/``Nữ`` in any case, with or without diacritics (``NU``, ``Nu``);
* dates are 8 digits (``DDMMYYYY``); ``DD/MM/YYYY``, ``DD.MM.YYYY`` and ``DD-MM-YYYY`` are accepted.

Everything else raises :class:`ValidationError` with a Vietnamese message for the officer. The
payload is kept verbatim in :attr:`CccdQr.raw` for audit.

The consistency of the CCCD number with the birth date and sex (its 4th to 6th digits) is *not*
checked here: that is :func:`app.core.applicant_rules.check_cccd`, run by ``validate_applicant``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from app.core.applicant import Applicant, ApplicantKind, Sex
from app.core.errors import ValidationError
from app.core.text import fold

_ID_RE = re.compile(r"[0-9]{12}")
_OLD_ID_RE = re.compile(r"(?:[0-9]{9}|[0-9]{12})?")
_DIGITS_RE = re.compile(r"[0-9]+")
# DDMMYYYY, optionally with one kind of separator: 01011990, 01/01/1990, 01.01.1990, 01-01-1990.
_DATE_RE = re.compile(r"([0-9]{2})([/.-]?)([0-9]{2})\2([0-9]{4})")

# A whole payload somewhere in a text (a keyboard wedge may type it after text already in a field).
# No look-behind before the CCCD number: if the field already ended in digits, the number is the
# last 12 digits before the first "|".
_F = r"[^|\r\n]"
_D = r"[0-9]{2}[/.-]?[0-9]{2}[/.-]?[0-9]{4}"
_PAYLOAD_RE = re.compile(
    rf"[0-9]{{12}}\|"
    rf"(?:(?:[0-9]{{9}}|[0-9]{{12}})?\|{_F}*\|{_D}\|{_F}{{1,12}}\|"  # standard: id|old|name|birth|sex|...
    rf"|{_F}*[^|\r\n0-9]{_F}*\|{_D}\|{_F}{{1,12}}\|)"  # no old-ID field: id|name|birth|sex|...
    rf"[^\r\n]*"
)
_STRIP_CHARS = "\ufeff\u200b\x00"
_MIN_FIELDS = 6


@dataclass(frozen=True)
class CccdQr:
    """The fields of a CCCD QR code; ``raw`` is the payload exactly as it was given."""

    id_number: str
    old_id_number: str
    full_name: str
    birth_date: date
    sex: Sex
    address: str
    id_issue_date: date | None
    raw: str


def _clean(text: str) -> str:
    """Strip white space, BOMs and zero-width spaces at both ends."""
    while True:
        cleaned = text.strip().strip(_STRIP_CHARS)
        if cleaned == text:
            return cleaned
        text = cleaned


def _not_cccd(reason_en: str, reason_vi: str, field: str | None) -> ValidationError:
    return ValidationError(
        f"not a CCCD QR code: {reason_en}",
        f"Mã QR không phải của thẻ CCCD: {reason_vi}",
        field,
    )


def _shorten(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _parse_date(value: str, field: str, label_en: str, label_vi: str) -> date:
    match = _DATE_RE.fullmatch(value)
    if match is None:
        raise ValidationError(
            f"{label_en} in the CCCD QR code must be 8 digits DDMMYYYY, got {value!r}",
            f"{label_vi} trong mã QR CCCD không hợp lệ: “{_shorten(value)}” "
            "(cần 8 chữ số theo dạng ngày-tháng-năm, ví dụ 01011990).",
            field,
        )
    day, _sep, month, year = match.groups()
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValidationError(
            f"{label_en} in the CCCD QR code is not a real date: {value!r}",
            f"{label_vi} trong mã QR CCCD không phải là ngày có thật: “{value}”.",
            field,
        ) from None


def parse_sex(value: str) -> Sex | None:
    """``Sex`` for "Nam"/"Nữ" written in any case, with or without diacritics, NFC or NFD."""
    folded = fold(value)
    if folded == "nam":
        return Sex.MALE
    if folded == "nu":
        return Sex.FEMALE
    return None


def parse_cccd_qr(payload: str) -> CccdQr:
    """Parse the QR payload of a CCCD card; raise :class:`ValidationError` when it is not one."""
    text = unicodedata.normalize("NFC", _clean(payload))
    if not text:
        raise ValidationError("the CCCD QR code is empty", "Mã QR trống, không có dữ liệu.", None)
    fields = [f.strip() for f in text.split("|")]
    if not _ID_RE.fullmatch(fields[0]):
        raise _not_cccd(
            f"the CCCD number must be 12 digits, got {_shorten(fields[0])!r}",
            "số CCCD phải gồm 12 chữ số.",
            "id_number",
        )
    if len(fields) < _MIN_FIELDS - 1:
        raise _not_cccd(
            f"at least {_MIN_FIELDS} fields separated by '|' are needed, got {len(fields)}",
            f"cần ít nhất {_MIN_FIELDS} trường phân tách bởi dấu “|”, chỉ có {len(fields)}.",
            None,
        )
    if (
        not _OLD_ID_RE.fullmatch(fields[1])
        and not _DIGITS_RE.fullmatch(fields[1])
        and _DATE_RE.fullmatch(fields[2])
    ):
        # A layout without the old-ID field: id|name|birth|sex|address[|issue].
        fields.insert(1, "")
    if len(fields) < _MIN_FIELDS:
        raise _not_cccd(
            f"at least {_MIN_FIELDS} fields separated by '|' are needed, got {len(fields)}",
            f"cần ít nhất {_MIN_FIELDS} trường phân tách bởi dấu “|”, chỉ có {len(fields)}.",
            None,
        )
    id_number, old_id, full_name, birth_text, sex_text = fields[:5]
    if not _OLD_ID_RE.fullmatch(old_id):
        raise ValidationError(
            f"the old CMND number in the CCCD QR code must be 9 digits or empty, got {_shorten(old_id)!r}",
            f"Số CMND cũ trong mã QR CCCD phải gồm 9 chữ số (hoặc để trống), nhận được “{_shorten(old_id)}”.",
            "old_id_number",
        )
    if not full_name:
        raise ValidationError(
            "the CCCD QR code has no full name", "Mã QR CCCD không có họ và tên.", "full_name"
        )
    birth_date = _parse_date(birth_text, "birth_date", "birth date", "Ngày sinh")
    sex = parse_sex(sex_text)
    if sex is None:
        raise ValidationError(
            f"the sex in the CCCD QR code must be 'Nam' or 'Nữ', got {_shorten(sex_text)!r}",
            f"Giới tính trong mã QR CCCD phải là “Nam” hoặc “Nữ”, nhận được “{_shorten(sex_text)}”.",
            "sex",
        )
    rest = fields[5:]  # address parts, then the issue date when present, then anything else
    issue_at = next(
        (i for i in range(len(rest) - 1, 0, -1) if _DATE_RE.fullmatch(rest[i])), None
    )
    issue_date: date | None = None
    if issue_at is None:
        address_parts = rest
        last = next((part for part in reversed(rest[1:]) if part), "")
        if _DIGITS_RE.fullmatch(last):
            # Digits where the issue date should be, but not a date: a damaged code.
            _parse_date(last, "id_issue_date", "issue date", "Ngày cấp")
    else:
        address_parts = rest[:issue_at]
        issue_date = _parse_date(rest[issue_at], "id_issue_date", "issue date", "Ngày cấp")
    address = ", ".join(part for part in address_parts if part)
    return CccdQr(
        id_number=id_number,
        old_id_number=old_id,
        full_name=full_name,
        birth_date=birth_date,
        sex=sex,
        address=address,
        id_issue_date=issue_date,
        raw=payload,
    )


def extract_cccd_qr(text: str) -> str | None:
    """The first CCCD QR payload found in ``text`` (which may have other text before it), or None.

    The payload runs to the end of its line; surrounding white space is removed, the text is
    otherwise returned as typed (not normalised). This is a shape check only: pass the result to
    :func:`parse_cccd_qr` to validate the fields.
    """
    match = _PAYLOAD_RE.search(text)
    if match is None:
        return None
    payload = _clean(match.group(0))
    return payload or None


def looks_like_cccd_qr(text: str) -> bool:
    """Cheap check that ``text`` contains a whole CCCD QR payload (keyboard-wedge detection)."""
    if "|" not in text:
        return False
    return extract_cccd_qr(text) is not None


def applicant_from_qr(qr: CccdQr) -> Applicant:
    """A person applicant filled from the card; the raw payload is kept for audit."""
    return Applicant(
        full_name=qr.full_name,
        kind=ApplicantKind.PERSON,
        id_number=qr.id_number,
        old_id_number=qr.old_id_number,
        birth_date=qr.birth_date,
        sex=qr.sex,
        address=qr.address,
        id_issue_date=qr.id_issue_date,
        qr_raw=qr.raw,
    )

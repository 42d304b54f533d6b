"""The e-data warehouse (kho dữ liệu điện tử): digitised results (kết quả đã số hoá) by owner.

A :class:`ResultRecord` is one digitised document: its type (a result code of the catalogue, e.g.
``KQ.G15.000031`` Giấy khai sinh), number and symbol (số, ký hiệu), issue date, issuing agency,
signer, owner (name and the identifiers CCCD, old CMND, tax code), validity, and the stored PDF
(by SHA-256). Pure data and rules; storage is ``app.store.repositories.warehouse``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from app.core.dates import parse_date_vi
from app.core.errors import ValidationError
from app.core.text import fold

CCCD_RE = re.compile(r"[0-9]{12}")
CMND_RE = re.compile(r"[0-9]{9}")
TAX_CODE_RE = re.compile(r"[0-9]{10}(?:-[0-9]{3})?")
MAX_TEXT = 500
MAX_NUMBER = 64


class Validity(StrEnum):
    """Còn hiệu lực (no end), còn hiệu lực đến một ngày, hết hiệu lực."""

    VALID = "valid"
    UNTIL = "until"
    EXPIRED = "expired"


class SourceKind(StrEnum):
    """Where a record came from."""

    MANUAL = "manual"  # added one by one (CLI, the metadata form)
    BATCH = "batch"  # an archive batch (``source_ref`` = "<batch name>#<document number>")
    DOSSIER = "dossier"  # a component scanned into a dossier (``source_ref`` = "<code>#TP01")
    RESULT = "result"  # the result of a dossier handed back (``source_ref`` = dossier code)


class OwnerIdKind(StrEnum):
    CCCD = "cccd"
    CMND = "cmnd"
    TAX_CODE = "tax_code"


def classify_owner_id(value: str) -> OwnerIdKind | None:
    """12 digits: CCCD; 9 digits: old CMND; 10 digits (or 10-3 for a branch): tax code."""
    value = (value or "").strip().replace(" ", "")
    if CCCD_RE.fullmatch(value):
        return OwnerIdKind.CCCD
    if CMND_RE.fullmatch(value):
        return OwnerIdKind.CMND
    if TAX_CODE_RE.fullmatch(value):
        return OwnerIdKind.TAX_CODE
    return None


parse_day_vi = parse_date_vi  # the name the warehouse forms and CLI use


def number_key(number: str, symbol: str = "") -> str:
    """Number and symbol compared for duplicates: folded, without spaces (``12 / QĐ-UBND`` and
    ``12/qd-ubnd`` are the same)."""
    joined = f"{number}/{symbol}" if symbol.strip() else number
    return re.sub(r"\s+", "", fold(joined))


@dataclass(frozen=True)
class ResultMetadata:
    """What the clerk types about a document (see the module docstring)."""

    type_code: str
    type_name: str = ""
    number: str = ""
    symbol: str = ""
    issued_on: date | None = None
    issuer: str = ""
    signer: str = ""
    owner_name: str = ""
    owner_id_number: str = ""  # CCCD, 12 digits
    owner_old_id_number: str = ""  # CMND, 9 digits
    owner_tax_code: str = ""
    validity: Validity = Validity.VALID
    valid_until: date | None = None

    @property
    def owner_ids(self) -> tuple[str, ...]:
        return tuple(x for x in (self.owner_id_number, self.owner_old_id_number, self.owner_tax_code) if x)

    @property
    def owner_identity(self) -> str:
        """The strongest identifier: CCCD, else CMND, else tax code."""
        return self.owner_id_number or self.owner_old_id_number or self.owner_tax_code

    @property
    def number_text(self) -> str:
        """``12/QĐ-UBND`` (number and symbol as printed after "Số:")."""
        return f"{self.number}/{self.symbol}" if self.symbol and self.number else self.number or self.symbol

    def duplicate_key(self) -> str | None:
        """Same owner + type + number: the same document. None without a number."""
        key = number_key(self.number, self.symbol)
        if not self.number.strip() or not self.owner_identity:
            return None
        return f"{self.type_code}|{self.owner_identity}|{key}"

    def is_valid_on(self, day: date) -> bool:
        if self.validity is Validity.EXPIRED:
            return False
        if self.validity is Validity.UNTIL:
            return self.valid_until is not None and self.valid_until >= day
        return True

    def validity_vi(self) -> str:
        if self.validity is Validity.EXPIRED:
            return "Hết hiệu lực"
        if self.validity is Validity.UNTIL and self.valid_until is not None:
            return f"Còn hiệu lực đến {self.valid_until:%d/%m/%Y}"
        return "Còn hiệu lực"


@dataclass(frozen=True)
class ResultRecord:
    """A stored record: the metadata, the PDF (SHA-256), where it came from, who added it."""

    id: int
    record_id: str  # public id, e.g. "KHO-3F2A9C01B7D4": what a reused component refers to
    metadata: ResultMetadata
    sha256: str
    size: int
    pages: int
    media_type: str
    source_kind: SourceKind
    source_ref: str
    created_by: str
    created_at: datetime

    def label_vi(self) -> str:
        """``Giấy khai sinh số 12/2019``."""
        m = self.metadata
        name = m.type_name or m.type_code or "Tài liệu"
        return f"{name} số {m.number_text}" if m.number_text else name


@dataclass(frozen=True)
class DuplicateInfo:
    """Why a new record is a duplicate of ``record``: ``"file"`` (same PDF) or ``"number"``."""

    reason: str
    record: ResultRecord


_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_TEXTS = (("type_name", "Tên loại giấy tờ"), ("number", "Số"), ("symbol", "Ký hiệu"),
          ("issuer", "Cơ quan cấp"), ("signer", "Người ký"), ("owner_name", "Họ tên chủ sở hữu"))


def validate_metadata(m: ResultMetadata, *, today: date) -> list[ValidationError]:
    """Every problem of ``m`` (empty = it can be stored), with Vietnamese messages and ``field``."""
    errors: list[ValidationError] = []

    def err(field_name: str, en: str, vi: str) -> None:
        errors.append(ValidationError(en, vi, field=field_name))

    if not m.type_code.strip():
        err("type_code", "the document type (result code) is required",
            "Chưa chọn loại giấy tờ (mã kết quả).")
    if not m.owner_name.strip():
        err("owner_name", "the owner's name is required", "Chưa nhập họ tên chủ sở hữu giấy tờ.")
    if not m.owner_ids:
        err("owner_id_number", "at least one owner identifier (CCCD, CMND or tax code) is required",
            "Cần ít nhất một số định danh của chủ sở hữu: số CCCD, số CMND hoặc mã số thuế.")
    if m.owner_id_number and not CCCD_RE.fullmatch(m.owner_id_number):
        err("owner_id_number", f"CCCD must be 12 digits, got {m.owner_id_number!r}",
            f"Số CCCD phải gồm 12 chữ số (đang là “{m.owner_id_number}”).")
    if m.owner_old_id_number and not CMND_RE.fullmatch(m.owner_old_id_number):
        err("owner_old_id_number", f"CMND must be 9 digits, got {m.owner_old_id_number!r}",
            f"Số CMND phải gồm 9 chữ số (đang là “{m.owner_old_id_number}”).")
    if m.owner_tax_code and not TAX_CODE_RE.fullmatch(m.owner_tax_code):
        err("owner_tax_code", f"tax code must be 10 digits (or 10-3), got {m.owner_tax_code!r}",
            f"Mã số thuế phải gồm 10 chữ số, hoặc 10 chữ số-3 chữ số (đang là “{m.owner_tax_code}”).")
    for name, label in _TEXTS:
        value = getattr(m, name)
        limit = MAX_NUMBER if name in ("number", "symbol") else MAX_TEXT
        if len(value) > limit:
            err(name, f"{name} is longer than {limit} characters", f"{label} dài quá {limit} ký tự.")
        if _CONTROL_RE.search(value):
            err(name, f"{name} contains control characters", f"{label} chứa ký tự không hợp lệ.")
    if m.issued_on is not None:
        if m.issued_on > today:
            err("issued_on", f"the issue date {m.issued_on:%Y-%m-%d} is in the future",
                f"Ngày cấp {m.issued_on:%d/%m/%Y} là ngày trong tương lai.")
        elif m.issued_on.year < 1900:
            err("issued_on", f"the issue date {m.issued_on:%Y-%m-%d} is before 1900",
                f"Ngày cấp {m.issued_on:%d/%m/%Y} không hợp lệ (trước năm 1900).")
    if m.validity is Validity.UNTIL and m.valid_until is None:
        err("valid_until", "validity 'until' needs the end date",
            "Chọn “còn hiệu lực đến” thì phải nhập ngày hết hiệu lực.")
    if m.valid_until is not None and m.issued_on is not None and m.valid_until < m.issued_on:
        err("valid_until", "the end of validity is before the issue date",
            f"Ngày hết hiệu lực {m.valid_until:%d/%m/%Y} trước ngày cấp {m.issued_on:%d/%m/%Y}.")
    return errors

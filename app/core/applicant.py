"""Applicants (chủ hồ sơ): a person identified by CCCD / CMND, or an organisation by tax code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class ApplicantKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class Sex(StrEnum):
    MALE = "Nam"
    FEMALE = "Nữ"


@dataclass(frozen=True)
class Applicant:
    """The owner of a dossier. For a person ``id_number`` is the 12-digit CCCD (or empty when only
    the 9-digit CMND ``old_id_number`` is known); for an organisation ``tax_code`` identifies it and
    ``full_name`` holds the organisation's name."""

    full_name: str
    kind: ApplicantKind = ApplicantKind.PERSON
    id_number: str = ""
    old_id_number: str = ""
    birth_date: date | None = None
    sex: Sex | None = None
    address: str = ""
    phone: str = ""
    email: str = ""
    id_issue_date: date | None = None
    tax_code: str = ""
    qr_raw: str = ""  # the CCCD QR payload exactly as scanned, kept for audit

    @property
    def identity(self) -> str:
        """The strongest identifier: CCCD, else CMND, else tax code."""
        return self.id_number or self.old_id_number or self.tax_code

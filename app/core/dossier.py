"""Dossiers (hồ sơ), their national status codes and the allowed status transitions.

The transitions are derived from the action table of :mod:`app.core.lifecycle` (status changes
only: a postponement keeps the status and is not a transition)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Any

from app.core.applicant import Applicant
from app.core.errors import InvalidTransitionError
from app.core.lifecycle import derived_transitions
from app.core.status import STATUS_LABELS_VI, DossierStatus

__all__ = ["ALLOWED_TRANSITIONS", "FINAL_STATUSES", "STATUS_LABELS_VI", "Attachment", "Channel", "Delivery",
           "Dossier", "DossierStatus", "ReceivedComponent", "StatusChange", "SupplementRequest",
           "check_transition"]


ALLOWED_TRANSITIONS: dict[DossierStatus, frozenset[DossierStatus]] = derived_transitions()
#: Statuses a dossier ends in: reached by an action, left by none. (6, a financial obligation, is
#: set by the province only; the counter has no action on it.)
FINAL_STATUSES = frozenset(s for s, targets in ALLOWED_TRANSITIONS.items()
                           if not targets and any(s in t for t in ALLOWED_TRANSITIONS.values()))


def check_transition(current: DossierStatus, target: DossierStatus) -> None:
    """Raise :class:`InvalidTransitionError` unless ``current`` may move to ``target``."""
    if target not in ALLOWED_TRANSITIONS[current]:
        raise InvalidTransitionError(
            f"status {int(current)} -> {int(target)} is not allowed",
            f"Không thể chuyển hồ sơ từ trạng thái “{current.label_vi}” sang “{target.label_vi}”.",
        )


class Channel(IntEnum):
    """KenhThucHien."""

    DIRECT = 1  # Trực tiếp
    ONLINE = 2  # Trực tuyến
    POSTAL = 3  # Qua bưu chính công ích


class Delivery(IntEnum):
    """HinhThuc: where the result is handed over."""

    COUNTER = 0  # Tại Bộ phận Một cửa
    POST = 1  # Qua dịch vụ bưu chính


@dataclass
class ReceivedComponent:
    """A component as received at the counter: paper counts, and where a digital copy came from."""

    index: int  # position in the procedure's component list
    name: str
    received: bool = True
    originals: int = 0
    certified_copies: int = 0
    photocopies: int = 0
    note: str = ""
    digitised: bool = False  # DuocSoHoa
    reused_record_id: str | None = None  # the warehouse record reused (DuocTaiSuDung)
    from_warehouse: bool = False  # DuocLayTuKhoDMQG
    replaced_result_code: str | None = None  # MaKetQuaThayThe


@dataclass
class Attachment:
    """A stored file (scan, signed PDF) attached to a dossier, addressed by SHA-256."""

    sha256: str
    file_name: str
    media_type: str
    size: int
    component_index: int | None = None
    pages: int = 0
    signed: bool = False
    created_at: datetime | None = None


@dataclass
class SupplementRequest:
    """A request to complete the dossier (Mẫu 02); ``id`` is its HoSoBoSungId. When the supplement
    comes in, ``completed_at``, ``received_by`` and the two appointments (NgayHenTraTruoc,
    NgayHenTraMoi) are filled in. ``sequence`` > 1 marks a repeated request (counted late)."""

    requested_at: datetime
    reason: str
    items: list[str] = field(default_factory=list)
    officer: str = ""
    completed_at: datetime | None = None
    id: str = ""
    sequence: int = 1
    received_by: str = ""
    previous_due_at: datetime | None = None
    new_due_at: datetime | None = None


@dataclass
class StatusChange:
    """One step of the dossier's life: ``action`` (an :class:`app.core.lifecycle.Action` value, empty
    for entries written before actions were recorded), who, when, on which station, why, and the
    appointment before and after the step where it changed. ``details`` holds what is particular to
    the action (the unit handed over to, the items asked for, the collector's identity...)."""

    at: datetime
    status: DossierStatus
    officer: str = ""
    note: str = ""
    action: str = ""
    reason: str = ""
    station: str = ""
    due_at: datetime | None = None
    previous_due_at: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RegisterEntry:
    """A dossier's line in the agency's register book (Sổ theo dõi hồ sơ): one book per agency and
    year, numbered from 1; ``book`` is the "Quyển số" printed, ``seq`` the "Số thứ tự"."""

    agency: str
    year: int
    book: str
    seq: int


@dataclass
class Dossier:
    """A dossier received at the counter."""

    code: str
    procedure_code: str
    procedure_name: str
    applicant: Applicant
    received_at: datetime
    due_at: datetime
    channel: Channel = Channel.DIRECT
    status: DossierStatus = DossierStatus.RECEIVED
    components: list[ReceivedComponent] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    officer: str = ""
    supplements: list[SupplementRequest] = field(default_factory=list)
    delivery: Delivery = Delivery.COUNTER
    delivery_address: str = ""
    fee_vnd: int = 0
    form_set: str = "TT01-2018"  # the legal form set the dossier was received under
    sets_count: int = 1  # Số lượng hồ sơ (bộ)
    returned_at: datetime | None = None
    returned_to: str = ""
    history: list[StatusChange] = field(default_factory=list)
    id: int | None = None
    register: RegisterEntry | None = None  # its line in the register book (Mẫu 01 prints it)

    def move_to(self, target: DossierStatus, at: datetime, officer: str = "", note: str = "") -> None:
        """Change status if the national status model allows it, recording the change."""
        check_transition(self.status, target)
        self.status = target
        self.history.append(StatusChange(at=at, status=target, officer=officer, note=note))

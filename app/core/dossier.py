"""Dossiers (hồ sơ), their national status codes and the allowed status transitions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum

from app.core.applicant import Applicant
from app.core.errors import InvalidTransitionError


class DossierStatus(IntEnum):
    """TrangThaiHoSo of the national public service portal (DVCQG)."""

    REGISTERED = 1  # Mới đăng ký
    RECEIVED = 2  # Được tiếp nhận
    REJECTED = 3  # Không được tiếp nhận
    PROCESSING = 4  # Đang xử lý
    SUPPLEMENT_REQUESTED = 5  # Yêu cầu bổ sung giấy tờ
    PAYMENT_REQUESTED = 6  # Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = 7  # Công dân yêu cầu rút hồ sơ
    STOPPED = 8  # Dừng xử lý
    DONE = 9  # Đã xử lý xong
    RETURNED = 10  # Đã trả kết quả

    @property
    def label_vi(self) -> str:
        return STATUS_LABELS_VI[self]


STATUS_LABELS_VI: dict[DossierStatus, str] = {
    DossierStatus.REGISTERED: "Mới đăng ký",
    DossierStatus.RECEIVED: "Được tiếp nhận",
    DossierStatus.REJECTED: "Không được tiếp nhận",
    DossierStatus.PROCESSING: "Đang xử lý",
    DossierStatus.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung giấy tờ",
    DossierStatus.PAYMENT_REQUESTED: "Yêu cầu thực hiện nghĩa vụ tài chính",
    DossierStatus.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    DossierStatus.STOPPED: "Dừng xử lý",
    DossierStatus.DONE: "Đã xử lý xong",
    DossierStatus.RETURNED: "Đã trả kết quả",
}

_S = DossierStatus
ALLOWED_TRANSITIONS: dict[DossierStatus, frozenset[DossierStatus]] = {
    _S.REGISTERED: frozenset({_S.RECEIVED, _S.REJECTED, _S.SUPPLEMENT_REQUESTED, _S.WITHDRAWN}),
    _S.RECEIVED: frozenset({_S.PROCESSING, _S.SUPPLEMENT_REQUESTED, _S.PAYMENT_REQUESTED,
                            _S.WITHDRAWN, _S.STOPPED, _S.DONE}),
    _S.REJECTED: frozenset(),
    _S.PROCESSING: frozenset({_S.SUPPLEMENT_REQUESTED, _S.PAYMENT_REQUESTED, _S.WITHDRAWN,
                              _S.STOPPED, _S.DONE}),
    _S.SUPPLEMENT_REQUESTED: frozenset({_S.RECEIVED, _S.PROCESSING, _S.WITHDRAWN, _S.STOPPED,
                                        _S.REJECTED}),
    _S.PAYMENT_REQUESTED: frozenset({_S.PROCESSING, _S.WITHDRAWN, _S.STOPPED, _S.DONE}),
    _S.WITHDRAWN: frozenset(),
    _S.STOPPED: frozenset(),
    _S.DONE: frozenset({_S.RETURNED}),
    _S.RETURNED: frozenset(),
}
FINAL_STATUSES = frozenset(s for s, targets in ALLOWED_TRANSITIONS.items() if not targets)


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
    """A request to complete the dossier (Mẫu 02)."""

    requested_at: datetime
    reason: str
    items: list[str] = field(default_factory=list)
    officer: str = ""
    completed_at: datetime | None = None


@dataclass
class StatusChange:
    at: datetime
    status: DossierStatus
    officer: str = ""
    note: str = ""


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

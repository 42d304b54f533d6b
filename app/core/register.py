"""The dossier register (Sổ theo dõi hồ sơ): its columns, one row per dossier, and the form by legal set.

The register is Mẫu 06 of Circular 01/2018/TT-VPCP and Mẫu 07 of Circular 03/2025/TT-VPCP; each
dossier is listed under the set it was received under. The column list follows the domain notes
(§1.6, from memory of the 2018 annex, UNCONFIRMED): change :data:`COLUMNS` when the annex is checked,
every writer (PDF, spreadsheet, CSV) follows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.core.dossier import DossierStatus

COLUMNS: tuple[str, ...] = (
    "TT",
    "Mã hồ sơ",
    "Tên TTHC",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ (ngày/tháng/năm)",
    "Hẹn trả kết quả",
    "Chuyển hồ sơ đến cơ quan giải quyết",
    "Ngày có kết quả / yêu cầu bổ sung",
    "Trả kết quả (ngày/tháng/năm, ký nhận)",
    "Ghi chú",
)

TITLE = "SỔ THEO DÕI HỒ SƠ"


@dataclass(frozen=True)
class RegisterForm:
    form_no: str
    basis: str


#: The register's form in each legal form set (``dossier.form_set``).
REGISTER_FORMS: dict[str, RegisterForm] = {
    "TT01-2018": RegisterForm("06", "Thông tư số 01/2018/TT-VPCP ngày 23/11/2018 của Văn phòng Chính phủ"),
    "TT03-2025": RegisterForm("07", "Thông tư số 03/2025/TT-VPCP của Văn phòng Chính phủ"),
}


def register_form(form_set: str) -> RegisterForm:
    return REGISTER_FORMS.get(form_set, REGISTER_FORMS["TT01-2018"])


@dataclass(frozen=True)
class RegisterEntry:
    """One dossier of the register with the moments its columns show (``None``: not happened yet)."""

    code: str
    procedure_name: str
    sets_count: int
    applicant_name: str
    address: str
    phone: str
    solving_agency: str
    received_at: datetime
    due_at: datetime
    handed_over_at: datetime | None
    done_at: datetime | None
    supplement_at: datetime | None
    supplements: int
    returned_at: datetime | None
    returned_to: str
    status: DossierStatus
    form_set: str


def _dt(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y %H:%M")


def _day(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")


def note_of(entry: RegisterEntry) -> str:
    """The Ghi chú column: how the dossier ended when it did not end with a result, and lateness."""
    notes: list[str] = []
    if entry.status in (DossierStatus.REJECTED, DossierStatus.STOPPED, DossierStatus.WITHDRAWN,
                        DossierStatus.SUPPLEMENT_REQUESTED):
        notes.append(entry.status.label_vi)
    end = entry.done_at or entry.returned_at
    if end is not None and end > entry.due_at:
        notes.append("Quá hạn")
    if entry.supplements > 1:
        notes.append(f"Bổ sung {entry.supplements} lần")
    return "; ".join(notes)


def cells(number: int, entry: RegisterEntry) -> list[str]:
    """The row's text, column by column (:data:`COLUMNS`)."""
    contact = ", ".join(x for x in (entry.address, entry.phone) if x)
    outcomes = []
    if entry.done_at is not None:
        outcomes.append(f"Có kết quả {_day(entry.done_at)}")
    if entry.supplement_at is not None:
        outcomes.append(f"Yêu cầu bổ sung {_day(entry.supplement_at)}")
    returned = ""
    if entry.returned_at is not None:
        returned = _dt(entry.returned_at) + (f" — {entry.returned_to}" if entry.returned_to else "")
    return [
        str(number),
        entry.code,
        entry.procedure_name,
        str(entry.sets_count),
        entry.applicant_name,
        contact,
        entry.solving_agency,
        _dt(entry.received_at),
        _dt(entry.due_at),
        _dt(entry.handed_over_at),
        "; ".join(outcomes),
        returned,
        note_of(entry),
    ]


@dataclass
class RegisterTotals:
    """The totals printed at the end of each form set's register."""

    dossiers: int = 0
    sets: int = 0
    returned: int = 0
    done: int = 0
    late: int = 0

    def add(self, entry: RegisterEntry) -> None:
        self.dossiers += 1
        self.sets += entry.sets_count
        self.returned += entry.returned_at is not None
        self.done += entry.done_at is not None
        end = entry.done_at or entry.returned_at
        self.late += end is not None and end > entry.due_at

    def text_vi(self) -> str:
        return (f"Tổng cộng: {self.dossiers} hồ sơ ({self.sets} bộ); đã có kết quả {self.done}; "
                f"đã trả kết quả {self.returned}; quá hạn {self.late}.")

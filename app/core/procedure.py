"""Administrative procedures (thủ tục hành chính, TTHC) as the catalogue describes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum


class ProcessingUnit(StrEnum):
    """How a procedure's processing time is counted (the CLI contract uses these values)."""

    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    SAME_DAY = "same_day"


@dataclass(frozen=True)
class ProcessingTime:
    """Statutory processing time; ``online_amount`` when the online channel has its own time."""

    amount: float
    unit: ProcessingUnit
    online_amount: float | None = None

    def amount_for_channel(self, channel: int) -> float:
        """The amount that applies to a channel (2 = trực tuyến uses ``online_amount`` if set)."""
        if channel == 2 and self.online_amount is not None:
            return self.online_amount
        return self.amount

    def label_vi(self) -> str:
        """E.g. "3 ngày làm việc", "8 giờ làm việc", "Trong ngày"."""
        if self.unit is ProcessingUnit.SAME_DAY:
            return "Trong ngày"
        amount = f"{self.amount:g}".replace(".", ",")
        unit = "ngày làm việc" if self.unit is ProcessingUnit.WORKING_DAYS else "giờ làm việc"
        return f"{amount} {unit}"


@dataclass(frozen=True)
class ComponentSpec:
    """A component (thành phần hồ sơ) the procedure asks for, with the paper forms required."""

    name: str
    originals: int = 1
    certified_copies: int = 0
    photocopies: int = 0
    mandatory: bool = True
    case: str = ""
    # Result codes (MaKetQua) of digitised past results that can stand in for this component.
    accepted_result_codes: tuple[str, ...] = ()
    online_only: bool = False  # an interactive e-form of the portal: never part of an in-person dossier


@dataclass(frozen=True)
class Fee:
    """A fee or charge (phí, lệ phí) in Vietnamese đồng; ``channel`` is None when it applies to all."""

    name: str
    amount_vnd: int
    channel: int | None = None
    note: str = ""


@dataclass(frozen=True)
class ResultDocument:
    """A result document the procedure issues (kết quả), with its catalogue result code."""

    code: str
    name: str


@dataclass(frozen=True)
class Procedure:
    """One TTHC of the catalogue."""

    code: str
    name: str
    field: str
    level: str
    processing: ProcessingTime
    cutoff: time | None = None
    components: tuple[ComponentSpec, ...] = ()
    fees: tuple[Fee, ...] = ()
    results: tuple[ResultDocument, ...] = ()
    legal_basis: tuple[str, ...] = ()
    essential_service: bool = False  # one of the national 25 essential public services
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def fee_for_channel(self, channel: int) -> int:
        """Total fee in đồng for a channel (fees without a channel apply to every channel)."""
        specific = [f.amount_vnd for f in self.fees if f.channel == channel]
        if specific:
            return sum(specific)
        return sum(f.amount_vnd for f in self.fees if f.channel is None)

"""Dossier codes (mã hồ sơ) ``<agency code>-<yyMMdd>-<NNNN>`` and the blocks of daily numbers.

The code is the receiving agency's electronic identifier (mã định danh, an opaque configured string
that may itself contain dots and dashes: ``000.00.22.H12``, ``H01.151.01``), the day of receipt as
``yyMMdd`` and a daily sequence number zero-padded to four digits (0001-9999), restarting every day
for each agency: ``000.00.22.H12-230601-0001``. Because the agency code may contain ``-``, a code
is always split from the right.

Offline reservation design
--------------------------
Several counters (stations) of one agency issue codes from the same daily sequence, and a station
must be able to print a receipt while it is offline, on its own SQLite database. So that two
stations can never issue the same code, the administrator gives each station of an agency its own
block of daily numbers (:class:`StationBlock`, e.g. station 1 gets 0001-4999, station 2 gets
5000-9999; :func:`split_blocks` proposes an even split). A station only ever allocates numbers from
its block, so codes issued on separate databases are disjoint by construction and can later be
merged or synchronised without renumbering. An office sharing one PostgreSQL database uses exactly
the same mechanism (a block per station): the counter row of (agency, day, block) is locked while
the next number is taken (``SELECT ... FOR UPDATE``), so concurrent stations never contend for the
same row and a station moving between shared and offline mode keeps issuing from its own block.
When a station uses up its block for the day it gets ``CodeBlockExhaustedError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.core.errors import ValidationError

MIN_NUMBER = 1
MAX_NUMBER = 9999

_CODE_RE = re.compile(r"(?P<agency>\S+)-(?P<day>[0-9]{6})-(?P<number>[0-9]{4})")
_AGENCY_RE = re.compile(r"\S+")
_BLOCK_RE = re.compile(r"\s*([0-9]+)\s*[-–]\s*([0-9]+)\s*")


@dataclass(frozen=True)
class StationBlock:
    """An inclusive range ``first..last`` of daily dossier numbers reserved for one station."""

    first: int
    last: int

    def __post_init__(self) -> None:
        if not (
            isinstance(self.first, int)
            and isinstance(self.last, int)
            and MIN_NUMBER <= self.first <= self.last <= MAX_NUMBER
        ):
            raise ValidationError(
                f"a station block needs 1 <= first <= last <= 9999, got {self.first!r}-{self.last!r}",
                f"Dải số hồ sơ của máy trạm không hợp lệ: {self.first}–{self.last} "
                "(phải có 1 ≤ số đầu ≤ số cuối ≤ 9999).",
                "block",
            )

    @property
    def size(self) -> int:
        """How many numbers the block holds."""
        return self.last - self.first + 1

    def contains(self, number: int) -> bool:
        return self.first <= number <= self.last

    def __contains__(self, number: object) -> bool:
        return isinstance(number, int) and self.contains(number)

    def __str__(self) -> str:
        """``"1-4999"``, the form :meth:`parse` reads (used to store the block in settings)."""
        return f"{self.first}-{self.last}"

    @classmethod
    def parse(cls, text: str) -> StationBlock:
        """Read ``"first-last"`` (e.g. ``"5000-9999"``); raise ValidationError otherwise."""
        match = _BLOCK_RE.fullmatch(text)
        if match is None:
            raise ValidationError(
                f"a station block is written 'first-last', got {text!r}",
                f"Dải số hồ sơ phải viết dạng “số đầu-số cuối”, ví dụ 1-4999 (đang nhập “{text}”).",
                "block",
            )
        return cls(int(match.group(1)), int(match.group(2)))


FULL_BLOCK = StationBlock(MIN_NUMBER, MAX_NUMBER)
"""The block of a station that is alone in its agency."""


def _check_agency(agency_code: str) -> None:
    if not _AGENCY_RE.fullmatch(agency_code):
        raise ValidationError(
            f"the agency code must be non-empty without spaces, got {agency_code!r}",
            f"Mã định danh cơ quan không hợp lệ: “{agency_code}” (không được trống hay chứa dấu cách).",
            "agency_code",
        )


def format_dossier_code(agency_code: str, day: date, number: int) -> str:
    """``"<agency>-<yyMMdd>-<NNNN>"``, e.g. ``format_dossier_code("000.00.22.H12", date(2023, 6, 1), 1)``
    is ``"000.00.22.H12-230601-0001"``."""
    _check_agency(agency_code)
    if not 2000 <= day.year <= 2099:
        raise ValidationError(
            f"dossier codes carry a two-digit year: {day.year} is outside 2000-2099",
            f"Năm {day.year} nằm ngoài khoảng 2000–2099 của mã hồ sơ.",
            "day",
        )
    if isinstance(number, bool) or not isinstance(number, int) or not MIN_NUMBER <= number <= MAX_NUMBER:
        raise ValidationError(
            f"the dossier number must be 1-9999, got {number!r}",
            f"Số thứ tự hồ sơ trong ngày phải từ 1 đến 9999 (đang là {number}).",
            "number",
        )
    return f"{agency_code}-{day:%y%m%d}-{number:04d}"


def _invalid_code(code: str, why_en: str, why_vi: str) -> ValidationError:
    return ValidationError(
        f"not a dossier code {code!r}: {why_en}",
        f"“{code}” không phải là mã hồ sơ hợp lệ: {why_vi}",
        "code",
    )


def parse_dossier_code(code: str) -> tuple[str, date, int]:
    """``(agency_code, day, number)`` of a code; split from the right since the agency code may
    contain dashes. Surrounding white space (a scanner's CR/LF) is ignored."""
    text = code.strip()
    match = _CODE_RE.fullmatch(text)
    if match is None:
        raise _invalid_code(
            code,
            "expected '<agency>-<yyMMdd>-<NNNN>'",
            "cần có dạng <mã cơ quan>-<năm tháng ngày yyMMdd>-<số thứ tự 4 chữ số>.",
        )
    raw_day = match.group("day")
    try:
        day = date(2000 + int(raw_day[:2]), int(raw_day[2:4]), int(raw_day[4:]))
    except ValueError:
        raise _invalid_code(
            code, f"{raw_day} is not a yyMMdd date", f"“{raw_day}” không phải là ngày có thật (yyMMdd)."
        ) from None
    number = int(match.group("number"))
    if number < MIN_NUMBER:
        raise _invalid_code(code, "the number must be 0001-9999", "số thứ tự phải từ 0001 đến 9999.")
    return match.group("agency"), day, number


def looks_like_dossier_code(text: str) -> bool:
    """Whether ``text`` (e.g. a barcode scanned into the search box) is a whole dossier code."""
    try:
        parse_dossier_code(text)
    except ValidationError:
        return False
    return True


def split_blocks(stations: int, capacity: int = MAX_NUMBER) -> list[StationBlock]:
    """Split numbers ``1..capacity`` into ``stations`` contiguous, disjoint blocks as even as
    possible (the first blocks get one number more when it does not divide evenly)."""
    if isinstance(stations, bool) or not isinstance(stations, int) or stations < 1:
        raise ValidationError(
            f"the number of stations must be at least 1, got {stations!r}",
            f"Số máy trạm phải từ 1 trở lên (đang là {stations}).",
            "stations",
        )
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not stations <= capacity <= MAX_NUMBER:
        raise ValidationError(
            f"the capacity must be between the number of stations ({stations}) and 9999, got {capacity!r}",
            f"Tổng số hồ sơ mỗi ngày phải từ {stations} (số máy trạm) đến 9999 (đang là {capacity}).",
            "capacity",
        )
    base, extra = divmod(capacity, stations)
    blocks: list[StationBlock] = []
    first = MIN_NUMBER
    for i in range(stations):
        size = base + (1 if i < extra else 0)
        blocks.append(StationBlock(first, first + size - 1))
        first += size
    return blocks

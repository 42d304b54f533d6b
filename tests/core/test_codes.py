"""Dossier codes and the per-station blocks of daily numbers."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.codes import (
    FULL_BLOCK,
    StationBlock,
    format_dossier_code,
    looks_like_dossier_code,
    parse_dossier_code,
    split_blocks,
)
from app.core.errors import ValidationError

# --- format / parse ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agency", "day", "number", "code"),
    [
        ("000.00.22.H12", date(2023, 6, 1), 1, "000.00.22.H12-230601-0001"),
        ("H01.151.01", date(2025, 7, 1), 42, "H01.151.01-250701-0042"),
        ("G09.20", date(2024, 12, 31), 9999, "G09.20-241231-9999"),
        ("A-B-C", date(2000, 1, 1), 123, "A-B-C-000101-0123"),
    ],
)
def test_format_and_parse_examples(agency: str, day: date, number: int, code: str) -> None:
    assert format_dossier_code(agency, day, number) == code
    assert parse_dossier_code(code) == (agency, day, number)
    assert looks_like_dossier_code(code)


def test_parse_ignores_surrounding_whitespace_from_a_scanner() -> None:
    assert parse_dossier_code(" 000.00.22.H12-230601-0001\r\n") == ("000.00.22.H12", date(2023, 6, 1), 1)
    assert looks_like_dossier_code("000.00.22.H12-230601-0001\r")


@pytest.mark.parametrize(
    ("agency", "day", "number", "field"),
    [
        ("", date(2023, 6, 1), 1, "agency_code"),
        ("H 12", date(2023, 6, 1), 1, "agency_code"),
        ("H12", date(2023, 6, 1), 0, "number"),
        ("H12", date(2023, 6, 1), 10000, "number"),
        ("H12", date(2023, 6, 1), -1, "number"),
        ("H12", date(1999, 12, 31), 1, "day"),
        ("H12", date(2100, 1, 1), 1, "day"),
    ],
)
def test_format_rejects(agency: str, day: date, number: int, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        format_dossier_code(agency, day, number)
    assert info.value.field == field
    assert info.value.message_vi != info.value.message_en


@pytest.mark.parametrize(
    "code",
    [
        "",
        "H12",
        "230601-0001",  # no agency
        "-230601-0001",
        "H12-230601-001",  # 3-digit number
        "H12-230601-00001",  # 5-digit number
        "H12-2306010-0001",
        "H12-230631-0001",  # 31 June
        "H12-231301-0001",
        "H12-230601-0000",
        "H12 230601 0001",
        "H 12-230601-0001",
        "H12-230601-0001x",
        "H12_230601_0001",
        "001090123456|012345678|NGUYEN VAN A|01011990|Nam|x|15042021",
    ],
)
def test_parse_rejects(code: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_dossier_code(code)
    assert info.value.field == "code"
    assert "mã hồ sơ" in info.value.message_vi
    assert not looks_like_dossier_code(code)


agency_codes = st.text(alphabet="0123456789ABCGHXabc.-_", min_size=1, max_size=20)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
numbers = st.integers(min_value=1, max_value=9999)


@given(agency_codes, days, numbers)
def test_round_trip(agency: str, day: date, number: int) -> None:
    code = format_dossier_code(agency, day, number)
    assert code.endswith(f"-{day:%y%m%d}-{number:04d}")
    assert parse_dossier_code(code) == (agency, day, number)
    assert looks_like_dossier_code(code)


@given(st.text(max_size=40))
def test_random_text_never_raises_anything_else(text: str) -> None:
    try:
        agency, day, number = parse_dossier_code(text)
    except ValidationError:
        assert not looks_like_dossier_code(text)
    else:
        assert looks_like_dossier_code(text)
        assert format_dossier_code(agency, day, number) == text.strip()


@given(agency_codes, days, numbers, days, numbers)
def test_codes_differ_when_day_or_number_differ(agency: str, d1: date, n1: int, d2: date, n2: int) -> None:
    same = (d1, n1) == (d2, n2)
    assert (format_dossier_code(agency, d1, n1) == format_dossier_code(agency, d2, n2)) == same


# --- station blocks ----------------------------------------------------------------------------


def test_station_block() -> None:
    block = StationBlock(5000, 9999)
    assert block.size == 5000
    assert block.contains(5000) and block.contains(9999) and block.contains(7000)
    assert not block.contains(4999) and not block.contains(10000)
    assert 5000 in block and 4999 not in block
    assert str(block) == "5000-9999"
    assert StationBlock.parse("5000-9999") == block
    assert StationBlock.parse(" 1 – 4999 ") == StationBlock(1, 4999)
    assert StationBlock(7, 7).size == 1
    assert StationBlock(1, 9999) == FULL_BLOCK
    assert FULL_BLOCK.size == 9999


@pytest.mark.parametrize(("first", "last"), [(0, 10), (1, 10000), (10, 9), (-5, 5), (0, 0), (10000, 10000)])
def test_station_block_rejects(first: int, last: int) -> None:
    with pytest.raises(ValidationError) as info:
        StationBlock(first, last)
    assert "9999" in info.value.message_vi


@pytest.mark.parametrize("text", ["", "5000", "a-b", "1-", "-5", "5-1", "0-10", "1-10000"])
def test_station_block_parse_rejects(text: str) -> None:
    with pytest.raises(ValidationError):
        StationBlock.parse(text)


@given(st.integers(1, 9999), st.integers(1, 9999))
def test_station_block_str_round_trip(a: int, b: int) -> None:
    block = StationBlock(min(a, b), max(a, b))
    assert StationBlock.parse(str(block)) == block


def test_split_blocks_examples() -> None:
    assert split_blocks(1) == [StationBlock(1, 9999)]
    assert split_blocks(2) == [StationBlock(1, 5000), StationBlock(5001, 9999)]
    assert split_blocks(3) == [StationBlock(1, 3333), StationBlock(3334, 6666), StationBlock(6667, 9999)]
    assert split_blocks(4, capacity=10) == [
        StationBlock(1, 3), StationBlock(4, 6), StationBlock(7, 8), StationBlock(9, 10)
    ]
    assert split_blocks(5, capacity=5) == [StationBlock(n, n) for n in range(1, 6)]


@pytest.mark.parametrize(("stations", "capacity"), [(0, 9999), (-1, 9999), (3, 2), (1, 10000), (1, 0)])
def test_split_blocks_rejects(stations: int, capacity: int) -> None:
    with pytest.raises(ValidationError):
        split_blocks(stations, capacity)


@given(st.data())
def test_split_blocks_disjoint_contiguous_and_covering(data: st.DataObject) -> None:
    capacity = data.draw(st.integers(1, 9999))
    stations = data.draw(st.integers(1, min(capacity, 200)))
    blocks = split_blocks(stations, capacity)
    assert len(blocks) == stations
    assert blocks[0].first == 1
    assert blocks[-1].last == capacity
    for previous, following in pairwise(blocks):
        assert following.first == previous.last + 1  # contiguous, hence disjoint
    assert sum(b.size for b in blocks) == capacity
    sizes = {b.size for b in blocks}
    assert max(sizes) - min(sizes) <= 1  # even
    number = data.draw(st.integers(1, capacity))
    assert sum(b.contains(number) for b in blocks) == 1

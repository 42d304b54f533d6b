"""The separator QR payload: round trips, and junk is never taken for a separator."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.core.separator import PREFIX, SeparatorPayload, format_separator, parse_separator

values = st.text(min_size=1, max_size=40)
keys = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True).filter(lambda k: k not in ("type", "rec"))
payloads = st.builds(
    SeparatorPayload,
    result_code=st.one_of(st.none(), values),
    record=st.one_of(st.none(), values),
    version=st.integers(min_value=0, max_value=999),
    extra=st.dictionaries(keys, values, max_size=3).map(lambda d: tuple(d.items())),
)


@given(payloads)
def test_format_then_parse_gives_the_payload_back(payload: SeparatorPayload) -> None:
    text = format_separator(payload)
    assert text.isascii() and "\n" not in text
    assert parse_separator(text) == payload
    assert format_separator(parse_separator(text)) == text  # type: ignore[arg-type]


@given(st.text(max_size=80))
def test_text_without_the_prefix_is_not_a_separator(text: str) -> None:
    assume(not text.startswith(PREFIX))
    assert parse_separator(text) is None


JUNK = st.sampled_from([";", "=", "%", " ", ";;", "%G", "é"])


@given(payloads, st.integers(min_value=0, max_value=200), JUNK)
def test_a_broken_payload_is_rejected_or_still_canonical(payload: SeparatorPayload, at: int,
                                                         junk: str) -> None:
    text = format_separator(payload)
    at = at % (len(text) + 1)
    broken = text[:at] + junk + text[at:]
    parsed = parse_separator(broken)
    if parsed is not None:  # only an insertion that still spells a valid payload may parse...
        assert format_separator(parsed) == broken  # ...and then it is that payload, exactly


@pytest.mark.parametrize("text", [
    "MOTCUA-SEP:1", "MOTCUA-SEP:1;type=KQ.1.000894", "MOTCUA-SEP:1;type=KQ.1.000894;rec=2025-000123",
    "MOTCUA-SEP:2;type=KQ.1.000894;pages=3",
])
def test_valid_examples(text: str) -> None:
    parsed = parse_separator(text)
    assert parsed is not None
    assert format_separator(parsed) == text


def test_fields_are_read() -> None:
    parsed = parse_separator("MOTCUA-SEP:1;type=KQ.1.000894;rec=H%C3%A0%20N%E1%BB%99i")
    assert parsed == SeparatorPayload("KQ.1.000894", "Hà Nội", 1)
    assert parse_separator("MOTCUA-SEP:3;type=A;box=12").extra == (("box", "12"),)  # type: ignore[union-attr]


@pytest.mark.parametrize("text", [
    "", "MOTCUA-SEP:", "MOTCUA-SEP:x", "MOTCUA-SEP:01", "motcua-sep:1", " MOTCUA-SEP:1", "MOTCUA-SEP:1 ",
    "MOTCUA-SEP:1;", "MOTCUA-SEP:1;type", "MOTCUA-SEP:1;type=", "MOTCUA-SEP:1;type=a;type=b",
    "MOTCUA-SEP:1;Type=a", "MOTCUA-SEP:1;type=a b", "MOTCUA-SEP:1;type=%4", "MOTCUA-SEP:1;type=%41",
    "MOTCUA-SEP:1;type=%C3", "MOTCUA-SEP:1;type=%e1%bb%99", "MOTCUA-SEP:1;type=Hà", "MOTCUA-SEP:1\n",
    "https://dichvucong.gov.vn/?MOTCUA-SEP:1", "079190001234|281234567|Nguyễn Thị Thu Hà",
    "MOTCUA-SEP:1;type=" + "A" * 2000,
])
def test_junk_is_rejected(text: str) -> None:
    assert parse_separator(text) is None


def test_unwritable_payloads_raise() -> None:
    with pytest.raises(ValueError):
        format_separator(SeparatorPayload(extra=(("Bad Key", "x"),)))
    with pytest.raises(ValueError):
        format_separator(SeparatorPayload(extra=(("type", "x"),), result_code="y"))
    with pytest.raises(ValueError):
        format_separator(SeparatorPayload(extra=(("box", ""),)))

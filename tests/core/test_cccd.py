"""CCCD QR payload parsing: examples and properties."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.applicant import Applicant, ApplicantKind, Sex
from app.core.cccd import (
    CccdQr,
    applicant_from_qr,
    extract_cccd_qr,
    looks_like_cccd_qr,
    parse_cccd_qr,
    parse_sex,
)
from app.core.errors import ValidationError

EXAMPLE = (
    "001090123456|012345678|NGUYEN VAN A|01011990|Nam|Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh|15042021"
)


def test_real_looking_example() -> None:
    qr = parse_cccd_qr(EXAMPLE)
    assert qr == CccdQr(
        id_number="001090123456",
        old_id_number="012345678",
        full_name="NGUYEN VAN A",
        birth_date=date(1990, 1, 1),
        sex=Sex.MALE,
        address="Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
        id_issue_date=date(2021, 4, 15),
        raw=EXAMPLE,
    )


def test_empty_old_id() -> None:
    qr = parse_cccd_qr("079301012345||Trần Thị Bích Ngọc|05062001|Nữ|Quận 3, TP. Hồ Chí Minh|20102021")
    assert qr.old_id_number == ""
    assert qr.full_name == "Trần Thị Bích Ngọc"
    assert qr.sex is Sex.FEMALE
    assert qr.birth_date == date(2001, 6, 5)


def test_six_fields_without_issue_date() -> None:
    qr = parse_cccd_qr("001090123456|012345678|NGUYEN VAN A|01011990|Nam|Hà Nội")
    assert qr.address == "Hà Nội"
    assert qr.id_issue_date is None


def test_layout_without_old_id_field() -> None:
    qr = parse_cccd_qr("001090123456|Nguyễn Văn A|01011990|Nam|Hà Nội|15042021")
    assert qr.old_id_number == ""
    assert qr.full_name == "Nguyễn Văn A"
    assert qr.address == "Hà Nội"
    assert qr.id_issue_date == date(2021, 4, 15)


def test_address_split_over_extra_fields() -> None:
    qr = parse_cccd_qr("001090123456||NGUYEN VAN A|01011990|Nam|Số 1 Tràng Tiền|Hoàn Kiếm|Hà Nội|15042021")
    assert qr.address == "Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội"
    assert qr.id_issue_date == date(2021, 4, 15)


def test_issue_date_is_the_last_date_field_and_trailing_fields_are_ignored() -> None:
    qr = parse_cccd_qr("001090123456||A|01011990|Nam|Thôn 12345678|Xã B|15042021||")
    assert qr.address == "Thôn 12345678, Xã B"
    assert qr.id_issue_date == date(2021, 4, 15)
    qr = parse_cccd_qr("001090123456||A|01011990|Nam|12345678|15042021")
    assert qr.address == "12345678"
    assert qr.id_issue_date == date(2021, 4, 15)


def test_empty_address() -> None:
    qr = parse_cccd_qr("001090123456||A|01011990|Nam||15042021")
    assert qr.address == ""
    assert qr.id_issue_date == date(2021, 4, 15)


@pytest.mark.parametrize(
    "wrapped",
    [
        f"  {EXAMPLE}  ",
        f"{EXAMPLE}\r\n",
        f"{EXAMPLE}\n",
        f"\ufeff{EXAMPLE}",
        f"\ufeff {EXAMPLE}\r",
        f"\t{EXAMPLE}\u200b",
    ],
)
def test_surrounding_noise_is_ignored_and_raw_is_kept(wrapped: str) -> None:
    qr = parse_cccd_qr(wrapped)
    assert qr.id_number == "001090123456"
    assert qr.id_issue_date == date(2021, 4, 15)
    assert qr.raw == wrapped


@pytest.mark.parametrize(
    ("written", "sex"),
    [
        ("Nam", Sex.MALE),
        ("NAM", Sex.MALE),
        ("nam", Sex.MALE),
        ("Nữ", Sex.FEMALE),
        ("NỮ", Sex.FEMALE),
        ("nữ", Sex.FEMALE),
        ("NU", Sex.FEMALE),
        ("Nu", Sex.FEMALE),
        (unicodedata.normalize("NFD", "Nữ"), Sex.FEMALE),
    ],
)
def test_sex_spellings(written: str, sex: Sex) -> None:
    assert parse_sex(written) is sex
    qr = parse_cccd_qr(f"001190123456||A|01011990|{written}|Hà Nội|15042021")
    assert qr.sex is sex


def test_nfd_payload_from_a_keyboard_wedge_is_normalised() -> None:
    nfd = unicodedata.normalize("NFD", "001090123456||Nguyễn Thị Ánh|01011990|Nữ|Đắk Lắk|15042021")
    qr = parse_cccd_qr(nfd)
    assert qr.full_name == "Nguyễn Thị Ánh"
    assert unicodedata.is_normalized("NFC", qr.full_name)
    assert qr.address == "Đắk Lắk"
    assert qr.sex is Sex.FEMALE
    assert qr.raw == nfd


def test_name_case_kept_as_given() -> None:
    assert parse_cccd_qr("001090123456||nGuyễn vĂn A|01011990|Nam|x|15042021").full_name == "nGuyễn vĂn A"


def test_dates_with_separators_are_accepted() -> None:
    qr = parse_cccd_qr("001090123456||A|01/01/1990|Nam|x|15.04.2021")
    assert qr.birth_date == date(1990, 1, 1)
    assert qr.id_issue_date == date(2021, 4, 15)


@pytest.mark.parametrize(
    ("payload", "field", "vi_fragment"),
    [
        ("", None, "Mã QR trống"),
        ("   \r\n", None, "Mã QR trống"),
        ("hello world", "id_number", "số CCCD phải gồm 12 chữ số"),
        ("00109012345|012345678|A|01011990|Nam|x|15042021", "id_number", "số CCCD phải gồm 12 chữ số"),
        ("0010901234567|012345678|A|01011990|Nam|x|15042021", "id_number", "số CCCD phải gồm 12 chữ số"),
        ("00109012345a||A|01011990|Nam|x|15042021", "id_number", "số CCCD phải gồm 12 chữ số"),
        ("００１０９０１２３４５６||A|01011990|Nam|x|15042021", "id_number", "số CCCD phải gồm 12 chữ số"),
        ("001090123456|012345678|A|01011990", None, "cần ít nhất 6 trường"),
        ("001090123456|012345678|A|01011990|Nam", None, "cần ít nhất 6 trường"),
        ("001090123456|12345|A|01011990|Nam|x|15042021", "old_id_number", "CMND cũ"),
        ("001090123456|012345678||01011990|Nam|x|15042021", "full_name", "họ và tên"),
        ("001090123456|012345678|A|1990|Nam|x|15042021", "birth_date", "Ngày sinh"),
        ("001090123456|012345678|A|31021990|Nam|x|15042021", "birth_date", "ngày có thật"),
        ("001090123456|012345678|A|29021990|Nam|x|15042021", "birth_date", "ngày có thật"),
        ("001090123456|012345678|A|01131990|Nam|x|15042021", "birth_date", "ngày có thật"),
        ("001090123456|012345678|A|01011990|Male|x|15042021", "sex", "Giới tính"),
        ("001090123456|012345678|A|01011990||x|15042021", "sex", "Giới tính"),
        ("001090123456|012345678|A|01011990|Nam|x|32042021", "id_issue_date", "Ngày cấp"),
        ("001090123456|012345678|A|01011990|Nam|x|1504202", "id_issue_date", "Ngày cấp"),
    ],
)
def test_invalid_payloads(payload: str, field: str | None, vi_fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_cccd_qr(payload)
    assert info.value.field == field
    assert vi_fragment in info.value.message_vi
    assert info.value.message_en and info.value.message_en != info.value.message_vi


def test_not_a_cccd_message_is_clear() -> None:
    with pytest.raises(ValidationError) as info:
        parse_cccd_qr("https://example.com/some-qr")
    assert info.value.message_vi.startswith("Mã QR không phải của thẻ CCCD: số CCCD phải gồm 12 chữ số")
    assert "12 digits" in str(info.value)


def test_applicant_from_qr() -> None:
    applicant = applicant_from_qr(parse_cccd_qr(EXAMPLE))
    assert applicant == Applicant(
        full_name="NGUYEN VAN A",
        kind=ApplicantKind.PERSON,
        id_number="001090123456",
        old_id_number="012345678",
        birth_date=date(1990, 1, 1),
        sex=Sex.MALE,
        address="Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
        id_issue_date=date(2021, 4, 15),
        qr_raw=EXAMPLE,
    )


# --- detection of a payload typed by a keyboard wedge ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        EXAMPLE,
        EXAMPLE + "\r\n",
        "Nguyễn " + EXAMPLE,
        "0912345678" + EXAMPLE,  # the field already held digits: the CCCD is the last 12 before "|"
        "001090123456|012345678|NGUYEN VAN A|01011990|Nam|Hà Nội",
        "001090123456||NGUYEN VAN A|01011990|Nam|Hà Nội|15042021",
        "001090123456|NGUYEN VAN A|01011990|Nam|Hà Nội|15042021",
        unicodedata.normalize("NFD", EXAMPLE),
    ],
)
def test_looks_like_and_extract(text: str) -> None:
    assert looks_like_cccd_qr(text)
    payload = extract_cccd_qr(text)
    assert payload is not None
    assert payload in text
    assert parse_cccd_qr(payload).id_number == "001090123456"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Nguyễn Văn A",
        "001090123456",
        "001090123456|012345678|NGUYEN VAN A",
        "001090123456|012345678|NGUYEN VAN A|1990|Nam|x",
        "00109012345|012345678|NGUYEN VAN A|01011990|Nam|x|15042021",  # 11 digits
        "H12-230601-0001",
    ],
)
def test_does_not_look_like(text: str) -> None:
    assert not looks_like_cccd_qr(text)
    assert extract_cccd_qr(text) is None


def test_extract_with_junk_before_gives_same_fields() -> None:
    qr = parse_cccd_qr(extract_cccd_qr("abc 123" + EXAMPLE + "\r\n") or "")
    assert (qr.id_number, qr.full_name) == ("001090123456", "NGUYEN VAN A")
    assert qr.id_issue_date == date(2021, 4, 15)
    assert qr.raw == EXAMPLE


# --- properties ------------------------------------------------------------------------------


def _field_text(min_size: int = 0) -> st.SearchStrategy[str]:
    """Text that can stand in a field: no separator or line break, NFC, trimmed."""
    return (
        st.text(
            alphabet=st.characters(exclude_characters="|\r\n\ufeff\u200b\x00", exclude_categories=("Cs",)),
            max_size=40,
        )
        .map(lambda s: unicodedata.normalize("NFC", s).strip())
        .filter(lambda s: len(s) >= min_size)
    )


vietnamese_text = st.text(
    alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
    "AĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXYÁÀẢÃẠỐỒỔỖỘỚỜỞỠỢỨỪỬỮỰ ,.0123456789/-",
    max_size=40,
).map(str.strip)


@st.composite
def cards(draw: st.DrawFn) -> dict[str, object]:
    return {
        "id_number": draw(st.from_regex(r"[0-9]{12}", fullmatch=True)),
        "old_id_number": draw(st.one_of(st.just(""), st.from_regex(r"[0-9]{9}", fullmatch=True))),
        "full_name": draw(st.one_of(_field_text(1), vietnamese_text.filter(bool))),
        "birth_date": draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))),
        "sex": draw(st.sampled_from(Sex)),
        "address": draw(st.one_of(_field_text(), vietnamese_text)),
        "id_issue_date": draw(st.one_of(st.none(), st.dates(min_value=date(1000, 1, 1)))),
    }


def _payload(card: dict[str, object]) -> str:
    birth = card["birth_date"]
    issue = card["id_issue_date"]
    assert isinstance(birth, date)
    fields = [
        card["id_number"],
        card["old_id_number"],
        card["full_name"],
        f"{birth:%d%m}{birth.year:04d}",
        str(card["sex"]),
        card["address"],
    ]
    if isinstance(issue, date):
        fields.append(f"{issue:%d%m}{issue.year:04d}")
    return "|".join(str(f) for f in fields)


def _fields(qr: CccdQr) -> dict[str, object]:
    return {
        "id_number": qr.id_number,
        "old_id_number": qr.old_id_number,
        "full_name": qr.full_name,
        "birth_date": qr.birth_date,
        "sex": qr.sex,
        "address": qr.address,
        "id_issue_date": qr.id_issue_date,
    }


@given(cards())
def test_well_formed_payload_round_trips(card: dict[str, object]) -> None:
    payload = _payload(card)
    qr = parse_cccd_qr(payload)
    assert _fields(qr) == card
    assert qr.raw == payload
    assert looks_like_cccd_qr(payload)
    assert extract_cccd_qr(payload) == payload


@given(
    cards(),
    st.sampled_from(["", " ", "\r\n", "\n", "\ufeff", "  \r\n"]),
    st.sampled_from(["", " ", "\r\n", "\n", "\r"]),
    st.booleans(),
)
def test_noise_and_nfd_do_not_change_the_fields(
    card: dict[str, object], before: str, after: str, nfd: bool
) -> None:
    payload = _payload(card)
    typed = unicodedata.normalize("NFD", payload) if nfd else payload
    assert _fields(parse_cccd_qr(before + typed + after)) == card


@given(cards(), _field_text())
def test_extract_after_junk(card: dict[str, object], junk: str) -> None:
    payload = _payload(card)
    text = junk + payload + "\r\n"
    assert looks_like_cccd_qr(text)
    extracted = extract_cccd_qr(text)
    assert extracted is not None
    assert _fields(parse_cccd_qr(extracted)) == card


@given(cards(), st.lists(_field_text(1), min_size=1, max_size=4))
def test_address_with_extra_separators(card: dict[str, object], parts: list[str]) -> None:
    card = {**card, "id_issue_date": date(2021, 4, 15)}
    payload = _payload({**card, "address": "|".join(parts)})
    assert len(payload.split("|")) == 6 + len(parts)
    qr = parse_cccd_qr(payload)
    assert qr.address == ", ".join(parts)
    assert qr.id_issue_date == date(2021, 4, 15)
    assert qr.id_number == card["id_number"]
    assert qr.full_name == card["full_name"]
    assert qr.birth_date == card["birth_date"]


@given(cards())
def test_six_and_seven_fields(card: dict[str, object]) -> None:
    six = parse_cccd_qr(_payload({**card, "id_issue_date": None}))
    assert six.id_issue_date is None
    assert six.address == card["address"]
    seven = parse_cccd_qr(_payload({**card, "id_issue_date": date(2022, 2, 28)}))
    assert seven.id_issue_date == date(2022, 2, 28)
    assert seven.address == card["address"]


@given(st.text(max_size=200))
def test_random_text_raises_only_validation_error(text: str) -> None:
    try:
        parse_cccd_qr(text)
    except ValidationError as error:
        assert error.message_vi and error.message_en
    looks_like_cccd_qr(text)
    extract_cccd_qr(text)


@given(st.lists(st.one_of(st.text(alphabet="0123456789", max_size=13), st.text(max_size=12)), max_size=10))
def test_random_field_lists_raise_only_validation_error(fields: list[str]) -> None:
    text = "|".join(fields)
    try:
        parse_cccd_qr(text)
    except ValidationError as error:
        assert error.message_vi and error.message_en
    payload = extract_cccd_qr(text)
    if payload is not None:
        assert payload in text

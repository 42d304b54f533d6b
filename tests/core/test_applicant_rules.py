"""Applicant checks: CCCD structure, identity documents, dates, phone, e-mail, tax code."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.applicant import Applicant, ApplicantKind, Sex
from app.core.applicant_rules import (
    PROVINCE_CODES,
    cccd_century_and_sex,
    check_cccd,
    is_valid_email,
    is_valid_phone,
    is_valid_tax_code,
    validate_applicant,
)
from app.core.cccd import applicant_from_qr, parse_cccd_qr
from app.core.errors import ValidationError

TODAY = date(2025, 6, 1)
PERSON = Applicant(
    full_name="Nguyễn Văn An",
    id_number="001090123456",
    birth_date=date(1990, 1, 1),
    sex=Sex.MALE,
    phone="0912345678",
    email="an.nguyen@example.vn",
)
ORGANISATION = Applicant(
    full_name="Công ty TNHH Một Cửa",
    kind=ApplicantKind.ORGANISATION,
    tax_code="0101234567",
)


def _fields(errors: list[ValidationError]) -> list[str | None]:
    return [e.field for e in errors]


# --- province codes ----------------------------------------------------------------------------


def test_province_codes() -> None:
    assert len(PROVINCE_CODES) == 63
    assert all(len(code) == 3 and code.isdigit() for code in PROVINCE_CODES)
    assert PROVINCE_CODES["001"] == "Hà Nội"
    assert PROVINCE_CODES["079"] == "Hồ Chí Minh"
    assert PROVINCE_CODES["048"] == "Đà Nẵng"
    assert PROVINCE_CODES["096"] == "Cà Mau"
    assert min(PROVINCE_CODES) == "001"
    assert max(PROVINCE_CODES) == "096"
    assert len(set(PROVINCE_CODES.values())) == 63
    assert "003" not in PROVINCE_CODES


# --- check_cccd --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digit", "century", "sex"),
    [
        (0, 1900, Sex.MALE),
        (1, 1900, Sex.FEMALE),
        (2, 2000, Sex.MALE),
        (3, 2000, Sex.FEMALE),
        (4, 2100, Sex.MALE),
        (5, 2100, Sex.FEMALE),
        (6, 2200, Sex.MALE),
        (7, 2200, Sex.FEMALE),
        (8, 2300, Sex.MALE),
        (9, 2300, Sex.FEMALE),
    ],
)
def test_fourth_digit(digit: int, century: int, sex: Sex) -> None:
    assert cccd_century_and_sex(digit) == (century, sex)


@pytest.mark.parametrize(
    ("number", "birth", "sex"),
    [
        ("001090123456", date(1990, 1, 1), Sex.MALE),
        ("079190000001", date(1990, 12, 31), Sex.FEMALE),
        ("048205000001", date(2005, 7, 1), Sex.MALE),
        ("096399000001", date(2099, 7, 1), Sex.FEMALE),
        ("001000000001", date(1900, 1, 1), Sex.MALE),
        ("001090123456", None, None),
        ("001090123456", date(1990, 1, 1), None),
        ("001090123456", None, Sex.MALE),
    ],
)
def test_consistent_cccd_has_no_error(number: str, birth: date | None, sex: Sex | None) -> None:
    assert check_cccd(number, birth, sex) == []


@pytest.mark.parametrize(
    "number",
    ["", "00109012345", "0010901234567", "00109012345a", "001 090 123 456", "００１０９０１２３４５６"],
)
def test_cccd_must_be_12_digits(number: str) -> None:
    errors = check_cccd(number, date(1990, 1, 1), Sex.MALE)
    assert len(errors) == 1
    assert errors[0].field == "id_number"
    assert "12 chữ số" in errors[0].message_vi


def test_unknown_province() -> None:
    errors = check_cccd("003090123456", date(1990, 1, 1), Sex.MALE)
    assert len(errors) == 1
    assert "mã tỉnh “003”" in errors[0].message_vi


def test_sex_disagreeing_with_fourth_digit() -> None:
    errors = check_cccd("001090123456", date(1990, 1, 1), Sex.FEMALE)
    assert len(errors) == 1
    assert errors[0].field == "id_number"
    assert "giới tính" in errors[0].message_vi
    assert "Nữ" in errors[0].message_vi


def test_century_disagreeing_with_birth_date() -> None:
    errors = check_cccd("001290123456", date(1990, 1, 1), Sex.MALE)
    assert len(errors) == 1
    assert "2000–2099" in errors[0].message_vi


def test_year_digits_disagreeing_with_birth_date() -> None:
    errors = check_cccd("001091123456", date(1990, 1, 1), Sex.MALE)
    assert len(errors) == 1
    assert "chữ số thứ 5–6" in errors[0].message_vi


def test_everything_wrong_reports_every_problem() -> None:
    errors = check_cccd("999391123456", date(1990, 1, 1), Sex.MALE)
    assert len(errors) == 4
    assert all(e.field == "id_number" and e.message_vi and e.message_en for e in errors)


@given(
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2399, 12, 31)),
    st.sampled_from(Sex),
    st.from_regex(r"[0-9]{6}", fullmatch=True),
)
def test_generated_consistent_numbers_pass(province: str, birth: date, sex: Sex, serial: str) -> None:
    digit = (birth.year - 1900) // 100 * 2 + (1 if sex is Sex.FEMALE else 0)
    number = f"{province}{digit}{birth.year % 100:02d}{serial}"
    assert check_cccd(number, birth, sex) == []


@given(st.text(max_size=20), st.one_of(st.none(), st.dates()), st.one_of(st.none(), st.sampled_from(Sex)))
def test_check_cccd_never_raises(number: str, birth: date | None, sex: Sex | None) -> None:
    for error in check_cccd(number, birth, sex):
        assert error.field == "id_number"


# --- validate_applicant: persons ----------------------------------------------------------------


def test_valid_person() -> None:
    assert validate_applicant(PERSON, today=TODAY) == []


def test_valid_person_from_qr() -> None:
    qr = parse_cccd_qr(
        "001090123456|012345678|NGUYEN VAN A|01011990|Nam|Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh|15042021"
    )
    assert validate_applicant(applicant_from_qr(qr), today=TODAY) == []


def test_person_with_old_cmnd_only() -> None:
    assert validate_applicant(replace(PERSON, id_number="", old_id_number="012345678"), today=TODAY) == []


def test_person_needs_name_and_identity() -> None:
    errors = validate_applicant(Applicant(full_name="  "), today=TODAY)
    assert _fields(errors) == ["full_name", "id_number"]
    assert errors[0].message_vi == "Chưa nhập họ và tên."
    assert "CCCD" in errors[1].message_vi and "CMND" in errors[1].message_vi


def test_person_with_bad_numbers() -> None:
    errors = validate_applicant(replace(PERSON, id_number="12345", old_id_number="1234"), today=TODAY)
    assert _fields(errors) == ["id_number", "old_id_number"]


def test_person_cccd_inconsistent_with_sex() -> None:
    errors = validate_applicant(replace(PERSON, sex=Sex.FEMALE), today=TODAY)
    assert _fields(errors) == ["id_number"]


def test_birth_date_in_the_future() -> None:
    errors = validate_applicant(replace(PERSON, id_number="", old_id_number="012345678",
                                        birth_date=date(2025, 6, 2)), today=TODAY)
    assert _fields(errors) == ["birth_date"]
    assert "tương lai" in errors[0].message_vi


def test_birth_date_today_is_fine() -> None:
    a = replace(PERSON, id_number="", old_id_number="012345678", birth_date=TODAY)
    assert validate_applicant(a, today=TODAY) == []


def test_birth_date_before_1900() -> None:
    errors = validate_applicant(replace(PERSON, id_number="", old_id_number="012345678",
                                        birth_date=date(1899, 12, 31)), today=TODAY)
    assert _fields(errors) == ["birth_date"]
    assert "1900" in errors[0].message_vi


def test_issue_date_checks() -> None:
    future = validate_applicant(replace(PERSON, id_issue_date=date(2030, 1, 1)), today=TODAY)
    assert _fields(future) == ["id_issue_date"]
    before_birth = validate_applicant(replace(PERSON, id_issue_date=date(1980, 1, 1)), today=TODAY)
    assert _fields(before_birth) == ["id_issue_date"]


def test_today_defaults_to_the_current_date() -> None:
    assert validate_applicant(replace(PERSON, birth_date=date(1990, 1, 1))) == []
    tomorrow_year = date.today().year + 2
    a = replace(PERSON, id_number="", old_id_number="012345678", birth_date=date(tomorrow_year, 1, 1))
    assert _fields(validate_applicant(a)) == ["birth_date"]


# --- phone and e-mail --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "091-234-5678",
        "0381234567",
        "0561234567",
        "0771234567",
        "0861234567",
        "+84912345678",
        "+84 912 345 678",
        "02438261234",  # Hà Nội landline
        "028 3822 1234",  # TP. Hồ Chí Minh landline
        "+84 24 3826 1234",
        " 0912345678 ",
    ],
)
def test_valid_phones(phone: str) -> None:
    assert is_valid_phone(phone)
    assert validate_applicant(replace(PERSON, phone=phone), today=TODAY) == []


@pytest.mark.parametrize(
    "phone",
    ["091234567", "09123456789", "1912345678", "0012345678", "0112345678", "+8491234567", "+840912345678",
     "abc", "0912-345-67x", "84912345678", "0243826123"],
)
def test_invalid_phones(phone: str) -> None:
    assert not is_valid_phone(phone)
    errors = validate_applicant(replace(PERSON, phone=phone), today=TODAY)
    assert _fields(errors) == ["phone"]
    assert "Số điện thoại không hợp lệ" in errors[0].message_vi


def test_empty_phone_and_email_are_fine() -> None:
    assert validate_applicant(replace(PERSON, phone="", email="  "), today=TODAY) == []


@pytest.mark.parametrize(
    "email", ["a@b.vn", "an.nguyen@ubnd.hanoi.gov.vn", "x+tag@mail.example.com", "A_B@EXAMPLE.COM"]
)
def test_valid_emails(email: str) -> None:
    assert is_valid_email(email)


@pytest.mark.parametrize(
    "email",
    ["a", "a@", "@b.vn", "a@b", "a b@c.vn", "a@b..vn", ".a@b.vn", "a.@b.vn", "a@@b.vn", "a@-b.vn", "a@b.v"],
)
def test_invalid_emails(email: str) -> None:
    assert not is_valid_email(email)
    errors = validate_applicant(replace(PERSON, email=email), today=TODAY)
    assert _fields(errors) == ["email"]
    assert "thư điện tử" in errors[0].message_vi


# --- organisations -----------------------------------------------------------------------------


def test_valid_organisation() -> None:
    assert validate_applicant(ORGANISATION, today=TODAY) == []
    assert validate_applicant(replace(ORGANISATION, tax_code="0101234567-001"), today=TODAY) == []


def test_organisation_needs_name_and_tax_code() -> None:
    errors = validate_applicant(Applicant(full_name="", kind=ApplicantKind.ORGANISATION), today=TODAY)
    assert _fields(errors) == ["full_name", "tax_code"]
    assert errors[0].message_vi == "Chưa nhập tên tổ chức."


@pytest.mark.parametrize(
    "tax_code",
    ["010123456", "01012345678", "0101234567-01", "0101234567-0001", "0101234567001", "010123456a",
     " 0101234567"],
)
def test_invalid_tax_codes(tax_code: str) -> None:
    assert not is_valid_tax_code(tax_code)
    errors = validate_applicant(replace(ORGANISATION, tax_code=tax_code), today=TODAY)
    assert _fields(errors) == ["tax_code"]
    assert "Mã số thuế" in errors[0].message_vi


def test_organisation_contacts_are_checked() -> None:
    errors = validate_applicant(replace(ORGANISATION, phone="123", email="nope"), today=TODAY)
    assert _fields(errors) == ["phone", "email"]


def test_organisation_does_not_need_a_cccd() -> None:
    assert validate_applicant(replace(ORGANISATION, id_number=""), today=TODAY) == []


@given(
    st.builds(
        Applicant,
        full_name=st.text(max_size=20),
        kind=st.sampled_from(ApplicantKind),
        id_number=st.text(max_size=14),
        old_id_number=st.text(max_size=12),
        birth_date=st.one_of(st.none(), st.dates()),
        sex=st.one_of(st.none(), st.sampled_from(Sex)),
        phone=st.text(max_size=16),
        email=st.text(max_size=20),
        id_issue_date=st.one_of(st.none(), st.dates()),
        tax_code=st.text(max_size=16),
    )
)
def test_validate_never_raises_and_names_fields(a: Applicant) -> None:
    fields = set(Applicant.__dataclass_fields__)
    for error in validate_applicant(a, today=TODAY):
        assert isinstance(error, ValidationError)
        assert error.field in fields
        assert error.message_vi and error.message_en

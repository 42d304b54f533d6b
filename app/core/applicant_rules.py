"""Checks on applicants (chủ hồ sơ): CCCD structure, identity documents, contacts, tax codes.

The 12-digit CCCD number (Nghị định 137/2015/NĐ-CP, Điều 7; Thông tư 07/2016/TT-BCA) is
``PPP G YY NNNNNN``:

* ``PPP`` - the code of the province where the birth was registered (:data:`PROVINCE_CODES`);
* ``G`` - sex and century of birth: 0/1 = 1900-1999, 2/3 = 2000-2099, 4/5 = 2100-2199,
  6/7 = 2200-2299, 8/9 = 2300-2399; an even digit is male, an odd digit female;
* ``YY`` - the last two digits of the birth year;
* ``NNNNNN`` - a random serial number.

Province codes are those of 2016 (63 provinces); the 2025 merger of provinces did not renumber
cards already issued, so all 63 codes remain valid.
"""

from __future__ import annotations

import re
from datetime import date

from app.core.applicant import Applicant, ApplicantKind, Sex
from app.core.clock import vn_today
from app.core.errors import ValidationError

PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

EARLIEST_BIRTH_DATE = date(1900, 1, 1)

_CCCD_RE = re.compile(r"[0-9]{12}")
_CMND_RE = re.compile(r"[0-9]{9}|[0-9]{12}")  # 9-digit CMND, or a pre-chip 12-digit number
_TAX_CODE_RE = re.compile(r"[0-9]{10}(?:-[0-9]{3})?")
_PHONE_SEPARATORS_RE = re.compile(r"[\s.\-()]")
# Mobile: 0 + 9 digits with the network prefixes 03/05/07/08/09; landline (since 2017): 02 + 9 digits.
_PHONE_RE = re.compile(r"(?:0|\+84)(?:[35789][0-9]{8}|2[0-9]{9})")
_EMAIL_RE = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def cccd_century_and_sex(digit: int) -> tuple[int, Sex]:
    """First year of the century of birth and the sex the CCCD's 4th digit encodes."""
    return 1900 + (digit // 2) * 100, (Sex.MALE if digit % 2 == 0 else Sex.FEMALE)


def check_cccd(number: str, birth_date: date | None, sex: Sex | None) -> list[ValidationError]:
    """Problems of a CCCD number on its own and against the birth date and sex (empty = fine).

    Every error has ``field == "id_number"``: the messages name the other field involved.
    """
    if not _CCCD_RE.fullmatch(number):
        return [
            ValidationError(
                f"the CCCD number must be exactly 12 digits, got {number!r}",
                f"Số CCCD phải gồm đúng 12 chữ số (đang nhập “{number}”).",
                "id_number",
            )
        ]
    errors: list[ValidationError] = []
    province = number[:3]
    if province not in PROVINCE_CODES:
        errors.append(
            ValidationError(
                f"the CCCD number starts with {province}, which is not a province code",
                f"Số CCCD không hợp lệ: mã tỉnh “{province}” (3 chữ số đầu) không tồn tại.",
                "id_number",
            )
        )
    digit = int(number[3])
    century, coded_sex = cccd_century_and_sex(digit)
    if sex is not None and sex is not coded_sex:
        errors.append(
            ValidationError(
                f"the CCCD number's 4th digit {digit} means {coded_sex.name.lower()}, "
                f"but the sex given is {sex.name.lower()}",
                f"Số CCCD không khớp với giới tính: chữ số thứ 4 là “{digit}” ứng với giới tính "
                f"{coded_sex.value}, nhưng giới tính đã nhập là {sex.value}.",
                "id_number",
            )
        )
    if birth_date is not None:
        if not century <= birth_date.year < century + 100:
            errors.append(
                ValidationError(
                    f"the CCCD number's 4th digit {digit} means born in {century}-{century + 99}, "
                    f"but the birth year is {birth_date.year}",
                    f"Số CCCD không khớp với năm sinh: chữ số thứ 4 là “{digit}” ứng với người sinh "
                    f"trong các năm {century}–{century + 99}, nhưng năm sinh là {birth_date.year}.",
                    "id_number",
                )
            )
        year_digits = f"{birth_date.year % 100:02d}"
        if number[4:6] != year_digits:
            errors.append(
                ValidationError(
                    f"the CCCD number's 5th-6th digits {number[4:6]} are not the last two digits "
                    f"of the birth year {birth_date.year}",
                    f"Số CCCD không khớp với năm sinh: chữ số thứ 5–6 là “{number[4:6]}”, nhưng năm "
                    f"sinh là {birth_date.year} (phải là “{year_digits}”).",
                    "id_number",
                )
            )
    return errors


def normalise_phone(phone: str) -> str:
    """The phone number without spaces, dots, dashes and parentheses."""
    return _PHONE_SEPARATORS_RE.sub("", phone)


def is_valid_phone(phone: str) -> bool:
    """A Vietnamese mobile (0xx xxx xxxx) or landline (02x xxxx xxxx) number, or its +84 form."""
    return _PHONE_RE.fullmatch(normalise_phone(phone.strip())) is not None


def is_valid_email(email: str) -> bool:
    return len(email) <= 254 and _EMAIL_RE.fullmatch(email.strip()) is not None


def is_valid_tax_code(tax_code: str) -> bool:
    """10 digits (mã số thuế), or 10 digits + "-" + 3 digits for a branch (đơn vị phụ thuộc)."""
    return _TAX_CODE_RE.fullmatch(tax_code) is not None


def _check_person(a: Applicant, today: date) -> list[ValidationError]:
    errors: list[ValidationError] = []
    if not a.full_name.strip():
        errors.append(
            ValidationError("the applicant's full name is required", "Chưa nhập họ và tên.", "full_name")
        )
    if not a.id_number and not a.old_id_number:
        errors.append(
            ValidationError(
                "a CCCD number (12 digits) or an old CMND number (9 digits) is required",
                "Cần nhập số CCCD (12 chữ số) hoặc số CMND cũ (9 chữ số).",
                "id_number",
            )
        )
    if a.id_number:
        errors.extend(check_cccd(a.id_number, a.birth_date, a.sex))
    if a.old_id_number and not _CMND_RE.fullmatch(a.old_id_number):
        errors.append(
            ValidationError(
                f"the old CMND number must be 9 digits, got {a.old_id_number!r}",
                f"Số CMND cũ phải gồm 9 chữ số (đang nhập “{a.old_id_number}”).",
                "old_id_number",
            )
        )
    if a.birth_date is not None:
        if a.birth_date > today:
            errors.append(
                ValidationError(
                    f"the birth date {a.birth_date:%d/%m/%Y} is in the future",
                    f"Ngày sinh {a.birth_date:%d/%m/%Y} là ngày trong tương lai.",
                    "birth_date",
                )
            )
        elif a.birth_date < EARLIEST_BIRTH_DATE:
            errors.append(
                ValidationError(
                    f"the birth date {a.birth_date:%d/%m/%Y} is before 1900",
                    f"Ngày sinh {a.birth_date:%d/%m/%Y} không hợp lệ (trước năm 1900).",
                    "birth_date",
                )
            )
    if a.id_issue_date is not None:
        if a.id_issue_date > today:
            errors.append(
                ValidationError(
                    f"the ID issue date {a.id_issue_date:%d/%m/%Y} is in the future",
                    f"Ngày cấp {a.id_issue_date:%d/%m/%Y} là ngày trong tương lai.",
                    "id_issue_date",
                )
            )
        elif a.birth_date is not None and a.id_issue_date < a.birth_date:
            errors.append(
                ValidationError(
                    f"the ID issue date {a.id_issue_date:%d/%m/%Y} is before the birth date",
                    f"Ngày cấp {a.id_issue_date:%d/%m/%Y} trước ngày sinh {a.birth_date:%d/%m/%Y}.",
                    "id_issue_date",
                )
            )
    return errors


def _check_organisation(a: Applicant) -> list[ValidationError]:
    errors: list[ValidationError] = []
    if not a.full_name.strip():
        errors.append(
            ValidationError(
                "the organisation's name is required", "Chưa nhập tên tổ chức.", "full_name"
            )
        )
    if not a.tax_code:
        errors.append(
            ValidationError(
                "the organisation's tax code is required",
                "Chưa nhập mã số thuế của tổ chức.",
                "tax_code",
            )
        )
    elif not is_valid_tax_code(a.tax_code):
        errors.append(
            ValidationError(
                f"the tax code must be 10 digits, or 10 digits-3 digits for a branch, got {a.tax_code!r}",
                f"Mã số thuế phải gồm 10 chữ số, hoặc 10 chữ số - 3 chữ số đối với chi nhánh "
                f"(đang nhập “{a.tax_code}”).",
                "tax_code",
            )
        )
    return errors


_UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")
_TEXT_FIELDS_VI = {"full_name": "Họ và tên", "id_number": "Số CCCD", "old_id_number": "Số CMND",
                   "address": "Địa chỉ", "phone": "Số điện thoại", "email": "Thư điện tử",
                   "tax_code": "Mã số thuế", "qr_raw": "Nội dung mã QR"}


def unstorable_text_error(value: str, field: str, label_vi: str) -> ValidationError | None:
    """A NUL character or a lone surrogate cannot be stored (PostgreSQL refuses NUL in text, UTF-8
    cannot encode a lone surrogate): refused the same way on every database. Any other text,
    control characters and right-to-left marks included, is stored as given."""
    if not isinstance(value, str) or not _UNSTORABLE_RE.search(value):
        return None
    return ValidationError(f"{field} contains a NUL character or an invalid code point",
                           f"{label_vi} chứa ký tự không hợp lệ (ký tự rỗng NUL hoặc mã Unicode hỏng); "
                           "hãy nhập lại.", field)


def validate_applicant(a: Applicant, *, today: date | None = None) -> list[ValidationError]:
    """Every problem of an applicant (empty list = valid); each error's ``field`` is the
    :class:`Applicant` field at fault. ``today`` defaults to the current date."""
    today = today or vn_today()
    is_organisation = a.kind is ApplicantKind.ORGANISATION
    errors = _check_organisation(a) if is_organisation else _check_person(a, today)
    for field, label in _TEXT_FIELDS_VI.items():
        if (error := unstorable_text_error(getattr(a, field), field, label)) is not None:
            errors.append(error)
    if a.phone.strip() and not is_valid_phone(a.phone):
        errors.append(
            ValidationError(
                f"not a Vietnamese phone number: {a.phone!r}",
                f"Số điện thoại không hợp lệ: “{a.phone}” (di động 10 chữ số bắt đầu bằng 0, "
                "cố định 11 chữ số bắt đầu bằng 02, hoặc dạng +84).",
                "phone",
            )
        )
    if a.email.strip() and not is_valid_email(a.email):
        errors.append(
            ValidationError(
                f"not an e-mail address: {a.email!r}",
                f"Địa chỉ thư điện tử không hợp lệ: “{a.email}”.",
                "email",
            )
        )
    return errors
